// The requests of an authenticated WebSocket session: one handler per frame type, each a thin
// translation between a JSON frame and one engine call (docs/protocol.md, "Requests").
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "chat/engine.hpp"
#include "metrics/metrics.hpp"
#include "protocol/outbox.hpp"

namespace chat::chatd {

// What a handler needs; replies go through the outbox, so they may come from any thread.
struct request_context {
  chat::engine& engine;
  chat::user_id me = 0;
  chat::connection_id connection = 0;
  std::string id;  // the request's id, echoed in its response
  std::shared_ptr<outbox> out;
  chatd::metrics& counters;
  const std::shared_ptr<std::atomic<std::int64_t>>& sends_in_flight;  // see session_resources
  // Set by the first answer: a request answered by its timeout is not answered again.
  std::shared_ptr<std::atomic<bool>> answered = std::make_shared<std::atomic<bool>>(false);

  void ok(std::string_view result_json) const;
  void fail(const chat::status& error) const;
  void fail_with(std::string_view code, std::string_view message) const;
};

// Runs one request. Returns false if `type` names no request (the caller answers
// unknown_type). Throws bad_request for a missing or malformed field.
bool dispatch_request(const std::string& type, const nlohmann::json& req,
                      const request_context& ctx);

// Every request type, for documentation tests.
std::vector<std::string> request_types();

}  // namespace chat::chatd
