// Fuzz target: WebSocket request frames (JSON -> request) through chatd's session: on_frame,
// the dispatcher and the argument readers of protocol/args.cpp, on a real in-memory engine.
// The input is one or more frames separated by newlines; the first byte chooses whether the
// session is signed in (by cookie, like a browser) or must authenticate with a frame. A reply
// with the error code "internal" (a handler threw) counts as a crash.
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "chat/engine.hpp"
#include "config/config.hpp"
#include "limits/work_lane.hpp"
#include "metrics/metrics.hpp"
#include "protocol/outbox.hpp"
#include "protocol/session.hpp"

namespace {

struct world {
  std::unique_ptr<chat::engine> engine;
  chat::user me;
  std::string token;
  chat::chatd::connection_limits limits;
  chat::chatd::metrics counters;
  // The lanes the transport gives sessions (requests that need the database; disconnects).
  chat::chatd::limits::work_lane requests{1, 1 << 16, std::chrono::hours(1)};
  chat::chatd::limits::work_lane detach{1, 1 << 16, std::chrono::hours(1)};
  chat::chatd::session_resources lent{requests, detach,
                                      std::make_shared<std::atomic<std::int64_t>>(0)};
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
    for (const char* name : {"alice", "bob"}) {
      if (!out->engine->register_user({name, "a long password", {}, {}}).ok()) std::abort();
    }
    auto grant = out->engine->login("alice", "a long password");
    if (!grant.ok()) std::abort();
    out->me = grant.value().account;
    out->token = grant.value().token;
    return out;
  }();
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  world& w = the_world();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const bool signed_in = !input.empty() && (input[0] & 1);
  auto box = std::make_shared<chat::chatd::outbox>(
      chat::chatd::outbox::limits{}, [] {}, [] {});
  std::atomic<bool> closed{false};
  const auto t0 = chat::chatd::session::clock::now();
  {
    auto session = std::make_shared<chat::chatd::session>(
        *w.engine, w.limits, w.counters, box,
        [&closed](std::uint16_t, const std::string&) { closed = true; }, w.lent,
        signed_in ? w.token : std::string(), t0);
    auto& s = *session;
    // Requests that need the database run on the lane: wait for each before the next frame.
    auto settle = [&s] {
      while (!s.idle()) std::this_thread::yield();
    };
    s.on_open();  // checks the cookie (signed in) on the lane
    settle();
    while (!closed) {
      const auto end = input.find('\n');
      s.on_frame(input.substr(0, end), t0);
      settle();
      if (end == std::string_view::npos) break;
      input.remove_prefix(end + 1);
    }
    s.on_closed();
  }
  // The disconnect runs on the detach lane: wait for it, so that no engine work of this input
  // is still running when the next one starts or the process exits (the world is never
  // destroyed, and exit destroys the statics that work may read).
  std::promise<void> drained;
  chat::chatd::limits::work_lane::job marker;
  marker.run = [&drained] { drained.set_value(); };
  marker.refused = [&drained](chat::chatd::limits::work_lane::refusal) { drained.set_value(); };
  if (w.detach.submit(std::move(marker))) drained.get_future().wait();
  // A handler that throws is answered "internal" (on_frame keeps the connection): with an
  // in-memory database nothing else produces that code, so it is a bug in the request path.
  for (const auto& frame : box->take())
    if (frame.payload().find("\"code\":\"internal\"") != std::string::npos) __builtin_trap();
  return 0;
}
