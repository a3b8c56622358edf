// Who may reach a user: blocking, the group-add policy, and presence between blocked users.
#include <algorithm>

#include "engine/engine_impl.hpp"

namespace chat {
namespace {

bool contains(const std::vector<user_id>& ids, user_id id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

void detail::engine_impl::tell_presence(user_id about, user_id to, bool online) {
  if (!router.is_online(about) || !router.is_online(to)) return;
  auto ev = std::make_shared<event>();
  ev->kind = event_kind::presence;
  ev->actor = about;
  ev->online = online;
  events.publish(std::move(ev), 0, {to});
}

void detail::engine_impl::announce_choice(user_id user, channel_id ch) {
  if (!router.is_online(user)) return;
  try {
    const auto contacts = db->presence_contacts_of(user);
    for (user_id member : db->member_ids(ch)) {
      if (member == user || !contains(contacts, member)) continue;
      tell_presence(user, member, true);
      tell_presence(member, user, true);
    }
  } catch (const std::exception&) {
    ++database_errors;  // presence is advisory; clients ask online_contacts on reconnect
  }
}

status engine::block_user(user_id me, user_id target) {
  if (me == target) return status(errc::invalid_argument, "you cannot block yourself");
  return impl_->guarded([&]() -> status {
    if (auto u = impl_->require_user(me); !u) return u.error();
    if (auto u = impl_->require_user(target); !u) return u.error();
    const bool saw_each_other = contains(impl_->db->presence_contacts_of(me), target);
    if (!impl_->db->insert_block(me, target, impl_->now())) return {};  // already blocked
    if (saw_each_other) {
      // Each side last heard "online" from the other: from now on they appear offline.
      impl_->tell_presence(me, target, false);
      impl_->tell_presence(target, me, false);
    }
    return {};
  });
}

status engine::unblock_user(user_id me, user_id target) {
  return impl_->guarded([&]() -> status {
    if (auto u = impl_->require_user(me); !u) return u.error();
    if (auto u = impl_->require_user(target); !u) return u.error();
    if (!impl_->db->delete_block(me, target)) return {};  // was not blocked
    if (contains(impl_->db->presence_contacts_of(me), target)) {
      impl_->tell_presence(me, target, true);
      impl_->tell_presence(target, me, true);
    }
    return {};
  });
}

result<std::vector<user>> engine::blocked_users(user_id me) {
  return impl_->guarded([&]() -> result<std::vector<user>> {
    if (auto u = impl_->require_user(me); !u) return u.error();
    return impl_->db->blocked_by(me);
  });
}

result<privacy_settings> engine::privacy(user_id me) {
  return impl_->guarded([&]() -> result<privacy_settings> {
    if (auto u = impl_->require_user(me); !u) return u.error();
    privacy_settings settings;
    const int stored = impl_->db->group_add_policy(me);
    if (stored == static_cast<int>(group_add_policy::contacts))
      settings.group_adds = group_add_policy::contacts;
    else if (stored == static_cast<int>(group_add_policy::nobody))
      settings.group_adds = group_add_policy::nobody;
    return settings;
  });
}

status engine::set_privacy(user_id me, const privacy_settings& settings) {
  switch (settings.group_adds) {
    case group_add_policy::everyone:
    case group_add_policy::contacts:
    case group_add_policy::nobody:
      break;
    default:
      return status(errc::invalid_argument, "unknown group-add policy");
  }
  return impl_->guarded([&]() -> status {
    if (auto u = impl_->require_user(me); !u) return u.error();
    impl_->db->set_group_add_policy(me, static_cast<int>(settings.group_adds));
    return {};
  });
}

}  // namespace chat
