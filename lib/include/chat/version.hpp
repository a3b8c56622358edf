// Library version: the one place it is written. CMake reads these three numbers for
// project(VERSION) (the CMake package, pkg-config, the shared library's SOVERSION), and the C
// API's header (chat.h) takes its version from them, so this header is also valid C.
#pragma once

#define CHAT_VERSION_MAJOR 0
#define CHAT_VERSION_MINOR 1
#define CHAT_VERSION_PATCH 0

/// @cond
#define CHAT_VERSION_STRINGIFY_(x) #x
#define CHAT_VERSION_STRINGIFY(x) CHAT_VERSION_STRINGIFY_(x)
/// @endcond
/// The version as a string literal, "MAJOR.MINOR.PATCH".
#define CHAT_VERSION_STRING                  \
  CHAT_VERSION_STRINGIFY(CHAT_VERSION_MAJOR) \
  "." CHAT_VERSION_STRINGIFY(CHAT_VERSION_MINOR) "." CHAT_VERSION_STRINGIFY(CHAT_VERSION_PATCH)

#ifdef __cplusplus
namespace chat {
/// The version of the library linked, CHAT_VERSION_STRING when it was built.
const char* version() noexcept;
}  // namespace chat
#endif
