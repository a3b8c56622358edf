// Who is calling: the session token of an HTTP request (bearer or cookie), its session, and the
// answer to a sign-in. Shared by the account API (router) and the OpenID Connect endpoints.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "chat/engine.hpp"
#include "config/config.hpp"
#include "http/message.hpp"

namespace chat::chatd::http {

// The caller's token: "Authorization: Bearer TOKEN" (native clients), else the session cookie
// (browsers, docs/security.md); nullopt if neither.
std::optional<std::string> session_token(const request& req, const config& settings);

// The caller's session (engine::authenticate_session, which slides its expiry), or the error
// answer: 401 unauthenticated "no session" without a token, else the engine's refusal.
std::variant<chat::session_info, response> signed_in(const request& req, chat::engine& engine,
                                                     const config& settings);

// A browser's request: it carries an Origin header, which browsers add to every POST and
// native clients do not send. Browsers get sessions only as the HttpOnly cookie.
bool from_browser(const request& req);

// The answer to a sign-in: wire::to_json(grant), without "token" for a browser (script on the
// page never sees it), and the session cookie.
response session_response(int status, const chat::session_grant& grant, const request& req,
                          const config& settings);

}  // namespace chat::chatd::http
