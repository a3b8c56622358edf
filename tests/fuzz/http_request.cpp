// Fuzz target: an HTTP request as the transport hands it to chatd's router (method, path,
// query, headers, body): lane_of() and handle() with every route, on a real in-memory engine.
// The input is a request in HTTP/1.1 text form: "METHOD target\r\n" then "Name: value" lines,
// an empty line and the body (bare \n also ends a line). The harness's own split is lenient on
// purpose; the router is what is under test.
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "chat/engine.hpp"
#include "config/config.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "metrics/metrics.hpp"

namespace {

struct world {
  std::unique_ptr<chat::engine> engine;
  chat::chatd::config settings;
  chat::chatd::metrics counters;
  std::unique_ptr<chat::chatd::http::router> router;
};

world& the_world() {
  // Built once and never destroyed: the engine's threads outlive any static destructor order.
  static world* w = [] {
    spdlog::set_level(spdlog::level::off);
    auto* out = new world;
    chat::engine_options options;
    options.database = "sqlite3://db=:memory:";
    options.password_hashing = chat::password_cost::minimum;
    auto opened = chat::engine::open(options);
    if (!opened.ok()) std::abort();
    out->engine = std::move(opened.value());
    if (!out->engine->register_user({"alice", "a long password", {}, {}}).ok()) std::abort();
    out->settings.web_root = CHATD_DEFAULT_WEB_ROOT;
    out->settings.engine.password_hashing = chat::password_cost::minimum;
    out->router =
        std::make_unique<chat::chatd::http::router>(*out->engine, out->settings, out->counters);
    return out;
  }();
  return *w;
}

std::string_view next_line(std::string_view& input) {
  const auto end = input.find('\n');
  std::string_view line = input.substr(0, end);
  input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  world& w = the_world();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  chat::chatd::http::request req;
  const std::string_view first = next_line(input);
  const auto space = first.find(' ');
  req.method = std::string(first.substr(0, space));
  std::string_view target = space == std::string_view::npos ? "" : first.substr(space + 1);
  if (const auto version = target.rfind(" HTTP/"); version != std::string_view::npos)
    target = target.substr(0, version);
  const auto question = target.find('?');
  req.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) req.query = std::string(target.substr(question + 1));
  while (!input.empty()) {
    const std::string_view line = next_line(input);
    if (line.empty()) break;
    const auto colon = line.find(':');
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers[name] = std::string(value);
  }
  req.body = std::string(input);
  req.remote = "127.0.0.1";
  req.client = "127.0.0.1";
  req.tls = req.headers.count("x-fuzz-tls") != 0;
  chat::chatd::http::router::lane_of(req);
  const auto res = w.router->handle(req);
  // 500 is the answer to a handler that threw: with an in-memory database, always a bug.
  if (res.status < 100 || res.status > 599 || res.status == 500) __builtin_trap();
  return 0;
}
