// base64url (RFC 4648 section 5, no padding), URL encoding, random tokens and SHA-256.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chat::oidc::detail {

std::string base64url_encode(std::string_view bytes);
// Strict: only the URL-safe alphabet, no padding, no whitespace, canonical trailing bits.
std::optional<std::string> base64url_decode(std::string_view text);

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

// `bytes` random bytes from OpenSSL's CSPRNG, base64url-encoded; nullopt if RAND_bytes fails.
std::optional<std::string> random_token(std::size_t bytes = 32);
std::string sha256(std::string_view data);  // the raw 32-byte digest

// Constant-time comparison of two strings (length leaks, content does not).
bool equal_secret(std::string_view a, std::string_view b);

}  // namespace chat::oidc::detail
