// Shared pieces of the chat_oidc tests: the test OpenID Provider, a browser stand-in that
// drives its login, token signing with our own keys, and a counting HTTP client.
#pragma once

#include <openssl/evp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chat/chat.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <oidc/oidc.hpp>
#include <string>

namespace chat::oidc::test {

using json = nlohmann::json;

// The provider started by tests/oidc/provider/provider.sh (the oidc_provider ctest fixture).
std::string provider_dir();
std::string ca_file();
std::string issuer();                          // https://127.0.0.1:<port>
std::string http_base();                       // http://127.0.0.1:<http port> (static issuers only)
const std::string& redirect_uri();             // registered for every test client
std::string key_file(const std::string& kid);  // rsa1, ec1, rsa2: the provider's private keys

// Test clients of the provider (server.mjs).
struct test_client {
  std::string id;
  std::string secret;  // empty for the public client
  client_auth_method auth = client_auth_method::client_secret_post;
};
test_client web_client();        // chat-web: client_secret_post, RS256 ID tokens
test_client web_basic_client();  // chat-web-basic: client_secret_basic, ES256 ID tokens
test_client android_client();    // chat-android: public, RS256
test_client other_client();      // other-app: someone else's application

// A provider_config for the test provider under id "test".
provider_config test_provider_config(const test_client& client = web_client());

// Moves by hand; starts at the real time so provider-issued tokens are valid.
struct manual_clock {
  std::shared_ptr<std::atomic<chat::time_ms>> now;
  manual_clock();
  std::function<chat::time_ms()> fn() const;
  void advance(std::chrono::seconds s) { *now += s.count() * 1000; }
};

// An http_client that counts requests per URL and forwards to libcurl with the test CA.
class counting_http_client final : public http_client {
 public:
  explicit counting_http_client(curl_http_options options = {});
  result<http_response> send(const http_request& request) override;
  int count(const std::string& url_suffix) const;

 private:
  std::shared_ptr<http_client> inner_;
  mutable std::mutex mutex_;
  std::map<std::string, int> counts_;
};

curl_http_options test_http_options();  // trusts the test CA, short timeouts

struct rp_bundle {
  std::shared_ptr<counting_http_client> http;
  manual_clock clock;
  std::unique_ptr<relying_party> rp;
};
rp_bundle make_rp(std::vector<provider_config> providers, relying_party_options options = {});

// The redirect the provider sends the browser to, split into its query parameters.
struct provider_redirect {
  std::string url;
  std::map<std::string, std::string> query;
};
// Follows an authorization URL through the provider's (automatic) login like a browser with
// a fresh cookie jar, until the provider redirects to redirect_uri(). FAILs on errors.
provider_redirect drive_login(const std::string& authorization_url);

// Runs a whole code flow as client `client` without chat_oidc and returns the ID token.
std::string provider_id_token(const test_client& client, const std::string& login_hint,
                              const std::string& nonce = {});

// Keys and tokens of our own.
using pkey_ptr = std::shared_ptr<EVP_PKEY>;
pkey_ptr load_private_key(const std::string& pem_file);
pkey_ptr generate_rsa_key(int bits = 2048);
pkey_ptr generate_p256_key();
json public_jwk(const pkey_ptr& key, const std::string& kid);  // RS256 or ES256 JWK
// Signs with alg RS256 or ES256 (raw r||s), HS256 (key = `hmac_secret`), or "none".
std::string sign_jwt(const json& header, const json& payload, const pkey_ptr& key,
                     const std::string& hmac_secret = {});
// Claims the test provider would issue to `audience` now.
json standard_claims(const std::string& audience, const std::string& subject = "alice");

// Static issuers (server.mjs /static/<name>): a test sets every answer.
void put_static(const std::string& name, const std::string& path, const std::string& body,
                int status = 200, int delay_ms = 0, const std::string& content_type = {});
std::string static_issuer(const std::string& name);
// Publishes a discovery document for static issuer `name` whose jwks_uri is /static/<name>/jwks.
void put_static_discovery(const std::string& name, const std::string& base = {});
provider_config static_provider_config(const std::string& name);

std::string unique(const std::string& prefix);

}  // namespace chat::oidc::test
