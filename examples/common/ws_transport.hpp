// One WebSocket client connection at a time on its own I/O thread; hides websocketpp entirely.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace chat::examples {

// Runs a private event loop on one thread. Every handler and every posted function runs on
// that thread, so code driven by it needs no locks. connect/send/close/post_after must be
// called on that thread (use post() from elsewhere); post() and the destructor are thread-safe.
class ws_transport {
 public:
  struct handlers {
    std::function<void()> on_open;                    // the handshake completed
    std::function<void(const std::string&)> on_text;  // one frame (text or binary)
    // The connection closed or could not be opened (then code is 1006 and reason says why).
    std::function<void(int code, const std::string& reason)> on_close;
  };

  explicit ws_transport(handlers h);  // starts the I/O thread
  ~ws_transport();                    // closes the connection (briefly) and joins the thread
  ws_transport(const ws_transport&) = delete;
  ws_transport& operator=(const ws_transport&) = delete;

  // Opens ws://HOST:PORT/PATH, replacing any current connection (whose handlers go quiet).
  void connect(const std::string& url);
  // Queues one text frame; false if no connection is open.
  bool send(const std::string& text);
  // Starts the closing handshake of the current connection, if any.
  void close(int code, const std::string& reason);

  void post(std::function<void()> fn);
  void post_after(long milliseconds, std::function<void()> fn);
  bool on_io_thread() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace chat::examples
