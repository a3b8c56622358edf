// Routes of the HTTP API (docs/protocol.md, "HTTP API").
#include "http/router.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "chat/wire.hpp"
#include "http/auth.hpp"
#include "http/json_body.hpp"
#include "http/origin.hpp"
#include "http/static_files.hpp"
#include "logging/logging.hpp"

namespace chat::chatd::http {
namespace {

using json = nlohmann::json;

response method_not_allowed(const std::string& allowed) {
  return error_response(error_code::method_not_allowed, "use " + allowed);
}

response not_found(const std::string& message) {
  return error_response(chat::status(chat::errc::not_found, message));
}

}  // namespace

response router::handle(const request& req) const {
  counters_.http_requests.fetch_add(1, std::memory_order_relaxed);
  const bool get = req.method == "GET" || req.method == "HEAD";
  // DNS rebinding: a page of a name its author points at this server must not reach it.
  if (!host_allowed(req.header("host"), settings_)) {
    return error_response(
        error_code::host_not_allowed,
        "this Host is not served here (chatd --public-url names the one that is)");
  }
  if (req.path == "/healthz") {
    if (!get) return method_not_allowed("GET");
    return json_response(200, R"({"status":"ok"})");
  }
  if (req.path == "/readyz") {
    if (!get) return method_not_allowed("GET");
    return readyz();
  }
  if (req.path == "/metrics") {
    if (!get) return method_not_allowed("GET");
    response r;
    r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    r.body = counters_.render(engine_.stats());
    return r;
  }
  if (req.path == "/v1" || req.path.compare(0, 4, "/v1/") == 0) return api(req);
  if (!get) return method_not_allowed("GET");
  if (req.path == "/docs" || req.path.compare(0, 6, "/docs/") == 0) {
    return serve_file(CHATD_DOCS_DIR, req.path == "/docs" ? "/" : req.path.substr(5),
                      req.method == "HEAD");
  }
  return serve_file(settings_.web_root, req.path, req.method == "HEAD");
}

router::lane router::lane_of(const request& req) {
  if (req.path == "/v1/login" || req.path == "/v1/register")
    return req.method == "POST" ? lane::password : lane::inline_io;  // else a 405
  if (req.path == "/v1" || req.path.compare(0, 4, "/v1/") == 0) return lane::database;
  return lane::inline_io;
}

response router::api(const request& req) const {
  struct route {
    const char* path;
    const char* method;
    response (router::*fn)(const request&) const;
  };
  static const route routes[] = {
      {"/v1/register", "POST", &router::register_user},
      {"/v1/login", "POST", &router::login},
      {"/v1/me", "GET", &router::me},
      {"/v1/me/username", "POST", &router::change_username},
  };
  // A cross-site page cannot drive the API with the visitor's cookie: a browser sends Origin
  // on every cross-origin POST, and only allowed origins pass.
  const std::string origin = req.header("origin");
  if (req.method != "GET" && !origin.empty() &&
      !origin_allowed(origin, req.header("host"), req.tls, settings_)) {
    return error_response(chat::status(chat::errc::forbidden, "origin not allowed"));
  }
  if (oidc_routes::serves(req.path)) {
    if (!oidc_) return not_found("OpenID Connect is not configured");
    return oidc_->handle(req);
  }
  if (req.path == "/v1/logout" || req.path == "/v1/logout-everywhere") {
    if (req.method != "POST") return method_not_allowed("POST");
    return logout(req, req.path == "/v1/logout-everywhere");
  }
  for (const auto& r : routes) {
    if (req.path != r.path) continue;
    if (req.method != r.method && !(req.method == "HEAD" && std::string(r.method) == "GET")) {
      return method_not_allowed(r.method);
    }
    return (this->*r.fn)(req);
  }
  if (req.path == "/v1/ws") {
    return error_response(error_code::bad_request, "this endpoint needs a WebSocket upgrade");
  }
  return not_found("no such endpoint");
}

response router::register_user(const request& req) const {
  auto body = json_body(req);
  if (auto* err = std::get_if<response>(&body)) return *err;
  const json& b = std::get<json>(body);
  chat::new_account account;
  auto username = string_field(b, "username");
  auto password = string_field(b, "password");
  if (!username || !password) {
    return error_response(error_code::bad_request, "username and password (strings) are required");
  }
  account.username = *username;
  account.password = *password;
  account.email = string_field(b, "email");
  account.phone = string_field(b, "phone");
  auto user = engine_.register_user(account);
  if (!user.ok()) return error_response(user.error());
  spdlog::info("event=http.register user={} remote={}", user->id, log_value(req.remote));
  return json_response(201, R"({"user":)" + chat::wire::to_json(*user) + "}");
}

response router::login(const request& req) const {
  auto body = json_body(req);
  if (auto* err = std::get_if<response>(&body)) return *err;
  const json& b = std::get<json>(body);
  auto username = string_field(b, "username");
  auto password = string_field(b, "password");
  if (!username || !password) {
    return error_response(error_code::bad_request, "username and password (strings) are required");
  }
  auto grant = engine_.login(*username, *password, req.client);
  if (!grant.ok()) {
    spdlog::info("event=http.login_failed remote={}", log_value(req.remote));
    return error_response(grant.error());
  }
  spdlog::info("event=http.login user={} remote={}", grant->account.id, log_value(req.remote));
  return session_response(200, *grant, req, settings_);
}

response router::logout(const request& req, bool everywhere) const {
  auto me = signed_in(req, engine_, settings_);
  if (auto* refused = std::get_if<response>(&me)) return *refused;
  const chat::user& user = std::get<chat::session_info>(me).account;
  response r;
  if (everywhere) {
    auto n = engine_.logout_everywhere(user.id);
    if (!n.ok()) return error_response(n.error());
    r = json_response(200, R"({"revoked":)" + std::to_string(*n) + "}");
  } else {
    // signed_in() found a token, so there is one to end.
    auto s = engine_.logout(*session_token(req, settings_));
    if (!s.ok()) return error_response(s);
    r = json_response(200, "{}");
  }
  spdlog::info("event=http.logout user={} everywhere={}", user.id, everywhere);
  r.headers.emplace_back("Set-Cookie", clear_session_cookie(secure_cookies(req, settings_)));
  return r;
}

response router::me(const request& req) const {
  auto me = signed_in(req, engine_, settings_);
  if (auto* refused = std::get_if<response>(&me)) return *refused;
  return json_response(
      200, R"({"user":)" + chat::wire::to_json(std::get<chat::session_info>(me).account) + "}");
}

response router::change_username(const request& req) const {
  auto me = signed_in(req, engine_, settings_);
  if (auto* refused = std::get_if<response>(&me)) return *refused;
  auto body = json_body(req);
  if (auto* err = std::get_if<response>(&body)) return *err;
  auto name = string_field(std::get<json>(body), "username");
  if (!name) return error_response(error_code::bad_request, "username (string) is required");
  auto updated = engine_.change_username(std::get<chat::session_info>(me).account.id, *name);
  if (!updated.ok()) return error_response(updated.error());
  return json_response(200, R"({"user":)" + chat::wire::to_json(*updated) + "}");
}

// The verdict of the readiness monitor (metrics/database_monitor.hpp): never waits for the
// database, so it answers at once while the database hangs.
response router::readyz() const {
  const int state = counters_.database_state.load(std::memory_order_relaxed);
  if (state == 0) return json_response(200, R"({"status":"ready"})");
  static const char* const why[k_database_state_count] = {"",
                                                          "database unreachable",
                                                          "database not answering",
                                                          "database disk full: writes fail",
                                                          "database read-only: writes fail",
                                                          "database refuses the configuration"};
  response r = error_response(chat::status(chat::errc::unavailable, why[state]));
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace chat::chatd::http
