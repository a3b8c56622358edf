// chatd's counters and their Prometheus text rendering (GET /metrics).
//
// Thread-safety: every counter is atomic; any thread may bump or read them.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "chat/engine.hpp"

namespace chat::chatd {

// The states of the database as the readiness monitor sees it, in metrics::database_state.
inline constexpr int k_database_state_count = 6;
inline constexpr const char* k_database_state_names[k_database_state_count] = {
    "up", "unavailable", "not_answering", "disk_full", "read_only", "misconfigured"};

class metrics {
 public:
  // Upper bounds (ms) of the delivery-latency buckets: commit to hand-over to the socket.
  static constexpr std::array<double, 10> k_latency_bounds_ms = {1,  2,   5,   10,   25,
                                                                 50, 100, 250, 1000, 5000};

  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> frames_in{0};
  std::atomic<std::uint64_t> frames_out{0};
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> messages_sent{0};       // send requests acknowledged
  std::atomic<std::uint64_t> messages_delivered{0};  // message.created frames written
  std::atomic<std::uint64_t> request_errors{0};      // error frames sent
  std::atomic<std::uint64_t> slow_consumers{0};      // connections cut off by the queue limit
  std::atomic<std::uint64_t> rate_limited{0};
  std::atomic<std::uint64_t> requests_timed_out{0};  // answered unavailable by --request-timeout
  std::atomic<std::uint64_t> requests_busy{0};       // WebSocket requests refused unrun (queue)
  std::atomic<std::uint64_t> http_requests{0};
  // Flood limits (docs/protocol.md "Limits"):
  std::atomic<std::int64_t> http_queued{0};                    // requests waiting for a worker
  std::atomic<std::uint64_t> http_busy{0};                     // 503: queue full or waited too long
  std::atomic<std::uint64_t> http_abandoned{0};                // dropped: the client had gone
  std::atomic<std::uint64_t> password_rate_limited{0};         // 429 before login/register work
  std::atomic<std::uint64_t> connections_over_address_cap{0};  // closed at once on accept

  // The database as the readiness monitor last saw it (database_health.hpp: health_state).
  std::atomic<int> database_state{0};
  std::atomic<std::uint64_t> database_outages{0};  // times it turned from up to not up

  void observe_delivery_latency(double ms);

  // The Prometheus exposition text of these counters and the engine's statistics.
  std::string render(const chat::engine_stats& engine) const;

 private:
  std::array<std::atomic<std::uint64_t>, k_latency_bounds_ms.size() + 1> latency_buckets_{};
  std::atomic<std::uint64_t> latency_count_{0};
  std::atomic<std::uint64_t> latency_sum_us_{0};
};

}  // namespace chat::chatd
