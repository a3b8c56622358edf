// The static file server serves only files inside its root (issue 12, C1): traversal payloads,
// symlinks that leave the root, and a property test over random paths.
#include "http/static_files.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "http/router.hpp"

namespace fs = std::filesystem;
using chat::chatd::http::k_max_static_path;
using chat::chatd::http::serve_file;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// <tmp>/site-XXXXXX/{root/..., secret.txt, outside/file.txt}: every file under root holds a
// text starting with "INSIDE", every file outside one starting with "SECRET".
struct site {
  fs::path base;
  fs::path root;
  std::set<std::string> inside_texts;

  site() {
    std::string tmpl = (fs::temp_directory_path() / "chatd-static-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    base = tmpl;
    root = base / "root";
    add("index.html", "INSIDE index");
    add("app.js", "INSIDE app");
    add("sub/index.html", "INSIDE sub index");
    add("sub/page.css", "INSIDE page");
    add(".hidden", "INSIDE but hidden");
    write(base / "secret.txt", "SECRET top");
    write(base / "outside/file.txt", "SECRET in a folder");
    write(base / "outside/index.html", "SECRET index");
    fs::create_symlink("app.js", root / "link_in");
    fs::create_symlink("../secret.txt", root / "link_out");
    fs::create_symlink(base / "outside", root / "dir_out");
    fs::create_symlink(base / "secret.txt", root / "sub" / "abs_out");
  }
  ~site() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
  void add(const std::string& rel, const std::string& text) {
    write(root / rel, text);
    inside_texts.insert(text);
  }
  chat::chatd::http::response get(const std::string& path) const {
    return serve_file(root.string(), path, false);
  }
};

}  // namespace

TEST_CASE("static_files_serve_plain_paths_inside_the_root", "[static]") {
  site s;
  CHECK(s.get("/").body == "INSIDE index");
  CHECK(s.get("/app.js").body == "INSIDE app");
  CHECK(s.get("/sub").body == "INSIDE sub index");
  CHECK(s.get("/sub/").body == "INSIDE sub index");
  CHECK(s.get("/sub/page.css").body == "INSIDE page");
  CHECK(s.get("/link_in").body == "INSIDE app");  // a symlink that stays inside is fine
  auto head = serve_file(s.root.string(), "/app.js", true);
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(s.get("/missing.js").status == 404);
  CHECK(serve_file("", "/app.js", false).status == 404);
  CHECK(serve_file((s.base / "nope").string(), "/app.js", false).status == 404);
}

TEST_CASE("static_files_refuse_every_traversal_payload", "[static]") {
  site s;
  const std::string secret = (s.base / "secret.txt").string();
  const std::vector<std::string> payloads = {
      "/" + secret,  // "//tmp/.../secret.txt": an absolute path after the root
      "//etc/passwd",
      "//proc/self/environ",
      "//proc/self/cmdline",
      "/../secret.txt",
      "/sub/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/..%2fsecret.txt",
      "/..%2Fsecret.txt",
      "/%2fetc%2fpasswd",
      "/..\\secret.txt",
      "/sub\\..\\..\\secret.txt",
      "\\..\\secret.txt",
      std::string("/app.js\0/../../secret.txt", 25),
      std::string("/\0", 2),
      "/./app.js",
      "/sub/./page.css",
      "/sub//page.css",
      "/.hidden",
      "/link_out",
      "/dir_out/file.txt",
      "/dir_out/",
      "/dir_out",
      "/sub/abs_out",
      "/C:/secret.txt",
      "/app.js?x",
      "app.js",
      "",
      "/" + std::string(k_max_static_path, 'a'),
      "/" + std::string(100000, '/'),
  };
  for (const auto& p : payloads) {
    INFO("path: " << p);
    auto r = s.get(p);
    CHECK(r.status == 404);
    CHECK(r.body.find("SECRET") == std::string::npos);
    CHECK(r.body.find("INSIDE") == std::string::npos);
  }
}

TEST_CASE("static_files_refuse_paths_over_the_length_limit_even_if_the_file_exists", "[static]") {
  site s;
  // A real file whose request path is one byte over the limit.
  std::string dir;
  while (dir.size() + 1 + 200 < k_max_static_path) dir += "/" + std::string(200, 'd');
  const std::string name = std::string(k_max_static_path - dir.size() - 1, 'f');
  s.add(dir.substr(1) + "/" + name, "INSIDE long");
  const std::string at_limit = dir + "/" + name;
  REQUIRE(at_limit.size() == k_max_static_path);
  CHECK(s.get(at_limit).body == "INSIDE long");
  s.add(dir.substr(1) + "/" + name + "x", "INSIDE too long");
  CHECK(s.get(at_limit + "x").status == 404);
}

TEST_CASE("router_serves_no_file_outside_the_web_and_docs_roots", "[static]") {
  site s;
  auto engine = chat::chatd::test::open_engine();
  chat::chatd::config settings;
  settings.web_root = s.root.string();
  chat::chatd::metrics counters;
  chat::chatd::http::router router(*engine, settings, counters);
  const std::string secret = (s.base / "secret.txt").string();
  for (const std::string& path : std::vector<std::string>{
           "//etc/passwd", "/docs//etc/hostname", "/docs//etc/passwd", "/docs/../README.md",
           "/docs/%2e%2e/README.md", "/" + secret, "/docs/" + secret}) {
    INFO("path: " << path);
    chat::chatd::http::request req;
    req.method = "GET";
    req.path = path;
    auto r = router.handle(req);
    CHECK(r.status == 404);
    CHECK(r.body.find("root:") == std::string::npos);
    CHECK(r.body.find("SECRET") == std::string::npos);
  }
  chat::chatd::http::request ok;
  ok.method = "GET";
  ok.path = "/app.js";
  CHECK(router.handle(ok).body == "INSIDE app");
  ok.path = "/docs/protocol.md";
  CHECK(router.handle(ok).status == 200);
}

TEST_CASE("static_files_property_random_paths_never_leave_the_root", "[static]") {
  site s;
  const std::string secret = (s.base / "secret.txt").string();
  // Pieces that traversal payloads are made of, plus names that exist inside and outside.
  const std::vector<std::string> pieces = {
      "/",          "//",       ".",       "..",      "%2e",
      "%2f",        "%5c",      "%00",     "\\",      std::string(1, '\0'),
      ":",          "~",        "sub",     "app.js",  "index.html",
      "link_in",    "link_out", "dir_out", "abs_out", "outside",
      "secret.txt", "file.txt", "etc",     "passwd",  ".hidden",
      secret,       "a",        "-",       "_",       "%",
      "?",          "#"};
  const char* seed_env = std::getenv("CHAT_FUZZ_SEED");
  const unsigned seed = seed_env ? static_cast<unsigned>(std::strtoul(seed_env, nullptr, 10)) : 12;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> count(1, 12);
  int served = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string path = (rng() % 4 == 0) ? "" : "/";
    for (int n = count(rng); n > 0; --n) path += pieces[pick(rng)];
    auto r = s.get(path);
    INFO("seed " << seed << " path: " << path);
    if (r.status == 200) {
      ++served;
      REQUIRE(s.inside_texts.count(r.body) == 1);
      REQUIRE(r.body != "INSIDE but hidden");
    } else {
      REQUIRE(r.status == 404);
    }
  }
  CHECK(served > 0);  // the generator does reach real files
}
