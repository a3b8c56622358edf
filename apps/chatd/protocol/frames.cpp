// Frame builders: string concatenation around chat::wire encodings, so each object has one source.
#include "protocol/frames.hpp"

#include <nlohmann/json.hpp>

#include "chat/engine.hpp"
#include "chat/wire.hpp"
#include "config/config.hpp"

namespace chat::chatd {

std::string json_string(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string response_frame(std::string_view id, std::string_view result_json) {
  std::string out;
  out.reserve(40 + id.size() + result_json.size());
  out += R"({"type":"response","id":)";
  out += json_string(id);
  out += R"(,"result":)";
  out += result_json;
  out += '}';
  return out;
}

std::string error_frame(std::string_view id, std::string_view code, std::string_view message) {
  std::string out = R"({"type":"error","id":)";
  out += id.empty() ? std::string("null") : json_string(id);
  out += R"(,"code":)" + json_string(code) + R"(,"message":)" + json_string(message) + "}";
  return out;
}

std::string error_frame(std::string_view id, const chat::status& error) {
  return error_frame(id, chat::to_string(error.code()), error.message());
}

std::string session_info(const chat::user& me, chat::connection_id connection,
                         const connection_limits& limits) {
  std::string out = R"({"user":)" + chat::wire::to_json(me);
  out += R"(,"connection_id":")" + std::to_string(connection) + '"';
  out += R"(,"protocol":1,"limits":{"max_frame_bytes":)" + std::to_string(limits.max_frame_bytes);
  out += R"(,"requests_per_second":)" + nlohmann::json(limits.frames_per_second).dump();
  out += R"(,"request_burst":)" + nlohmann::json(limits.frame_burst).dump();
  out += R"(,"max_queue_bytes":)" + std::to_string(limits.max_queue_bytes);
  out += R"(,"max_reply_bytes":)" + std::to_string(limits.max_reply_bytes());
  out += R"(,"max_page_size":)" + std::to_string(chat::engine::max_page_size);
  out += R"(,"ping_interval_s":)" + std::to_string(limits.ping_interval.count());
  out += R"(,"idle_timeout_s":)" + std::to_string(limits.idle_timeout.count()) + "}}";
  return out;
}

std::string ready_frame(const chat::user& me, chat::connection_id connection,
                        const connection_limits& limits) {
  std::string info = session_info(me, connection, limits);
  return R"({"type":"ready",)" + info.substr(1);
}

std::string error_object(std::string_view code, std::string_view message) {
  return R"({"code":)" + json_string(code) + R"(,"message":)" + json_string(message) + "}";
}

}  // namespace chat::chatd
