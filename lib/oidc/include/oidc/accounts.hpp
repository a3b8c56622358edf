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
  // How many tickets may wait at once, and how many of them one client address may hold.
  // Nothing is dropped early: when full, sign_in refuses (unavailable, or rate_limited for
  // the one address).
  std::size_t max_signup_tickets = 10000;
  std::size_t max_signup_tickets_per_address = 30;
  std::function<chat::time_ms()> clock;  // Unix epoch ms; default: the system clock
};

// Who may use a sign-up ticket (docs/auth.md, "Sign-up tickets").
enum class ticket_binding : std::uint8_t {
  // Browser flow: chatd hands the ticket only to the browser that finished the callback, in
  // an HttpOnly cookie, and takes it only from that cookie.
  browser_cookie = 0,
  // Native flow: complete_signup needs an ID token of the same identity next to the ticket, so
  // a ticket passed on to someone else is useless without the app's own ID token.
  id_token = 1,
};

// A first-time identity: the user must choose a username before the account exists.
struct signup_ticket {
  std::string ticket;  // opaque, single use; give it to the client
  chat::time_ms expires_at = 0;
  std::string suggested_username;    // derived from the email or name; may be taken already
  std::optional<std::string> email;  // only a verified one
  std::optional<std::string> name;
  std::string provider;
  std::string issuer;  // the identity the new account will be linked to: show it
  std::string subject;
  ticket_binding binding = ticket_binding::browser_cookie;
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

  // Returning identity: a new session. First-time identity: a sign-up ticket bound as
  // `binding`, counted against `client_address`. Never links by email. Errors: account
  // (engine failures such as unavailable), rate_limited and unavailable (too many tickets).
  result<sign_in_outcome> sign_in(const verified_identity& identity,
                                  ticket_binding binding = ticket_binding::browser_cookie,
                                  const std::string& client_address = {});

  // Creates the account with `username` (the rules and errors of password sign-up: account
  // with engine_code invalid_argument or conflict; the ticket stays valid for another try),
  // links the identity and returns a session; the ticket is then used up. `presented` is the
  // identity of an ID token sent with the ticket: required for an id_token ticket, and when
  // given it must be the ticket's identity. invalid_ticket if the ticket is unknown, expired,
  // already used, being used by a concurrent call, or `presented` is missing or another one.
  result<chat::session_grant> complete_signup(const std::string& ticket,
                                              const std::string& username,
                                              const verified_identity* presented = nullptr);

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
