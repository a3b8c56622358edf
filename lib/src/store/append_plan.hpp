// The backend-neutral half of the group commit: what a batch reads, what it decides from those
// reads (seqs, duplicates, refusals) and the SQL text of its statements. sqlite/append_batch.cpp
// runs it through SOCI, one statement per call; mysql/append_batch.cpp sends it to MySQL as two
// scripts, one round trip each.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace chat::detail::append_plan {

using pair_key = std::pair<long long, long long>;  // (channel, sender) or (channel, seq)

// Rows per INSERT: 6 parameters each stays far below SQLite's 32766 and MySQL's 65535 limits.
// SQLite's parameters are positional ("?"): its parser looks up every *named* parameter in a
// linear list, so a statement with named ones costs the square of their count (that lookup
// was 7 % of chatd's CPU with 256-row chunks of ":name" parameters).
constexpr std::size_t k_insert_chunk = 256;

struct batch_keys {
  std::set<long long> channels, senders;
  std::set<std::string> client_msg_ids;
};
batch_keys keys_of(const std::vector<pending_message>& batch);

// What the batch's transaction read before deciding anything.
struct batch_reads {
  std::map<long long, long long> last_seq;  // existing channels of the batch, locked
  std::set<pair_key> members;               // (channel, sender) memberships
  std::set<pair_key> blocked;   // of those, direct channels with a block between the two
  std::set<pair_key> unchosen;  // of those, memberships not yet by_choice
  std::map<std::pair<long long, std::string>, chat::message> originals;  // (sender, key)
  long long id_step = 0;  // MySQL: ids of one multi-row INSERT are first, first + step, ...
};

struct insert_row {
  long long channel, seq, sender, created_at;
  std::string text, client_msg_id;  // client_msg_id empty: NULL
};

struct batch_plan {
  std::vector<append_outcome> outcomes;  // one per pending message, ids still 0
  std::vector<insert_row> rows;
  std::vector<std::size_t> row_of;        // outcome index of each row
  std::map<pair_key, long long> markers;  // (channel, sender) -> seq of the sender's last
  std::map<long long, long long> first_seq, next_seq;  // per channel: before and after
  long long id_step = 0;                               // from batch_reads
};
batch_plan plan_batch(const std::vector<pending_message>& batch, batch_reads reads);

// Fills the outcomes' ids from the stored rows' ids by (channel, seq). Throws store_error
// internal if a row is missing.
void assign_ids(batch_plan& plan, const std::map<pair_key, long long>& ids);

template <typename Range>
std::string in_list(const Range& values) {
  std::string out = "(";
  for (const auto& v : values) {
    if (out.size() > 1) out += ',';
    out += std::to_string(v);
  }
  return out + ")";
}

// "SELECT id, last_seq" of the channels in ascending id order, then `more_columns` (", ..."),
// then `lock` (MySQL: " FOR UPDATE", so that two batches lock in the same order and never
// deadlock; SQLite's BEGIN IMMEDIATE already serialises writers).
std::string lock_channels_sql(const std::set<long long>& channels, const char* more_columns,
                              const char* lock);
// "SELECT channel_id, user_id, blocked, by_choice": blocked is 1 in a direct channel whose two
// members have a block between them (either way), else 0.
std::string memberships_sql(const batch_keys& keys);
// Messages already stored under one of the senders' client_msg_ids; the ids are given as
// the SQL list `quoted_ids` ("(?,?)" for bindings, or quoted literals).
std::string originals_sql(const batch_keys& keys, const std::string& quoted_ids);
// Ids of the rows just inserted, selected by (channel, seq): "SELECT id, channel_id, seq".
std::string inserted_ids_sql(const batch_plan& plan);
// The sender has read up to their own message and is in the channel by choice from now on:
// one UPDATE for every (channel, sender) pair (a plain one by primary key for a single pair,
// else a CASE over the pairs: one statement costs MariaDB less than one per pair, measured).
std::string move_read_markers_sql(const batch_plan& plan);
// The new last_seq of every channel that got messages, in one UPDATE.
std::string bump_channels_sql(const batch_plan& plan);

}  // namespace chat::detail::append_plan
