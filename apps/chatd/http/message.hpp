// HTTP request and response values, independent of the transport library.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "chat/error.hpp"
#include "protocol/codes.hpp"

namespace chat::chatd::http {

struct request {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // without the query string
  std::string query;                           // after '?', not decoded ("" if none)
  std::map<std::string, std::string> headers;  // keys in lower case
  std::string body;
  bool tls = false;
  std::string remote;  // peer address, for logs
  std::string client;  // what per-address limits count against (limits::address_key)

  // The header's value, or "" if absent.
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct response {
  int status = 200;
  // In order; a name may repeat (several Set-Cookie). Values must not contain CR or LF.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The Content-Security-Policy of chatd's responses: the web client's needs (its own scripts,
// styles, images and WebSocket; data: images) and nothing else; no framing by any page.
inline constexpr const char* k_content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'";

// Adds the headers every HTTP response of chatd carries (docs/security.md): the CSP above,
// X-Frame-Options DENY, X-Content-Type-Options nosniff, Referrer-Policy same-origin and, when
// `tls`, Strict-Transport-Security. A header already in `headers` is kept as it is (the OIDC
// pages set a stricter CSP and no-referrer). The transport calls it on every response it sends.
void add_security_headers(std::vector<std::pair<std::string, std::string>>& headers, bool tls);

// A JSON response; `body` is encoded JSON.
response json_response(int status, std::string body);
// {"error":{"code","message"}} with this status.
response error_response(int status, const std::string& code, const std::string& message);
// The same with the status of a chatd code (protocol/codes.hpp).
response error_response(error_code code, const std::string& message);
// An engine failure, with the status of its code (oidc::http_status, the one errc -> HTTP
// mapping) and, when the engine gives one (the login backoff), Retry-After.
response error_response(const chat::status& failure);

}  // namespace chat::chatd::http
