// Error codes and the result type returned by every public call of the engine.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace chat {

// Stable integers: they travel in the C API and the wire protocol, never renumber them.
enum class errc : std::uint8_t {
  ok = 0,
  invalid_argument = 1,  // input breaks a documented rule (length, charset, UTF-8, range)
  not_found = 2,         // the user, channel, session or identity does not exist
  forbidden = 3,         // the caller exists but lacks the right (not a member, not an admin)
  conflict = 4,          // the operation collides with current state (name taken, last owner)
  unauthenticated = 5,   // wrong password, unknown, expired or revoked session token
  unavailable = 6,       // the database cannot be reached; safe to retry later
  internal = 7,          // a bug or an unexpected storage failure; details are logged
  rate_limited = 8,      // too many attempts (failed logins): retry after status::retry_after()
};

// The messages of `unavailable` that tell its causes apart (docs/protocol.md, "Errors").
namespace database_message {
inline constexpr const char* unavailable = "the database is unavailable; retry later";
inline constexpr const char* full = "the database's disk is full; retry later";
inline constexpr const char* read_only = "the database is read-only; retry later";
inline constexpr const char* misconfigured = "the database refuses the server's configuration";
}  // namespace database_message

// Returns the snake_case name of the code ("not_found"), as used on the wire.
const char* to_string(errc code) noexcept;

// An error code and a human-readable message. Cheap to move; `ok()` means success.
class status {
 public:
  status() = default;
  status(errc code, std::string message) : code_(code), message_(std::move(message)) {}
  // A refusal that may be retried after `retry_after_seconds` (rate_limited).
  status(errc code, std::string message, std::uint32_t retry_after_seconds)
      : code_(code), message_(std::move(message)), retry_after_(retry_after_seconds) {}

  bool ok() const noexcept { return code_ == errc::ok; }
  explicit operator bool() const noexcept { return ok(); }
  errc code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  // Seconds to wait before trying again (at least 1 for rate_limited; 0 otherwise).
  std::uint32_t retry_after() const noexcept { return retry_after_; }

 private:
  errc code_ = errc::ok;
  std::string message_;
  std::uint32_t retry_after_ = 0;
};

// Either a value or a failed status. Accessing value() of a failed result is a programming
// error (asserted in debug builds, undefined otherwise); check ok() first. Generic over the
// status and code types so that libraries built on libchat (e.g. chat_oidc) reuse it with
// their own error codes.
template <typename T, typename Status, typename Code>
class basic_result {
 public:
  basic_result(T value) : state_(std::move(value)) {}       // NOLINT: implicit, like optional
  basic_result(Status error) : state_(std::move(error)) {}  // NOLINT
  basic_result(Code code, std::string message) : state_(Status(code, std::move(message))) {}

  bool ok() const noexcept { return std::holds_alternative<T>(state_); }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The failure of this result, or an ok status if it holds a value.
  Status error() const {
    if (const Status* s = std::get_if<Status>(&state_)) return *s;
    return {};
  }
  Code code() const noexcept {
    const Status* s = std::get_if<Status>(&state_);
    return s ? s->code() : Code::ok;
  }

 private:
  std::variant<T, Status> state_;
};

template <typename T>
using result = basic_result<T, status, errc>;

}  // namespace chat
