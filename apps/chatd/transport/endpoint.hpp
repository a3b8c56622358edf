// chatd's websocketpp configuration (plain or TLS, direct writes or not) and the endpoint types
// every transport file names. Private to transport/, like everything that includes websocketpp.
#pragma once

#include <cstddef>
#include <type_traits>
#include <websocketpp/server.hpp>

#include "transport/direct_write.hpp"
#include "transport/http_request.hpp"

namespace chat::chatd::transport {

// One thread per endpoint: websocketpp needs no strands. Small per-connection buffers: an idle
// connection should cost a few KiB, not 16+ (the read buffer is inline in each connection).
// DirectWrites (plain TCP only): drains write prepared frames straight to the socket
// (direct_write.hpp); TLS connections write through websocketpp and the TLS stream.
template <typename Base, bool DirectWrites>
struct chatd_config : public Base {
  typedef chatd_config type;
  typedef Base base;
  struct transport_config : public Base::transport_config {
    static const bool enable_multithreading = false;
    typedef http_request request_type;
  };
  typedef http_request request_type;  // refuses chunked and oversized bodies our way
  typedef std::conditional_t<DirectWrites, direct_write_endpoint<transport_config>,
                             websocketpp::transport::asio::endpoint<transport_config>>
      transport_type;
  static constexpr bool direct_writes = DirectWrites;
  static const std::size_t connection_read_buffer_size = 512;  // requests are small
  static const long timeout_open_handshake = 5000;
  static const long timeout_close_handshake = 3000;
  static const websocketpp::log::level elog_level = websocketpp::log::elevel::none;
  static const websocketpp::log::level alog_level = websocketpp::log::alevel::none;
};

// The websocketpp types of one configuration.
template <typename Config>
struct endpoint_types {
  using endpoint_type = websocketpp::server<Config>;
  using connection_type = typename endpoint_type::connection_type;
  using connection_ptr = typename endpoint_type::connection_ptr;
  using message_ptr = typename endpoint_type::message_ptr;
  using message_type = typename Config::message_type;
};

}  // namespace chat::chatd::transport
