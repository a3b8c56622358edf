// Group channels, direct conversations, and membership with roles.
#include <algorithm>
#include <string>

#include "chat/wire.hpp"
#include "engine/engine_impl.hpp"
#include "engine/reply_budget.hpp"
#include "util/utf8.hpp"

namespace chat {
namespace {

// Names are one line without control characters; a topic may also hold tabs and newlines.
status check_text_field(const std::string& text, std::size_t min, std::size_t max, const char* what,
                        std::string_view allowed_controls = {}) {
  auto length = detail::utf8_length(text);
  if (!length) return {errc::invalid_argument, std::string(what) + " must be valid UTF-8"};
  if (*length < min || *length > max)
    return {errc::invalid_argument, std::string(what) + " must be " + std::to_string(min) + " to " +
                                        std::to_string(max) + " characters long"};
  if (detail::has_control_characters(text, allowed_controls))
    return {errc::invalid_argument,
            std::string(what) + (allowed_controls.empty()
                                     ? " must not contain control characters"
                                     : " must not contain control characters other than tab "
                                       "and newline")};
  return {};
}

bool can_manage(role r) {
  return r == role::admin || r == role::owner;
}

void queue_member_event(detail::engine_impl& state, event_kind kind, channel_id ch, user_id actor,
                        const detail::user_record& target, role r, time_ms joined_at);

// A change to a channel's members or settings: holds the channel's membership lock, under which
// the change queues its events, so they leave in the order the changes were applied; they are
// delivered once the lock is released (routing/publisher.hpp), so a sink that calls back into
// the engine never meets a lock its thread holds.
class channel_change {
 public:
  channel_change(detail::engine_impl& state, channel_id ch)
      : delivery_(state.events, ch), lock_(state.membership_lock(ch)) {}

 private:
  detail::publisher::delivery delivery_;  // destroyed after lock_: delivers once unlocked
  std::lock_guard<std::mutex> lock_;
};

void publish_channel_created(detail::engine_impl& state, const channel& ch, user_id actor) {
  auto ev = std::make_shared<event>();
  ev->kind = event_kind::channel_created;
  ev->channel = ch.id;
  ev->actor = actor;
  ev->channel_info = ch;
  state.events.publish(std::move(ev));
}

// A channel's unique address in the store (store::find_by_address): "a:b" for the direct
// conversation of users a < b, "public:<name key>" for a public group.
std::string direct_address(user_id a, user_id b) {
  return std::to_string(std::min(a, b)) + ":" + std::to_string(std::max(a, b));
}

std::string public_address(const std::string& name) {
  return "public:" + detail::username_key(name);  // ASCII case folding
}

// create_channel found its address (or a member) taken, yet nothing has it now: not expected,
// answered as a conflict (retry).
detail::store_error address_lost() {
  return detail::store_error(detail::store_error::kind::conflict,
                             "a channel's address was taken, but no channel has it");
}

}  // namespace

bool detail::engine_impl::blocked_either_way(user_id a, user_id b) {
  return db->is_blocked(a, b) || db->is_blocked(b, a);
}

status detail::engine_impl::check_group_add(user_id actor, user_id target) {
  // One message for every refusal: the actor learns neither the policy nor the block.
  const status refused(errc::forbidden, "this user does not accept group invitations from you");
  if (db->is_blocked(target, actor)) return refused;
  switch (static_cast<group_add_policy>(db->group_add_policy(target))) {
    case group_add_policy::everyone:
      return {};
    case group_add_policy::contacts: {
      // A contact: the direct conversation with the actor exists and the target is in it by
      // choice (opened it or has sent into it).
      auto dm = db->find_by_address(direct_address(actor, target));
      if (!dm) return refused;
      auto mine = db->find_membership(dm->id, target);
      return mine && mine->by_choice ? status() : refused;
    }
    case group_add_policy::nobody:
      return refused;
  }
  return refused;
}

result<channel> engine::create_group(user_id creator, const std::string& name,
                                     const std::string& topic,
                                     const std::vector<user_id>& members) {
  if (auto s = check_text_field(name, 1, max_channel_name_code_points, "channel name"); !s)
    return s;
  if (auto s = check_text_field(topic, 0, max_topic_code_points, "topic", "\t\n"); !s) return s;
  return impl_->guarded([&]() -> result<channel> {
    if (auto u = impl_->require_user(creator); !u) return u.error();
    const time_ms now = impl_->now();
    std::vector<detail::membership_record> records{{0, creator, role::owner, 0, now, true}};
    for (user_id id : members) {
      if (id == creator) continue;
      const bool seen =
          std::any_of(records.begin(), records.end(), [&](const auto& m) { return m.user == id; });
      if (seen) continue;
      if (!impl_->db->find_user(id)) return status(errc::not_found, "no such user");
      if (auto s = impl_->check_group_add(creator, id); !s) return s;
      records.push_back({0, id, role::member, 0, now});
    }
    channel ch;
    ch.kind = channel_kind::group;
    ch.name = name;
    ch.topic = topic;
    ch.created_by = creator;
    ch.created_at = now;
    auto stored = impl_->db->create_channel(ch, "", records);
    if (!stored) throw address_lost();  // a group has no address: only a race of members
    publish_channel_created(*impl_, *stored, creator);
    return std::move(*stored);
  });
}

result<channel> engine::open_direct(user_id me, user_id peer) {
  if (me == peer)
    return status(errc::invalid_argument, "a direct conversation needs two different users");
  return impl_->guarded([&]() -> result<channel> {
    if (auto u = impl_->require_user(me); !u) return u.error();
    if (auto u = impl_->require_user(peer); !u) return u.error();
    if (impl_->blocked_either_way(me, peer))
      return status(errc::forbidden, "a block between you and this user stops direct messages");
    const std::string key = direct_address(me, peer);
    // Opening it is my choice: from now on the conversation counts for presence and contacts.
    auto mark_chosen = [&](const channel& ch) {
      auto mine = impl_->db->find_membership(ch.id, me);
      if (mine && !mine->by_choice) {
        impl_->db->mark_by_choice(ch.id, me);
        impl_->announce_choice(me, ch.id);
      }
    };
    if (auto existing = impl_->db->find_by_address(key)) {
      mark_chosen(*existing);
      return std::move(*existing);
    }
    const time_ms now = impl_->now();
    channel ch;
    ch.kind = channel_kind::direct;
    ch.created_by = me;
    ch.created_at = now;
    auto stored = impl_->db->create_channel(
        ch, key, {{0, me, role::member, 0, now, true}, {0, peer, role::member, 0, now}});
    if (!stored) {
      // Both sides asked at once: the unique address let one insert win; return that one.
      auto existing = impl_->db->find_by_address(key);
      if (!existing) throw address_lost();
      mark_chosen(*existing);
      return std::move(*existing);
    }
    publish_channel_created(*impl_, *stored, me);
    return std::move(*stored);
  });
}

result<channel> engine::join_public(user_id me, const std::string& name) {
  if (auto s = check_text_field(name, 1, max_channel_name_code_points, "channel name"); !s)
    return s;
  return impl_->guarded([&]() -> result<channel> {
    auto user = impl_->require_user(me);
    if (!user) return user.error();
    const std::string key = public_address(name);
    const time_ms now = impl_->now();
    auto existing = impl_->db->find_by_address(key);
    if (!existing) {
      channel ch;
      ch.kind = channel_kind::group;
      ch.name = name;
      ch.created_by = me;
      ch.created_at = now;
      if (auto stored = impl_->db->create_channel(ch, key, {{0, me, role::owner, 0, now, true}})) {
        publish_channel_created(*impl_, *stored, me);
        return std::move(*stored);
      }
      existing = impl_->db->find_by_address(key);  // someone created it first: join theirs
      if (!existing) throw address_lost();
    }
    if (auto mine = impl_->db->find_membership(existing->id, me)) {
      if (!mine->by_choice) {  // joined by name now
        impl_->db->mark_by_choice(existing->id, me);
        impl_->announce_choice(me, existing->id);
      }
      return std::move(*existing);
    }
    {
      channel_change change(*impl_, existing->id);
      if (!impl_->db->insert_membership({existing->id, me, role::member, 0, now, true}))
        return std::move(*existing);
      queue_member_event(*impl_, event_kind::member_added, existing->id, me, *user, role::member,
                         now);
    }
    impl_->announce_choice(me, existing->id);  // after the change's events
    return std::move(*existing);
  });
}

namespace {

// Fills a budgeted page from a store query read in chunks after a key, ascending: reads no
// more rows than the page can hold (plus one chunk), whatever the list's length.
template <typename Item, typename Fetch, typename Key>
bool fill_page(std::vector<Item>& items, std::size_t max_bytes, std::size_t empty_page_bytes,
               std::int64_t after, Fetch&& fetch, Key&& key) {
  constexpr int k_chunk = 100;
  detail::reply_budget budget(max_bytes, empty_page_bytes);
  for (;;) {
    auto rows = fetch(after, k_chunk);
    for (auto& row : rows) {
      if (!budget.take(wire::to_json(row).size() + (items.empty() ? 0 : 1))) return true;
      after = key(row);
      items.push_back(std::move(row));
    }
    if (rows.size() < static_cast<std::size_t>(k_chunk)) return false;
  }
}

}  // namespace

result<channel_page> engine::list_channels(user_id me, channel_id after) {
  return impl_->guarded([&]() -> result<channel_page> {
    if (auto u = impl_->require_user(me); !u) return u.error();
    channel_page page;
    page.has_more = fill_page(
        page.channels, impl_->options.max_reply_bytes, wire::to_json(channel_page{}).size(), after,
        [&](std::int64_t from, int n) { return impl_->db->channels_of(me, from, n); },
        [](const channel_summary& s) { return s.channel.id; });
    return page;
  });
}

result<channel> engine::get_channel(user_id me, channel_id id) {
  return impl_->guarded([&]() -> result<channel> {
    if (auto m = impl_->require_member(id, me); !m) return m.error();
    return impl_->require_channel(id);
  });
}

namespace {
enum class channel_field { name, topic };
}

static result<channel> update_channel(detail::engine_impl& state, user_id actor, channel_id id,
                                      const std::string& value, channel_field field) {
  return state.guarded([&]() -> result<channel> {
    channel_change change(state, id);
    auto membership = state.require_member(id, actor);
    if (!membership) return membership.error();
    auto ch = state.require_channel(id);
    if (!ch) return ch;
    if (ch->kind == channel_kind::direct)
      return status(errc::forbidden, "a direct conversation has no name or topic");
    if (!can_manage(membership->role))
      return status(errc::forbidden, "only owners and admins may change the channel");
    (field == channel_field::name ? ch->name : ch->topic) = value;
    state.db->update_channel(id, ch->name, ch->topic);
    auto ev = std::make_shared<event>();
    ev->kind = event_kind::channel_updated;
    ev->channel = id;
    ev->actor = actor;
    ev->channel_info = *ch;
    state.events.queue(std::move(ev));
    return ch;
  });
}

result<channel> engine::rename_channel(user_id actor, channel_id id, const std::string& name) {
  if (auto s = check_text_field(name, 1, max_channel_name_code_points, "channel name"); !s)
    return s;
  return update_channel(*impl_, actor, id, name, channel_field::name);
}

result<channel> engine::set_topic(user_id actor, channel_id id, const std::string& topic) {
  if (auto s = check_text_field(topic, 0, max_topic_code_points, "topic", "\t\n"); !s) return s;
  return update_channel(*impl_, actor, id, topic, channel_field::topic);
}

// ---- Membership ------------------------------------------------------------------------------

result<member_page> engine::members(user_id me, channel_id id, user_id after) {
  return impl_->guarded([&]() -> result<member_page> {
    if (auto m = impl_->require_member(id, me); !m) return m.error();
    member_page page;
    page.has_more = fill_page(
        page.members, impl_->options.max_reply_bytes, wire::to_json(member_page{}).size(), after,
        [&](std::int64_t from, int n) { return impl_->db->members_after(id, from, n); },
        [](const member& m) { return m.id; });
    return page;
  });
}

namespace {

// Queues a member_* event about `target` in channel `ch` (under a channel_change).
void queue_member_event(detail::engine_impl& state, event_kind kind, channel_id ch, user_id actor,
                        const detail::user_record& target, role r, time_ms joined_at) {
  auto ev = std::make_shared<event>();
  ev->kind = kind;
  ev->channel = ch;
  ev->actor = actor;
  ev->subject = member{target.user.id, target.user.username, r, joined_at};
  std::vector<user_id> extra;
  if (kind == event_kind::member_removed) extra.push_back(target.user.id);  // tell them too
  state.events.queue(std::move(ev), 0, std::move(extra));
}

// Common preconditions of membership changes on a group channel by `actor`.
result<detail::membership_record> require_group_member(detail::engine_impl& state, channel_id id,
                                                       user_id actor) {
  auto membership = state.require_member(id, actor);
  if (!membership) return membership;
  auto ch = state.require_channel(id);
  if (!ch) return ch.error();
  if (ch->kind == channel_kind::direct)
    return status(errc::forbidden, "the members of a direct conversation are fixed");
  return membership;
}

std::size_t count_owners(const std::vector<member>& members) {
  return static_cast<std::size_t>(std::count_if(
      members.begin(), members.end(), [](const member& m) { return m.role == role::owner; }));
}

}  // namespace

status engine::add_member(user_id actor, channel_id id, user_id target, role r) {
  return impl_->guarded([&]() -> status {
    channel_change change(*impl_, id);
    auto me = require_group_member(*impl_, id, actor);
    if (!me) return me.error();
    if (!can_manage(me->role)) return {errc::forbidden, "only owners and admins may add members"};
    if (r == role::owner && me->role != role::owner)
      return {errc::forbidden, "only owners may add owners"};
    auto user = impl_->require_user(target);
    if (!user) return user.error();
    if (impl_->db->find_membership(id, target)) return {errc::conflict, "already a member"};
    if (auto s = impl_->check_group_add(actor, target); !s) return s;
    const time_ms now = impl_->now();
    if (!impl_->db->insert_membership({id, target, r, 0, now}))
      return {errc::conflict, "already a member"};
    queue_member_event(*impl_, event_kind::member_added, id, actor, *user, r, now);
    return {};
  });
}

status engine::remove_member(user_id actor, channel_id id, user_id target) {
  if (actor == target) return leave(actor, id);
  return impl_->guarded([&]() -> status {
    channel_change change(*impl_, id);
    auto me = require_group_member(*impl_, id, actor);
    if (!me) return me.error();
    if (!can_manage(me->role))
      return {errc::forbidden, "only owners and admins may remove members"};
    auto them = impl_->db->find_membership(id, target);
    if (!them) return {errc::not_found, "that user is not a member"};
    if (them->role == role::owner && me->role != role::owner)
      return {errc::forbidden, "admins cannot remove owners"};
    auto user = impl_->require_user(target);
    if (!user) return user.error();
    impl_->db->delete_membership(id, target);
    queue_member_event(*impl_, event_kind::member_removed, id, actor, *user, them->role,
                       them->joined_at);
    return {};
  });
}

status engine::leave(user_id me, channel_id id) {
  return impl_->guarded([&]() -> status {
    channel_change change(*impl_, id);
    auto mine = require_group_member(*impl_, id, me);
    if (!mine) return mine.error();
    if (mine->role == role::owner) {
      const auto all = impl_->db->members_of(id);
      if (count_owners(all) == 1 && all.size() > 1)
        return {errc::conflict, "the last owner must make another member owner before leaving"};
    }
    auto user = impl_->require_user(me);
    if (!user) return user.error();
    impl_->db->delete_membership(id, me);
    queue_member_event(*impl_, event_kind::member_removed, id, me, *user, mine->role,
                       mine->joined_at);
    return {};
  });
}

status engine::set_role(user_id actor, channel_id id, user_id target, role r) {
  return impl_->guarded([&]() -> status {
    channel_change change(*impl_, id);
    auto me = require_group_member(*impl_, id, actor);
    if (!me) return me.error();
    if (me->role != role::owner) return {errc::forbidden, "only owners may change roles"};
    auto them = impl_->db->find_membership(id, target);
    if (!them) return {errc::not_found, "that user is not a member"};
    if (them->role == r) return {};
    if (them->role == role::owner && count_owners(impl_->db->members_of(id)) == 1)
      return {errc::conflict, "the last owner cannot be demoted; make another member owner first"};
    auto user = impl_->require_user(target);
    if (!user) return user.error();
    impl_->db->update_role(id, target, r);
    queue_member_event(*impl_, event_kind::member_role_changed, id, actor, *user, r,
                       them->joined_at);
    return {};
  });
}

}  // namespace chat
