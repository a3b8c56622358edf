// UTF-8 validation, the one the engine applies to every text it takes, for transports that
// check bytes before they reach it (frames, HTTP bodies, log values).
#pragma once

#include <string_view>

namespace chat {

// True if `text` is well-formed UTF-8 (Unicode 15, section 3.9: no overlongs, no UTF-16
// surrogates, nothing above U+10FFFF). U+0000 is well-formed here; the engine refuses it in the
// texts it stores (see engine.hpp). Thread-safe, no allocation.
bool valid_utf8(std::string_view text) noexcept;

}  // namespace chat
