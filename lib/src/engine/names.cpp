// Names of the public enums, as used on the wire and in logs: one table per enum.
#include <iterator>

#include "chat/error.hpp"
#include "chat/events.hpp"
#include "chat/types.hpp"
#include "chat/wire.hpp"

namespace chat {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::ok:
      return "ok";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::not_found:
      return "not_found";
    case errc::forbidden:
      return "forbidden";
    case errc::conflict:
      return "conflict";
    case errc::unauthenticated:
      return "unauthenticated";
    case errc::unavailable:
      return "unavailable";
    case errc::internal:
      return "internal";
    case errc::rate_limited:
      return "rate_limited";
  }
  return "unknown";
}

const char* to_string(channel_kind kind) noexcept {
  return kind == channel_kind::direct ? "direct" : "group";
}

namespace {

// An enum's wire names; to_string and the parser below read the same table.
template <typename E>
struct enum_name {
  E value;
  const char* name;
};

constexpr enum_name<role> k_role_names[] = {
    {role::member, "member"}, {role::admin, "admin"}, {role::owner, "owner"}};
constexpr enum_name<group_add_policy> k_group_add_names[] = {
    {group_add_policy::everyone, "everyone"},
    {group_add_policy::contacts, "contacts"},
    {group_add_policy::nobody, "nobody"}};

template <typename E, std::size_t N>
const char* name_in(const enum_name<E> (&table)[N], E value) noexcept {
  for (const auto& entry : table)
    if (entry.value == value) return entry.name;
  return table[0].name;  // out of range: the default value's name
}

template <typename E, std::size_t N>
std::optional<E> value_in(const enum_name<E> (&table)[N], const std::string& name) noexcept {
  for (const auto& entry : table)
    if (name == entry.name) return entry.value;
  return std::nullopt;
}

}  // namespace

const char* to_string(role r) noexcept {
  return name_in(k_role_names, r);
}

std::optional<role> role_from_string(const std::string& name) noexcept {
  return value_in(k_role_names, name);
}

const char* to_string(group_add_policy policy) noexcept {
  return name_in(k_group_add_names, policy);
}

std::optional<group_add_policy> group_add_policy_from_string(const std::string& name) noexcept {
  return value_in(k_group_add_names, name);
}

namespace {

// Each event kind's two names, in the order of the enum: its name in logs and the C API
// (to_string) and its name on the wire (wire::event_name, docs/protocol.md "Events").
struct event_names {
  event_kind kind;
  const char* name;
  const char* wire;
};
constexpr event_names k_event_names[] = {
    {event_kind::message_created, "message_created", "message.created"},
    {event_kind::channel_created, "channel_created", "channel.created"},
    {event_kind::channel_updated, "channel_updated", "channel.updated"},
    {event_kind::member_added, "member_added", "member.added"},
    {event_kind::member_removed, "member_removed", "member.removed"},
    {event_kind::member_role_changed, "member_role_changed", "member.role_changed"},
    {event_kind::read_marker, "read_marker", "read_marker"},
    {event_kind::presence, "presence", "presence"},
    {event_kind::typing, "typing", "typing"},
    {event_kind::session_revoked, "session_revoked", "session.revoked"},
    {event_kind::user_updated, "user_updated", "user.updated"},
};

constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < std::size(k_event_names); ++i)
    if (static_cast<std::size_t>(k_event_names[i].kind) != i) return false;
  return true;
}
static_assert(in_enum_order(), "k_event_names must follow the order of event_kind");
static_assert(std::size(k_event_names) == static_cast<std::size_t>(event_kind::user_updated) + 1,
              "every event_kind needs its names");

const event_names* names_of(event_kind kind) noexcept {
  const auto i = static_cast<std::size_t>(kind);
  return i < std::size(k_event_names) ? &k_event_names[i] : nullptr;
}

}  // namespace

const char* to_string(event_kind kind) noexcept {
  const auto* n = names_of(kind);
  return n ? n->name : "unknown";
}

const char* wire::event_name(event_kind kind) noexcept {
  const auto* n = names_of(kind);
  return n ? n->wire : "unknown";
}

}  // namespace chat
