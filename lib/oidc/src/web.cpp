// Callback parsing, cookies and HTTP statuses for the HTTP layer.
#include "oidc/web.hpp"

#include <algorithm>

namespace chat::oidc {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
               hex(text[i + 2]) >= 0) {
      out += char(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

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

std::string set_cookie(const std::string& name, const std::string& value, const std::string& path,
                       long long max_age_s, same_site site, bool secure) {
  return name + "=" + value + "; Path=" + path +
         "; Max-Age=" + std::to_string(std::max(0LL, max_age_s)) +
         "; HttpOnly; SameSite=" + (site == same_site::strict ? "Strict" : "Lax") +
         (secure ? "; Secure" : "");
}

std::string query_param(const std::string& query, const std::string& name) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    auto end = query.find('&', pos);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(pos, end - pos);
    const auto eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) == name)
      return eq == std::string::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    pos = end + 1;
  }
  return {};
}

callback_params parse_callback(const std::string& query, const std::string& cookie_header) {
  callback_params cb;
  cb.state = query_param(query, "state");
  cb.code = query_param(query, "code");
  cb.error = query_param(query, "error");
  cb.error_description = query_param(query, "error_description");
  cb.iss = query_param(query, "iss");
  cb.browser_binding = cookie_value(cookie_header, k_binding_cookie).value_or("");
  return cb;
}

std::string binding_cookie(const login_start& start, chat::time_ms now, bool tls) {
  return set_cookie(k_binding_cookie, start.browser_binding, k_cookie_path,
                    (start.expires_at - now) / 1000, same_site::lax, tls);
}

std::string clear_binding_cookie(bool tls) {
  return set_cookie(k_binding_cookie, "", k_cookie_path, 0, same_site::lax, tls);
}

int http_status(chat::errc code) noexcept {
  switch (code) {
    case chat::errc::invalid_argument:
      return 400;
    case chat::errc::unauthenticated:
      return 401;
    case chat::errc::forbidden:
      return 403;
    case chat::errc::not_found:
      return 404;
    case chat::errc::conflict:
      return 409;
    case chat::errc::rate_limited:
      return 429;
    case chat::errc::unavailable:
      return 503;
    case chat::errc::ok:
    case chat::errc::internal:
      return 500;
  }
  return 500;
}

int http_status(const status& failure) {
  switch (failure.code()) {
    case errc::ok:
      return 200;
    case errc::unknown_provider:
      return 404;
    case errc::invalid_state:
    case errc::replayed_state:
    case errc::login_denied:
    case errc::invalid_ticket:
      return 400;
    case errc::malformed_token:
    case errc::unsupported_algorithm:
    case errc::unknown_key:
    case errc::bad_signature:
    case errc::wrong_issuer:
    case errc::wrong_audience:
    case errc::token_expired:
    case errc::token_not_yet_valid:
    case errc::nonce_mismatch:
    case errc::replayed_nonce:
      return 401;
    case errc::email_not_verified:
      return 403;
    case errc::rate_limited:
      return 429;
    case errc::unavailable:
      return 503;
    case errc::token_exchange_failed:
    case errc::provider_unreachable:
    case errc::bad_provider_response:
      return 502;
    case errc::account:
      return http_status(failure.engine_code());
    case errc::invalid_config:
    case errc::internal:
      return 500;
  }
  return 500;
}

}  // namespace chat::oidc
