// The OpenID Connect relying party: discovery and key caches, ID token verification, the
// Authorization Code + PKCE browser flow and native ID tokens, for every configured provider.
#pragma once

#include <chat/types.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "oidc/error.hpp"
#include "oidc/http_client.hpp"
#include "oidc/provider_config.hpp"

namespace chat::oidc {

struct relying_party_options {
  // Tolerance for exp, nbf and iat between our clock and the provider's.
  std::chrono::seconds clock_skew{60};
  // Pending browser logins (state records): how long a login may take, how many may wait at
  // once and how many of them one client address may hold. Nothing is dropped early: when
  // full, new logins are refused (unavailable; rate_limited for the one address).
  std::chrono::seconds login_ttl{600};
  std::size_t max_pending_logins = 10000;
  std::size_t max_pending_logins_per_address = 30;
  // Native nonces from issue_native_nonce(): the same three settings.
  std::chrono::seconds native_nonce_ttl{600};
  std::size_t max_native_nonces = 10000;
  std::size_t max_native_nonces_per_address = 30;
  // Cached discovery documents and key sets are refetched after these ages. A failed refetch
  // keeps the previous copy in use.
  std::chrono::seconds discovery_max_age{std::chrono::hours(24)};
  std::chrono::seconds keys_max_age{std::chrono::hours(1)};
  // An unknown kid triggers one JWKS refresh, at most once per this interval per provider.
  std::chrono::seconds key_refresh_min_interval{60};
  std::size_t max_id_token_bytes = 16 * 1024;
  // Unix epoch milliseconds; injectable for tests. Default: the system clock.
  std::function<chat::time_ms()> clock;
};

// What a verified ID token says about the user.
struct verified_identity {
  std::string provider;  // provider_config::id
  std::string issuer;    // "iss"
  std::string subject;   // "sub": with issuer, the stable key of the identity
  std::optional<std::string> email;
  bool email_verified = false;
  std::optional<std::string> name;
  chat::time_ms issued_at = 0;
  chat::time_ms expires_at = 0;
};

enum class login_purpose : std::uint8_t {
  sign_in = 0,  // sign in, or start a sign-up for a first-time identity
  link = 1,     // add the identity to the signed-in account `link_user`
};

struct login_start {
  std::string authorization_url;  // send the browser here (302)
  std::string state;
  // A secret for the starting browser only: set it as an HttpOnly, Secure, SameSite=Lax cookie
  // and pass it back to complete_login, so a callback URL cannot be replayed in another browser.
  std::string browser_binding;
  chat::time_ms expires_at = 0;
};

// The query parameters of the callback, and the browser's binding cookie.
struct callback_params {
  std::string state;
  std::string code;
  std::string error;  // set by the provider when the user cancelled or it failed
  std::string error_description;
  std::string iss;  // RFC 9207 issuer parameter, checked when present
  std::string browser_binding;
};

struct completed_login {
  verified_identity identity;
  login_purpose purpose = login_purpose::sign_in;
  std::optional<chat::user_id> link_user;  // set when purpose == link
};

// Thread-safety: every member function may be called from any thread concurrently. Network
// fetches happen without holding locks; concurrent refreshes of one provider's keys are merged.
class relying_party {
 public:
  relying_party(provider_registry providers, std::shared_ptr<http_client> http,
                relying_party_options options = {});
  ~relying_party();
  relying_party(const relying_party&) = delete;
  relying_party& operator=(const relying_party&) = delete;

  const provider_registry& providers() const;

  // Starts a browser login: fetches discovery (cached), makes state, nonce, PKCE verifier and
  // browser binding, stores the pending login and returns the authorization URL. `link_user`
  // is required for purpose == link. `login_hint` is passed to the provider when not empty.
  // `client_address` identifies the client for the per-address limit. Errors:
  // unknown_provider, provider_unreachable, bad_provider_response, invalid_config,
  // rate_limited (this address holds too many pending logins), unavailable (all slots taken).
  result<login_start> begin_login(const std::string& provider, login_purpose purpose,
                                  std::optional<chat::user_id> link_user = std::nullopt,
                                  const std::string& login_hint = {},
                                  const std::string& client_address = {});

  // Finishes a browser login: consumes the state (single use, even when this fails), checks
  // the binding and the iss parameter, exchanges the code (with the PKCE verifier) at the token
  // endpoint and verifies the ID token against the login's nonce. Errors: invalid_state,
  // replayed_state, login_denied, wrong_issuer, token_exchange_failed, provider_unreachable,
  // bad_provider_response and every verify_id_token error.
  result<completed_login> complete_login(const callback_params& callback);

  // A single-use nonce for a native app to put into its platform sign-in request. Valid for
  // native_nonce_ttl; verify_native_id_token consumes it. Errors: rate_limited, unavailable
  // (as for begin_login).
  result<std::string> issue_native_nonce(const std::string& client_address = {});

  // Verifies an ID token a native app got from its platform SDK. The audience may be the
  // client id or one of native_client_ids. Nonce: optional for native tokens (not every SDK
  // sets one); when `nonce` is given it must come from issue_native_nonce(), be unused
  // (replayed_nonce otherwise) and equal the token's nonce claim (nonce_mismatch).
  result<verified_identity> verify_native_id_token(const std::string& provider,
                                                   const std::string& id_token,
                                                   const std::string& nonce = {});

  // The verification behind both flows: signature (RS256, ES256) with the provider's JWKS
  // (one refresh on an unknown kid), iss, aud/azp against `audiences`, exp/iat/nbf with the
  // clock skew, nonce when `expected_nonce` is set, and email_verified when required.
  result<verified_identity> verify_id_token(const std::string& provider,
                                            const std::string& id_token,
                                            const std::vector<std::string>& audiences,
                                            const std::optional<std::string>& expected_nonce);

  // Operations and tests: how many times each provider's JWKS has been fetched.
  std::uint64_t jwks_fetch_count(const std::string& provider) const;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace chat::oidc
