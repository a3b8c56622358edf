// A real engine on in-memory SQLite and a session wired to a capturing outbox.
#pragma once

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "chat/engine.hpp"
#include "config/config.hpp"
#include "limits/work_lane.hpp"
#include "metrics/metrics.hpp"
#include "protocol/outbox.hpp"
#include "protocol/session.hpp"

namespace chat::chatd::test {

inline std::unique_ptr<chat::engine> open_engine() {
  chat::engine_options options;
  options.database = "sqlite3://db=:memory:";
  options.password_hashing = chat::password_cost::minimum;
  auto e = chat::engine::open(options);
  REQUIRE(e.ok());
  return std::move(e.value());
}

inline chat::session_grant account(chat::engine& e, const std::string& name) {
  REQUIRE(e.register_user({name, "a long password", {}, {}}).ok());
  auto grant = e.login(name, "a long password");
  REQUIRE(grant.ok());
  return grant.value();
}

struct session_fixture {
  std::unique_ptr<chat::engine> engine = open_engine();
  connection_limits limits;
  chatd::metrics counters;
  // The lanes the transport gives sessions: requests that need the database, and disconnects.
  limits::work_lane requests{2, 1024, std::chrono::seconds(60)};
  limits::work_lane detach{1, 1024, std::chrono::seconds(60)};
  session_resources lent{requests, detach, std::make_shared<std::atomic<std::int64_t>>(0)};
  std::shared_ptr<outbox> box = std::make_shared<outbox>(
      outbox::limits{}, [] {}, [] {});
  std::mutex closes_mutex;  // closes come from lane threads
  std::vector<std::pair<std::uint16_t, std::string>> closes;
  session::clock::time_point t0 = session::clock::now();
  std::shared_ptr<session> s;

  session_fixture() { make(); }
  ~session_fixture() {
    s.reset();
    requests.stop();
    detach.stop();
  }
  // A new session (and outbox: closing the old session shuts its outbox).
  void make() {
    if (s) settle();
    s.reset();
    box = std::make_shared<outbox>(
        outbox::limits{}, [] {}, [] {});
    s = std::make_shared<session>(
        *engine, limits, counters, box,
        [this](std::uint16_t code, const std::string& reason) {
          std::lock_guard<std::mutex> lock(closes_mutex);
          closes.emplace_back(code, reason);
        },
        lent, std::string(), t0);
  }

  // Waits until the session has no request queued or running (bounded: 10 s).
  void settle() {
    for (int i = 0; i < 10000 && !s->idle(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(s->idle());
  }
  std::vector<std::pair<std::uint16_t, std::string>> closed() {
    std::lock_guard<std::mutex> lock(closes_mutex);
    return closes;
  }

  // Frames queued since the last call (after the session's requests have run), parsed.
  std::vector<nlohmann::json> take() {
    settle();
    std::vector<nlohmann::json> out;
    for (auto& f : box->take()) out.push_back(nlohmann::json::parse(f.payload()));
    return out;
  }
  static bool is_reply_to(const nlohmann::json& frame, const std::string& id) {
    return (frame["type"] == "response" || frame["type"] == "error") && frame["id"] == id;
  }
  // Frames queued until the reply (response or error) to request `id` has come, that reply
  // included; for replies queued off the request lane (a send's ack comes from the commit
  // thread). Bounded: 10 s.
  std::vector<nlohmann::json> until_reply(const std::string& id) {
    std::vector<nlohmann::json> out;
    for (int i = 0; i < 10000; ++i) {
      bool found = false;
      for (auto& f : box->take()) {
        out.push_back(nlohmann::json::parse(f.payload()));
        found = found || is_reply_to(out.back(), id);
      }
      if (found) return out;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    FAIL("no reply to request " << id);
    return out;
  }
  // The reply to one request; events queued with it are dropped.
  nlohmann::json reply(const std::string& frame, const std::string& id) {
    s->on_frame(frame, t0);
    for (auto& fr : until_reply(id))
      if (is_reply_to(fr, id)) return fr;
    return {};
  }
  // Authenticates the session as `grant`'s user and drops the frames queued so far.
  void sign_in(const chat::session_grant& grant) {
    REQUIRE(one(R"({"type":"auth","id":"auth","token":")" + grant.token + R"("})")["type"] ==
            "response");
  }

  nlohmann::json one(const std::string& frame) {
    s->on_frame(frame, t0);
    auto frames = take();
    REQUIRE(frames.size() == 1);
    return frames[0];
  }
};

}  // namespace chat::chatd::test
