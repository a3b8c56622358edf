// websocketpp's HTTP request parser, with the request bodies websocketpp cannot take refused
// in chatd's own response path instead of its bare error page (issue 13, point 8).
//
// websocketpp reads only Content-Length bodies and refuses one over set_max_http_body_size with
// a 413 of its own: no Content-Length, no Connection: close, no security headers, and the body
// left unread (closing a socket with unread data sends a reset, which often reaches the client
// before the 413 does). It reads a chunked body not at all: the request looked bodiless and the
// chunks were left in the socket. This parser looks at the header block first: a body over the
// limit (413) or a Transfer-Encoding (411 Length Required) is "refused": the request reaches the
// HTTP handler without a body, with refusal() set, and the handler answers through the normal
// response path after discarding the body (body_drain.hpp).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <string>
#include <websocketpp/http/request.hpp>

namespace chat::chatd::transport {

class http_request : public websocketpp::http::parser::request {
  using base = websocketpp::http::parser::request;

 public:
  // 0, 411 (a Transfer-Encoding: chunked or other, unsupported) or 413 (Content-Length over
  // the maximum body size).
  int refusal() const { return refusal_; }
  // The refused body's declared length (413), and how many of its bytes arrived with the header
  // block (they were read already; the rest is still in the socket).
  std::size_t refused_length() const { return refused_length_; }
  std::size_t refused_bytes_read() const { return refused_read_; }
  // The last bytes of a refused chunked body read with the header block (for its end marker).
  const std::string& refused_tail() const { return refused_tail_; }

  // Hides base::consume (websocketpp calls it on config::request_type). The header block is
  // collected here and handed to the base parser whole, so it can be edited first.
  std::size_t consume(const char* buf, std::size_t len) {
    if (handed_over_) return base::consume(buf, len);
    const std::size_t before = head_.size();
    head_.append(buf, len);
    const std::size_t end = head_.find("\r\n\r\n");
    if (end == std::string::npos) {
      // The base parser refuses an over-long header block (431): let it see this one.
      if (head_.size() > websocketpp::http::max_header_size) return hand_over(before);
      return len;
    }
    const std::size_t block = end + 4;
    refusal_ = judge(head_.substr(0, block));
    if (refusal_ == 0) return hand_over(before);
    // Refused: the base parser sees the header block without its body headers (no body to
    // read), and the bytes after it (body) count as read.
    refused_read_ = head_.size() - block;
    refused_tail_ = head_.substr(block + (refused_read_ > 16 ? refused_read_ - 16 : 0));
    const std::string edited = without_body_headers(head_.substr(0, block));
    head_.clear();
    head_.shrink_to_fit();
    handed_over_ = true;
    base::consume(edited.data(), edited.size());
    return len;
  }

 private:
  std::size_t hand_over(std::size_t before) {
    handed_over_ = true;
    std::string all;
    all.swap(head_);
    const std::size_t used = base::consume(all.data(), all.size());
    return used > before ? used - before : 0;  // of this call's bytes
  }

  static std::string lower(std::string s) {
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
  }

  // Calls f(name in lower case, value, line start, line end) for each header line.
  template <typename F>
  static void each_header(const std::string& block, F&& f) {
    std::size_t pos = block.find("\r\n");  // skip the request line
    while (pos != std::string::npos && pos + 2 < block.size()) {
      const std::size_t start = pos + 2;
      const std::size_t stop = block.find("\r\n", start);
      if (stop == std::string::npos || stop == start) break;
      const std::string line = block.substr(start, stop - start);
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        f(lower(line.substr(0, colon)), value, start, stop + 2);
      }
      pos = stop;
    }
  }

  int judge(const std::string& block) {
    int verdict = 0;
    each_header(block,
                [&](const std::string& name, const std::string& value, std::size_t, std::size_t) {
                  if (name == "transfer-encoding") {
                    verdict = 411;
                  } else if (name == "content-length" && verdict == 0) {
                    const unsigned long long length = std::strtoull(value.c_str(), nullptr, 10);
                    if (length > get_max_body_size()) {
                      verdict = 413;
                      refused_length_ = static_cast<std::size_t>(length);
                    }
                  }
                });
    return verdict;
  }

  static std::string without_body_headers(const std::string& block) {
    std::string out;
    std::size_t copied = 0;
    each_header(block, [&](const std::string& name, const std::string&, std::size_t start,
                           std::size_t stop) {
      if (name != "transfer-encoding" && name != "content-length") return;
      out.append(block, copied, start - copied);
      copied = stop;
    });
    out.append(block, copied, std::string::npos);
    return out;
  }

  std::string head_;  // the header block so far (and what came with its end)
  bool handed_over_ = false;
  int refusal_ = 0;
  std::size_t refused_length_ = 0;
  std::size_t refused_read_ = 0;
  std::string refused_tail_;
};

}  // namespace chat::chatd::transport
