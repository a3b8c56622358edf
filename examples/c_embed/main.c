/* embed_minimal, written against the C API (chat.h): an in-process engine on SQLite, no server.
 * Usage: c_embed [database-file]   (default: c_embed.db in the working directory) */
#include <chat.h>
#include <stdio.h>
#include <stdlib.h>

/* Prints the failure and ends the program; examples keep error handling visible but short. */
static void must(const chat_error* err, const char* what) {
  if (err->code != CHAT_OK) {
    fprintf(stderr, "%s failed: %s (%s)\n", what, chat_errc_to_string(err->code), err->message);
    exit(1);
  }
}

static int64_t sign_up(chat_engine* engine, const char* name) {
  char password[64];
  snprintf(password, sizeof password, "%s-secret-pw", name);
  chat_error err;
  chat_user* user = chat_register_user(engine, name, password, NULL, NULL, &err);
  must(&err, "register");
  int64_t id = user->id;
  chat_user_free(user); /* every returned object is freed with its chat_*_free function */
  return id;
}

static void send_text(chat_engine* engine, int64_t sender, int64_t channel, const char* text,
                      const char* client_msg_id) {
  chat_error err;
  chat_message* m = chat_send(engine, sender, channel, text, client_msg_id, NULL, &err);
  must(&err, "send");
  chat_message_free(m);
}

static void print_history(chat_engine* engine, int64_t reader, int64_t channel, const char* label) {
  chat_error err;
  chat_message_list* page = chat_history(engine, reader, channel, CHAT_HISTORY_LATEST, 0, 50, &err);
  must(&err, "history");
  for (size_t i = 0; i < page->count; ++i) {
    const chat_message* m = &page->items[i];
    chat_user* sender = chat_get_user(engine, m->sender_id, &err);
    must(&err, "get_user");
    printf("[%s] #%lld %s: %s\n", label, (long long)m->seq, sender->username, m->text);
    chat_user_free(sender);
  }
  chat_message_list_free(page);
}

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "c_embed.db";
  remove(path); /* start from an empty database on every run */
  char database[1024];
  snprintf(database, sizeof database, "sqlite3://db=%s", path);

  chat_error err;
  chat_engine_options* options = chat_engine_options_new();
  chat_engine_options_set_database(options, database, &err);
  must(&err, "options");
  chat_engine* engine = chat_engine_open(options, &err);
  chat_engine_options_free(options); /* the engine keeps its own copy */
  must(&err, "open");

  int64_t alice = sign_up(engine, "alice");
  int64_t bob = sign_up(engine, "bob");
  int64_t carol = sign_up(engine, "carol");

  /* A direct conversation: one per pair of users, whoever opens it. */
  chat_channel* dm = chat_open_direct(engine, alice, bob, &err);
  must(&err, "open_direct");
  send_text(engine, alice, dm->id, "hi bob", "a-1");
  send_text(engine, bob, dm->id, "hi alice", "b-1");

  /* A group channel with roles: alice owns it, carol joins as a member. */
  int64_t members[] = {carol};
  chat_channel* team =
      chat_create_group(engine, alice, "team", "launch planning", members, 1, &err);
  must(&err, "create_group");
  send_text(engine, alice, team->id, "welcome", "a-2");
  send_text(engine, carol, team->id, "thanks", "c-1");

  print_history(engine, alice, dm->id, "dm alice-bob");
  print_history(engine, carol, team->id, "team");

  chat_channel_free(dm);
  chat_channel_free(team);
  chat_engine_close(engine);
  return 0;
}
