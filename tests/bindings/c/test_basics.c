/* Version, names of codes, error reporting conventions, options and opening an engine. */
#include <stdint.h>

#include "check.h"
#include "tests.h"

void test_names_and_version(void) {
  char expected[32];
  snprintf(expected, sizeof expected, "%d.%d.%d", CHAT_C_VERSION_MAJOR, CHAT_C_VERSION_MINOR,
           CHAT_C_VERSION_PATCH);
  CHECK_STR(chat_version(), expected);

  CHECK_STR(chat_errc_to_string(CHAT_OK), "ok");
  CHECK_STR(chat_errc_to_string(CHAT_ERR_INVALID_ARGUMENT), "invalid_argument");
  CHECK_STR(chat_errc_to_string(CHAT_ERR_NOT_FOUND), "not_found");
  CHECK_STR(chat_errc_to_string(CHAT_ERR_FORBIDDEN), "forbidden");
  CHECK_STR(chat_errc_to_string(CHAT_ERR_CONFLICT), "conflict");
  CHECK_STR(chat_errc_to_string(CHAT_ERR_UNAUTHENTICATED), "unauthenticated");
  CHECK_STR(chat_errc_to_string(CHAT_ERR_UNAVAILABLE), "unavailable");
  CHECK_STR(chat_errc_to_string(CHAT_ERR_INTERNAL), "internal");
  CHECK_STR(chat_errc_to_string((chat_errc)99), "unknown");
  CHECK_STR(chat_errc_to_string((chat_errc)-1), "unknown");

  CHECK_STR(chat_role_to_string(CHAT_ROLE_MEMBER), "member");
  CHECK_STR(chat_role_to_string(CHAT_ROLE_ADMIN), "admin");
  CHECK_STR(chat_role_to_string(CHAT_ROLE_OWNER), "owner");
  CHECK_STR(chat_role_to_string((chat_role)3), "unknown");
  CHECK_STR(chat_channel_kind_to_string(CHAT_CHANNEL_GROUP), "group");
  CHECK_STR(chat_channel_kind_to_string(CHAT_CHANNEL_DIRECT), "direct");
  CHECK_STR(chat_channel_kind_to_string((chat_channel_kind)2), "unknown");
  CHECK_STR(chat_event_kind_to_string(CHAT_EVENT_MESSAGE_CREATED), "message_created");
  CHECK_STR(chat_event_kind_to_string(CHAT_EVENT_MEMBER_ROLE_CHANGED), "member_role_changed");
  CHECK_STR(chat_event_kind_to_string(CHAT_EVENT_TYPING), "typing");
  CHECK_STR(chat_event_kind_to_string(CHAT_EVENT_SESSION_REVOKED), "session_revoked");
  CHECK_STR(chat_event_kind_to_string(CHAT_EVENT_USER_UPDATED), "user_updated");
  CHECK_STR(chat_event_kind_to_string((chat_event_kind)11), "unknown");
}

void test_null_arguments_are_errors_not_crashes(void) {
  chat_error err;
  CHECK(chat_register_user(NULL, "alice", "alice-password", NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_check_database(NULL, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_mark_read(NULL, 1, 1, 1, NULL, &err) == -1);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_logout_everywhere(NULL, 1, &err) == -1);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_engine_connect(NULL, 1, 0, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_connection_poll(NULL, 0, 0, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);

  chat_engine* engine = open_test_engine();
  /* The error out-parameter is optional everywhere. */
  CHECK(chat_register_user(engine, NULL, "alice-password", NULL, NULL, NULL) == NULL);
  CHECK(chat_register_user(engine, "alice", NULL, NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(strstr(err.message, "password") != NULL);
  chat_user* alice = chat_register_user(engine, "alice", "alice-password", NULL, NULL, NULL);
  CHECK(alice != NULL);

  /* A successful call clears an error left over from a previous one. */
  err.code = CHAT_ERR_INTERNAL;
  strcpy(err.message, "stale");
  CHECK(chat_check_database(engine, &err));
  CHECK_OK(err);

  /* Every free function and close accepts NULL. */
  chat_user_free(NULL);
  chat_session_free(NULL);
  chat_channel_free(NULL);
  chat_message_free(NULL);
  chat_channel_list_free(NULL);
  chat_member_list_free(NULL);
  chat_message_list_free(NULL);
  chat_id_list_free(NULL);
  chat_sync_result_free(NULL);
  chat_event_free(NULL);
  chat_event_batch_free(NULL);
  chat_connection_close(NULL);
  chat_engine_options_free(NULL);
  chat_engine_close(NULL);
  CHECK(chat_event_copy(NULL) == NULL);
  CHECK(chat_connection_id(NULL) == 0);
  chat_connection_interrupt(NULL);

  chat_user_free(alice);
  chat_engine_close(engine);
}

void test_options_reject_bad_values(void) {
  chat_error err;
  chat_engine_options* options = chat_engine_options_new();
  CHECK(options != NULL);
  CHECK(!chat_engine_options_set_database(options, NULL, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_engine_options_set_database(options, "", &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_engine_options_set_pool_size(options, 0, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_engine_options_set_session_ttl(options, 0, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_engine_options_set_password_cost(options, (chat_password_cost)7, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_engine_options_set_max_commit_batch(options, 0, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_engine_options_set_commit_threads(options, 0, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_engine_options_set_commit_threads(options, 17, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_engine_options_set_member_cache_channels(options, 0, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_engine_options_set_commit_delay_us(options, -1, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_engine_options_set_commit_delay_us(options, CHAT_MAX_COMMIT_DELAY_US + 1, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_engine_options_set_pool_size(NULL, 1, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);

  CHECK(chat_engine_options_set_pool_size(options, 3, &err));
  CHECK_OK(err);
  CHECK(chat_engine_options_set_session_ttl(options, 3600, &err));
  CHECK(chat_engine_options_set_max_commit_batch(options, 16, &err));
  CHECK(chat_engine_options_set_commit_threads(options, 2, &err));
  CHECK(chat_engine_options_set_member_cache_channels(options, 100, &err));
  CHECK(chat_engine_options_set_commit_delay_us(options, 0, &err));
  CHECK(chat_engine_options_set_commit_delay_us(options, CHAT_MAX_COMMIT_DELAY_US, &err));
  CHECK_OK(err);
  CHECK(chat_engine_options_set_password_cost(options, CHAT_PASSWORD_COST_MINIMUM, &err));
  chat_engine_options_set_clock(options, NULL, NULL); /* back to the system clock */
  chat_engine_options_set_clock(NULL, NULL, NULL);    /* ignored */

  /* A malformed connection string is refused with a message. */
  CHECK(chat_engine_options_set_database(options, "nosuchbackend://db=x", &err));
  CHECK(chat_engine_open(options, &err) == NULL);
  CHECK(err.code == CHAT_ERR_INVALID_ARGUMENT || err.code == CHAT_ERR_UNAVAILABLE);
  CHECK(err.message[0] != '\0');
  /* A database that cannot be created. */
  CHECK(chat_engine_options_set_database(
      options, "sqlite3://db=/nonexistent-directory/for/libchat/tests/chat.db", &err));
  CHECK(chat_engine_open(options, &err) == NULL);
  CHECK(err.code != CHAT_OK && err.message[0] != '\0');
  CHECK(strlen(err.message) < CHAT_ERROR_MESSAGE_SIZE);
  chat_engine_options_free(options);
}

void test_error_messages_are_bounded_and_terminated(void) {
  /* A long, multi-byte database string must not overflow the message, whether or not the
   * message quotes it (cutting at a character boundary is tested in internal_test.cpp). */
  char database[1200] = "sqlite3://db=/nonexistent-directory/";
  for (int i = 0; i < 400; ++i) strcat(database, "\xc3\xa9");
  strcat(database, "/chat.db");
  chat_engine_options* options = chat_engine_options_new();
  chat_error err;
  CHECK(chat_engine_options_set_database(options, database, &err));
  CHECK(chat_engine_open(options, &err) == NULL);
  chat_engine_options_free(options);
  size_t n = strlen(err.message);
  CHECK(n > 0 && n < CHAT_ERROR_MESSAGE_SIZE);
  /* The message is whole UTF-8 characters. */
  size_t i = 0;
  while (i < n) {
    unsigned char c = (unsigned char)err.message[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    CHECK(i + len <= n);
    i += len;
  }
}

void test_open_with_default_options(void) {
  /* NULL options: "sqlite3://db=chat.db" in the working directory (ctest gives a scratch one). */
  remove("chat.db");
  chat_error err;
  chat_engine* engine = chat_engine_open(NULL, &err);
  CHECK_OK(err);
  CHECK(engine != NULL);
  CHECK(chat_check_database(engine, &err));
  CHECK_OK(err);
  chat_engine_close(engine);
  FILE* f = fopen("chat.db", "rb");
  CHECK(f != NULL);
  fclose(f);
  remove("chat.db");
}

void test_engine_reopens_a_file_database(void) {
  const char* path = "reopen_test.db";
  remove(path);
  char database[128];
  snprintf(database, sizeof database, "sqlite3://db=%s", path);
  chat_error err;
  for (int round = 0; round < 2; ++round) {
    chat_engine_options* options = chat_engine_options_new();
    CHECK(chat_engine_options_set_database(options, database, &err));
    CHECK(chat_engine_options_set_password_cost(options, CHAT_PASSWORD_COST_MINIMUM, &err));
    chat_engine* engine = chat_engine_open(options, &err);
    chat_engine_options_free(options);
    CHECK_OK(err);
    if (round == 0) {
      int64_t id = new_user(engine, "persisted");
      CHECK(id > 0);
    } else {
      chat_session* s = chat_login(engine, "persisted", "persisted-password", &err);
      CHECK_OK(err);
      CHECK_STR(s->user.username, "persisted");
      chat_session_free(s);
    }
    chat_engine_close(engine);
  }
  remove(path);
}
