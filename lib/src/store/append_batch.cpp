// The group-commit write path. Per batch, whatever its size: lock and read the channels, check
// memberships, look up retried client_msg_ids, multi-row INSERTs (per chunk), read back the
// ids (not on MySQL when its auto-increment ids are consecutive), move read markers, bump the
// channels' last seq: six or seven statements instead of four per message. Integers are inlined
// into the SQL (they are ours, never user text); strings are bound.
#include "store/append_batch.hpp"

#include <map>
#include <set>
#include <string>

namespace chat::detail {
namespace {

using namespace soci_rows;

// Rows per INSERT: 6 parameters each stays far below SQLite's 32766 and MySQL's 65535 limits.
// On SQLite, where a statement costs no round trip, chunks stay small: its parser looks up
// every named parameter in a linear list, so one statement's cost grows with the square of
// its parameter count (sqlite3VListNumToName was 7 % of chatd's CPU with 256-row chunks).
std::size_t insert_chunk(backend_kind backend) {
  return backend == backend_kind::sqlite ? 32 : 256;
}

template <typename Range>
std::string in_list(const Range& values) {
  std::string out = "(";
  for (const auto& v : values) {
    if (out.size() > 1) out += ',';
    out += std::to_string(v);
  }
  return out + ")";
}

using pair_key = std::pair<long long, long long>;  // (channel, sender)

// Last seq of every existing channel of the batch, with the rows locked on MySQL (ascending id
// order, so two batches never deadlock). SQLite's BEGIN IMMEDIATE already serialises writers.
// On MySQL the same round trip reads how auto-increment ids are handed out (see insert_rows).
struct locked_channels {
  std::map<long long, long long> last_seq;
  long long id_step =
      0;  // MySQL: ids of one multi-row INSERT are first, first + step, ...; 0: unknown
};

locked_channels lock_channels(const lease& l, const std::set<long long>& ids) {
  locked_channels out;
  long long id = 0, seq = 0, step = 0, lock_mode = 2;
  const bool mysql = l.backend() == backend_kind::mysql;
  const std::string sql =
      std::string("SELECT id, last_seq") +
      (mysql ? ", @@auto_increment_increment, @@innodb_autoinc_lock_mode" : "") +
      " FROM channels WHERE id IN " + in_list(ids) + " ORDER BY id" + (mysql ? " FOR UPDATE" : "");
  soci::statement st(l.sql());
  st.exchange(into(id));
  st.exchange(into(seq));
  if (mysql) {
    st.exchange(into(step));
    st.exchange(into(lock_mode));
  }
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute();
  while (st.fetch()) out.last_seq[id] = seq;
  // Lock modes 0 (traditional) and 1 (consecutive) give the rows of one multi-row INSERT
  // consecutive values; mode 2 (interleaved) does not, and then the ids are read back.
  if (mysql && !out.last_seq.empty() && lock_mode <= 1 && step >= 1) out.id_step = step;
  return out;
}

std::set<pair_key> memberships(const lease& l, const std::set<long long>& channels,
                               const std::set<long long>& senders) {
  std::set<pair_key> found;
  long long c = 0, u = 0;
  soci::statement st =
      (l.sql().prepare << "SELECT channel_id, user_id FROM user_channels WHERE channel_id IN " +
                              in_list(channels) + " AND user_id IN " + in_list(senders),
       into(c), into(u));
  st.execute();
  while (st.fetch()) found.insert({c, u});
  return found;
}

// Messages already stored under one of the batch's (sender, client_msg_id) keys.
std::map<std::pair<long long, std::string>, chat::message> originals(
    const lease& l, const std::set<long long>& senders, const std::set<std::string>& keys) {
  std::map<std::pair<long long, std::string>, chat::message> found;
  if (keys.empty()) return found;
  std::string sql = std::string("SELECT ") + k_message_columns + "WHERE sender_id IN " +
                    in_list(senders) + " AND client_msg_id IN (";
  std::vector<std::string> bound(keys.begin(), keys.end());  // stable storage for the bindings
  for (std::size_t i = 0; i < bound.size(); ++i) sql += (i ? ",:k" : ":k") + std::to_string(i);
  sql += ")";
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
  st.prepare(sql);
  st.define_and_bind();
  st.execute();
  while (st.fetch()) found[{r.sender, r.client_msg_id}] = r.message();
  return found;
}

struct insert_row {
  long long channel, seq, sender, created_at;
  std::string text, client_msg_id;
  soci::indicator client_msg_id_ind;
};

// Inserts the rows in chunks. With `id_step` (MySQL with consecutive auto-increment ids) it
// also fills `ids` from each INSERT's first id, which the server returns with its reply, so no
// query reads them back; otherwise `ids` stays empty.
void insert_rows(const lease& l, std::vector<insert_row>& rows, long long id_step,
                 std::vector<long long>& ids) {
  const std::size_t chunk = insert_chunk(l.backend());
  for (std::size_t begin = 0; begin < rows.size(); begin += chunk) {
    const std::size_t end = std::min(rows.size(), begin + chunk);
    std::string sql =
        "INSERT INTO messages (channel_id, seq, sender_id, text, client_msg_id, created_at) "
        "VALUES ";
    soci::statement st(l.sql());
    for (std::size_t i = begin; i < end; ++i) {
      const std::string n = std::to_string(i - begin);
      sql += (i > begin ? ",(" : "(") + std::string(":c") + n + ",:s" + n + ",:u" + n + ",:t" + n +
             ",:k" + n + ",:a" + n + ")";
      insert_row& r = rows[i];
      st.exchange(use(r.channel));
      st.exchange(use(r.seq));
      st.exchange(use(r.sender));
      st.exchange(use(r.text));
      st.exchange(use(r.client_msg_id, r.client_msg_id_ind));
      st.exchange(use(r.created_at));
    }
    st.alloc();
    st.prepare(sql);
    st.define_and_bind();
    st.execute(true);
    if (id_step == 0) continue;
    long long first = 0;
    if (!l.sql().get_last_insert_id("messages", first) || first <= 0)
      throw store_error(store_error::kind::internal, "no insert id");
    for (std::size_t i = begin; i < end; ++i)
      ids.push_back(first + static_cast<long long>(i - begin) * id_step);
  }
}

// Ids of the rows just inserted, by (channel, seq): one query for every channel's new range.
std::map<pair_key, long long> inserted_ids(const lease& l,
                                           const std::map<long long, long long>& first_seq,
                                           const std::map<long long, long long>& last_seq) {
  std::string where;
  for (const auto& [channel, last] : last_seq) {
    const long long first = first_seq.at(channel);
    if (last == first) continue;
    where += (where.empty() ? "(" : " OR (") + std::string("channel_id = ") +
             std::to_string(channel) + " AND seq > " + std::to_string(first) +
             " AND seq <= " + std::to_string(last) + ")";
  }
  std::map<pair_key, long long> ids;
  long long id = 0, c = 0, s = 0;
  soci::statement st =
      (l.sql().prepare << "SELECT id, channel_id, seq FROM messages WHERE " + where, into(id),
       into(c), into(s));
  st.execute();
  while (st.fetch()) ids[{c, s}] = id;
  return ids;
}

// The sender has read up to their own message: one UPDATE for every (channel, sender) pair.
void move_read_markers(const lease& l, const std::map<pair_key, long long>& marker) {
  std::string cases, where;
  for (const auto& [key, seq] : marker) {
    const std::string pair = "channel_id = " + std::to_string(key.first) +
                             " AND user_id = " + std::to_string(key.second);
    cases += " WHEN " + pair + " AND last_read_seq < " + std::to_string(seq) + " THEN " +
             std::to_string(seq);
    where += (where.empty() ? "(" : " OR (") + pair + ")";
  }
  l.sql() << "UPDATE user_channels SET last_read_seq = CASE" + cases +
                 " ELSE last_read_seq END WHERE " + where;
}

void bump_channels(const lease& l, const std::map<long long, long long>& first_seq,
                   const std::map<long long, long long>& last_seq) {
  std::string cases;
  std::vector<long long> changed;
  for (const auto& [channel, last] : last_seq) {
    if (last == first_seq.at(channel)) continue;
    cases += " WHEN " + std::to_string(channel) + " THEN " + std::to_string(last);
    changed.push_back(channel);
  }
  l.sql() << "UPDATE channels SET last_seq = CASE id" + cases + " END WHERE id IN " +
                 in_list(changed);
}

}  // namespace

std::vector<append_outcome> append_batch(const lease& l,
                                         const std::vector<pending_message>& batch) {
  write_transaction tx(l);
  std::set<long long> channels, senders;
  std::set<std::string> keys;
  for (const pending_message& p : batch) {
    channels.insert(p.channel);
    senders.insert(p.sender);
    if (!p.client_msg_id.empty()) keys.insert(p.client_msg_id);
  }
  const locked_channels locked = lock_channels(l, channels);
  const std::map<long long, long long>& first_seq = locked.last_seq;
  std::map<long long, long long> next_seq = first_seq;
  const std::set<pair_key> members =
      first_seq.empty() ? std::set<pair_key>{} : memberships(l, channels, senders);
  auto known = originals(l, senders, keys);

  std::vector<append_outcome> outcomes(batch.size());
  std::vector<insert_row> rows;
  std::vector<std::size_t> row_of;  // outcome index of each row
  std::map<pair_key, long long> markers;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const pending_message& p = batch[i];
    append_outcome& out = outcomes[i];
    if (!next_seq.count(p.channel) || !members.count({p.channel, p.sender})) {
      out.what = append_outcome::kind::not_member;
      continue;
    }
    if (!p.client_msg_id.empty()) {
      auto earlier = known.find({p.sender, p.client_msg_id});
      if (earlier != known.end()) {
        out.what = append_outcome::kind::duplicate;
        out.message = earlier->second;  // id filled below if it is stored by this very batch
        continue;
      }
    }
    const long long seq = ++next_seq[p.channel];
    out.what = append_outcome::kind::stored;
    out.message = chat::message{0, p.channel, seq, p.sender, p.text, p.client_msg_id, p.created_at};
    rows.push_back({p.channel, seq, p.sender, p.created_at, p.text, p.client_msg_id,
                    p.client_msg_id.empty() ? soci::i_null : soci::i_ok});
    row_of.push_back(i);
    markers[{p.channel, p.sender}] = seq;
    if (!p.client_msg_id.empty()) known[{p.sender, p.client_msg_id}] = out.message;
  }
  if (!rows.empty()) {
    std::vector<long long> row_ids;
    insert_rows(l, rows, locked.id_step, row_ids);
    std::map<pair_key, long long> ids;
    if (row_ids.size() == rows.size()) {
      for (std::size_t r = 0; r < rows.size(); ++r)
        ids[{rows[r].channel, rows[r].seq}] = row_ids[r];
    } else {
      ids = inserted_ids(l, first_seq, next_seq);
    }
    for (std::size_t r = 0; r < rows.size(); ++r) {
      auto it = ids.find({rows[r].channel, rows[r].seq});
      if (it == ids.end()) throw store_error(store_error::kind::internal, "inserted row vanished");
      outcomes[row_of[r]].message.id = it->second;
    }
    // Duplicates of a message stored by this batch learn its id too.
    for (std::size_t i = 0; i < batch.size(); ++i) {
      append_outcome& out = outcomes[i];
      if (out.what != append_outcome::kind::duplicate || out.message.id != 0) continue;
      out.message.id = ids.at({out.message.channel, out.message.seq});
    }
    move_read_markers(l, markers);
    bump_channels(l, first_seq, next_seq);
  }
  tx.commit();
  return outcomes;
}

}  // namespace chat::detail
