// What differs between the SQL backends (SQLite, MySQL/MariaDB), behind one interface: the
// store picks a backend once, when it opens, and asks it whenever SQL or behaviour differs.
// The implementations live in sqlite/ and mysql/ (mysql/ only when built with CHAT_WITH_MYSQL).
#pragma once

#include <soci/soci.h>

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/session_pool.hpp"
#include "store/store.hpp"

namespace chat::detail {

class backend {
 public:
  virtual ~backend() = default;

  // Opens one connection to the database named by `parameters` (the backend's own connection
  // string, after "sqlite3://" or "mysql://") and applies the per-connection settings.
  // `multi_statements` (MySQL): the connection accepts several statements in one query.
  virtual std::unique_ptr<soci::session> connect(const std::string& parameters,
                                                 bool multi_statements) const = 0;
  // Whether an idle connection is checked (is_connected) before it is leased again: a server
  // in another process may have restarted meanwhile.
  virtual bool checks_idle_connections() const = 0;
  // Whether this process's writers take turns (write_gate.hpp) before they start a write
  // transaction: SQLite, where writers poll for the one write lock.
  virtual bool takes_write_turns() const = 0;
  // Whether append_messages calls for disjoint channels run in parallel (store.hpp), each on a
  // connection of its own pool that accepts several statements in one query.
  virtual bool parallel_appends() const = 0;

  // The statement that starts a write transaction.
  virtual const char* begin_write_sql() const = 0;
  // The id the last INSERT into `table` on this connection gave its row.
  virtual long long last_insert_id(soci::session& sql, const char* table) const = 0;
  // `exclusive` opens (the engine): holds the database for this process until the handle is
  // released (SQLite: sqlite/database_lock.hpp); nullptr if the backend locks nothing. Throws
  // store_error conflict if another holds it.
  virtual std::shared_ptr<void> hold_exclusively(const std::string& parameters) const = 0;
  // Brings the schema up to date (migrations.hpp), safe against concurrent openers.
  virtual void migrate(soci::session& sql, int up_to_version) const = 0;

  // Statements whose SQL differs. Parameters in order: (key, now, forget_before).
  virtual const char* add_login_failure_sql() const = 0;
  // Parameters in order: (user, policy).
  virtual const char* set_group_add_policy_sql() const = 0;

  // See store::append_messages; runs its own write transaction on `l`.
  virtual std::vector<append_outcome> append_batch(
      const session_pool::lease& l, const std::vector<pending_message>& batch) const = 0;

  // The store_error for a failure of this backend's driver (its error numbers); nullopt for
  // anything else. Never throws.
  virtual std::optional<store_error> classify(std::exception_ptr error) const noexcept = 0;
};

}  // namespace chat::detail
