// chatd's HTTP account endpoints (register, login) over libcurl, blocking.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace chat::examples {

struct http_reply {
  long status = 0;      // 0: no HTTP answer at all (see error)
  nlohmann::json body;  // the parsed JSON body, or null
  std::string error;    // transport error, or the body's error.code + message
};

// POSTs `body` as JSON to base_url + path (base_url like "http://127.0.0.1:8080"). Thread-safe;
// blocks for at most timeout_ms.
http_reply http_post_json(const std::string& base_url, const std::string& path,
                          const nlohmann::json& body, long timeout_ms = 10000);

struct login_result {
  bool ok = false;
  std::string token;
  nlohmann::json user;  // USER of docs/protocol.md
  std::string error;
};

// POST /v1/login. The token authenticates the WebSocket (first frame `auth`).
login_result login(const std::string& base_url, const std::string& username,
                   const std::string& password);
// POST /v1/register; true on 201. `error` gets the reason otherwise (e.g. "conflict: ...").
bool register_user(const std::string& base_url, const std::string& username,
                   const std::string& password, std::string* error);

// "http://h:p" -> "ws://h:p/v1/ws" (https -> wss).
std::string websocket_url(const std::string& base_url);

}  // namespace chat::examples
