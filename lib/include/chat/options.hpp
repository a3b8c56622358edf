// Settings for opening an engine.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "chat/types.hpp"

namespace chat {

// Cost of argon2id password hashing. `interactive` is libsodium's recommended minimum for
// online logins; `minimum` exists for tests and must not be used in production.
enum class password_cost : std::uint8_t { minimum, interactive, moderate };

// Backoff of failed logins (engine::login), kept in the database so that it holds across
// restarts and across nodes sharing the database. Each scope (the account, the client's
// address) may fail `free_failures` times in a row; after that every further attempt must wait
// base_delay, doubled with each further failure up to max_delay, counted from the latest
// failure. A scope's count starts again after forget_after without failures; a successful
// login clears the account's count (not the address's). free_failures <= 0 turns a scope off.
struct login_backoff_options {
  int account_free_failures = 5;
  int address_free_failures = 20;  // an address may be shared (NAT, a proxy): more slack
  std::chrono::seconds base_delay{1};
  std::chrono::seconds max_delay{15 * 60};
  std::chrono::seconds forget_after{24 * 60 * 60};
};

// engine::open checks these once (and nothing after it does): an empty database or a
// max_reply_bytes below engine::min_reply_bytes is invalid_argument; pool_size,
// max_commit_batch and member_cache_channels below 1 count as 1, commit_threads is brought
// into [1, max_commit_threads], commit_delay into [0, max_commit_delay]; no clock means the system
// clock.
struct engine_options {
  // SOCI connection string: "sqlite3://db=/path/chat.db" (the default backend) or
  // "mysql://db=chat user=chat password=... unix_socket=/path/mysql.sock" / "host=... port=...".
  std::string database = "sqlite3://db=chat.db";
  int pool_size = 4;  // database connections (an in-memory SQLite database always uses one)

  std::chrono::seconds session_ttl = std::chrono::hours(24 * 30);  // sliding expiry
  // Absolute limit: a session ends this long after its sign-in however often it is used (its
  // sliding expiry never passes this point). Must be positive.
  std::chrono::seconds session_max_lifetime = std::chrono::hours(24 * 90);
  password_cost password_hashing = password_cost::interactive;

  // Group commit: the commit thread takes up to this many pending sends into one transaction.
  int max_commit_batch = 512;
  // Under load, a commit thread waits up to this long after the oldest queued send arrived for
  // more sends to join its batch: fewer, larger transactions, so the database's work per message
  // (statements, commit, log flush) drops, for at most this much more latency. Only under load
  // (the previous batch held several sends and ended less than this long ago): a send into a
  // quiet engine, or one client sending after each acknowledgement, commits at once. 0 turns it
  // off (the default, as PostgreSQL's commit_delay); at most max_commit_delay. On MariaDB at
  // 2,000 msg/s, 1-2 ms cut the database's CPU per message by half (docs/performance.md).
  std::chrono::microseconds commit_delay{0};
  static constexpr std::chrono::microseconds max_commit_delay{100000};
  // Commit threads on MySQL/MariaDB, each committing the sends of its own share of the
  // channels (a channel always goes to the same one, so its messages keep their order): one
  // batch's round trips and log flush then overlap with another's, which pays when the
  // database has cores of its own or is a network hop away. On a small machine shared with
  // the database, one thread makes bigger batches for less CPU (docs/performance.md). SQLite
  // always uses one: its writers take turns on one lock.
  int commit_threads = 1;
  static constexpr int max_commit_threads = 16;

  // Live delivery keeps the member lists of this many recently used channels in memory (the
  // least recently used are dropped and reloaded on their next message), so memory does not
  // grow with the number of channels.
  int member_cache_channels = 10000;

  // Byte budget of every list the engine returns whose size depends on stored data (history,
  // sync, list_channels, members): a page's JSON encoding (chat::wire::to_json) is at most this
  // many bytes; a page ends early, with has_more, when the next item would pass it. At least
  // engine::min_reply_bytes, so that the largest single item always fits.
  std::size_t max_reply_bytes = 128 * 1024;

  login_backoff_options login_backoff;

  // New passwords (register_user, change_password) are checked with cracklib's FascistCheck
  // against this dictionary (empty: cracklib's default, /var/cache/cracklib/cracklib_dict, from
  // Debian's cracklib-runtime); a password it refuses is invalid_argument. open() fails with
  // invalid_argument if the dictionary cannot be read. false: no dictionary check.
  bool refuse_weak_passwords = true;
  std::string password_dictionary;

  // Time source, injectable so tests can age sessions. Returns Unix epoch milliseconds.
  std::function<time_ms()> clock;

  // Receives the database's own text of every failed storage call (callers get only a fixed
  // message per error code, so key names and values never reach clients); chatd logs it.
  // Called on any engine thread, possibly at once: it must be thread-safe and quick, and must
  // not call into the engine. Empty: the text is dropped.
  std::function<void(const std::string& detail)> storage_error_log;
};

}  // namespace chat
