// Helpers for the HTTP layer that mounts chat_oidc: callback parsing, the browser-binding
// cookie and the HTTP status of each error. Framework-independent (plain strings).
#pragma once

#include <string>

#include "oidc/error.hpp"
#include "oidc/relying_party.hpp"

namespace chat::oidc {

inline constexpr const char* k_binding_cookie = "chat_oidc_binding";
inline constexpr const char* k_cookie_path = "/v1/auth/oidc/";

// The callback's query string ("code=...&state=...", without '?', percent-decoded here) and
// the request's Cookie header (the browser binding is taken from it).
callback_params parse_callback(const std::string& query, const std::string& cookie_header);

// Set-Cookie values for the browser binding of a started login: HttpOnly, SameSite=Lax (the
// callback is a cross-site navigation), Path=/v1/auth/oidc/, Secure when `tls`, expiring with
// the login. Clear it in the callback's response.
std::string binding_cookie(const login_start& start, chat::time_ms now, bool tls);
std::string clear_binding_cookie(bool tls);

// The HTTP status chatd answers with for a failed call (docs/auth.md, "Errors").
int http_status(const status& failure);

// One query parameter of `query`, percent-decoded ("" if absent).
std::string query_param(const std::string& query, const std::string& name);

}  // namespace chat::oidc
