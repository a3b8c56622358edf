// JSON and error responses with the status codes of docs/protocol.md ("HTTP API").
#include "http/message.hpp"

#include <strings.h>

#include "oidc/web.hpp"
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

response error_response(int status, const std::string& code, const std::string& message) {
  return json_response(status, R"({"error":)" + error_object(code, message) + "}");
}

response error_response(error_code code, const std::string& message) {
  return error_response(http_status(code), to_string(code), message);
}

response error_response(const chat::status& failure) {
  response r = error_response(oidc::http_status(failure.code()), chat::to_string(failure.code()),
                              failure.message());
  // rate_limited (login backoff): 429 with the seconds to wait.
  if (failure.retry_after() > 0)
    r.headers.emplace_back("Retry-After", std::to_string(failure.retry_after()));
  return r;
}

}  // namespace chat::chatd::http
