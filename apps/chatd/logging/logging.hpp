// chatd's log format (logfmt on stderr) and the escaping of logged values that come from outside.
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace chat::chatd {

// `value` as one logfmt value, for anything a client or a provider controls (paths, names,
// addresses, header values, error texts): as it is when it consists only of printable ASCII
// other than space, '"', '=' and '\', else in double quotes with '"' and '\' escaped as \" and
// \\, tab, newline and carriage return as \t \n \r, other control bytes, DEL and bytes that are
// not valid UTF-8 as \xHH. So a value can never end its field or its line early.
std::string log_value(std::string_view value);

// The formatter of every chatd log line: "ts=... level=... MESSAGE\n", with any control byte in
// MESSAGE written as \xHH (\n, \r, \t as such): a value that missed log_value still cannot start
// a new line.
std::unique_ptr<spdlog::formatter> make_log_formatter();

// Makes a stderr logger with make_log_formatter() the default, at `level` (spdlog's names).
void setup_logging(const std::string& level);

}  // namespace chat::chatd
