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
  CHECK(d.settings->engine.commit_threads == 1);

  const std::string file = "chatd_config_test.conf";
  std::ofstream(file) << "# comment\nlisten = 0.0.0.0:9000\nlog-level = warn\nthreads = 3\n";
  g_env = {{"CHATD_CONFIG", file}, {"CHATD_LOG_LEVEL", "debug"}};
  const char* argv[] = {"chatd", "--threads", "5", "--commit-threads", "3"};
  auto c = load_config(5, argv, fake_env);
  REQUIRE(c.settings);
  CHECK(c.settings->listen_port == 9000);   // file
  CHECK(c.settings->log_level == "debug");  // env beats file
  CHECK(c.settings->io_threads == 5);       // command line beats file
  CHECK(c.settings->engine.commit_threads == 3);
  std::remove(file.c_str());
}

TEST_CASE("config_sets_every_engine_option_the_c_api_can", "[config]") {
  g_env.clear();
  const char* none[] = {"chatd"};
  auto d = load_config(1, none, fake_env);
  REQUIRE(d.settings);
  const chat::engine_options defaults;
  const auto& e = d.settings->engine;
  CHECK(e.database.empty());  // main() puts the SQLite file of --data-dir there
  CHECK(e.pool_size == 4);
  CHECK(e.max_commit_batch == defaults.max_commit_batch);
  CHECK(e.member_cache_channels == defaults.member_cache_channels);
  CHECK(e.commit_delay == defaults.commit_delay);
  CHECK(e.password_hashing == chat::password_cost::interactive);
  CHECK(e.session_ttl == defaults.session_ttl);
  CHECK(e.session_max_lifetime == defaults.session_max_lifetime);
  CHECK(e.login_backoff.max_delay == defaults.login_backoff.max_delay);
  // What the engine may fill of a reply frame: the reply limit less the frame around it.
  CHECK(e.max_reply_bytes == d.settings->limits.max_reply_bytes() -
                                 chat::chatd::connection_limits::reply_envelope_bytes);

  g_env = {{"CHATD_MEMBER_CACHE_CHANNELS", "250"}};
  const char* argv[] = {"chatd",
                        "--db=sqlite3://db=:memory:",
                        "--db-pool=2",
                        "--max-commit-batch=64",
                        "--password-cost=minimum",
                        "--session-ttl-days=2",
                        "--session-max-days=7",
                        "--login-failures-per-account=3",
                        "--login-failures-per-address=9",
                        "--login-max-delay=60",
                        "--commit-delay-us=250"};
  auto c = load_config(11, argv, fake_env);
  REQUIRE(c.settings);
  const auto& s = c.settings->engine;
  CHECK(s.database == "sqlite3://db=:memory:");
  CHECK(s.pool_size == 2);
  CHECK(s.max_commit_batch == 64);
  CHECK(s.member_cache_channels == 250);
  CHECK(s.commit_delay == std::chrono::microseconds(250));
  CHECK(s.password_hashing == chat::password_cost::minimum);
  CHECK(s.session_ttl == std::chrono::hours(48));
  CHECK(s.session_max_lifetime == std::chrono::hours(24 * 7));
  CHECK(c.settings->session_cookie_max_age() == std::chrono::hours(48));
  CHECK(s.login_backoff.account_free_failures == 3);
  CHECK(s.login_backoff.address_free_failures == 9);
  CHECK(s.login_backoff.max_delay == std::chrono::seconds(60));

  for (auto bad : {"--max-commit-batch=0", "--member-cache-channels=0", "--db-pool=0",
                   "--commit-delay-us=-1", "--commit-delay-us=100001"}) {
    const char* one[] = {"chatd", bad};
    auto r = load_config(2, one, fake_env);
    CHECK_FALSE(r.settings);
    CHECK(r.exit_code == 2);
    CHECK(r.message.find(std::string(bad).substr(0, std::string(bad).find('='))) !=
          std::string::npos);
  }
}

TEST_CASE("config_help_and_bad_values", "[config]") {
  g_env.clear();
  const char* help[] = {"chatd", "--help"};
  auto h = load_config(2, help, fake_env);
  CHECK_FALSE(h.settings);
  CHECK(h.exit_code == 0);
  CHECK(h.message.find("--max-queue-bytes") != std::string::npos);
  CHECK(h.message.find("CHATD_LISTEN") != std::string::npos);
  CHECK(h.message.find("--max-commit-batch") != std::string::npos);
  CHECK(h.message.find("--member-cache-channels") != std::string::npos);
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
