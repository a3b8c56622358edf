// chat::engine: accounts, sessions, channels, membership, messages and live routing.
//
// Thread-safety: every member function may be called from any thread concurrently.
// Errors: no exception escapes; each call returns a status or result<T> (see error.hpp).
// Lifetime: destroying the engine finishes pending sends (their callbacks run) and then stops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chat/error.hpp"
#include "chat/events.hpp"
#include "chat/options.hpp"
#include "chat/types.hpp"

namespace chat {
namespace detail {
struct engine_impl;  // the engine's private state, defined inside the library
}  // namespace detail

// Counters for monitoring; every figure is monotonic since open().
struct engine_stats {
  std::uint64_t messages_committed = 0;
  std::uint64_t duplicate_sends = 0;  // retries answered with the original message
  std::uint64_t commit_batches = 0;   // committed transactions of the group-commit writer
  // Its transactions that failed and were rolled back; a failed batch is split in halves and
  // retried, so one bad message among n costs at most 1 + 2 log2(n) transactions.
  std::uint64_t failed_commits = 0;
  std::uint64_t database_calls = 0;    // calls into the storage layer, one connection lease each
  std::uint64_t events_delivered = 0;  // deliver() calls to session sinks
  std::uint64_t database_errors = 0;   // calls that failed with unavailable or internal
  std::uint64_t disk_full_errors = 0;  // of those: the database's disk was full
  std::uint64_t read_only_errors = 0;  // of those: the database refused writes (read-only)
  // Sends whose transaction failed while its COMMIT was on its way (the connection died): the
  // sender was told the outcome is unknown. Once the database answers, the commit thread looks
  // them up and publishes those that were stored (in_doubt_published), before any later send
  // of their channels, so live members still get every message once, in seq order.
  std::uint64_t in_doubt_sends = 0;
  std::uint64_t in_doubt_published = 0;
  std::uint64_t connections = 0;          // sessions currently connected
  std::uint64_t cached_member_lists = 0;  // channels whose members are cached for delivery
  // batch_size_buckets[i] counts commit batches of size <= k_batch_bounds[i] (cumulative
  // buckets, Prometheus style); the last bucket is +Inf.
  static constexpr int k_batch_bucket_count = 8;
  static constexpr int k_batch_bounds[k_batch_bucket_count - 1] = {1, 2, 4, 16, 64, 256, 1024};
  std::uint64_t batch_size_buckets[k_batch_bucket_count] = {};
  std::uint64_t batch_size_sum = 0;
};

class engine {
 public:
  static constexpr int max_page_size = 200;  // history and sync page cap
  // sync lists at most this many channels per reply (has_more says more may follow).
  static constexpr int max_sync_channels = 100;
  // The smallest engine_options::max_reply_bytes: the largest single item fits (a summary whose
  // name, topic and last message are all control characters, six bytes of JSON each).
  static constexpr std::size_t min_reply_bytes = 16 * 1024;
  static constexpr int max_message_code_points = 2000;
  static constexpr int max_channel_name_code_points = 80;
  static constexpr int max_topic_code_points = 250;
  static constexpr int max_client_msg_id_bytes = 64;

  // Opens (and creates or migrates) the database. unavailable if it cannot be reached,
  // invalid_argument for a malformed connection string, conflict if the SQLite file is in use
  // by another engine (in this process or another: the engine locks "<file>.lock" until it
  // is destroyed; one engine per SQLite database). The options are checked here only (see
  // engine_options).
  static result<std::unique_ptr<engine>> open(engine_options options);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // ---- Accounts -------------------------------------------------------------------------
  // Usernames: 3..20 characters of A-Z a-z 0-9 _ . - ; unique ignoring ASCII case.
  // Passwords: 8..1024 bytes of valid UTF-8 that cracklib does not find weak (a dictionary
  // word or a variant of one, the username, too simple; engine_options::refuse_weak_passwords).
  // Errors: invalid_argument, conflict (name taken; checked before the password is hashed).
  result<user> register_user(const new_account& account);
  // unauthenticated for an unknown user or a wrong password (the same message for both).
  // rate_limited (status::retry_after() seconds) while the account or `client_address` (the
  // caller's network address, "" if none) waits after failed logins
  // (engine_options::login_backoff); then even the right password is refused.
  result<session_grant> login(const std::string& username, const std::string& password,
                              const std::string& client_address = {});
  // Starts a session for a user already proven by other means (OpenID Connect).
  result<session_grant> create_session(user_id id);
  // Resolves a token and slides its expiry. unauthenticated if unknown, expired or revoked.
  result<user> authenticate(const std::string& token);
  // authenticate() that also tells when the session began (for recent re-authentication).
  result<session_info> authenticate_session(const std::string& token);
  // Revokes one session; its live connections get session_revoked and are dropped.
  status logout(const std::string& token);
  // Revokes all of the user's sessions and drops all their connections; returns how many
  // sessions were revoked.
  result<int> logout_everywhere(user_id id);
  result<user> get_user(user_id id);
  result<user> find_user(const std::string& username);  // any letter case
  result<user> change_username(user_id id, const std::string& new_username);
  status change_password(user_id id, const std::string& old_password,
                         const std::string& new_password);

  // ---- External identities (OpenID Connect) ----------------------------------------------
  result<user> find_user_by_identity(const std::string& issuer, const std::string& subject);
  // Creates the account and links the identity atomically; conflict if the name is taken or
  // the identity is already linked.
  result<user> register_with_identity(const std::string& username,
                                      const external_identity& identity);
  status link_identity(user_id id, const external_identity& identity);
  // conflict if it is the account's last way to sign in (no password, no other identity).
  status unlink_identity(user_id id, const std::string& issuer);
  result<std::vector<external_identity>> identities(user_id id);

  // ---- Channels ------------------------------------------------------------------------
  // The creator becomes owner; `members` are added as plain members (unknown ids: not_found).
  result<channel> create_group(user_id creator, const std::string& name, const std::string& topic,
                               const std::vector<user_id>& members = {});
  // The one direct conversation of an unordered pair; created on first call, race-free.
  result<channel> open_direct(user_id me, user_id peer);
  // Public groups are joined by name: joins the public group called `name` (ASCII letter case
  // ignored), creating it with me as its owner if it does not exist yet; race-free and
  // idempotent. The name is the group's address and stays fixed even if it is renamed later.
  result<channel> join_public(user_id me, const std::string& name);
  // My channels in ascending id order, those with an id above `after`, one budgeted page at a
  // time (engine_options::max_reply_bytes); has_more: ask again with the last id as `after`.
  result<channel_page> list_channels(user_id me, channel_id after = 0);
  result<channel> get_channel(user_id me, channel_id id);  // forbidden unless a member
  result<channel> rename_channel(user_id actor, channel_id id, const std::string& name);
  result<channel> set_topic(user_id actor, channel_id id, const std::string& topic);

  // ---- Membership ----------------------------------------------------------------------
  // Rules: owners and admins add members (admins add as member or admin, owners as anything)
  // and remove them; admins cannot remove owners; only owners change roles; the last owner
  // cannot leave or be demoted while other members remain; direct conversations are fixed
  // (forbidden). Errors: forbidden, not_found (user or channel), conflict (already a member).
  // The members in ascending user id order, those above `after`, one budgeted page at a time.
  result<member_page> members(user_id me, channel_id id, user_id after = 0);
  status add_member(user_id actor, channel_id id, user_id target, role r = role::member);
  status remove_member(user_id actor, channel_id id, user_id target);
  status leave(user_id me, channel_id id);
  status set_role(user_id actor, channel_id id, user_id target, role r);

  // ---- Who may reach me -------------------------------------------------------------------
  // A block between two users (either way) refuses open_direct and send in their direct
  // conversation (forbidden), and stops presence between them. A blocked user also cannot add
  // the blocker to a group (forbidden). Shared groups are otherwise unaffected. Blocking is
  // idempotent; invalid_argument for myself, not_found for an unknown user.
  status block_user(user_id me, user_id target);
  // Idempotent; not_found for an unknown user. blocked_users: whom I blocked, by username.
  status unblock_user(user_id me, user_id target);
  result<std::vector<user>> blocked_users(user_id me);
  // Who may add me to groups (create_group's members and add_member); others get forbidden.
  result<privacy_settings> privacy(user_id me);
  status set_privacy(user_id me, const privacy_settings& settings);

  // ---- Messages ------------------------------------------------------------------------
  // Text: valid UTF-8, 1..2000 code points. client_msg_id: 0..64 bytes; a retry with the same
  // (sender, client_msg_id) returns the original message. Returns once committed (durable).
  // `origin` is the sending connection, which gets no message_created event for its own send.
  result<message> send(user_id sender, channel_id id, const std::string& text,
                       const std::string& client_msg_id = {}, connection_id origin = 0);
  // The same, without blocking: `done` runs on the commit thread after the commit (or with
  // the error). It must not block and must not call send() synchronously.
  using send_callback = std::function<void(result<message>)>;
  void send_async(user_id sender, channel_id id, std::string text, std::string client_msg_id,
                  connection_id origin, send_callback done);

  // At most query.limit messages, fewer if the page would pass engine_options::max_reply_bytes
  // (it then ends early at its far end, with has_more); always at least one if any exist.
  result<history_page> history(user_id me, channel_id id, const history_query& query);
  // Everything after the cursors in my channels (channels without a cursor: from seq 0), in
  // ascending channel id order, at most `limit_per_channel` (clamped to max_page_size) per
  // channel and max_sync_channels channels, within engine_options::max_reply_bytes. Repeat with
  // cursors moved to the last seq returned per channel while the result or a channel has_more.
  result<sync_result> sync(user_id me, const std::vector<sync_cursor>& cursors,
                           int limit_per_channel = max_page_size);
  // Moves my read marker forward (never back; clamped to the channel's last seq) and returns it.
  result<seq_t> mark_read(user_id me, channel_id id, seq_t seq, connection_id origin = 0);

  // ---- Live routing ----------------------------------------------------------------------
  // Registers a connected session of an authenticated user. The engine keeps the sink until
  // disconnect(). The first connection of a user announces them online to their presence
  // contacts (see online_contacts).
  // With the session token it authenticated with, logout(token) ends this connection too: the
  // sink gets a session_revoked event and is dropped (so does logout_everywhere, for all of the
  // user's connections). The token is only hashed, never kept.
  connection_id connect(user_id id, std::shared_ptr<session_sink> sink,
                        const std::string& session_token = {});
  void disconnect(connection_id connection);
  // Tells the channel's other online members that `me` is typing. Nothing is stored.
  status typing(user_id me, channel_id id, connection_id origin = 0);
  // Users who see my presence and whose presence I see, with at least one connection now:
  // those sharing a channel with me that both of us are in by choice (we created it, joined it
  // by name, opened the direct conversation or have sent into it) and no block either way.
  result<std::vector<user_id>> online_contacts(user_id me);

  // ---- Operations ----------------------------------------------------------------------
  // ok if the database answers now and accepts a write (a one-row update of a probe table):
  // unavailable with the reason (down, disk full, read-only) otherwise. Blocks for as long as
  // the database takes (bounded by the connection's timeouts); run it off latency-critical threads.
  status check_database();
  engine_stats stats() const;

 private:
  friend struct detail::engine_impl;  // opens engines (engine::open)
  explicit engine(std::unique_ptr<detail::engine_impl> state);
  std::unique_ptr<detail::engine_impl> impl_;
};

}  // namespace chat
