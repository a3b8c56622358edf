// The C API's value types: errors, names of enums, conversions from C++ values, and frees.
#include <cstring>

#include "c_api.hpp"

namespace chat_c {

void set_error(chat_error* error, chat_errc code, const std::string& message) noexcept {
  if (!error) return;
  error->code = code;
  std::size_t n = std::min(message.size(), sizeof(error->message) - 1);
  // Cut before a UTF-8 continuation byte so that the message stays valid UTF-8.
  if (n < message.size())
    while (n > 0 && (static_cast<unsigned char>(message[n]) & 0xC0) == 0x80) --n;
  std::memcpy(error->message, message.data(), n);
  error->message[n] = '\0';
}

void fail(const chat::status& s) {
  // chat::errc and chat_errc share their integers (checked in chat_errc_to_string's file).
  throw api_error{static_cast<chat_errc>(s.code()),
                  s.message().empty() ? std::string(chat::to_string(s.code())) : s.message()};
}

chat::engine& engine_of(chat_engine* engine) {
  if (!engine || !engine->engine) fail(CHAT_ERR_INVALID_ARGUMENT, "engine is NULL");
  return *engine->engine;
}

std::string required(const char* s, const char* what) {
  if (!s) fail(CHAT_ERR_INVALID_ARGUMENT, std::string(what) + " is NULL");
  return s;
}

std::optional<std::string> optional(const char* s) {
  if (!s) return std::nullopt;
  return std::string(s);
}

chat::role role_from(chat_role role) {
  switch (role) {
    case CHAT_ROLE_MEMBER:
      return chat::role::member;
    case CHAT_ROLE_ADMIN:
      return chat::role::admin;
    case CHAT_ROLE_OWNER:
      return chat::role::owner;
  }
  fail(CHAT_ERR_INVALID_ARGUMENT, "unknown role " + std::to_string(static_cast<int>(role)));
}

void fill(chat_user& out, const chat::user& in, arena& memory) {
  out.id = in.id;
  out.username = memory.str(in.username);
  out.email = memory.opt(in.email);
  out.phone = memory.opt(in.phone);
  out.created_at = in.created_at;
}

void fill(chat_channel& out, const chat::channel& in, arena& memory) {
  out.id = in.id;
  out.kind = in.kind == chat::channel_kind::direct ? CHAT_CHANNEL_DIRECT : CHAT_CHANNEL_GROUP;
  out.name = memory.str(in.name);
  out.topic = memory.str(in.topic);
  out.created_by = in.created_by;
  out.created_at = in.created_at;
}

void fill(chat_member& out, const chat::member& in, arena& memory) {
  out.user_id = in.id;
  out.username = memory.str(in.username);
  out.role = static_cast<chat_role>(in.role);
  out.joined_at = in.joined_at;
}

void fill(chat_message& out, const chat::message& in, arena& memory) {
  out.id = in.id;
  out.channel_id = in.channel;
  out.seq = in.seq;
  out.sender_id = in.sender;
  out.text = memory.str(in.text);
  out.client_msg_id = memory.str(in.client_msg_id);
  out.created_at = in.created_at;
}

void fill(chat_channel_summary& out, const chat::channel_summary& in, arena& memory) {
  fill(out.channel, in.channel, memory);
  out.my_role = static_cast<chat_role>(in.my_role);
  out.last_seq = in.last_seq;
  out.last_read_seq = in.last_read_seq;
  out.unread = in.unread;
  if (in.peer) {
    chat_user* peer = memory.array<chat_user>(1);
    fill(*peer, *in.peer, memory);
    out.peer = peer;
  }
  if (in.last_message) {
    chat_message* last = memory.array<chat_message>(1);
    fill(*last, *in.last_message, memory);
    out.last_message = last;
  }
}

void fill(chat_event& out, const chat::event& in, arena& memory) {
  out.kind = static_cast<chat_event_kind>(in.kind);
  out.channel_id = in.channel;
  out.actor_id = in.actor;
  out.json = memory.str(in.json);
  out.json_size = in.json.size();
  if (in.message) {
    chat_message* m = memory.array<chat_message>(1);
    fill(*m, *in.message, memory);
    out.message = m;
  }
  if (in.channel_info) {
    chat_channel* c = memory.array<chat_channel>(1);
    fill(*c, *in.channel_info, memory);
    out.channel = c;
  }
  if (in.subject) {
    chat_member* m = memory.array<chat_member>(1);
    fill(*m, *in.subject, memory);
    out.member = m;
  }
  out.read_seq = in.read_seq;
  out.online = in.online;
  if (in.user_info) {
    chat_user* u = memory.array<chat_user>(1);
    fill(*u, *in.user_info, memory);
    out.user = u;
  }
}

}  // namespace chat_c

// The C enums mirror the C++ ones value for value; these pin that down at compile time.
static_assert(CHAT_ERR_INVALID_ARGUMENT == static_cast<int>(chat::errc::invalid_argument));
static_assert(CHAT_ERR_NOT_FOUND == static_cast<int>(chat::errc::not_found));
static_assert(CHAT_ERR_FORBIDDEN == static_cast<int>(chat::errc::forbidden));
static_assert(CHAT_ERR_CONFLICT == static_cast<int>(chat::errc::conflict));
static_assert(CHAT_ERR_UNAUTHENTICATED == static_cast<int>(chat::errc::unauthenticated));
static_assert(CHAT_ERR_UNAVAILABLE == static_cast<int>(chat::errc::unavailable));
static_assert(CHAT_ERR_INTERNAL == static_cast<int>(chat::errc::internal));
static_assert(CHAT_ERR_RATE_LIMITED == static_cast<int>(chat::errc::rate_limited));
static_assert(CHAT_ROLE_OWNER == static_cast<int>(chat::role::owner));
static_assert(CHAT_ROLE_ADMIN == static_cast<int>(chat::role::admin));
static_assert(CHAT_CHANNEL_DIRECT == static_cast<int>(chat::channel_kind::direct));
static_assert(CHAT_EVENT_MESSAGE_CREATED == static_cast<int>(chat::event_kind::message_created));
static_assert(CHAT_EVENT_MEMBER_ROLE_CHANGED ==
              static_cast<int>(chat::event_kind::member_role_changed));
static_assert(CHAT_EVENT_TYPING == static_cast<int>(chat::event_kind::typing));
static_assert(CHAT_EVENT_SESSION_REVOKED == static_cast<int>(chat::event_kind::session_revoked));
static_assert(CHAT_EVENT_USER_UPDATED == static_cast<int>(chat::event_kind::user_updated));

extern "C" {

const char* chat_version(void) {
  return chat::version();
}

const char* chat_errc_to_string(chat_errc code) {
  const int n = static_cast<int>(code);
  if (n < CHAT_OK || n > CHAT_ERR_RATE_LIMITED) return "unknown";
  return chat::to_string(static_cast<chat::errc>(code));
}

const char* chat_channel_kind_to_string(chat_channel_kind kind) {
  const int n = static_cast<int>(kind);
  if (n != CHAT_CHANNEL_GROUP && n != CHAT_CHANNEL_DIRECT) return "unknown";
  return chat::to_string(static_cast<chat::channel_kind>(kind));
}

const char* chat_role_to_string(chat_role role) {
  const int n = static_cast<int>(role);
  if (n < CHAT_ROLE_MEMBER || n > CHAT_ROLE_OWNER) return "unknown";
  return chat::to_string(static_cast<chat::role>(role));
}

const char* chat_event_kind_to_string(chat_event_kind kind) {
  const int n = static_cast<int>(kind);
  if (n < CHAT_EVENT_MESSAGE_CREATED || n > CHAT_EVENT_USER_UPDATED) return "unknown";
  return chat::to_string(static_cast<chat::event_kind>(kind));
}

void chat_user_free(chat_user* user) {
  chat_c::destroy(user);
}
void chat_session_free(chat_session* session) {
  chat_c::destroy(session);
}
void chat_channel_free(chat_channel* channel) {
  chat_c::destroy(channel);
}
void chat_message_free(chat_message* message) {
  chat_c::destroy(message);
}
void chat_channel_list_free(chat_channel_list* list) {
  chat_c::destroy(list);
}
void chat_member_list_free(chat_member_list* list) {
  chat_c::destroy(list);
}
void chat_message_list_free(chat_message_list* list) {
  chat_c::destroy(list);
}
void chat_id_list_free(chat_id_list* list) {
  chat_c::destroy(list);
}
void chat_sync_result_free(chat_sync_result* result) {
  chat_c::destroy(result);
}

}  // extern "C"
