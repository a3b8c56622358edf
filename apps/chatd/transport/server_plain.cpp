// ws:// and http:// — the websocketpp server over plain TCP.
#include <websocketpp/config/asio_no_tls.hpp>

#include "transport/ws_server.hpp"

namespace chat::chatd {

std::unique_ptr<server> make_plain_server(chat::engine& engine, const config& settings,
                                          chatd::metrics& counters, const http::oidc_routes* oidc) {
  using config_type = transport::chatd_config<websocketpp::config::asio, true>;
  return std::make_unique<transport::ws_server<config_type>>(engine, settings, counters, false,
                                                             oidc);
}

}  // namespace chat::chatd
