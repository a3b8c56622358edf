// SQLite: per-connection pragmas (WAL, FULL sync, busy_timeout), BEGIN IMMEDIATE, turns at the
// write lock, one transaction around the migrations, and SQLite's result codes.
#include "store/sqlite/sqlite_backend.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include "chat/database_url.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/database_lock.hpp"
#include "store/write_gate.hpp"

namespace chat::detail {
namespace {

constexpr int k_sqlite_busy_result = 5;  // SQLITE_BUSY

// Turns a new SQLite database to WAL. The switch needs the database to itself, and SQLite
// answers it SQLITE_BUSY at once, without the busy handler, while another connection holds any
// lock: another process or thread opening the same new file, switching it or running the
// migrations. So it is retried (with a short backoff) for as long as busy_timeout would wait;
// once the other opener has switched, the retry finds WAL already and returns.
void switch_to_wal(soci::session& sql) {
  const auto deadline = std::chrono::steady_clock::now() + k_write_turn_patience;
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

store_error::kind sqlite_kind(int result, const std::string& message) {
  using kind = store_error::kind;
  switch (result & 0xff) {
    case 19:  // SQLITE_CONSTRAINT: only uniqueness is a conflict; NOT NULL/FK are bugs
      return message.find("UNIQUE") != std::string::npos ? kind::conflict : kind::internal;
    case 13:  // SQLITE_FULL
      return kind::full;
    case 8:  // SQLITE_READONLY
      return kind::read_only;
    case 5:   // SQLITE_BUSY
    case 6:   // SQLITE_LOCKED
    case 14:  // SQLITE_CANTOPEN
      return kind::unavailable;
    case 10:  // SQLITE_IOERR: ENOSPC surfaces as an I/O error on some writes
      return message.find("disk is full") != std::string::npos ||
                     message.find("No space") != std::string::npos
                 ? kind::full
                 : kind::unavailable;
    default:
      return kind::internal;
  }
}

class sqlite_backend final : public backend {
 public:
  std::unique_ptr<soci::session> connect(const std::string& parameters,
                                         bool /*multi_statements*/) const override {
    auto sql = std::make_unique<soci::session>(*soci::factory_sqlite3(), parameters);
    *sql << "PRAGMA busy_timeout = " + std::to_string(k_write_turn_patience.count());
    *sql << "PRAGMA foreign_keys = ON";
    std::string mode;
    *sql << "PRAGMA journal_mode", soci::into(mode);
    if (mode != "memory" && mode != "wal") switch_to_wal(*sql);
    // FULL: the WAL is synced at every commit, so an acknowledged message survives a power
    // loss too (NORMAL only survives a crash of the process). Group commit pays one sync per
    // batch, not per message. "synchronous=normal" in the connection string (SOCI applies it)
    // trades that for less I/O.
    if (!database_url::parse("sqlite3://" + parameters).has("synchronous"))
      *sql << "PRAGMA synchronous = FULL";
    // Multi-row statements inside a transaction need a statement journal; in memory, not as
    // a temp file created and deleted in /var/tmp for every batch.
    *sql << "PRAGMA temp_store = MEMORY";
    return sql;
  }
  bool checks_idle_connections() const override { return false; }  // a file, not a server
  bool takes_write_turns() const override { return true; }
  bool parallel_appends() const override { return false; }  // one write lock per database

  const char* begin_write_sql() const override { return "BEGIN IMMEDIATE"; }

  long long last_insert_id(soci::session& sql, const char* /*table*/) const override {
    long long id = 0;
    sql << "SELECT last_insert_rowid()", soci::into(id);
    return id;
  }

  std::shared_ptr<void> hold_exclusively(const std::string& parameters) const override {
    return std::make_shared<database_lock>(parameters);
  }

  void migrate(soci::session& sql, int up_to_version) const override {
    // SQLite DDL is transactional: the whole upgrade commits or nothing does, and IMMEDIATE
    // makes a concurrent opener wait (busy_timeout) and then see the finished schema.
    sql << "BEGIN IMMEDIATE";
    try {
      sql << "CREATE TABLE IF NOT EXISTS schema_version ("
             " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)";
      apply_migrations(sql, &migration::sqlite, up_to_version);
      sql << "COMMIT";
    } catch (...) {
      try {
        sql << "ROLLBACK";
      } catch (...) {
      }
      throw;
    }
  }

  const char* add_login_failure_sql() const override {
    return "INSERT INTO login_failures (throttle_key, failures, last_failure_at)"
           " VALUES (:k, 1, :t) ON CONFLICT (throttle_key) DO UPDATE SET"
           " failures = CASE WHEN login_failures.last_failure_at < :f THEN 1"
           " ELSE login_failures.failures + 1 END,"
           " last_failure_at = excluded.last_failure_at";
  }
  const char* set_group_add_policy_sql() const override {
    return "INSERT INTO user_privacy (user_id, group_adds) VALUES (:u, :p)"
           " ON CONFLICT (user_id) DO UPDATE SET group_adds = excluded.group_adds";
  }

  std::vector<append_outcome> append_batch(
      const session_pool::lease& l, const std::vector<pending_message>& batch) const override {
    return append_batch_sqlite(l, batch);
  }

  std::optional<store_error> classify(std::exception_ptr error) const noexcept override {
    try {
      try {
        std::rethrow_exception(error);
      } catch (const soci::sqlite3_soci_error& e) {
        return store_error(sqlite_kind(e.result(), e.what()), e.what());
      } catch (...) {
        return std::nullopt;
      }
    } catch (...) {  // copying a message can throw bad_alloc
      return store_error(store_error::kind::internal, "out of memory");
    }
  }
};

}  // namespace

std::unique_ptr<const backend> make_sqlite_backend() {
  return std::make_unique<sqlite_backend>();
}

}  // namespace chat::detail
