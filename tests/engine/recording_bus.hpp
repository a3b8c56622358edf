// An event bus that keeps the messages of the events published to it, for commit queue tests.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "routing/event_bus.hpp"

namespace chat::test {

struct recording_bus final : detail::event_bus {
  std::mutex mutex;
  std::vector<message> published;
  void publish(const detail::routed_event& e) override {
    std::lock_guard<std::mutex> lock(mutex);
    if (e.payload->message) published.push_back(*e.payload->message);
  }
  bool revoke(user_id, const std::string&, const event_ptr&) override { return false; }
  std::vector<message> seen() {
    std::lock_guard<std::mutex> lock(mutex);
    return published;
  }
};

}  // namespace chat::test
