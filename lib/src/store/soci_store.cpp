// The SOCI implementation of chat::detail::store: the SQL that both backends share, and the
// opening of a store, where the URL's scheme picks the backend (sqlite/, mysql/) once.
#include <algorithm>
#include <climits>
#include <map>
#include <set>
#include <utility>

#include "chat/database_url.hpp"
#include "store/backend.hpp"
#include "store/session_pool.hpp"
#include "store/soci_common.hpp"
#include "store/sqlite/database_lock.hpp"
#include "store/sqlite/sqlite_backend.hpp"
#if CHAT_WITH_MYSQL
#include "store/mysql/mysql_backend.hpp"
#endif
#include "store/soci_errors.hpp"
#include "store/store.hpp"

namespace chat::detail {
namespace {

using namespace soci_rows;
using soci::into;
using soci::use;

using schema::k_channel_columns;

struct channel_row {
  long long id = 0, created_by = 0, created_at = 0;
  int kind = 0;
  std::string name, topic;

  chat::channel channel() const {
    chat::channel c;
    c.id = id;
    c.kind = kind == 1 ? channel_kind::direct : channel_kind::group;
    c.name = name;
    c.topic = topic;
    c.created_by = created_by;
    c.created_at = created_at;
    return c;
  }
};

chat::role role_from_int(int value) {
  switch (value) {
    case 1:
      return role::admin;
    case 2:
      return role::owner;
    default:
      return role::member;
  }
}

class soci_store final : public store {
 public:
  soci_store(std::unique_ptr<const backend> db, std::string parameters, std::size_t pool_size,
             std::shared_ptr<void> lock)
      : lock_(std::move(lock)), backend_(std::move(db)), pool_(*backend_, parameters, pool_size) {
    // Parallel appends (MySQL): only the group commit sends several statements per query
    // (mysql/append_batch.cpp), so only its own connections allow that; one per commit
    // thread, opened on first use.
    if (backend_->parallel_appends())
      batch_pool_ = std::make_unique<session_pool>(*backend_, std::move(parameters),
                                                   k_max_commit_threads, true);
  }

  void migrate(int up_to_version) {
    run([&](const lease& l) { l.backend().migrate(l.sql(), up_to_version); });
  }

  void ping() override {
    run([](const lease& l) {
      int one = 0;
      l.sql() << "SELECT 1", into(one);
    });
  }

  void probe_write(time_ms now) override {
    run([&](const lease& l) {
      const long long at = now;
      write_transaction tx(l);
      l.sql() << "UPDATE write_probe SET checked_at = :t WHERE id = 1", use(at);
      tx.commit();
    });
  }

  // ---- users ----

  std::optional<user_record> insert_user(
      const user_record& record, const std::string& username_key,
      const std::optional<external_identity>& identity) override {
    return write_unless_taken<std::optional<user_record>>([&](const lease& l) {
      nullable_text email(record.user.email), phone(record.user.phone);
      const long long created_at = record.user.created_at;
      l.sql() << "INSERT INTO users (username, username_key, password_hash, email, phone, "
                 "created_at) VALUES (:u, :k, :p, :e, :ph, :t)",
          use(record.user.username), use(username_key), use(record.password_hash),
          use(email.value, email.ind), use(phone.value, phone.ind), use(created_at);
      user_record stored = record;
      stored.user.id = last_insert_id(l, "users");
      if (identity) insert_identity_row(l, stored.user.id, *identity);
      return std::optional<user_record>(std::move(stored));
    });
  }

  std::optional<user_record> find_user(user_id id) override {
    return run([&](const lease& l) {
      user_row r;
      const long long key = id;
      l.sql() << std::string("SELECT ") + k_user_columns + "WHERE id = :id", into(r.id),
          into(r.username), into(r.email, r.email_ind), into(r.phone, r.phone_ind),
          into(r.created_at), into(r.password_hash), use(key);
      return l.sql().got_data() ? std::optional<user_record>(r.record()) : std::nullopt;
    });
  }

  std::optional<user_record> find_user_by_key(const std::string& username_key) override {
    return run([&](const lease& l) {
      user_row r;
      l.sql() << std::string("SELECT ") + k_user_columns + "WHERE username_key = :k", into(r.id),
          into(r.username), into(r.email, r.email_ind), into(r.phone, r.phone_ind),
          into(r.created_at), into(r.password_hash), use(username_key);
      return l.sql().got_data() ? std::optional<user_record>(r.record()) : std::nullopt;
    });
  }

  bool update_username(user_id id, const std::string& username,
                       const std::string& username_key) override {
    return write_unless_taken<bool>([&](const lease& l) {
      const long long key = id;
      l.sql() << "UPDATE users SET username = :u, username_key = :k WHERE id = :id", use(username),
          use(username_key), use(key);
      return true;
    });
  }

  void update_password_hash(user_id id, const std::string& password_hash) override {
    write([&](const lease& l) {
      const long long key = id;
      l.sql() << "UPDATE users SET password_hash = :p WHERE id = :id", use(password_hash), use(key);
    });
  }

  // ---- sessions ----

  void insert_session(const session_record& s) override {
    write([&](const lease& l) {
      const long long user = s.user, created = s.created_at, expires = s.expires_at;
      l.sql() << "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
                 "VALUES (:h, :u, :c, :e)",
          use(s.token_hash), use(user), use(created), use(expires);
    });
  }

  std::optional<session_record> find_session(const std::string& token_hash) override {
    return run([&](const lease& l) {
      long long user = 0, created = 0, expires = 0;
      l.sql() << "SELECT user_id, created_at, expires_at FROM sessions WHERE token_hash = :h",
          into(user), into(created), into(expires), use(token_hash);
      if (!l.sql().got_data()) return std::optional<session_record>();
      return std::optional<session_record>(session_record{token_hash, user, created, expires});
    });
  }

  void update_session_expiry(const std::string& token_hash, time_ms expires_at) override {
    write([&](const lease& l) {
      const long long expires = expires_at;
      l.sql() << "UPDATE sessions SET expires_at = :e WHERE token_hash = :h", use(expires),
          use(token_hash);
    });
  }

  bool delete_session(const std::string& token_hash) override {
    return write([&](const lease& l) {
      soci::statement st =
          (l.sql().prepare << "DELETE FROM sessions WHERE token_hash = :h", use(token_hash));
      st.execute(true);
      return st.get_affected_rows() > 0;
    });
  }

  int delete_sessions_of(user_id id) override {
    return write([&](const lease& l) {
      const long long key = id;
      soci::statement st = (l.sql().prepare << "DELETE FROM sessions WHERE user_id = :u", use(key));
      st.execute(true);
      return static_cast<int>(st.get_affected_rows());
    });
  }

  // ---- login backoff ----

  login_failure_record add_login_failure(const std::string& key, time_ms now,
                                         time_ms forget_before) override {
    return run([&](const lease& l) {
      const long long at = now, forget = forget_before;
      write_transaction tx(l);
      l.sql() << l.backend().add_login_failure_sql(), use(key), use(at), use(forget);
      auto row = select_login_failures(l, key);
      tx.commit();
      return row.value_or(login_failure_record{1, now});
    });
  }

  std::optional<login_failure_record> find_login_failures(const std::string& key) override {
    return run([&](const lease& l) { return select_login_failures(l, key); });
  }

  void clear_login_failures(const std::string& key) override {
    write([&](const lease& l) {
      l.sql() << "DELETE FROM login_failures WHERE throttle_key = :k", use(key);
    });
  }

  int prune_login_failures(time_ms before) override {
    return write([&](const lease& l) {
      const long long t = before;
      soci::statement st =
          (l.sql().prepare << "DELETE FROM login_failures WHERE last_failure_at < :t", use(t));
      st.execute(true);
      return static_cast<int>(st.get_affected_rows());
    });
  }

  // ---- identities ----

  std::optional<user_id> find_identity(const std::string& issuer,
                                       const std::string& subject) override {
    return run([&](const lease& l) {
      long long user = 0;
      l.sql() << "SELECT user_id FROM identities WHERE issuer = :i AND subject = :s", into(user),
          use(issuer), use(subject);
      return l.sql().got_data() ? std::optional<user_id>(user) : std::nullopt;
    });
  }

  bool insert_identity(user_id id, const external_identity& identity) override {
    return write_unless_taken<bool>([&](const lease& l) {
      insert_identity_row(l, id, identity);
      return true;
    });
  }

  bool delete_identity(user_id id, const std::string& issuer) override {
    return write([&](const lease& l) {
      const long long key = id;
      soci::statement st = (l.sql().prepare << "DELETE FROM identities WHERE user_id = :u AND "
                                               "issuer = :i",
                            use(key), use(issuer));
      st.execute(true);
      return st.get_affected_rows() > 0;
    });
  }

  std::vector<external_identity> identities_of(user_id id) override {
    return run([&](const lease& l) {
      std::vector<external_identity> out;
      const long long key = id;
      external_identity row;
      std::string email;
      soci::indicator email_ind = soci::i_null;
      long long linked_at = 0;
      soci::statement st =
          (l.sql().prepare << "SELECT issuer, subject, email, linked_at FROM "
                              "identities WHERE user_id = :u ORDER BY issuer",
           into(row.issuer), into(row.subject), into(email, email_ind), into(linked_at), use(key));
      st.execute();
      while (st.fetch()) {
        row.email = optional_text(email, email_ind);
        row.linked_at = linked_at;
        out.push_back(row);
      }
      return out;
    });
  }

  // ---- channels ----

  std::optional<chat::channel> create_channel(
      const chat::channel& ch, const std::string& address,
      const std::vector<membership_record>& members) override {
    return write_unless_taken<std::optional<chat::channel>>([&](const lease& l) {
      const int kind = ch.kind == channel_kind::direct ? 1 : 0;
      const long long created_by = ch.created_by, created_at = ch.created_at;
      nullable_text key(address, true);
      l.sql() << "INSERT INTO channels (kind, name, topic, created_by, created_at, last_seq, "
                 "dm_key) VALUES (:k, :n, :t, :b, :c, 0, :d)",
          use(kind), use(ch.name), use(ch.topic), use(created_by), use(created_at),
          use(key.value, key.ind);
      chat::channel stored = ch;
      stored.id = last_insert_id(l, "channels");
      for (membership_record m : members) {
        m.channel = stored.id;
        insert_membership_row(l, m);
      }
      return std::optional<chat::channel>(std::move(stored));
    });
  }

  std::optional<chat::channel> find_channel(channel_id id) override {
    return run([&](const lease& l) {
      channel_row r;
      const long long key = id;
      l.sql() << std::string("SELECT ") + k_channel_columns + "WHERE id = :id", into(r.id),
          into(r.kind), into(r.name), into(r.topic), into(r.created_by), into(r.created_at),
          use(key);
      return l.sql().got_data() ? std::optional<chat::channel>(r.channel()) : std::nullopt;
    });
  }

  std::optional<chat::channel> find_by_address(const std::string& address) override {
    return run([&](const lease& l) {
      channel_row r;
      l.sql() << std::string("SELECT ") + k_channel_columns + "WHERE dm_key = :k", into(r.id),
          into(r.kind), into(r.name), into(r.topic), into(r.created_by), into(r.created_at),
          use(address);
      return l.sql().got_data() ? std::optional<chat::channel>(r.channel()) : std::nullopt;
    });
  }

  void update_channel(channel_id id, const std::string& name, const std::string& topic) override {
    write([&](const lease& l) {
      const long long key = id;
      l.sql() << "UPDATE channels SET name = :n, topic = :t WHERE id = :id", use(name), use(topic),
          use(key);
    });
  }

  std::vector<channel_summary> channels_of(user_id id, channel_id after, int limit) override {
    if (limit <= 0) return {};
    return run([&](const lease& l) {
      // One query: my memberships, the channel, its newest message and a direct peer.
      const long long me = id, from = after;
      channel_row c;
      long long last_seq = 0, last_read = 0;
      int my_role = 0;
      message_row m;
      soci::indicator m_ind = soci::i_null, m_sender_ind = soci::i_null, m_text_ind = soci::i_null,
                      m_created_ind = soci::i_null;
      user_row p;
      soci::indicator p_ind = soci::i_null, p_name_ind = soci::i_null, p_created_ind = soci::i_null;
      soci::statement st =
          (l.sql().prepare << "SELECT c.id, c.kind, c.name, c.topic, c.created_by, c.created_at,"
                              " c.last_seq, uc.role, uc.last_read_seq,"
                              " m.id, m.sender_id, m.text, m.client_msg_id, m.created_at,"
                              " p.id, p.username, p.email, p.phone, p.created_at"
                              " FROM user_channels uc"
                              " JOIN channels c ON c.id = uc.channel_id"
                              " LEFT JOIN messages m ON m.channel_id = c.id AND m.seq = c.last_seq"
                              " LEFT JOIN user_channels pu ON c.kind = 1"
                              "  AND pu.channel_id = c.id AND pu.user_id <> uc.user_id"
                              " LEFT JOIN users p ON p.id = pu.user_id"
                              " WHERE uc.user_id = :me AND uc.channel_id > :after"
                              " ORDER BY c.id LIMIT :n",
           into(c.id), into(c.kind), into(c.name), into(c.topic), into(c.created_by),
           into(c.created_at), into(last_seq), into(my_role), into(last_read), into(m.id, m_ind),
           into(m.sender, m_sender_ind), into(m.text, m_text_ind),
           into(m.client_msg_id, m.client_msg_id_ind), into(m.created_at, m_created_ind),
           into(p.id, p_ind), into(p.username, p_name_ind), into(p.email, p.email_ind),
           into(p.phone, p.phone_ind), into(p.created_at, p_created_ind), use(me), use(from),
           use(limit));
      st.execute();
      std::vector<channel_summary> out;
      std::set<long long> seen;  // a malformed direct channel could yield several peers
      while (st.fetch()) {
        if (!seen.insert(c.id).second) continue;
        channel_summary s;
        s.channel = c.channel();
        s.my_role = role_from_int(my_role);
        s.last_seq = last_seq;
        s.last_read_seq = last_read;
        s.unread = std::max<long long>(0, last_seq - last_read);
        if (m_ind == soci::i_ok) {
          m.channel = c.id;
          m.seq = last_seq;
          s.last_message = m.message();
        }
        if (p_ind == soci::i_ok) s.peer = p.record().user;
        out.push_back(std::move(s));
      }
      return out;
    });
  }

  seq_t last_seq(channel_id id) override {
    return run([&](const lease& l) {
      long long seq = 0;
      const long long key = id;
      l.sql() << "SELECT last_seq FROM channels WHERE id = :id", into(seq), use(key);
      return l.sql().got_data() ? seq : 0;
    });
  }

  // ---- membership ----

  std::optional<membership_record> find_membership(channel_id ch, user_id id) override {
    return run([&](const lease& l) {
      const long long c = ch, u = id;
      int r = 0, chosen = 0;
      long long last_read = 0, joined = 0;
      l.sql() << "SELECT role, last_read_seq, joined_at, by_choice FROM user_channels"
                 " WHERE channel_id = :c AND user_id = :u",
          into(r), into(last_read), into(joined), into(chosen), use(c), use(u);
      if (!l.sql().got_data()) return std::optional<membership_record>();
      return std::optional<membership_record>(
          membership_record{ch, id, role_from_int(r), last_read, joined, chosen != 0});
    });
  }

  std::vector<channel_position> channel_positions_of(user_id id) override {
    return run([&](const lease& l) {
      const long long me = id;
      long long channel = 0, last_seq = 0;
      soci::statement st = (l.sql().prepare << "SELECT c.id, c.last_seq FROM user_channels uc"
                                               " JOIN channels c ON c.id = uc.channel_id"
                                               " WHERE uc.user_id = :me ORDER BY c.id",
                            into(channel), into(last_seq), use(me));
      st.execute();
      std::vector<channel_position> out;
      while (st.fetch()) out.push_back(channel_position{channel, last_seq});
      return out;
    });
  }

  std::vector<member> members_after(channel_id ch, user_id after, int limit) override {
    if (limit <= 0) return {};
    return run([&](const lease& l) {
      const long long c = ch, from = after;
      long long uid = 0, joined = 0;
      std::string name;
      int r = 0;
      soci::statement st =
          (l.sql().prepare << "SELECT u.id, u.username, uc.role, uc.joined_at"
                              " FROM user_channels uc JOIN users u ON u.id = uc.user_id"
                              " WHERE uc.channel_id = :c AND uc.user_id > :after"
                              " ORDER BY uc.user_id LIMIT :n",
           into(uid), into(name), into(r), into(joined), use(c), use(from), use(limit));
      st.execute();
      std::vector<member> out;
      while (st.fetch()) out.push_back(member{uid, name, role_from_int(r), joined});
      return out;
    });
  }

  std::vector<member> members_of(channel_id ch) override {
    return run([&](const lease& l) {
      const long long c = ch;
      long long uid = 0, joined = 0;
      std::string name;
      int r = 0;
      soci::statement st =
          (l.sql().prepare << "SELECT u.id, u.username, uc.role, uc.joined_at"
                              " FROM user_channels uc JOIN users u ON u.id = uc.user_id"
                              " WHERE uc.channel_id = :c ORDER BY uc.joined_at, u.id",
           into(uid), into(name), into(r), into(joined), use(c));
      st.execute();
      std::vector<member> out;
      while (st.fetch()) out.push_back(member{uid, name, role_from_int(r), joined});
      return out;
    });
  }

  std::vector<user_id> member_ids(channel_id ch) override {
    return run([&](const lease& l) {
      const long long c = ch;
      long long uid = 0;
      soci::statement st = (l.sql().prepare << "SELECT user_id FROM user_channels"
                                               " WHERE channel_id = :c ORDER BY user_id",
                            into(uid), use(c));
      st.execute();
      std::vector<user_id> out;
      while (st.fetch()) out.push_back(uid);
      return out;
    });
  }

  bool insert_membership(const membership_record& m) override {
    return write_unless_taken<bool>([&](const lease& l) {
      insert_membership_row(l, m);
      return true;
    });
  }

  bool delete_membership(channel_id ch, user_id id) override {
    return write([&](const lease& l) {
      const long long c = ch, u = id;
      soci::statement st =
          (l.sql().prepare << "DELETE FROM user_channels WHERE channel_id = :c AND user_id = :u",
           use(c), use(u));
      st.execute(true);
      return st.get_affected_rows() > 0;
    });
  }

  void update_role(channel_id ch, user_id id, role r) override {
    write([&](const lease& l) {
      const long long c = ch, u = id;
      const int value = static_cast<int>(r);
      l.sql() << "UPDATE user_channels SET role = :r WHERE channel_id = :c AND user_id = :u",
          use(value), use(c), use(u);
    });
  }

  std::vector<user_id> contacts_of(user_id id) override {
    return run([&](const lease& l) {
      const long long me = id;
      long long other = 0;
      soci::statement st =
          (l.sql().prepare << "SELECT DISTINCT o.user_id FROM user_channels mine"
                              " JOIN user_channels o ON o.channel_id = mine.channel_id"
                              " WHERE mine.user_id = :me AND o.user_id <> :me2 ORDER BY o.user_id",
           into(other), use(me), use(me));
      st.execute();
      std::vector<user_id> out;
      while (st.fetch()) out.push_back(other);
      return out;
    });
  }

  void mark_by_choice(channel_id ch, user_id id) override {
    write([&](const lease& l) {
      const long long c = ch, u = id;
      l.sql() << "UPDATE user_channels SET by_choice = 1 WHERE channel_id = :c AND user_id = :u",
          use(c), use(u);
    });
  }

  std::vector<user_id> presence_contacts_of(user_id id) override {
    return run([&](const lease& l) {
      const long long me = id;
      long long other = 0;
      soci::statement st =
          (l.sql().prepare << "SELECT DISTINCT o.user_id FROM user_channels mine"
                              " JOIN user_channels o ON o.channel_id = mine.channel_id"
                              " WHERE mine.user_id = :me AND o.user_id <> :me2"
                              " AND mine.by_choice = 1 AND o.by_choice = 1"
                              " AND NOT EXISTS (SELECT 1 FROM user_blocks b"
                              "  WHERE b.blocker_id = :me3 AND b.blocked_id = o.user_id)"
                              " AND NOT EXISTS (SELECT 1 FROM user_blocks b"
                              "  WHERE b.blocker_id = o.user_id AND b.blocked_id = :me4)"
                              " ORDER BY o.user_id",
           into(other), use(me), use(me), use(me), use(me));
      st.execute();
      std::vector<user_id> out;
      while (st.fetch()) out.push_back(other);
      return out;
    });
  }

  // ---- blocks and privacy ----

  bool insert_block(user_id blocker, user_id blocked, time_ms at) override {
    return write([&](const lease& l) {
      const long long a = blocker, b = blocked, t = at;
      try {
        l.sql() << "INSERT INTO user_blocks (blocker_id, blocked_id, created_at)"
                   " VALUES (:a, :b, :t)",
            use(a), use(b), use(t);
        return true;
      } catch (...) {
        if (translate_error(std::current_exception(), *backend_).error_kind() ==
            store_error::kind::conflict)
          return false;  // already blocked
        throw;
      }
    });
  }

  bool delete_block(user_id blocker, user_id blocked) override {
    return write([&](const lease& l) {
      const long long a = blocker, b = blocked;
      soci::statement st = (l.sql().prepare << "DELETE FROM user_blocks"
                                               " WHERE blocker_id = :a AND blocked_id = :b",
                            use(a), use(b));
      st.execute(true);
      return st.get_affected_rows() > 0;
    });
  }

  bool is_blocked(user_id blocker, user_id blocked) override {
    return run([&](const lease& l) {
      const long long a = blocker, b = blocked;
      int one = 0;
      l.sql() << "SELECT 1 FROM user_blocks WHERE blocker_id = :a AND blocked_id = :b", into(one),
          use(a), use(b);
      return l.sql().got_data();
    });
  }

  std::vector<chat::user> blocked_by(user_id blocker) override {
    return run([&](const lease& l) {
      const long long a = blocker;
      user_row r;
      soci::statement st =
          (l.sql().prepare << "SELECT u.id, u.username, u.email, u.phone, u.created_at"
                              " FROM user_blocks b JOIN users u ON u.id = b.blocked_id"
                              " WHERE b.blocker_id = :a ORDER BY u.username_key, u.id",
           into(r.id), into(r.username), into(r.email, r.email_ind), into(r.phone, r.phone_ind),
           into(r.created_at), use(a));
      st.execute();
      std::vector<chat::user> out;
      while (st.fetch()) out.push_back(r.record().user);
      return out;
    });
  }

  int group_add_policy(user_id id) override {
    return run([&](const lease& l) {
      const long long key = id;
      int policy = 0;
      l.sql() << "SELECT group_adds FROM user_privacy WHERE user_id = :u", into(policy), use(key);
      return l.sql().got_data() ? policy : 0;
    });
  }

  void set_group_add_policy(user_id id, int policy) override {
    write([&](const lease& l) {
      const long long key = id;
      l.sql() << l.backend().set_group_add_policy_sql(), use(key), use(policy);
    });
  }

  // ---- messages ----

  bool parallel_appends() const override { return backend_->parallel_appends(); }
  std::uint64_t calls() const override {
    return pool_.leases() + (batch_pool_ ? batch_pool_->leases() : 0);
  }

  std::vector<append_outcome> append_messages(const std::vector<pending_message>& batch) override {
    if (batch.empty()) return {};
    return run([&](const lease& l) { return l.backend().append_batch(l, batch); },
               batch_pool_ ? *batch_pool_ : pool_);
  }

  std::vector<chat::message> messages_between(channel_id ch, seq_t after, seq_t before, int limit,
                                              bool newest_first) override {
    if (limit <= 0) return {};
    return run([&](const lease& l) {
      const long long c = ch, lo = after, hi = before <= 0 ? LLONG_MAX : before;
      message_row r;
      soci::statement st =
          (l.sql().prepare
               << std::string("SELECT ") + k_message_columns +
                      "WHERE channel_id = :c AND seq > :lo AND seq < :hi ORDER BY seq " +
                      (newest_first ? "DESC" : "ASC") + " LIMIT :n",
           into(r.id), into(r.channel), into(r.seq), into(r.sender), into(r.text),
           into(r.client_msg_id, r.client_msg_id_ind), into(r.created_at), use(c), use(lo), use(hi),
           use(limit));
      st.execute();
      std::vector<chat::message> out;
      while (st.fetch()) out.push_back(r.message());
      if (newest_first) std::reverse(out.begin(), out.end());
      return out;
    });
  }

  seq_t advance_read_marker(channel_id ch, user_id id, seq_t seq) override {
    return write([&](const lease& l) {
      const long long c = ch, u = id;
      long long channel_last = 0;
      l.sql() << "SELECT last_seq FROM channels WHERE id = :c", into(channel_last), use(c);
      // last_seq only grows, so a marker clamped to a value read just before is still valid.
      const long long target = std::min<long long>(seq, channel_last);
      l.sql() << "UPDATE user_channels SET last_read_seq = :t"
                 " WHERE channel_id = :c AND user_id = :u AND last_read_seq < :t2",
          use(target), use(c), use(u), use(target);
      long long marker = -1;
      l.sql() << "SELECT last_read_seq FROM user_channels WHERE channel_id = :c AND user_id = :u",
          into(marker), use(c), use(u);
      return l.sql().got_data() ? marker : -1;
    });
  }

 private:
  // Runs `f` on a leased session; every failure leaves as store_error, and a connection
  // failure retires the session so the next lease reconnects.
  template <class F>
  auto run(F&& f) -> decltype(f(std::declval<const lease&>())) {
    return run(std::forward<F>(f), pool_);
  }
  // Runs `f` like run(), inside a write transaction that it commits.
  template <class F>
  auto write(F&& f) -> decltype(f(std::declval<const lease&>())) {
    return run([&](const lease& l) { return in_write_transaction(l, f); });
  }
  // Runs `f` like write(), for a write that a unique key may refuse: then the transaction is
  // rolled back and R{} returned (false, nullopt: an expected outcome, not a store_error).
  template <class R, class F>
  R write_unless_taken(F&& f) {
    return run([&](const lease& l) -> R {
      try {
        return in_write_transaction(l, f);
      } catch (...) {
        if (translate_error(std::current_exception(), *backend_).error_kind() !=
            store_error::kind::conflict)
          throw;
        return R{};
      }
    });
  }
  template <class F>
  auto run(F&& f, session_pool& pool) -> decltype(f(std::declval<const lease&>())) {
    lease l = pool.acquire();
    try {
      return f(l);
    } catch (...) {
      store_error e = translate_error(std::current_exception(), *backend_);
      if (is_connection_failure(e)) l.mark_broken();
      throw e;
    }
  }

  static void insert_identity_row(const lease& l, user_id id, const external_identity& identity) {
    const long long user = id, linked = identity.linked_at;
    nullable_text email(identity.email);
    l.sql() << "INSERT INTO identities (issuer, subject, user_id, email, linked_at)"
               " VALUES (:i, :s, :u, :e, :t)",
        use(identity.issuer), use(identity.subject), use(user), use(email.value, email.ind),
        use(linked);
  }

  static std::optional<login_failure_record> select_login_failures(const lease& l,
                                                                   const std::string& key) {
    int failures = 0;
    long long last = 0;
    l.sql() << "SELECT failures, last_failure_at FROM login_failures WHERE throttle_key = :k",
        into(failures), into(last), use(key);
    if (!l.sql().got_data()) return std::nullopt;
    return login_failure_record{failures, last};
  }

  static void insert_membership_row(const lease& l, const membership_record& m) {
    const long long c = m.channel, u = m.user, last_read = m.last_read_seq, joined = m.joined_at;
    const int r = static_cast<int>(m.role), chosen = m.by_choice ? 1 : 0;
    l.sql() << "INSERT INTO user_channels (channel_id, user_id, role, last_read_seq, joined_at,"
               " by_choice) VALUES (:c, :u, :r, :s, :j, :b)",
        use(c), use(u), use(r), use(last_read), use(joined), use(chosen);
  }

  // The engine runs at most 16 commit threads (engine_options::commit_threads).
  static constexpr std::size_t k_max_commit_threads = 16;

  std::shared_ptr<void> lock_;              // first in, last out: held while any connection lives
  std::unique_ptr<const backend> backend_;  // outlives the pools
  session_pool pool_;
  std::unique_ptr<session_pool> batch_pool_;  // parallel appends: multi-statement connections
};

// The defaults of the options the store relies on, added where the URL does not set them.
// SQLite: wait up to 5 s for another connection's lock. MySQL: bounded waits, so that a dead
// or unreachable server never blocks a caller for ever, and utf8mb4 (checked at connect).
std::string with_defaults(const database_url& url,
                          std::initializer_list<std::pair<const char*, const char*>> defaults) {
  std::string parameters = url.parameters();
  for (const auto& [key, value] : defaults) {
    if (!url.has(key)) parameters += std::string(" ") + key + "=" + value;
  }
  return parameters;
}

}  // namespace

std::unique_ptr<store> open_soci_store(const std::string& connection_string, int pool_size,
                                       int schema_version, bool exclusive) {
  const database_url url = database_url::parse(connection_string);
  std::unique_ptr<const backend> db;
  std::string parameters;
  if (url.scheme() == "sqlite3") {
    db = make_sqlite_backend();
    parameters = with_defaults(url, {{"timeout", "5"}});
    // Every connection to ":memory:" is a separate database: one connection only.
    if (sqlite_database_file(url).find(":memory:") != std::string::npos) pool_size = 1;
  } else if (url.scheme() == "mysql") {
#if CHAT_WITH_MYSQL
    db = make_mysql_backend();
    parameters = with_defaults(url, {{"connect_timeout", "5"},
                                     {"read_timeout", "10"},
                                     {"write_timeout", "10"},
                                     {"charset", "utf8mb4"}});
#else
    // Like an unknown scheme (engine::open answers invalid_argument), with the reason.
    throw store_error(store_error::kind::internal,
                      "this libchat was built without MySQL/MariaDB support (CHAT_WITH_MYSQL=OFF); "
                      "use a sqlite3:// database or a build with CHAT_WITH_MYSQL=ON");
#endif
  } else {
    throw store_error(store_error::kind::internal,
                      "unsupported connection string (want sqlite3:// or mysql://)");
  }
  // Taken before the first connection: a refused second engine never touches the database.
  std::shared_ptr<void> lock;
  if (exclusive) lock = db->hold_exclusively(parameters);
  const backend& driver = *db;
  try {
    auto s = std::make_unique<soci_store>(std::move(db), std::move(parameters),
                                          static_cast<std::size_t>(std::max(1, pool_size)),
                                          std::move(lock));
    s->migrate(schema_version);
    return s;
  } catch (const store_error&) {
    throw;
  } catch (...) {
    throw translate_error(std::current_exception(), driver);
  }
}

}  // namespace chat::detail
