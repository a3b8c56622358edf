// Session pool: leasing, lazy connect, liveness check of idle MySQL connections, reconnect.
#include "store/session_pool.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include "store/mysql_script.hpp"
#include "store/soci_errors.hpp"

namespace chat::detail {
namespace {

constexpr auto k_lease_timeout = std::chrono::seconds(30);
// An idle MySQL connection is pinged before reuse; the server may have restarted meanwhile.
constexpr auto k_ping_after_idle = std::chrono::milliseconds(500);
// How long an SQLite connection waits for another one's lock (PRAGMA busy_timeout).
constexpr auto k_sqlite_busy = std::chrono::milliseconds(5000);
constexpr int k_sqlite_busy_result = 5;  // SQLITE_BUSY

// Turns a new SQLite database to WAL. The switch needs the database to itself, and SQLite
// answers it SQLITE_BUSY at once, without the busy handler, while another connection holds any
// lock: another process or thread opening the same new file, switching it or running the
// migrations. So it is retried (with a short backoff) for as long as busy_timeout would wait;
// once the other opener has switched, the retry finds WAL already and returns.
void switch_to_wal(soci::session& sql) {
  const auto deadline = std::chrono::steady_clock::now() + k_sqlite_busy;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    try {
      sql << "PRAGMA journal_mode = WAL";
      return;
    } catch (const soci::sqlite3_soci_error& e) {
      if ((e.result() & 0xff) != k_sqlite_busy_result ||
          std::chrono::steady_clock::now() + pause > deadline)
        throw;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace

session_pool::session_pool(backend_kind backend, std::string parameters, std::size_t size,
                           bool multi_statements)
    : backend_(backend),
      parameters_(std::move(parameters)),
      multi_statements_(multi_statements),
      slots_(size == 0 ? 1 : size) {}

session_pool::lease::~lease() {
  if (pool_ != nullptr) pool_->give_back(slot_);
}

soci::session& session_pool::lease::sql() const {
  return *pool_->slots_[slot_].session;
}

void session_pool::lease::mark_broken() const {
  pool_->slots_[slot_].broken = true;
}

void session_pool::lease::begin_write_turn() const {
  if (pool_->backend_ != backend_kind::sqlite) return;
  if (!pool_->writers_.enter(k_sqlite_busy))
    throw store_error(store_error::kind::unavailable,
                      "database is locked: no turn to write within " +
                          std::to_string(k_sqlite_busy.count()) + " ms");
}

void session_pool::lease::end_write_turn() const {
  if (pool_->backend_ == backend_kind::sqlite) pool_->writers_.leave();
}

std::unique_ptr<soci::session> session_pool::open_session() const {
  auto sql = backend_ == backend_kind::sqlite
                 ? std::make_unique<soci::session>(*soci::factory_sqlite3(), parameters_)
                 : std::make_unique<soci::session>(*soci::factory_mysql(), parameters_);
  prepare(*sql);
  return sql;
}

void session_pool::prepare(soci::session& sql) const {
  if (backend_ == backend_kind::sqlite) {
    sql << "PRAGMA busy_timeout = " + std::to_string(k_sqlite_busy.count());
    sql << "PRAGMA foreign_keys = ON";
    std::string mode;
    sql << "PRAGMA journal_mode", soci::into(mode);
    if (mode != "memory" && mode != "wal") switch_to_wal(sql);
    // FULL: the WAL is synced at every commit, so an acknowledged message survives a power
    // loss too (NORMAL only survives a crash of the process). Group commit pays one sync per
    // batch, not per message. "synchronous=normal" in the connection string (SOCI applies it)
    // trades that for less I/O.
    if (parameters_.find("synchronous=") == std::string::npos) sql << "PRAGMA synchronous = FULL";
    // Multi-row statements inside a transaction need a statement journal; in memory, not as
    // a temp file created and deleted in /var/tmp for every batch.
    sql << "PRAGMA temp_store = MEMORY";
  } else {
    // Read committed: the idempotency and membership reads inside a send batch must see rows
    // committed after the transaction started (REPEATABLE READ would show an old snapshot).
    sql << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
    sql << "SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')";
    // User text reaches the server as literals quoted by mysql_real_escape_string, which is
    // only sound when client and server agree on the character set: require utf8mb4.
    std::string charset;
    sql << "SELECT @@character_set_client", soci::into(charset);
    if (charset != "utf8mb4")
      throw store_error(store_error::kind::internal,
                        "the MySQL connection's character set is " + charset +
                            ", not utf8mb4: remove the charset= option or set charset=utf8mb4");
    // The group commit sends its statements as two scripts (append_batch_mysql.cpp); no other
    // connection accepts more than one statement per query.
    if (multi_statements_) mysql_script::enable_multi_statements(sql);
  }
}

session_pool::lease session_pool::acquire() {
  leases_.fetch_add(1, std::memory_order_relaxed);
  std::size_t index = 0;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + k_lease_timeout;
    for (;;) {
      bool found = false;
      for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (!slots_[i].in_use) {
          index = i;
          found = true;
          break;
        }
      }
      if (found) break;
      if (freed_.wait_until(lock, deadline) == std::cv_status::timeout) {
        throw store_error(store_error::kind::unavailable, "no free database connection");
      }
    }
    slots_[index].in_use = true;
  }
  lease leased(*this, index);
  // The slot is ours now: connecting happens outside the pool mutex.
  slot& s = slots_[index];
  try {
    if (s.session && backend_ == backend_kind::mysql &&
        std::chrono::steady_clock::now() - s.last_used > k_ping_after_idle &&
        !s.session->is_connected()) {
      s.session.reset();
    }
    if (!s.session) s.session = open_session();
  } catch (const store_error& e) {
    s.session.reset();
    if (e.error_kind() == store_error::kind::internal ||
        e.error_kind() == store_error::kind::misconfigured)
      throw;  // misconfigured, not unreachable
    throw store_error(store_error::kind::unavailable, e.what());
  } catch (...) {
    s.session.reset();
    store_error e = translate_error(std::current_exception());
    // The server refused chatd's settings (unknown database, user or host not allowed): a
    // configuration error. Any other failure to connect: not reachable now.
    if (e.error_kind() == store_error::kind::misconfigured) throw e;
    throw store_error(store_error::kind::unavailable, e.what());
  }
  return leased;
}

void session_pool::give_back(std::size_t index) {
  slot& s = slots_[index];
  if (s.broken) {
    try {
      s.session.reset();
    } catch (...) {  // closing a dead connection may fail; it is gone either way
    }
    s.broken = false;
  }
  s.last_used = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    s.in_use = false;
  }
  freed_.notify_one();
}

}  // namespace chat::detail
