// UTF-8 validation and code point counting for user-supplied text.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace chat::detail {

// Number of code points if `text` is well-formed UTF-8 (no overlongs, no surrogates, at most
// U+10FFFF) without U+0000, otherwise nullopt. No text the engine takes may hold U+0000: the C
// API and the bindings over it see NUL-terminated strings, which would end there.
std::optional<std::size_t> utf8_length(std::string_view text) noexcept;

// Whether `text` holds a C0 control character (U+0000..U+001F) other than those listed in
// `allowed` (e.g. "\t\n"). JSON escapes each as \u00XX, six bytes for one.
bool has_control_characters(std::string_view text, std::string_view allowed = {}) noexcept;

}  // namespace chat::detail
