// Browser origin checks and the session cookie, shared by the HTTP API and the WebSocket handshake.
#pragma once

#include <optional>
#include <string>

#include "config/config.hpp"

namespace chat::chatd::http {

inline constexpr const char* k_session_cookie = "chat_session";

// True if a browser page of `origin` may use the session cookie: it is in --allowed-origins,
// or (that list empty) it is the server's own origin, scheme + Host header.
bool origin_allowed(const std::string& origin, const std::string& host, bool tls,
                    const config& settings);
// The (non-empty) value of cookie `name` in a Cookie header, if any.
std::optional<std::string> cookie_value(const std::string& cookie_header, const std::string& name);
// The session token in a Cookie header, if any.
std::optional<std::string> session_cookie(const std::string& cookie_header);
// Set-Cookie values that set or clear the session cookie (HttpOnly, SameSite=Strict).
std::string set_session_cookie(const std::string& token, long long max_age_s, bool tls);
std::string clear_session_cookie(bool tls);

}  // namespace chat::chatd::http
