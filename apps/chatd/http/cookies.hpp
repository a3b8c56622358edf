// chatd's cookies: which are Secure, the session cookie and the OpenID Connect sign-up ticket
// cookie (docs/security.md, "Host, Origin and cookies"). Parsing and Set-Cookie values come
// from chat_oidc's web helpers (oidc/web.hpp), the one place for both, which the OIDC binding
// cookie uses as well.
#pragma once

#include <optional>
#include <string>

#include "config/config.hpp"
#include "http/message.hpp"
#include "oidc/web.hpp"

namespace chat::chatd::http {

using chat::oidc::cookie_value;

// The session cookie's name: `__Host-chat_session` when cookies are Secure (the prefix makes
// the browser refuse it without Secure, with a Domain or with a Path other than /), else
// `chat_session` (plain-http development on localhost).
inline constexpr const char* k_session_cookie = "chat_session";
inline constexpr const char* k_secure_session_cookie = "__Host-chat_session";
// The sign-up ticket of a first-time browser sign-in, for GET and POST /v1/auth/oidc/signup:
// the only place a browser's ticket ever travels (never a URL). __Host- when cookies are Secure,
// so a sibling subdomain cannot plant one.
inline constexpr const char* k_signup_cookie = "chat_oidc_signup";
inline constexpr const char* k_secure_signup_cookie = "__Host-chat_oidc_signup";

// Cookies carry Secure (and the __Host- prefix) on a TLS connection or when --public-url is
// https (TLS ends at a proxy in front of chatd).
bool secure_cookies(bool tls, const config& settings);
bool secure_cookies(const request& req, const config& settings);

// The session token in a Cookie header (only the cookie name in use, see above), if any.
std::optional<std::string> session_cookie(const std::string& cookie_header, bool secure);
// Set-Cookie values that set or clear the session cookie (HttpOnly, SameSite=Strict, Path=/).
std::string set_session_cookie(const std::string& token, long long max_age_s, bool secure);
std::string clear_session_cookie(bool secure);

// The sign-up ticket of the request's cookie ("" if none), and the Set-Cookie values that set
// or clear it (HttpOnly, SameSite=Lax: it is set on the provider's redirect back, Path=/).
std::string signup_ticket(const request& req, const config& settings);
std::string set_signup_cookie(const std::string& ticket, long long max_age_s, bool secure);
std::string clear_signup_cookie(bool secure);

}  // namespace chat::chatd::http
