// chat::version(): the version the library was built as (chat/version.hpp).
#include "chat/version.hpp"

namespace chat {

const char* version() noexcept {
  return CHAT_VERSION_STRING;
}

}  // namespace chat
