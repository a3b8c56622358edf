// Bearer tokens, session cookies and sign-in answers.
#include "http/auth.hpp"

#include "chat/wire.hpp"
#include "http/cookies.hpp"

namespace chat::chatd::http {

std::optional<std::string> session_token(const request& req, const config& settings) {
  const std::string auth = req.header("authorization");
  const std::string bearer = "Bearer ";
  if (auth.compare(0, bearer.size(), bearer) == 0 && auth.size() > bearer.size())
    return auth.substr(bearer.size());
  return session_cookie(req.header("cookie"), secure_cookies(req, settings));
}

std::variant<chat::session_info, response> signed_in(const request& req, chat::engine& engine,
                                                     const config& settings) {
  auto token = session_token(req, settings);
  if (!token) return error_response(chat::status(chat::errc::unauthenticated, "no session"));
  auto session = engine.authenticate_session(*token);
  if (!session.ok()) return error_response(session.error());
  return std::move(session).value();
}

bool from_browser(const request& req) {
  return !req.header("origin").empty();
}

response session_response(int status, const chat::session_grant& grant, const request& req,
                          const config& settings) {
  response r = json_response(status, chat::wire::to_json(grant, !from_browser(req)));
  r.headers.emplace_back("Set-Cookie",
                         set_session_cookie(grant.token, settings.session_cookie_max_age().count(),
                                            secure_cookies(req, settings)));
  return r;
}

}  // namespace chat::chatd::http
