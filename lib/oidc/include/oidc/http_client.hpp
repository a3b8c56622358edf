// The small HTTP interface chat_oidc fetches through, and its libcurl implementation.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "oidc/error.hpp"

namespace chat::oidc {

struct http_request {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // POST: application/x-www-form-urlencoded
};

struct http_response {
  long status = 0;  // NOLINT(google-runtime-int): libcurl's type
  std::string content_type;
  std::string body;
};

// Sends one request. Implementations must be safe to call from several threads at once.
// Errors: provider_unreachable (connect, TLS, timeout), bad_provider_response (too large),
// invalid_config (a URL the client is not allowed to fetch). Any HTTP status is a response.
class http_client {
 public:
  virtual ~http_client() = default;
  virtual result<http_response> send(const http_request& request) = 0;
};

struct curl_http_options {
  std::string ca_file;  // PEM bundle to trust instead of the system's (tests); empty: system
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{10000};
  std::size_t max_response_bytes = 1024 * 1024;
  std::string user_agent = "chat-oidc/1";
  // TEST ONLY: also fetch http:// URLs, and only those on a loopback IP literal. Logged loudly.
  bool allow_insecure_loopback_http_for_tests = false;
};

// libcurl with TLS verification on (peer and host name), no redirects, proxies bypassed for
// loopback. Refuses any URL that is not https unless the loopback allowance applies.
std::shared_ptr<http_client> make_curl_http_client(curl_http_options options);

}  // namespace chat::oidc
