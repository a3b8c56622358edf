// flock(2) on "<database file>.lock": held by an open file description, so a second open of the
// lock file fails to lock it in this process as in another, and the kernel releases it when the
// process ends in any way (kill -9 included), so no stale lock survives a crash.
#include "store/sqlite/database_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/store.hpp"

namespace chat::detail {

std::string sqlite_database_file(const database_url& url) {
  for (const database_url::field& f : url.fields()) {
    if (f.key == "db" || f.key == "dbname") return f.value;
  }
  return {};
}

std::string sqlite_database_file(const std::string& parameters) {
  return sqlite_database_file(database_url::parse("sqlite3://" + parameters));
}

database_lock::database_lock(const std::string& parameters) {
  const std::string file = sqlite_database_file(parameters);
  if (file.empty() || file == ":memory:" || file.rfind("file:", 0) == 0) return;
  const std::string lock_path = file + ".lock";
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    if (errno == ENOENT) return;  // no such directory: the database open reports it
    throw store_error(store_error::kind::unavailable,
                      "cannot create the lock file " + lock_path + ": " + std::strerror(errno));
  }
  int rc;
  do {
    rc = ::flock(fd_, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK)
      throw store_error(store_error::kind::conflict,
                        "the database " + file +
                            " is in use by another engine (another chatd or program, or an "
                            "engine of this one, holds " +
                            lock_path + "); one engine per SQLite database");
    throw store_error(store_error::kind::unavailable,
                      "cannot lock " + lock_path + ": " + std::strerror(error));
  }
  path_ = lock_path;
}

database_lock::~database_lock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock; the file stays (removing it would race)
}

}  // namespace chat::detail
