// chatd's protocol hot paths without sockets: decoding a client's send frame, one session's
// send → commit → acknowledgement in process, and the cost per recipient of putting an event
// frame on a connection's send queue (websocketpp's per-call preparation against one prepared
// frame shared by every recipient). See docs/performance.md.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chat/chat.hpp>
#include <chat/wire.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <websocketpp/config/core.hpp>
#include <websocketpp/processors/hybi13.hpp>

#include "config/config.hpp"
#include "metrics/metrics.hpp"
#include "protocol/args.hpp"
#include "protocol/outbox.hpp"
#include "protocol/session.hpp"
#include "protocol/utf8.hpp"
#include "transport/shared_frames.hpp"

namespace {

// The session logs every auth at info level; the figures are about the frames, not the log.
const bool k_quiet = (spdlog::set_level(spdlog::level::off), true);

const std::string k_send_frame =
    R"({"type":"send","id":"s-1842","channel_id":"1234567","client_msg_id":"6f1c2a9e-3b7d-4c55-)"
    R"(9a0e-2d8f1b6c7e10","text":"benchmark message: the quick brown fox jumps over the lazy )"
    R"(dog 0123456789 caf\u00e9"})";

// What session::handle does to a send frame before the engine sees it.
void bm_decode_send_frame(benchmark::State& state) {
  for (auto _ : state) {
    if (!chat::chatd::valid_utf8(k_send_frame)) state.SkipWithError("not UTF-8");
    auto req = nlohmann::json::parse(k_send_frame, nullptr, false);
    auto channel = chat::chatd::require_id(req, "channel_id");
    auto text = chat::chatd::require_string(req, "text");
    auto key = chat::chatd::optional_string(req, "client_msg_id");
    benchmark::DoNotOptimize(channel);
    benchmark::DoNotOptimize(text.data());
    benchmark::DoNotOptimize(key);
  }
  state.SetItemsProcessed(state.iterations());
}

// One authenticated session on an in-memory SQLite engine: `window` send frames in, then wait
// for their `window` acknowledgements. Measures decode, checks, group commit (no fsync: the
// database is in memory) and the encoding of each ack: chatd's CPU per message apart from
// sockets and disk.
void bm_session_send(benchmark::State& state) {
  chat::engine_options options;
  options.database = "sqlite3://db=:memory:";
  options.password_hashing = chat::password_cost::minimum;
  auto opened = chat::engine::open(options);
  if (!opened) return state.SkipWithError("engine did not open");
  auto engine = std::move(opened.value());
  engine->register_user({"bench", "a long password", {}, {}});
  auto grant = engine->login("bench", "a long password");
  auto group = engine->create_group(grant->account.id, "bench", "", {});
  if (!grant || !group) return state.SkipWithError("setup failed");

  chat::chatd::connection_limits limits;
  limits.frames_per_second = 1e9;
  limits.frame_burst = 1e9;
  chat::chatd::metrics counters;
  std::atomic<int> kicks{0};
  auto box = std::make_shared<chat::chatd::outbox>(
      chat::chatd::outbox::limits{1u << 30, 1u << 20}, [&] { kicks.fetch_add(1); }, [] {});
  chat::chatd::limits::work_lane requests(1, 1024, std::chrono::seconds(60));
  chat::chatd::limits::work_lane detach(1, 1024, std::chrono::seconds(60));
  const chat::chatd::session_resources lent{requests, detach,
                                            std::make_shared<std::atomic<std::int64_t>>(0)};
  auto session = std::make_shared<chat::chatd::session>(
      *engine, limits, counters, box, [](std::uint16_t, const std::string&) {}, lent);
  auto& s = *session;
  s.on_frame(R"({"type":"auth","id":"a","token":")" + grant->token + "\"}");
  while (!s.idle()) std::this_thread::yield();  // auth runs on the requests lane
  box->take();

  const int window = static_cast<int>(state.range(0));
  const std::string prefix =
      R"({"type":"send","id":"s","channel_id":")" + std::to_string(group->id) + R"(","text":"m)";
  std::uint64_t n = 0;
  for (auto _ : state) {
    for (int i = 0; i < window; ++i) s.on_frame(prefix + std::to_string(++n) + "\"}");
    int acks = 0;
    while (acks < window) acks += static_cast<int>(box->take().size());
  }
  state.SetItemsProcessed(state.iterations() * window);
}

using message_type = websocketpp::config::core::message_type;
using manager_type = websocketpp::config::core::con_msg_manager_type;

std::string event_json() {
  chat::event ev;
  ev.kind = chat::event_kind::message_created;
  ev.channel = 42;
  ev.message = chat::message{123456, 42, 9876, 7, std::string(72, 'x'), "a-client-msg-id", 1};
  return chat::wire::encode_event(ev);
}

// Per recipient, the old path: connection::send(payload) allocates a message, copies the
// payload in, and the processor allocates a second one, validates UTF-8 and copies again.
void bm_queue_frame_per_recipient_copy(benchmark::State& state) {
  const std::string json = event_json();
  auto manager = std::make_shared<manager_type>();
  websocketpp::config::core::rng_type rng;
  websocketpp::processor::hybi13<websocketpp::config::core> processor(false, true, manager, rng);
  for (auto _ : state) {
    auto in = manager->get_message(websocketpp::frame::opcode::text, json.size());
    in->append_payload(json);
    auto out = manager->get_message();
    processor.prepare_data_frame(in, out);
    benchmark::DoNotOptimize(out.get());
  }
  state.SetItemsProcessed(state.iterations());
}

// Per recipient, the shared path: the frame is prepared once per event (by the memo) and each
// recipient's send queue takes a reference to it.
void bm_queue_frame_shared(benchmark::State& state) {
  auto ev = std::make_shared<chat::event>();
  ev->json = event_json();
  const chat::event_ptr event = ev;
  const int recipients = static_cast<int>(state.range(0));
  for (auto _ : state) {
    chat::chatd::transport::frame_memo<message_type> memo;
    for (int r = 0; r < recipients; ++r) {
      std::shared_ptr<message_type> queued = memo.frame_of(event);
      benchmark::DoNotOptimize(queued.get());
    }
  }
  state.SetItemsProcessed(state.iterations() * recipients);
}

BENCHMARK(bm_decode_send_frame);
BENCHMARK(bm_session_send)->Arg(1)->Arg(64)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(bm_queue_frame_per_recipient_copy);
BENCHMARK(bm_queue_frame_shared)->Arg(10)->Arg(100);

}  // namespace

BENCHMARK_MAIN();
