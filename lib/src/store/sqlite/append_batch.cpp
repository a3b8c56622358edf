// The group-commit write path through SOCI, one statement per call (SQLite, in process, where a
// statement costs no round trip). Per batch, whatever its size: lock and read the channels,
// check memberships, look up retried client_msg_ids, multi-row INSERTs (per chunk), read back
// the ids, move read markers, bump the channels' last seq. Integers are inlined into the SQL
// (they are ours, never user text); strings are bound. MySQL takes mysql/append_batch.cpp.
#include "store/append_plan.hpp"
#include "store/soci_common.hpp"
#include "store/sqlite/sqlite_backend.hpp"

namespace chat::detail {
namespace {

using namespace soci_rows;
using namespace append_plan;

batch_reads read_batch(const lease& l, const batch_keys& keys) {
  batch_reads reads;
  {
    long long id = 0, seq = 0;
    soci::statement st =
        (l.sql().prepare << lock_channels_sql(keys.channels, "", ""), into(id), into(seq));
    st.execute();
    while (st.fetch()) reads.last_seq[id] = seq;
  }
  if (reads.last_seq.empty()) return reads;  // no channel: every message is refused
  {
    long long c = 0, u = 0;
    int blocked = 0, chosen = 0;
    soci::statement st =
        (l.sql().prepare << memberships_sql(keys), into(c), into(u), into(blocked), into(chosen));
    st.execute();
    while (st.fetch()) {
      reads.members.insert({c, u});
      if (blocked) reads.blocked.insert({c, u});
      if (!chosen) reads.unchosen.insert({c, u});
    }
  }
  if (keys.client_msg_ids.empty()) return reads;
  std::string list = "(";
  std::vector<std::string> bound(keys.client_msg_ids.begin(), keys.client_msg_ids.end());
  for (std::size_t i = 0; i < bound.size(); ++i) list += i ? ",?" : "?";
  message_row r;
  soci::statement st(l.sql());
  for (const std::string& k : bound) st.exchange(use(k));
  st.exchange(into(r.id));
  st.exchange(into(r.channel));
  st.exchange(into(r.seq));
  st.exchange(into(r.sender));
  st.exchange(into(r.text));
  st.exchange(into(r.client_msg_id, r.client_msg_id_ind));
  st.exchange(into(r.created_at));
  st.alloc();
  st.prepare(originals_sql(keys, list + ")"));
  st.define_and_bind();
  st.execute();
  while (st.fetch()) reads.originals[{r.sender, r.client_msg_id}] = r.message();
  return reads;
}

void insert_rows(const lease& l, const std::vector<insert_row>& rows) {
  for (std::size_t begin = 0; begin < rows.size(); begin += k_insert_chunk) {
    const std::size_t end = std::min(rows.size(), begin + k_insert_chunk);
    std::string sql = schema::k_message_insert;
    std::vector<soci::indicator> null_key(end - begin);
    soci::statement st(l.sql());
    for (std::size_t i = begin; i < end; ++i) {
      sql += i > begin ? ",(?,?,?,?,?,?)" : "(?,?,?,?,?,?)";
      const insert_row& r = rows[i];
      null_key[i - begin] = r.client_msg_id.empty() ? soci::i_null : soci::i_ok;
      st.exchange(use(r.channel));
      st.exchange(use(r.seq));
      st.exchange(use(r.sender));
      st.exchange(use(r.text));
      st.exchange(use(r.client_msg_id, null_key[i - begin]));
      st.exchange(use(r.created_at));
    }
    st.alloc();
    st.prepare(sql);
    st.define_and_bind();
    st.execute(true);
  }
}

std::map<pair_key, long long> inserted_ids(const lease& l, const batch_plan& plan) {
  std::map<pair_key, long long> ids;
  long long id = 0, c = 0, s = 0;
  soci::statement st = (l.sql().prepare << inserted_ids_sql(plan), into(id), into(c), into(s));
  st.execute();
  while (st.fetch()) ids[{c, s}] = id;
  return ids;
}

}  // namespace

std::vector<append_outcome> append_batch_sqlite(const lease& l,
                                                const std::vector<pending_message>& batch) {
  write_transaction tx(l);
  const batch_keys keys = keys_of(batch);
  batch_plan plan = plan_batch(batch, read_batch(l, keys));
  if (!plan.rows.empty()) {
    insert_rows(l, plan.rows);
    assign_ids(plan, inserted_ids(l, plan));
    l.sql() << move_read_markers_sql(plan);
    l.sql() << bump_channels_sql(plan);
  }
  tx.commit();
  return std::move(plan.outcomes);
}

}  // namespace chat::detail
