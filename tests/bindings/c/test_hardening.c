/* Issue 12, L10: event kinds past typing reach C typed, session lifetimes are bounded. */
#include <stdint.h>

#include "check.h"

void test_session_revoked_reaches_c_as_its_own_kind(void) {
  chat_engine* engine = open_test_engine();
  const int64_t alice = new_user(engine, "alice");
  chat_error err;
  chat_connection* c = chat_engine_connect(engine, alice, 0, &err);
  CHECK_OK(err);
  CHECK(chat_logout_everywhere(engine, alice, &err) == 0); /* no session, one connection */
  CHECK_OK(err);
  chat_event_batch* batch = chat_connection_poll(c, 0, 5000, &err);
  CHECK_OK(err);
  CHECK(batch != NULL);
  const chat_event* last = &batch->events[batch->count - 1];
  CHECK(last->kind == CHAT_EVENT_SESSION_REVOKED);
  CHECK(last->actor_id == alice);
  CHECK(last->user == NULL);
  CHECK_STR(chat_event_kind_to_string(last->kind), "session_revoked");
  chat_event* copy = chat_event_copy(last);
  CHECK(copy != NULL && copy->kind == CHAT_EVENT_SESSION_REVOKED);
  chat_event_free(copy);
  chat_event_batch_free(batch);
  CHECK_STR(chat_event_kind_to_string(CHAT_EVENT_USER_UPDATED), "user_updated");
  CHECK_STR(chat_event_kind_to_string((chat_event_kind)11), "unknown");
  chat_connection_close(c);
  chat_engine_close(engine);
}

void test_session_ttl_is_bounded(void) {
  chat_error err;
  chat_engine_options* options = chat_engine_options_new();
  CHECK(options != NULL);
  CHECK(!chat_engine_options_set_session_ttl(options, CHAT_MAX_SESSION_TTL_SECONDS + 1, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_engine_options_set_session_ttl(options, INT64_MAX, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_engine_options_set_session_ttl(options, CHAT_MAX_SESSION_TTL_SECONDS, &err));
  CHECK_OK(err);
  CHECK(chat_engine_options_set_database(options, "sqlite3://db=:memory:", &err));
  CHECK(chat_engine_options_set_password_cost(options, CHAT_PASSWORD_COST_MINIMUM, &err));
  chat_engine* engine = chat_engine_open(options, &err);
  chat_engine_options_free(options);
  CHECK_OK(err);
  const int64_t alice = new_user(engine, "alice");
  chat_session* session = chat_create_session(engine, alice, &err);
  CHECK_OK(err);
  CHECK(session != NULL);
  CHECK(session->expires_at > session->user.created_at); /* no overflow into the past */
  chat_user* user = chat_authenticate(engine, session->token, &err);
  CHECK_OK(err);
  CHECK(user != NULL && user->id == alice);
  chat_user_free(user);
  chat_session_free(session);
  chat_engine_close(engine);
}
