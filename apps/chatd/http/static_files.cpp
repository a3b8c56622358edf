// Static file serving with path sanitising and a small content-type table.
#include "http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace chat::chatd::http {
namespace {

const char* content_type(const std::filesystem::path& p) {
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

bool safe_relative(const std::string& path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) return false;
  std::stringstream in(path);
  std::string segment;
  while (std::getline(in, segment, '/')) {
    if (!segment.empty() && segment[0] == '.') return false;  // "..", ".git", ...
  }
  return true;
}

}  // namespace

response serve_file(const std::string& root, const std::string& path, bool head) {
  if (root.empty() || !safe_relative(path)) return error_response(404, "not_found", "no such file");
  std::filesystem::path file = std::filesystem::path(root) / path.substr(1);
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) file /= "index.html";
  if (!std::filesystem::is_regular_file(file, ec)) {
    return error_response(404, "not_found", "no such file");
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  response r;
  r.headers.emplace_back("Content-Type", content_type(file));
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (!head) r.body = body.str();
  return r;
}

}  // namespace chat::chatd::http
