// Helpers for the HTTP layer that mounts chat_oidc: callback parsing, cookies, the
// browser-binding cookie and the HTTP status of each error. Framework-independent (plain
// strings). chatd's HTTP layer uses the cookie and status helpers for its own answers too, so
// each rule exists once.
#pragma once

#include <optional>
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
// The HTTP status of an engine error code (docs/protocol.md, "Errors"): invalid_argument 400,
// unauthenticated 401, forbidden 403, not_found 404, conflict 409, rate_limited 429,
// unavailable 503, anything else 500. The one such mapping: chatd's engine errors use it too.
int http_status(chat::errc code) noexcept;

// The (non-empty) value of cookie `name` in a Cookie header: the first occurrence that has a
// value. nullopt if there is none.
std::optional<std::string> cookie_value(const std::string& cookie_header, const std::string& name);

// A Set-Cookie value "NAME=VALUE; Path=PATH; Max-Age=N; HttpOnly; SameSite=Lax|Strict" plus
// "; Secure" when `secure`. A negative max_age_s counts as 0 (the browser drops the cookie).
enum class same_site { lax, strict };
std::string set_cookie(const std::string& name, const std::string& value, const std::string& path,
                       long long max_age_s, same_site site, bool secure);

// One query parameter of `query`, percent-decoded ("" if absent).
std::string query_param(const std::string& query, const std::string& name);

}  // namespace chat::oidc
