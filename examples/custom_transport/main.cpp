// custom_transport: chat::engine behind a line-based TCP protocol (see line_server.hpp).
// Usage: custom_transport [--listen HOST:PORT] [--database URL]
//   defaults: 127.0.0.1:7070 and sqlite3://db=custom_transport.db; port 0 picks a free port.
// Prints "listening on HOST:PORT" once ready; stops on SIGINT or SIGTERM.
// Try it: `nc 127.0.0.1 7070`, then REGISTER alice a-long-password, LOGIN ..., DM bob, SEND ...
#include <asio.hpp>
#include <chat/chat.hpp>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "line_server.hpp"

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:7070";
  chat::engine_options options;
  options.database = "sqlite3://db=custom_transport.db";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--listen") == 0) {
      listen = argv[i + 1];
    } else if (std::strcmp(argv[i], "--database") == 0) {
      options.database = argv[i + 1];
    } else {
      std::fprintf(stderr, "usage: %s [--listen HOST:PORT] [--database URL]\n", argv[0]);
      return 2;
    }
  }
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "--listen wants HOST:PORT\n");
    return 2;
  }

  auto engine = chat::engine::open(options);
  if (!engine) {
    std::fprintf(stderr, "cannot open the engine: %s\n", engine.error().message().c_str());
    return 1;
  }

  asio::io_context io;
  asio::thread_pool workers(4);  // engine calls wait on the database: never on I/O threads
  std::error_code ec;
  const auto address = asio::ip::make_address(listen.substr(0, colon), ec);
  if (ec) {
    std::fprintf(stderr, "bad address %s\n", listen.c_str());
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::stoi(listen.substr(colon + 1)));
  line_chat::server server(io, {address, port}, **engine, workers);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](std::error_code, int) {
    server.stop();
    io.stop();
  });

  const auto at = server.local_endpoint();
  std::printf("listening on %s:%u\n", at.address().to_string().c_str(),
              static_cast<unsigned>(at.port()));
  std::fflush(stdout);

  std::thread second([&] { io.run(); });
  io.run();
  second.join();
  workers.join();  // finish commands in progress; their replies are dropped with io
  std::printf("stopped\n");
  return 0;
}
