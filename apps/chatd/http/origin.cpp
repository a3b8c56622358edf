// Origin matching and cookie parsing/formatting.
#include "http/origin.hpp"

#include <algorithm>

namespace chat::chatd::http {

bool origin_allowed(const std::string& origin, const std::string& host, bool tls,
                    const config& settings) {
  if (origin.empty()) return false;
  if (!settings.allowed_origins.empty()) {
    return std::find(settings.allowed_origins.begin(), settings.allowed_origins.end(), origin) !=
           settings.allowed_origins.end();
  }
  return !host.empty() && origin == std::string(tls ? "https://" : "http://") + host;
}

std::optional<std::string> session_cookie(const std::string& cookie_header) {
  return cookie_value(cookie_header, k_session_cookie);
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

std::string set_session_cookie(const std::string& token, long long max_age_s, bool tls) {
  return std::string(k_session_cookie) + "=" + token +
         "; Path=/; Max-Age=" + std::to_string(max_age_s) + "; HttpOnly; SameSite=Strict" +
         (tls ? "; Secure" : "");
}

std::string clear_session_cookie(bool tls) {
  return std::string(k_session_cookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
         (tls ? "; Secure" : "");
}

}  // namespace chat::chatd::http
