// The settings of OpenID Providers, their validation, and the registry of configured providers.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "oidc/error.hpp"

namespace chat::oidc {

// How the client authenticates at the token endpoint (RFC 6749 section 2.3.1).
enum class client_auth_method : std::uint8_t { client_secret_post, client_secret_basic };

struct provider_config {
  std::string id;            // short name used in URLs and the config: [a-z0-9_-], 1..32
  std::string display_name;  // for the sign-in button: "Google"
  std::string issuer;        // exactly the provider's "iss", e.g. "https://accounts.google.com"
  // Other spellings of the issuer found in ID tokens (Google: "accounts.google.com" without
  // the scheme). They are accepted in "iss" and mapped to `issuer`, so the identity key stays one.
  std::vector<std::string> issuer_aliases;
  std::string client_id;
  std::string client_secret;
  std::vector<std::string> scopes = {"openid", "email", "profile"};  // must contain "openid"
  std::string redirect_uri;            // chatd's callback, registered at the provider
  bool require_verified_email = true;  // refuse ID tokens without email_verified == true
  client_auth_method token_endpoint_auth = client_auth_method::client_secret_post;
  // Extra audiences accepted by verify_native_id_token only: the client ids of the Android and
  // iOS apps (Google puts the Android app's id in azp and the web client id in aud).
  std::vector<std::string> native_client_ids;
  // Extra authorization request parameters, e.g. {"prompt", "select_account"}.
  std::map<std::string, std::string> authorization_params;
  // TEST ONLY: accept http:// URLs whose host is a loopback IP literal (127.0.0.0/8, [::1]).
  // Off by default; refused for any other host; logged as a warning whenever it is used.
  bool allow_insecure_loopback_http_for_tests = false;
};

// ok, or invalid_config naming the first broken rule. URLs must be https, except http on a
// loopback IP literal when allow_insecure_loopback_http_for_tests is set.
status validate(const provider_config& config);

// True for "http://127.x.y.z[:port]/..." and "http://[::1][:port]/..." (IP literals only).
bool is_loopback_http_url(const std::string& url);
// True if `url` may be fetched under this setting: https, or loopback http when `allow_http`.
bool is_allowed_url(const std::string& url, bool allow_loopback_http);

// Configured providers by id. Filled at start-up, then read-only: add() is not thread-safe
// against readers, find()/list() are safe concurrently with each other.
class provider_registry {
 public:
  // invalid_config if the config is invalid or its id or issuer is registered already.
  status add(provider_config config);
  // The provider with this id, or nullptr. The pointer stays valid as long as the registry
  // (also across later add() calls and a move of the registry).
  const provider_config* find(const std::string& id) const;
  // The provider whose issuer is `issuer`, or nullptr.
  const provider_config* find_by_issuer(const std::string& issuer) const;
  const std::deque<provider_config>& list() const { return providers_; }

 private:
  std::deque<provider_config> providers_;  // deque: add() keeps earlier addresses
};

}  // namespace chat::oidc
