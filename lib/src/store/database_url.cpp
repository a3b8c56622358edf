// Splitting a database URL into its fields (chat/database_url.hpp); the store reads its
// options with it and chatd masks the URL's secrets for its logs with it.
#include "chat/database_url.hpp"

#include <algorithm>
#include <cctype>

namespace chat {
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

enum class split { ok, malformed, unclosed_quote };

// One `key=value` field of `s` from `pos`.
split next_field(std::string_view s, std::size_t& pos, database_url::field& out) {
  const std::size_t key_begin = pos;
  while (pos < s.size() && !space(s[pos]) && s[pos] != '=') ++pos;
  out.key = std::string(s.substr(key_begin, pos - key_begin));
  while (pos < s.size() && space(s[pos])) ++pos;
  if (out.key.empty() || pos >= s.size() || s[pos] != '=') return split::malformed;
  ++pos;
  while (pos < s.size() && space(s[pos])) ++pos;
  const std::size_t value_begin = pos;
  const char quote = pos < s.size() && (s[pos] == '\'' || s[pos] == '"') ? s[pos] : '\0';
  if (quote) ++pos;
  out.value.clear();
  for (; pos < s.size(); ++pos) {
    if (s[pos] == '\\') {
      if (++pos == s.size()) return split::malformed;
      out.value += s[pos];
    } else if (quote ? s[pos] == quote : space(s[pos])) {
      break;
    } else {
      out.value += s[pos];
    }
  }
  if (quote) {
    if (pos >= s.size()) {
      out.written = std::string(s.substr(value_begin));
      return split::unclosed_quote;
    }
    ++pos;
  }
  out.written = std::string(s.substr(value_begin, pos - value_begin));
  return split::ok;
}

}  // namespace

database_url database_url::parse(std::string_view text) {
  database_url url;
  std::size_t pos = 0;
  const std::size_t scheme = text.find("://");
  if (scheme != std::string_view::npos) {
    url.scheme_ = std::string(text.substr(0, scheme));
    pos = scheme + 3;
  }
  url.parameters_ = std::string(text.substr(pos));
  while (true) {
    while (pos < text.size() && space(text[pos])) ++pos;
    if (pos >= text.size()) break;
    field f;
    const split result = next_field(text, pos, f);
    if (result == split::unclosed_quote) {
      url.fields_.push_back(std::move(f));
      url.unclosed_ = true;
    }
    if (result != split::ok) {
      url.complete_ = false;
      break;
    }
    url.fields_.push_back(std::move(f));
  }
  return url;
}

std::optional<std::string> database_url::value(std::string_view key) const {
  for (const field& f : fields_) {
    if (f.key == key) return f.value;
  }
  return std::nullopt;
}

std::string database_url::redacted() const {
  std::string out = scheme_.empty() ? std::string() : scheme_ + "://";
  // An unclosed quote's field is kept for lookups, but is not written back.
  const std::size_t whole = fields_.size() - (unclosed_ ? 1 : 0);
  for (std::size_t i = 0; i < whole; ++i) {
    const field& f = fields_[i];
    out += (i ? " " : "") + f.key + "=" + (secret_key(f.key) ? "***" : f.written);
  }
  if (!complete_) out += whole ? " ***" : "***";
  return out;
}

}  // namespace chat
