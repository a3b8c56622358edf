// What the bot says to each command.
#include "commands.hpp"

#include <ctime>

namespace chat::examples {
namespace {

std::string trim(const std::string& s) {
  const char* space = " \t\r\n";
  auto first = s.find_first_not_of(space);
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

std::string utc_time(std::chrono::system_clock::time_point now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buffer;
}

}  // namespace

std::optional<std::string> answer_command(const std::string& text,
                                          std::chrono::system_clock::time_point now) {
  const std::string line = trim(text);
  if (line.size() < 2 || line[0] != '!') return std::nullopt;
  const auto space = line.find_first_of(" \t");
  const std::string command = line.substr(1, space == std::string::npos ? space : space - 1);
  const std::string argument = space == std::string::npos ? "" : trim(line.substr(space));
  if (command == "ping") return "pong";
  if (command == "time") return utc_time(now);
  if (command == "help") return "commands: !ping, !echo TEXT, !time, !help";
  if (command == "echo") return argument.empty() ? "usage: !echo TEXT" : argument;
  return "unknown command !" + command + "; try !help";
}

}  // namespace chat::examples
