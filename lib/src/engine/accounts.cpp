// Accounts, sessions and external identities.
#include <algorithm>
#include <chrono>

#include "engine/engine_impl.hpp"
#include "util/utf8.hpp"

namespace chat {
namespace {

status check_contact_fields(const new_account& account) {
  if (account.email) {
    const std::string& e = *account.email;
    if (e.size() > 254 || e.find('@') == std::string::npos || e.find('@') == 0 ||
        e.find('@') + 1 == e.size() || !detail::utf8_length(e))
      return {errc::invalid_argument, "email must look like name@domain (at most 254 bytes)"};
  }
  if (account.phone) {
    const std::string& p = *account.phone;
    if (p.empty() || p.size() > 32 || p.find_first_not_of("0123456789+-() ") != std::string::npos)
      return {errc::invalid_argument, "phone may hold only digits, spaces and + - ( )"};
  }
  return {};
}

// Sessions slide in steps, not on every request, to keep authentication read-only mostly.
constexpr time_ms k_slide_step_ms = 60 * 1000;

// A session used at `now` lives for session_ttl more, but never past created_at plus
// session_max_lifetime (docs/protocol.md, "Sessions").
time_ms session_expiry(const engine_options& options, time_ms created_at, time_ms now) {
  using std::chrono::milliseconds;
  const time_ms ttl = std::chrono::duration_cast<milliseconds>(options.session_ttl).count();
  const time_ms max =
      std::chrono::duration_cast<milliseconds>(options.session_max_lifetime).count();
  return std::min(now + ttl, created_at + max);
}

}  // namespace

result<user> engine::register_user(const new_account& account) {
  if (auto s = detail::check_username(account.username); !s) return s;
  if (auto s = detail::check_password(account.password); !s) return s;
  if (auto s = check_contact_fields(account); !s) return s;
  const std::string key = detail::username_key(account.username);
  // A taken name is refused before the costly hash (insert_user still catches a race).
  auto taken = impl_->guarded([&]() -> result<bool> { return !!impl_->db->find_user_by_key(key); });
  if (!taken) return taken.error();
  if (*taken) return status(errc::conflict, "username is already taken");
  if (auto s = impl_->strength.check(account.password, account.username); !s) return s;
  auto hash = impl_->hasher.hash(account.password);
  if (!hash) return status(errc::internal, "password hashing ran out of memory");
  return impl_->guarded([&]() -> result<user> {
    detail::user_record record;
    record.user.username = account.username;
    record.user.email = account.email;
    record.user.phone = account.phone;
    record.user.created_at = impl_->now();
    record.password_hash = *hash;
    auto stored =
        impl_->db->insert_user(record, detail::username_key(account.username), std::nullopt);
    if (!stored) return status(errc::conflict, "username is already taken");
    return std::move(stored->user);
  });
}

result<session_grant> engine::create_session(user_id id) {
  return impl_->guarded([&]() -> result<session_grant> {
    auto found = impl_->require_user(id);
    if (!found) return found.error();
    session_grant grant;
    grant.token = detail::new_session_token();
    grant.account = found->user;
    const time_ms now = impl_->now();
    grant.expires_at = session_expiry(impl_->options, now, now);
    impl_->db->insert_session({detail::token_hash(grant.token), id, now, grant.expires_at});
    return grant;
  });
}

result<session_grant> engine::login(const std::string& username, const std::string& password,
                                    const std::string& client_address) {
  const status refused(errc::unauthenticated, "wrong username or password");
  if (!detail::check_username(username) || password.size() > 1024) return refused;
  // Unknown usernames count too, so that the backoff does not tell which accounts exist.
  const auto keys = impl_->backoff.keys_for(detail::username_key(username), client_address);
  // While waiting, not even the right password is checked (no hashing, no answer to learn).
  auto waiting =
      impl_->guarded([&]() -> status { return impl_->backoff.check(keys, impl_->now()); });
  if (!waiting) return waiting;
  auto found = impl_->guarded([&]() -> result<detail::user_record> {
    auto record = impl_->db->find_user_by_key(detail::username_key(username));
    if (!record) return status(errc::not_found, "");
    return std::move(*record);
  });
  if (!found && found.code() != errc::not_found) return found.error();
  bool ok = false;
  if (found) {
    ok = impl_->hasher.verify(found->password_hash, password);
  } else {
    impl_->hasher.verify_dummy(password);
  }
  if (!ok) {
    auto counted = impl_->guarded([&]() -> status {
      impl_->backoff.failed(keys, impl_->now());
      return {};
    });
    if (!counted) return counted;
    return refused;
  }
  auto cleared = impl_->guarded([&]() -> status {
    impl_->backoff.succeeded(keys);
    return {};
  });
  if (!cleared) return cleared;
  return create_session(found->user.id);
}

result<user> engine::authenticate(const std::string& token) {
  auto session = authenticate_session(token);
  if (!session) return session.error();
  return std::move(session->account);
}

result<session_info> engine::authenticate_session(const std::string& token) {
  const status refused(errc::unauthenticated, "unknown, expired or revoked session");
  if (token.empty() || token.size() > 256) return refused;
  return impl_->guarded([&]() -> result<session_info> {
    const std::string hash = detail::token_hash(token);
    auto session = impl_->db->find_session(hash);
    if (!session) return refused;
    const time_ms now = impl_->now();
    const time_ms end = session_expiry(impl_->options, session->created_at, now);
    // `end` also enforces the absolute maximum on sessions stored before it was lowered.
    if (session->expires_at <= now || end <= now) {
      impl_->db->delete_session(hash);
      return refused;
    }
    auto found = impl_->db->find_user(session->user);
    if (!found) return refused;
    session_info info{std::move(found->user), session->created_at, session->expires_at};
    if (end - session->expires_at >= k_slide_step_ms || end < session->expires_at) {
      impl_->db->update_session_expiry(hash, end);
      info.expires_at = end;
    }
    return info;
  });
}

status engine::logout(const std::string& token) {
  return impl_->guarded([&]() -> status {
    const std::string hash = detail::token_hash(token);
    auto session = impl_->db->find_session(hash);
    if (!session || !impl_->db->delete_session(hash))
      return {errc::unauthenticated, "unknown or already revoked session"};
    impl_->drop_connections(session->user, hash);
    return {};
  });
}

result<int> engine::logout_everywhere(user_id id) {
  return impl_->guarded([&]() -> result<int> {
    const int revoked = impl_->db->delete_sessions_of(id);
    impl_->drop_connections(id, {});
    return revoked;
  });
}

result<user> engine::get_user(user_id id) {
  return impl_->guarded([&]() -> result<user> {
    auto found = impl_->require_user(id);
    if (!found) return found.error();
    return std::move(found->user);
  });
}

result<user> engine::find_user(const std::string& username) {
  if (!detail::check_username(username)) return status(errc::not_found, "no such user");
  return impl_->guarded([&]() -> result<user> {
    auto found = impl_->db->find_user_by_key(detail::username_key(username));
    if (!found) return status(errc::not_found, "no such user");
    return std::move(found->user);
  });
}

result<user> engine::change_username(user_id id, const std::string& new_username) {
  if (auto s = detail::check_username(new_username); !s) return s;
  return impl_->guarded([&]() -> result<user> {
    auto found = impl_->require_user(id);
    if (!found) return found.error();
    if (!impl_->db->update_username(id, new_username, detail::username_key(new_username)))
      return status(errc::conflict, "username is already taken");
    found->user.username = new_username;
    auto ev = std::make_shared<event>();
    ev->kind = event_kind::user_updated;
    ev->actor = id;
    ev->user_info = found->user;
    std::vector<user_id> audience = impl_->db->contacts_of(id);
    audience.push_back(id);  // my other sessions too
    impl_->events.publish(std::move(ev), 0, std::move(audience));
    return std::move(found->user);
  });
}

status engine::change_password(user_id id, const std::string& old_password,
                               const std::string& new_password) {
  if (auto s = detail::check_password(new_password); !s) return s;
  return impl_->guarded([&]() -> status {
    auto found = impl_->require_user(id);
    if (!found) return found.error();
    if (!found->password_hash.empty() && !impl_->hasher.verify(found->password_hash, old_password))
      return {errc::unauthenticated, "wrong password"};
    if (auto s = impl_->strength.check(new_password, found->user.username); !s) return s;
    auto hash = impl_->hasher.hash(new_password);
    if (!hash) return {errc::internal, "password hashing ran out of memory"};
    impl_->db->update_password_hash(id, *hash);
    return {};
  });
}

// ---- External identities --------------------------------------------------------------------

namespace {
status check_identity(const external_identity& identity) {
  if (identity.issuer.empty() || identity.issuer.size() > 255 || identity.subject.empty() ||
      identity.subject.size() > 255 || !detail::utf8_length(identity.issuer) ||
      !detail::utf8_length(identity.subject))
    return {errc::invalid_argument, "issuer and subject must be 1 to 255 bytes of UTF-8"};
  return {};
}
}  // namespace

result<user> engine::find_user_by_identity(const std::string& issuer, const std::string& subject) {
  return impl_->guarded([&]() -> result<user> {
    auto id = impl_->db->find_identity(issuer, subject);
    if (!id) return status(errc::not_found, "no account is linked to this identity");
    return get_user(*id);
  });
}

result<user> engine::register_with_identity(const std::string& username,
                                            const external_identity& identity) {
  if (auto s = detail::check_username(username); !s) return s;
  if (auto s = check_identity(identity); !s) return s;
  return impl_->guarded([&]() -> result<user> {
    if (impl_->db->find_identity(identity.issuer, identity.subject))
      return status(errc::conflict, "this identity is already linked to an account");
    detail::user_record record;
    record.user.username = username;
    record.user.email = identity.email;
    record.user.created_at = impl_->now();
    external_identity linked = identity;
    linked.linked_at = record.user.created_at;
    auto stored = impl_->db->insert_user(record, detail::username_key(username), linked);
    if (!stored) return status(errc::conflict, "username is already taken");
    return std::move(stored->user);
  });
}

status engine::link_identity(user_id id, const external_identity& identity) {
  if (auto s = check_identity(identity); !s) return s;
  return impl_->guarded([&]() -> status {
    auto found = impl_->require_user(id);
    if (!found) return found.error();
    external_identity linked = identity;
    linked.linked_at = impl_->now();
    if (!impl_->db->insert_identity(id, linked))
      return {errc::conflict,
              "this identity is linked already, or the account has one of this issuer"};
    return {};
  });
}

status engine::unlink_identity(user_id id, const std::string& issuer) {
  return impl_->guarded([&]() -> status {
    auto found = impl_->require_user(id);
    if (!found) return found.error();
    const auto linked = impl_->db->identities_of(id);
    bool has = false;
    for (const auto& i : linked) has = has || i.issuer == issuer;
    if (!has) return {errc::not_found, "no identity of this issuer is linked"};
    if (found->password_hash.empty() && linked.size() == 1)
      return {errc::conflict, "cannot unlink the account's only way to sign in; set a password"};
    impl_->db->delete_identity(id, issuer);
    return {};
  });
}

result<std::vector<external_identity>> engine::identities(user_id id) {
  return impl_->guarded([&]() -> result<std::vector<external_identity>> {
    auto found = impl_->require_user(id);
    if (!found) return found.error();
    return impl_->db->identities_of(id);
  });
}

}  // namespace chat
