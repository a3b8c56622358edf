// Request handlers: validate fields, call the engine, encode the result with chat::wire.
#include "protocol/requests.hpp"

#include <map>

#include "chat/wire.hpp"
#include "protocol/args.hpp"
#include "protocol/frames.hpp"

namespace chat::chatd {

void request_context::ok(std::string_view result_json) const {
  if (answered->exchange(true)) return;
  out->push(outgoing_frame{nullptr, response_frame(id, result_json)});
}

void request_context::fail(const chat::status& error) const {
  if (answered->exchange(true)) return;
  counters.request_errors.fetch_add(1, std::memory_order_relaxed);
  out->push(outgoing_frame{nullptr, error_frame(id, error)});
}

void request_context::fail_with(std::string_view code, std::string_view message) const {
  if (answered->exchange(true)) return;
  counters.request_errors.fetch_add(1, std::memory_order_relaxed);
  out->push(outgoing_frame{nullptr, error_frame(id, code, message)});
}

namespace {

using json = nlohmann::json;
using handler = void (*)(const json&, const request_context&);

template <typename T, typename F>
void reply(const request_context& ctx, const chat::result<T>& r, F&& encode) {
  if (r.ok()) {
    ctx.ok(encode(r.value()));
  } else {
    ctx.fail(r.error());
  }
}

void reply_status(const request_context& ctx, const chat::status& s) {
  if (s.ok()) {
    ctx.ok("{}");
  } else {
    ctx.fail(s);
  }
}

template <typename T>
std::string array_of(const std::vector<T>& items) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += chat::wire::to_json(item);
  }
  return out + ']';
}

std::string wrap(const char* key, const std::string& json_value) {
  return std::string("{\"") + key + "\":" + json_value + '}';
}

// A user named by "user_id" or by "username" (any letter case).
chat::result<chat::user> resolve_user(const json& req, const request_context& ctx) {
  if (auto id = optional_id(req, "user_id")) return ctx.engine.get_user(*id);
  if (auto name = optional_string(req, "username")) return ctx.engine.find_user(*name);
  throw bad_request("missing field user_id or username");
}

chat::role parse_role(const json& req, const char* field, chat::role fallback, bool required) {
  auto name = required ? std::optional<std::string>(require_string(req, field))
                       : optional_string(req, field);
  if (!name) return fallback;
  auto r = chat::role_from_string(*name);
  if (!r) throw bad_request(std::string("field ") + field + ": expected owner, admin or member");
  return *r;
}

void on_ping(const json&, const request_context& ctx) {
  ctx.ok("{}");
}

void on_get_user(const json& req, const request_context& ctx) {
  reply(ctx, resolve_user(req, ctx),
        [](const chat::user& u) { return wrap("user", chat::wire::to_json(u)); });
}

void on_create_group(const json& req, const request_context& ctx) {
  std::string name = require_string(req, "name");
  std::string topic = optional_string(req, "topic").value_or("");
  std::vector<chat::user_id> members;
  if (auto it = req.find("member_ids"); it != req.end() && !it->is_null()) {
    if (!it->is_array()) throw bad_request("field member_ids: expected an array of ids");
    if (it->size() > 1000) throw bad_request("field member_ids: at most 1000 ids");
    for (const auto& id : *it) members.push_back(parse_id(id, "member_ids"));
  }
  reply(ctx, ctx.engine.create_group(ctx.me, name, topic, members),
        [](const chat::channel& c) { return wrap("channel", chat::wire::to_json(c)); });
}

void on_open_direct(const json& req, const request_context& ctx) {
  auto peer = resolve_user(req, ctx);
  if (!peer.ok()) return ctx.fail(peer.error());
  auto channel = ctx.engine.open_direct(ctx.me, peer->id);
  if (!channel.ok()) return ctx.fail(channel.error());
  ctx.ok(R"({"channel":)" + chat::wire::to_json(*channel) + R"(,"peer":)" +
         chat::wire::to_json(*peer) + '}');
}

void on_join_public(const json& req, const request_context& ctx) {
  reply(ctx, ctx.engine.join_public(ctx.me, require_string(req, "name")),
        [](const chat::channel& c) { return wrap("channel", chat::wire::to_json(c)); });
}

// Pages: each result is at most the engine's reply budget (docs/protocol.md, "Limits").
void on_list_channels(const json& req, const request_context& ctx) {
  reply(ctx, ctx.engine.list_channels(ctx.me, optional_id(req, "after_channel_id").value_or(0)),
        [](const chat::channel_page& p) { return chat::wire::to_json(p); });
}

void on_get_channel(const json& req, const request_context& ctx) {
  reply(ctx, ctx.engine.get_channel(ctx.me, require_id(req, "channel_id")),
        [](const chat::channel& c) { return wrap("channel", chat::wire::to_json(c)); });
}

void on_rename_channel(const json& req, const request_context& ctx) {
  auto id = require_id(req, "channel_id");
  reply(ctx, ctx.engine.rename_channel(ctx.me, id, require_string(req, "name")),
        [](const chat::channel& c) { return wrap("channel", chat::wire::to_json(c)); });
}

void on_set_topic(const json& req, const request_context& ctx) {
  auto id = require_id(req, "channel_id");
  reply(ctx, ctx.engine.set_topic(ctx.me, id, require_string(req, "topic")),
        [](const chat::channel& c) { return wrap("channel", chat::wire::to_json(c)); });
}

void on_list_members(const json& req, const request_context& ctx) {
  auto channel = require_id(req, "channel_id");
  reply(ctx, ctx.engine.members(ctx.me, channel, optional_id(req, "after_user_id").value_or(0)),
        [](const chat::member_page& p) { return chat::wire::to_json(p); });
}

void on_add_member(const json& req, const request_context& ctx) {
  auto channel = require_id(req, "channel_id");
  auto r = parse_role(req, "role", chat::role::member, false);
  auto target = resolve_user(req, ctx);
  if (!target.ok()) return ctx.fail(target.error());
  reply_status(ctx, ctx.engine.add_member(ctx.me, channel, target->id, r));
}

void on_remove_member(const json& req, const request_context& ctx) {
  auto channel = require_id(req, "channel_id");
  reply_status(ctx, ctx.engine.remove_member(ctx.me, channel, require_id(req, "user_id")));
}

void on_leave(const json& req, const request_context& ctx) {
  reply_status(ctx, ctx.engine.leave(ctx.me, require_id(req, "channel_id")));
}

void on_set_role(const json& req, const request_context& ctx) {
  auto channel = require_id(req, "channel_id");
  auto target = require_id(req, "user_id");
  auto r = parse_role(req, "role", chat::role::member, true);
  reply_status(ctx, ctx.engine.set_role(ctx.me, channel, target, r));
}

// The only asynchronous request: the ack is queued from the engine's commit thread, so the
// I/O thread never waits for a commit and concurrent sends share one transaction.
void on_send(const json& req, const request_context& ctx) {
  auto channel = require_id(req, "channel_id");
  std::string text = require_string(req, "text");
  std::string client_msg_id = optional_string(req, "client_msg_id").value_or("");
  auto out = ctx.out;
  auto* counters = &ctx.counters;
  auto in_flight = ctx.sends_in_flight;
  std::string id = ctx.id;
  in_flight->fetch_add(1, std::memory_order_relaxed);
  ctx.engine.send_async(
      ctx.me, channel, std::move(text), std::move(client_msg_id), ctx.connection,
      [out, counters, in_flight, id, answered = ctx.answered](chat::result<chat::message> r) {
        if (answered->exchange(true)) {
          // Answered by the request timeout already ("may have been stored").
        } else if (r.ok()) {
          counters->messages_sent.fetch_add(1, std::memory_order_relaxed);
          out->push(outgoing_frame{
              nullptr, response_frame(id, wrap("message", chat::wire::to_json(r.value())))});
        } else {
          counters->request_errors.fetch_add(1, std::memory_order_relaxed);
          out->push(outgoing_frame{nullptr, error_frame(id, r.error())});
        }
        // Only now: shutdown waits for this count, so the ack is queued before it closes.
        in_flight->fetch_sub(1, std::memory_order_release);
      });
}

void on_history(const json& req, const request_context& ctx) {
  chat::history_query q;
  auto channel = require_id(req, "channel_id");
  auto before = optional_integer(req, "before_seq", 0, INT64_MAX);
  auto after = optional_integer(req, "after_seq", 0, INT64_MAX);
  if (before && after) throw bad_request("give before_seq or after_seq, not both");
  if (before) {
    q.direction = chat::history_query::from::before;
    q.seq = *before;
  } else if (after) {
    q.direction = chat::history_query::from::after;
    q.seq = *after;
  }
  q.limit =
      static_cast<int>(optional_integer(req, "limit", 1, chat::engine::max_page_size).value_or(50));
  reply(ctx, ctx.engine.history(ctx.me, channel, q),
        [](const chat::history_page& p) { return chat::wire::to_json(p); });
}

void on_sync(const json& req, const request_context& ctx) {
  std::vector<chat::sync_cursor> cursors;
  if (auto it = req.find("cursors"); it != req.end() && !it->is_null()) {
    if (!it->is_array()) throw bad_request("field cursors: expected an array");
    if (it->size() > 10000) throw bad_request("field cursors: at most 10000 cursors");
    for (const auto& c : *it) {
      if (!c.is_object()) throw bad_request("field cursors: expected objects");
      cursors.push_back(
          {require_id(c, "channel_id"), require_integer(c, "after_seq", 0, INT64_MAX)});
    }
  }
  int limit =
      static_cast<int>(optional_integer(req, "limit_per_channel", 1, chat::engine::max_page_size)
                           .value_or(chat::engine::max_page_size));
  reply(ctx, ctx.engine.sync(ctx.me, cursors, limit),
        [](const chat::sync_result& s) { return chat::wire::to_json(s); });
}

void on_mark_read(const json& req, const request_context& ctx) {
  auto channel = require_id(req, "channel_id");
  auto seq = require_integer(req, "seq", 0, INT64_MAX);
  reply(ctx, ctx.engine.mark_read(ctx.me, channel, seq, ctx.connection),
        [](chat::seq_t s) { return R"({"seq":)" + std::to_string(s) + '}'; });
}

void on_typing(const json& req, const request_context& ctx) {
  reply_status(ctx, ctx.engine.typing(ctx.me, require_id(req, "channel_id"), ctx.connection));
}

void on_online_contacts(const json&, const request_context& ctx) {
  reply(ctx, ctx.engine.online_contacts(ctx.me), [](const std::vector<chat::user_id>& ids) {
    std::string out = R"({"user_ids":[)";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i) out += ',';
      out += '"' + std::to_string(ids[i]) + '"';
    }
    return out + "]}";
  });
}

// Who may reach me (docs/protocol.md, "Who may reach me").
void on_block_user(const json& req, const request_context& ctx) {
  auto target = resolve_user(req, ctx);
  if (!target.ok()) return ctx.fail(target.error());
  reply_status(ctx, ctx.engine.block_user(ctx.me, target->id));
}

void on_unblock_user(const json& req, const request_context& ctx) {
  auto target = resolve_user(req, ctx);
  if (!target.ok()) return ctx.fail(target.error());
  reply_status(ctx, ctx.engine.unblock_user(ctx.me, target->id));
}

void on_list_blocked(const json&, const request_context& ctx) {
  reply(ctx, ctx.engine.blocked_users(ctx.me), [](const std::vector<chat::user>& users) {
    std::string out = R"({"users":[)";
    for (std::size_t i = 0; i < users.size(); ++i) {
      if (i) out += ',';
      out += chat::wire::to_json(users[i]);
    }
    return out + "]}";
  });
}

std::string privacy_json(const chat::privacy_settings& p) {
  return wrap("privacy", chat::wire::to_json(p));
}

void on_get_privacy(const json&, const request_context& ctx) {
  reply(ctx, ctx.engine.privacy(ctx.me), privacy_json);
}

void on_set_privacy(const json& req, const request_context& ctx) {
  auto name = require_string(req, "group_adds");
  auto policy = chat::group_add_policy_from_string(name);
  if (!policy) throw bad_request("field group_adds: expected everyone, contacts or nobody");
  chat::privacy_settings settings;
  settings.group_adds = *policy;
  auto s = ctx.engine.set_privacy(ctx.me, settings);
  if (!s.ok()) return ctx.fail(s);
  ctx.ok(privacy_json(settings));
}

const std::map<std::string, handler>& handlers() {
  static const std::map<std::string, handler> table = {
      {"ping", on_ping},
      {"get_user", on_get_user},
      {"create_group", on_create_group},
      {"open_direct", on_open_direct},
      {"join_public", on_join_public},
      {"list_channels", on_list_channels},
      {"get_channel", on_get_channel},
      {"rename_channel", on_rename_channel},
      {"set_topic", on_set_topic},
      {"list_members", on_list_members},
      {"add_member", on_add_member},
      {"remove_member", on_remove_member},
      {"leave", on_leave},
      {"set_role", on_set_role},
      {"send", on_send},
      {"history", on_history},
      {"sync", on_sync},
      {"mark_read", on_mark_read},
      {"typing", on_typing},
      {"online_contacts", on_online_contacts},
      {"block_user", on_block_user},
      {"unblock_user", on_unblock_user},
      {"list_blocked", on_list_blocked},
      {"get_privacy", on_get_privacy},
      {"set_privacy", on_set_privacy},
  };
  return table;
}

}  // namespace

bool dispatch_request(const std::string& type, const json& req, const request_context& ctx) {
  const auto& table = handlers();
  auto it = table.find(type);
  if (it == table.end()) return false;
  it->second(req, ctx);
  return true;
}

std::vector<std::string> request_types() {
  std::vector<std::string> out;
  for (const auto& [name, h] : handlers()) out.push_back(name);
  out.push_back("auth");
  return out;
}

}  // namespace chat::chatd
