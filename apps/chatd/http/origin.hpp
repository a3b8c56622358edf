// Host and Origin checks and the session cookie, shared by the HTTP API and the WebSocket
// handshake (docs/security.md, "Host, Origin and cookies").
#pragma once

#include <optional>
#include <string>

#include "chat/types.hpp"
#include "config/config.hpp"
#include "http/message.hpp"

namespace chat::chatd::http {

// The session cookie's name: `__Host-chat_session` when cookies are Secure (the prefix makes
// the browser refuse it without Secure, with a Domain or with a Path other than /), else
// `chat_session` (plain-http development on localhost).
inline constexpr const char* k_session_cookie = "chat_session";
inline constexpr const char* k_secure_session_cookie = "__Host-chat_session";

// True if a request may be served under this Host header (DNS rebinding defence): an IP
// address, localhost, the --listen host or the --public-url host and port. An absent Host
// (not a browser) passes.
bool host_allowed(const std::string& host, const config& settings);
// True if a browser page of `origin` may use the session cookie: it is in --allowed-origins,
// it is the --public-url, or (--allowed-origins empty) it is scheme + Host of this request and
// that Host passes host_allowed() (with a --public-url: only an IP address or localhost).
bool origin_allowed(const std::string& origin, const std::string& host, bool tls,
                    const config& settings);
// What a WebSocket handshake is, by its Origin header (docs/protocol.md, "Authentication"):
// without Origin a native client (accepted; a cookie it sends is not read: it sends `auth`),
// with an allowed one a browser (its session cookie authenticates it), with any other refused
// (403 forbidden).
enum class handshake_origin { native, browser, refused };
handshake_origin judge_handshake_origin(const std::string& origin, const std::string& host,
                                        bool tls, const config& settings);
// Cookies carry Secure (and the session cookie the __Host- prefix) on a TLS connection or
// when --public-url is https (TLS ends at a proxy in front of chatd).
bool secure_cookies(bool tls, const config& settings);
// The (non-empty) value of cookie `name` in a Cookie header, if any.
std::optional<std::string> cookie_value(const std::string& cookie_header, const std::string& name);
// The session token in a Cookie header (only the cookie name in use, see above), if any.
std::optional<std::string> session_cookie(const std::string& cookie_header, bool secure);
// Set-Cookie values that set or clear the session cookie (HttpOnly, SameSite=Strict, Path=/).
std::string set_session_cookie(const std::string& token, long long max_age_s, bool secure);
std::string clear_session_cookie(bool secure);

// A browser's request: it carries an Origin header, which browsers add to every POST and
// native clients do not send. Browsers get sessions only as the HttpOnly cookie.
bool from_browser(const request& req);
// The answer to a sign-in: {"expires_at","user"} plus "token" for native clients (not for a
// browser: script on the page never sees it), and the session cookie.
response session_response(int status, const chat::session_grant& grant, const request& req,
                          const config& settings);

}  // namespace chat::chatd::http
