// Value types exchanged through the public API: users, channels, members and messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chat {

using user_id = std::int64_t;
using channel_id = std::int64_t;
using message_id = std::int64_t;
using seq_t = std::int64_t;           // per-channel message sequence, 1, 2, 3, ... without gaps
using time_ms = std::int64_t;         // milliseconds since the Unix epoch, UTC
using connection_id = std::uint64_t;  // a connected session registered with engine::connect

struct user {
  user_id id = 0;
  std::string username;  // as the user chose it; unique ignoring ASCII letter case
  std::optional<std::string> email;
  std::optional<std::string> phone;
  time_ms created_at = 0;
};

struct new_account {
  std::string username;
  std::string password;
  std::optional<std::string> email;
  std::optional<std::string> phone;
};

// A login: the token is shown once and never stored by the engine, only its hash.
struct session_grant {
  std::string token;
  user account;
  time_ms expires_at = 0;
};

// A valid session, as engine::authenticate_session sees it.
struct session_info {
  user account;
  time_ms created_at = 0;  // when the user signed in (never moves)
  time_ms expires_at = 0;  // after the slide of this call
};

struct external_identity {
  std::string issuer;   // OpenID Connect "iss", e.g. "https://accounts.google.com"
  std::string subject;  // OpenID Connect "sub", stable per issuer
  std::optional<std::string> email;
  time_ms linked_at = 0;
};

enum class channel_kind : std::uint8_t { group = 0, direct = 1 };
enum class role : std::uint8_t { member = 0, admin = 1, owner = 2 };

const char* to_string(channel_kind kind) noexcept;
const char* to_string(role r) noexcept;
std::optional<role> role_from_string(const std::string& name) noexcept;

// Who may add me to a group (engine::set_privacy). See docs/protocol.md, "Who may reach me".
enum class group_add_policy : std::uint8_t {
  everyone = 0,  // anyone (the default)
  contacts = 1,  // users with whom I have a direct conversation that I opened or sent into
  nobody = 2,    // no one: I only join groups I create or join by name
};

const char* to_string(group_add_policy policy) noexcept;
std::optional<group_add_policy> group_add_policy_from_string(const std::string& name) noexcept;

struct privacy_settings {
  group_add_policy group_adds = group_add_policy::everyone;
};

struct channel {
  channel_id id = 0;
  channel_kind kind = channel_kind::group;
  std::string name;  // empty for direct conversations
  std::string topic;
  user_id created_by = 0;
  time_ms created_at = 0;
};

struct member {
  user_id id = 0;
  std::string username;
  chat::role role = role::member;
  time_ms joined_at = 0;
};

struct message {
  message_id id = 0;
  channel_id channel = 0;
  seq_t seq = 0;
  user_id sender = 0;
  std::string text;
  std::string client_msg_id;  // the sender's idempotency key; empty if none was given
  time_ms created_at = 0;
};

// One line of "my conversations".
struct channel_summary {
  chat::channel channel;
  chat::role my_role = role::member;
  seq_t last_seq = 0;        // seq of the newest message, 0 if none
  seq_t last_read_seq = 0;   // my read marker
  std::int64_t unread = 0;   // last_seq - last_read_seq (own messages count as read)
  std::optional<user> peer;  // the other user of a direct conversation
  std::optional<message> last_message;
};

// Lists whose size depends on stored data come in pages whose JSON encoding (chat::wire) is at
// most engine_options::max_reply_bytes; `has_more` says the page ended early (see engine.hpp).
struct channel_page {
  std::vector<channel_summary> channels;  // ascending channel id
  bool has_more = false;                  // more follow: ask again after the last channel id
};

struct member_page {
  std::vector<member> members;  // ascending user id
  bool has_more = false;        // more follow: ask again after the last user id
};

// History page selector: exactly one of latest / before / after.
struct history_query {
  enum class from : std::uint8_t { latest, before, after } direction = from::latest;
  seq_t seq = 0;   // exclusive bound for before/after
  int limit = 50;  // clamped to [1, engine::max_page_size]
};

struct history_page {
  std::vector<message> messages;  // ascending seq
  bool has_more = false;          // more messages exist beyond this page in its direction
};

// Where a client stands in one channel when it reconnects.
struct sync_cursor {
  channel_id channel = 0;
  seq_t after_seq = 0;
};

struct channel_sync {
  channel_id channel = 0;
  std::vector<message> messages;  // ascending seq, all > the cursor
  bool has_more = false;          // call sync again with the last seq as cursor
};

struct sync_result {
  std::vector<channel_sync> channels;  // channels with something new, ascending channel id
  // The reply ended early (byte budget or channel cap): channels after the last one listed
  // may have news too. Call sync again with cursors moved to what this reply returned.
  bool has_more = false;
};

}  // namespace chat
