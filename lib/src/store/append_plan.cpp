#include "store/append_plan.hpp"

#include "store/schema.hpp"

namespace chat::detail::append_plan {

batch_keys keys_of(const std::vector<pending_message>& batch) {
  batch_keys keys;
  for (const pending_message& p : batch) {
    keys.channels.insert(p.channel);
    keys.senders.insert(p.sender);
    if (!p.client_msg_id.empty()) keys.client_msg_ids.insert(p.client_msg_id);
  }
  return keys;
}

batch_plan plan_batch(const std::vector<pending_message>& batch, batch_reads reads) {
  batch_plan plan;
  plan.first_seq = reads.last_seq;
  plan.next_seq = std::move(reads.last_seq);
  plan.id_step = reads.id_step;
  plan.outcomes.resize(batch.size());
  auto& known = reads.originals;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const pending_message& p = batch[i];
    append_outcome& out = plan.outcomes[i];
    if (!plan.next_seq.count(p.channel)) {
      out.what = append_outcome::kind::no_channel;
      continue;
    }
    if (!reads.members.count({p.channel, p.sender})) {
      out.what = append_outcome::kind::not_member;
      continue;
    }
    if (reads.blocked.count({p.channel, p.sender})) {
      out.what = append_outcome::kind::blocked;
      continue;
    }
    if (!p.client_msg_id.empty()) {
      auto earlier = known.find({p.sender, p.client_msg_id});
      if (earlier != known.end()) {
        out.what = append_outcome::kind::duplicate;
        out.message = earlier->second;  // id filled by assign_ids if stored by this batch
        continue;
      }
    }
    const long long seq = ++plan.next_seq[p.channel];
    out.what = append_outcome::kind::stored;
    out.message = chat::message{0, p.channel, seq, p.sender, p.text, p.client_msg_id, p.created_at};
    out.first_choice = reads.unchosen.erase({p.channel, p.sender}) > 0;
    plan.rows.push_back({p.channel, seq, p.sender, p.created_at, p.text, p.client_msg_id});
    plan.row_of.push_back(i);
    plan.markers[{p.channel, p.sender}] = seq;
    if (!p.client_msg_id.empty()) known[{p.sender, p.client_msg_id}] = out.message;
  }
  return plan;
}

void assign_ids(batch_plan& plan, const std::map<pair_key, long long>& ids) {
  auto id_of = [&](long long channel, long long seq) {
    auto it = ids.find({channel, seq});
    if (it == ids.end()) throw store_error(store_error::kind::internal, "inserted row vanished");
    return it->second;
  };
  for (std::size_t r = 0; r < plan.rows.size(); ++r)
    plan.outcomes[plan.row_of[r]].message.id = id_of(plan.rows[r].channel, plan.rows[r].seq);
  // Duplicates of a message stored by this very batch learn its id too.
  for (append_outcome& out : plan.outcomes) {
    if (out.what == append_outcome::kind::duplicate && out.message.id == 0)
      out.message.id = id_of(out.message.channel, out.message.seq);
  }
}

std::string lock_channels_sql(const std::set<long long>& channels, const char* more_columns,
                              const char* lock) {
  return std::string("SELECT id, last_seq") + more_columns + " FROM channels WHERE id IN " +
         in_list(channels) + " ORDER BY id" + lock;
}

std::string memberships_sql(const batch_keys& keys) {
  // Two EXISTS, each an index lookup on user_blocks (blocker, blocked) / (blocked, blocker).
  return "SELECT m.channel_id, m.user_id, CASE WHEN c.kind = 1 AND (EXISTS (SELECT 1 FROM"
         " user_channels o JOIN user_blocks b ON b.blocker_id = o.user_id AND b.blocked_id ="
         " m.user_id WHERE o.channel_id = m.channel_id) OR EXISTS (SELECT 1 FROM user_channels o"
         " JOIN user_blocks b ON b.blocked_id = o.user_id AND b.blocker_id = m.user_id WHERE"
         " o.channel_id = m.channel_id)) THEN 1 ELSE 0 END, m.by_choice FROM user_channels m"
         " JOIN channels c"
         " ON c.id = m.channel_id WHERE m.channel_id IN " +
         in_list(keys.channels) + " AND m.user_id IN " + in_list(keys.senders);
}

std::string originals_sql(const batch_keys& keys, const std::string& quoted_ids) {
  return std::string("SELECT ") + schema::k_message_columns + "WHERE sender_id IN " +
         in_list(keys.senders) + " AND client_msg_id IN " + quoted_ids;
}

std::string inserted_ids_sql(const batch_plan& plan) {
  std::string where;
  for (const auto& [channel, last] : plan.next_seq) {
    const long long first = plan.first_seq.at(channel);
    if (last == first) continue;
    where += (where.empty() ? "(" : " OR (") + std::string("channel_id = ") +
             std::to_string(channel) + " AND seq > " + std::to_string(first) +
             " AND seq <= " + std::to_string(last) + ")";
  }
  return "SELECT id, channel_id, seq FROM messages WHERE " + where;
}

std::string move_read_markers_sql(const batch_plan& plan) {
  if (plan.markers.size() == 1) {  // the usual batch at an everyday rate: one sender, one channel
    const auto& [key, seq] = *plan.markers.begin();
    const std::string s = std::to_string(seq);
    return "UPDATE user_channels SET last_read_seq = CASE WHEN last_read_seq < " + s + " THEN " +
           s + " ELSE last_read_seq END, by_choice = 1 WHERE channel_id = " +
           std::to_string(key.first) + " AND user_id = " + std::to_string(key.second);
  }
  std::string cases, where;
  for (const auto& [key, seq] : plan.markers) {
    const std::string pair = "channel_id = " + std::to_string(key.first) +
                             " AND user_id = " + std::to_string(key.second);
    cases += " WHEN " + pair + " AND last_read_seq < " + std::to_string(seq) + " THEN " +
             std::to_string(seq);
    where += (where.empty() ? "(" : " OR (") + pair + ")";
  }
  return "UPDATE user_channels SET last_read_seq = CASE" + cases +
         " ELSE last_read_seq END, by_choice = 1 WHERE " + where;
}

std::string bump_channels_sql(const batch_plan& plan) {
  std::string cases;
  std::vector<long long> changed;
  for (const auto& [channel, last] : plan.next_seq) {
    if (last == plan.first_seq.at(channel)) continue;
    cases += " WHEN " + std::to_string(channel) + " THEN " + std::to_string(last);
    changed.push_back(channel);
  }
  if (changed.size() == 1)
    return "UPDATE channels SET last_seq = " + std::to_string(plan.next_seq.at(changed.front())) +
           " WHERE id = " + std::to_string(changed.front());
  return "UPDATE channels SET last_seq = CASE id" + cases + " END WHERE id IN " + in_list(changed);
}

}  // namespace chat::detail::append_plan
