// A real engine on in-memory SQLite and a session wired to a capturing outbox.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chat/engine.hpp"
#include "config/config.hpp"
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
  std::shared_ptr<outbox> box = std::make_shared<outbox>(
      outbox::limits{}, [] {}, [] {});
  std::vector<std::pair<std::uint16_t, std::string>> closes;
  session::clock::time_point t0 = session::clock::now();
  std::unique_ptr<session> s;

  session_fixture() { make(); }
  // A new session (and outbox: closing the old session shuts its outbox).
  void make() {
    s.reset();
    box = std::make_shared<outbox>(
        outbox::limits{}, [] {}, [] {});
    s = std::make_unique<session>(
        *engine, limits, counters, box,
        [this](std::uint16_t code, const std::string& reason) {
          closes.emplace_back(code, reason);
        },
        t0);
  }

  // Frames queued since the last call, parsed.
  std::vector<nlohmann::json> take() {
    std::vector<nlohmann::json> out;
    for (auto& f : box->take()) out.push_back(nlohmann::json::parse(f.payload()));
    return out;
  }
  nlohmann::json one(const std::string& frame) {
    s->on_frame(frame, t0);
    auto frames = take();
    REQUIRE(frames.size() == 1);
    return frames[0];
  }
};

}  // namespace chat::chatd::test
