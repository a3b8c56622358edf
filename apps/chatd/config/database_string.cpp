// Masking of the secrets in a SOCI connection string, for logs.
#include "config/database_string.hpp"

#include <algorithm>
#include <cctype>

namespace chat::chatd {
namespace {

bool space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool secret_key(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* word : {"pass", "pwd", "secret", "token"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

// One `key=value` field of `s` from `pos`: [begin, end) of the key and of the value as written
// (quotes included). false if it is malformed.
struct field {
  std::string_view key;
  std::string_view value;
};

bool next_field(std::string_view s, std::size_t& pos, field& out) {
  const std::size_t key_begin = pos;
  while (pos < s.size() && !space(s[pos]) && s[pos] != '=') ++pos;
  out.key = s.substr(key_begin, pos - key_begin);
  while (pos < s.size() && space(s[pos])) ++pos;
  if (out.key.empty() || pos >= s.size() || s[pos] != '=') return false;
  ++pos;
  while (pos < s.size() && space(s[pos])) ++pos;
  const std::size_t value_begin = pos;
  const char quote = pos < s.size() && (s[pos] == '\'' || s[pos] == '"') ? s[pos] : '\0';
  if (quote) ++pos;
  for (; pos < s.size(); ++pos) {
    if (s[pos] == '\\') {
      if (++pos == s.size()) return false;
    } else if (quote ? s[pos] == quote : space(s[pos])) {
      break;
    }
  }
  if (quote) {
    if (pos >= s.size()) return false;  // no closing quote
    ++pos;
  }
  out.value = s.substr(value_begin, pos - value_begin);
  return true;
}

}  // namespace

std::string redact_database(std::string_view connection) {
  std::string out;
  std::size_t pos = 0;
  const std::size_t scheme = connection.find("://");
  if (scheme != std::string_view::npos) {
    pos = scheme + 3;
    out = std::string(connection.substr(0, pos));
  }
  bool first = true;
  while (true) {
    while (pos < connection.size() && space(connection[pos])) ++pos;
    if (pos >= connection.size()) break;
    out += first ? "" : " ";
    first = false;
    field f;
    if (!next_field(connection, pos, f)) {
      out += "***";
      break;
    }
    out += std::string(f.key) + "=" + (secret_key(f.key) ? "***" : std::string(f.value));
  }
  return out;
}

}  // namespace chat::chatd
