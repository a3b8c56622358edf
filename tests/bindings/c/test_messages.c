/* Messages: send (idempotent, validated), history pages, sync, read markers, typing. */
#include "check.h"
#include "tests.h"

void test_send(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  int64_t alice = new_user(engine, "alice");
  int64_t bob = new_user(engine, "bob");
  int64_t carol = new_user(engine, "carol");
  chat_channel* dm = chat_open_direct(engine, alice, bob, &err);
  CHECK_OK(err);

  chat_message* m = chat_send(engine, alice, dm->id, "h\xc3\xa9llo bob", "a-1", NULL, &err);
  CHECK_OK(err);
  CHECK(m->id > 0 && m->channel_id == dm->id && m->seq == 1 && m->sender_id == alice);
  CHECK_STR(m->text, "h\xc3\xa9llo bob");
  CHECK_STR(m->client_msg_id, "a-1");
  CHECK(m->created_at > 0);

  /* A retry with the same client_msg_id returns the original message. */
  chat_message* retry = chat_send(engine, alice, dm->id, "h\xc3\xa9llo bob", "a-1", NULL, &err);
  CHECK_OK(err);
  CHECK(retry->id == m->id && retry->seq == 1);
  chat_message* plain = chat_send(engine, bob, dm->id, "hi", NULL, NULL, &err);
  CHECK_OK(err);
  CHECK(plain->seq == 2);
  CHECK_STR(plain->client_msg_id, "");

  CHECK(chat_send(engine, alice, dm->id, "", NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_send(engine, alice, dm->id, NULL, NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_send(engine, alice, dm->id, "bad \xc3", NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  static char too_long[2002];
  memset(too_long, 'x', 2001);
  CHECK(chat_send(engine, alice, dm->id, too_long, NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  char long_id[70];
  memset(long_id, 'k', 65);
  long_id[65] = '\0';
  CHECK(chat_send(engine, alice, dm->id, "x", long_id, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_send(engine, carol, dm->id, "let me in", NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  CHECK(chat_send(engine, alice, 777777, "anyone?", NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);

  chat_message_free(m);
  chat_message_free(retry);
  chat_message_free(plain);
  chat_channel_free(dm);
  chat_engine_close(engine);
}

void test_history(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  int64_t alice = new_user(engine, "alice");
  int64_t bob = new_user(engine, "bob");
  int64_t group = new_group(engine, alice, "numbers", NULL, 0);
  char text[16];
  for (int i = 1; i <= 7; ++i) {
    snprintf(text, sizeof text, "n%d", i);
    CHECK(send_text(engine, alice, group, text) == i);
  }

  chat_message_list* page = chat_history(engine, alice, group, CHAT_HISTORY_LATEST, 0, 3, &err);
  CHECK_OK(err);
  CHECK(page->count == 3 && page->has_more);
  CHECK(page->items[0].seq == 5 && page->items[2].seq == 7);
  CHECK_STR(page->items[2].text, "n7");
  chat_message_list_free(page);

  page = chat_history(engine, alice, group, CHAT_HISTORY_BEFORE, 5, 10, &err);
  CHECK_OK(err);
  CHECK(page->count == 4 && !page->has_more);
  CHECK(page->items[0].seq == 1 && page->items[3].seq == 4);
  chat_message_list_free(page);

  page = chat_history(engine, alice, group, CHAT_HISTORY_AFTER, 2, 2, &err);
  CHECK_OK(err);
  CHECK(page->count == 2 && page->has_more);
  CHECK(page->items[0].seq == 3 && page->items[1].seq == 4);
  chat_message_list_free(page);

  page = chat_history(engine, alice, group, CHAT_HISTORY_AFTER, 7, 50, &err);
  CHECK_OK(err);
  CHECK(page->count == 0 && page->items == NULL && !page->has_more);
  chat_message_list_free(page);

  CHECK(chat_history(engine, alice, group, (chat_history_direction)5, 0, 10, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_history(engine, alice, group, CHAT_HISTORY_BEFORE, -1, 10, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  CHECK(chat_history(engine, bob, group, CHAT_HISTORY_LATEST, 0, 10, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  CHECK(chat_history(engine, alice, 777777, CHAT_HISTORY_LATEST, 0, 10, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);
  chat_engine_close(engine);
}

void test_sync_and_read_markers(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  int64_t alice = new_user(engine, "alice");
  int64_t bob = new_user(engine, "bob");
  int64_t members[] = {bob};
  int64_t g1 = new_group(engine, alice, "one", members, 1);
  int64_t g2 = new_group(engine, alice, "two", members, 1);
  for (int i = 0; i < 3; ++i) send_text(engine, alice, g1, "in one");
  send_text(engine, alice, g2, "in two");

  chat_sync_result* all = chat_sync(engine, bob, NULL, 0, 200, &err);
  CHECK_OK(err);
  CHECK(all->count == 2);
  for (size_t i = 0; i < all->count; ++i) {
    const chat_channel_sync* c = &all->channels[i];
    CHECK(c->channel_id == g1 || c->channel_id == g2);
    CHECK(c->count == (c->channel_id == g1 ? 3u : 1u));
    CHECK(c->messages[0].seq == 1 && !c->has_more);
  }
  chat_sync_result_free(all);

  chat_sync_cursor cursors[] = {{g1, 2}, {g2, 1}};
  chat_sync_result* some = chat_sync(engine, bob, cursors, 2, 200, &err);
  CHECK_OK(err);
  CHECK(some->count == 1 && some->channels[0].channel_id == g1);
  CHECK(some->channels[0].count == 1 && some->channels[0].messages[0].seq == 3);
  chat_sync_result_free(some);

  chat_sync_result* limited = chat_sync(engine, bob, cursors, 1, 0, &err); /* clamped to 1 */
  CHECK_OK(err);
  CHECK(limited->count == 2);
  for (size_t i = 0; i < limited->count; ++i) CHECK(limited->channels[i].count == 1);
  chat_sync_result_free(limited);

  CHECK(chat_sync(engine, bob, NULL, 3, 10, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);

  /* Read markers move forward only and are clamped to the last seq. */
  CHECK(chat_mark_read(engine, bob, g1, 2, NULL, &err) == 2);
  CHECK_OK(err);
  CHECK(chat_mark_read(engine, bob, g1, 1, NULL, &err) == 2);
  CHECK(chat_mark_read(engine, bob, g1, 99, NULL, &err) == 3);
  CHECK(chat_mark_read(engine, bob, g1, -1, NULL, &err) == -1);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  int64_t outsider = new_user(engine, "outsider");
  CHECK(chat_mark_read(engine, outsider, g1, 1, NULL, &err) == -1);
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  chat_channel_list* list = chat_list_channels(engine, bob, &err);
  CHECK_OK(err);
  for (size_t i = 0; i < list->count; ++i)
    if (list->items[i].channel.id == g1) CHECK(list->items[i].unread == 0);
  chat_channel_list_free(list);

  /* typing is validated even with nobody online to tell. */
  CHECK(chat_typing(engine, bob, g1, NULL, &err));
  CHECK_OK(err);
  CHECK(!chat_typing(engine, outsider, g1, NULL, &err));
  CHECK_ERR(err, CHAT_ERR_FORBIDDEN);
  chat_engine_close(engine);
}
