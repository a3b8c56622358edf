// Host and Origin matching.
#include "http/origin.hpp"

#include <arpa/inet.h>

#include <algorithm>

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

}  // namespace chat::chatd::http
