// Pieces shared by the SOCI store files: transactions, row types and binding helpers.
#pragma once

#include <optional>
#include <string>
#include <type_traits>

#include "store/backend.hpp"
#include "store/schema.hpp"
#include "store/session_pool.hpp"
#include "store/soci_errors.hpp"
#include "store/store.hpp"

namespace chat::detail::soci_rows {

using soci::into;
using soci::use;
using lease = session_pool::lease;

// A write transaction. SQLite: the lease first waits for its turn among this store's writers
// (session_pool::lease::begin_write_turn), then BEGIN IMMEDIATE (backend::begin_write_sql)
// takes the write lock up front, so a writer of another process waits on busy_timeout instead
// of failing with SQLITE_BUSY when it first writes. The turn ends when the transaction does.
class write_transaction {
 public:
  explicit write_transaction(const lease& l) : lease_(l) {
    lease_.begin_write_turn();
    turn_ = true;
    try {
      lease_.sql() << l.backend().begin_write_sql();
    } catch (...) {
      end_turn();
      throw;
    }
    active_ = true;
  }
  // For a transaction that a script starts itself (mysql/append_batch.cpp): from here on it
  // is rolled back unless committed() is called, whether or not the script got that far.
  struct begun_by_caller {};
  write_transaction(const lease& l, begun_by_caller) : lease_(l), active_(true) {}
  write_transaction(const write_transaction&) = delete;
  write_transaction& operator=(const write_transaction&) = delete;
  ~write_transaction() {
    if (active_) {
      try {
        lease_.sql() << "ROLLBACK";
      } catch (...) {
        lease_.mark_broken();  // state unknown: never reuse this connection
      }
    }
    end_turn();
  }
  void commit() {
    active_ = false;  // a failed COMMIT leaves nothing to roll back on either backend
    try {
      lease_.sql() << "COMMIT";
    } catch (...) {
      end_turn();
      throw;
    }
    end_turn();
  }
  void committed() {  // a script ran the COMMIT
    active_ = false;
    end_turn();
  }

 private:
  void end_turn() {
    if (!turn_) return;
    turn_ = false;
    lease_.end_write_turn();
  }

  const lease& lease_;
  bool active_ = false;
  bool turn_ = false;
};

// Runs `f(lease)` inside a write transaction and commits it; what `f` returns is returned.
// Every write of the SOCI store goes through a write_transaction, even a single statement,
// so that it takes its turn (see above).
template <class F>
auto in_write_transaction(const lease& l, F&& f) -> decltype(f(l)) {
  write_transaction tx(l);
  if constexpr (std::is_void_v<decltype(f(l))>) {
    f(l);
    tx.commit();
  } else {
    auto result = f(l);
    tx.commit();
    return result;
  }
}

inline long long last_insert_id(const lease& l, const char* table) {
  return l.backend().last_insert_id(l.sql(), table);
}

// Binds an optional string as a nullable parameter.
struct nullable_text {
  explicit nullable_text(const std::optional<std::string>& v)
      : value(v.value_or(std::string())), ind(v ? soci::i_ok : soci::i_null) {}
  explicit nullable_text(const std::string& v, bool null_if_empty)
      : value(v), ind(null_if_empty && v.empty() ? soci::i_null : soci::i_ok) {}
  std::string value;
  soci::indicator ind;
};

inline std::optional<std::string> optional_text(const std::string& v, soci::indicator ind) {
  if (ind == soci::i_ok) return v;
  return std::nullopt;
}

using schema::k_message_columns;
using schema::k_user_columns;

struct user_row {
  long long id = 0;
  long long created_at = 0;
  std::string username, email, phone, password_hash;
  soci::indicator email_ind = soci::i_null, phone_ind = soci::i_null;

  user_record record() const {
    user_record r;
    r.user.id = id;
    r.user.username = username;
    r.user.email = optional_text(email, email_ind);
    r.user.phone = optional_text(phone, phone_ind);
    r.user.created_at = created_at;
    r.password_hash = password_hash;
    return r;
  }
};

struct message_row {
  long long id = 0, channel = 0, seq = 0, sender = 0, created_at = 0;
  std::string text, client_msg_id;
  soci::indicator client_msg_id_ind = soci::i_null;

  chat::message message() const {
    chat::message m;
    m.id = id;
    m.channel = channel;
    m.seq = seq;
    m.sender = sender;
    m.text = text;
    m.client_msg_id = client_msg_id_ind == soci::i_ok ? client_msg_id : std::string();
    m.created_at = created_at;
    return m;
  }
};

}  // namespace chat::detail::soci_rows
