// ws:// and http:// — the websocketpp server over plain TCP.
#include <websocketpp/config/asio_no_tls.hpp>

#include "transport/ws_server.hpp"

namespace chat::chatd {

std::unique_ptr<server> make_plain_server(chat::engine& engine, const config& settings,
                                          chatd::metrics& counters) {
  using config_type = transport::chatd_config<websocketpp::config::asio>;
  return std::make_unique<transport::ws_server<config_type>>(engine, settings, counters, false);
}

}  // namespace chat::chatd
