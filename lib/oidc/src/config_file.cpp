// The JSON configuration file of chatd's OpenID Connect providers.
#include "oidc/config_file.hpp"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

namespace chat::oidc {
namespace {

using json = nlohmann::json;

status bad(const std::string& where, const std::string& what) {
  return {errc::invalid_config, where + ": " + what};
}

status only_keys(const json& object, const std::set<std::string>& allowed,
                 const std::string& where) {
  for (const auto& item : object.items())
    if (!allowed.count(item.key())) return bad(where, "unknown key \"" + item.key() + "\"");
  return {};
}

template <typename T>
status read(const json& object, const char* key, T& out, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    return bad(where, std::string("\"") + key + "\" has the wrong type");
  }
  return {};
}

status read_seconds(const json& object, const char* key, std::chrono::seconds& out,
                    std::int64_t min, std::int64_t max, const std::string& where) {
  std::int64_t value = out.count();
  if (auto s = read(object, key, value, where); !s) return s;
  if (value < min || value > max)
    return bad(where, std::string("\"") + key + "\" must be " + std::to_string(min) + ".." +
                          std::to_string(max));
  out = std::chrono::seconds(value);
  return {};
}

result<provider_config> parse_provider(const json& p, std::size_t index) {
  std::string where = "providers[" + std::to_string(index) + "]";
  if (!p.is_object()) return bad(where, "must be an object");
  if (auto s = only_keys(p,
                         {"id", "display_name", "issuer", "issuer_aliases", "client_id",
                          "client_secret", "client_secret_env", "scopes", "redirect_uri",
                          "require_verified_email", "token_endpoint_auth", "native_client_ids",
                          "authorization_params", "allow_insecure_loopback_http_for_tests"},
                         where);
      !s)
    return s;
  provider_config c;
  std::string auth = "client_secret_post", secret_env;
  for (auto s :
       {read(p, "id", c.id, where), read(p, "display_name", c.display_name, where),
        read(p, "issuer", c.issuer, where), read(p, "issuer_aliases", c.issuer_aliases, where),
        read(p, "client_id", c.client_id, where), read(p, "client_secret", c.client_secret, where),
        read(p, "client_secret_env", secret_env, where), read(p, "scopes", c.scopes, where),
        read(p, "redirect_uri", c.redirect_uri, where),
        read(p, "require_verified_email", c.require_verified_email, where),
        read(p, "token_endpoint_auth", auth, where),
        read(p, "native_client_ids", c.native_client_ids, where),
        read(p, "authorization_params", c.authorization_params, where),
        read(p, "allow_insecure_loopback_http_for_tests", c.allow_insecure_loopback_http_for_tests,
             where)})
    if (!s) return s;
  if (!c.id.empty()) where += " (" + c.id + ")";
  if (!secret_env.empty()) {
    if (!c.client_secret.empty())
      return bad(where, "give client_secret or client_secret_env, not both");
    const char* value = std::getenv(secret_env.c_str());
    if (!value || !*value) return bad(where, "environment variable " + secret_env + " is empty");
    c.client_secret = value;
  }
  if (auth == "client_secret_post")
    c.token_endpoint_auth = client_auth_method::client_secret_post;
  else if (auth == "client_secret_basic")
    c.token_endpoint_auth = client_auth_method::client_secret_basic;
  else
    return bad(where, "token_endpoint_auth must be client_secret_post or client_secret_basic");
  if (c.display_name.empty()) c.display_name = c.id;
  if (auto s = validate(c); !s) return s;
  return c;
}

}  // namespace

result<config_file> parse_config(const std::string& json_text) {
  auto doc = json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return status(errc::invalid_config, "the OIDC configuration is not a JSON object");
  const std::string top = "OIDC configuration";
  if (auto s = only_keys(doc,
                         {"providers", "http", "clock_skew_seconds", "login_ttl_seconds",
                          "signup_ticket_ttl_seconds", "key_refresh_min_interval_seconds",
                          "keys_max_age_seconds", "max_pending", "max_pending_per_address"},
                         top);
      !s)
    return s;
  config_file out;
  auto& rp = out.relying_party;
  for (auto s :
       {read_seconds(doc, "clock_skew_seconds", rp.clock_skew, 0, 300, top),
        read_seconds(doc, "login_ttl_seconds", rp.login_ttl, 30, 3600, top),
        read_seconds(doc, "signup_ticket_ttl_seconds", out.signup_ticket_ttl, 30, 86400, top),
        read_seconds(doc, "key_refresh_min_interval_seconds", rp.key_refresh_min_interval, 0, 3600,
                     top),
        read_seconds(doc, "keys_max_age_seconds", rp.keys_max_age, 60, 7 * 86400, top)})
    if (!s) return s;
  // Pending logins, native nonces and sign-up tickets: one pair of limits for all three.
  for (auto [key, field] : {std::pair{"max_pending", &out.max_pending},
                            std::pair{"max_pending_per_address", &out.max_pending_per_address}}) {
    std::int64_t value = static_cast<std::int64_t>(*field);
    if (auto s = read(doc, key, value, top); !s) return s;
    if (value < 1 || value > 1000000)
      return bad(top, std::string("\"") + key + "\" must be 1..1000000");
    *field = static_cast<std::size_t>(value);
  }
  rp.max_pending_logins = rp.max_native_nonces = out.max_pending;
  rp.max_pending_logins_per_address = rp.max_native_nonces_per_address =
      out.max_pending_per_address;

  if (auto http = doc.find("http"); http != doc.end()) {
    if (!http->is_object()) return bad(top, "\"http\" must be an object");
    if (auto s = only_keys(*http,
                           {"ca_file", "connect_timeout_ms", "timeout_ms", "max_response_bytes",
                            "allow_insecure_loopback_http_for_tests"},
                           "http");
        !s)
      return s;
    std::int64_t connect_ms = out.http.connect_timeout.count();
    std::int64_t total_ms = out.http.total_timeout.count();
    std::size_t max_bytes = out.http.max_response_bytes;
    for (auto s : {read(*http, "ca_file", out.http.ca_file, "http"),
                   read(*http, "connect_timeout_ms", connect_ms, "http"),
                   read(*http, "timeout_ms", total_ms, "http"),
                   read(*http, "max_response_bytes", max_bytes, "http"),
                   read(*http, "allow_insecure_loopback_http_for_tests",
                        out.http.allow_insecure_loopback_http_for_tests, "http")})
      if (!s) return s;
    if (connect_ms < 100 || total_ms < 100 || connect_ms > 120000 || total_ms > 120000)
      return bad("http", "timeouts must be 100..120000 ms");
    if (max_bytes < 1024 || max_bytes > 64 * 1024 * 1024)
      return bad("http", "max_response_bytes must be 1 KiB..64 MiB");
    out.http.connect_timeout = std::chrono::milliseconds(connect_ms);
    out.http.total_timeout = std::chrono::milliseconds(total_ms);
    out.http.max_response_bytes = max_bytes;
  }

  auto providers = doc.find("providers");
  if (providers == doc.end() || !providers->is_array())
    return bad(top, "\"providers\" must be an array");
  provider_registry check;  // catches duplicate ids and issuers
  for (std::size_t i = 0; i < providers->size(); ++i) {
    auto p = parse_provider((*providers)[i], i);
    if (!p) return p.error();
    if (auto s = check.add(*p); !s) return s;
    out.providers.push_back(std::move(p).value());
  }
  return out;
}

result<config_file> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return status(errc::invalid_config, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str());
}

}  // namespace chat::oidc
