// Static files from the web root (and the docs folder) for GET and HEAD.
#pragma once

#include <string>

#include "http/message.hpp"

namespace chat::chatd::http {

// Serves `path` (already without query) from `root`; "/" maps to index.html. 404 for anything
// missing or outside the root (no "..", no hidden files).
response serve_file(const std::string& root, const std::string& path, bool head);

}  // namespace chat::chatd::http
