// Reads chatd's OpenID Connect configuration file (JSON, format in docs/auth.md).
#pragma once

#include <string>
#include <vector>

#include "oidc/error.hpp"
#include "oidc/http_client.hpp"
#include "oidc/provider_config.hpp"
#include "oidc/relying_party.hpp"

namespace chat::oidc {

struct config_file {
  std::vector<provider_config> providers;
  curl_http_options http;
  relying_party_options relying_party;  // clock_skew_seconds, login_ttl_seconds, ...
  std::chrono::seconds signup_ticket_ttl{900};
  // "max_pending" and "max_pending_per_address": the limits of each of the pending logins,
  // native nonces and sign-up tickets (also copied into `relying_party`).
  std::size_t max_pending = 10000;
  std::size_t max_pending_per_address = 30;
};

// Parses the JSON text. Unknown keys are errors (a typo must not silently drop a security
// setting). "client_secret_env": "NAME" reads the secret from that environment variable.
// Every provider is validated. Errors: invalid_config with the offending key in the message.
result<config_file> parse_config(const std::string& json_text);
// Reads and parses a file; invalid_config if it cannot be read.
result<config_file> load_config(const std::string& path);

}  // namespace chat::oidc
