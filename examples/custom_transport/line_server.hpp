// A line-based TCP transport for chat::engine on standalone Asio: no HTTP, no WebSocket.
//
// Protocol (UTF-8, one command per line; the last argument takes the rest of the line):
//   REGISTER <name> <password>   -> OK user <id>
//   LOGIN <name> <password>      -> OK session <user-id> <token>   (this socket now gets events)
//   DM <username>                -> OK channel <id>
//   GROUP <name> [<username>...] -> OK channel <id>
//   SEND <channel-id> <text>     -> OK message <seq>
//   HISTORY <channel-id> [limit] -> MSG <message-json> ... then OK history <count>
//   CHANNELS                     -> CHANNEL <summary-json> ... then OK channels <count>
//   QUIT                         -> OK bye, then the server closes the socket
// Failures: ERR <code> <message>. Pushed at any time after LOGIN: EVENT <event-json>.
//
// Threads: the io_context (any number of threads) does socket I/O, each session on its own
// strand; engine calls, which wait on the database, run on a worker pool. A session runs one
// command at a time: it reads the next line only after the reply to the last one is queued.
#pragma once

#include <asio.hpp>
#include <chat/chat.hpp>
#include <memory>

namespace line_chat {

class server {
 public:
  // Listens on `at` (port 0: any free port) and serves until stop().
  server(asio::io_context& io, const asio::ip::tcp::endpoint& at, chat::engine& engine,
         asio::thread_pool& workers);
  asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  void stop();  // stops accepting; call from an io_context thread or before run()

 private:
  void accept();

  asio::io_context& io_;
  asio::ip::tcp::acceptor acceptor_;
  chat::engine& engine_;
  asio::thread_pool& workers_;
};

}  // namespace line_chat
