// The database URL of engine_options::database ("sqlite3://db=chat.db", "mysql://db=chat
// user=chat ..."), split into its fields once, by the rules SOCI reads it with.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

// A parsed database URL. Immutable; safe to share between threads.
class database_url {
 public:
  struct field {
    std::string key;
    std::string value;    // without its quotes, escapes resolved
    std::string written;  // the value as written, quotes and backslashes included
  };

  // Splits `text`: the scheme before "://" (none: scheme() is ""), then `key = value` fields
  // separated by white space, values bare (a backslash escapes the next character) or quoted
  // with ' or " (ditto). Never fails: where the text cannot be split (a key without '=', an
  // unclosed quote, a trailing backslash) the fields end and complete() is false; an unclosed
  // quote's value still becomes a field, running to the end of the text.
  static database_url parse(std::string_view text);

  const std::string& scheme() const { return scheme_; }
  // The text after "://" (all of it if there is no scheme), exactly as given.
  const std::string& parameters() const { return parameters_; }
  const std::vector<field>& fields() const { return fields_; }
  bool complete() const { return complete_; }

  // The value of the first field named `key` (exact letter case), if there is one.
  std::optional<std::string> value(std::string_view key) const;
  bool has(std::string_view key) const { return value(key).has_value(); }

  // The URL for logs: every field written back with the value of each secret one ("pass",
  // "pwd", "secret" or "token" in its key, any letter case) replaced by "***", and everything
  // from the first part that cannot be split on replaced by "***".
  std::string redacted() const;

 private:
  std::string scheme_, parameters_;
  std::vector<field> fields_;
  bool complete_ = true;
  bool unclosed_ = false;  // the last field's value is an unclosed quote
};

}  // namespace chat
