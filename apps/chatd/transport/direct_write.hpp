// The write side of chatd's plain (non-TLS) WebSocket transport: websocketpp's asio transport
// plus a direct path that hands a connection's prepared frames to the kernel in one sendmsg,
// from the drain pass itself.
//
// Through websocketpp, every drained connection costs a posted write_frame handler, a buffer
// vector, an asio write operation and its posted completion (allocations and queue passes per
// recipient). The direct path is only taken while the connection writes nothing else, so its
// bytes can never interleave with websocketpp's, and it only ever stops at a frame boundary
// or hands the rest of a partly written frame to an asio write of its own. Whatever cannot go
// directly goes through websocketpp as before: its writes (handshake, pong, close, queued
// frames) wait here until a pending remainder is out, so frames keep their order.
//
// Threading: one connection's transport is used by its shard's thread only.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string>
#include <vector>
#include <websocketpp/transport/asio/connection.hpp>
#include <websocketpp/transport/asio/endpoint.hpp>

namespace chat::chatd::transport {

template <typename config>
class direct_write_connection : public websocketpp::transport::asio::connection<config> {
  using base = websocketpp::transport::asio::connection<config>;

 public:
  typedef direct_write_connection<config> type;
  typedef std::shared_ptr<type> ptr;
  using write_handler = websocketpp::transport::write_handler;
  using buffer = websocketpp::transport::buffer;

  using base::base;

  // websocketpp's writes (it keeps the buffers alive until the handler runs): one at a time,
  // after the remainder of a direct write if one is pending, in the order they were asked for.
  void async_write(const char* buf, size_t len, write_handler handler) {
    async_write(std::vector<buffer>{buffer(buf, len)}, std::move(handler));
  }
  void async_write(const std::vector<buffer>& bufs, write_handler handler) {
    if (remainder_pending_ || library_writing_) {
      deferred_.push_back(deferred_write{bufs, std::move(handler)});
      return;
    }
    library_writing_ = true;
    base::async_write(
        bufs, [this, handler = std::move(handler)](const websocketpp::lib::error_code& ec) {
          library_writing_ = false;  // `this` lives: the base holds the connection until here
          handler(ec);
          issue_deferred();
        });
  }

  // Nothing is being written: a direct write now cannot interleave with another write.
  bool write_idle() const { return !library_writing_ && !remainder_pending_; }

  enum class outcome { written, would_block, failed };
  struct direct_result {
    outcome what = outcome::written;
    std::size_t frames = 0;  // frames handed over (written, or the last one finishing async)
  };

  // Writes whole frames, each given as `parts` consecutive buffers (header, payload), with as
  // few sendmsg calls as the kernel allows. Stops at the first frame boundary where the socket
  // would block; a frame cut short by a full socket buffer is finished by an asio write of its
  // own, and counts as handed over. Call only when write_idle().
  direct_result write_direct(const std::vector<iovec>& iov, std::size_t parts) {
    direct_result result;
    const int fd = this->get_raw_socket().native_handle();
    std::size_t next = 0;  // first buffer not yet written
    while (next < iov.size()) {
      const std::size_t count = std::min<std::size_t>(iov.size() - next, k_max_iov);
      msghdr msg{};
      msg.msg_iov = const_cast<iovec*>(&iov[next]);
      msg.msg_iovlen = count;
      const ssize_t sent = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent < 0) {
        if (errno == EINTR) continue;
        result.what =
            errno == EAGAIN || errno == EWOULDBLOCK ? outcome::would_block : outcome::failed;
        return result;
      }
      // Skip the fully written buffers; a partly written one ends the loop below.
      std::size_t left = static_cast<std::size_t>(sent);
      while (next < iov.size() && left >= iov[next].iov_len) left -= iov[next++].iov_len;
      result.frames = next / parts;
      if (next % parts == 0 && left == 0) {
        if (static_cast<std::size_t>(sent) < total(msg)) {  // the socket buffer is full
          result.what = outcome::would_block;
          return result;
        }
        continue;
      }
      // A frame cut short: finish it asynchronously, before anything else is written.
      const std::size_t frame_end = (next / parts + 1) * parts;
      remainder_.clear();
      for (std::size_t b = next; b < frame_end; ++b) {
        const char* data = static_cast<const char*>(iov[b].iov_base);
        const std::size_t skip = b == next ? left : 0;
        remainder_.append(data + skip, iov[b].iov_len - skip);
      }
      finish_remainder();
      result.frames = frame_end / parts;
      result.what = frame_end == iov.size() ? outcome::written : outcome::would_block;
      return result;
    }
    result.frames = iov.size() / parts;
    return result;
  }

  std::size_t pending_remainder_bytes() const { return remainder_.size(); }

 private:
  static constexpr std::size_t k_max_iov = 64;

  struct deferred_write {
    std::vector<buffer> bufs;
    write_handler handler;
  };

  static std::size_t total(const msghdr& msg) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < msg.msg_iovlen; ++i) n += msg.msg_iov[i].iov_len;
    return n;
  }

  void finish_remainder() {
    remainder_pending_ = true;
    auto self = this->get_shared();  // keeps the socket and the buffer alive until done
    websocketpp::lib::asio::async_write(
        this->get_raw_socket(), websocketpp::lib::asio::buffer(remainder_),
        [this, self](const websocketpp::lib::asio::error_code&, std::size_t) {
          // An error here also fails websocketpp's read or next write, which closes.
          remainder_pending_ = false;
          std::string().swap(remainder_);
          issue_deferred();
        });
  }

  void issue_deferred() {
    if (remainder_pending_ || library_writing_ || deferred_.empty()) return;
    deferred_write next = std::move(deferred_.front());
    deferred_.erase(deferred_.begin());
    async_write(next.bufs, std::move(next.handler));
  }

  bool library_writing_ = false;
  bool remainder_pending_ = false;
  std::string remainder_;
  // A vector, not a deque: libstdc++'s deque allocates ~600 bytes on construction, for every
  // connection, and this one is empty nearly always (at most one entry in practice).
  std::vector<deferred_write> deferred_;
};

// websocketpp's asio transport endpoint, making its connections direct_write_connections.
template <typename config>
class direct_write_endpoint : public websocketpp::transport::asio::endpoint<config> {
 public:
  typedef direct_write_endpoint<config> type;
  typedef direct_write_connection<config> transport_con_type;
  typedef typename transport_con_type::ptr transport_con_ptr;
};

}  // namespace chat::chatd::transport
