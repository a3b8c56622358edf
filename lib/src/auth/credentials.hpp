// Username rules, password hashing (argon2id) and session tokens.
#pragma once

#include <optional>
#include <string>

#include "chat/error.hpp"
#include "chat/options.hpp"

namespace chat::detail {

// 3..20 characters of A-Z a-z 0-9 _ . -  ; ok or invalid_argument with the reason.
status check_username(const std::string& username);
// The uniqueness key: the username with ASCII letters lowered ("Alice" -> "alice").
std::string username_key(const std::string& username);
// 8..1024 bytes of valid UTF-8.
status check_password(const std::string& password);

// argon2id hashing through libsodium's crypto_pwhash_str; the string embeds salt and limits.
class password_hasher {
 public:
  explicit password_hasher(password_cost cost);
  std::optional<std::string> hash(const std::string& password) const;  // nullopt: out of memory
  bool verify(const std::string& hash, const std::string& password) const;
  // Spends the time of a verification without a user, so that unknown usernames and wrong
  // passwords take equally long.
  void verify_dummy(const std::string& password) const;

 private:
  unsigned long long ops_;
  std::size_t mem_;
  std::string dummy_hash_;
};

// 256 random bits, base64url without padding (43 characters).
std::string new_session_token();
// What the store keeps instead of the token: hex BLAKE2b-256 of it.
std::string token_hash(const std::string& token);

}  // namespace chat::detail
