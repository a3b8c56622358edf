// Opening and closing the engine, shared helpers, and live routing calls.
#include <algorithm>
#include <chrono>

#include "engine/engine_impl.hpp"

namespace chat {
namespace {

time_ms system_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// The one place engine options are checked (LevelDB's SanitizeOptions): a value the engine
// cannot work with is an error, a count out of range is brought into it, and a missing clock
// is the system clock. Everything past open() trusts the options.
result<engine_options> sanitize(engine_options options) {
  if (options.database.empty()) return status(errc::invalid_argument, "empty database string");
  if (options.max_reply_bytes < engine::min_reply_bytes)
    return status(errc::invalid_argument,
                  "max_reply_bytes must be at least " + std::to_string(engine::min_reply_bytes));
  options.pool_size = std::max(1, options.pool_size);
  options.max_commit_batch = std::max(1, options.max_commit_batch);
  options.commit_threads =
      std::clamp(options.commit_threads, 1, engine_options::max_commit_threads);
  options.member_cache_channels = std::max(1, options.member_cache_channels);
  options.commit_delay = std::clamp(options.commit_delay, std::chrono::microseconds(0),
                                    engine_options::max_commit_delay);
  if (!options.clock) options.clock = system_clock_ms;
  return options;
}

}  // namespace

namespace detail {

engine_impl::engine_impl(engine_options opts, std::unique_ptr<store> store,
                         const bus_factory& make_bus)
    : options(std::move(opts)),
      db(std::move(store)),
      hasher(options.password_hashing),
      strength(options.refuse_weak_passwords, options.password_dictionary),
      backoff(*db, options.login_backoff),
      router([this](channel_id ch) { return db->member_ids(ch); },
             static_cast<std::size_t>(options.member_cache_channels)),
      bus(make_bus(router)),
      events(*bus) {
  detail::commit_queue::stats_sink stats;
  stats.batch = [this](std::size_t size, std::size_t stored, std::size_t duplicates) {
    ++commit_batches;
    messages_committed += stored;
    duplicate_sends += duplicates;
    batch_size_sum += size;
    for (int i = 0; i < engine_stats::k_batch_bucket_count; ++i) {
      const bool last = i == engine_stats::k_batch_bucket_count - 1;
      if (last || size <= static_cast<std::size_t>(engine_stats::k_batch_bounds[i]))
        ++batch_buckets[static_cast<std::size_t>(i)];
    }
  };
  stats.database_error = [this](detail::store_error::kind k) { count_database_error(k); };
  stats.in_doubt = [this](std::size_t sends) { in_doubt_sends += sends; };
  stats.in_doubt_published = [this](std::size_t found) { in_doubt_published += found; };
  stats.first_choice = [this](user_id user, channel_id ch) { announce_choice(user, ch); };
  stats.failed_transaction = [this](const detail::store_error& e) {
    ++failed_commits;
    report_storage_error(e);
  };
  // SQLite has one write lock: a second commit thread could only wait for it.
  const int threads = db->parallel_appends() ? options.commit_threads : 1;
  for (int i = 0; i < threads; ++i)
    commits.push_back(std::make_unique<detail::commit_queue>(
        *db, events, static_cast<std::size_t>(options.max_commit_batch), options.commit_delay,
        stats));
}

result<std::unique_ptr<engine>> open_with_bus(engine_options requested,
                                              const bus_factory& make_bus) {
  auto sanitized = sanitize(std::move(requested));
  if (!sanitized.ok()) return sanitized.error();
  engine_options options = std::move(sanitized).value();
  try {
    // One engine per SQLite file: a second one would not see the first one's live events.
    auto store = detail::open_soci_store(options.database, options.pool_size, 0,
                                         /*exclusive=*/true);
    auto state = std::make_unique<engine_impl>(std::move(options), std::move(store), make_bus);
    if (auto usable = state->strength.usable(); !usable) return usable;
    return engine_impl::wrap(std::move(state));
  } catch (const detail::store_error& e) {
    if (e.error_kind() == detail::store_error::kind::misconfigured)
      return status(errc::invalid_argument,
                    std::string("the database refuses the configuration: ") + e.what());
    if (detail::is_outage(e.error_kind()))
      return status(errc::unavailable, std::string("cannot open the database: ") + e.what());
    if (e.error_kind() == detail::store_error::kind::conflict)  // in use by another engine
      return status(errc::conflict, std::string("cannot open the database: ") + e.what());
    return status(errc::invalid_argument, std::string("cannot open the database: ") + e.what());
  } catch (const std::exception& e) {
    return status(errc::internal, std::string("cannot start the engine: ") + e.what());
  }
}

}  // namespace detail

result<std::unique_ptr<engine>> engine::open(engine_options options) {
  return detail::open_with_bus(std::move(options), [](detail::router& local) {
    return std::make_unique<detail::local_bus>(local);
  });
}

engine::engine(std::unique_ptr<detail::engine_impl> state) : impl_(std::move(state)) {}
engine::~engine() = default;

result<detail::user_record> detail::engine_impl::require_user(user_id id) {
  auto found = db->find_user(id);
  if (!found) return status(errc::not_found, "no such user");
  return std::move(*found);
}

result<channel> detail::engine_impl::require_channel(channel_id id) {
  auto found = db->find_channel(id);
  if (!found) return status(errc::not_found, "no such channel");
  return std::move(*found);
}

result<detail::membership_record> detail::engine_impl::require_member(channel_id ch, user_id id) {
  auto found = db->find_membership(ch, id);
  if (found) return std::move(*found);
  if (!db->find_channel(ch)) return status(errc::not_found, "no such channel");
  return status(errc::forbidden, "not a member of this channel");
}

void detail::engine_impl::announce_presence(user_id user, bool online) {
  auto ev = std::make_shared<event>();
  ev->kind = event_kind::presence;
  ev->actor = user;
  ev->online = online;
  std::vector<user_id> contacts;
  try {
    contacts = db->presence_contacts_of(user);
  } catch (const std::exception&) {
    ++database_errors;  // presence is advisory; clients ask online_contacts on reconnect
    return;
  }
  events.publish(std::move(ev), 0, std::move(contacts));
}

connection_id engine::connect(user_id id, std::shared_ptr<session_sink> sink,
                              const std::string& session_token) {
  auto added = impl_->router.connect(
      id, std::move(sink),
      session_token.empty() ? std::string() : detail::token_hash(session_token));
  if (added.first_of_user) impl_->announce_presence(id, true);
  return added.id;
}

void detail::engine_impl::drop_connections(user_id user, const std::string& session_hash) {
  if (events.revoke(user, session_hash)) announce_presence(user, false);
}

void engine::disconnect(connection_id connection) {
  auto removed = impl_->router.disconnect(connection);
  if (removed && removed->last_of_user) impl_->announce_presence(removed->user, false);
}

status engine::typing(user_id me, channel_id id, connection_id origin) {
  return impl_->guarded([&]() -> status {
    auto membership = impl_->require_member(id, me);
    if (!membership) return membership.error();
    auto user = impl_->require_user(me);
    if (!user) return user.error();
    auto ev = std::make_shared<event>();
    ev->kind = event_kind::typing;
    ev->channel = id;
    ev->actor = me;
    ev->subject = member{me, user->user.username, membership->role, membership->joined_at};
    impl_->events.publish(std::move(ev), origin);
    return {};
  });
}

result<std::vector<user_id>> engine::online_contacts(user_id me) {
  return impl_->guarded([&]() -> result<std::vector<user_id>> {
    std::vector<user_id> online;
    for (user_id contact : impl_->db->presence_contacts_of(me))
      if (impl_->router.is_online(contact)) online.push_back(contact);
    return online;
  });
}

status engine::check_database() {
  return impl_->guarded([&]() -> status {
    impl_->db->ping();
    impl_->db->probe_write(impl_->now());
    return {};
  });
}

engine_stats engine::stats() const {
  engine_stats s;
  s.messages_committed = impl_->messages_committed.load();
  s.duplicate_sends = impl_->duplicate_sends.load();
  s.commit_batches = impl_->commit_batches.load();
  s.failed_commits = impl_->failed_commits.load();
  s.database_calls = impl_->db->calls();
  s.events_delivered = impl_->router.delivered();
  s.database_errors = impl_->database_errors.load() + impl_->events.routing_failures();
  s.disk_full_errors = impl_->disk_full_errors.load();
  s.read_only_errors = impl_->read_only_errors.load();
  s.in_doubt_sends = impl_->in_doubt_sends.load();
  s.in_doubt_published = impl_->in_doubt_published.load();
  s.connections = impl_->router.connection_count();
  s.cached_member_lists = impl_->router.cached_channel_count();
  for (int i = 0; i < engine_stats::k_batch_bucket_count; ++i)
    s.batch_size_buckets[i] = impl_->batch_buckets[static_cast<std::size_t>(i)].load();
  s.batch_size_sum = impl_->batch_size_sum.load();
  return s;
}

}  // namespace chat
