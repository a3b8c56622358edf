// The relying party: per-provider discovery/JWKS caches, ID token verification and the
// Authorization Code + PKCE flow.
#include "oidc/relying_party.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <climits>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "crypto.hpp"
#include "encoding.hpp"
#include "id_token.hpp"
#include "single_use_store.hpp"

namespace chat::oidc {
namespace {

using detail::key_set;

struct discovery_doc {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
};

// Cached documents of one provider. `mutex` guards every member but `config` (immutable) and
// `jwks_fetches`; fetches run with the mutex released, one at a time per document
// (`*_in_flight`), and `changed` wakes the threads that wait for a fetch to finish.
struct provider_state {
  const provider_config* config = nullptr;
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<discovery_doc> discovery;
  chat::time_ms discovery_at = 0;
  bool discovery_in_flight = false;
  std::shared_ptr<const key_set> keys;
  chat::time_ms keys_at = 0;
  bool keys_in_flight = false;
  chat::time_ms last_forced_refresh = LLONG_MIN / 2;
  status keys_error;
  std::atomic<std::uint64_t> jwks_fetches{0};
};

struct pending_login {
  std::string provider;
  login_purpose purpose = login_purpose::sign_in;
  std::optional<chat::user_id> link_user;
  std::string nonce;
  std::string code_verifier;
  std::string browser_binding;
};

// Runs a fetch so that the in-flight flag is always cleared: only allocation can throw here.
template <typename F>
auto guarded(F&& fetch) -> decltype(fetch()) {
  try {
    return fetch();
  } catch (const std::exception& e) {
    return status(errc::internal, std::string("fetch failed: ") + e.what());
  }
}

std::string base64_standard(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), int(bytes.size()));
  out.resize(std::size_t(n));
  return out;
}

// Provider error codes are echoed in messages; keep them short and printable.
std::string sanitize(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 64))
    out +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ' ') ? c : '?';
  return out;
}

}  // namespace

struct relying_party::impl {
  provider_registry providers;
  std::shared_ptr<http_client> http;
  relying_party_options options;
  std::map<std::string, std::unique_ptr<provider_state>> states;  // fixed after construction
  detail::single_use_store<pending_login> logins;
  detail::single_use_store<bool> native_nonces;

  impl(provider_registry p, std::shared_ptr<http_client> h, relying_party_options o)
      : providers(std::move(p)),
        http(std::move(h)),
        options(std::move(o)),
        logins(options.max_pending_logins, options.max_pending_logins_per_address),
        native_nonces(options.max_native_nonces, options.max_native_nonces_per_address) {
    for (const auto& config : providers.list()) {
      auto s = std::make_unique<provider_state>();
      s->config = &config;
      states.emplace(config.id, std::move(s));
    }
  }

  chat::time_ms now() const {
    if (options.clock) return options.clock();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  static chat::time_ms ms(std::chrono::seconds s) { return chat::time_ms(s.count()) * 1000; }

  provider_state* state(const std::string& id) {
    auto it = states.find(id);
    return it == states.end() ? nullptr : it->second.get();
  }

  result<discovery_doc> fetch_discovery(const provider_config& config) {
    std::string url = config.issuer;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += "/.well-known/openid-configuration";
    auto answer = http->send({"GET", url, {}, {}});
    if (!answer) return answer.error();
    if (answer->status != 200)
      return status(errc::bad_provider_response,
                    "discovery document answered HTTP " + std::to_string(answer->status));
    auto doc = nlohmann::json::parse(answer->body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      return status(errc::bad_provider_response, "discovery document is not a JSON object");
    auto text = [&](const char* name) -> std::optional<std::string> {
      auto it = doc.find(name);
      if (it == doc.end() || !it->is_string()) return std::nullopt;
      return it->get<std::string>();
    };
    discovery_doc out;
    const auto issuer = text("issuer");
    // OpenID Connect Discovery 4.3: the document's issuer must be exactly the configured one.
    if (!issuer || *issuer != config.issuer)
      return status(errc::bad_provider_response,
                    "discovery document names another issuer than " + config.issuer);
    out.issuer = *issuer;
    const bool allow_http = config.allow_insecure_loopback_http_for_tests;
    for (auto [name, field] :
         {std::pair{"authorization_endpoint", &out.authorization_endpoint},
          std::pair{"token_endpoint", &out.token_endpoint}, std::pair{"jwks_uri", &out.jwks_uri}}) {
      const auto value = text(name);
      if (!value || !is_allowed_url(*value, allow_http))
        return status(errc::bad_provider_response,
                      std::string("discovery document has no https ") + name);
      *field = *value;
    }
    return out;
  }

  result<discovery_doc> discovery(provider_state& s) {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.changed.wait(lock, [&] { return !s.discovery_in_flight; });
    const chat::time_ms t = now();
    if (s.discovery && t - s.discovery_at < ms(options.discovery_max_age)) return *s.discovery;
    s.discovery_in_flight = true;
    lock.unlock();
    result<discovery_doc> fetched = guarded([&] { return fetch_discovery(*s.config); });
    lock.lock();
    s.discovery_in_flight = false;
    s.changed.notify_all();  // waiters re-check under the mutex, after the update below
    if (fetched) {
      s.discovery = *fetched;
      s.discovery_at = t;
      return fetched;
    }
    if (s.discovery) {
      spdlog::warn("OIDC {}: discovery refresh failed ({}); keeping the cached document",
                   s.config->id, fetched.error().message());
      return *s.discovery;
    }
    return fetched.error();
  }

  result<key_set> fetch_jwks(provider_state& s) {
    auto disc = discovery(s);
    if (!disc) return disc.error();
    ++s.jwks_fetches;
    auto answer = http->send({"GET", disc->jwks_uri, {}, {}});
    if (!answer) return answer.error();
    if (answer->status != 200)
      return status(errc::bad_provider_response,
                    "JWKS answered HTTP " + std::to_string(answer->status));
    return detail::parse_jwks(answer->body);
  }

  // The provider's keys: cached, refetched when older than keys_max_age, and refetched once
  // when `force` (an unknown kid), at most once per key_refresh_min_interval.
  result<std::shared_ptr<const key_set>> keys(provider_state& s, bool force) {
    std::unique_lock<std::mutex> lock(s.mutex);
    if (s.keys_in_flight) {
      // Another thread is fetching right now: its result is the refresh we wanted.
      s.changed.wait(lock, [&] { return !s.keys_in_flight; });
      if (s.keys) return s.keys;
      return s.keys_error;
    }
    const chat::time_ms t = now();
    const bool fresh = s.keys && t - s.keys_at < ms(options.keys_max_age);
    if (!force && fresh) return s.keys;
    if (force && s.keys && t - s.last_forced_refresh < ms(options.key_refresh_min_interval))
      return s.keys;  // rate-limited: the caller reports unknown_key
    if (force) s.last_forced_refresh = t;
    s.keys_in_flight = true;
    lock.unlock();
    result<key_set> fetched = guarded([&] { return fetch_jwks(s); });
    lock.lock();
    s.keys_in_flight = false;
    s.changed.notify_all();  // waiters re-check under the mutex, after the update below
    if (fetched) {
      if (fetched->skipped > 0)
        spdlog::debug("OIDC {}: {} unusable JWKS keys skipped", s.config->id, fetched->skipped);
      s.keys = std::make_shared<const key_set>(std::move(fetched).value());
      s.keys_at = t;
      s.keys_error = {};
      return s.keys;
    }
    s.keys_error = fetched.error();
    spdlog::warn("OIDC {}: JWKS fetch failed: {}", s.config->id, fetched.error().message());
    if (!force && s.keys) return s.keys;  // a stale key set beats none
    return fetched.error();
  }
};

relying_party::relying_party(provider_registry providers, std::shared_ptr<http_client> http,
                             relying_party_options options)
    : impl_(std::make_unique<impl>(std::move(providers), std::move(http), std::move(options))) {}

relying_party::~relying_party() = default;

const provider_registry& relying_party::providers() const {
  return impl_->providers;
}

std::uint64_t relying_party::jwks_fetch_count(const std::string& provider) const {
  auto* s = impl_->state(provider);
  return s ? s->jwks_fetches.load() : 0;
}

result<verified_identity> relying_party::verify_id_token(
    const std::string& provider, const std::string& id_token,
    const std::vector<std::string>& audiences, const std::optional<std::string>& expected_nonce) {
  provider_state* s = impl_->state(provider);
  if (!s) return status(errc::unknown_provider, "no OpenID provider \"" + provider + "\"");
  auto jws = detail::parse_jws(id_token, impl_->options.max_id_token_bytes);
  if (!jws) return jws.error();

  bool alg_mismatch = false;
  auto candidates = [&](const key_set& set) {
    std::vector<const detail::signing_key*> out;
    alg_mismatch = false;
    for (const auto& k : set.keys) {
      if (jws->kid && k.kid != *jws->kid) continue;
      if (k.family != jws->alg) {
        alg_mismatch = alg_mismatch || jws->kid.has_value();
        continue;
      }
      out.push_back(&k);
    }
    return out;
  };
  auto set = impl_->keys(*s, false);
  if (!set) return set.error();
  auto found = candidates(**set);
  if (found.empty() && !alg_mismatch) {
    set = impl_->keys(*s, true);  // an unknown kid: the provider may have rotated its keys
    if (!set) return set.error();
    found = candidates(**set);
  }
  if (found.empty()) {
    if (alg_mismatch)
      return status(
          errc::unsupported_algorithm,
          std::string("ID token alg ") + detail::to_string(jws->alg) + " does not match its key");
    return status(errc::unknown_key, "no key of the provider matches the ID token's kid");
  }
  bool verified = false;
  for (const auto* k : found)
    verified = verified ||
               detail::verify_signature(jws->alg, k->key.get(), jws->signing_input, jws->signature);
  if (!verified) return status(errc::bad_signature, "ID token signature does not verify");

  detail::claim_expectations expect;
  expect.provider = provider;
  expect.issuer = s->config->issuer;
  expect.issuer_aliases = s->config->issuer_aliases;
  expect.audiences = audiences;
  expect.nonce = expected_nonce;
  expect.require_verified_email = s->config->require_verified_email;
  expect.now = impl_->now();
  expect.skew = impl_->options.clock_skew;
  return detail::check_claims(jws->payload, expect);
}

result<login_start> relying_party::begin_login(const std::string& provider, login_purpose purpose,
                                               std::optional<chat::user_id> link_user,
                                               const std::string& login_hint,
                                               const std::string& client_address) {
  provider_state* s = impl_->state(provider);
  if (!s) return status(errc::unknown_provider, "no OpenID provider \"" + provider + "\"");
  if (purpose == login_purpose::link && !link_user)
    return status(errc::internal, "a link login needs the signed-in user");
  auto disc = impl_->discovery(*s);
  if (!disc) return disc.error();

  auto state = detail::random_token();
  auto nonce = detail::random_token();
  auto verifier = detail::random_token();  // 43 characters, the RFC 7636 minimum
  auto binding = detail::random_token();
  if (!state || !nonce || !verifier || !binding)
    return status(errc::internal, "the random generator failed");
  const provider_config& c = *s->config;
  std::string scope;
  for (const auto& sc : c.scopes) scope += (scope.empty() ? "" : " ") + sc;
  std::vector<std::pair<std::string, std::string>> params = {
      {"response_type", "code"},
      {"client_id", c.client_id},
      {"redirect_uri", c.redirect_uri},
      {"scope", scope},
      {"state", *state},
      {"nonce", *nonce},
      {"code_challenge", detail::base64url_encode(detail::sha256(*verifier))},
      {"code_challenge_method", "S256"}};
  if (!login_hint.empty()) params.emplace_back("login_hint", login_hint);
  for (const auto& [name, value] : c.authorization_params) params.emplace_back(name, value);

  login_start out;
  out.authorization_url =
      disc->authorization_endpoint +
      (disc->authorization_endpoint.find('?') == std::string::npos ? "?" : "&") +
      detail::form_encode(params);
  out.state = *state;
  out.browser_binding = *binding;
  const chat::time_ms t = impl_->now();
  out.expires_at = t + impl::ms(impl_->options.login_ttl);
  auto stored = impl_->logins.put(
      *state, pending_login{provider, purpose, link_user, *nonce, *verifier, *binding}, t,
      out.expires_at, client_address);
  if (!stored) return stored;
  return out;
}

result<completed_login> relying_party::complete_login(const callback_params& cb) {
  if (cb.state.empty()) return status(errc::invalid_state, "the callback has no state");
  auto [taken, pending] = impl_->logins.take(cb.state, impl_->now());
  if (taken == detail::take_status::replayed)
    return status(errc::replayed_state, "this login was completed already");
  if (taken != detail::take_status::ok || !pending)
    return status(errc::invalid_state, "unknown or expired login state");
  if (!detail::equal_secret(cb.browser_binding, pending->browser_binding))
    return status(errc::invalid_state, "this login was started in another browser");
  provider_state* s = impl_->state(pending->provider);
  if (!s) return status(errc::internal, "pending login of an unknown provider");
  const provider_config& c = *s->config;
  if (!cb.iss.empty() && cb.iss != c.issuer)  // RFC 9207: mix-up attack defense
    return status(errc::wrong_issuer, "the callback comes from another issuer");
  if (!cb.error.empty())
    return status(errc::login_denied, "the provider answered " + sanitize(cb.error));
  if (cb.code.empty()) return status(errc::bad_provider_response, "the callback has no code");

  auto disc = impl_->discovery(*s);
  if (!disc) return disc.error();
  std::vector<std::pair<std::string, std::string>> form = {
      {"grant_type", "authorization_code"},
      {"code", cb.code},
      {"redirect_uri", c.redirect_uri},
      {"code_verifier", pending->code_verifier}};
  http_request request{"POST", disc->token_endpoint, {}, {}};
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  if (c.token_endpoint_auth == client_auth_method::client_secret_basic) {
    // RFC 6749 2.3.1: both parts are form-encoded before base64.
    request.headers.emplace_back("Authorization",
                                 "Basic " + base64_standard(detail::url_encode(c.client_id) + ":" +
                                                            detail::url_encode(c.client_secret)));
  } else {
    form.emplace_back("client_id", c.client_id);
    form.emplace_back("client_secret", c.client_secret);
  }
  request.body = detail::form_encode(form);
  auto answer = impl_->http->send(request);
  if (!answer) return answer.error();
  auto doc = nlohmann::json::parse(answer->body, nullptr, false);
  const bool is_object = !doc.is_discarded() && doc.is_object();
  if (answer->status != 200) {
    if ((answer->status == 400 || answer->status == 401) && is_object && doc.contains("error") &&
        doc["error"].is_string())
      return status(errc::token_exchange_failed, "the token endpoint refused the code: " +
                                                     sanitize(doc["error"].get<std::string>()));
    return status(errc::bad_provider_response,
                  "token endpoint answered HTTP " + std::to_string(answer->status));
  }
  if (!is_object || !doc.contains("id_token") || !doc["id_token"].is_string())
    return status(errc::bad_provider_response, "token endpoint answer has no id_token");

  auto identity = verify_id_token(pending->provider, doc["id_token"].get<std::string>(),
                                  {c.client_id}, pending->nonce);
  if (!identity) return identity.error();
  completed_login out;
  out.identity = std::move(identity).value();
  out.purpose = pending->purpose;
  out.link_user = pending->link_user;
  return out;
}

result<std::string> relying_party::issue_native_nonce(const std::string& client_address) {
  auto nonce = detail::random_token();
  if (!nonce) return status(errc::internal, "the random generator failed");
  const chat::time_ms t = impl_->now();
  auto stored = impl_->native_nonces.put(
      *nonce, true, t, t + impl::ms(impl_->options.native_nonce_ttl), client_address);
  if (!stored) return stored;
  return *nonce;
}

result<verified_identity> relying_party::verify_native_id_token(const std::string& provider,
                                                                const std::string& id_token,
                                                                const std::string& nonce) {
  const provider_config* c = impl_->providers.find(provider);
  if (!c) return status(errc::unknown_provider, "no OpenID provider \"" + provider + "\"");
  std::vector<std::string> audiences = {c->client_id};
  audiences.insert(audiences.end(), c->native_client_ids.begin(), c->native_client_ids.end());
  if (nonce.empty()) return verify_id_token(provider, id_token, audiences, std::nullopt);
  auto taken = impl_->native_nonces.take(nonce, impl_->now()).first;
  if (taken == detail::take_status::replayed)
    return status(errc::replayed_nonce, "this nonce was used already");
  if (taken != detail::take_status::ok)
    return status(errc::nonce_mismatch, "unknown or expired nonce");
  return verify_id_token(provider, id_token, audiences, nonce);
}

}  // namespace chat::oidc
