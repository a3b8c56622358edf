// JSON and error responses with the status codes of docs/protocol.md ("HTTP API").
#include "http/message.hpp"

#include "protocol/frames.hpp"

namespace chat::chatd::http {

response json_response(int status, std::string body) {
  response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = std::move(body);
  return r;
}

int status_of(const std::string& code) {
  if (code == "invalid_argument" || code == "bad_request") return 400;
  if (code == "unauthenticated") return 401;
  if (code == "forbidden") return 403;
  if (code == "not_found") return 404;
  if (code == "method_not_allowed") return 405;
  if (code == "conflict") return 409;
  if (code == "rate_limited") return 429;
  if (code == "unavailable") return 503;
  return 500;
}

response error_response(int status, const std::string& code, const std::string& message) {
  return json_response(status, R"({"error":)" + error_object(code, message) + "}");
}

}  // namespace chat::chatd::http
