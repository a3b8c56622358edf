// Library version, also exported to CMake and pkg-config.
#pragma once

#define CHAT_VERSION_MAJOR 0
#define CHAT_VERSION_MINOR 1
#define CHAT_VERSION_PATCH 0

namespace chat {
const char* version() noexcept;  // "0.1.0"
}  // namespace chat
