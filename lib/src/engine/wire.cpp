// JSON encoding of the public types and of event frames (docs/protocol.md is the contract).
#include "chat/wire.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

namespace chat::wire {
namespace {

using json = nlohmann::json;

// Ids travel as strings so that JavaScript clients keep every digit.
std::string id(std::int64_t value) {
  return std::to_string(value);
}

json user_json(const user& u) {
  return {{"id", id(u.id)}, {"username", u.username}, {"created_at", u.created_at}};
}

json message_json(const message& m) {
  return {{"id", id(m.id)},
          {"channel_id", id(m.channel)},
          {"seq", m.seq},
          {"sender_id", id(m.sender)},
          {"text", m.text},
          {"client_msg_id", m.client_msg_id},
          {"created_at", m.created_at}};
}

json channel_json(const channel& c) {
  return {{"id", id(c.id)},   {"kind", to_string(c.kind)},      {"name", c.name},
          {"topic", c.topic}, {"created_by", id(c.created_by)}, {"created_at", c.created_at}};
}

json member_json(const member& m) {
  return {{"user_id", id(m.id)},
          {"username", m.username},
          {"role", to_string(m.role)},
          {"joined_at", m.joined_at}};
}

json summary_json(const channel_summary& s) {
  json j = {{"channel", channel_json(s.channel)},
            {"role", to_string(s.my_role)},
            {"last_seq", s.last_seq},
            {"last_read_seq", s.last_read_seq},
            {"unread", s.unread}};
  if (s.peer) j["peer"] = user_json(*s.peer);
  if (s.last_message) j["last_message"] = message_json(*s.last_message);
  return j;
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A message is encoded for every event, acknowledgement and history row, so it is written
// straight into one string: the same bytes as dump(message_json(m)) (keys in nlohmann's sorted
// order, strings escaped by nlohmann) without building a JSON tree of ~50 allocations.
void append_message(std::string& out, const message& m) {
  auto text = [&out](const std::string& value) { out += dump(json(value)); };
  out += R"({"channel_id":")";
  out += std::to_string(m.channel);
  out += R"(","client_msg_id":)";
  text(m.client_msg_id);
  out += R"(,"created_at":)";
  out += std::to_string(m.created_at);
  out += R"(,"id":")";
  out += std::to_string(m.id);
  out += R"(","sender_id":")";
  out += std::to_string(m.sender);
  out += R"(","seq":)";
  out += std::to_string(m.seq);
  out += R"(,"text":)";
  text(m.text);
  out += '}';
}

}  // namespace

std::string to_json(const user& u) {
  return dump(user_json(u));
}
std::string to_json(const message& m) {
  std::string out;
  out.reserve(160 + m.text.size() + m.client_msg_id.size());
  append_message(out, m);
  return out;
}
std::string to_json(const channel& c) {
  return dump(channel_json(c));
}
std::string to_json(const member& m) {
  return dump(member_json(m));
}
std::string to_json(const channel_summary& s) {
  return dump(summary_json(s));
}

std::string to_json(const privacy_settings& p) {
  return dump(json{{"group_adds", to_string(p.group_adds)}});
}

namespace {

json identity_json(const external_identity& i) {
  json j = {{"issuer", i.issuer}, {"subject", i.subject}, {"linked_at", i.linked_at}};
  if (i.email) j["email"] = *i.email;
  return j;
}

}  // namespace

std::string to_json(const external_identity& i) {
  return dump(identity_json(i));
}

std::string to_json(const external_identity& i, const std::optional<std::string>& provider) {
  json j = identity_json(i);
  j["provider"] = provider ? json(*provider) : json(nullptr);
  return dump(j);
}

// Keys in this order (not nlohmann's sorted one): the order docs/protocol.md shows.
std::string to_json(const session_grant& g, bool with_token) {
  std::string out = "{";
  if (with_token) out += R"("token":)" + dump(json(g.token)) + ",";
  out += R"("expires_at":)" + std::to_string(g.expires_at) + R"(,"user":)" + to_json(g.account);
  return out + "}";
}

namespace {

template <typename T>
void append_array(std::string& out, const std::vector<T>& items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    if constexpr (std::is_same_v<T, message>) {
      append_message(out, items[i]);
    } else {
      out += to_json(items[i]);
    }
  }
  out += ']';
}

const char* boolean(bool value) {
  return value ? "true" : "false";
}

}  // namespace

std::string to_json(const history_page& p) {
  std::string out = R"({"messages":)";
  append_array(out, p.messages);
  return out + R"(,"has_more":)" + boolean(p.has_more) + '}';
}

std::string to_json(const channel_sync& c) {
  std::string out = R"({"channel_id":")" + id(c.channel) + R"(","messages":)";
  append_array(out, c.messages);
  return out + R"(,"has_more":)" + boolean(c.has_more) + '}';
}

std::string to_json(const sync_result& s) {
  std::string out = R"({"channels":)";
  append_array(out, s.channels);
  return out + R"(,"has_more":)" + boolean(s.has_more) + '}';
}

std::string to_json(const channel_page& p) {
  std::string out = R"({"channels":)";
  append_array(out, p.channels);
  return out + R"(,"has_more":)" + boolean(p.has_more) + '}';
}

std::string to_json(const member_page& p) {
  std::string out = R"({"members":)";
  append_array(out, p.members);
  return out + R"(,"has_more":)" + boolean(p.has_more) + '}';
}

std::string encode_event(const event& e) {
  if (e.kind == event_kind::message_created && e.message) {
    std::string out;
    out.reserve(200 + e.message->text.size() + e.message->client_msg_id.size());
    out += R"({"event":"message.created","message":)";
    append_message(out, *e.message);
    out += R"(,"type":"event"})";
    return out;
  }
  json j = {{"type", "event"}, {"event", event_name(e.kind)}};
  switch (e.kind) {
    case event_kind::message_created:
      if (e.message) j["message"] = message_json(*e.message);
      break;
    case event_kind::channel_created:
    case event_kind::channel_updated:
      if (e.channel_info) j["channel"] = channel_json(*e.channel_info);
      j["actor_id"] = id(e.actor);
      break;
    case event_kind::member_added:
    case event_kind::member_removed:
    case event_kind::member_role_changed:
      j["channel_id"] = id(e.channel);
      if (e.subject) j["member"] = member_json(*e.subject);
      j["actor_id"] = id(e.actor);
      break;
    case event_kind::read_marker:
      j["channel_id"] = id(e.channel);
      j["seq"] = e.read_seq;
      break;
    case event_kind::presence:
      j["user_id"] = id(e.actor);
      j["online"] = e.online;
      break;
    case event_kind::typing:
      j["channel_id"] = id(e.channel);
      j["user_id"] = id(e.actor);
      if (e.subject) j["username"] = e.subject->username;
      break;
    case event_kind::session_revoked:
      break;
    case event_kind::user_updated:
      if (e.user_info) j["user"] = user_json(*e.user_info);
      break;
  }
  return dump(j);
}

}  // namespace chat::wire
