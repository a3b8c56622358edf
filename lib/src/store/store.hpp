// The storage interface the engine uses; one implementation per backend family (SOCI).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "chat/types.hpp"

namespace chat::detail {

// Thrown by store implementations; the engine turns it into a status at the API boundary.
class store_error : public std::runtime_error {
 public:
  // unavailable: the database cannot be reached (down, hung, connection lost); full: its disk
  // or table space is full; read_only: it refuses writes (read-only file or server);
  // misconfigured: it refuses chatd's settings (unknown database, user or host not allowed).
  enum class kind { unavailable, full, read_only, misconfigured, conflict, internal };
  store_error(kind k, const std::string& what, bool outcome_unknown = false)
      : std::runtime_error(what), kind_(k), outcome_unknown_(outcome_unknown) {}
  kind error_kind() const noexcept { return kind_; }
  // The connection failed while a COMMIT was on its way: the transaction may have committed.
  bool outcome_unknown() const noexcept { return outcome_unknown_; }

 private:
  kind kind_;
  bool outcome_unknown_;
};

// A failure that passes when the database recovers (down, hung, full, read-only), as opposed
// to a conflict, a bug or a wrong configuration.
inline bool is_outage(store_error::kind k) noexcept {
  return k == store_error::kind::unavailable || k == store_error::kind::full ||
         k == store_error::kind::read_only;
}

struct user_record {
  chat::user user;
  std::string password_hash;  // argon2id string from crypto_pwhash_str; empty: no password
};

struct session_record {
  std::string token_hash;  // hex of a hash of the token; the token itself is never stored
  user_id user = 0;
  time_ms created_at = 0;
  time_ms expires_at = 0;
};

// Failed logins of one throttle key (login backoff; the engine owns the rule).
struct login_failure_record {
  int failures = 0;             // in a row, since the last reset
  time_ms last_failure_at = 0;  // when the latest of them happened
};

struct membership_record {
  channel_id channel = 0;
  user_id user = 0;
  chat::role role = role::member;
  seq_t last_read_seq = 0;
  time_ms joined_at = 0;
  // In the channel by the user's own choice: created it, joined it by name, opened the direct
  // conversation, or has sent into it (append_messages sets it). Presence needs it.
  bool by_choice = false;
};

struct channel_position {
  channel_id channel = 0;
  seq_t last_seq = 0;
};

// One send waiting in the group-commit queue.
struct pending_message {
  user_id sender = 0;
  channel_id channel = 0;
  std::string text;
  std::string client_msg_id;
  time_ms created_at = 0;
};

// What append_messages did with one pending message.
struct append_outcome {
  // blocked: a direct conversation between users with a block between them (either way).
  // no_channel: the channel does not exist (not_member: it does, without the sender).
  enum class kind { stored, duplicate, not_member, blocked, no_channel } what = kind::stored;
  chat::message message;  // stored: the new message; duplicate: the original one
  // stored: the sender's membership became by_choice with this message.
  bool first_choice = false;
};

// Storage for the engine. Implementations are thread-safe (they hold a connection pool).
// Every method may throw store_error; nothing else escapes. Expected outcomes (a name, an
// address or an identity already taken, an existing membership) are return values, not
// errors: store_error is for real failures.
class store {
 public:
  virtual ~store() = default;

  virtual void ping() = 0;
  // Rewrites the one row of the write probe in a transaction of its own: fails (full,
  // read_only, unavailable) when the database cannot take writes.
  virtual void probe_write(time_ms now) = 0;

  // Users. insert_user returns the stored record, or nullopt (and stores nothing) if
  // username_key or the identity is taken.
  virtual std::optional<user_record> insert_user(
      const user_record& record, const std::string& username_key,
      const std::optional<external_identity>& identity) = 0;
  virtual std::optional<user_record> find_user(user_id id) = 0;
  virtual std::optional<user_record> find_user_by_key(const std::string& username_key) = 0;
  // False (and nothing changed) if username_key is another user's.
  virtual bool update_username(user_id id, const std::string& username,
                               const std::string& username_key) = 0;
  virtual void update_password_hash(user_id id, const std::string& password_hash) = 0;

  // Sessions.
  virtual void insert_session(const session_record& session) = 0;
  virtual std::optional<session_record> find_session(const std::string& token_hash) = 0;
  virtual void update_session_expiry(const std::string& token_hash, time_ms expires_at) = 0;
  virtual bool delete_session(const std::string& token_hash) = 0;
  virtual int delete_sessions_of(user_id id) = 0;

  // Login backoff (one row per key, e.g. "account:alice" or "address:192.0.2.1").
  // add_login_failure counts one more failure at `now`, from 1 again if the previous one was
  // before `forget_before`, atomically (concurrent callers on any node each count), and returns
  // the row as it is after the change.
  virtual login_failure_record add_login_failure(const std::string& key, time_ms now,
                                                 time_ms forget_before) = 0;
  virtual std::optional<login_failure_record> find_login_failures(const std::string& key) = 0;
  virtual void clear_login_failures(const std::string& key) = 0;
  // Deletes the rows whose last failure is before `before`; returns how many.
  virtual int prune_login_failures(time_ms before) = 0;

  // External identities. insert_identity returns false (and links nothing) if (issuer,
  // subject) is linked or the user already has an identity of that issuer.
  virtual std::optional<user_id> find_identity(const std::string& issuer,
                                               const std::string& subject) = 0;
  virtual bool insert_identity(user_id id, const external_identity& identity) = 0;
  virtual bool delete_identity(user_id id, const std::string& issuer) = 0;
  virtual std::vector<external_identity> identities_of(user_id id) = 0;

  // Channels. create_channel inserts the channel and its members in one transaction. `address`
  // is the channel's unique address, if it has one ("" for none): "a:b" for the direct channel
  // of users a < b, "public:<name>" for a public group; if another channel has it, returns
  // nullopt and stores nothing. find_by_address looks a channel up by it (the column is still
  // named dm_key).
  virtual std::optional<chat::channel> create_channel(
      const chat::channel& ch, const std::string& address,
      const std::vector<membership_record>& members) = 0;
  virtual std::optional<chat::channel> find_channel(channel_id id) = 0;
  virtual std::optional<chat::channel> find_by_address(const std::string& address) = 0;
  virtual void update_channel(channel_id id, const std::string& name, const std::string& topic) = 0;
  // My channels with an id above `after`, ascending id, at most `limit`.
  virtual std::vector<channel_summary> channels_of(user_id id, channel_id after, int limit) = 0;
  // Every channel of the user with its last seq, ascending channel id (what sync needs).
  virtual std::vector<channel_position> channel_positions_of(user_id id) = 0;
  virtual seq_t last_seq(channel_id id) = 0;

  // Membership.
  virtual std::optional<membership_record> find_membership(channel_id ch, user_id id) = 0;
  virtual std::vector<member> members_of(channel_id ch) = 0;
  // The members with a user id above `after`, ascending user id, at most `limit`.
  virtual std::vector<member> members_after(channel_id ch, user_id after, int limit) = 0;
  virtual std::vector<user_id> member_ids(channel_id ch) = 0;
  virtual bool insert_membership(const membership_record& m) = 0;  // false if a member already
  virtual bool delete_membership(channel_id ch, user_id id) = 0;
  virtual void update_role(channel_id ch, user_id id, role r) = 0;
  virtual void mark_by_choice(channel_id ch, user_id id) = 0;  // sets membership by_choice
  // Users sharing at least one channel with `id` (excluding `id`).
  virtual std::vector<user_id> contacts_of(user_id id) = 0;
  // Users sharing a channel with `id` that both are in by choice, with no block either way.
  virtual std::vector<user_id> presence_contacts_of(user_id id) = 0;

  // Blocks and privacy settings. insert_block returns false if it existed; delete_block false
  // if there was none. blocked_by lists the users `blocker` blocked, by username.
  virtual bool insert_block(user_id blocker, user_id blocked, time_ms at) = 0;
  virtual bool delete_block(user_id blocker, user_id blocked) = 0;
  virtual bool is_blocked(user_id blocker, user_id blocked) = 0;
  virtual std::vector<chat::user> blocked_by(user_id blocker) = 0;
  // The user's group-add policy as stored (0 everyone, 1 contacts, 2 nobody; 0 if never set).
  virtual int group_add_policy(user_id id) = 0;
  virtual void set_group_add_policy(user_id id, int policy) = 0;

  // Messages. Stores a batch in ONE transaction (group commit): per message, checks that the
  // sender is a member (and, in a direct conversation, that no block is between the two),
  // answers a repeated (sender, client_msg_id) with the original, assigns the channel's next
  // seq, and moves the sender's read marker to it (marking the membership by_choice). Outcomes
  // are in input order. If the transaction fails, nothing of the batch is stored and it throws.
  virtual std::vector<append_outcome> append_messages(
      const std::vector<pending_message>& batch) = 0;
  // Whether append_messages calls for disjoint sets of channels run in parallel (row locks)
  // rather than one after the other (one database-wide write lock).
  virtual bool parallel_appends() const = 0;
  // Ascending seq in (after, before), the `limit` newest if newest_first else the oldest.
  virtual std::vector<chat::message> messages_between(channel_id ch, seq_t after, seq_t before,
                                                      int limit, bool newest_first) = 0;
  // Sets last_read_seq = max(last_read_seq, min(seq, channel last seq)); returns the result,
  // or -1 if `id` is not a member of `ch` (or there is no such channel).
  virtual seq_t advance_read_marker(channel_id ch, user_id id, seq_t seq) = 0;

  // Calls made so far, each one leased connection (monitoring, and tests that count queries).
  virtual std::uint64_t calls() const = 0;
};

// Opens the backend named by a SOCI connection string ("sqlite3://..." or "mysql://...") and
// runs pending schema migrations. Throws store_error (unavailable, or internal for a bad
// string).
// `schema_version` (tests of upgrades only) migrates up to that older version instead.
// `exclusive` (the engine): an SQLite file is locked for the store's lifetime (database_lock.hpp);
// if another holds it, throws store_error conflict. Stores opened without it never lock.
std::unique_ptr<store> open_soci_store(const std::string& connection_string, int pool_size,
                                       int schema_version = 0, bool exclusive = false);

}  // namespace chat::detail
