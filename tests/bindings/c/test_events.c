/* Live events: polled connections, callback connections, and closing in every order. */
#define _GNU_SOURCE /* syscall(SYS_gettid) */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "tests.h"

/* Polls until an event of `kind` arrives (other kinds are skipped), or exits after ~5 s. */
static chat_event* expect_event(chat_connection* c, chat_event_kind kind) {
  for (int i = 0; i < 100; ++i) {
    chat_error err;
    chat_event_batch* batch = chat_connection_poll(c, 1, 50, &err);
    CHECK_OK(err);
    if (batch == NULL) continue;
    CHECK(batch->count == 1);
    chat_event* e = batch->events[0].kind == kind ? chat_event_copy(&batch->events[0]) : NULL;
    chat_event_batch_free(batch);
    if (e != NULL) return e;
  }
  fprintf(stderr, "no %s event arrived\n", chat_event_kind_to_string(kind));
  exit(1);
}

/* Takes everything queued now, freeing it; returns how many events there were. */
static size_t drain(chat_connection* c) {
  chat_error err;
  chat_event_batch* batch = chat_connection_poll(c, 0, 0, &err);
  CHECK_OK(err);
  size_t n = batch ? batch->count : 0;
  chat_event_batch_free(batch);
  return n;
}

void test_polled_events(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  int64_t alice = new_user(engine, "alice");
  int64_t bob = new_user(engine, "bob");
  int64_t carol = new_user(engine, "carol");

  CHECK(chat_engine_connect(engine, 777777, 0, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);
  chat_connection* a = chat_engine_connect(engine, alice, 0, &err);
  CHECK_OK(err);
  chat_connection* b = chat_engine_connect(engine, bob, 0, &err);
  CHECK_OK(err);
  CHECK(chat_connection_id(a) != 0 && chat_connection_id(a) != chat_connection_id(b));

  /* Nothing yet: a non-blocking poll and a short wait both return NULL with ok. */
  CHECK(chat_connection_poll(b, 0, 0, &err) == NULL);
  CHECK_OK(err);
  CHECK(chat_connection_poll(b, 0, 20, &err) == NULL);
  CHECK_OK(err);

  chat_channel* dm = chat_open_direct(engine, alice, bob, &err);
  CHECK_OK(err);
  chat_event* created = expect_event(b, CHAT_EVENT_CHANNEL_CREATED);
  CHECK(created->channel != NULL && created->channel->id == dm->id);
  CHECK(created->channel->kind == CHAT_CHANNEL_DIRECT);
  chat_event_free(created);

  /* The sender's own connection (origin) gets no event for its message; the peer does. */
  drain(a);
  chat_message* m = chat_send(engine, alice, dm->id, "ping", "c-1", a, &err);
  CHECK_OK(err);
  chat_event* e = expect_event(b, CHAT_EVENT_MESSAGE_CREATED);
  CHECK(e->channel_id == dm->id);
  CHECK(e->message != NULL && e->message->id == m->id && e->message->seq == 1);
  CHECK_STR(e->message->text, "ping");
  CHECK_STR(e->message->client_msg_id, "c-1");
  CHECK(e->json_size == strlen(e->json));
  CHECK(strstr(e->json, "\"event\":\"message.created\"") != NULL);
  CHECK(strstr(e->json, "\"text\":\"ping\"") != NULL);
  chat_event_free(e);
  chat_message_free(m);

  /* Presence: a contact's first connection announces them. Presence needs both users' choice
     of a shared conversation (docs/protocol.md, "Who may reach me"): bob opens the DM too. */
  chat_channel* dm_of_bob = chat_open_direct(engine, bob, alice, &err);
  CHECK_OK(err);
  CHECK(dm_of_bob->id == dm->id);
  chat_channel_free(dm_of_bob);
  drain(a); /* both online: opening it told each of them the other is online */
  drain(b);
  chat_connection* c2 = chat_engine_connect(engine, carol, 0, &err);
  CHECK_OK(err);
  chat_connection_close(c2); /* carol shares no channel: nobody is told */
  chat_connection* b2 = chat_engine_connect(engine, bob, 0, &err);
  CHECK_OK(err);
  CHECK(drain(a) == 0); /* bob was online already */
  chat_connection_close(b2);
  chat_connection_close(b);
  e = expect_event(a, CHAT_EVENT_PRESENCE);
  CHECK(e->actor_id == bob && !e->online && e->channel_id == 0);
  chat_event_free(e);
  b = chat_engine_connect(engine, bob, 0, &err);
  e = expect_event(a, CHAT_EVENT_PRESENCE);
  CHECK(e->actor_id == bob && e->online);
  chat_event_free(e);
  chat_id_list* online = chat_online_contacts(engine, alice, &err);
  CHECK_OK(err);
  CHECK(online->count == 1 && online->ids[0] == bob);
  chat_id_list_free(online);

  /* Typing, read markers (to my other sessions), membership and channel updates. */
  CHECK(chat_typing(engine, alice, dm->id, a, &err));
  e = expect_event(b, CHAT_EVENT_TYPING);
  CHECK(e->actor_id == alice && e->member != NULL);
  CHECK_STR(e->member->username, "alice");
  chat_event_free(e);
  chat_connection* b_phone = chat_engine_connect(engine, bob, 0, &err);
  CHECK(chat_mark_read(engine, bob, dm->id, 1, b, &err) == 1);
  e = expect_event(b_phone, CHAT_EVENT_READ_MARKER);
  CHECK(e->channel_id == dm->id && e->read_seq == 1);
  chat_event_free(e);
  chat_connection_close(b_phone);
  /* The origin connection a got no event of alice's own message. Marker: bob's answer, which
     comes after any such event (a connection gets a channel's messages in seq order). */
  chat_message* answer = chat_send(engine, bob, dm->id, "pong", NULL, b, &err);
  CHECK_OK(err);
  e = expect_event(a, CHAT_EVENT_MESSAGE_CREATED);
  CHECK(e->message != NULL && e->message->id == answer->id);
  chat_event_free(e);
  chat_message_free(answer);

  int64_t group = new_group(engine, alice, "team", NULL, 0);
  drain(b);
  CHECK(chat_add_member(engine, alice, group, bob, CHAT_ROLE_MEMBER, &err));
  e = expect_event(b, CHAT_EVENT_MEMBER_ADDED);
  CHECK(e->channel_id == group && e->member != NULL && e->member->user_id == bob);
  CHECK(e->actor_id == alice);
  chat_event_free(e);
  CHECK(chat_set_role(engine, alice, group, bob, CHAT_ROLE_ADMIN, &err));
  e = expect_event(b, CHAT_EVENT_MEMBER_ROLE_CHANGED);
  CHECK(e->member->role == CHAT_ROLE_ADMIN);
  chat_event_free(e);
  chat_channel* renamed = chat_rename_channel(engine, alice, group, "crew", &err);
  chat_channel_free(renamed);
  e = expect_event(b, CHAT_EVENT_CHANNEL_UPDATED);
  CHECK_STR(e->channel->name, "crew");
  chat_event_free(e);
  CHECK(chat_remove_member(engine, alice, group, bob, &err));
  e = expect_event(b, CHAT_EVENT_MEMBER_REMOVED);
  CHECK(e->member->user_id == bob);
  chat_event_free(e);

  chat_connection_close(a);
  chat_connection_close(b);
  chat_channel_free(dm);
  chat_engine_close(engine);
}

void test_poll_batches_and_bounded_queue(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  int64_t alice = new_user(engine, "alice");
  int64_t bob = new_user(engine, "bob");
  int64_t members[] = {bob};
  int64_t group = new_group(engine, alice, "flood", members, 1);

  chat_connection* all = chat_engine_connect(engine, bob, 0, &err);
  chat_connection* small = chat_engine_connect(engine, bob, 2, &err);
  CHECK_OK(err);
  for (int i = 0; i < 5; ++i) send_text(engine, alice, group, "flood");

  chat_event_batch* batch = chat_connection_poll(all, 3, 0, &err);
  CHECK_OK(err);
  CHECK(batch->count == 3 && batch->dropped == 0);
  for (size_t i = 0; i < batch->count; ++i) {
    CHECK(batch->events[i].kind == CHAT_EVENT_MESSAGE_CREATED);
    CHECK(batch->events[i].message->seq == (int64_t)i + 1); /* in commit order */
  }
  chat_event_batch_free(batch);
  batch = chat_connection_poll(all, 0, 0, &err);
  CHECK(batch->count == 2 && batch->events[1].message->seq == 5);
  chat_event_batch_free(batch);

  /* The bounded queue kept the first two and counted the three it dropped. */
  batch = chat_connection_poll(small, 0, 0, &err);
  CHECK_OK(err);
  CHECK(batch->count == 2 && batch->dropped == 3);
  CHECK(batch->events[0].message->seq == 1);
  chat_event_batch_free(batch);
  send_text(engine, alice, group, "after");
  batch = chat_connection_poll(small, 0, 1000, &err);
  CHECK(batch->count == 1 && batch->dropped == 0);
  chat_event_batch_free(batch);

  chat_connection_close(all);
  chat_connection_close(small);
  chat_engine_close(engine);
}

struct waiter {
  chat_connection* connection;
  int returned_null;
  chat_errc code;
  atomic_long tid; /* the polling thread's Linux thread id, once it runs */
};

static void* wait_forever(void* arg) {
  struct waiter* w = arg;
  atomic_store(&w->tid, (long)syscall(SYS_gettid));
  chat_error err;
  chat_event_batch* batch = chat_connection_poll(w->connection, 0, -1, &err);
  w->returned_null = batch == NULL;
  w->code = err.code;
  chat_event_batch_free(batch);
  return NULL;
}

/* Waits (at most ~5 s) until the waiter's thread sleeps (state S in /proc), that is blocks in
   its poll: an interrupt sent before the poll starts would only be latched, and the test would
   pass without a blocked poll being woken. */
static void wait_until_blocked(struct waiter* w) {
  struct timespec tick = {0, 1000 * 1000};
  for (int i = 0; i < 5000; ++i, nanosleep(&tick, NULL)) {
    long tid = atomic_load(&w->tid);
    if (tid == 0) continue;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tid);
    FILE* f = fopen(path, "r");
    if (f == NULL) continue;
    char state = 0;
    int fields = fscanf(f, "%*d (%*[^)]) %c", &state);
    fclose(f);
    if (fields == 1 && state == 'S') return;
  }
  fprintf(stderr, "the polling thread did not block within 5 s\n");
  exit(1);
}

void test_interrupt_wakes_a_blocked_poll(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  int64_t alice = new_user(engine, "alice");
  chat_connection* c = chat_engine_connect(engine, alice, 0, &err);
  CHECK_OK(err);

  /* An interrupt before the poll makes the next poll return at once. */
  chat_connection_interrupt(c);
  CHECK(chat_connection_poll(c, 0, -1, &err) == NULL);
  CHECK_OK(err);

  struct waiter w = {c, 0, CHAT_ERR_INTERNAL, 0};
  pthread_t thread;
  CHECK(pthread_create(&thread, NULL, wait_forever, &w) == 0);
  wait_until_blocked(&w);
  chat_connection_interrupt(c);
  CHECK(pthread_join(thread, NULL) == 0);
  CHECK(w.returned_null && w.code == CHAT_OK);

  /* Closing the engine wakes a poller too, which then learns the engine is gone. */
  w.code = CHAT_ERR_INTERNAL;
  atomic_store(&w.tid, 0);
  CHECK(pthread_create(&thread, NULL, wait_forever, &w) == 0);
  wait_until_blocked(&w);
  chat_engine_close(engine);
  CHECK(pthread_join(thread, NULL) == 0);
  CHECK(w.returned_null && w.code == CHAT_ERR_UNAVAILABLE);
  chat_connection_close(c);
}

/* ---- Callback connections ---- */

struct collected {
  pthread_mutex_t mutex;
  chat_event* events[64];
  int count;
  chat_connection* self; /* closed from inside the callback when close_on_event is set */
  int close_on_event;
};

static void collect(const chat_event* event, void* user_data) {
  struct collected* c = user_data;
  pthread_mutex_lock(&c->mutex);
  if (c->count < 64) c->events[c->count++] = chat_event_copy(event);
  int close_now = c->close_on_event && c->self != NULL;
  chat_connection* self = c->self;
  if (close_now) c->self = NULL;
  pthread_mutex_unlock(&c->mutex);
  if (close_now) chat_connection_close(self); /* allowed from inside the callback */
}

static int count_of(struct collected* c) {
  pthread_mutex_lock(&c->mutex);
  int n = c->count;
  pthread_mutex_unlock(&c->mutex);
  return n;
}

void test_callback_events(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  int64_t alice = new_user(engine, "alice");
  int64_t bob = new_user(engine, "bob");
  int64_t members[] = {bob};
  int64_t group = new_group(engine, alice, "cb", members, 1);

  CHECK(chat_engine_connect_callback(engine, bob, NULL, NULL, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  struct collected got = {PTHREAD_MUTEX_INITIALIZER, {0}, 0, NULL, 0};
  CHECK(chat_engine_connect_callback(engine, 777777, collect, &got, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_NOT_FOUND);
  chat_connection* c = chat_engine_connect_callback(engine, bob, collect, &got, &err);
  CHECK_OK(err);
  CHECK(chat_connection_poll(c, 0, 0, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_INVALID_ARGUMENT);
  chat_connection_interrupt(c); /* no effect on a callback connection */

  /* chat_send returns after the commit; the commit thread delivered before acknowledging. */
  send_text(engine, alice, group, "one");
  send_text(engine, alice, group, "two");
  CHECK(count_of(&got) == 2);
  CHECK(got.events[0]->kind == CHAT_EVENT_MESSAGE_CREATED);
  CHECK_STR(got.events[0]->message->text, "one");
  CHECK_STR(got.events[1]->message->text, "two");
  CHECK(strstr(got.events[1]->json, "\"two\"") != NULL);

  /* After close returns, the callback is never called again. */
  chat_connection_close(c);
  send_text(engine, alice, group, "three");
  CHECK(count_of(&got) == 2);

  /* A callback may close its own connection. */
  struct collected self = {PTHREAD_MUTEX_INITIALIZER, {0}, 0, NULL, 1};
  chat_connection* c2 = chat_engine_connect_callback(engine, bob, collect, &self, &err);
  CHECK_OK(err);
  pthread_mutex_lock(&self.mutex);
  self.self = c2;
  pthread_mutex_unlock(&self.mutex);
  send_text(engine, alice, group, "four");
  send_text(engine, alice, group, "five");
  CHECK(count_of(&self) == 1);
  CHECK_STR(self.events[0]->message->text, "four");

  for (int i = 0; i < got.count; ++i) chat_event_free(got.events[i]);
  for (int i = 0; i < self.count; ++i) chat_event_free(self.events[i]);
  chat_engine_close(engine);
}

void test_engine_close_detaches_open_connections(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  int64_t alice = new_user(engine, "alice");
  int64_t bob = new_user(engine, "bob");
  int64_t members[] = {bob};
  int64_t group = new_group(engine, alice, "last", members, 1);
  chat_connection* polled = chat_engine_connect(engine, bob, 0, &err);
  struct collected got = {PTHREAD_MUTEX_INITIALIZER, {0}, 0, NULL, 0};
  chat_connection* called = chat_engine_connect_callback(engine, bob, collect, &got, &err);
  CHECK_OK(err);
  send_text(engine, alice, group, "before close");

  chat_engine_close(engine); /* both connections still open */

  /* What was queued can still be read; then the poll reports the engine gone. */
  chat_event_batch* batch = chat_connection_poll(polled, 0, 0, &err);
  CHECK_OK(err);
  CHECK(batch != NULL && batch->count == 1);
  chat_event_batch_free(batch);
  CHECK(chat_connection_poll(polled, 0, 0, &err) == NULL);
  CHECK_ERR(err, CHAT_ERR_UNAVAILABLE);
  CHECK(chat_connection_poll(polled, 0, -1, &err) == NULL); /* does not wait forever */
  CHECK_ERR(err, CHAT_ERR_UNAVAILABLE);
  CHECK(count_of(&got) == 1);
  chat_connection_close(polled);
  chat_connection_close(called);
  chat_event_free(got.events[0]);
}

void test_event_copy_is_deep(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  int64_t alice = new_user(engine, "alice");
  int64_t bob = new_user(engine, "bob");
  chat_connection* b = chat_engine_connect(engine, bob, 0, &err);
  int64_t members[] = {bob};
  new_group(engine, alice, "copied", members, 1);
  chat_event_batch* batch = chat_connection_poll(b, 0, 1000, &err);
  CHECK_OK(err);
  CHECK(batch != NULL && batch->events[0].kind == CHAT_EVENT_CHANNEL_CREATED);
  chat_event* copy = chat_event_copy(&batch->events[0]);
  CHECK(copy != NULL && copy->json != batch->events[0].json);
  chat_event_batch_free(batch); /* the copy owns its own strings */
  CHECK_STR(copy->channel->name, "copied");
  CHECK(strstr(copy->json, "channel.created") != NULL);
  CHECK(copy->message == NULL);
  chat_event_free(copy);
  chat_connection_close(b);
  chat_engine_close(engine);
}

/* ---- A callback that calls back into the engine ---- */

struct reentry {
  chat_engine* engine;
  int64_t alice, bob, carol, group;
  int added_carol;  /* what the callback's own chat_add_member returned */
  int64_t added[8]; /* the members of member_added events, in delivery order */
  int added_count;
  pthread_mutex_t mutex; /* guards done and ok, set by the thread making the outer call */
  pthread_cond_t finished;
  int done, ok;
};

/* When bob is added, adds carol to the same channel from inside the callback. */
static void add_carol_when_bob_joins(const chat_event* event, void* user_data) {
  struct reentry* r = user_data;
  if (event->kind != CHAT_EVENT_MEMBER_ADDED || event->member == NULL) return;
  if (r->added_count < 8) r->added[r->added_count++] = event->member->user_id;
  if (event->member->user_id == r->bob) {
    chat_error err;
    r->added_carol =
        chat_add_member(r->engine, r->alice, r->group, r->carol, CHAT_ROLE_MEMBER, &err);
  }
}

static void* add_bob(void* arg) {
  struct reentry* r = arg;
  chat_error err;
  int ok = chat_add_member(r->engine, r->alice, r->group, r->bob, CHAT_ROLE_MEMBER, &err);
  pthread_mutex_lock(&r->mutex);
  r->ok = ok;
  r->done = 1;
  pthread_mutex_unlock(&r->mutex);
  pthread_cond_signal(&r->finished);
  return NULL;
}

void test_callback_may_call_back_into_the_engine(void) {
  chat_engine* engine = open_test_engine();
  chat_error err;
  struct reentry r = {
      .engine = engine, .mutex = PTHREAD_MUTEX_INITIALIZER, .finished = PTHREAD_COND_INITIALIZER};
  r.alice = new_user(engine, "alice");
  r.bob = new_user(engine, "bob");
  r.carol = new_user(engine, "carol");
  r.group = new_group(engine, r.alice, "reentry", NULL, 0);
  chat_connection* b =
      chat_engine_connect_callback(engine, r.bob, add_carol_when_bob_joins, &r, &err);
  CHECK_OK(err);

  /* The outer call runs on a thread of its own with a deadline: a deadlock (the engine calling
     the callback while holding the channel's lock) fails the test instead of hanging it. */
  pthread_t thread;
  CHECK(pthread_create(&thread, NULL, add_bob, &r) == 0);
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 30;
  pthread_mutex_lock(&r.mutex);
  int waited = 0;
  while (!r.done && waited != ETIMEDOUT)
    waited = pthread_cond_timedwait(&r.finished, &r.mutex, &deadline);
  int done = r.done;
  pthread_mutex_unlock(&r.mutex);
  if (!done) {
    fprintf(stderr, "chat_add_member called from a callback did not return: deadlock\n");
    fflush(stderr);
    _Exit(1); /* the stuck thread holds the engine: no cleanup */
  }
  CHECK(pthread_join(thread, NULL) == 0);

  CHECK(r.ok);
  CHECK(r.added_carol);
  /* Both events reached bob, the outer change first. */
  CHECK(r.added_count == 2);
  CHECK(r.added[0] == r.bob && r.added[1] == r.carol);
  chat_connection_close(b);
  chat_engine_close(engine);
}
