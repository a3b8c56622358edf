// JWK -> EVP_PKEY (OpenSSL 3 OSSL_PARAM_BLD + EVP_PKEY_fromdata) and JWS signature checks.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oidc/error.hpp"

namespace chat::oidc::detail {

// The only JWS algorithms accepted. Everything else (none, HS*, PS*, RS384, ...) is refused.
enum class jws_alg : std::uint8_t { rs256, es256 };
std::optional<jws_alg> parse_alg(std::string_view name);
const char* to_string(jws_alg alg) noexcept;

struct pkey_free {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};

// One usable signing key of a JWKS. `family` follows from kty/crv (RSA: rs256, EC P-256:
// es256); `declared_alg` is the JWK's "alg" if it had one.
struct signing_key {
  std::string kid;  // may be empty
  jws_alg family = jws_alg::rs256;
  std::optional<std::string> declared_alg;
  std::shared_ptr<EVP_PKEY> key;
};

struct key_set {
  std::vector<signing_key> keys;
  std::size_t skipped = 0;  // keys ignored: encryption keys, other types, malformed, too weak
};

// Parses a JWKS document. bad_provider_response unless it is a JSON object with a "keys" array;
// individual keys that cannot be used for RS256/ES256 signatures are skipped and counted.
result<key_set> parse_jwks(const std::string& body);

// Builds public keys from JWK members (base64url big-endian integers / coordinates).
result<std::shared_ptr<EVP_PKEY>> rsa_public_key(std::string_view n_b64, std::string_view e_b64);
result<std::shared_ptr<EVP_PKEY>> p256_public_key(std::string_view x_b64, std::string_view y_b64);

// True if `signature` (raw JWS bytes: PKCS#1 v1.5 for RS256, r||s for ES256) is valid for
// `signing_input` under `key`. False for a key of the wrong type. Clears OpenSSL's error queue.
bool verify_signature(jws_alg alg, EVP_PKEY* key, std::string_view signing_input,
                      std::string_view signature);

}  // namespace chat::oidc::detail
