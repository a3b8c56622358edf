// MySQL/MariaDB: session settings (READ COMMITTED, strict mode, utf8mb4 checked), START
// TRANSACTION, a named lock around the migrations, the group commit's multi-statement
// connections, and the server's error numbers.
#include "store/mysql/mysql_backend.hpp"

#include <soci/mysql/soci-mysql.h>

#include <string>

#include "store/migrations.hpp"
#include "store/mysql/mysql_script.hpp"

namespace chat::detail {
namespace {

store_error::kind mysql_kind(unsigned int code) {
  using kind = store_error::kind;
  switch (code) {
    case 1062:  // ER_DUP_ENTRY
    case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
      return kind::conflict;
    case 1021:  // ER_DISK_FULL
    case 1114:  // ER_RECORD_FILE_FULL: the table (or its tablespace) is full
    case 3:     // ER_ERROR_ON_WRITE (often ENOSPC)
      return kind::full;
    case 1290:  // ER_OPTION_PREVENTS_STATEMENT (--read-only)
    case 1036:  // ER_OPEN_AS_READONLY
    case 1792:  // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
      return kind::read_only;
    case 1044:  // access denied to the database
    case 1045:  // access denied for the user (wrong password)
    case 1049:  // unknown database
    case 1130:  // host not allowed to connect
    case 1251:  // client does not support the server's authentication protocol
      return kind::misconfigured;
    case 1040:  // too many connections
    case 1053:  // server shutdown in progress
    case 1205:  // lock wait timeout
    case 1213:  // deadlock, the transaction was rolled back
    case 1927:  // connection was killed
    case 2002:  // can't connect through socket
    case 2003:  // can't connect to host
    case 2005:  // unknown host
    case 2006:  // server has gone away
    case 2013:  // lost connection during query
    case 2055:  // lost connection at handshake/reading
      return kind::unavailable;
    default:
      return kind::internal;
  }
}

class mysql_backend final : public backend {
 public:
  std::unique_ptr<soci::session> connect(const std::string& parameters,
                                         bool multi_statements) const override {
    auto sql = std::make_unique<soci::session>(*soci::factory_mysql(), parameters);
    // Read committed: the idempotency and membership reads inside a send batch must see rows
    // committed after the transaction started (REPEATABLE READ would show an old snapshot).
    *sql << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
    *sql << "SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')";
    // User text reaches the server as literals quoted by mysql_real_escape_string, which is
    // only sound when client and server agree on the character set: require utf8mb4.
    std::string charset;
    *sql << "SELECT @@character_set_client", soci::into(charset);
    if (charset != "utf8mb4")
      throw store_error(store_error::kind::internal,
                        "the MySQL connection's character set is " + charset +
                            ", not utf8mb4: remove the charset= option or set charset=utf8mb4");
    // The group commit sends its statements as two scripts (mysql/append_batch.cpp); no other
    // connection accepts more than one statement per query.
    if (multi_statements) mysql_script::enable_multi_statements(*sql);
    return sql;
  }
  bool checks_idle_connections() const override { return true; }
  bool takes_write_turns() const override { return false; }  // the server orders its writers
  bool parallel_appends() const override { return true; }    // row locks

  const char* begin_write_sql() const override { return "START TRANSACTION"; }

  long long last_insert_id(soci::session& sql, const char* table) const override {
    long long id = 0;
    if (!sql.get_last_insert_id(table, id))
      throw store_error(store_error::kind::internal, "no insert id");
    return id;
  }

  std::shared_ptr<void> hold_exclusively(const std::string& /*parameters*/) const override {
    return nullptr;  // a server: any number of engines may share it
  }

  void migrate(soci::session& sql, int up_to_version) const override {
    // MySQL DDL commits implicitly, so a transaction cannot protect it. A named lock per
    // database serializes openers; statements are idempotent (IF NOT EXISTS) in case a run was
    // interrupted.
    int locked = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT GET_LOCK(CONCAT('chat_schema.', DATABASE()), 30)", soci::into(locked, ind);
    if (ind != soci::i_ok || locked != 1) {
      throw store_error(store_error::kind::unavailable, "timed out waiting for the schema lock");
    }
    try {
      sql << "CREATE TABLE IF NOT EXISTS schema_version ("
             " version INT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL"
             ") ENGINE=InnoDB";
      apply_migrations(sql, &migration::mysql, up_to_version);
    } catch (...) {
      try {
        sql << "DO RELEASE_LOCK(CONCAT('chat_schema.', DATABASE()))";
      } catch (...) {
      }
      throw;
    }
    sql << "DO RELEASE_LOCK(CONCAT('chat_schema.', DATABASE()))";
  }

  const char* add_login_failure_sql() const override {
    // The old last_failure_at decides the reset: MySQL assigns left to right, so failures is
    // computed before last_failure_at changes.
    return "INSERT INTO login_failures (throttle_key, failures, last_failure_at)"
           " VALUES (:k, 1, :t) ON DUPLICATE KEY UPDATE"
           " failures = IF(last_failure_at < :f, 1, failures + 1),"
           " last_failure_at = VALUES(last_failure_at)";
  }
  const char* set_group_add_policy_sql() const override {
    return "INSERT INTO user_privacy (user_id, group_adds) VALUES (:u, :p)"
           " ON DUPLICATE KEY UPDATE group_adds = VALUES(group_adds)";
  }

  std::vector<append_outcome> append_batch(
      const session_pool::lease& l, const std::vector<pending_message>& batch) const override {
    return append_batch_mysql(l, batch);
  }

  std::optional<store_error> classify(std::exception_ptr error) const noexcept override {
    try {
      try {
        std::rethrow_exception(error);
      } catch (const soci::mysql_soci_error& e) {
        return store_error(mysql_kind(e.err_num_), e.what());
      } catch (...) {
        return std::nullopt;
      }
    } catch (...) {  // copying a message can throw bad_alloc
      return store_error(store_error::kind::internal, "out of memory");
    }
  }
};

}  // namespace

std::unique_ptr<const backend> make_mysql_backend() {
  return std::make_unique<mysql_backend>();
}

}  // namespace chat::detail
