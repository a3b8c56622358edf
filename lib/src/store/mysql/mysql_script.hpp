// Several SQL statements in one round trip to MariaDB/MySQL, through the C API under SOCI's
// session. SOCI sends one statement per round trip; the group commit needs a handful per batch,
// and on a server that is another process each round trip is two wake-ups.
#pragma once

#include <mysql.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>

#include <string>
#include <string_view>

namespace chat::detail::mysql_script {

// The connection under a SOCI MySQL session.
MYSQL* native_handle(soci::session& sql);

// Lets the connection accept several statements separated by ';' in one query. Values that
// come from users are still only ever sent through quote() or SOCI's bindings.
void enable_multi_statements(soci::session& sql);

// A string literal for `value` ('...' with the server's escaping rules for this connection).
std::string quote(MYSQL* conn, std::string_view value);

// Runs a script and steps through its statements' results in order. Errors (of the query or
// of any statement) throw soci::mysql_soci_error with the server's error number, as SOCI
// does, so they map onto store errors the same way; the statements after a failing one are
// not run.
class runner {
 public:
  runner(MYSQL* conn, const std::string& script);
  runner(const runner&) = delete;
  runner& operator=(const runner&) = delete;
  ~runner();  // reads and drops whatever results were not stepped through

  // Moves to the next statement's result (the first call moves to the first). False when
  // there are no more.
  bool next();
  // Rows of the current statement, if it returns any: fetch() until it returns null.
  MYSQL_ROW fetch();
  unsigned long* lengths();
  unsigned long long insert_id() const { return mysql_insert_id(conn_); }
  unsigned long long affected_rows() const { return mysql_affected_rows(conn_); }

 private:
  void throw_error() const;
  void free_result();

  MYSQL* conn_;
  MYSQL_RES* result_ = nullptr;
  bool started_ = false;
  bool more_ = true;
};

long long to_integer(const char* text);  // a non-null integer column
std::string to_text(MYSQL_ROW row, unsigned long* lengths, unsigned column);

}  // namespace chat::detail::mysql_script
