// chatd's cookies over chat_oidc's cookie parser and Set-Cookie builder.
#include "http/cookies.hpp"

namespace chat::chatd::http {

bool secure_cookies(bool tls, const config& settings) {
  return tls || settings.public_https();
}

bool secure_cookies(const request& req, const config& settings) {
  return secure_cookies(req.tls, settings);
}

std::optional<std::string> session_cookie(const std::string& cookie_header, bool secure) {
  return cookie_value(cookie_header, secure ? k_secure_session_cookie : k_session_cookie);
}

std::string set_session_cookie(const std::string& token, long long max_age_s, bool secure) {
  return oidc::set_cookie(secure ? k_secure_session_cookie : k_session_cookie, token, "/",
                          max_age_s, oidc::same_site::strict, secure);
}

std::string clear_session_cookie(bool secure) {
  return set_session_cookie("", 0, secure);
}

std::string signup_ticket(const request& req, const config& settings) {
  const bool secure = secure_cookies(req, settings);
  return cookie_value(req.header("cookie"), secure ? k_secure_signup_cookie : k_signup_cookie)
      .value_or("");
}

std::string set_signup_cookie(const std::string& ticket, long long max_age_s, bool secure) {
  return oidc::set_cookie(secure ? k_secure_signup_cookie : k_signup_cookie, ticket, "/", max_age_s,
                          oidc::same_site::lax, secure);
}

std::string clear_signup_cookie(bool secure) {
  return set_signup_cookie("", 0, secure);
}

}  // namespace chat::chatd::http
