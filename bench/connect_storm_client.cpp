// connect_storm_client: the storm side of bench/connect_storm.sh. Opens one WebSocket per token
// (a file, one token a line), spread evenly over --over seconds, authenticates each with its
// existing session token and reports when every client was ready. chatd: `auth` frame, ready at
// its response; node-ref: /ws?token=, then a join, ready at `joined` (node-ref checks the token
// before it reads the join). One thread, websocketpp's client: a Node client spent ~0.4 ms of CPU
// per connection here, more than the server, on a machine the server shares.
//
//   connect_storm_client --port P --tokens FILE [--server chatd|node-ref] [--over S]
//                        [--timeout S] [--hold S]
// Progress goes to stderr; stdout gets one JSON line.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

namespace {

using client = websocketpp::client<websocketpp::config::asio_client>;
using clock_type = std::chrono::steady_clock;

struct options {
  int port = 0;
  std::string tokens;
  bool node_ref = false;
  double over_s = 1;
  double timeout_s = 30;
  double hold_s = 5;
};

struct client_state {
  clock_type::time_point started;
  double ready_at_ms = -1;  // since the storm began
  double took_ms = -1;      // connect to ready
  bool failed = false;
};

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p / 100 * static_cast<double>(v.size()));
  return v[std::min(v.size() - 1, i)];
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--port")
      o.port = std::atoi(v.c_str());
    else if (k == "--tokens")
      o.tokens = v;
    else if (k == "--server")
      o.node_ref = v == "node-ref";
    else if (k == "--over")
      o.over_s = std::atof(v.c_str());
    else if (k == "--timeout")
      o.timeout_s = std::atof(v.c_str());
    else if (k == "--hold")
      o.hold_s = std::atof(v.c_str());
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  if (o.port == 0 || o.tokens.empty()) {
    std::fprintf(stderr,
                 "usage: connect_storm_client --port P --tokens FILE [--server chatd|node-ref] "
                 "[--over S] [--timeout S] [--hold S]\n");
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const options opt = parse(argc, argv);
  std::vector<std::string> tokens;
  {
    std::ifstream in(opt.tokens);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) tokens.push_back(line);
  }
  const std::size_t n = tokens.size();
  std::vector<client_state> states(n);
  std::map<std::string, int> failures;
  std::size_t started = 0, opened = 0, ready = 0, failed = 0;
  double last_open_ms = 0;

  client c;
  c.clear_access_channels(websocketpp::log::alevel::all);
  c.clear_error_channels(websocketpp::log::elevel::all);
  c.init_asio();
  const auto t0 = clock_type::now();
  const double cpu0 = cpu_seconds();
  const std::string base = "ws://127.0.0.1:" + std::to_string(opt.port);

  auto fail = [&](std::size_t i, const std::string& why) {
    if (states[i].failed || states[i].ready_at_ms >= 0) return;
    states[i].failed = true;
    ++failed;
    ++failures[why];
  };

  auto open_one = [&](std::size_t i) {
    websocketpp::lib::error_code ec;
    const std::string uri = opt.node_ref ? base + "/ws?token=" + tokens[i] : base + "/v1/ws";
    client::connection_ptr con = c.get_connection(uri, ec);
    if (ec) return fail(i, ec.message());
    states[i].started = clock_type::now();
    con->set_open_handler([&, i](websocketpp::connection_hdl h) {
      ++opened;
      last_open_ms = ms_since(t0);
      const nlohmann::json frame =
          opt.node_ref ? nlohmann::json{{"type", "join"}, {"room", "storm" + std::to_string(i)}}
                       : nlohmann::json{{"type", "auth"}, {"id", "a"}, {"token", tokens[i]}};
      websocketpp::lib::error_code send_ec;
      c.send(h, frame.dump(), websocketpp::frame::opcode::text, send_ec);
      if (send_ec) fail(i, send_ec.message());
    });
    con->set_message_handler([&, i](websocketpp::connection_hdl, client::message_ptr msg) {
      if (states[i].ready_at_ms >= 0 || states[i].failed) return;
      const auto j = nlohmann::json::parse(msg->get_payload(), nullptr, false);
      if (j.is_discarded()) return fail(i, "not JSON");
      if (opt.node_ref) {
        if (j.value("type", "") != "joined") return;
      } else {
        if (j.value("id", "") != "a") return;  // an event before the response
        if (!j.contains("result")) return fail(i, "auth refused: " + j.dump().substr(0, 80));
      }
      states[i].ready_at_ms = ms_since(t0);
      states[i].took_ms = ms_since(states[i].started);
      ++ready;
    });
    con->set_fail_handler([&, i](websocketpp::connection_hdl h) {
      auto failed_con = c.get_con_from_hdl(h);
      fail(i, "connect failed: " + failed_con->get_ec().message());
    });
    con->set_close_handler([&, i](websocketpp::connection_hdl) { fail(i, "closed before ready"); });
    c.connect(con);
  };

  std::fprintf(stderr, "connect_storm_client: %zu clients over %.1f s against %s (%s)\n", n,
               opt.over_s, base.c_str(), opt.node_ref ? "node-ref" : "chatd");
  double started_in_ms = 0;
  double next_report_ms = 500;
  bool holding = false;
  auto ticker = std::make_shared<asio::steady_timer>(c.get_io_service());
  std::function<void()> tick = [&] {
    const double now_ms = ms_since(t0);
    const auto due = std::min<std::size_t>(
        n, static_cast<std::size_t>(now_ms / (opt.over_s * 1000) * static_cast<double>(n)) + 1);
    while (started < due) open_one(started++);
    if (started == n && started_in_ms == 0) started_in_ms = now_ms;
    if (now_ms >= next_report_ms && !holding) {
      std::fprintf(stderr, "connect_storm_client: t=%.1f s: %zu open, %zu ready, %zu failed\n",
                   now_ms / 1000, opened, ready, failed);
      next_report_ms += 500;
    }
    if (!holding && (ready + failed == n || now_ms > opt.timeout_s * 1000)) {
      holding = true;
      ticker->expires_after(std::chrono::milliseconds(static_cast<long>(opt.hold_s * 1000)));
      ticker->async_wait([&](const std::error_code&) { c.stop(); });
      return;
    }
    ticker->expires_after(std::chrono::microseconds(200));
    ticker->async_wait([&](const std::error_code&) { tick(); });
  };
  tick();
  // The statistics are taken when the last client is ready (or the timeout), before the hold.
  std::vector<double> at, took;
  double cpu_s = 0;
  auto stats = std::make_shared<asio::steady_timer>(c.get_io_service());
  std::function<void()> watch = [&] {
    if (holding) {
      for (const auto& s : states)
        if (s.ready_at_ms >= 0) {
          at.push_back(s.ready_at_ms);
          took.push_back(s.took_ms);
        }
      cpu_s = cpu_seconds() - cpu0;
      std::fprintf(stderr,
                   "connect_storm_client: %zu/%zu ready, %zu failed; all ready after %.3f s "
                   "(connect to ready p50 %.1f ms, p99 %.1f ms); this client used %.2f s CPU; "
                   "holding %.0f s\n",
                   ready, n, failed, ready == n ? percentile(at, 100) / 1000 : -1.0,
                   percentile(took, 50), percentile(took, 99), cpu_s, opt.hold_s);
      return;
    }
    stats->expires_after(std::chrono::milliseconds(1));
    stats->async_wait([&](const std::error_code&) { watch(); });
  };
  watch();
  c.run();

  nlohmann::json failure_json = nlohmann::json::object();
  for (const auto& [why, count] : failures) failure_json[why] = count;
  auto r3 = [](double v) { return v < 0 ? nlohmann::json(nullptr) : nlohmann::json(v); };
  const nlohmann::json summary{
      {"server", opt.node_ref ? "node-ref" : "chatd"},
      {"clients", n},
      {"over_s", opt.over_s},
      {"started_in_s", started_in_ms / 1000},
      {"ready", ready},
      {"failed", failed},
      {"timed_out", n - ready - failed},
      {"all_ready_s", ready == n ? r3(percentile(at, 100) / 1000) : nullptr},
      {"ready_99_s", r3(percentile(at, 99) / 1000)},
      {"last_open_s", last_open_ms / 1000},
      {"connect_to_ready_ms",
       {{"p50", r3(percentile(took, 50))},
        {"p99", r3(percentile(took, 99))},
        {"max", r3(percentile(took, 100))}}},
      {"client_cpu_s", cpu_s},
      {"failures", failure_json}};
  std::printf("%s\n", summary.dump().c_str());
  return 0;
}
