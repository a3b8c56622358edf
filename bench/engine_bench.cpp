// Engine benchmarks through the public API only: send throughput (one commit per send and
// group-committed), in-process fan-out to connected sinks, history pages and JSON encoding,
// on SQLite (a file in a temp dir) and on MariaDB ($CHAT_BENCH_MYSQL). See docs/performance.md.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chat/chat.hpp>
#include <chat/wire.hpp>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

enum class backend { sqlite, mariadb };

// A typical chat line (72 bytes); every send uses a fresh client_msg_id like a real client.
const std::string k_text =
    "benchmark message: the quick brown fox jumps over the lazy dog 0123456789";
constexpr int k_history_messages = 10000;

// Counts deliveries and nothing else, so the figures measure the engine, not the sink.
class counting_sink final : public chat::session_sink {
 public:
  void deliver(const chat::event_ptr&) override { count_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> count_{0};
};

// Bounds the number of send_async calls in flight. release() runs on the engine's commit thread
// and only takes a short lock, as the send_callback contract requires.
class send_window {
 public:
  explicit send_window(std::size_t limit) : limit_(limit) {}

  void acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    freed_.wait(lock, [&] { return in_flight_ < limit_; });
    ++in_flight_;
  }
  void release(const chat::result<chat::message>& outcome) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --in_flight_;
      if (!outcome.ok()) {
        ++failures_;
        if (first_error_.empty())
          first_error_ =
              std::string(chat::to_string(outcome.code())) + ": " + outcome.error().message();
      }
    }
    freed_.notify_all();
  }
  void drain() {
    std::unique_lock<std::mutex> lock(mutex_);
    freed_.wait(lock, [&] { return in_flight_ == 0; });
  }
  std::uint64_t failures() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return failures_;
  }
  std::string first_error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return first_error_;
  }

 private:
  const std::size_t limit_;
  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable freed_;
  std::size_t in_flight_ = 0;
  std::uint64_t failures_ = 0;
  std::string first_error_;
};

// Unique per process and call: usernames (3..20 chars) and client_msg_ids.
std::string unique_name(const char* prefix) {
  static std::atomic<unsigned> counter{0};
  return prefix + std::to_string(::getpid() % 100000) + "_" + std::to_string(counter++);
}

// Sends `count` messages with at most `window` in flight and waits for every acknowledgement.
// Returns the number of failed sends (the first error goes to `error`).
std::uint64_t send_many(chat::engine& e, chat::user_id sender, chat::channel_id channel,
                        std::size_t count, std::size_t window, std::string* error) {
  send_window w(window);
  for (std::size_t i = 0; i < count; ++i) {
    w.acquire();
    e.send_async(sender, channel, k_text, unique_name("m"), 0,
                 [&w](chat::result<chat::message> r) { w.release(r); });
  }
  w.drain();
  if (error && w.failures() != 0) *error = w.first_error();
  return w.failures();
}

// One engine per backend, opened on first use and kept for the whole run, with the users and
// channels the benchmarks share. Benchmarks run one at a time, so no locking is needed.
class world {
 public:
  ~world() {
    engine_.reset();  // finishes pending sends before the database file goes away
    std::error_code ignored;
    if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_, ignored);
  }

  // The world of `b`, or nullptr with the reason in *why (benchmarks then skip).
  static world* get(backend b, std::string* why) {
    static std::map<backend, std::unique_ptr<world>> worlds;
    static std::map<backend, std::string> failures;
    if (auto f = failures.find(b); f != failures.end()) return *why = f->second, nullptr;
    if (auto w = worlds.find(b); w != worlds.end()) return w->second.get();
    auto created = std::unique_ptr<world>(new world);
    std::string error = created->open(b);
    if (!error.empty()) {
      failures[b] = error;
      *why = error;
      return nullptr;
    }
    return (worlds[b] = std::move(created)).get();
  }

  chat::engine& engine() { return *engine_; }
  chat::user_id sender() const { return sender_; }

  // A fresh group owned by the sender with `extra_members` more users; each call makes a new
  // channel so a benchmark starts from an empty one.
  chat::result<chat::channel_id> new_channel(int extra_members) {
    if (auto s = grow_crowd(extra_members); !s.ok()) return s;
    std::vector<chat::user_id> members(crowd_.begin(), crowd_.begin() + extra_members);
    auto c = engine_->create_group(sender_, unique_name("c"), "benchmark", members);
    if (!c) return c.error();
    return c->id;
  }

  // A channel holding k_history_messages messages, built on first use.
  chat::result<chat::channel_id> history_channel() {
    if (history_channel_ != 0) return history_channel_;
    auto c = new_channel(0);
    if (!c) return c;
    std::string error;
    if (send_many(*engine_, sender_, *c, k_history_messages, 1024, &error) != 0)
      return chat::status(chat::errc::internal, "filling the history channel: " + error);
    return history_channel_ = *c;
  }

 private:
  world() = default;

  std::string open(backend b) {
    chat::engine_options options;
    options.password_hashing = chat::password_cost::minimum;
    if (b == backend::mariadb) {
      const char* url = std::getenv("CHAT_BENCH_MYSQL");
      if (url == nullptr || *url == '\0') return "set CHAT_BENCH_MYSQL";
      options.database = url;
    } else {
      std::error_code ec;
      auto dir = std::filesystem::temp_directory_path(ec) / unique_name("chat_bench_");
      if (ec || !std::filesystem::create_directories(dir, ec))
        return "cannot create a temp dir: " + ec.message();
      temp_dir_ = dir.string();
      options.database = "sqlite3://db=" + (dir / "bench.db").string();
    }
    auto opened = chat::engine::open(options);
    if (!opened) return "engine::open: " + opened.error().message();
    engine_ = std::move(opened).value();
    auto u = register_one();
    if (!u) return "register_user: " + u.error().message();
    sender_ = *u;
    return {};
  }

  chat::result<chat::user_id> register_one() {
    auto u = engine_->register_user({unique_name("u"), "benchmark password", {}, {}});
    if (!u) return u.error();
    return u->id;
  }

  chat::status grow_crowd(int size) {
    while (static_cast<int>(crowd_.size()) < size) {
      auto u = register_one();
      if (!u) return u.error();
      crowd_.push_back(*u);
    }
    return {};
  }

  std::string temp_dir_;  // SQLite only; declared before engine_ so it outlives it
  std::unique_ptr<chat::engine> engine_;
  chat::user_id sender_ = 0;
  std::vector<chat::user_id> crowd_;  // other registered users, reused across channels
  chat::channel_id history_channel_ = 0;
};

// Adds the average commit batch size since `before` as a counter.
void report_batches(benchmark::State& state, const chat::engine_stats& before,
                    const chat::engine_stats& after) {
  const double batches = static_cast<double>(after.commit_batches - before.commit_batches);
  const double items = static_cast<double>(after.batch_size_sum - before.batch_size_sum);
  state.counters["avg_batch"] = batches > 0 ? items / batches : 0.0;
  state.counters["db_errors"] = static_cast<double>(after.database_errors - before.database_errors);
}

// (a) One thread, blocking send: every send waits for its own commit.
void bm_send_blocking(benchmark::State& state, backend b) {
  std::string why;
  world* w = world::get(b, &why);
  if (!w) return state.SkipWithError(why.c_str());
  auto channel = w->new_channel(0);
  if (!channel) return state.SkipWithError(channel.error().message().c_str());
  const auto before = w->engine().stats();
  for (auto _ : state) {
    auto sent = w->engine().send(w->sender(), *channel, k_text, unique_name("m"));
    if (!sent) {
      state.SkipWithError(("send: " + sent.error().message()).c_str());
      break;
    }
  }
  report_batches(state, before, w->engine().stats());
  state.SetItemsProcessed(state.iterations());
}

// (b) Group commit: `window` sends in flight through send_async. One iteration sends a chunk of
// 4 windows and waits for all of them, so the timing includes every commit.
void bm_send_pipelined(benchmark::State& state, backend b) {
  std::string why;
  world* w = world::get(b, &why);
  if (!w) return state.SkipWithError(why.c_str());
  auto channel = w->new_channel(0);
  if (!channel) return state.SkipWithError(channel.error().message().c_str());
  const auto window = static_cast<std::size_t>(state.range(0));
  const std::size_t chunk = 4 * window;
  const auto before = w->engine().stats();
  for (auto _ : state) {
    std::string error;
    if (send_many(w->engine(), w->sender(), *channel, chunk, window, &error) != 0) {
      state.SkipWithError(("send_async: " + error).c_str());
      break;
    }
  }
  report_batches(state, before, w->engine().stats());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * chunk));
}

// Fan-out: every member of a channel of `members` has one connected counting sink; sends go
// through group commit (256 in flight) and each is delivered to all members (origin 0, so the
// sender's own session counts too). items_per_second is deliveries per second.
void bm_fanout(benchmark::State& state, backend b) {
  std::string why;
  world* w = world::get(b, &why);
  if (!w) return state.SkipWithError(why.c_str());
  const int members = static_cast<int>(state.range(0));
  auto channel = w->new_channel(members - 1);
  if (!channel) return state.SkipWithError(channel.error().message().c_str());
  auto listed = w->engine().members(w->sender(), *channel);
  if (!listed) return state.SkipWithError(listed.error().message().c_str());

  std::vector<std::shared_ptr<counting_sink>> sinks;
  std::vector<chat::connection_id> connections;
  for (const auto& m : listed->members) {
    sinks.push_back(std::make_shared<counting_sink>());
    connections.push_back(w->engine().connect(m.id, sinks.back()));
  }
  auto delivered = [&] {
    std::uint64_t n = 0;
    for (const auto& s : sinks) n += s->count();
    return n;
  };
  const std::uint64_t presence = delivered();  // online announcements among the members
  constexpr std::size_t k_window = 256, k_chunk = 1024;
  const auto before = w->engine().stats();
  for (auto _ : state) {
    std::string error;
    if (send_many(w->engine(), w->sender(), *channel, k_chunk, k_window, &error) != 0) {
      state.SkipWithError(("send_async: " + error).c_str());
      break;
    }
  }
  const auto after = w->engine().stats();
  // Acknowledgements follow publication, so every delivery has happened by now.
  const std::uint64_t deliveries = delivered() - presence;
  const std::uint64_t expected = state.iterations() * k_chunk * sinks.size();
  for (auto id : connections) w->engine().disconnect(id);

  report_batches(state, before, after);
  state.counters["members"] = static_cast<double>(sinks.size());
  state.counters["missing_deliveries"] =
      static_cast<double>(expected > deliveries ? expected - deliveries : 0);
  state.counters["sends_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations() * k_chunk), benchmark::Counter::kIsRate);
  state.SetItemsProcessed(static_cast<std::int64_t>(deliveries));
}

// The latest 50 messages of a channel of 10k (what a client loads when it opens a channel).
void bm_history_latest_50(benchmark::State& state, backend b) {
  std::string why;
  world* w = world::get(b, &why);
  if (!w) return state.SkipWithError(why.c_str());
  auto channel = w->history_channel();
  if (!channel) return state.SkipWithError(channel.error().message().c_str());
  chat::history_query query;
  query.limit = 50;
  for (auto _ : state) {
    auto page = w->engine().history(w->sender(), *channel, query);
    if (!page || page->messages.size() != 50 || !page->has_more) {
      state.SkipWithError(page ? "history: unexpected page" : page.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(page->messages.data());
  }
  state.SetItemsProcessed(state.iterations());  // pages per second
}

chat::message sample_message() {
  chat::message m;
  m.id = 1234567890123;
  m.channel = 42;
  m.seq = 98765;
  m.sender = 7;
  m.text = k_text + " \"quoted\" and caf\xc3\xa9";  // escaping and UTF-8 on the path
  m.client_msg_id = "6f1c2a9e-3b7d-4c55-9a0e-2d8f1b6c7e10";
  m.created_at = 1700000000123;
  return m;
}

void bm_encode_event(benchmark::State& state) {
  chat::event ev;
  ev.kind = chat::event_kind::message_created;
  ev.channel = 42;
  ev.actor = 7;
  ev.message = sample_message();
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string json = chat::wire::encode_event(ev);
    bytes += json.size();
    benchmark::DoNotOptimize(json.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void bm_message_to_json(benchmark::State& state) {
  const chat::message m = sample_message();
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string json = chat::wire::to_json(m);
    bytes += json.size();
    benchmark::DoNotOptimize(json.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

// Work happens on the engine's commit thread, so database benchmarks use wall-clock time.
#define CHAT_DB_BENCH(fn, name, b) \
  BENCHMARK_CAPTURE(fn, name, b)->UseRealTime()->Unit(benchmark::kMicrosecond)

CHAT_DB_BENCH(bm_send_blocking, sqlite, backend::sqlite);
CHAT_DB_BENCH(bm_send_pipelined, sqlite, backend::sqlite)->Arg(64)->Arg(256)->Arg(1024);
CHAT_DB_BENCH(bm_fanout, sqlite, backend::sqlite)->Arg(10)->Arg(100);
CHAT_DB_BENCH(bm_history_latest_50, sqlite, backend::sqlite);
CHAT_DB_BENCH(bm_send_blocking, mariadb, backend::mariadb);
CHAT_DB_BENCH(bm_send_pipelined, mariadb, backend::mariadb)->Arg(64)->Arg(256)->Arg(1024);
CHAT_DB_BENCH(bm_fanout, mariadb, backend::mariadb)->Arg(10)->Arg(100);
CHAT_DB_BENCH(bm_history_latest_50, mariadb, backend::mariadb);
BENCHMARK(bm_encode_event);
BENCHMARK(bm_message_to_json);

}  // namespace

BENCHMARK_MAIN();
