// wss:// and https:// — the websocketpp server over TLS (OpenSSL), TLS 1.2 and later only.
#include <websocketpp/config/asio.hpp>

#include "transport/ws_server.hpp"

namespace chat::chatd {

std::unique_ptr<server> make_tls_server(chat::engine& engine, const config& settings,
                                        chatd::metrics& counters, const http::oidc_routes* oidc) {
  using config_type = transport::chatd_config<websocketpp::config::asio_tls, false>;
  using context = asio::ssl::context;
  auto tls = std::make_shared<context>(context::tls_server);
  std::error_code ec;
  tls->set_options(context::default_workarounds | context::no_sslv2 | context::no_sslv3 |
                       context::no_tlsv1 | context::no_tlsv1_1 | context::single_dh_use,
                   ec);
  if (!ec) tls->use_certificate_chain_file(settings.tls_cert, ec);
  if (!ec) tls->use_private_key_file(settings.tls_key, context::pem, ec);
  if (ec) {
    spdlog::critical("event=tls_setup_failed cert={} error=\"{}\"", settings.tls_cert,
                     ec.message());
    return nullptr;
  }
  auto srv =
      std::make_unique<transport::ws_server<config_type>>(engine, settings, counters, true, oidc);
  srv->for_each_endpoint([&tls](auto& ep) {
    ep.set_tls_init_handler([tls](websocketpp::connection_hdl) { return tls; });
  });
  return srv;
}

}  // namespace chat::chatd
