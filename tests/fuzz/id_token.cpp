// Fuzz target: an OpenID Connect ID token from the network: compact JWS splitting and base64url
// decoding (parse_jws), then the claim checks (check_claims) on whatever payload parsed.
#include "id_token.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace d = chat::oidc::detail;
  const std::string token(reinterpret_cast<const char*>(data), size);
  auto jws = d::parse_jws(token, 16 * 1024);
  if (!jws.ok()) return 0;
  d::claim_expectations expect;
  expect.provider = "p";
  expect.issuer = "https://issuer.example";
  expect.audiences = {"client"};
  expect.nonce = "n";
  expect.now = 1700000000000;
  (void)d::check_claims(jws.value().payload, expect);
  expect.nonce.reset();
  expect.require_verified_email = false;
  (void)d::check_claims(jws.value().payload, expect);
  return 0;
}
