// JSON and error responses with the status codes of docs/protocol.md ("HTTP API").
#include "http/message.hpp"

#include <strings.h>

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

void add_security_headers(std::vector<std::pair<std::string, std::string>>& headers, bool tls) {
  auto add = [&headers](const char* name, const char* value) {
    for (const auto& [existing, unused] : headers) {
      if (strcasecmp(existing.c_str(), name) == 0) return;
    }
    headers.emplace_back(name, value);
  };
  add("Content-Security-Policy", k_content_security_policy);
  add("X-Frame-Options", "DENY");
  add("X-Content-Type-Options", "nosniff");
  add("Referrer-Policy", "same-origin");
  // Browsers ignore it over plain http; a TLS-terminating proxy in front sets its own.
  if (tls) add("Strict-Transport-Security", "max-age=31536000");
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
