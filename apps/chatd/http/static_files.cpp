// Static file serving: only regular files whose real location is inside the root.
#include "http/static_files.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string_view>

#include "protocol/codes.hpp"

namespace chat::chatd::http {
namespace {

namespace fs = std::filesystem;

const char* content_type(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".md" || ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".wasm") return "application/wasm";
  return "application/octet-stream";
}

bool segment_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// `path` as a relative path of plain segments, or nullopt. Accepted: "/" and "/a/b.c" (and a
// trailing "/" for a folder). Everything else is refused before the file system is touched:
// empty segments ("//x" would make the path absolute), segments starting with '.' ("..", hidden
// files), and any byte outside [A-Za-z0-9._~-] (so no '%' escapes, '\', ':', NUL or controls:
// the web client's and docs' file names need none of them).
std::optional<fs::path> plain_relative(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.size() > k_max_static_path) return std::nullopt;
  fs::path relative;
  std::size_t start = 1;
  while (start < path.size()) {
    const std::size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, slash - start);
    if (segment.empty() || segment.front() == '.') return std::nullopt;
    if (!std::all_of(segment.begin(), segment.end(), segment_char)) return std::nullopt;
    relative /= std::string(segment);
    start = slash + 1;  // a trailing '/' ends the loop with start == size() + 1 or size()
  }
  return relative;
}

// True if `file` (canonical) is `root` (canonical) or below it.
bool inside(const fs::path& root, const fs::path& file) {
  auto r = root.begin();
  auto f = file.begin();
  for (; r != root.end(); ++r, ++f) {
    if (f == file.end() || *r != *f) return false;
  }
  return true;
}

// The canonical path of `file` if it exists and lies under `canonical_root` once every symlink
// is resolved, else nullopt.
std::optional<fs::path> resolve_inside(const fs::path& canonical_root, const fs::path& file) {
  std::error_code ec;
  fs::path real = fs::canonical(file, ec);
  if (ec || !inside(canonical_root, real)) return std::nullopt;
  return real;
}

response not_found() {
  return error_response(404, code::not_found, "no such file");
}

}  // namespace

response serve_file(const std::string& root, const std::string& path, bool head) {
  if (root.empty()) return not_found();
  const auto relative = plain_relative(path);
  if (!relative) return not_found();
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return not_found();
  auto file = resolve_inside(canonical_root, canonical_root / *relative);
  if (file && fs::is_directory(*file, ec))
    file = resolve_inside(canonical_root, *file / "index.html");
  if (!file || !fs::is_regular_file(*file, ec)) return not_found();
  std::ifstream in(*file, std::ios::binary);
  if (!in) return not_found();
  std::ostringstream body;
  body << in.rdbuf();
  response r;
  r.headers.emplace_back("Content-Type", content_type(*file));
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (!head) r.body = body.str();
  return r;
}

}  // namespace chat::chatd::http
