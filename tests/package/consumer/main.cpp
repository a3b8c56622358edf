// An outside program: links the installed libchat and sends one message in memory.
#include <chat/chat.hpp>
#include <cstdio>

int main() {
  chat::engine_options options;
  options.database = "sqlite3://db=:memory:";
  options.pool_size = 1;
  options.password_hashing = chat::password_cost::minimum;
  auto engine = chat::engine::open(options);
  if (!engine) return 1;
  auto me = (*engine)->register_user({"outsider", "a long password", {}, {}});
  if (!me) return 2;
  auto ch = (*engine)->create_group(me->id, "here", "");
  if (!ch) return 3;
  auto m = (*engine)->send(me->id, ch->id, "hello from outside");
  if (!m) return 4;
  std::printf("consumer: libchat %s, sent seq %lld\n", chat::version(),
              static_cast<long long>(m->seq));
  return 0;
}
