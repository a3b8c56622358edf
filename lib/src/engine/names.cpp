// Names of the public enums, as used on the wire and in logs.
#include "chat/error.hpp"
#include "chat/events.hpp"
#include "chat/types.hpp"

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

const char* to_string(role r) noexcept {
  switch (r) {
    case role::member:
      return "member";
    case role::admin:
      return "admin";
    case role::owner:
      return "owner";
  }
  return "member";
}

std::optional<role> role_from_string(const std::string& name) noexcept {
  if (name == "member") return role::member;
  if (name == "admin") return role::admin;
  if (name == "owner") return role::owner;
  return std::nullopt;
}

const char* to_string(group_add_policy policy) noexcept {
  switch (policy) {
    case group_add_policy::everyone:
      return "everyone";
    case group_add_policy::contacts:
      return "contacts";
    case group_add_policy::nobody:
      return "nobody";
  }
  return "everyone";
}

std::optional<group_add_policy> group_add_policy_from_string(const std::string& name) noexcept {
  if (name == "everyone") return group_add_policy::everyone;
  if (name == "contacts") return group_add_policy::contacts;
  if (name == "nobody") return group_add_policy::nobody;
  return std::nullopt;
}

const char* to_string(event_kind kind) noexcept {
  switch (kind) {
    case event_kind::message_created:
      return "message_created";
    case event_kind::channel_created:
      return "channel_created";
    case event_kind::channel_updated:
      return "channel_updated";
    case event_kind::member_added:
      return "member_added";
    case event_kind::member_removed:
      return "member_removed";
    case event_kind::member_role_changed:
      return "member_role_changed";
    case event_kind::read_marker:
      return "read_marker";
    case event_kind::presence:
      return "presence";
    case event_kind::typing:
      return "typing";
    case event_kind::session_revoked:
      return "session_revoked";
    case event_kind::user_updated:
      return "user_updated";
  }
  return "unknown";
}

}  // namespace chat
