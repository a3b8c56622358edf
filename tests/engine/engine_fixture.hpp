// Shared pieces of the engine tests: opening engines on each backend and recording sinks.
#pragma once

#include <atomic>
#include <catch2/catch.hpp>
#include <chat/chat.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "support/test_env.hpp"

namespace chat::test {

inline std::unique_ptr<engine> open_engine(const std::string& url,
                                           std::function<time_ms()> clock = nullptr,
                                           int pool_size = 4) {
  engine_options options;
  options.database = url;
  options.pool_size = pool_size;
  options.password_hashing = password_cost::minimum;
  options.clock = std::move(clock);
  auto opened = engine::open(options);
  INFO(opened.error().message());
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

inline std::unique_ptr<engine> open_memory_engine(std::function<time_ms()> clock = nullptr) {
  return open_engine("sqlite3://db=:memory:", std::move(clock), 1);
}

inline user make_user(engine& e, const std::string& name) {
  auto u = e.register_user({name, "correct horse battery", std::nullopt, std::nullopt});
  INFO(u.error().message());
  REQUIRE(u.ok());
  return *u;
}

// Records delivered events; wait_for() blocks (bounded) until a predicate over them holds.
class recording_sink final : public session_sink {
 public:
  void deliver(const event_ptr& e) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      events_.push_back(e);
    }
    changed_.notify_all();
  }
  std::vector<event_ptr> events() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  std::vector<event_ptr> of(event_kind kind) const {
    std::vector<event_ptr> out;
    for (auto& e : events())
      if (e->kind == kind) out.push_back(e);
    return out;
  }
  bool wait_for(const std::function<bool(const std::vector<event_ptr>&)>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done(events_); });
  }
  bool wait_count(event_kind kind, std::size_t n,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
    return wait_for(
        [&](const std::vector<event_ptr>& all) {
          std::size_t c = 0;
          for (auto& e : all) c += e->kind == kind;
          return c >= n;
        },
        timeout);
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<event_ptr> events_;
};

// A clock that tests move by hand.
struct manual_clock {
  std::shared_ptr<std::atomic<time_ms>> now =
      std::make_shared<std::atomic<time_ms>>(1'700'000'000'000);
  std::function<time_ms()> fn() const {
    auto n = now;
    return [n] { return n->load(); };
  }
  void advance(std::chrono::milliseconds d) { *now += d.count(); }
};

}  // namespace chat::test
