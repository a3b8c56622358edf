/* Accounts and sessions: register, login, authenticate, logout, lookups, passwords. */
#include "check.h"
#include "tests.h"

void test_register_and_lookup(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;

  chat_user* alice =
      chat_register_user(engine, "Alice", "alice-password", "alice@example.com", "+1 555", &err);
  CHECK_OK(err);
  CHECK(alice->id > 0);
  CHECK_STR(alice->username, "Alice");
  CHECK_STR(alice->email, "alice@example.com");
  CHECK_STR(alice->phone, "+1 555");
  CHECK(alice->created_at > 0);

  chat_user* bob = chat_register_user(engine, "bob", "bob-password", NULL, NULL, &err);
  CHECK_OK(err);
  CHECK(bob->email == NULL && bob->phone == NULL);
  CHECK(bob->id != alice->id);

  /* Names are unique ignoring ASCII case. */
  CHECK(chat_register_user(engine, "ALICE", "other-password", NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_CONFLICT);
  /* Rules: 3..20 of [A-Za-z0-9_.-]; passwords at least 8 bytes; emails look like a@b. */
  CHECK(chat_register_user(engine, "no spaces", "long-enough", NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_register_user(engine, "al", "long-enough", NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_register_user(engine, "carol", "short", NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_register_user(engine, "carol", "long-enough", "not-an-email", NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_register_user(engine, "carol", "long-enough", NULL, "letters", &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_register_user(engine, "carol", "\xff\xfe invalid utf8", NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);

  chat_user* found = chat_get_user(engine, alice->id, &err);
  CHECK_OK(err);
  CHECK_STR(found->username, "Alice");
  CHECK_STR(found->email, "alice@example.com");
  chat_user_free(found);
  CHECK(chat_get_user(engine, 999999, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);

  found = chat_find_user(engine, "aLiCe", &err);
  CHECK_OK(err);
  CHECK(found->id == alice->id);
  chat_user_free(found);
  CHECK(chat_find_user(engine, "nobody", &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);
  CHECK(chat_find_user(engine, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);

  chat_user_free(alice);
  chat_user_free(bob);
  chat_engine_close(engine);
}

void test_sessions(void) {
  chat_engine* engine = open_test_engine_with_clock();
  chat_error err;
  int64_t alice = new_user(engine, "alice");

  chat_session* s = chat_login(engine, "alice", "alice-password", &err);
  CHECK_OK(err);
  CHECK(s->token != NULL && strlen(s->token) >= 20);
  CHECK(s->user.id == alice);
  CHECK_STR(s->user.username, "alice");
  CHECK(s->expires_at > 0);

  /* Wrong password and unknown user fail alike. */
  chat_error wrong, unknown;
  CHECK(chat_login(engine, "alice", "not-the-password", &wrong) == NULL);
  CHECK_ERR(wrong, CHAT_ERR_UNAUTHENTICATED);
  CHECK(chat_login(engine, "nobody", "alice-password", &unknown) == NULL);
  CHECK_ERR(unknown, CHAT_ERR_UNAUTHENTICATED);
  CHECK_STR(wrong.message, unknown.message);
  CHECK(chat_login(engine, NULL, "x", &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);

  chat_user* who = chat_authenticate(engine, s->token, &err);
  CHECK_OK(err);
  CHECK(who->id == alice);
  chat_user_free(who);
  CHECK(chat_authenticate(engine, "not-a-token", &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_UNAUTHENTICATED);
  CHECK(chat_authenticate(engine, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);

  /* Logout revokes exactly that session. */
  chat_session* other = chat_create_session(engine, alice, &err);
  CHECK_OK(err);
  CHECK(strcmp(other->token, s->token) != 0);
  CHECK(chat_logout(engine, s->token, &err));
  CHECK_OK(err);
  CHECK(chat_authenticate(engine, s->token, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_UNAUTHENTICATED);
  CHECK(!chat_logout(engine, s->token, &err));
  CHECK_ERR(err, CHAT_ERR_UNAUTHENTICATED);
  CHECK(!chat_logout(engine, NULL, &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  who = chat_authenticate(engine, other->token, &err);
  CHECK_OK(err);
  chat_user_free(who);
  CHECK(chat_create_session(engine, 424242, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);

  /* Sessions expire after the TTL (30 days by default) without use. */
  advance_test_clock(31LL * 24 * 3600 * 1000);
  CHECK(chat_authenticate(engine, other->token, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_UNAUTHENTICATED);

  chat_session* a = chat_login(engine, "alice", "alice-password", &err);
  chat_session* b = chat_login(engine, "alice", "alice-password", &err);
  CHECK_OK(err);
  CHECK(chat_logout_everywhere(engine, alice, &err) == 2);
  CHECK_OK(err);
  CHECK(chat_authenticate(engine, a->token, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_UNAUTHENTICATED);
  CHECK(chat_logout_everywhere(engine, alice, &err) == 0);

  chat_session_free(a);
  chat_session_free(b);
  chat_session_free(s);
  chat_session_free(other);
  chat_engine_close(engine);
}

void test_change_password(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  int64_t alice = new_user(engine, "alice");
  CHECK(!chat_change_password(engine, alice, "wrong-password", "new-password", &err));
  CHECK_ERR(err, CHAT_ERR_UNAUTHENTICATED);
  CHECK(!chat_change_password(engine, alice, "alice-password", "short", &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_change_password(engine, alice, NULL, "new-password", &err));
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(!chat_change_password(engine, 999999, "alice-password", "new-password", &err));
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);
  CHECK(chat_change_password(engine, alice, "alice-password", "new-password", &err));
  CHECK_OK(err);
  CHECK(chat_login(engine, "alice", "alice-password", &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_UNAUTHENTICATED);
  chat_session* s = chat_login(engine, "alice", "new-password", &err);
  CHECK_OK(err);
  chat_session_free(s);
  chat_engine_close(engine);
}
