// The database connection string (SOCI's "backend://key=value ...") as it may appear in logs.
#pragma once

#include <string>
#include <string_view>

namespace chat::chatd {

// `connection` with the value of every secret field replaced by "***". The string is split
// into its fields once, the way SOCI reads them: `key = value` pairs separated by white space,
// values bare (a backslash escapes the next character) or quoted with ' or " (ditto). A field
// is secret if its key, in any letter case, contains "pass" (SOCI reads both `password` and
// `pass`), "pwd", "secret" or "token". If the string cannot be split (no '=' after a key, an
// unclosed quote), everything from that point on is replaced by "***".
std::string redact_database(std::string_view connection);

}  // namespace chat::chatd
