// Test environment helpers (no dependency on the library under test).
#include "support/test_env.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <random>

#ifndef CHAT_TEST_MARIADB_SCRIPT_DEFAULT
#define CHAT_TEST_MARIADB_SCRIPT_DEFAULT "tests/support/mariadb.sh"
#endif
#ifndef CHAT_TEST_TMP_DEFAULT
#define CHAT_TEST_TMP_DEFAULT "/tmp"
#endif

namespace chat::test {
namespace {

std::atomic<int> g_counter{0};

std::string random_suffix() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 6; ++i) s += digits[rng() % 16];
  return s;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// The value of `key=` in a space-separated SOCI connection string, or "".
std::string option_of(const std::string& url, const std::string& key) {
  const std::string needle = key + "=";
  for (std::size_t pos = url.find(needle); pos != std::string::npos;
       pos = url.find(needle, pos + 1)) {
    if (pos == 0 || url[pos - 1] == ' ' || url[pos - 1] == '/') {
      const std::size_t start = pos + needle.size();
      const std::size_t end = url.find(' ', start);
      return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    }
  }
  return {};
}

}  // namespace

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::string unique_name(const std::string& prefix) {
  return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++g_counter) + "_" +
         random_suffix();
}

int run_shell(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status == -1) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string temp_dir() {
  const std::string dir = env_or("CHAT_TEST_TMP", CHAT_TEST_TMP_DEFAULT);
  run_shell("mkdir -p " + shell_quote(dir));
  return dir;
}

std::string sqlite_temp_url() {
  const std::string dir = temp_dir();
  return "sqlite3://db=" + dir + "/" + unique_name("chat") + ".db";
}

std::string with_option(const std::string& url, const std::string& key, const std::string& value) {
  const std::string needle = key + "=";
  for (std::size_t pos = url.find(needle); pos != std::string::npos;
       pos = url.find(needle, pos + 1)) {
    if (pos == 0 || url[pos - 1] == ' ' || url[pos - 1] == '/') {
      const std::size_t start = pos + needle.size();
      const std::size_t end = url.find(' ', start);
      return url.substr(0, start) + value + (end == std::string::npos ? "" : url.substr(end));
    }
  }
  return url + " " + key + "=" + value;
}

namespace {

// The `mariadb` client command line for the server (not the database) of a mysql:// string.
std::string mariadb_client(const std::string& url) {
  std::string target;
  const std::string socket = option_of(url, "unix_socket");
  if (!socket.empty()) {
    target = "-S " + shell_quote(socket);
  } else {
    target = "-h " + shell_quote(option_of(url, "host")) + " -P " +
             shell_quote(env_or("CHAT_TEST_MYSQL_PORT", option_of(url, "port")));
  }
  return "mariadb --no-defaults " + target + " -u" + shell_quote(option_of(url, "user")) + " -p" +
         shell_quote(option_of(url, "password"));
}

}  // namespace

int mysql_exec(const std::string& url, const std::string& sql) {
  return run_shell(mariadb_client(url) + " -D " + shell_quote(option_of(url, "db")) + " -e " +
                   shell_quote(sql) + " >/dev/null 2>&1");
}

std::string mysql_fresh_url() {
  const std::string base = env_or("CHAT_TEST_MYSQL", "");
  if (base.empty()) FAIL("CHAT_TEST_MYSQL is not set: [mariadb] tests need the ctest fixture");
  const std::string db = unique_name("chat_t");
  const std::string command =
      mariadb_client(base) + " -e " +
      shell_quote("CREATE DATABASE " + db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
  const int status = run_shell(command);
  if (status != 0) FAIL("could not create database " << db << " (exit " << status << ")");
  return with_option(base, "db", db);
}

private_mariadb::private_mariadb()
    : script_(env_or("CHAT_TEST_MARIADB_SCRIPT", CHAT_TEST_MARIADB_SCRIPT_DEFAULT)),
      dir_(temp_dir() + "/" + unique_name("mariadb")),
      port_(33062 + static_cast<int>(std::random_device{}() % 2000)) {}

private_mariadb::~private_mariadb() {
  stop();
  run_shell("rm -rf " + shell_quote(dir_));
}

bool private_mariadb::start() {
  const bool ok = run_shell(shell_quote(script_) + " start " + shell_quote(dir_) + " " +
                            std::to_string(port_) + " >/dev/null") == 0;
  // The script moves to the next free port if ours is taken; it records the one it used.
  std::ifstream used(dir_ + "/port");
  int port = 0;
  if (used >> port) port_ = port;
  return ok;
}

bool private_mariadb::stop() {
  return run_shell(shell_quote(script_) + " stop " + shell_quote(dir_) + " >/dev/null") == 0;
}

std::string private_mariadb::url() const {
  return "mysql://db=chat_test user=chat password=chat host=127.0.0.1 port=" +
         std::to_string(port_) + " charset=utf8mb4";
}

}  // namespace chat::test
