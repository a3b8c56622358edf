// Test environment helpers: temporary SQLite files, fresh MariaDB databases, private servers.
#pragma once

#include <string>

namespace chat::test {

// Value of environment variable `name`, or `fallback` if unset or empty.
std::string env_or(const char* name, const std::string& fallback);

// A process- and call-unique name such as "prefix_1234_7_a1b2", safe as a file or database name.
std::string unique_name(const std::string& prefix);

// $CHAT_TEST_TMP (default: <build>/tests/tmp), created if missing.
std::string temp_dir();

// "sqlite3://db=<fresh file>" under $CHAT_TEST_TMP (or /tmp). The file does not exist yet.
std::string sqlite_temp_url();

// Creates a uniquely named database on the $CHAT_TEST_MYSQL server (through the `mariadb` client,
// so this library needs no SOCI) and returns $CHAT_TEST_MYSQL with db= pointing at it.
// FAILs the current test if CHAT_TEST_MYSQL is unset.
std::string mysql_fresh_url();

// Runs `sql` (one or more statements) with the `mariadb` client on the database of `url`, a
// mysql:// string like $CHAT_TEST_MYSQL's. Returns the client's exit status (0: all succeeded).
int mysql_exec(const std::string& url, const std::string& sql);

// Replaces (or adds) the `key=value` option in a SOCI-style connection string.
std::string with_option(const std::string& url, const std::string& key, const std::string& value);

// Runs a shell command; returns its exit status (-1 if it could not run).
int run_shell(const std::string& command);

// A private MariaDB server (tests/support/mariadb.sh) in its own temp dir and TCP port, for tests
// that stop and restart the database. Stopped by the destructor.
class private_mariadb {
 public:
  private_mariadb();
  ~private_mariadb();
  private_mariadb(const private_mariadb&) = delete;
  private_mariadb& operator=(const private_mariadb&) = delete;

  bool start();  // true when ready (also when already running); may move to another port
  bool stop();   // true when stopped
  int port() const { return port_; }
  // Connection string for database chat_test over TCP.
  std::string url() const;

 private:
  std::string script_;
  std::string dir_;
  int port_;
};

}  // namespace chat::test
