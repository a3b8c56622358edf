// Reads and discards the rest of a refused HTTP request body (http_request.hpp) before chatd
// answers it, so that the connection closes with nothing unread: closing a socket with unread
// data makes the kernel send a reset, which can reach the client before the response and
// destroy it (a client uploading 10 MB saw a reset instead of its 413). Bounded: at most
// k_max_discard_bytes and k_discard_time; past either the answer goes out anyway.
// Plain TCP only (under TLS the raw bytes are records of the TLS stream).
#pragma once

#include <algorithm>
#include <array>
#include <asio/buffer.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <string>

namespace chat::chatd::transport {

inline constexpr std::size_t k_max_discard_bytes = 64 * 1024 * 1024;
inline constexpr auto k_discard_time = std::chrono::seconds(3);

// `remaining`: bytes of the body still to come (a Content-Length body), or
// k_until_chunked_end for a chunked body, which ends with "0\r\n\r\n" (no trailers: with
// trailers the drain ends at the time bound). `tail`: the body's last bytes read so far.
inline constexpr std::size_t k_until_chunked_end = std::numeric_limits<std::size_t>::max();

template <typename Socket>
class body_drain : public std::enable_shared_from_this<body_drain<Socket>> {
 public:
  static void start(Socket& socket, std::size_t remaining, std::string tail,
                    std::function<void()> done) {
    auto self = std::shared_ptr<body_drain>(
        new body_drain(socket, remaining, std::move(tail), std::move(done)));
    if (self->finished()) return self->finish();
    self->timer_.expires_after(k_discard_time);
    self->timer_.async_wait([self](const std::error_code& ec) {
      if (ec || !self->done_) return;  // cancelled, or the drain ended first
      std::error_code ignored;
      self->socket_.cancel(ignored);  // the pending read ends with operation_aborted
    });
    self->read();
  }

 private:
  body_drain(Socket& socket, std::size_t remaining, std::string tail, std::function<void()> done)
      : socket_(socket),
        timer_(socket.get_executor()),
        remaining_(remaining),
        tail_(std::move(tail)),
        done_(std::move(done)) {}

  bool chunked() const { return remaining_ == k_until_chunked_end; }
  bool finished() const {
    if (discarded_ >= k_max_discard_bytes) return true;
    if (chunked()) return tail_.size() >= 5 && tail_.compare(tail_.size() - 5, 5, "0\r\n\r\n") == 0;
    return remaining_ == 0;
  }

  void read() {
    std::size_t want = buffer_.size();
    if (!chunked()) want = std::min(want, remaining_);
    auto self = this->shared_from_this();
    socket_.async_read_some(asio::buffer(buffer_.data(), want),
                            [self](const std::error_code& ec, std::size_t n) {
                              self->discarded_ += n;
                              if (self->chunked()) {
                                self->tail_.append(self->buffer_.data(), n);
                                if (self->tail_.size() > 16)
                                  self->tail_.erase(0, self->tail_.size() - 16);
                              } else {
                                self->remaining_ -= std::min(n, self->remaining_);
                              }
                              if (ec || self->finished()) return self->finish();
                              self->read();
                            });
  }

  void finish() {
    timer_.cancel();
    auto done = std::move(done_);
    done_ = nullptr;  // once; and the socket is not touched again (done may release it)
    if (done) done();
  }

  Socket& socket_;
  asio::steady_timer timer_;
  std::size_t remaining_;
  std::string tail_;
  std::function<void()> done_;
  std::size_t discarded_ = 0;
  std::array<char, 16 * 1024> buffer_{};
};

}  // namespace chat::chatd::transport
