// ID token parsing and claim validation (OpenID Connect Core 1.0 section 3.1.3.7).
#include "id_token.hpp"

#include <algorithm>
#include <cmath>

#include "encoding.hpp"

namespace chat::oidc::detail {
namespace {

std::optional<nlohmann::json> decode_json_object(std::string_view part) {
  auto bytes = base64url_decode(part);
  if (!bytes) return std::nullopt;
  auto doc = nlohmann::json::parse(*bytes, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

// A NumericDate claim in whole seconds; nullopt if absent, error if not a finite number.
result<std::optional<std::int64_t>> numeric_date(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::optional<std::int64_t>();
  if (!it->is_number())
    return status(errc::malformed_token, std::string("claim ") + name + " is not a number");
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < 0 || v > 1e13)
    return status(errc::malformed_token, std::string("claim ") + name + " is out of range");
  return std::optional<std::int64_t>(std::int64_t(std::floor(v)));
}

std::optional<std::string> string_claim(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool trusted(const std::vector<std::string>& audiences, const std::string& value) {
  return std::find(audiences.begin(), audiences.end(), value) != audiences.end();
}

}  // namespace

result<parsed_jws> parse_jws(const std::string& token, std::size_t max_bytes) {
  if (token.empty() || token.size() > max_bytes)
    return status(errc::malformed_token, "ID token is empty or too long");
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string::npos || token.find('.', dot2 + 1) != std::string::npos)
    return status(errc::malformed_token, "ID token is not a compact JWS (three parts)");
  const std::string_view all(token);
  auto header = decode_json_object(all.substr(0, dot1));
  if (!header) return status(errc::malformed_token, "ID token header is not base64url JSON");
  auto payload = decode_json_object(all.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return status(errc::malformed_token, "ID token payload is not base64url JSON");
  const auto alg = string_claim(*header, "alg");
  if (!alg) return status(errc::malformed_token, "ID token header has no alg");
  const auto parsed_alg = parse_alg(*alg);
  if (!parsed_alg)
    return status(errc::unsupported_algorithm,
                  "ID token algorithm \"" + alg->substr(0, 16) + "\" is not RS256 or ES256");
  if (header->contains("crit"))
    return status(errc::malformed_token, "ID token has critical header extensions");
  if (header->contains("kid") && !(*header)["kid"].is_string())
    return status(errc::malformed_token, "ID token kid is not a string");
  auto signature = base64url_decode(all.substr(dot2 + 1));
  if (!signature || signature->empty())
    return status(errc::malformed_token, "ID token signature is missing or not base64url");

  parsed_jws out;
  out.alg = *parsed_alg;
  out.kid = string_claim(*header, "kid");
  out.signing_input = token.substr(0, dot2);
  out.signature = std::move(*signature);
  out.payload = std::move(*payload);
  return out;
}

result<verified_identity> check_claims(const nlohmann::json& payload,
                                       const claim_expectations& expect) {
  const auto iss = string_claim(payload, "iss");
  if (!iss || (*iss != expect.issuer && !trusted(expect.issuer_aliases, *iss)))
    return status(errc::wrong_issuer, "ID token issuer is not " + expect.issuer);

  // aud: a string or an array of strings; every value must be an audience we trust.
  std::vector<std::string> aud;
  if (auto it = payload.find("aud"); it != payload.end()) {
    if (it->is_string()) {
      aud.push_back(it->get<std::string>());
    } else if (it->is_array()) {
      for (const auto& a : *it) {
        if (!a.is_string()) return status(errc::malformed_token, "aud holds a non-string");
        aud.push_back(a.get<std::string>());
      }
    }
  }
  if (aud.empty()) return status(errc::wrong_audience, "ID token has no audience");
  for (const auto& a : aud)
    if (!trusted(expect.audiences, a))
      return status(errc::wrong_audience, "ID token is meant for another client");
  const auto azp = string_claim(payload, "azp");
  if (payload.contains("azp") && (!azp || !trusted(expect.audiences, *azp)))
    return status(errc::wrong_audience, "ID token azp names another client");
  if (aud.size() > 1 && !azp)
    return status(errc::wrong_audience, "ID token has several audiences but no azp");

  const auto skew = std::int64_t(expect.skew.count());
  const std::int64_t now = expect.now / 1000;
  auto exp = numeric_date(payload, "exp");
  auto iat = numeric_date(payload, "iat");
  auto nbf = numeric_date(payload, "nbf");
  if (!exp) return exp.error();
  if (!iat) return iat.error();
  if (!nbf) return nbf.error();
  if (!*exp || !*iat) return status(errc::malformed_token, "ID token lacks exp or iat");
  if (now >= **exp + skew) return status(errc::token_expired, "ID token has expired");
  if (**iat > now + skew) return status(errc::token_not_yet_valid, "ID token iat is in the future");
  if (*nbf && **nbf > now + skew)
    return status(errc::token_not_yet_valid, "ID token is not valid yet (nbf)");

  if (expect.nonce) {
    const auto nonce = string_claim(payload, "nonce");
    if (!nonce || !equal_secret(*nonce, *expect.nonce))
      return status(errc::nonce_mismatch, "ID token nonce does not match this login");
  }

  verified_identity id;
  id.provider = expect.provider;
  id.issuer = expect.issuer;  // aliases map to the configured spelling
  const auto sub = string_claim(payload, "sub");
  if (!sub || sub->empty() || sub->size() > 255)
    return status(errc::malformed_token, "ID token sub is missing or longer than 255 bytes");
  id.subject = *sub;
  id.email = string_claim(payload, "email");
  if (auto it = payload.find("email_verified"); it != payload.end()) {
    // Some providers send the string "true" instead of a boolean.
    id.email_verified = (it->is_boolean() && it->get<bool>()) ||
                        (it->is_string() && it->get<std::string>() == "true");
  }
  id.name = string_claim(payload, "name");
  id.issued_at = **iat * 1000;
  id.expires_at = **exp * 1000;
  if (expect.require_verified_email && (!id.email || !id.email_verified))
    return status(errc::email_not_verified, "the provider has not verified this email address");
  return id;
}

}  // namespace chat::oidc::detail
