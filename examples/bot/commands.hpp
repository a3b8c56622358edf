// The bot's commands: a pure function from a message text to the answer, if any.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace chat::examples {

// "!ping" -> "pong", "!echo TEXT" -> TEXT, "!time" -> the UTC time, "!help" -> the list; any
// other "!word" -> a hint; text not starting with '!' -> nothing (the bot stays quiet).
std::optional<std::string> answer_command(const std::string& text,
                                          std::chrono::system_clock::time_point now);

}  // namespace chat::examples
