// The C API's engine calls: options, open/close, accounts, channels, membership, messages.
#include <chrono>

#include "c_api.hpp"

using chat_c::engine_of;
using chat_c::fail;
using chat_c::guarded;
using chat_c::make;
using chat_c::optional;
using chat_c::required;
using chat_c::unwrap;

namespace {

chat::connection_id origin_of(const chat_connection* origin) {
  return origin ? origin->id : 0;
}

chat_session* make_session(const chat::session_grant& grant) {
  chat_c::builder<chat_session> b;
  b.pub().token = b.memory().str(grant.token);
  chat_c::fill(b.pub().user, grant.account, b.memory());
  b.pub().expires_at = grant.expires_at;
  return b.release();
}

// A {count, items} list struct from C++ values.
template <typename List, typename Item, typename Value>
List* make_list(const std::vector<Value>& values) {
  chat_c::builder<List> b;
  Item* items = b.memory().template array<Item>(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) chat_c::fill(items[i], values[i], b.memory());
  b.pub().count = values.size();
  b.pub().items = items;
  return b.release();
}

chat_engine_options& options_of(chat_engine_options* options) {
  if (!options) fail(CHAT_ERR_INVALID_ARGUMENT, "options is NULL");
  return *options;
}

void require_at_least(std::int64_t value, std::int64_t minimum, const char* what) {
  if (value < minimum)
    fail(CHAT_ERR_INVALID_ARGUMENT,
         std::string(what) + " must be at least " + std::to_string(minimum));
}

}  // namespace

extern "C" {

// ---- Options ------------------------------------------------------------------------------

chat_engine_options* chat_engine_options_new(void) {
  return new (std::nothrow) chat_engine_options();
}

void chat_engine_options_free(chat_engine_options* options) {
  delete options;
}

bool chat_engine_options_set_database(chat_engine_options* options, const char* database,
                                      chat_error* error) {
  return guarded(error, false, [&] {
    auto& o = options_of(options);
    std::string value = required(database, "database");
    if (value.empty()) fail(CHAT_ERR_INVALID_ARGUMENT, "database is empty");
    o.options.database = std::move(value);
    return true;
  });
}

bool chat_engine_options_set_pool_size(chat_engine_options* options, int pool_size,
                                       chat_error* error) {
  return guarded(error, false, [&] {
    auto& o = options_of(options);
    require_at_least(pool_size, 1, "pool_size");
    o.options.pool_size = pool_size;
    return true;
  });
}

bool chat_engine_options_set_session_ttl(chat_engine_options* options, int64_t seconds,
                                         chat_error* error) {
  return guarded(error, false, [&] {
    auto& o = options_of(options);
    require_at_least(seconds, 1, "session_ttl");
    // Beyond this the engine's millisecond arithmetic (now + ttl) would overflow.
    if (seconds > CHAT_MAX_SESSION_TTL_SECONDS)
      fail(CHAT_ERR_INVALID_ARGUMENT, "session_ttl must be at most 3650 days");
    o.options.session_ttl = std::chrono::seconds(seconds);
    return true;
  });
}

bool chat_engine_options_set_password_cost(chat_engine_options* options, chat_password_cost cost,
                                           chat_error* error) {
  return guarded(error, false, [&] {
    auto& o = options_of(options);
    switch (cost) {
      case CHAT_PASSWORD_COST_MINIMUM:
        o.options.password_hashing = chat::password_cost::minimum;
        return true;
      case CHAT_PASSWORD_COST_INTERACTIVE:
        o.options.password_hashing = chat::password_cost::interactive;
        return true;
      case CHAT_PASSWORD_COST_MODERATE:
        o.options.password_hashing = chat::password_cost::moderate;
        return true;
    }
    fail(CHAT_ERR_INVALID_ARGUMENT, "unknown password cost");
  });
}

bool chat_engine_options_set_max_commit_batch(chat_engine_options* options, int max_batch,
                                              chat_error* error) {
  return guarded(error, false, [&] {
    auto& o = options_of(options);
    require_at_least(max_batch, 1, "max_commit_batch");
    o.options.max_commit_batch = max_batch;
    return true;
  });
}

bool chat_engine_options_set_commit_threads(chat_engine_options* options, int threads,
                                            chat_error* error) {
  return guarded(error, false, [&] {
    auto& o = options_of(options);
    require_at_least(threads, 1, "commit_threads");
    if (threads > chat::engine_options::max_commit_threads)
      fail(CHAT_ERR_INVALID_ARGUMENT, "commit_threads must be at most " +
                                          std::to_string(chat::engine_options::max_commit_threads));
    o.options.commit_threads = threads;
    return true;
  });
}

static_assert(CHAT_MAX_COMMIT_DELAY_US == chat::engine_options::max_commit_delay.count(),
              "the C API's bound is the engine's");

bool chat_engine_options_set_commit_delay_us(chat_engine_options* options, int64_t microseconds,
                                             chat_error* error) {
  return guarded(error, false, [&] {
    auto& o = options_of(options);
    if (microseconds < 0 || microseconds > CHAT_MAX_COMMIT_DELAY_US)
      fail(CHAT_ERR_INVALID_ARGUMENT,
           "commit_delay_us must be between 0 and " + std::to_string(CHAT_MAX_COMMIT_DELAY_US));
    o.options.commit_delay = std::chrono::microseconds(microseconds);
    return true;
  });
}

bool chat_engine_options_set_member_cache_channels(chat_engine_options* options, int channels,
                                                   chat_error* error) {
  return guarded(error, false, [&] {
    auto& o = options_of(options);
    require_at_least(channels, 1, "member_cache_channels");
    o.options.member_cache_channels = channels;
    return true;
  });
}

void chat_engine_options_set_clock(chat_engine_options* options, chat_clock_fn clock,
                                   void* user_data) {
  if (!options) return;
  if (clock)
    options->options.clock = [clock, user_data] { return clock(user_data); };
  else
    options->options.clock = nullptr;
}

// ---- Engine -------------------------------------------------------------------------------

chat_engine* chat_engine_open(const chat_engine_options* options, chat_error* error) {
  return guarded(error, static_cast<chat_engine*>(nullptr), [&] {
    chat::engine_options o = options ? options->options : chat::engine_options{};
    auto opened = unwrap(chat::engine::open(std::move(o)));
    auto handle = std::make_unique<chat_engine>();
    handle->engine = std::move(opened);
    return handle.release();
  });
}

bool chat_check_database(chat_engine* engine, chat_error* error) {
  return guarded(error, false, [&] {
    chat_c::check(engine_of(engine).check_database());
    return true;
  });
}

// chat_engine_close() is in events.cpp: it detaches the engine's connections first.

// ---- Accounts -----------------------------------------------------------------------------

chat_user* chat_register_user(chat_engine* engine, const char* username, const char* password,
                              const char* email, const char* phone, chat_error* error) {
  return guarded(error, static_cast<chat_user*>(nullptr), [&] {
    auto& e = engine_of(engine);
    chat::new_account account{required(username, "username"), required(password, "password"),
                              optional(email), optional(phone)};
    return make<chat_user>(unwrap(e.register_user(account)));
  });
}

chat_session* chat_login(chat_engine* engine, const char* username, const char* password,
                         chat_error* error) {
  return guarded(error, static_cast<chat_session*>(nullptr), [&] {
    auto& e = engine_of(engine);
    return make_session(
        unwrap(e.login(required(username, "username"), required(password, "password"))));
  });
}

chat_session* chat_create_session(chat_engine* engine, int64_t user_id, chat_error* error) {
  return guarded(error, static_cast<chat_session*>(nullptr),
                 [&] { return make_session(unwrap(engine_of(engine).create_session(user_id))); });
}

chat_user* chat_authenticate(chat_engine* engine, const char* token, chat_error* error) {
  return guarded(error, static_cast<chat_user*>(nullptr), [&] {
    auto& e = engine_of(engine);
    return make<chat_user>(unwrap(e.authenticate(required(token, "token"))));
  });
}

bool chat_logout(chat_engine* engine, const char* token, chat_error* error) {
  return guarded(error, false, [&] {
    auto& e = engine_of(engine);
    chat_c::check(e.logout(required(token, "token")));
    return true;
  });
}

int chat_logout_everywhere(chat_engine* engine, int64_t user_id, chat_error* error) {
  return guarded(error, -1, [&] { return unwrap(engine_of(engine).logout_everywhere(user_id)); });
}

chat_user* chat_get_user(chat_engine* engine, int64_t user_id, chat_error* error) {
  return guarded(error, static_cast<chat_user*>(nullptr),
                 [&] { return make<chat_user>(unwrap(engine_of(engine).get_user(user_id))); });
}

chat_user* chat_find_user(chat_engine* engine, const char* username, chat_error* error) {
  return guarded(error, static_cast<chat_user*>(nullptr), [&] {
    auto& e = engine_of(engine);
    return make<chat_user>(unwrap(e.find_user(required(username, "username"))));
  });
}

bool chat_change_password(chat_engine* engine, int64_t user_id, const char* old_password,
                          const char* new_password, chat_error* error) {
  return guarded(error, false, [&] {
    auto& e = engine_of(engine);
    chat_c::check(e.change_password(user_id, required(old_password, "old_password"),
                                    required(new_password, "new_password")));
    return true;
  });
}

// ---- Channels and membership --------------------------------------------------------------

chat_channel* chat_create_group(chat_engine* engine, int64_t creator, const char* name,
                                const char* topic, const int64_t* members, size_t member_count,
                                chat_error* error) {
  return guarded(error, static_cast<chat_channel*>(nullptr), [&] {
    auto& e = engine_of(engine);
    if (member_count > 0 && !members)
      fail(CHAT_ERR_INVALID_ARGUMENT, "members is NULL but member_count is not 0");
    std::vector<chat::user_id> ids(members, members + member_count);
    return make<chat_channel>(
        unwrap(e.create_group(creator, required(name, "name"), topic ? topic : "", ids)));
  });
}

chat_channel* chat_open_direct(chat_engine* engine, int64_t me, int64_t peer, chat_error* error) {
  return guarded(error, static_cast<chat_channel*>(nullptr), [&] {
    return make<chat_channel>(unwrap(engine_of(engine).open_direct(me, peer)));
  });
}

chat_channel_list* chat_list_channels(chat_engine* engine, int64_t me, chat_error* error) {
  return guarded(error, static_cast<chat_channel_list*>(nullptr), [&] {
    std::vector<chat::channel_summary> all;
    for (chat::channel_id after = 0;;) {
      auto page = unwrap(engine_of(engine).list_channels(me, after));
      if (page.channels.empty()) break;
      after = page.channels.back().channel.id;
      for (auto& s : page.channels) all.push_back(std::move(s));
      if (!page.has_more) break;
    }
    return make_list<chat_channel_list, chat_channel_summary>(all);
  });
}

chat_channel* chat_get_channel(chat_engine* engine, int64_t me, int64_t channel_id,
                               chat_error* error) {
  return guarded(error, static_cast<chat_channel*>(nullptr), [&] {
    return make<chat_channel>(unwrap(engine_of(engine).get_channel(me, channel_id)));
  });
}

chat_channel* chat_rename_channel(chat_engine* engine, int64_t actor, int64_t channel_id,
                                  const char* name, chat_error* error) {
  return guarded(error, static_cast<chat_channel*>(nullptr), [&] {
    auto& e = engine_of(engine);
    return make<chat_channel>(unwrap(e.rename_channel(actor, channel_id, required(name, "name"))));
  });
}

chat_channel* chat_set_topic(chat_engine* engine, int64_t actor, int64_t channel_id,
                             const char* topic, chat_error* error) {
  return guarded(error, static_cast<chat_channel*>(nullptr), [&] {
    auto& e = engine_of(engine);
    return make<chat_channel>(unwrap(e.set_topic(actor, channel_id, required(topic, "topic"))));
  });
}

chat_member_list* chat_members(chat_engine* engine, int64_t me, int64_t channel_id,
                               chat_error* error) {
  return guarded(error, static_cast<chat_member_list*>(nullptr), [&] {
    std::vector<chat::member> all;
    for (chat::user_id after = 0;;) {
      auto page = unwrap(engine_of(engine).members(me, channel_id, after));
      if (page.members.empty()) break;
      after = page.members.back().id;
      for (auto& m : page.members) all.push_back(std::move(m));
      if (!page.has_more) break;
    }
    return make_list<chat_member_list, chat_member>(all);
  });
}

bool chat_add_member(chat_engine* engine, int64_t actor, int64_t channel_id, int64_t target,
                     chat_role role, chat_error* error) {
  return guarded(error, false, [&] {
    auto& e = engine_of(engine);
    chat_c::check(e.add_member(actor, channel_id, target, chat_c::role_from(role)));
    return true;
  });
}

bool chat_remove_member(chat_engine* engine, int64_t actor, int64_t channel_id, int64_t target,
                        chat_error* error) {
  return guarded(error, false, [&] {
    chat_c::check(engine_of(engine).remove_member(actor, channel_id, target));
    return true;
  });
}

bool chat_leave(chat_engine* engine, int64_t me, int64_t channel_id, chat_error* error) {
  return guarded(error, false, [&] {
    chat_c::check(engine_of(engine).leave(me, channel_id));
    return true;
  });
}

bool chat_set_role(chat_engine* engine, int64_t actor, int64_t channel_id, int64_t target,
                   chat_role role, chat_error* error) {
  return guarded(error, false, [&] {
    auto& e = engine_of(engine);
    chat_c::check(e.set_role(actor, channel_id, target, chat_c::role_from(role)));
    return true;
  });
}

// ---- Messages -----------------------------------------------------------------------------

chat_message* chat_send(chat_engine* engine, int64_t sender, int64_t channel_id, const char* text,
                        const char* client_msg_id, const chat_connection* origin,
                        chat_error* error) {
  return guarded(error, static_cast<chat_message*>(nullptr), [&] {
    auto& e = engine_of(engine);
    return make<chat_message>(
        unwrap(e.send(sender, channel_id, required(text, "text"),
                      client_msg_id ? client_msg_id : "", origin_of(origin))));
  });
}

chat_message_list* chat_history(chat_engine* engine, int64_t me, int64_t channel_id,
                                chat_history_direction direction, int64_t seq, int limit,
                                chat_error* error) {
  return guarded(error, static_cast<chat_message_list*>(nullptr), [&] {
    auto& e = engine_of(engine);
    chat::history_query query;
    switch (direction) {
      case CHAT_HISTORY_LATEST:
        query.direction = chat::history_query::from::latest;
        break;
      case CHAT_HISTORY_BEFORE:
        query.direction = chat::history_query::from::before;
        break;
      case CHAT_HISTORY_AFTER:
        query.direction = chat::history_query::from::after;
        break;
      default:
        fail(CHAT_ERR_INVALID_ARGUMENT, "unknown history direction");
    }
    query.seq = seq;
    query.limit = limit;
    auto page = unwrap(e.history(me, channel_id, query));
    auto* list = make_list<chat_message_list, chat_message>(page.messages);
    list->has_more = page.has_more;
    return list;
  });
}

chat_sync_result* chat_sync(chat_engine* engine, int64_t me, const chat_sync_cursor* cursors,
                            size_t cursor_count, int limit_per_channel, chat_error* error) {
  return guarded(error, static_cast<chat_sync_result*>(nullptr), [&] {
    auto& e = engine_of(engine);
    if (cursor_count > 0 && !cursors)
      fail(CHAT_ERR_INVALID_ARGUMENT, "cursors is NULL but cursor_count is not 0");
    std::vector<chat::sync_cursor> wanted;
    wanted.reserve(cursor_count);
    for (std::size_t i = 0; i < cursor_count; ++i)
      wanted.push_back({cursors[i].channel_id, cursors[i].after_seq});
    auto found = unwrap(e.sync(me, wanted, limit_per_channel));

    chat_c::builder<chat_sync_result> b;
    auto* channels = b.memory().array<chat_channel_sync>(found.channels.size());
    for (std::size_t i = 0; i < found.channels.size(); ++i) {
      const auto& in = found.channels[i];
      auto* messages = b.memory().array<chat_message>(in.messages.size());
      for (std::size_t j = 0; j < in.messages.size(); ++j)
        chat_c::fill(messages[j], in.messages[j], b.memory());
      channels[i].channel_id = in.channel;
      channels[i].count = in.messages.size();
      channels[i].messages = messages;
      channels[i].has_more = in.has_more;
    }
    b.pub().count = found.channels.size();
    b.pub().channels = channels;
    b.pub().has_more = found.has_more;
    return b.release();
  });
}

int64_t chat_mark_read(chat_engine* engine, int64_t me, int64_t channel_id, int64_t seq,
                       const chat_connection* origin, chat_error* error) {
  return guarded(error, static_cast<int64_t>(-1), [&] {
    return unwrap(engine_of(engine).mark_read(me, channel_id, seq, origin_of(origin)));
  });
}

bool chat_typing(chat_engine* engine, int64_t me, int64_t channel_id, const chat_connection* origin,
                 chat_error* error) {
  return guarded(error, false, [&] {
    chat_c::check(engine_of(engine).typing(me, channel_id, origin_of(origin)));
    return true;
  });
}

chat_id_list* chat_online_contacts(chat_engine* engine, int64_t me, chat_error* error) {
  return guarded(error, static_cast<chat_id_list*>(nullptr), [&] {
    auto ids = unwrap(engine_of(engine).online_contacts(me));
    chat_c::builder<chat_id_list> b;
    auto* out = b.memory().array<int64_t>(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) out[i] = ids[i];
    b.pub().count = ids.size();
    b.pub().ids = out;
    return b.release();
  });
}

}  // extern "C"
