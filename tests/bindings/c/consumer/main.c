/* An outside C program: links the installed libchat_c and sends one message in memory. */
#include <chat.h>
#include <stdio.h>

int main(void) {
  chat_error err;
  chat_engine_options* options = chat_engine_options_new();
  chat_engine_options_set_database(options, "sqlite3://db=:memory:", &err);
  chat_engine_options_set_password_cost(options, CHAT_PASSWORD_COST_MINIMUM, &err);
  chat_engine* engine = chat_engine_open(options, &err);
  chat_engine_options_free(options);
  if (!engine) return 1;
  chat_user* me = chat_register_user(engine, "outsider", "a long password", NULL, NULL, &err);
  if (!me) return 2;
  chat_channel* here = chat_create_group(engine, me->id, "here", NULL, NULL, 0, &err);
  if (!here) return 3;
  chat_message* m = chat_send(engine, me->id, here->id, "hello from C", NULL, NULL, &err);
  if (!m) return 4;
  printf("c_consumer: libchat %s, sent seq %lld\n", chat_version(), (long long)m->seq);
  chat_message_free(m);
  chat_channel_free(here);
  chat_user_free(me);
  chat_engine_close(engine);
  return 0;
}
