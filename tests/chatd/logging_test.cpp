// Log lines: values from outside are escaped (log_value) and no message can start a new line.
#include "logging/logging.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <memory>
#include <sstream>
#include <string>

#include "fixture.hpp"
#include "http/oidc_routes.hpp"
#include "oidc/oidc.hpp"

using namespace chat::chatd;

namespace {

// Makes a logger in chatd's format writing into `out` the default while it lives.
class captured_log {
 public:
  captured_log() {
    previous_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_formatter(make_log_formatter());
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~captured_log() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

std::size_t lines(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// Never called: every request of these tests fails before reaching a provider.
class no_http final : public chat::oidc::http_client {
 public:
  chat::oidc::result<chat::oidc::http_response> send(const chat::oidc::http_request&) override {
    FAIL("unexpected HTTP request");
    return chat::oidc::http_response{};
  }
};

}  // namespace

TEST_CASE("log_value_leaves_plain_values_and_quotes_and_escapes_the_rest", "[logging]") {
  CHECK(log_value("127.0.0.1:5000") == "127.0.0.1:5000");
  CHECK(log_value("/v1/me") == "/v1/me");
  CHECK(log_value("") == "\"\"");
  CHECK(log_value("a b") == "\"a b\"");
  CHECK(log_value("x=1") == "\"x=1\"");
  CHECK(log_value("say \"hi\" \\o/") == R"("say \"hi\" \\o/")");
  CHECK(log_value("a\nts=now level=info event=forged") == R"("a\nts=now level=info event=forged")");
  CHECK(log_value("\r\t\x1b[31m\x7f") == R"("\r\t\x1b[31m\x7f")");
  CHECK(log_value(std::string("nul\0x", 5)) == R"("nul\x00x")");
  CHECK(log_value("caf\xc3\xa9") == "\"caf\xc3\xa9\"");   // valid UTF-8 stays
  CHECK(log_value("bad\xff\xc3") == R"("bad\xff\xc3")");  // invalid UTF-8 is escaped
}

TEST_CASE("a_message_with_a_newline_stays_one_log_line", "[logging]") {
  captured_log log;
  spdlog::info("event=test value={}", "first\nts=2026 level=critical event=forged\r");
  const std::string text = log.text();
  CHECK(lines(text) == 1);
  CHECK(text.find("level=info event=test value=first\\nts=2026 level=critical event=forged\\r\n") !=
        std::string::npos);
}

// The finding: a provider name with a newline in POST /v1/auth/oidc/native forged a log line.
TEST_CASE("a_provider_name_with_a_newline_cannot_forge_a_log_line", "[logging]") {
  auto engine = test::open_engine();
  config settings;
  http::oidc_routes routes(*engine, settings,
                           std::make_unique<chat::oidc::relying_party>(
                               chat::oidc::provider_registry{}, std::make_shared<no_http>()),
                           std::make_unique<chat::oidc::accounts>(*engine));
  http::request req;
  req.method = "POST";
  req.path = "/v1/auth/oidc/native";
  req.remote = "203.0.113.9:4000";
  req.body =
      R"({"provider":"x\nts=2026-12-02T00:00:00.000+0000 level=info event=http.login user=1",)"
      R"("id_token":"a.b.c"})";
  captured_log log;
  const http::response res = routes.handle(req);
  CHECK(res.status == 404);
  const std::string text = log.text();
  INFO(text);
  CHECK(lines(text) == 1);
  CHECK(
      text.find(
          R"(event=oidc.native_refused provider="x\nts=2026-12-02T00:00:00.000+0000 )"
          R"(level=info event=http.login user=1" code=unknown_provider remote=203.0.113.9:4000)") !=
      std::string::npos);
}
