// Runs each store contract case against SQLite and MariaDB, plus small data builders.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "store/backend.hpp"
#include "store/sqlite/sqlite_backend.hpp"
#include "store/store.hpp"
#include "support/test_env.hpp"
#if CHAT_WITH_MYSQL
#include "store/mysql/mysql_backend.hpp"
#endif

namespace chat::test {

enum class backend { sqlite, mariadb };

// One fresh database per test case on the chosen backend.
struct store_fixture {
  explicit store_fixture(backend b)
      : which(b), url(b == backend::sqlite ? sqlite_temp_url() : mysql_fresh_url()) {}

  std::unique_ptr<detail::store> open(int pool_size = 4) const {
    return detail::open_soci_store(url, pool_size);
  }

  // The store's backend driver (tests that use a connection pool directly).
  std::unique_ptr<const detail::backend> driver() const {
#if CHAT_WITH_MYSQL
    if (which == backend::mariadb) return detail::make_mysql_backend();
#endif
    return detail::make_sqlite_backend();
  }

  backend which;
  std::string url;
};

inline detail::user_record new_user(const std::string& name, time_ms created_at = 1000) {
  detail::user_record r;
  r.user.username = name;
  r.user.created_at = created_at;
  r.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  return r;
}

inline detail::user_record make_user(detail::store& s, const std::string& name,
                                     time_ms created_at = 1000) {
  auto stored = s.insert_user(new_user(name, created_at), name, std::nullopt);
  REQUIRE(stored);
  return *stored;
}

inline detail::membership_record member_of(user_id u, chat::role r = chat::role::member,
                                           time_ms joined_at = 1000) {
  detail::membership_record m;
  m.user = u;
  m.role = r;
  m.joined_at = joined_at;
  return m;
}

inline chat::channel make_group(detail::store& s, user_id owner, const std::vector<user_id>& others,
                                time_ms created_at = 1000, const std::string& name = "general") {
  chat::channel ch;
  ch.kind = channel_kind::group;
  ch.name = name;
  ch.topic = "topic of " + name;
  ch.created_by = owner;
  ch.created_at = created_at;
  std::vector<detail::membership_record> members{member_of(owner, chat::role::owner, created_at)};
  for (user_id u : others) members.push_back(member_of(u, chat::role::member, created_at));
  auto stored = s.create_channel(ch, "", members);
  REQUIRE(stored);
  return *stored;
}

// The address of the direct channel of a and b (as the engine builds it).
inline std::string direct_address(user_id a, user_id b) {
  return std::to_string(std::min(a, b)) + ":" + std::to_string(std::max(a, b));
}

inline chat::channel new_direct(user_id a, time_ms created_at = 1000) {
  chat::channel ch;
  ch.kind = channel_kind::direct;
  ch.created_by = a;
  ch.created_at = created_at;
  return ch;
}

inline chat::channel make_direct(detail::store& s, user_id a, user_id b,
                                 time_ms created_at = 1000) {
  auto stored = s.create_channel(new_direct(a, created_at), direct_address(a, b),
                                 {member_of(a), member_of(b)});
  REQUIRE(stored);
  return *stored;
}

inline detail::pending_message pending(user_id sender, channel_id ch, const std::string& text,
                                       const std::string& client_msg_id = "",
                                       time_ms created_at = 2000) {
  return detail::pending_message{sender, ch, text, client_msg_id, created_at};
}

// Appends one message and returns its outcome.
inline detail::append_outcome send(detail::store& s, user_id sender, channel_id ch,
                                   const std::string& text, const std::string& client_msg_id = "",
                                   time_ms created_at = 2000) {
  auto out = s.append_messages({pending(sender, ch, text, client_msg_id, created_at)});
  REQUIRE(out.size() == 1);
  return out[0];
}

// Expects `expr` to throw store_error of kind `k`.
#define CHECK_STORE_ERROR(expr, k)                                   \
  do {                                                               \
    try {                                                            \
      (void)(expr);                                                  \
      FAIL_CHECK("expected store_error " #k " from " #expr);         \
    } catch (const ::chat::detail::store_error& e) {                 \
      CHECK(e.error_kind() == ::chat::detail::store_error::kind::k); \
    }                                                                \
  } while (false)

}  // namespace chat::test

// Defines `name` once and registers it as two test cases, one per backend (only the SQLite
// one in a build without CHAT_WITH_MYSQL).
#if CHAT_WITH_MYSQL
#define CHAT_STORE_CASE_ON_MARIADB(name)                               \
  TEST_CASE(#name " on mariadb", "[store][mariadb]") {                 \
    name(::chat::test::store_fixture(::chat::test::backend::mariadb)); \
  }
#else
#define CHAT_STORE_CASE_ON_MARIADB(name)
#endif
#define STORE_CASE(name)                                              \
  static void name(const ::chat::test::store_fixture& db);            \
  TEST_CASE(#name " on sqlite", "[store][sqlite]") {                  \
    name(::chat::test::store_fixture(::chat::test::backend::sqlite)); \
  }                                                                   \
  CHAT_STORE_CASE_ON_MARIADB(name)                                    \
  static void name(const ::chat::test::store_fixture& db)
