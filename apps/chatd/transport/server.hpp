// The network side of chatd: one listening port for HTTP and WebSocket, plain or TLS.
// This header is free of websocketpp; only transport/server_*.cpp include it.
#pragma once

#include <cstdint>
#include <memory>

#include "config/config.hpp"
#include "http/router.hpp"
#include "metrics/metrics.hpp"
#include "protocol/session_factory.hpp"

namespace chat::chatd {

class server {
 public:
  virtual ~server() = default;
  // Binds the listening socket; false (after logging why) if it cannot.
  virtual bool listen() = 0;
  // The bound port (useful with --listen HOST:0).
  virtual std::uint16_t port() const = 0;
  // Serves on the configured I/O threads until SIGINT/SIGTERM, then shuts down gracefully:
  // stops accepting, waits for in-flight sends, flushes queues, closes WebSockets with 1001.
  virtual void run() = 0;
};

// The transport never calls the engine: HTTP requests go to `router`, WebSocket connections get
// their sessions from `sessions`. Every argument must outlive the server.
std::unique_ptr<server> make_plain_server(const config& settings, chatd::metrics& counters,
                                          const http::router& router,
                                          const session_factory& sessions);
std::unique_ptr<server> make_tls_server(const config& settings, chatd::metrics& counters,
                                        const http::router& router,
                                        const session_factory& sessions);

}  // namespace chat::chatd
