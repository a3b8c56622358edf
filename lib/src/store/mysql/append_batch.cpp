// The group-commit write path on MySQL/MariaDB: the statements of append_plan in two round
// trips instead of one per statement. The first script starts the transaction and reads
// (channels locked FOR UPDATE, memberships, retried client_msg_ids); the second writes
// (multi-row INSERTs, markers, last seqs) and commits. The ids of the inserted rows come from
// each INSERT's reply when auto-increment ids are consecutive, else from a SELECT in the same
// script. User text reaches the server only as quoted literals (mysql_real_escape_string).
#include <mysql.h>

#include "store/append_plan.hpp"
#include "store/mysql/mysql_backend.hpp"
#include "store/mysql/mysql_script.hpp"
#include "store/soci_common.hpp"
#include "store/soci_errors.hpp"

namespace chat::detail {
namespace {

using namespace soci_rows;
using namespace append_plan;
using mysql_script::runner;

std::string quoted_list(MYSQL* conn, const std::set<std::string>& values) {
  std::string out = "(";
  for (const std::string& v : values) {
    if (out.size() > 1) out += ',';
    out += mysql_script::quote(conn, v);
  }
  return out + ")";
}

// Lock modes 0 (traditional) and 1 (consecutive) give the rows of one multi-row INSERT
// consecutive values; mode 2 (interleaved) does not, and then the ids are read back.
long long id_step_of(long long increment, long long lock_mode) {
  return lock_mode <= 1 && increment >= 1 ? increment : 0;
}

void expect_statement(runner& r) {
  if (!r.next()) throw store_error(store_error::kind::internal, "a statement gave no result");
}

batch_reads read_batch(MYSQL* conn, const batch_keys& keys) {
  std::string script =
      "START TRANSACTION;" +
      lock_channels_sql(keys.channels, ", @@auto_increment_increment, @@innodb_autoinc_lock_mode",
                        " FOR UPDATE") +
      ";" + memberships_sql(keys);
  if (!keys.client_msg_ids.empty())
    script += ";" + originals_sql(keys, quoted_list(conn, keys.client_msg_ids));
  runner r(conn, script);
  batch_reads reads;
  expect_statement(r);  // START TRANSACTION
  expect_statement(r);
  long long increment = 0, lock_mode = 2;
  while (MYSQL_ROW row = r.fetch()) {
    using mysql_script::to_integer;
    reads.last_seq[to_integer(row[0])] = to_integer(row[1]);
    increment = to_integer(row[2]);
    lock_mode = to_integer(row[3]);
  }
  reads.id_step = id_step_of(increment, lock_mode);
  expect_statement(r);
  while (MYSQL_ROW row = r.fetch()) {
    const pair_key member{mysql_script::to_integer(row[0]), mysql_script::to_integer(row[1])};
    reads.members.insert(member);
    if (mysql_script::to_integer(row[2]) != 0) reads.blocked.insert(member);
    if (mysql_script::to_integer(row[3]) == 0) reads.unchosen.insert(member);
  }
  if (keys.client_msg_ids.empty()) return reads;
  expect_statement(r);
  while (MYSQL_ROW row = r.fetch()) {
    using mysql_script::to_integer;
    unsigned long* len = r.lengths();
    chat::message m{to_integer(row[0]),
                    to_integer(row[1]),
                    to_integer(row[2]),
                    to_integer(row[3]),
                    mysql_script::to_text(row, len, 4),
                    mysql_script::to_text(row, len, 5),
                    to_integer(row[6])};
    reads.originals[{m.sender, m.client_msg_id}] = std::move(m);
  }
  return reads;
}

std::string insert_sql(MYSQL* conn, const std::vector<insert_row>& rows, std::size_t begin,
                       std::size_t end) {
  std::string sql = schema::k_message_insert;
  for (std::size_t i = begin; i < end; ++i) {
    const insert_row& row = rows[i];
    sql += (i > begin ? ",(" : "(") + std::to_string(row.channel) + ',' + std::to_string(row.seq) +
           ',' + std::to_string(row.sender) + ',' + mysql_script::quote(conn, row.text) + ',' +
           (row.client_msg_id.empty() ? std::string("NULL")
                                      : mysql_script::quote(conn, row.client_msg_id)) +
           ',' + std::to_string(row.created_at) + ')';
  }
  return sql;
}

// Writes the planned rows and commits, in one script; returns the rows' ids by (channel, seq).
std::map<pair_key, long long> write_and_commit(MYSQL* conn, const batch_plan& plan) {
  const auto& rows = plan.rows;
  const long long id_step = plan.id_step;
  std::string script;
  for (std::size_t begin = 0; begin < rows.size(); begin += k_insert_chunk)
    script += insert_sql(conn, rows, begin, std::min(rows.size(), begin + k_insert_chunk)) + ";";
  if (id_step == 0) script += inserted_ids_sql(plan) + ";";
  script += move_read_markers_sql(plan) + ";" + bump_channels_sql(plan) + ";COMMIT";

  runner r(conn, script);
  std::map<pair_key, long long> ids;
  for (std::size_t begin = 0; begin < rows.size(); begin += k_insert_chunk) {
    expect_statement(r);
    const std::size_t end = std::min(rows.size(), begin + k_insert_chunk);
    if (id_step == 0) continue;
    const auto first = static_cast<long long>(r.insert_id());
    if (first <= 0 || r.affected_rows() != end - begin)
      throw store_error(store_error::kind::internal, "no insert id");
    for (std::size_t i = begin; i < end; ++i)
      ids[{rows[i].channel, rows[i].seq}] = first + static_cast<long long>(i - begin) * id_step;
  }
  if (id_step == 0) {
    expect_statement(r);
    while (MYSQL_ROW row = r.fetch())
      ids[{mysql_script::to_integer(row[1]), mysql_script::to_integer(row[2])}] =
          mysql_script::to_integer(row[0]);
  }
  expect_statement(r);  // read markers
  expect_statement(r);  // channels' last seq
  expect_statement(r);  // COMMIT
  return ids;
}

}  // namespace

std::vector<append_outcome> append_batch_mysql(const lease& l,
                                               const std::vector<pending_message>& batch) {
  MYSQL* conn = mysql_script::native_handle(l.sql());
  write_transaction tx(l, write_transaction::begun_by_caller{});
  const batch_keys keys = keys_of(batch);
  batch_plan plan = plan_batch(batch, read_batch(conn, keys));
  if (plan.rows.empty()) {
    tx.commit();
  } else {
    std::map<pair_key, long long> ids;
    try {
      ids = write_and_commit(conn, plan);
    } catch (...) {
      // The script ends with COMMIT: a connection lost on the way leaves the outcome unknown.
      store_error e = translate_error(std::current_exception(), l.backend());
      if (e.error_kind() == store_error::kind::unavailable)
        throw store_error(e.error_kind(), e.what(), /*outcome_unknown=*/true);
      throw e;
    }
    tx.committed();
    assign_ids(plan, ids);
  }
  return std::move(plan.outcomes);
}

}  // namespace chat::detail
