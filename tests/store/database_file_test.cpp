// The SQLite lock file (database_lock.hpp) is named after the database file of the connection
// parameters, however they are written; a lock file that cannot be created refuses the open.
#include <fstream>
#include <string>

#include "store/sqlite/database_lock.hpp"
#include "store/store_fixture.hpp"

using chat::detail::sqlite_database_file;

TEST_CASE("the_database_file_is_read_from_db_or_dbname_quoted_or_not", "[store][lock]") {
  CHECK(sqlite_database_file("db=/data/chat.db") == "/data/chat.db");
  CHECK(sqlite_database_file("db=/data/chat.db timeout=5") == "/data/chat.db");
  CHECK(sqlite_database_file("timeout=5 db=/data/chat.db") == "/data/chat.db");
  CHECK(sqlite_database_file("  timeout=5   dbname=/data/chat.db") == "/data/chat.db");
  // Quoted values may hold spaces; the quote ends the value.
  CHECK(sqlite_database_file("db=\"/data/my chat.db\" timeout=5") == "/data/my chat.db");
  CHECK(sqlite_database_file("timeout=5 db='/data/my chat.db'") == "/data/my chat.db");
  CHECK(sqlite_database_file("vfs='unix dotfile' db=/data/chat.db") == "/data/chat.db");
  CHECK(sqlite_database_file("db='/data/unterminated") == "/data/unterminated");
  // A key that only ends in "db" is another option.
  CHECK(sqlite_database_file("nodb=/x timeout=5") == "");
  CHECK(sqlite_database_file("timeout=5") == "");
  CHECK(sqlite_database_file("") == "");
  CHECK(sqlite_database_file("/data/chat.db") == "");
}

TEST_CASE("two_locks_on_one_file_written_two_ways_collide", "[store][lock]") {
  const std::string dir = chat::test::temp_dir() + "/" + chat::test::unique_name("lock dir");
  REQUIRE(chat::test::run_shell("mkdir -p '" + dir + "'") == 0);
  const std::string file = dir + "/chat.db";
  chat::detail::database_lock first("db='" + file + "' timeout=5");
  CHECK(first.path() == file + ".lock");
  try {
    chat::detail::database_lock second("timeout=1 dbname=\"" + file + "\"");
    FAIL("a second lock on " << file << " was taken");
  } catch (const chat::detail::store_error& e) {
    CHECK(e.error_kind() == chat::detail::store_error::kind::conflict);
  }
}

TEST_CASE("a_lock_file_that_cannot_be_created_refuses_the_open_as_unavailable", "[store][lock]") {
  // The database's "directory" is a regular file: open(2) fails with ENOTDIR, not ENOENT.
  const std::string not_a_dir = chat::test::temp_dir() + "/" + chat::test::unique_name("file");
  std::ofstream(not_a_dir) << "not a directory\n";
  try {
    chat::detail::database_lock lock("db=" + not_a_dir + "/chat.db");
    FAIL("a lock under a regular file was taken: " << lock.path());
  } catch (const chat::detail::store_error& e) {
    CHECK(e.error_kind() == chat::detail::store_error::kind::unavailable);
    CHECK_THAT(e.what(),
               Catch::Contains("cannot create the lock file " + not_a_dir + "/chat.db.lock") &&
                   Catch::Contains("Not a directory"));
  }
  // No such directory at all: nothing is locked, the database open reports it.
  chat::detail::database_lock none("db=" + not_a_dir + "-missing/chat.db");
  CHECK(none.path() == "");
}
