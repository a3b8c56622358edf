// Settings precedence: command line over environment over file over default.
#include "config/config.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

using chat::chatd::load_config;

namespace {
std::map<std::string, std::string> g_env;
const char* fake_env(const char* name) {
  auto it = g_env.find(name);
  return it == g_env.end() ? nullptr : it->second.c_str();
}
}  // namespace

TEST_CASE("config_precedence_and_defaults", "[config]") {
  g_env.clear();
  const char* none[] = {"chatd"};
  auto d = load_config(1, none, fake_env);
  REQUIRE(d.settings);
  CHECK(d.settings->listen_host == "127.0.0.1");
  CHECK(d.settings->listen_port == 8080);
  CHECK(d.settings->data_dir == "./chatd-data");
  // --threads auto (the default): half the cores, within [1, 16].
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  CHECK(d.settings->io_threads == std::clamp(cores / 2, 1, 16));
  CHECK(d.settings->io_threads == chat::chatd::default_io_threads());
  CHECK(d.settings->commit_threads == 1);

  const std::string file = "chatd_config_test.conf";
  std::ofstream(file) << "# comment\nlisten = 0.0.0.0:9000\nlog-level = warn\nthreads = 3\n";
  g_env = {{"CHATD_CONFIG", file}, {"CHATD_LOG_LEVEL", "debug"}};
  const char* argv[] = {"chatd", "--threads", "5", "--commit-threads", "3"};
  auto c = load_config(5, argv, fake_env);
  REQUIRE(c.settings);
  CHECK(c.settings->listen_port == 9000);   // file
  CHECK(c.settings->log_level == "debug");  // env beats file
  CHECK(c.settings->io_threads == 5);       // command line beats file
  CHECK(c.settings->commit_threads == 3);
  std::remove(file.c_str());
}

TEST_CASE("config_help_and_bad_values", "[config]") {
  g_env.clear();
  const char* help[] = {"chatd", "--help"};
  auto h = load_config(2, help, fake_env);
  CHECK_FALSE(h.settings);
  CHECK(h.exit_code == 0);
  CHECK(h.message.find("--max-queue-bytes") != std::string::npos);
  CHECK(h.message.find("CHATD_LISTEN") != std::string::npos);
  for (auto bad : {"--listen=nohost", "--threads=0", "--commit-threads=0", "--commit-threads=17",
                   "--log-level=loud", "--rate=-1", "--tls-cert=a.pem", "--password-cost=cheap"}) {
    const char* argv[] = {"chatd", bad};
    auto r = load_config(2, argv, fake_env);
    CHECK_FALSE(r.settings);
    CHECK(r.exit_code == 2);
  }
}

TEST_CASE("config_oidc_options_from_env_and_file_and_local_paths_only", "[config]") {
  g_env.clear();
  const char* none[] = {"chatd"};
  auto d = load_config(1, none, fake_env);
  REQUIRE(d.settings);
  CHECK(d.settings->oidc_config.empty());  // off by default
  CHECK(d.settings->oidc_after_login == "/");
  CHECK(d.settings->oidc_signup_page == "/#/oidc-signup");

  const std::string file = "chatd_config_oidc_test.conf";
  std::ofstream(file) << "oidc-config = /etc/chatd/oidc.json\noidc-after-login = /app/\n";
  g_env = {{"CHATD_CONFIG", file}, {"CHATD_OIDC_SIGNUP_PAGE", "/app/#/choose"}};
  auto c = load_config(1, none, fake_env);
  REQUIRE(c.settings);
  CHECK(c.settings->oidc_config == "/etc/chatd/oidc.json");
  CHECK(c.settings->oidc_after_login == "/app/");
  CHECK(c.settings->oidc_signup_page == "/app/#/choose");
  std::remove(file.c_str());

  // Redirect targets must be local paths: no open redirect, no markup or header injection.
  g_env.clear();
  for (const char* bad : {"https://evil.example/", "//evil.example/", "", "/a\"><script>"}) {
    const char* argv[] = {"chatd", "--oidc-after-login", bad};
    auto r = load_config(3, argv, fake_env);
    CHECK_FALSE(r.settings);
    CHECK(r.exit_code == 2);
  }
}
