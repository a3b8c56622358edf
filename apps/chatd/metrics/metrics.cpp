// Prometheus text exposition format 0.0.4 of chatd's counters.
#include "metrics/metrics.hpp"

#include <sstream>

namespace chat::chatd {

void metrics::observe_delivery_latency(double ms) {
  if (ms < 0) ms = 0;
  std::size_t i = 0;
  while (i < k_latency_bounds_ms.size() && ms > k_latency_bounds_ms[i]) ++i;
  latency_buckets_[i].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(static_cast<std::uint64_t>(ms * 1000), std::memory_order_relaxed);
}

namespace {
void metric(std::ostringstream& out, const char* name, const char* type, const char* help,
            std::int64_t value) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
      << name << ' ' << value << '\n';
}
}  // namespace

std::string metrics::render(const chat::engine_stats& engine) const {
  std::ostringstream out;
  auto v = [](const auto& a) {
    return static_cast<std::int64_t>(a.load(std::memory_order_relaxed));
  };
  metric(out, "chatd_connections", "gauge", "Open WebSocket connections.", v(connections_open));
  metric(out, "chatd_connections_total", "counter", "WebSocket connections accepted.",
         v(connections_total));
  metric(out, "chatd_frames_in_total", "counter", "WebSocket frames received.", v(frames_in));
  metric(out, "chatd_frames_out_total", "counter", "WebSocket frames sent.", v(frames_out));
  metric(out, "chatd_bytes_out_total", "counter", "WebSocket payload bytes sent.", v(bytes_out));
  metric(out, "chatd_messages_sent_total", "counter", "Messages acknowledged to their senders.",
         v(messages_sent));
  metric(out, "chatd_messages_delivered_total", "counter",
         "message.created events written to connections.", v(messages_delivered));
  metric(out, "chatd_request_errors_total", "counter", "Error frames sent.", v(request_errors));
  metric(out, "chatd_slow_consumers_total", "counter",
         "Connections closed because their outgoing queue was full.", v(slow_consumers));
  metric(out, "chatd_rate_limited_total", "counter", "Requests refused by the rate limit.",
         v(rate_limited));
  metric(out, "chatd_requests_timed_out_total", "counter",
         "WebSocket requests answered unavailable after --request-timeout.", v(requests_timed_out));
  metric(out, "chatd_requests_busy_total", "counter",
         "WebSocket requests refused unrun: the worker queue was full or stopped.",
         v(requests_busy));
  metric(out, "chatd_http_requests_total", "counter", "HTTP requests served.", v(http_requests));
  metric(out, "chatd_http_queued", "gauge", "HTTP requests waiting for a worker thread.",
         v(http_queued));
  metric(out, "chatd_http_busy_total", "counter",
         "HTTP requests answered 503: worker queue full, or waited past --queue-timeout.",
         v(http_busy));
  metric(out, "chatd_http_abandoned_total", "counter",
         "Queued HTTP requests dropped unrun because their client had gone.", v(http_abandoned));
  metric(out, "chatd_password_rate_limited_total", "counter",
         "Login and register requests answered 429 by the password-work rate limits.",
         v(password_rate_limited));
  metric(out, "chatd_connections_refused_total", "counter",
         "Connections closed on accept: their address had --max-connections-per-address.",
         v(connections_over_address_cap));
  metric(out, "chatd_engine_messages_committed_total", "counter", "Messages committed.",
         static_cast<std::int64_t>(engine.messages_committed));
  metric(out, "chatd_engine_duplicate_sends_total", "counter",
         "Sends answered with an existing message (client_msg_id retries).",
         static_cast<std::int64_t>(engine.duplicate_sends));
  metric(out, "chatd_engine_events_delivered_total", "counter", "Events handed to sessions.",
         static_cast<std::int64_t>(engine.events_delivered));
  metric(out, "chatd_database_errors_total", "counter", "Engine calls failed by the database.",
         static_cast<std::int64_t>(engine.database_errors));
  metric(out, "chatd_database_disk_full_errors_total", "counter",
         "Engine calls failed because the database's disk was full.",
         static_cast<std::int64_t>(engine.disk_full_errors));
  metric(out, "chatd_database_read_only_errors_total", "counter",
         "Engine calls failed because the database refused writes.",
         static_cast<std::int64_t>(engine.read_only_errors));
  metric(out, "chatd_engine_in_doubt_sends_total", "counter",
         "Sends answered 'outcome unknown': the connection died during their COMMIT.",
         static_cast<std::int64_t>(engine.in_doubt_sends));
  metric(out, "chatd_engine_in_doubt_published_total", "counter",
         "Of those, messages found stored afterwards and delivered live.",
         static_cast<std::int64_t>(engine.in_doubt_published));
  const int state = database_state.load(std::memory_order_relaxed);
  metric(out, "chatd_database_up", "gauge",
         "1 if the database answered the last readiness check and took its write, else 0.",
         state == 0 ? 1 : 0);
  out << "# HELP chatd_database_state The database's state at the last readiness check.\n"
         "# TYPE chatd_database_state gauge\n";
  for (int i = 0; i < k_database_state_count; ++i)
    out << "chatd_database_state{state=\"" << k_database_state_names[i] << "\"} "
        << (i == state ? 1 : 0) << '\n';
  metric(out, "chatd_database_outages_total", "counter",
         "Times the readiness check saw the database go from up to not up.", v(database_outages));
  metric(out, "chatd_engine_sessions", "gauge", "Sessions registered with the engine.",
         static_cast<std::int64_t>(engine.connections));

  out << "# HELP chatd_commit_batch_size Messages per group-commit transaction.\n"
         "# TYPE chatd_commit_batch_size histogram\n";
  for (int i = 0; i < chat::engine_stats::k_batch_bucket_count; ++i) {
    out << "chatd_commit_batch_size_bucket{le=\"";
    if (i + 1 < chat::engine_stats::k_batch_bucket_count) {
      out << chat::engine_stats::k_batch_bounds[i];
    } else {
      out << "+Inf";
    }
    out << "\"} " << engine.batch_size_buckets[i] << '\n';
  }
  out << "chatd_commit_batch_size_sum " << engine.batch_size_sum << '\n'
      << "chatd_commit_batch_size_count " << engine.commit_batches << '\n';

  out << "# HELP chatd_delivery_latency_seconds From commit to the write of a message.created "
         "frame.\n# TYPE chatd_delivery_latency_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < latency_buckets_.size(); ++i) {
    cumulative += latency_buckets_[i].load(std::memory_order_relaxed);
    out << "chatd_delivery_latency_seconds_bucket{le=\"";
    if (i < k_latency_bounds_ms.size()) {
      out << k_latency_bounds_ms[i] / 1000.0;
    } else {
      out << "+Inf";
    }
    out << "\"} " << cumulative << '\n';
  }
  out << "chatd_delivery_latency_seconds_sum "
      << static_cast<double>(latency_sum_us_.load(std::memory_order_relaxed)) / 1e6 << '\n'
      << "chatd_delivery_latency_seconds_count " << latency_count_.load() << '\n';
  return out.str();
}

}  // namespace chat::chatd
