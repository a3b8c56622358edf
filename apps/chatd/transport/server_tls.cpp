// wss:// and https:// — the websocketpp server over TLS (OpenSSL): TLS 1.2 and later, forward
// secret AEAD suites only, no renegotiation (docs/security.md, "TLS").
#include <websocketpp/config/asio.hpp>

#include "transport/ws_server.hpp"

namespace chat::chatd {
namespace {

// TLS 1.2 suites: forward secret (ECDHE) with an AEAD only, strongest first; TLS 1.3 keeps
// OpenSSL's defaults (all of them AEAD and forward secret).
constexpr const char* k_tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// TLS 1.2 at least, the cipher list above in the server's order of preference, and no
// renegotiation (a client-initiated one costs the server a handshake per request).
bool harden(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) return false;
  if (SSL_CTX_set_cipher_list(ctx, k_tls12_ciphers) != 1) return false;
  SSL_CTX_set_options(
      ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  return true;
}

}  // namespace

std::unique_ptr<server> make_tls_server(const config& settings, chatd::metrics& counters,
                                        const http::router& router,
                                        const session_factory& sessions) {
  using config_type = transport::chatd_config<websocketpp::config::asio_tls, false>;
  using context = asio::ssl::context;
  auto tls = std::make_shared<context>(context::tls_server);
  std::error_code ec;
  tls->set_options(context::default_workarounds | context::no_sslv2 | context::no_sslv3 |
                       context::no_tlsv1 | context::no_tlsv1_1 | context::single_dh_use,
                   ec);
  if (!ec && !harden(tls->native_handle())) {
    ec = std::make_error_code(std::errc::invalid_argument);
  }
  if (!ec) tls->use_certificate_chain_file(settings.tls_cert, ec);
  if (!ec) tls->use_private_key_file(settings.tls_key, context::pem, ec);
  if (ec) {
    spdlog::critical("event=tls_setup_failed cert={} error={}", log_value(settings.tls_cert),
                     log_value(ec.message()));
    return nullptr;
  }
  auto srv = std::make_unique<transport::ws_server<config_type>>(settings, counters, true, router,
                                                                 sessions);
  srv->for_each_endpoint([&tls](auto& ep) {
    ep.set_tls_init_handler([tls](websocketpp::connection_hdl) { return tls; });
  });
  return srv;
}

}  // namespace chat::chatd
