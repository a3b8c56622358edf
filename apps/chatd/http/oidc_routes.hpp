// The OpenID Connect endpoints of chatd (/v1/auth/oidc/..., /v1/me/identities), over chat_oidc.
// docs/protocol.md ("HTTP API") and docs/auth.md describe them.
//
// handle() blocks on the provider (discovery, JWKS, token endpoint; up to the configured HTTP
// timeouts), so the transport calls it on its worker pool like every HTTP request. Thread-safe:
// relying_party and accounts are; this class keeps no mutable state of its own.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "chat/engine.hpp"
#include "config/config.hpp"
#include "http/message.hpp"
#include "oidc/oidc.hpp"

namespace chat::chatd::http {

class oidc_routes {
 public:
  // Reads settings.oidc_config and sets up the providers; a message on a bad configuration.
  // The engine must outlive the result.
  static std::variant<std::unique_ptr<oidc_routes>, std::string> make(chat::engine& engine,
                                                                      const config& settings);

  oidc_routes(chat::engine& engine, const config& settings,
              std::unique_ptr<chat::oidc::relying_party> rp,
              std::unique_ptr<chat::oidc::accounts> accounts);

  // True for the paths this class serves (whether or not the method fits).
  static bool serves(const std::string& path);
  response handle(const request& req) const;

 private:
  response providers() const;
  response start(const request& req, const std::string& provider) const;
  response callback(const request& req, const std::string& provider) const;
  response signup_info(const request& req) const;
  response signup(const request& req) const;
  response native_nonce(const request& req) const;
  response native(const request& req) const;
  response identities(const request& req) const;
  response link_native(const request& req, const std::string& provider) const;
  response unlink(const request& req, const std::string& provider) const;

  // The signed-in user if the session began at most --link-reauth-minutes ago, else 403
  // reauthentication_required: a stolen old token cannot plant a provider login.
  std::variant<chat::user_id, response> recently_signed_in(const request& req) const;
  // Cookies are Secure (TLS, or an https --public-url).
  bool secure(const request& req) const;
  // A 200 HTML page that sends the browser to `target` (same-site, so that the SameSite=Strict
  // session cookie is sent on the next request).
  response navigate(const std::string& target) const;
  std::string error_target(const chat::oidc::status& s) const;

  chat::engine& engine_;
  const config& settings_;
  std::unique_ptr<chat::oidc::relying_party> rp_;
  std::unique_ptr<chat::oidc::accounts> accounts_;
};

}  // namespace chat::chatd::http
