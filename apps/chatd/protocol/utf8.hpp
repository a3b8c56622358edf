// UTF-8 validation for frames that websocketpp does not check (binary frames, HTTP bodies):
// libchat's validator (chat/utf8.hpp), so chatd and the engine agree on what is valid.
#pragma once

#include <string_view>

#include "chat/utf8.hpp"

namespace chat::chatd {
using chat::valid_utf8;
}  // namespace chat::chatd
