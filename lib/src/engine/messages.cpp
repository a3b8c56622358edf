// Sending (through group commit), history pages, sync after reconnect, and read markers.
#include <future>
#include <unordered_map>

#include "chat/wire.hpp"
#include "engine/engine_impl.hpp"
#include "engine/reply_budget.hpp"
#include "util/utf8.hpp"

namespace chat {
namespace {

status check_message(const std::string& text, const std::string& client_msg_id) {
  auto length = detail::utf8_length(text);
  if (!length) return {errc::invalid_argument, "message text must be valid UTF-8"};
  if (*length == 0) return {errc::invalid_argument, "message text must not be empty"};
  if (*length > static_cast<std::size_t>(engine::max_message_code_points))
    return {errc::invalid_argument, "message text must be at most 2000 characters"};
  if (detail::has_control_characters(text, "\t\n"))
    return {errc::invalid_argument,
            "message text must not contain control characters other than tab and newline"};
  if (client_msg_id.size() > static_cast<std::size_t>(engine::max_client_msg_id_bytes) ||
      !detail::utf8_length(client_msg_id))
    return {errc::invalid_argument,
            "client_msg_id must be at most 64 bytes of UTF-8 without U+0000"};
  return {};
}

int clamp_limit(int limit) {
  return std::max(1, std::min(limit, engine::max_page_size));
}

}  // namespace

void engine::send_async(user_id sender, channel_id id, std::string text, std::string client_msg_id,
                        connection_id origin, send_callback done) {
  if (auto s = check_message(text, client_msg_id); !s) return done(s);
  detail::commit_queue::request r;
  r.message = {sender, id, std::move(text), std::move(client_msg_id), impl_->now()};
  r.origin = origin;
  // The batch itself tells a missing channel (not_found) from one without the sender
  // (forbidden): a refused send costs the commit thread no query of its own.
  r.done = std::move(done);
  impl_->commits_for(r.message.channel).push(std::move(r));
}

result<message> engine::send(user_id sender, channel_id id, const std::string& text,
                             const std::string& client_msg_id, connection_id origin) {
  auto promise = std::make_shared<std::promise<result<message>>>();
  auto future = promise->get_future();
  send_async(sender, id, text, client_msg_id, origin,
             [promise](result<message> outcome) { promise->set_value(std::move(outcome)); });
  return future.get();
}

result<history_page> engine::history(user_id me, channel_id id, const history_query& query) {
  if (query.direction != history_query::from::latest && query.seq < 0)
    return status(errc::invalid_argument, "seq must not be negative");
  const int limit = clamp_limit(query.limit);
  return impl_->guarded([&]() -> result<history_page> {
    if (auto m = impl_->require_member(id, me); !m) return m.error();
    history_page page;
    switch (query.direction) {
      case history_query::from::latest:
        page.messages = impl_->db->messages_between(id, 0, 0, limit + 1, true);
        break;
      case history_query::from::before:
        if (query.seq <= 1) return page;  // nothing precedes seq 1
        page.messages = impl_->db->messages_between(id, 0, query.seq, limit + 1, true);
        break;
      case history_query::from::after:
        page.messages = impl_->db->messages_between(id, query.seq, 0, limit + 1, false);
        break;
    }
    // One extra row tells whether more exist; drop it from the far end of the page.
    const bool ascending = query.direction == history_query::from::after;
    if (page.messages.size() > static_cast<std::size_t>(limit)) {
      page.has_more = true;
      if (ascending)
        page.messages.pop_back();
      else
        page.messages.erase(page.messages.begin());
    }
    // The byte budget also ends the page at its far end: the newest messages for latest and
    // before, the oldest for after.
    detail::reply_budget budget(impl_->options.max_reply_bytes,
                                wire::to_json(history_page{}).size());
    const std::size_t n = page.messages.size();
    std::size_t kept = 0;
    for (; kept < n; ++kept) {
      const auto& m = page.messages[ascending ? kept : n - 1 - kept];
      if (!budget.take(wire::to_json(m).size() + (kept ? 1 : 0))) break;
    }
    if (kept < n) {
      page.has_more = true;
      if (ascending)
        page.messages.resize(kept);
      else
        page.messages.erase(page.messages.begin(), page.messages.begin() + (n - kept));
    }
    return page;
  });
}

result<sync_result> engine::sync(user_id me, const std::vector<sync_cursor>& cursors,
                                 int limit_per_channel) {
  const int limit = clamp_limit(limit_per_channel);
  std::unordered_map<channel_id, seq_t> after_of;
  for (const auto& c : cursors) {
    seq_t& after = after_of[c.channel];
    after = std::max<seq_t>(after, c.after_seq);
  }
  return impl_->guarded([&]() -> result<sync_result> {
    if (auto u = impl_->require_user(me); !u) return u.error();
    sync_result out;
    // Bounded work per reply: one query for my channels' positions, then at most
    // max_sync_channels message queries, stopping as soon as the byte budget is spent.
    detail::reply_budget budget(impl_->options.max_reply_bytes,
                                wire::to_json(sync_result{}).size());
    for (const auto& position : impl_->db->channel_positions_of(me)) {
      auto found = after_of.find(position.channel);
      const seq_t after = found == after_of.end() ? 0 : found->second;
      if (position.last_seq <= after) continue;
      if (out.channels.size() >= static_cast<std::size_t>(max_sync_channels)) {
        out.has_more = true;
        break;
      }
      channel_sync batch;
      batch.channel = position.channel;
      auto rows = impl_->db->messages_between(batch.channel, after, 0, limit + 1, false);
      batch.has_more = rows.size() > static_cast<std::size_t>(limit);
      if (batch.has_more) rows.pop_back();
      // The channel's wrapper is paid with its first message.
      const std::size_t wrapper = wire::to_json(channel_sync{batch.channel, {}, false}).size() +
                                  (out.channels.empty() ? 0 : 1);
      for (auto& m : rows) {
        const std::size_t cost =
            wire::to_json(m).size() + (batch.messages.empty() ? wrapper : std::size_t{1});
        if (!budget.take(cost)) {
          out.has_more = true;
          break;
        }
        batch.messages.push_back(std::move(m));
      }
      if (batch.messages.size() < rows.size()) batch.has_more = true;
      if (!batch.messages.empty()) out.channels.push_back(std::move(batch));
      if (out.has_more) break;
    }
    return out;
  });
}

result<seq_t> engine::mark_read(user_id me, channel_id id, seq_t seq, connection_id origin) {
  if (seq < 0) return status(errc::invalid_argument, "seq must not be negative");
  return impl_->guarded([&]() -> result<seq_t> {
    auto membership = impl_->require_member(id, me);
    if (!membership) return membership.error();
    const seq_t now_read = impl_->db->advance_read_marker(id, me, seq);
    if (now_read < 0) return status(errc::forbidden, "not a member of this channel");
    if (now_read > membership->last_read_seq) {
      auto ev = std::make_shared<event>();
      ev->kind = event_kind::read_marker;
      ev->channel = id;
      ev->actor = me;
      ev->read_seq = now_read;
      impl_->events.publish(std::move(ev), origin, {me});
    }
    return now_read;
  });
}

}  // namespace chat
