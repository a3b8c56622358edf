// Compact JWS parsing and the claim checks of an OpenID Connect ID token.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto.hpp"
#include "oidc/error.hpp"
#include "oidc/relying_party.hpp"

namespace chat::oidc::detail {

struct parsed_jws {
  jws_alg alg = jws_alg::rs256;
  std::optional<std::string> kid;
  std::string signing_input;  // base64url(header) "." base64url(payload)
  std::string signature;      // raw bytes
  nlohmann::json payload;     // a JSON object; not trusted until the signature is checked
};

// Splits and decodes a compact JWS. malformed_token for anything that is not three base64url
// parts with JSON object header and payload (JWE, too long, "crit" headers); unsupported_algorithm
// unless alg is RS256 or ES256.
result<parsed_jws> parse_jws(const std::string& token, std::size_t max_bytes);

struct claim_expectations {
  std::string provider;                     // provider id, copied into the identity
  std::string issuer;                       // exact match; the identity carries this spelling
  std::vector<std::string> issuer_aliases;  // other exact spellings accepted in "iss"
  std::vector<std::string> audiences;  // trusted audiences: every aud value must be one of them
  std::optional<std::string> nonce;    // when set, the nonce claim must equal it
  bool require_verified_email = true;
  chat::time_ms now = 0;
  std::chrono::seconds skew{60};
};

// Checks the claims of a token whose signature is already verified.
result<verified_identity> check_claims(const nlohmann::json& payload,
                                       const claim_expectations& expect);

}  // namespace chat::oidc::detail
