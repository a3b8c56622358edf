// Test helpers for chat_oidc: provider access, a scripted browser, our own JWT signing.
#include "oidc_fixture.hpp"

#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "encoding.hpp"
#include "support/test_env.hpp"

namespace chat::oidc::test {
namespace {

struct easy_free {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};

std::size_t append(char* ptr, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(ptr, size * n);
  return size * n;
}

std::string url_decode(const std::string& text) {
  std::string plus = text;
  for (auto& c : plus)
    if (c == '+') c = ' ';
  int length = 0;
  char* raw = curl_easy_unescape(nullptr, plus.c_str(), int(plus.size()), &length);
  std::string out(raw, std::size_t(length));
  curl_free(raw);
  return out;
}

std::map<std::string, std::string> parse_query(const std::string& url) {
  std::map<std::string, std::string> out;
  auto q = url.find('?');
  if (q == std::string::npos) return out;
  std::string rest = url.substr(q + 1);
  std::size_t pos = 0;
  while (pos <= rest.size()) {
    auto amp = rest.find('&', pos);
    if (amp == std::string::npos) amp = rest.size();
    auto pair = rest.substr(pos, amp - pos);
    auto eq = pair.find('=');
    if (eq != std::string::npos)
      out[url_decode(pair.substr(0, eq))] = url_decode(pair.substr(eq + 1));
    pos = amp + 1;
  }
  return out;
}

struct plain_response {
  long status = 0;  // NOLINT(google-runtime-int)
  std::string body;
  std::string location;
};

// A direct libcurl call that trusts the test CA; `jar`, a handle with the cookie engine on,
// keeps cookies between calls (only GETs are made with it).
plain_response curl_call(const std::string& method, const std::string& url,
                         const std::string& body = {}, const std::vector<std::string>& headers = {},
                         CURL* jar = nullptr) {
  std::unique_ptr<CURL, easy_free> own;
  CURL* h = jar;
  if (!h) {
    own.reset(curl_easy_init());
    h = own.get();
  }
  plain_response out;
  curl_slist* list = nullptr;
  for (const auto& line : headers) list = curl_slist_append(list, line.c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CAINFO, ca_file().c_str());
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  if (method == "POST" || method == "PUT") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
  }
  const CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(list);
  INFO(url << ": " << curl_easy_strerror(rc));
  REQUIRE(rc == CURLE_OK);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
  char* location = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location)
    out.location = location;
  return out;
}

std::string bn_b64(const BIGNUM* bn, int pad = 0) {
  std::string bytes(std::size_t(pad ? pad : BN_num_bytes(bn)), '\0');
  if (pad)
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), pad);
  else
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  return detail::base64url_encode(bytes);
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string provider_dir() {
  return CHAT_TEST_OIDC_DIR;
}
std::string ca_file() {
  return provider_dir() + "/tls/ca.pem";
}
// The provider listens on free ports and writes them to ports.json (provider/server.mjs).
static int provider_port(const char* which) {
  static const nlohmann::json ports = [] {
    std::ifstream in(provider_dir() + "/ports.json");
    REQUIRE(in);
    return nlohmann::json::parse(in);
  }();
  return ports.at(which).get<int>();
}
std::string issuer() {
  return "https://127.0.0.1:" + std::to_string(provider_port("https"));
}
std::string http_base() {
  return "http://127.0.0.1:" + std::to_string(provider_port("http"));
}
const std::string& redirect_uri() {
  static const std::string uri = "https://chat.test/v1/auth/oidc/test/callback";
  return uri;
}
std::string key_file(const std::string& kid) {
  return provider_dir() + "/keys/" + kid + ".pem";
}

test_client web_client() {
  return {"chat-web", "chat-web-secret-0123456789abcdef", client_auth_method::client_secret_post};
}
test_client web_basic_client() {
  return {"chat-web-basic", "chat-web-basic-secret-0123456789",
          client_auth_method::client_secret_basic};
}
test_client android_client() {
  return {"chat-android", "", client_auth_method::client_secret_post};
}
test_client other_client() {
  return {"other-app", "other-app-secret-0123456789abcdef", client_auth_method::client_secret_post};
}

provider_config test_provider_config(const test_client& client) {
  provider_config c;
  c.id = "test";
  c.display_name = "Test provider";
  c.issuer = issuer();
  c.client_id = client.id;
  c.client_secret = client.secret.empty() ? "unused" : client.secret;
  c.redirect_uri = redirect_uri();
  c.token_endpoint_auth = client.auth;
  return c;
}

manual_clock::manual_clock()
    : now(std::make_shared<std::atomic<chat::time_ms>>(
          std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count())) {}

std::function<chat::time_ms()> manual_clock::fn() const {
  auto n = now;
  return [n] { return n->load(); };
}

counting_http_client::counting_http_client(curl_http_options options)
    : inner_(make_curl_http_client(std::move(options))) {}

result<http_response> counting_http_client::send(const http_request& request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++counts_[request.url];
  }
  return inner_->send(request);
}

int counting_http_client::count(const std::string& url_suffix) const {
  std::lock_guard<std::mutex> lock(mutex_);
  int n = 0;
  for (const auto& [url, c] : counts_)
    if (url.size() >= url_suffix.size() &&
        url.compare(url.size() - url_suffix.size(), url_suffix.size(), url_suffix) == 0)
      n += c;
  return n;
}

curl_http_options test_http_options() {
  curl_http_options o;
  o.ca_file = ca_file();
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.total_timeout = std::chrono::milliseconds(3000);
  return o;
}

rp_bundle make_rp(std::vector<provider_config> providers, relying_party_options options) {
  rp_bundle b;
  b.http = std::make_shared<counting_http_client>(test_http_options());
  provider_registry registry;
  for (auto& p : providers) {
    auto added = registry.add(p);
    INFO(added.message());
    REQUIRE(added.ok());
  }
  options.clock = b.clock.fn();
  b.rp = std::make_unique<relying_party>(std::move(registry), b.http, options);
  return b;
}

provider_redirect drive_login(const std::string& authorization_url) {
  std::unique_ptr<CURL, easy_free> browser(curl_easy_init());
  curl_easy_setopt(browser.get(), CURLOPT_COOKIEFILE, "");  // in-memory cookie engine, once
  std::string url = authorization_url;
  for (int hop = 0; hop < 10; ++hop) {
    auto answer = curl_call("GET", url, {}, {}, browser.get());
    INFO("GET " << url << " -> " << answer.status << " " << answer.body.substr(0, 300));
    REQUIRE(!answer.location.empty());
    if (answer.location.rfind(redirect_uri(), 0) == 0)
      return {answer.location, parse_query(answer.location)};
    url = answer.location;
  }
  FAIL("the provider never redirected back");
  return {};
}

std::string provider_id_token(const test_client& client, const std::string& login_hint,
                              const std::string& nonce) {
  const std::string verifier = *detail::random_token();
  std::vector<std::pair<std::string, std::string>> params = {
      {"response_type", "code"},
      {"client_id", client.id},
      {"redirect_uri", redirect_uri()},
      {"scope", "openid email profile"},
      {"state", *detail::random_token()},
      {"code_challenge", detail::base64url_encode(detail::sha256(verifier))},
      {"code_challenge_method", "S256"},
      {"login_hint", login_hint}};
  if (!nonce.empty()) params.emplace_back("nonce", nonce);
  auto back = drive_login(issuer() + "/auth?" + detail::form_encode(params));
  REQUIRE(back.query.count("code"));
  std::vector<std::pair<std::string, std::string>> form = {{"grant_type", "authorization_code"},
                                                           {"code", back.query["code"]},
                                                           {"redirect_uri", redirect_uri()},
                                                           {"code_verifier", verifier},
                                                           {"client_id", client.id}};
  if (!client.secret.empty()) form.emplace_back("client_secret", client.secret);
  auto answer = curl_call("POST", issuer() + "/token", detail::form_encode(form),
                          {"Content-Type: application/x-www-form-urlencoded"});
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  return json::parse(answer.body).at("id_token").get<std::string>();
}

pkey_ptr load_private_key(const std::string& pem_file) {
  FILE* f = std::fopen(pem_file.c_str(), "r");
  INFO(pem_file);
  REQUIRE(f != nullptr);
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  REQUIRE(key != nullptr);
  return pkey_ptr(key, EVP_PKEY_free);
}

pkey_ptr generate_rsa_key(int bits) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t(bits));
  REQUIRE(key != nullptr);
  return pkey_ptr(key, EVP_PKEY_free);
}

pkey_ptr generate_p256_key() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  REQUIRE(key != nullptr);
  return pkey_ptr(key, EVP_PKEY_free);
}

json public_jwk(const pkey_ptr& key, const std::string& kid) {
  json jwk = {{"kid", kid}, {"use", "sig"}};
  if (EVP_PKEY_is_a(key.get(), "RSA")) {
    BIGNUM *n = nullptr, *e = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n) == 1);
    REQUIRE(EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e) == 1);
    jwk.update({{"kty", "RSA"}, {"alg", "RS256"}, {"n", bn_b64(n)}, {"e", bn_b64(e)}});
    BN_free(n);
    BN_free(e);
  } else {
    BIGNUM *x = nullptr, *y = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1);
    REQUIRE(EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1);
    jwk.update({{"kty", "EC"},
                {"crv", "P-256"},
                {"alg", "ES256"},
                {"x", bn_b64(x, 32)},
                {"y", bn_b64(y, 32)}});
    BN_free(x);
    BN_free(y);
  }
  return jwk;
}

std::string sign_jwt(const json& header, const json& payload, const pkey_ptr& key,
                     const std::string& hmac_secret) {
  const std::string input =
      detail::base64url_encode(header.dump()) + "." + detail::base64url_encode(payload.dump());
  const std::string alg = header.value("alg", "");
  if (alg == "none") return input + ".";
  std::string signature;
  if (alg == "HS256") {
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t size = 0;
    REQUIRE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, hmac_secret.data(),
                      hmac_secret.size(), reinterpret_cast<const unsigned char*>(input.data()),
                      input.size(), mac, sizeof mac, &size) != nullptr);
    signature.assign(reinterpret_cast<char*>(mac), size);
  } else {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    REQUIRE(EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key.get(),
                                  nullptr) == 1);
    std::size_t size = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(input.data());
    REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &size, data, input.size()) == 1);
    std::string der(size, '\0');
    REQUIRE(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &size, data,
                           input.size()) == 1);
    der.resize(size);
    if (EVP_PKEY_is_a(key.get(), "EC")) {  // DER -> JWS raw r||s
      const auto* p = reinterpret_cast<const unsigned char*>(der.data());
      ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, long(der.size()));
      REQUIRE(sig != nullptr);
      std::string raw(64, '\0');
      BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
      BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
      ECDSA_SIG_free(sig);
      signature = raw;
    } else {
      signature = der;
    }
  }
  return input + "." + detail::base64url_encode(signature);
}

json standard_claims(const std::string& audience, const std::string& subject) {
  const auto now = now_seconds();
  return {{"iss", issuer()},        {"sub", subject},
          {"aud", audience},        {"iat", now},
          {"exp", now + 600},       {"email", subject + "@example.test"},
          {"email_verified", true}, {"name", "Test " + subject}};
}

void put_static(const std::string& name, const std::string& path, const std::string& body,
                int status, int delay_ms, const std::string& content_type) {
  std::string url = issuer() + "/__test/static/" + name + "/" + path +
                    "?status=" + std::to_string(status) + "&delay_ms=" + std::to_string(delay_ms);
  if (!content_type.empty()) url += "&content_type=" + detail::url_encode(content_type);
  auto answer = curl_call("PUT", url, body);
  REQUIRE(answer.status == 204);
}

std::string static_issuer(const std::string& name) {
  return issuer() + "/static/" + name;
}

void put_static_discovery(const std::string& name, const std::string& base) {
  const std::string iss = (base.empty() ? issuer() : base) + "/static/" + name;
  json doc = {{"issuer", iss},
              {"authorization_endpoint", iss + "/auth"},
              {"token_endpoint", iss + "/token"},
              {"jwks_uri", iss + "/jwks"},
              {"response_types_supported", {"code"}},
              {"id_token_signing_alg_values_supported", {"RS256", "ES256"}}};
  put_static(name, ".well-known/openid-configuration", doc.dump());
}

provider_config static_provider_config(const std::string& name) {
  provider_config c = test_provider_config();
  c.id = "static";
  c.issuer = static_issuer(name);
  return c;
}

std::string unique(const std::string& prefix) {
  return chat::test::unique_name(prefix);
}

}  // namespace chat::oidc::test
