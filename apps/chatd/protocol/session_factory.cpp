// Sessions for accepted handshakes, and the handshake cookie they authenticate with.
#include "protocol/session_factory.hpp"

#include "http/cookies.hpp"

namespace chat::chatd {

std::shared_ptr<session> session_factory::make(const handshake_info& handshake,
                                               std::shared_ptr<outbox> out, session::close_fn close,
                                               const session_resources& lent) const {
  return std::make_shared<session>(engine_, settings_.limits, counters_, std::move(out),
                                   std::move(close), lent, cookie_token(handshake));
}

std::string session_factory::cookie_token(const handshake_info& handshake) const {
  // A browser's origin was checked by the transport (a refused one never gets here); a stale
  // cookie falls back to the auth frame.
  if (!handshake.browser) return {};
  auto token =
      http::session_cookie(handshake.cookie_header, http::secure_cookies(handshake.tls, settings_));
  return token ? *token : std::string();
}

}  // namespace chat::chatd
