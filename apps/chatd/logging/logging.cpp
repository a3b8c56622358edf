// logfmt lines on stderr; values from outside escaped so that they cannot forge fields or lines.
#include "logging/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "protocol/utf8.hpp"

namespace chat::chatd {
namespace {

constexpr char k_hex[] = "0123456789abcdef";

template <typename Out>
void append_hex(Out& out, unsigned char c) {
  const char escaped[] = {'\\', 'x', k_hex[c >> 4], k_hex[c & 15]};
  out.append(escaped, escaped + 4);
}

// Appends the escape of a control byte (or DEL); false if `c` is not one.
template <typename Out>
bool append_control(Out& out, unsigned char c) {
  if (c == '\n') {
    out.append("\\n", "\\n" + 2);
  } else if (c == '\r') {
    out.append("\\r", "\\r" + 2);
  } else if (c == '\t') {
    out.append("\\t", "\\t" + 2);
  } else if (c < 0x20 || c == 0x7f) {
    append_hex(out, c);
  } else {
    return false;
  }
  return true;
}

bool plain(unsigned char c) {
  return c > 0x20 && c < 0x7f && c != '"' && c != '=' && c != '\\';
}

// The message with its control bytes escaped (the `%*` flag of the pattern below).
class escaped_message final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (char ch : msg.payload) {
      if (!append_control(dest, static_cast<unsigned char>(ch))) dest.push_back(ch);
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<escaped_message>();
  }
};

}  // namespace

std::string log_value(std::string_view value) {
  bool is_plain = !value.empty();
  for (char ch : value) is_plain = is_plain && plain(static_cast<unsigned char>(ch));
  if (is_plain) return std::string(value);
  const bool utf8 = valid_utf8(value);
  std::string out = "\"";
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (append_control(out, c)) {
      continue;
    } else if (c >= 0x80 && !utf8) {
      append_hex(out, c);
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

std::unique_ptr<spdlog::formatter> make_log_formatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<escaped_message>('*').set_pattern("ts=%Y-%m-%dT%H:%M:%S.%e%z level=%l %*");
  return formatter;
}

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("chatd");
  logger->set_formatter(make_log_formatter());
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace chat::chatd
