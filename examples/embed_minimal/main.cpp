// The smallest embedding of libchat: an in-process engine on SQLite, no server.
// Usage: embed_minimal [database-file]   (default: embed_minimal.db in the working directory)
#include <chat/chat.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

// Prints the failure and ends the program; examples keep error handling visible but short.
template <typename T>
T must(chat::result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s failed: %s (%s)\n", what, chat::to_string(r.code()),
                 r.error().message().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

chat::user sign_up(chat::engine& engine, const std::string& name) {
  return must(engine.register_user({name, name + "-secret-pw", {}, {}}), "register");
}

void print_history(chat::engine& engine, chat::user_id reader, chat::channel_id channel,
                   const std::string& label) {
  auto page = must(engine.history(reader, channel, {}), "history");
  for (const chat::message& m : page.messages) {
    auto sender = must(engine.get_user(m.sender), "get_user");
    std::printf("[%s] #%lld %s: %s\n", label.c_str(), static_cast<long long>(m.seq),
                sender.username.c_str(), m.text.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "embed_minimal.db";
  std::remove(path.c_str());  // start from an empty database on every run

  chat::engine_options options;
  options.database = "sqlite3://db=" + path;
  auto engine = must(chat::engine::open(options), "open");

  auto alice = sign_up(*engine, "alice");
  auto bob = sign_up(*engine, "bob");
  auto carol = sign_up(*engine, "carol");

  // A direct conversation: one per pair of users, whoever opens it.
  auto dm = must(engine->open_direct(alice.id, bob.id), "open_direct");
  must(engine->send(alice.id, dm.id, "hi bob", "a-1"), "send");
  must(engine->send(bob.id, dm.id, "hi alice", "b-1"), "send");

  // A group channel with roles: alice owns it, carol joins as a member.
  auto team =
      must(engine->create_group(alice.id, "team", "launch planning", {carol.id}), "create_group");
  must(engine->send(alice.id, team.id, "welcome", "a-2"), "send");
  must(engine->send(carol.id, team.id, "thanks", "c-1"), "send");

  print_history(*engine, alice.id, dm.id, "dm alice-bob");
  print_history(*engine, carol.id, team.id, "team");
  return 0;
}
