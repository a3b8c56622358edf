// An outside program: links libchat (installed, or added with add_subdirectory) and sends one
// message in memory; with CHAT_CONSUMER_WITH_OIDC it also links chat::oidc and calls it.
#include <chat/chat.hpp>
#include <cstdio>
#ifdef CHAT_CONSUMER_WITH_OIDC
#include <oidc/oidc.hpp>
#endif

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
#ifdef CHAT_CONSUMER_WITH_OIDC
  auto config = chat::oidc::parse_config("{\"providers\": 1}");
  if (config) return 5;
  std::printf("consumer: chat::oidc linked, a bad configuration is %s\n",
              chat::oidc::to_string(config.code()));
#endif
  return 0;
}
