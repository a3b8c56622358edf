// Identity -> account mapping over chat::engine, with in-memory sign-up tickets.
#include "oidc/accounts.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "encoding.hpp"

namespace chat::oidc {
namespace {

// A username proposal from the email's local part or the name: the engine's alphabet
// (A-Z a-z 0-9 _ . -), 3..20 characters. Only a suggestion; availability is not checked.
std::string suggest_username(const verified_identity& id) {
  std::string source = id.email ? id.email->substr(0, id.email->find('@')) : id.name.value_or("");
  std::string out;
  for (char c : source) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')
      out += c;
    else if (c == ' ' && !out.empty() && out.back() != '_')
      out += '_';
    if (out.size() == 20) break;
  }
  while (out.size() < 3) out += '_';
  return out;
}

chat::external_identity to_external(const verified_identity& id) {
  chat::external_identity e;
  e.issuer = id.issuer;
  e.subject = id.subject;
  if (id.email_verified) e.email = id.email;  // never store an unverified address as the user's
  return e;
}

struct ticket_entry {
  verified_identity identity;
  signup_ticket info;
  std::string address;  // the client's, for the per-address limit
  bool in_use = false;  // a complete_signup call is running with this ticket
};

}  // namespace

struct accounts::impl {
  chat::engine& engine;
  accounts_options options;
  // Tickets by value; `order` is insertion (= expiry) order for purging. Guarded by `mutex`.
  mutable std::mutex mutex;
  std::unordered_map<std::string, ticket_entry> tickets;
  std::unordered_map<std::string, std::size_t> per_address;  // tickets held by each address
  std::deque<std::string> order;

  impl(chat::engine& e, accounts_options o) : engine(e), options(std::move(o)) {}

  chat::time_ms now() const {
    if (options.clock) return options.clock();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  void erase(std::unordered_map<std::string, ticket_entry>::iterator it) {  // holds mutex
    auto count = per_address.find(it->second.address);
    if (count != per_address.end() && --count->second == 0) per_address.erase(count);
    tickets.erase(it);
  }

  // Drops expired tickets (never a live one: a full store refuses new tickets instead).
  void purge(chat::time_ms t) {  // caller holds mutex
    while (!order.empty()) {
      auto it = tickets.find(order.front());
      if (it != tickets.end() && it->second.info.expires_at > t) break;
      if (it != tickets.end() && it->second.in_use) break;  // finishes soon; purged later
      if (it != tickets.end()) erase(it);
      order.pop_front();
    }
  }

  // The ticket's entry if it can be used with `presented` now, else the refusal.
  result<std::unordered_map<std::string, ticket_entry>::iterator> usable(
      const std::string& ticket, const verified_identity* presented) {  // caller holds mutex
    auto it = tickets.find(ticket);
    if (it == tickets.end() || it->second.info.expires_at <= now())
      return status(errc::invalid_ticket, "unknown, expired or used sign-up ticket");
    const verified_identity& id = it->second.identity;
    if (presented && (presented->issuer != id.issuer || presented->subject != id.subject))
      return status(errc::invalid_ticket, "this sign-up ticket is for another identity");
    if (!presented && it->second.info.binding == ticket_binding::id_token)
      return status(errc::invalid_ticket,
                    "this sign-up ticket needs the ID token of its identity next to it");
    return it;
  }
};

accounts::accounts(chat::engine& engine, accounts_options options)
    : impl_(std::make_unique<impl>(engine, std::move(options))) {}

accounts::~accounts() = default;

result<sign_in_outcome> accounts::sign_in(const verified_identity& identity, ticket_binding binding,
                                          const std::string& client_address) {
  auto found = impl_->engine.find_user_by_identity(identity.issuer, identity.subject);
  if (found) {
    auto session = impl_->engine.create_session(found->id);
    if (!session) return status::from_engine(session.error());
    sign_in_outcome out;
    out.session = std::move(session).value();
    return out;
  }
  if (found.code() != chat::errc::not_found) return status::from_engine(found.error());

  auto token = detail::random_token();
  if (!token) return status(errc::internal, "the random generator failed");
  signup_ticket info;
  info.ticket = *token;
  const chat::time_ms t = impl_->now();
  info.expires_at = t + chat::time_ms(impl_->options.signup_ticket_ttl.count()) * 1000;
  info.suggested_username = suggest_username(identity);
  info.email = identity.email_verified ? identity.email : std::nullopt;
  info.name = identity.name;
  info.provider = identity.provider;
  info.issuer = identity.issuer;
  info.subject = identity.subject;
  info.binding = binding;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->purge(t);
    if (impl_->tickets.size() >= impl_->options.max_signup_tickets)
      return status(errc::unavailable, "too many sign-ups are in progress; try again later");
    std::size_t& held = impl_->per_address[client_address];
    if (held >= impl_->options.max_signup_tickets_per_address)
      return status(errc::rate_limited,
                    "too many sign-ups in progress from this address; try again later");
    ++held;
    impl_->tickets[*token] = ticket_entry{identity, info, client_address, false};
    impl_->order.push_back(*token);
  }
  sign_in_outcome out;
  out.signup = std::move(info);
  return out;
}

result<signup_ticket> accounts::peek_signup(const std::string& ticket) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto it = impl_->tickets.find(ticket);
  if (it == impl_->tickets.end() || it->second.info.expires_at <= impl_->now())
    return status(errc::invalid_ticket, "unknown, expired or used sign-up ticket");
  return it->second.info;
}

result<chat::session_grant> accounts::complete_signup(const std::string& ticket,
                                                      const std::string& username,
                                                      const verified_identity* presented) {
  verified_identity identity;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto found = impl_->usable(ticket, presented);
    if (!found) return found.error();
    auto it = *found;
    if (it->second.in_use)
      return status(errc::invalid_ticket, "this sign-up ticket is being used right now");
    it->second.in_use = true;
    identity = it->second.identity;
  }
  // The engine call runs without the mutex; `in_use` keeps concurrent calls out.
  auto finish = [&](bool used_up) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto it = impl_->tickets.find(ticket);
    if (it == impl_->tickets.end()) return;
    if (used_up)
      impl_->erase(it);  // its key stays in `order` and is skipped when purged
    else
      it->second.in_use = false;
  };
  auto created = impl_->engine.register_with_identity(username, to_external(identity));
  if (!created) {
    // The same identity finished sign-up in another tab: that account is this user's.
    auto existing = impl_->engine.find_user_by_identity(identity.issuer, identity.subject);
    if (created.code() == chat::errc::conflict && existing) {
      finish(true);
      auto session = impl_->engine.create_session(existing->id);
      if (!session) return status::from_engine(session.error());
      return std::move(session).value();
    }
    finish(false);  // e.g. the name is taken: the user may try another one
    return status::from_engine(created.error());
  }
  finish(true);
  auto session = impl_->engine.create_session(created->id);
  if (!session) return status::from_engine(session.error());
  return std::move(session).value();
}

status accounts::link(chat::user_id user, const verified_identity& identity) {
  auto owner = impl_->engine.find_user_by_identity(identity.issuer, identity.subject);
  if (owner && owner->id == user) return {};  // linked already: nothing to do
  if (owner)
    return status::from_engine(
        {chat::errc::conflict, "this identity is linked to another account"});
  if (owner.code() != chat::errc::not_found) return status::from_engine(owner.error());
  auto linked = impl_->engine.link_identity(user, to_external(identity));
  if (!linked) return status::from_engine(linked);
  return {};
}

status accounts::unlink(chat::user_id user, const std::string& issuer) {
  auto s = impl_->engine.unlink_identity(user, issuer);
  if (!s) return status::from_engine(s);
  return {};
}

result<std::vector<chat::external_identity>> accounts::identities(chat::user_id user) {
  auto list = impl_->engine.identities(user);
  if (!list) return status::from_engine(list.error());
  return std::move(list).value();
}

}  // namespace chat::oidc
