// Error codes and close codes of the protocol that the engine does not define (docs/protocol.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

namespace chat::chatd {

// chatd's own error codes, next to the engine's chat::errc (and chat_oidc's oidc::errc) on the
// wire (docs/protocol.md, "Errors"). Never renumber.
enum class error_code : std::uint8_t {
  bad_request,                // malformed JSON/UTF-8, bad field
  unknown_type,               // "type" names no request (WebSocket only)
  method_not_allowed,         // HTTP only
  body_too_large,             // HTTP: Content-Length over --max-http-body-bytes
  length_required,            // HTTP: a body without Content-Length
  host_not_allowed,           // HTTP: a Host this chatd does not serve
  reauthentication_required,  // HTTP: linking a provider needs a recent sign-in
};

// Each code's wire name and HTTP status (unknown_type, WebSocket only, would be a 400): the one
// table of error_code, in the order of the enum.
struct error_code_info {
  error_code code;
  const char* name;
  int http_status;
};
inline constexpr error_code_info k_error_codes[] = {
    {error_code::bad_request, "bad_request", 400},
    {error_code::unknown_type, "unknown_type", 400},
    {error_code::method_not_allowed, "method_not_allowed", 405},
    {error_code::body_too_large, "body_too_large", 413},
    {error_code::length_required, "length_required", 411},
    {error_code::host_not_allowed, "host_not_allowed", 421},
    {error_code::reauthentication_required, "reauthentication_required", 403},
};

constexpr const error_code_info& info_of(error_code c) noexcept {
  return k_error_codes[static_cast<std::size_t>(c)];
}
constexpr bool error_codes_in_enum_order() noexcept {
  for (std::size_t i = 0; i < std::size(k_error_codes); ++i)
    if (static_cast<std::size_t>(k_error_codes[i].code) != i) return false;
  return true;
}
static_assert(error_codes_in_enum_order(), "k_error_codes must follow the order of error_code");

// The wire name of a code ("bad_request").
constexpr const char* to_string(error_code c) noexcept {
  return info_of(c).name;
}
// The HTTP status of a code.
constexpr int http_status(error_code c) noexcept {
  return info_of(c).http_status;
}

// The codes as strings, for the transport's frames and early HTTP answers. chatd's own come
// from the table above; the engine's are chat::to_string(chat::errc) (tests/chatd check that).
namespace code {
inline constexpr const char* bad_request = to_string(error_code::bad_request);
inline constexpr const char* unknown_type = to_string(error_code::unknown_type);
inline constexpr const char* method_not_allowed = to_string(error_code::method_not_allowed);
inline constexpr const char* rate_limited = "rate_limited";  // over the per-connection rate
inline constexpr const char* unauthenticated = "unauthenticated";
inline constexpr const char* not_found = "not_found";
inline constexpr const char* internal = "internal";
inline constexpr const char* unavailable = "unavailable";
inline constexpr const char* forbidden = "forbidden";
}  // namespace code

// The answers of requests still unanswered after --request-timeout (docs/protocol.md).
inline constexpr const char* k_request_timeout_message =
    "no answer from the database within the request timeout; the request may still take "
    "effect, check before repeating it";
inline constexpr const char* k_send_timeout_message =
    "no answer from the database within the request timeout: the message may have been "
    "stored; retry with the same client_msg_id (a stored message comes back as the original)";

// WebSocket close codes chatd uses (RFC 6455 codes and the 4000-4999 private range).
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;       // server shutting down
inline constexpr std::uint16_t invalid_payload = 1007;  // text frame with invalid UTF-8
inline constexpr std::uint16_t too_big = 1009;          // frame over max-frame-bytes
inline constexpr std::uint16_t try_again_later = 1013;  // the session cookie could not be checked
inline constexpr std::uint16_t auth_failed = 4001;      // bad token or no auth in time
inline constexpr std::uint16_t idle = 4002;             // nothing received within idle-timeout
inline constexpr std::uint16_t slow_consumer = 4008;    // outgoing queue over its limit
inline constexpr std::uint16_t bad_frames = 4009;       // k_max_bad_frames malformed in a row
}  // namespace close_code

}  // namespace chat::chatd
