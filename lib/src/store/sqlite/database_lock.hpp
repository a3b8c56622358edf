// An exclusive lock on an SQLite database file for the lifetime of one store: a second engine on
// the same file, in this process or another, is refused instead of running beside the first.
#pragma once

#include <string>

#include "chat/database_url.hpp"

namespace chat::detail {

class database_lock {
 public:
  // Locks `<database file>.lock` (flock, exclusive, non-blocking) for the SQLite file named by
  // `parameters` (the part of a connection string after "sqlite3://"). Nothing is locked for
  // ":memory:" or when the file's directory does not exist (opening the database then fails
  // with its own error). Throws store_error: conflict if another holder has the lock,
  // unavailable if the lock file cannot be created.
  explicit database_lock(const std::string& parameters);
  ~database_lock();
  database_lock(const database_lock&) = delete;
  database_lock& operator=(const database_lock&) = delete;

  // The path of the lock file, "" if nothing is locked.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// The database file named by an SQLite URL ("sqlite3://db=/x/chat.db timeout=5") or by its
// parameters ("db=/x/chat.db timeout=5"): the value of the first db= or dbname=, without
// quotes; "" if there is none.
std::string sqlite_database_file(const database_url& url);
std::string sqlite_database_file(const std::string& parameters);

}  // namespace chat::detail
