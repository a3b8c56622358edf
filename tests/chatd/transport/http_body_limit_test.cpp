// The HTTP body limit of chatd's request parser (docs/protocol.md, "HTTP API"): a
// Content-Length of exactly --max-http-body-bytes is read, one byte more is refused 413 (the
// body is not read), a Transfer-Encoding body is refused 411.
#include <catch2/catch.hpp>
#include <string>

#include "transport/http_request.hpp"

using chat::chatd::transport::http_request;

namespace {

// A parser with a body limit of 100 bytes that has consumed `head` and `body` in one read.
struct parsed {
  http_request req;
  parsed(const std::string& head, const std::string& body) {
    req.set_max_body_size(100);
    const std::string all = "POST /v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\n" + head + "\r\n" + body;
    CHECK(req.consume(all.data(), all.size()) == all.size());
  }
};

}  // namespace

TEST_CASE("a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_refused_413", "[transport]") {
  parsed at("Content-Length: 100\r\n", std::string(100, 'a'));
  CHECK(at.req.refusal() == 0);
  CHECK(at.req.ready());
  CHECK(at.req.get_body() == std::string(100, 'a'));

  parsed over("Content-Length: 101\r\n", std::string(101, 'b'));
  CHECK(over.req.refusal() == 413);
  CHECK(over.req.ready());  // the request reaches the handler, without its body
  CHECK(over.req.get_body().empty());
  CHECK(over.req.refused_length() == 101);
  CHECK(over.req.refused_bytes_read() == 101);
  CHECK(over.req.get_header("Content-Length").empty());
}

TEST_CASE("a_chunked_body_is_refused_411_whatever_its_size", "[transport]") {
  parsed chunked("Transfer-Encoding: chunked\r\n", "2\r\n{}\r\n0\r\n\r\n");
  CHECK(chunked.req.refusal() == 411);
  CHECK(chunked.req.ready());
  CHECK(chunked.req.get_body().empty());
  CHECK(chunked.req.get_header("Transfer-Encoding").empty());
  // Even with a small Content-Length next to it.
  parsed both("Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", "{}");
  CHECK(both.req.refusal() == 411);
}
