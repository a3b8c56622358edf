// Maps verified OpenID Connect identities (issuer, subject) to libchat accounts: sign-in of a
// returning user, sign-up tickets for first-time users, link and unlink.
#pragma once

#include <chat/engine.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "oidc/error.hpp"
#include "oidc/relying_party.hpp"

namespace chat::oidc {

struct accounts_options {
  std::chrono::seconds signup_ticket_ttl{900};
  std::size_t max_signup_tickets = 10000;  // when full, the oldest ticket is dropped
  std::function<chat::time_ms()> clock;    // Unix epoch ms; default: the system clock
};

// A first-time identity: the user must choose a username before the account exists.
struct signup_ticket {
  std::string ticket;  // opaque, single use; give it to the client
  chat::time_ms expires_at = 0;
  std::string suggested_username;  // derived from the email or name; may be taken already
  std::optional<std::string> email;
  std::optional<std::string> name;
  std::string provider;
};

// Exactly one of `session` (a returning user) and `signup` (a first-time identity) is set.
struct sign_in_outcome {
  std::optional<chat::session_grant> session;
  std::optional<signup_ticket> signup;
};

// Thread-safety: all member functions may be called concurrently. The engine must outlive this.
// Tickets live in memory: a restart of chatd drops them (the user just signs in again).
class accounts {
 public:
  explicit accounts(chat::engine& engine, accounts_options options = {});
  ~accounts();
  accounts(const accounts&) = delete;
  accounts& operator=(const accounts&) = delete;

  // Returning identity: a new session. First-time identity: a sign-up ticket. Never links by
  // email. Errors: account (engine failures such as unavailable).
  result<sign_in_outcome> sign_in(const verified_identity& identity);

  // Creates the account with `username` (the rules and errors of password sign-up: account
  // with engine_code invalid_argument or conflict; the ticket stays valid for another try),
  // links the identity and returns a session; the ticket is then used up. invalid_ticket if it
  // is unknown, expired, already used or being used by a concurrent call.
  result<chat::session_grant> complete_signup(const std::string& ticket,
                                              const std::string& username);

  // The ticket's details without using it (to show the choose-a-username form).
  result<signup_ticket> peek_signup(const std::string& ticket) const;

  // Links the identity to a signed-in user. ok if it is linked to this user already; account
  // with conflict if it belongs to another account or the user has one of this issuer.
  status link(chat::user_id user, const verified_identity& identity);
  // Unlinks the user's identity of `issuer`; account/conflict for the last way to sign in.
  status unlink(chat::user_id user, const std::string& issuer);
  result<std::vector<chat::external_identity>> identities(chat::user_id user);

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace chat::oidc
