#include "store/mysql/mysql_script.hpp"

#include <cstdlib>
#include <stdexcept>

namespace chat::detail::mysql_script {

MYSQL* native_handle(soci::session& sql) {
  // SOCI's backend classes have no exported type information, so no dynamic_cast.
  if (sql.get_backend_name() != "mysql") throw std::logic_error("not a MySQL session");
  auto* backend = static_cast<soci::mysql_session_backend*>(sql.get_backend());
  if (!backend || !backend->conn_) throw std::logic_error("not an open MySQL session");
  return backend->conn_;
}

void enable_multi_statements(soci::session& sql) {
  MYSQL* conn = native_handle(sql);
  if (mysql_set_server_option(conn, MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0)
    throw soci::mysql_soci_error(mysql_error(conn), mysql_errno(conn));
}

std::string quote(MYSQL* conn, std::string_view value) {
  std::string out(value.size() * 2 + 3, '\0');
  out[0] = '\'';
  const unsigned long n = mysql_real_escape_string(conn, &out[1], value.data(), value.size());
  if (n == static_cast<unsigned long>(-1)) throw std::invalid_argument("cannot escape text");
  out[n + 1] = '\'';
  out.resize(n + 2);
  return out;
}

runner::runner(MYSQL* conn, const std::string& script) : conn_(conn) {
  if (mysql_real_query(conn_, script.data(), script.size()) != 0) throw_error();
}

runner::~runner() {
  free_result();
  if (!more_) return;
  // Results must be read before the connection can take another query.
  if (!started_) {
    if (MYSQL_RES* r = mysql_store_result(conn_)) mysql_free_result(r);
  }
  while (mysql_next_result(conn_) == 0) {
    if (MYSQL_RES* r = mysql_store_result(conn_)) mysql_free_result(r);
  }
}

bool runner::next() {
  free_result();
  if (started_) {
    const int status = mysql_next_result(conn_);
    if (status > 0) {
      more_ = false;
      throw_error();
    }
    if (status < 0) {
      more_ = false;
      return false;
    }
  }
  started_ = true;
  result_ = mysql_store_result(conn_);
  if (!result_ && mysql_field_count(conn_) != 0) {
    more_ = false;
    throw_error();
  }
  return true;
}

MYSQL_ROW runner::fetch() {
  return result_ ? mysql_fetch_row(result_) : nullptr;
}

unsigned long* runner::lengths() {
  return result_ ? mysql_fetch_lengths(result_) : nullptr;
}

void runner::throw_error() const {
  throw soci::mysql_soci_error(mysql_error(conn_), mysql_errno(conn_));
}

void runner::free_result() {
  if (result_) mysql_free_result(result_);
  result_ = nullptr;
}

long long to_integer(const char* text) {
  if (!text) throw std::runtime_error("unexpected NULL in an integer column");
  return std::strtoll(text, nullptr, 10);
}

std::string to_text(MYSQL_ROW row, unsigned long* lengths, unsigned column) {
  return row[column] ? std::string(row[column], lengths[column]) : std::string();
}

}  // namespace chat::detail::mysql_script
