// The engine's private state, shared by the files that implement its public calls.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "auth/credentials.hpp"
#include "auth/password_strength.hpp"
#include "chat/engine.hpp"
#include "engine/commit_queue.hpp"
#include "engine/login_backoff.hpp"
#include "engine/open_with_bus.hpp"
#include "engine/status_mapping.hpp"
#include "routing/publisher.hpp"
#include "routing/router.hpp"
#include "store/store.hpp"

namespace chat::detail {

// What chat::engine holds (engine.hpp keeps it opaque); only lib/src/engine names it.
struct engine_impl {
  engine_options options;
  std::unique_ptr<detail::store> db;
  detail::password_hasher hasher;
  detail::password_strength strength;  // cracklib check of new passwords
  detail::login_backoff backoff;       // failed-login counts, in the store
  detail::router router;
  std::unique_ptr<detail::event_bus> bus;  // local_bus unless opened with another
  // Every event goes out through it (routing/publisher.hpp): commit queues, membership and
  // channel changes, presence, and the connections of revoked sessions.
  detail::publisher events;
  // Last: their threads use everything above. A channel's sends always go to the same queue.
  std::vector<std::unique_ptr<detail::commit_queue>> commits;
  detail::commit_queue& commits_for(channel_id ch) {
    return *commits[static_cast<std::size_t>(ch) % commits.size()];
  }

  // Membership and channel changes check then act (e.g. "is this the last owner?"); a
  // per-channel stripe makes the pair atomic within this process, and their events are queued
  // under it (so they leave in the order applied) and delivered after it is released.
  std::array<std::mutex, 64> membership_locks;
  std::mutex& membership_lock(channel_id ch) {
    return membership_locks[static_cast<std::size_t>(ch) % membership_locks.size()];
  }

  // Monitoring counters (engine_stats).
  std::atomic<std::uint64_t> messages_committed{0}, duplicate_sends{0}, commit_batches{0},
      database_errors{0}, batch_size_sum{0}, failed_commits{0}, disk_full_errors{0},
      read_only_errors{0}, in_doubt_sends{0}, in_doubt_published{0};
  std::array<std::atomic<std::uint64_t>, engine_stats::k_batch_bucket_count> batch_buckets{};

  engine_impl(engine_options opts, std::unique_ptr<detail::store> store,
              const bus_factory& make_bus);
  // The public face of a started engine (engine's constructor is private to it).
  static std::unique_ptr<engine> wrap(std::unique_ptr<engine_impl> state) {
    return std::unique_ptr<engine>(new engine(std::move(state)));
  }

  time_ms now() const { return options.clock(); }

  // Runs f, turning storage exceptions into statuses (and counting them).
  template <typename F>
  auto guarded(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const detail::store_error& e) {
      if (e.error_kind() != detail::store_error::kind::conflict)
        count_database_error(e.error_kind());
      report_storage_error(e);
      return detail::to_status(e);
    } catch (const std::exception&) {
      ++database_errors;
      return status(errc::internal, "internal error");
    }
  }

  void count_database_error(detail::store_error::kind k) {
    ++database_errors;
    if (k == detail::store_error::kind::full) ++disk_full_errors;
    if (k == detail::store_error::kind::read_only) ++read_only_errors;
  }

  // Hands the database's own text of a failure to options.storage_error_log (never to clients:
  // to_status gives them a fixed message per kind).
  void report_storage_error(const detail::store_error& e) const noexcept {
    if (!options.storage_error_log) return;
    try {
      options.storage_error_log(e.what());
    } catch (...) {  // a failing logger must not turn a refused call into a crash
    }
  }

  // Shared checks; each returns the failure or the value.
  result<detail::user_record> require_user(user_id id);
  result<channel> require_channel(channel_id id);
  result<detail::membership_record> require_member(channel_id ch, user_id id);
  void announce_presence(user_id user, bool online);
  // Tells `to` that `about` is online or offline, if both are connected (used when a block
  // starts or ends presence between two users).
  void tell_presence(user_id about, user_id to, bool online);
  // `user` has just chosen channel `ch` (opened, joined or first sent): members who thereby
  // became presence contacts and are online learn of each other. Errors only count.
  void announce_choice(user_id user, channel_id ch);
  // Whether either user has blocked the other.
  bool blocked_either_way(user_id a, user_id b);
  // forbidden unless `actor` may add `target` to a group: no block by the target, and the
  // target's group-add policy lets the actor in.
  status check_group_add(user_id actor, user_id target);
  // Ends live connections of a revoked session (all of the user's if session_hash is empty)
  // through the publisher, and announces the user offline if that was their last.
  void drop_connections(user_id user, const std::string& session_hash);
};

}  // namespace chat::detail
