// database_url: the one parser of the database URL (SOCI's connection string). Its splitting
// rules, the lookups the store makes with it, and redacted(): secrets never reach a log.
#include "chat/database_url.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "store/sqlite/database_lock.hpp"

using chat::database_url;

namespace {

std::string redact_database(const std::string& text) {
  return database_url::parse(text).redacted();
}

}  // namespace

TEST_CASE("a_database_url_splits_into_scheme_and_fields_the_way_soci_reads_them", "[config]") {
  const auto url = database_url::parse(
      "mysql://db=chat  user = chat password='s3 cr\\'et' host=\"h\" port=3306 x=a\\ b db=other");
  CHECK(url.scheme() == "mysql");
  CHECK(url.complete());
  REQUIRE(url.fields().size() == 7);
  CHECK(url.value("db") == "chat");  // the first of two
  CHECK(url.value("user") == "chat");
  CHECK(url.value("password") == "s3 cr'et");
  CHECK(url.fields()[2].written == "'s3 cr\\'et'");
  CHECK(url.value("host") == "h");
  CHECK(url.value("port") == "3306");
  CHECK(url.value("x") == "a b");
  CHECK(url.has("port"));
  CHECK_FALSE(url.has("Port"));  // keys compare exactly
  CHECK_FALSE(url.has("timeout"));
  CHECK(url.parameters() ==
        "db=chat  user = chat password='s3 cr\\'et' host=\"h\" port=3306 x=a\\ b db=other");

  const auto plain = database_url::parse("db=chat.db timeout=5");
  CHECK(plain.scheme().empty());
  CHECK(plain.parameters() == "db=chat.db timeout=5");
  CHECK(plain.value("timeout") == "5");
  CHECK(database_url::parse("sqlite3://").fields().empty());
  CHECK(database_url::parse("sqlite3://").complete());
}

TEST_CASE("a_database_url_that_cannot_be_split_keeps_the_fields_before", "[config]") {
  const auto bad_key = database_url::parse("sqlite3://db=a.db timeout 5 synchronous=off");
  CHECK_FALSE(bad_key.complete());
  CHECK(bad_key.value("db") == "a.db");
  CHECK_FALSE(bad_key.has("synchronous"));
  // An unclosed quote runs to the end (the lock file follows SOCI's SQLite reading here).
  const auto unclosed = database_url::parse("sqlite3://timeout=5 db='/data/unterminated");
  CHECK_FALSE(unclosed.complete());
  CHECK(unclosed.value("db") == "/data/unterminated");
  CHECK(unclosed.redacted() == "sqlite3://timeout=5 ***");
  CHECK_FALSE(database_url::parse("mysql://pass=x\\").complete());
}

TEST_CASE("the_sqlite_database_file_is_the_first_db_or_dbname_field", "[config]") {
  using chat::detail::sqlite_database_file;
  CHECK(sqlite_database_file(database_url::parse("sqlite3://dbname=/a.db db=/b.db")) == "/a.db");
  CHECK(sqlite_database_file(database_url::parse("sqlite3://timeout=5")).empty());
  CHECK(sqlite_database_file("db='/x y/chat.db'") == "/x y/chat.db");
}

TEST_CASE("every_spelling_of_the_database_password_is_masked", "[config]") {
  CHECK(redact_database("mysql://db=chat user=chat password=s3cret unix_socket=/run/my.sock") ==
        "mysql://db=chat user=chat password=*** unix_socket=/run/my.sock");
  // SOCI's MySQL backend reads `pass` as well as `password` (the finding).
  CHECK(redact_database("mysql://db=chat user=chat pass=s3cret host=127.0.0.1 port=3306") ==
        "mysql://db=chat user=chat pass=*** host=127.0.0.1 port=3306");
  CHECK(redact_database("mysql://pass=s3cret") == "mysql://pass=***");
  // White space around '=', quotes, escapes and other letter cases.
  CHECK(redact_database("mysql://user = chat  pass =  s3cret db=chat") ==
        "mysql://user=chat pass=*** db=chat");
  CHECK(redact_database("mysql://db=chat password='s3 cr\\'et' user=chat") ==
        "mysql://db=chat password=*** user=chat");
  CHECK(redact_database("mysql://db=chat PASSWORD=\"two words\" user=chat") ==
        "mysql://db=chat PASSWORD=*** user=chat");
  CHECK(redact_database("mysql://db=chat pass=s3\\ cret user=chat") ==
        "mysql://db=chat pass=*** user=chat");
  CHECK(redact_database("mysql://db=chat pwd=a client_secret=b auth_token=c") ==
        "mysql://db=chat pwd=*** client_secret=*** auth_token=***");
}

TEST_CASE("a_connection_string_that_cannot_be_split_is_masked_from_there_on", "[config]") {
  CHECK(redact_database("mysql://user=chat password='s3cret") == "mysql://user=chat ***");
  CHECK(redact_database("mysql://user=chat pass word=s3cret") == "mysql://user=chat ***");
  CHECK(redact_database("mysql://user=chat s3cret") == "mysql://user=chat ***");
  CHECK(redact_database("mysql://user=chat =s3cret") == "mysql://user=chat ***");
  CHECK(redact_database("mysql://user=chat pass=s3cret\\") == "mysql://user=chat ***");
}

TEST_CASE("connection_strings_without_secrets_are_logged_as_they_are", "[config]") {
  CHECK(redact_database("sqlite3://db=/var/lib/chatd/chat.db timeout=5") ==
        "sqlite3://db=/var/lib/chatd/chat.db timeout=5");
  CHECK(redact_database("sqlite3://db=\"/path with space/chat.db\"") ==
        "sqlite3://db=\"/path with space/chat.db\"");
  CHECK(redact_database("") == "");
}
