// Names of the chat_oidc error codes.
#include "oidc/error.hpp"

namespace chat::oidc {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::ok:
      return "ok";
    case errc::invalid_config:
      return "invalid_config";
    case errc::unknown_provider:
      return "unknown_provider";
    case errc::provider_unreachable:
      return "provider_unreachable";
    case errc::bad_provider_response:
      return "bad_provider_response";
    case errc::malformed_token:
      return "malformed_token";
    case errc::unsupported_algorithm:
      return "unsupported_algorithm";
    case errc::unknown_key:
      return "unknown_key";
    case errc::bad_signature:
      return "bad_signature";
    case errc::wrong_issuer:
      return "wrong_issuer";
    case errc::wrong_audience:
      return "wrong_audience";
    case errc::token_expired:
      return "token_expired";
    case errc::token_not_yet_valid:
      return "token_not_yet_valid";
    case errc::nonce_mismatch:
      return "nonce_mismatch";
    case errc::replayed_nonce:
      return "replayed_nonce";
    case errc::email_not_verified:
      return "email_not_verified";
    case errc::invalid_state:
      return "invalid_state";
    case errc::replayed_state:
      return "replayed_state";
    case errc::login_denied:
      return "login_denied";
    case errc::rate_limited:
      return "rate_limited";
    case errc::unavailable:
      return "unavailable";
    case errc::token_exchange_failed:
      return "token_exchange_failed";
    case errc::invalid_ticket:
      return "invalid_ticket";
    case errc::account:
      return "account";
    case errc::internal:
      return "internal";
  }
  return "unknown";
}

}  // namespace chat::oidc
