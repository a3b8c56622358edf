// Fuzz target: a provider's JWKS document (JWK -> OpenSSL public keys, parse_jwks), then a
// signature check with every key it yields (wrong signatures must just fail).
#include <cstddef>
#include <cstdint>
#include <string>

#include "crypto.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace d = chat::oidc::detail;
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto set = d::parse_jwks(body);
  if (!set.ok()) return 0;
  for (const auto& key : set.value().keys) {
    if (!key.key) __builtin_trap();
    for (auto alg : {d::jws_alg::rs256, d::jws_alg::es256})
      if (d::verify_signature(alg, key.key.get(), "e30.e30", std::string(64, 'x')))
        __builtin_trap();
  }
  return 0;
}
