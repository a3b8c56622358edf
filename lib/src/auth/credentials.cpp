// Username rules, argon2id password hashing and session tokens, all crypto from libsodium.
#include "auth/credentials.hpp"

#include <sodium.h>

#include <stdexcept>

#include "util/utf8.hpp"

namespace chat::detail {
namespace {

struct sodium_initializer {
  sodium_initializer() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  }
};
void ensure_sodium() {
  static const sodium_initializer once;
}

}  // namespace

status check_username(const std::string& username) {
  if (username.size() < 3 || username.size() > 20)
    return {errc::invalid_argument, "username must be 3 to 20 characters long"};
  for (char c : username) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!allowed)
      return {errc::invalid_argument,
              "username may contain only letters a-z, digits 0-9 and the characters _ . -"};
  }
  return {};
}

std::string username_key(const std::string& username) {
  std::string key = username;
  for (char& c : key)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return key;
}

status check_password(const std::string& password) {
  if (password.size() < 8) return {errc::invalid_argument, "password must be at least 8 bytes"};
  if (password.size() > 1024)
    return {errc::invalid_argument, "password must be at most 1024 bytes"};
  if (!utf8_length(password)) return {errc::invalid_argument, "password must be valid UTF-8"};
  return {};
}

password_hasher::password_hasher(password_cost cost) {
  ensure_sodium();
  switch (cost) {
    case password_cost::minimum:
      ops_ = crypto_pwhash_OPSLIMIT_MIN;
      mem_ = crypto_pwhash_MEMLIMIT_MIN;
      break;
    case password_cost::interactive:
      ops_ = crypto_pwhash_OPSLIMIT_INTERACTIVE;
      mem_ = crypto_pwhash_MEMLIMIT_INTERACTIVE;
      break;
    case password_cost::moderate:
      ops_ = crypto_pwhash_OPSLIMIT_MODERATE;
      mem_ = crypto_pwhash_MEMLIMIT_MODERATE;
      break;
  }
  dummy_hash_ = hash("dummy password for timing").value_or("");
}

std::optional<std::string> password_hasher::hash(const std::string& password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops_, mem_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return std::nullopt;
  return std::string(out);
}

bool password_hasher::verify(const std::string& hash, const std::string& password) const {
  if (hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void password_hasher::verify_dummy(const std::string& password) const {
  (void)verify(dummy_hash_, password);
}

std::string new_session_token() {
  ensure_sodium();
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char out[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  return out;
}

std::string token_hash(const std::string& token) {
  ensure_sodium();
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace chat::detail
