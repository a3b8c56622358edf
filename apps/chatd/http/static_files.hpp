// Static files from the web root (and the docs folder) for GET and HEAD.
#pragma once

#include <cstddef>
#include <string>

#include "http/message.hpp"

namespace chat::chatd::http {

// The longest request path served as a file; longer ones get 404 without a file system call.
inline constexpr std::size_t k_max_static_path = 1024;

// Serves `path` (already without query) from `root`; a folder maps to its index.html. Only
// plain paths are looked up: segments of [A-Za-z0-9._~-] that do not start with '.', no empty
// segment, at most k_max_static_path bytes; and only a regular file whose canonical path (every
// symlink resolved) lies under the canonical root is read. Anything else is 404.
// Thread-safe; reads the file system on every call (no cache).
response serve_file(const std::string& root, const std::string& path, bool head);

}  // namespace chat::chatd::http
