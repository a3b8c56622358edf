// JWK parsing and RS256/ES256 verification with OpenSSL 3's non-deprecated APIs.
#include "crypto.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <nlohmann/json.hpp>

#include "encoding.hpp"

namespace chat::oidc::detail {
namespace {

struct bn_free {
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
struct bld_free {
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct params_free {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct pkey_ctx_free {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct md_ctx_free {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct ecdsa_sig_free {
  void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
};
using bn_ptr = std::unique_ptr<BIGNUM, bn_free>;

constexpr int k_min_rsa_bits = 2048;

bn_ptr to_bn(const std::string& bytes) {
  return bn_ptr(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), int(bytes.size()), nullptr));
}

result<std::shared_ptr<EVP_PKEY>> from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, params_free> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_free> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return status(errc::bad_provider_response, std::string("malformed ") + type + " key");
  }
  std::shared_ptr<EVP_PKEY> key(raw, pkey_free());
  // Rejects points off the curve and other invalid public values.
  std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_free> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return status(errc::bad_provider_response, std::string("invalid ") + type + " public key");
  }
  return key;
}

std::optional<std::string> member(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

std::optional<jws_alg> parse_alg(std::string_view name) {
  if (name == "RS256") return jws_alg::rs256;
  if (name == "ES256") return jws_alg::es256;
  return std::nullopt;
}

const char* to_string(jws_alg alg) noexcept {
  return alg == jws_alg::rs256 ? "RS256" : "ES256";
}

result<std::shared_ptr<EVP_PKEY>> rsa_public_key(std::string_view n_b64, std::string_view e_b64) {
  auto n = base64url_decode(n_b64);
  auto e = base64url_decode(e_b64);
  if (!n || !e || n->empty() || e->empty() || e->size() > 8)
    return status(errc::bad_provider_response, "RSA key: bad n or e");
  bn_ptr bn_n = to_bn(*n), bn_e = to_bn(*e);
  if (!bn_n || !bn_e || BN_num_bits(bn_n.get()) < k_min_rsa_bits)
    return status(errc::bad_provider_response, "RSA key: modulus shorter than 2048 bits");
  std::unique_ptr<OSSL_PARAM_BLD, bld_free> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
    return status(errc::internal, "OpenSSL: cannot build RSA parameters");
  return from_params("RSA", bld.get());
}

result<std::shared_ptr<EVP_PKEY>> p256_public_key(std::string_view x_b64, std::string_view y_b64) {
  auto x = base64url_decode(x_b64);
  auto y = base64url_decode(y_b64);
  if (!x || !y || x->size() != 32 || y->size() != 32)
    return status(errc::bad_provider_response, "EC key: x and y must be 32 bytes");
  const std::string point = std::string(1, '\x04') + *x + *y;  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, bld_free> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1)
    return status(errc::internal, "OpenSSL: cannot build EC parameters");
  return from_params("EC", bld.get());
}

result<key_set> parse_jwks(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return status(errc::bad_provider_response, "JWKS is not a JSON object");
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array())
    return status(errc::bad_provider_response, "JWKS has no \"keys\" array");
  key_set out;
  for (const auto& jwk : *keys) {
    if (!jwk.is_object()) {
      ++out.skipped;
      continue;
    }
    const auto kty = member(jwk, "kty");
    const auto use = member(jwk, "use");
    const auto alg = member(jwk, "alg");
    if (!kty || (use && *use != "sig") || (alg && !parse_alg(*alg)) ||
        (jwk.contains("use") && !use) || (jwk.contains("alg") && !alg)) {
      ++out.skipped;
      continue;
    }
    signing_key k;
    k.kid = member(jwk, "kid").value_or("");
    k.declared_alg = alg;
    result<std::shared_ptr<EVP_PKEY>> built = status(errc::bad_provider_response, "");
    if (*kty == "RSA") {
      const auto n = member(jwk, "n"), e = member(jwk, "e");
      if (n && e) built = rsa_public_key(*n, *e);
      k.family = jws_alg::rs256;
    } else if (*kty == "EC" && member(jwk, "crv") == std::optional<std::string>("P-256")) {
      const auto x = member(jwk, "x"), y = member(jwk, "y");
      if (x && y) built = p256_public_key(*x, *y);
      k.family = jws_alg::es256;
    }
    if (!built || (k.declared_alg && parse_alg(*k.declared_alg) != k.family)) {
      ++out.skipped;
      continue;
    }
    k.key = std::move(built).value();
    out.keys.push_back(std::move(k));
  }
  return out;
}

bool verify_signature(jws_alg alg, EVP_PKEY* key, std::string_view signing_input,
                      std::string_view signature) {
  if (key == nullptr) return false;
  if (alg == jws_alg::rs256 && !EVP_PKEY_is_a(key, "RSA")) return false;
  if (alg == jws_alg::es256 && !EVP_PKEY_is_a(key, "EC")) return false;

  std::string der;
  if (alg == jws_alg::es256) {
    // JWS carries ECDSA signatures as raw r||s (RFC 7518 3.4); OpenSSL verifies DER.
    if (signature.size() != 64) return false;
    const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
    std::unique_ptr<ECDSA_SIG, ecdsa_sig_free> sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(raw, 32, nullptr);
    BIGNUM* s = BN_bin2bn(raw + 32, 32, nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
      BN_free(r);
      BN_free(s);
      ERR_clear_error();
      return false;
    }
    const int size = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (size <= 0) return false;
    der.resize(std::size_t(size));
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_ECDSA_SIG(sig.get(), &out) != size) return false;
    signature = der;
  }

  std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  bool ok = ctx && EVP_DigestVerifyInit_ex(ctx.get(), &pctx, "SHA256", nullptr, nullptr, key,
                                           nullptr) == 1;
  if (ok && alg == jws_alg::rs256) ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  ok = ok && EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                              signature.size(),
                              reinterpret_cast<const unsigned char*>(signing_input.data()),
                              signing_input.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace chat::oidc::detail
