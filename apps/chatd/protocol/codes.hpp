// Error codes and close codes of the protocol that the engine does not define (docs/protocol.md).
#pragma once

#include <cstdint>

namespace chat::chatd {

// Transport-level error codes, next to the engine's chat::errc names on the wire.
namespace code {
inline constexpr const char* bad_request = "bad_request";    // malformed JSON/UTF-8, bad field
inline constexpr const char* unknown_type = "unknown_type";  // "type" names no request
inline constexpr const char* rate_limited = "rate_limited";  // over the per-connection rate
inline constexpr const char* method_not_allowed = "method_not_allowed";  // HTTP only
inline constexpr const char* unauthenticated = "unauthenticated";
inline constexpr const char* not_found = "not_found";
inline constexpr const char* internal = "internal";
inline constexpr const char* unavailable = "unavailable";
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
