// ws:// and http:// — the websocketpp server over plain TCP.
#include <websocketpp/config/asio_no_tls.hpp>

#include "transport/ws_server.hpp"

namespace chat::chatd {

std::unique_ptr<server> make_plain_server(const config& settings, chatd::metrics& counters,
                                          const http::router& router,
                                          const session_factory& sessions) {
  using config_type = transport::chatd_config<websocketpp::config::asio, true>;
  return std::make_unique<transport::ws_server<config_type>>(settings, counters, false, router,
                                                             sessions);
}

}  // namespace chat::chatd
