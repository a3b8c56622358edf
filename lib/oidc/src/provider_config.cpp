// Provider settings: validation rules, URL checks and the registry.
#include "oidc/provider_config.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <optional>

namespace chat::oidc {
namespace {

struct url_parts {
  std::string scheme, host;
  bool has_query_or_fragment = false;
};

std::optional<url_parts> split_url(const std::string& url) {
  struct curlu_free {
    void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
  };
  std::unique_ptr<CURLU, curlu_free> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  auto get = [&](CURLUPart part) -> std::optional<std::string> {
    char* value = nullptr;
    if (curl_url_get(u.get(), part, &value, 0) != CURLUE_OK) return std::nullopt;
    std::string out(value);
    curl_free(value);
    return out;
  };
  url_parts out;
  auto scheme = get(CURLUPART_SCHEME);
  auto host = get(CURLUPART_HOST);
  if (!scheme || !host || host->empty()) return std::nullopt;
  out.scheme = *scheme;
  out.host = *host;
  out.has_query_or_fragment = get(CURLUPART_QUERY) || get(CURLUPART_FRAGMENT);
  return out;
}

bool loopback_ip_literal(const std::string& host) {
  if (host == "[::1]") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) != 1) return false;
  return (ntohl(v4.s_addr) >> 24) == 127;
}

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

constexpr const char* k_reserved_params[] = {
    "response_type", "client_id",      "redirect_uri",          "scope",     "state",
    "nonce",         "code_challenge", "code_challenge_method", "login_hint"};

}  // namespace

bool is_loopback_http_url(const std::string& url) {
  auto parts = split_url(url);
  return parts && parts->scheme == "http" && loopback_ip_literal(parts->host);
}

bool is_allowed_url(const std::string& url, bool allow_loopback_http) {
  auto parts = split_url(url);
  if (!parts) return false;
  if (parts->scheme == "https") return true;
  return allow_loopback_http && parts->scheme == "http" && loopback_ip_literal(parts->host);
}

status validate(const provider_config& c) {
  auto bad = [&](const std::string& what) {
    return status(errc::invalid_config, "provider \"" + c.id + "\": " + what);
  };
  if (!valid_id(c.id)) return bad("id must be 1 to 32 of a-z 0-9 _ -");
  if (c.display_name.empty() || c.display_name.size() > 64)
    return bad("display_name must be 1 to 64 bytes");
  auto issuer = split_url(c.issuer);
  if (!issuer || issuer->has_query_or_fragment)
    return bad("issuer must be an absolute URL without query or fragment");
  if (!is_allowed_url(c.issuer, c.allow_insecure_loopback_http_for_tests)) {
    if (c.allow_insecure_loopback_http_for_tests)
      return bad(
          "allow_insecure_loopback_http_for_tests covers only http://127.x.x.x and "
          "http://[::1]; this issuer must use https");
    return bad("issuer must use https");
  }
  for (const auto& alias : c.issuer_aliases)
    if (alias.empty() || alias == c.issuer) return bad("issuer_aliases holds \"\" or the issuer");
  if (c.client_id.empty()) return bad("client_id is empty");
  if (c.client_secret.empty()) return bad("client_secret is empty");
  if (std::find(c.scopes.begin(), c.scopes.end(), "openid") == c.scopes.end())
    return bad("scopes must include openid");
  for (const auto& s : c.scopes)
    if (s.empty() || s.find_first_of(" \t\r\n\"\\") != std::string::npos)
      return bad("scope \"" + s + "\" is not a single token");
  auto redirect = split_url(c.redirect_uri);
  if (!redirect || redirect->has_query_or_fragment ||
      !(redirect->scheme == "https" ||
        (redirect->scheme == "http" &&
         (redirect->host == "localhost" || loopback_ip_literal(redirect->host)))))
    return bad("redirect_uri must be an https URL (http only on localhost)");
  for (const auto& [name, value] : c.authorization_params) {
    if (std::find(std::begin(k_reserved_params), std::end(k_reserved_params), name) !=
        std::end(k_reserved_params))
      return bad("authorization_params may not set " + name);
    if (name.empty()) return bad("authorization_params has an empty name");
  }
  return {};
}

status provider_registry::add(provider_config config) {
  if (auto s = validate(config); !s) return s;
  if (find(config.id)) return {errc::invalid_config, "provider id " + config.id + " is taken"};
  if (find_by_issuer(config.issuer))
    return {errc::invalid_config, "issuer " + config.issuer + " is configured twice"};
  if (config.allow_insecure_loopback_http_for_tests)
    spdlog::warn(
        "OIDC provider \"{}\": allow_insecure_loopback_http_for_tests is ON. Plain http to "
        "loopback is accepted for this provider. This setting exists for tests only; never "
        "use it in production.",
        config.id);
  providers_.push_back(std::move(config));
  return {};
}

const provider_config* provider_registry::find(const std::string& id) const {
  for (const auto& p : providers_)
    if (p.id == id) return &p;
  return nullptr;
}

const provider_config* provider_registry::find_by_issuer(const std::string& issuer) const {
  for (const auto& p : providers_)
    if (p.issuer == issuer) return &p;
  return nullptr;
}

}  // namespace chat::oidc
