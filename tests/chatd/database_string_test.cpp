// redact_database: the secrets of a SOCI connection string never reach the log.
#include "config/database_string.hpp"

#include <catch2/catch.hpp>
#include <string>

using chat::chatd::redact_database;

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
