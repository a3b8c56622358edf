// Builders of the frames chatd itself sends (responses, errors, ready); events come from the
// engine.
#pragma once

#include <string>
#include <string_view>

#include "chat/error.hpp"
#include "chat/types.hpp"

namespace chat::chatd {

struct connection_limits;

// A JSON string literal for any bytes (invalid UTF-8 is replaced, never thrown on).
std::string json_string(std::string_view text);

// {"type":"response","id":ID,"result":RESULT}; `result_json` is an encoded JSON object.
std::string response_frame(std::string_view id, std::string_view result_json);
// {"type":"error","id":ID|null,"code":CODE,"message":MESSAGE}; an empty id encodes as null.
std::string error_frame(std::string_view id, std::string_view code, std::string_view message);
std::string error_frame(std::string_view id, const chat::status& error);
// {"user":USER,"connection_id":"7","limits":{...}}: the result of auth and the body of ready.
std::string session_info(const chat::user& me, chat::connection_id connection,
                         const connection_limits& limits);
// {"type":"ready",...session_info}: pushed after a cookie-authenticated handshake.
std::string ready_frame(const chat::user& me, chat::connection_id connection,
                        const connection_limits& limits);

// HTTP and WebSocket share the error object {"code","message"}.
std::string error_object(std::string_view code, std::string_view message);

}  // namespace chat::chatd
