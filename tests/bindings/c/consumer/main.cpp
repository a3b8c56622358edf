// An outside C++ program built with `pkg-config chat`: uses the C++ API and the C API together.
#include <chat.h>

#include <chat/chat.hpp>
#include <cstdio>

int main() {
  chat::engine_options options;
  options.database = "sqlite3://db=:memory:";
  options.password_hashing = chat::password_cost::minimum;
  auto engine = chat::engine::open(options);
  if (!engine) return 1;
  auto me = (*engine)->register_user({"outsider", "a long password", {}, {}});
  if (!me) return 2;
  std::printf("cxx consumer: libchat %s (C API %s), both APIs linked\n", chat::version(),
              chat_version());
  return 0;
}
