// Error codes and the status/result types of chat_oidc (the shape of chat::status/result).
#pragma once

#include <chat/error.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace chat::oidc {

// Stable integers; chatd maps them to HTTP answers (see docs/auth.md). Never renumber.
enum class errc : std::uint8_t {
  ok = 0,
  invalid_config = 1,          // a provider setting breaks a rule (http issuer, empty client id)
  unknown_provider = 2,        // no provider is configured under this id
  provider_unreachable = 3,    // DNS, connect, TLS verification or timeout failure
  bad_provider_response = 4,   // garbage: HTTP error, not JSON, missing field, too large
  malformed_token = 5,         // not a compact JWS, bad base64url/JSON, a required claim missing
  unsupported_algorithm = 6,   // alg none, HS*, anything but RS256/ES256, or not the key's alg
  unknown_key = 7,             // no key with the token's kid, even after one JWKS refresh
  bad_signature = 8,           // the signature does not verify: forged or altered token
  wrong_issuer = 9,            // iss (or the callback's iss parameter) is not the provider's
  wrong_audience = 10,         // aud lacks our client id, or azp names another party
  token_expired = 11,          // exp is past (beyond the clock skew)
  token_not_yet_valid = 12,    // nbf or iat lies in the future (beyond the clock skew)
  nonce_mismatch = 13,         // nonce missing or not the one this login sent
  replayed_nonce = 14,         // a native nonce that was already used
  email_not_verified = 15,     // the provider requires a verified email and this one is not
  invalid_state = 16,          // unknown or expired state, or not this browser's login
  replayed_state = 17,         // the state was already used once
  login_denied = 18,           // the provider sent the user back with an error (cancelled)
  token_exchange_failed = 19,  // the token endpoint refused the code (invalid_grant, ...)
  invalid_ticket = 20,         // sign-up ticket unknown, expired, in use or already used
  account = 21,                // the engine refused; engine_code() says why (conflict, ...)
  internal = 22,               // a bug or an OpenSSL/libcurl failure that should not happen
  rate_limited = 23,           // this client address holds too many pending logins/nonces/tickets
  unavailable = 24,            // every slot for pending logins/nonces/tickets is taken: try later
};

// The snake_case name of the code ("bad_signature").
const char* to_string(errc code) noexcept;

// An error code, the engine's code when code() == errc::account, and a human message that
// never contains tokens or secrets. `ok()` means success.
class status {
 public:
  status() = default;
  status(errc code, std::string message) : code_(code), message_(std::move(message)) {}
  // An engine failure: code() is errc::account, engine_code() the engine's code.
  static status from_engine(const chat::status& s) {
    status out(errc::account, s.message());
    out.engine_code_ = s.code();
    return out;
  }

  bool ok() const noexcept { return code_ == errc::ok; }
  explicit operator bool() const noexcept { return ok(); }
  errc code() const noexcept { return code_; }
  chat::errc engine_code() const noexcept { return engine_code_; }
  const std::string& message() const noexcept { return message_; }

 private:
  errc code_ = errc::ok;
  chat::errc engine_code_ = chat::errc::ok;
  std::string message_;
};

// Either a value or a failed status; check ok() before value().
template <typename T>
using result = chat::basic_result<T, status, errc>;

}  // namespace chat::oidc
