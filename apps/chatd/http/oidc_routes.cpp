// OpenID Connect endpoints: browser flow (start, callback, choose a username), native ID
// tokens, and the signed-in user's linked identities.
#include "http/oidc_routes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "chat/wire.hpp"
#include "http/auth.hpp"
#include "http/cookies.hpp"
#include "http/json_body.hpp"
#include "logging/logging.hpp"

namespace chat::chatd::http {
namespace {

using json = nlohmann::json;
namespace oidc = chat::oidc;

constexpr const char* k_prefix = "/v1/auth/oidc/";
constexpr const char* k_identities = "/v1/me/identities";

chat::time_ms now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The wire name of a failure: the engine's code for account errors (the codes of
// /v1/register), chat_oidc's otherwise.
std::string code_name(const oidc::status& s) {
  if (s.code() == oidc::errc::account) return chat::to_string(s.engine_code());
  return oidc::to_string(s.code());
}

response oidc_error(const oidc::status& s) {
  response r = error_response(oidc::http_status(s), code_name(s), s.message());
  // Pending logins, nonces and tickets expire within minutes; a minute frees some.
  if (s.code() == oidc::errc::rate_limited || s.code() == oidc::errc::unavailable)
    r.headers.emplace_back("Retry-After", "60");
  return r;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string string_or_empty(const json& body, const char* name) {
  return string_field(body, name).value_or("");
}

// The ticket's identity (what the new account will be linked to: the form shows it), and the
// ticket itself only for a native client.
json ticket_json(const oidc::signup_ticket& t, bool with_ticket,
                 const oidc::provider_registry& providers) {
  const auto* p = providers.find(t.provider);
  json j = {{"suggested_username", t.suggested_username},
            {"provider", t.provider},
            {"provider_name", p ? p->display_name : t.provider},
            {"issuer", t.issuer},
            {"subject", t.subject},
            {"expires_at", t.expires_at}};
  if (with_ticket) j["ticket"] = t.ticket;
  if (t.email) j["email"] = *t.email;
  if (t.name) j["name"] = *t.name;
  return j;
}

// "{p}/start" -> ("p", "start"); "{p}" -> ("p", "").
std::pair<std::string, std::string> split_rest(const std::string& rest) {
  auto slash = rest.find('/');
  if (slash == std::string::npos) return {rest, {}};
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

response method_not_allowed(const char* allowed) {
  return error_response(error_code::method_not_allowed, std::string("use ") + allowed);
}

response no_such_endpoint() {
  return error_response(chat::status(chat::errc::not_found, "no such endpoint"));
}

response bad_request(const char* message) {
  return error_response(error_code::bad_request, message);
}

// A sign-up ticket that cannot be used: chat_oidc's invalid_ticket (400).
response invalid_ticket(const char* message) {
  return oidc_error(oidc::status(oidc::errc::invalid_ticket, message));
}

}  // namespace

std::variant<std::unique_ptr<oidc_routes>, std::string> oidc_routes::make(chat::engine& engine,
                                                                          const config& settings) {
  auto file = oidc::load_config(settings.oidc_config);
  if (!file.ok()) return "--oidc-config " + settings.oidc_config + ": " + file.error().message();
  oidc::provider_registry registry;
  for (auto& p : file->providers) {
    const std::string id = p.id;
    if (p.allow_insecure_loopback_http_for_tests) {
      spdlog::warn("event=oidc.insecure_loopback_http provider={} (tests only)", log_value(id));
    }
    auto added = registry.add(std::move(p));
    if (!added.ok()) return "--oidc-config: provider " + id + ": " + added.message();
    spdlog::info("event=oidc.provider id={}", log_value(id));
  }
  auto client = oidc::make_curl_http_client(file->http);
  auto rp = std::make_unique<oidc::relying_party>(std::move(registry), std::move(client),
                                                  file->relying_party);
  oidc::accounts_options account_options;
  account_options.signup_ticket_ttl = file->signup_ticket_ttl;
  account_options.max_signup_tickets = file->max_pending;
  account_options.max_signup_tickets_per_address = file->max_pending_per_address;
  auto accounts = std::make_unique<oidc::accounts>(engine, account_options);
  return std::make_unique<oidc_routes>(engine, settings, std::move(rp), std::move(accounts));
}

oidc_routes::oidc_routes(chat::engine& engine, const config& settings,
                         std::unique_ptr<oidc::relying_party> rp,
                         std::unique_ptr<oidc::accounts> accounts)
    : engine_(engine), settings_(settings), rp_(std::move(rp)), accounts_(std::move(accounts)) {}

bool oidc_routes::serves(const std::string& path) {
  return path.compare(0, std::char_traits<char>::length(k_prefix), k_prefix) == 0 ||
         path == k_identities || path.compare(0, 18, "/v1/me/identities/") == 0;
}

response oidc_routes::handle(const request& req) const {
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  if (req.path == k_identities) return get ? identities(req) : method_not_allowed("GET");
  if (req.path.compare(0, 18, "/v1/me/identities/") == 0) {
    const std::string provider = req.path.substr(18);
    if (provider.empty() || provider.find('/') != std::string::npos) {
      return no_such_endpoint();
    }
    if (post) return link_native(req, provider);
    if (req.method == "DELETE") return unlink(req, provider);
    return method_not_allowed("POST or DELETE");
  }
  const std::string rest = req.path.substr(std::char_traits<char>::length(k_prefix));
  if (rest == "providers") return get ? providers() : method_not_allowed("GET");
  if (rest == "signup") {
    if (get) return signup_info(req);
    if (post) return signup(req);
    return method_not_allowed("GET or POST");
  }
  if (rest == "native/nonce") return post ? native_nonce(req) : method_not_allowed("POST");
  if (rest == "native") return post ? native(req) : method_not_allowed("POST");
  auto [provider, action] = split_rest(rest);
  if (!provider.empty() && (action == "start" || action == "callback")) {
    if (!get) return method_not_allowed("GET");
    return action == "start" ? start(req, provider) : callback(req, provider);
  }
  return no_such_endpoint();
}

response oidc_routes::providers() const {
  json list = json::array();
  for (const auto& p : rp_->providers().list()) {
    list.push_back({{"id", p.id},
                    {"name", p.display_name},
                    {"display_name", p.display_name},
                    {"start_url", std::string(k_prefix) + p.id + "/start"}});
  }
  return json_response(200, json{{"providers", list}}.dump());
}

std::variant<chat::user_id, response> oidc_routes::recently_signed_in(const request& req) const {
  auto me = signed_in(req, engine_, settings_);
  if (auto* err = std::get_if<response>(&me)) return *err;
  const auto& session = std::get<chat::session_info>(me);
  const chat::time_ms window =
      std::chrono::duration_cast<std::chrono::milliseconds>(settings_.link_reauth_window).count();
  if (now_ms() - session.created_at > window) {
    return error_response(error_code::reauthentication_required,
                          "linking a sign-in provider needs a fresh sign-in: sign in again");
  }
  return session.account.id;
}

bool oidc_routes::secure(const request& req) const {
  return secure_cookies(req, settings_);
}

response oidc_routes::navigate(const std::string& target) const {
  response r;
  r.status = 200;
  r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  r.headers.emplace_back("Cache-Control", "no-store");
  // The callback URL carries the code and state: never send it on as a Referer.
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  // The page is a meta refresh and a link: it needs no script, style or image of any origin.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; base-uri 'none'; form-action 'none'; "
                         "frame-ancestors 'none'");
  const std::string url = html_escape(target);
  r.body =
      "<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
      "content=\"0;url=" +
      url + "\"><title>Signing in…</title></head><body><p><a href=\"" + url +
      "\">Continue</a></p></body></html>\n";
  return r;
}

std::string oidc_routes::error_target(const oidc::status& s) const {
  return settings_.oidc_after_login + "#oidc_error=" + url_encode(code_name(s));
}

response oidc_routes::start(const request& req, const std::string& provider) const {
  const std::string purpose_name = oidc::query_param(req.query, "purpose");
  auto purpose = oidc::login_purpose::sign_in;
  std::optional<chat::user_id> link_user;
  if (purpose_name == "link") {
    purpose = oidc::login_purpose::link;
    auto me = recently_signed_in(req);
    if (auto* err = std::get_if<response>(&me)) return *err;
    link_user = std::get<chat::user_id>(me);
  } else if (!purpose_name.empty() && purpose_name != "sign_in") {
    return bad_request("purpose: expected sign_in or link");
  }
  auto begun = rp_->begin_login(provider, purpose, link_user,
                                oidc::query_param(req.query, "login_hint"), req.client);
  if (!begun.ok()) {
    spdlog::info("event=oidc.start_failed provider={} code={}", log_value(provider),
                 code_name(begun.error()));
    if (begun.code() == oidc::errc::unknown_provider) return oidc_error(begun.error());
    response r = navigate(error_target(begun.error()));
    return r;
  }
  response r;
  r.status = 302;
  r.headers.emplace_back("Location", begun->authorization_url);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Set-Cookie", oidc::binding_cookie(*begun, now_ms(), secure(req)));
  return r;
}

response oidc_routes::callback(const request& req, const std::string& provider) const {
  auto params = oidc::parse_callback(req.query, req.header("cookie"));
  auto done = rp_->complete_login(params);
  auto fail = [&](const oidc::status& s) {
    spdlog::info("event=oidc.callback_failed provider={} code={}", log_value(provider),
                 code_name(s));
    response r = navigate(error_target(s));
    r.headers.emplace_back("Set-Cookie", oidc::clear_binding_cookie(secure(req)));
    return r;
  };
  if (!done.ok()) return fail(done.error());
  const auto& identity = done->identity;
  if (identity.provider != provider) {
    return fail(
        oidc::status(oidc::errc::invalid_state, "the login was started for another provider"));
  }
  if (done->purpose == oidc::login_purpose::link) {
    auto linked = accounts_->link(*done->link_user, identity);
    if (!linked.ok()) return fail(linked);
    spdlog::info("event=oidc.linked user={} provider={}", *done->link_user, log_value(provider));
    response r = navigate(settings_.oidc_after_login + "#oidc_linked=" + url_encode(provider));
    r.headers.emplace_back("Set-Cookie", oidc::clear_binding_cookie(secure(req)));
    return r;
  }
  auto outcome = accounts_->sign_in(identity, oidc::ticket_binding::browser_cookie, req.client);
  if (!outcome.ok()) return fail(outcome.error());
  if (outcome->session) {
    const auto& grant = *outcome->session;
    spdlog::info("event=oidc.sign_in user={} provider={} remote={}", grant.account.id,
                 log_value(provider), log_value(req.remote));
    response r = navigate(settings_.oidc_after_login);
    r.headers.emplace_back("Set-Cookie", oidc::clear_binding_cookie(secure(req)));
    r.headers.emplace_back(
        "Set-Cookie",
        set_session_cookie(grant.token, settings_.session_cookie_max_age().count(), secure(req)));
    return r;
  }
  const auto& ticket = *outcome->signup;
  spdlog::info("event=oidc.signup_ticket provider={} remote={}", log_value(provider),
               log_value(req.remote));
  // The ticket goes into the HttpOnly cookie only: a URL can be sent to someone else.
  response r = navigate(settings_.oidc_signup_page);
  r.headers.emplace_back("Set-Cookie", oidc::clear_binding_cookie(secure(req)));
  r.headers.emplace_back(
      "Set-Cookie",
      set_signup_cookie(ticket.ticket, (ticket.expires_at - now_ms()) / 1000, secure(req)));
  return r;
}

response oidc_routes::signup_info(const request& req) const {
  const std::string ticket = signup_ticket(req, settings_);
  if (ticket.empty()) return invalid_ticket("no sign-up ticket");
  auto info = accounts_->peek_signup(ticket);
  if (!info.ok()) return oidc_error(info.error());
  return json_response(200, ticket_json(*info, false, rp_->providers()).dump());
}

response oidc_routes::signup(const request& req) const {
  auto parsed = json_body(req);
  if (auto* err = std::get_if<response>(&parsed)) return *err;
  const json* body = &std::get<json>(parsed);
  auto name = string_field(*body, "username");
  if (!name) return bad_request("username (string) is required");
  // A native client's ticket comes in the body with an ID token of the same identity; a
  // browser's only from the cookie (a ticket in a browser's body is refused without the token).
  std::string ticket = string_or_empty(*body, "ticket");
  std::optional<oidc::verified_identity> presented;
  if (!ticket.empty()) {
    const std::string provider = string_or_empty(*body, "provider");
    const std::string id_token = string_or_empty(*body, "id_token");
    if (provider.empty() || id_token.empty()) {
      return invalid_ticket("a ticket in the body needs provider and id_token of its identity");
    }
    auto identity = rp_->verify_native_id_token(provider, id_token);
    if (!identity.ok()) return oidc_error(identity.error());
    presented = std::move(identity).value();
  } else {
    ticket = signup_ticket(req, settings_);
  }
  if (ticket.empty()) return invalid_ticket("no sign-up ticket");
  auto grant = accounts_->complete_signup(ticket, *name, presented ? &*presented : nullptr);
  if (!grant.ok()) return oidc_error(grant.error());
  spdlog::info("event=oidc.signup user={} remote={}", grant->account.id, log_value(req.remote));
  response r = session_response(201, *grant, req, settings_);
  if (!presented) r.headers.emplace_back("Set-Cookie", clear_signup_cookie(secure(req)));
  return r;
}

response oidc_routes::native_nonce(const request& req) const {
  auto nonce = rp_->issue_native_nonce(req.client);
  if (!nonce.ok()) return oidc_error(nonce.error());
  return json_response(200, json{{"nonce", *nonce}}.dump());
}

response oidc_routes::native(const request& req) const {
  auto parsed = json_body(req);
  if (auto* err = std::get_if<response>(&parsed)) return *err;
  const json* body = &std::get<json>(parsed);
  const std::string provider = string_or_empty(*body, "provider");
  const std::string id_token = string_or_empty(*body, "id_token");
  if (provider.empty() || id_token.empty())
    return bad_request("provider and id_token (strings) are required");
  auto identity = rp_->verify_native_id_token(provider, id_token, string_or_empty(*body, "nonce"));
  if (!identity.ok()) {
    spdlog::info("event=oidc.native_refused provider={} code={} remote={}", log_value(provider),
                 code_name(identity.error()), log_value(req.remote));
    return oidc_error(identity.error());
  }
  auto outcome = accounts_->sign_in(*identity, oidc::ticket_binding::id_token, req.client);
  if (!outcome.ok()) return oidc_error(outcome.error());
  if (outcome->session) {
    spdlog::info("event=oidc.native_sign_in user={} provider={}", outcome->session->account.id,
                 log_value(provider));
    return session_response(200, *outcome->session, req, settings_);
  }
  return json_response(
      200, json{{"signup", ticket_json(*outcome->signup, true, rp_->providers())}}.dump());
}

response oidc_routes::identities(const request& req) const {
  auto me = signed_in(req, engine_, settings_);
  if (auto* err = std::get_if<response>(&me)) return *err;
  auto list = accounts_->identities(std::get<chat::session_info>(me).account.id);
  if (!list.ok()) return oidc_error(list.error());
  std::string out = R"({"identities":[)";
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto& identity = (*list)[i];
    const auto* p = rp_->providers().find_by_issuer(identity.issuer);
    if (i) out += ',';
    out += chat::wire::to_json(identity, p ? std::optional<std::string>(p->id) : std::nullopt);
  }
  return json_response(200, out + "]}");
}

response oidc_routes::link_native(const request& req, const std::string& provider) const {
  auto me = recently_signed_in(req);
  if (auto* err = std::get_if<response>(&me)) return *err;
  auto parsed = json_body(req);
  if (auto* err = std::get_if<response>(&parsed)) return *err;
  const json* body = &std::get<json>(parsed);
  const std::string id_token = string_or_empty(*body, "id_token");
  if (id_token.empty()) return bad_request("id_token is required");
  auto identity = rp_->verify_native_id_token(provider, id_token, string_or_empty(*body, "nonce"));
  if (!identity.ok()) return oidc_error(identity.error());
  auto linked = accounts_->link(std::get<chat::user_id>(me), *identity);
  if (!linked.ok()) return oidc_error(linked);
  response r;
  r.status = 204;
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

response oidc_routes::unlink(const request& req, const std::string& provider) const {
  auto me = signed_in(req, engine_, settings_);
  if (auto* err = std::get_if<response>(&me)) return *err;
  const auto* p = rp_->providers().find(provider);
  if (!p) return oidc_error(oidc::status(oidc::errc::unknown_provider, "no provider " + provider));
  auto s = accounts_->unlink(std::get<chat::session_info>(me).account.id, p->issuer);
  if (!s.ok()) return oidc_error(s);
  response r;
  r.status = 204;
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace chat::chatd::http
