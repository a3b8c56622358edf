/* Fixtures shared by the C API tests. */
#include <stdatomic.h>

#include "check.h"

static _Atomic long long g_now_ms = 1700000000000LL;

static int64_t test_clock(void* user_data) {
  (void)user_data;
  return atomic_load(&g_now_ms);
}

void advance_test_clock(long long ms) {
  atomic_fetch_add(&g_now_ms, ms);
}

static chat_engine* open_with(int with_clock) {
  chat_error err;
  chat_engine_options* options = chat_engine_options_new();
  CHECK(options != NULL);
  const char* database = getenv("CHAT_TEST_DATABASE");
  if (database == NULL || database[0] == '\0') database = "sqlite3://db=:memory:";
  CHECK(chat_engine_options_set_database(options, database, &err));
  CHECK_OK(err);
  CHECK(chat_engine_options_set_password_cost(options, CHAT_PASSWORD_COST_MINIMUM, &err));
  CHECK(chat_engine_options_set_pool_size(options, 2, &err));
  if (with_clock) chat_engine_options_set_clock(options, test_clock, NULL);
  chat_engine* engine = chat_engine_open(options, &err);
  chat_engine_options_free(options); /* the engine keeps its own copy */
  CHECK_OK(err);
  CHECK(engine != NULL);
  return engine;
}

chat_engine* open_test_engine(void) {
  return open_with(0);
}
chat_engine* open_test_engine_with_clock(void) {
  return open_with(1);
}

int64_t new_user(chat_engine* engine, const char* name) {
  char password[64];
  snprintf(password, sizeof password, "%s-password", name);
  chat_error err;
  chat_user* user = chat_register_user(engine, name, password, NULL, NULL, &err);
  CHECK_OK(err);
  CHECK(user != NULL && user->id > 0);
  int64_t id = user->id;
  chat_user_free(user);
  return id;
}

int64_t new_group(chat_engine* engine, int64_t owner, const char* name, const int64_t* members,
                  size_t member_count) {
  chat_error err;
  chat_channel* channel = chat_create_group(engine, owner, name, "", members, member_count, &err);
  CHECK_OK(err);
  CHECK(channel != NULL);
  int64_t id = channel->id;
  chat_channel_free(channel);
  return id;
}

int64_t send_text(chat_engine* engine, int64_t sender, int64_t channel, const char* text) {
  chat_error err;
  chat_message* m = chat_send(engine, sender, channel, text, NULL, NULL, &err);
  CHECK_OK(err);
  CHECK(m != NULL);
  int64_t seq = m->seq;
  chat_message_free(m);
  return seq;
}
