// A real store with faults injected where a real database fails in ways a test cannot time:
// a connection lost while its COMMIT was on its way (the transaction committed, the caller got
// an error), a database that does not answer, and a message the database refuses. A gate holds
// the commit thread inside append_messages so that a test can line up the next batch.
// Everything else goes to the real store.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace chat::detail {

class faulty_store final : public store {
 public:
  explicit faulty_store(std::unique_ptr<store> real) : inner(std::move(real)) {}

  // The next `n` append_messages commit, then fail as if the connection died during COMMIT.
  std::atomic<int> lose_commit_replies{0};
  // The next `n` append_messages store nothing, then fail as if the connection died during
  // COMMIT (the transaction did not commit, but the caller cannot know).
  std::atomic<int> lose_commits{0};
  // While set, every append and every message lookup fails as if the database were down.
  std::atomic<bool> down{false};

  // A batch that holds a message with this text fails as a refused row would (internal), and
  // stores nothing. Empty: off. Set it before the sends are queued.
  std::string refused_text;

  // While the gate is closed, append_messages waits at it before doing anything.
  void close_gate() {
    std::lock_guard<std::mutex> lock(gate_mutex_);
    gate_closed_ = true;
  }
  void open_gate() {
    {
      std::lock_guard<std::mutex> lock(gate_mutex_);
      gate_closed_ = false;
    }
    gate_changed_.notify_all();
  }
  // Waits (bounded) until `n` calls of append_messages have reached the gate in all.
  bool wait_for_arrivals(int n, std::chrono::seconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(gate_mutex_);
    return gate_changed_.wait_for(lock, timeout, [&] { return arrivals_ >= n; });
  }
  // Batches append_messages was called with, in order (their texts).
  std::vector<std::vector<std::string>> batches() {
    std::lock_guard<std::mutex> lock(gate_mutex_);
    return batches_;
  }

  std::vector<append_outcome> append_messages(const std::vector<pending_message>& batch) override {
    {
      std::unique_lock<std::mutex> lock(gate_mutex_);
      ++arrivals_;
      std::vector<std::string> texts;
      for (const auto& m : batch) texts.push_back(m.text);
      batches_.push_back(std::move(texts));
      gate_changed_.notify_all();
      gate_changed_.wait(lock, [&] { return !gate_closed_; });
    }
    if (down) throw store_error(store_error::kind::unavailable, "injected: database down");
    for (const auto& m : batch)
      if (!refused_text.empty() && m.text == refused_text)
        throw store_error(store_error::kind::internal, "injected: refused row " + m.text);
    if (lose_commits.load() > 0) {
      --lose_commits;
      throw store_error(store_error::kind::unavailable, "injected: lost connection before COMMIT",
                        /*outcome_unknown=*/true);
    }
    auto outcomes = inner->append_messages(batch);
    if (lose_commit_replies.load() > 0) {
      --lose_commit_replies;
      throw store_error(store_error::kind::unavailable, "injected: lost connection during COMMIT",
                        /*outcome_unknown=*/true);
    }
    return outcomes;
  }
  std::vector<chat::message> messages_between(channel_id ch, seq_t after, seq_t before, int limit,
                                              bool newest_first) override {
    if (down) throw store_error(store_error::kind::unavailable, "injected: database down");
    return inner->messages_between(ch, after, before, limit, newest_first);
  }

  // clang-format off
  void ping() override { inner->ping(); }
  void probe_write(time_ms now) override { inner->probe_write(now); }
  std::optional<user_record> insert_user(const user_record& record, const std::string& username_key, const std::optional<external_identity>& identity) override { return inner->insert_user(record, username_key, identity); }
  std::optional<user_record> find_user(user_id id) override { return inner->find_user(id); }
  std::optional<user_record> find_user_by_key(const std::string& username_key) override { return inner->find_user_by_key(username_key); }
  bool update_username(user_id id, const std::string& username, const std::string& username_key) override { return inner->update_username(id, username, username_key); }
  void update_password_hash(user_id id, const std::string& password_hash) override { inner->update_password_hash(id, password_hash); }
  void insert_session(const session_record& session) override { inner->insert_session(session); }
  std::optional<session_record> find_session(const std::string& token_hash) override { return inner->find_session(token_hash); }
  void update_session_expiry(const std::string& token_hash, time_ms expires_at) override { inner->update_session_expiry(token_hash, expires_at); }
  bool delete_session(const std::string& token_hash) override { return inner->delete_session(token_hash); }
  int delete_sessions_of(user_id id) override { return inner->delete_sessions_of(id); }
  login_failure_record add_login_failure(const std::string& key, time_ms now, time_ms forget_before) override { return inner->add_login_failure(key, now, forget_before); }
  std::optional<login_failure_record> find_login_failures(const std::string& key) override { return inner->find_login_failures(key); }
  void clear_login_failures(const std::string& key) override { inner->clear_login_failures(key); }
  int prune_login_failures(time_ms before) override { return inner->prune_login_failures(before); }
  std::optional<user_id> find_identity(const std::string& issuer, const std::string& subject) override { return inner->find_identity(issuer, subject); }
  bool insert_identity(user_id id, const external_identity& identity) override { return inner->insert_identity(id, identity); }
  bool delete_identity(user_id id, const std::string& issuer) override { return inner->delete_identity(id, issuer); }
  std::vector<external_identity> identities_of(user_id id) override { return inner->identities_of(id); }
  std::optional<chat::channel> create_channel(const chat::channel& ch, const std::string& address, const std::vector<membership_record>& members) override { return inner->create_channel(ch, address, members); }
  std::optional<chat::channel> find_channel(channel_id id) override { return inner->find_channel(id); }
  std::optional<chat::channel> find_by_address(const std::string& address) override { return inner->find_by_address(address); }
  void update_channel(channel_id id, const std::string& name, const std::string& topic) override { inner->update_channel(id, name, topic); }
  std::vector<channel_summary> channels_of(user_id id, channel_id after, int limit) override { return inner->channels_of(id, after, limit); }
  std::vector<channel_position> channel_positions_of(user_id id) override { return inner->channel_positions_of(id); }
  seq_t last_seq(channel_id id) override { return inner->last_seq(id); }
  std::optional<membership_record> find_membership(channel_id ch, user_id id) override { return inner->find_membership(ch, id); }
  std::vector<member> members_of(channel_id ch) override { return inner->members_of(ch); }
  std::vector<member> members_after(channel_id ch, user_id after, int limit) override { return inner->members_after(ch, after, limit); }
  std::vector<user_id> member_ids(channel_id ch) override { return inner->member_ids(ch); }
  bool insert_membership(const membership_record& m) override { return inner->insert_membership(m); }
  bool delete_membership(channel_id ch, user_id id) override { return inner->delete_membership(ch, id); }
  void update_role(channel_id ch, user_id id, role r) override { inner->update_role(ch, id, r); }
  void mark_by_choice(channel_id ch, user_id id) override { inner->mark_by_choice(ch, id); }
  std::vector<user_id> contacts_of(user_id id) override { return inner->contacts_of(id); }
  std::vector<user_id> presence_contacts_of(user_id id) override { return inner->presence_contacts_of(id); }
  bool insert_block(user_id blocker, user_id blocked, time_ms at) override { return inner->insert_block(blocker, blocked, at); }
  bool delete_block(user_id blocker, user_id blocked) override { return inner->delete_block(blocker, blocked); }
  bool is_blocked(user_id blocker, user_id blocked) override { return inner->is_blocked(blocker, blocked); }
  std::vector<chat::user> blocked_by(user_id blocker) override { return inner->blocked_by(blocker); }
  int group_add_policy(user_id id) override { return inner->group_add_policy(id); }
  void set_group_add_policy(user_id id, int policy) override { inner->set_group_add_policy(id, policy); }
  bool parallel_appends() const override { return inner->parallel_appends(); }
  seq_t advance_read_marker(channel_id ch, user_id id, seq_t seq) override { return inner->advance_read_marker(ch, id, seq); }
  std::uint64_t calls() const override { return inner->calls(); }
  // clang-format on

  std::unique_ptr<store> inner;

 private:
  std::mutex gate_mutex_;  // guards the gate, arrivals_ and batches_
  std::condition_variable gate_changed_;
  bool gate_closed_ = false;
  int arrivals_ = 0;
  std::vector<std::vector<std::string>> batches_;
};

}  // namespace chat::detail
