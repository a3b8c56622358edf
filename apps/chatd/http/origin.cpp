// Host and Origin matching and cookie parsing/formatting.
#include "http/origin.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "chat/wire.hpp"
#include "protocol/frames.hpp"

namespace chat::chatd::http {
namespace {

// A name a DNS-rebinding page cannot have: such a page's origin is a DNS name its author
// controls, so IP literals and localhost (which browsers resolve to loopback) are safe.
bool is_ip_or_localhost(const std::string& host) {
  if (host == "localhost") return true;
  unsigned char buf[16];
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), buf) == 1;
  return inet_pton(AF_INET, host.c_str(), buf) == 1;
}

}  // namespace

bool host_allowed(const std::string& host, const config& settings) {
  if (host.empty()) return true;
  auto a = parse_authority(host, settings.public_https() ? 443 : 80);
  if (!a) return false;
  if (!settings.public_url.empty() && a->host == settings.public_host &&
      a->port == settings.public_port)
    return true;
  if (is_ip_or_localhost(a->host)) return true;
  auto listen = parse_authority(settings.listen_host, 0);
  return listen && a->host == listen->host;
}

bool origin_allowed(const std::string& origin, const std::string& host, bool tls,
                    const config& settings) {
  if (origin.empty()) return false;
  if (std::find(settings.allowed_origins.begin(), settings.allowed_origins.end(), origin) !=
      settings.allowed_origins.end())
    return true;
  if (!settings.public_url.empty() && origin == settings.public_url) return true;
  if (!settings.allowed_origins.empty() || host.empty() || !host_allowed(host, settings))
    return false;
  // With a public URL, its host is reached only as that URL (the scheme seen here may be the
  // proxy's plain http); scheme + Host still serves direct access by IP or localhost.
  if (!settings.public_url.empty()) {
    auto a = parse_authority(host, 0);
    if (!a || !is_ip_or_localhost(a->host)) return false;
  }
  return origin == std::string(tls ? "https://" : "http://") + host;
}

handshake_origin judge_handshake_origin(const std::string& origin, const std::string& host,
                                        bool tls, const config& settings) {
  if (origin.empty()) return handshake_origin::native;
  return origin_allowed(origin, host, tls, settings) ? handshake_origin::browser
                                                     : handshake_origin::refused;
}

bool secure_cookies(bool tls, const config& settings) {
  return tls || settings.public_https();
}

std::optional<std::string> session_cookie(const std::string& cookie_header, bool secure) {
  return cookie_value(cookie_header, secure ? k_secure_session_cookie : k_session_cookie);
}

std::optional<std::string> cookie_value(const std::string& cookie_header, const std::string& name) {
  const std::string key = name + "=";
  std::size_t pos = 0;
  while (pos < cookie_header.size()) {
    while (pos < cookie_header.size() && (cookie_header[pos] == ' ' || cookie_header[pos] == ';'))
      ++pos;
    std::size_t end = cookie_header.find(';', pos);
    if (end == std::string::npos) end = cookie_header.size();
    if (cookie_header.compare(pos, key.size(), key) == 0) {
      std::string value = cookie_header.substr(pos + key.size(), end - pos - key.size());
      if (!value.empty()) return value;
    }
    pos = end;
  }
  return std::nullopt;
}

std::string set_session_cookie(const std::string& token, long long max_age_s, bool secure) {
  return std::string(secure ? k_secure_session_cookie : k_session_cookie) + "=" + token +
         "; Path=/; Max-Age=" + std::to_string(std::max(0LL, max_age_s)) +
         "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

std::string clear_session_cookie(bool secure) {
  return set_session_cookie("", 0, secure);
}

bool from_browser(const request& req) {
  return !req.header("origin").empty();
}

response session_response(int status, const chat::session_grant& grant, const request& req,
                          const config& settings) {
  std::string body = "{";
  if (!from_browser(req)) body += R"("token":)" + json_string(grant.token) + ",";
  body += R"("expires_at":)" + std::to_string(grant.expires_at) + R"(,"user":)" +
          chat::wire::to_json(grant.account) + "}";
  response r = json_response(status, std::move(body));
  const auto max_age = std::min(settings.session_ttl, settings.session_max_lifetime);
  r.headers.emplace_back("Set-Cookie", set_session_cookie(grant.token, max_age.count(),
                                                          secure_cookies(req.tls, settings)));
  return r;
}

}  // namespace chat::chatd::http
