// bot: signs in to a running chatd and answers !commands in every channel it is a member of.
#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <cxxopts.hpp>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "chat_session.hpp"
#include "commands.hpp"
#include "http_api.hpp"

using chat::examples::chat_session;
using chat::examples::json;

namespace {

std::mutex output_mutex;

void say(const std::string& line) {
  std::lock_guard<std::mutex> lock(output_mutex);
  std::cout << "bot: " << line << std::endl;  // endl: the tests read this through a pipe
}

// "#team" or "@alice" from a SUMMARY or a CHANNEL (+ peer), for the log.
std::string channel_label(const json& channel, const json& peer) {
  if (channel.value("kind", "") == "direct") {
    return "@" + (peer.is_object() ? peer.value("username", "?") : std::string("?"));
  }
  return "#" + channel.value("name", "?");
}

// Owned by the session's I/O thread: the names of the channels the bot has seen.
struct bot_state {
  std::map<std::string, std::string> labels;  // channel id -> "#team" / "@alice"
  std::string label(const std::string& id) const {
    auto it = labels.find(id);
    return it == labels.end() ? "channel " + id : it->second;
  }
};

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options cli("bot", "Answers !ping, !echo, !time and !help in its chatd channels.");
  cli.add_options()("h,help", "print this help")(
      "url", "chatd base URL",
      cxxopts::value<std::string>()->default_value("http://127.0.0.1:8080"))(
      "username", "the bot's account", cxxopts::value<std::string>()->default_value("bot"))(
      "password", "its password (default: $CHAT_PASSWORD)", cxxopts::value<std::string>())(
      "register", "register the account first (an existing name is fine)")(
      "backoff-min-ms", "first reconnect delay", cxxopts::value<long>()->default_value("500"));
  cxxopts::ParseResult args;
  try {
    args = cli.parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "bot: " << e.what() << "\n" << cli.help() << std::endl;
    return 2;
  }
  if (args.count("help")) {
    std::cout << cli.help() << std::endl;
    return 0;
  }
  chat::examples::session_options options;
  options.base_url = args["url"].as<std::string>();
  options.username = args["username"].as<std::string>();
  if (args.count("password")) {
    options.password = args["password"].as<std::string>();
  } else if (const char* env = std::getenv("CHAT_PASSWORD")) {
    options.password = env;
  } else {
    std::cerr << "bot: give --password or set CHAT_PASSWORD" << std::endl;
    return 2;
  }
  options.backoff_min_ms = args["backoff-min-ms"].as<long>();

  if (args.count("register")) {
    std::string error;
    if (chat::examples::register_user(options.base_url, options.username, options.password,
                                      &error)) {
      say("registered " + options.username);
    } else if (error.rfind("conflict", 0) != 0) {
      std::cerr << "bot: register failed: " << error << std::endl;
      return 1;
    }
  }

  // SIGINT/SIGTERM are taken by sigwait below; blocked before any thread starts so that no
  // other thread gets them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto state = std::make_shared<bot_state>();
  chat_session* session_ptr = nullptr;  // set before start(); handlers run only after it
  chat_session::handlers handlers;
  handlers.on_status = [](const std::string& s) { say(s); };
  handlers.on_ready = [state, &session_ptr](const json& summaries, bool resumed) {
    std::string names;
    for (const auto& s : summaries) {
      const json channel = s.value("channel", json::object());
      std::string label = channel_label(channel, s.value("peer", json()));
      state->labels[channel.value("id", "")] = label;
      names += (names.empty() ? "" : ", ") + label;
    }
    say(std::string(resumed ? "reconnected" : "ready") + " as " +
        session_ptr->self().value("username", "") + " in " + std::to_string(summaries.size()) +
        " channels" + (names.empty() ? "" : ": " + names));
  };
  handlers.on_event = [state, &session_ptr](const json& event) {
    const std::string name = event.value("event", "");
    if (name == "channel.created" || name == "channel.updated") {
      const json channel = event.value("channel", json::object());
      const std::string id = channel.value("id", "");
      if (channel.value("kind", "") == "direct") {
        // The peer's name is not in the event: ask for the members once.
        session_ptr->request(
            "list_members", {{"channel_id", id}}, [state, id, &session_ptr](const json& reply) {
              json members = reply.value("result", json::object()).value("members", json::array());
              for (const auto& m : members) {
                if (m.value("user_id", "") != session_ptr->self_id()) {
                  state->labels[id] = "@" + m.value("username", "?");
                }
              }
              say("now in " + state->label(id));
            });
      } else {
        state->labels[id] = channel_label(channel, json());
        if (name == "channel.created") say("now in " + state->label(id));
      }
    } else if (name == "member.added" &&
               event.value("member", json::object()).value("user_id", "") ==
                   session_ptr->self_id()) {
      const std::string id = event.value("channel_id", "");
      session_ptr->request("get_channel", {{"channel_id", id}}, [state, id](const json& reply) {
        json channel = reply.value("result", json::object()).value("channel", json::object());
        if (channel.is_object() && channel.contains("name")) {
          state->labels[id] = channel_label(channel, json());
        }
        say("added to " + state->label(id));
      });
    }
  };
  handlers.on_message = [state, &session_ptr](const json& message, bool live) {
    if (message.value("sender_id", "") == session_ptr->self_id()) return;
    const std::string text = message.value("text", "");
    auto reply = chat::examples::answer_command(text, std::chrono::system_clock::now());
    if (!reply) return;
    const std::string channel = message.value("channel_id", "");
    const std::string command = text.substr(0, text.find(' '));
    session_ptr->send_message(channel, *reply, [state, channel, command, live](const json& frame) {
      if (frame.value("type", "") == "response") {
        say("answered " + command + " in " + state->label(channel) +
            (live ? "" : " (recovered by sync)"));
      } else {
        say("could not answer in " + state->label(channel) + ": " +
            frame.value("code", std::string()) + " " + frame.value("message", std::string()));
      }
    });
  };

  auto session = std::make_unique<chat_session>(options, std::move(handlers));
  session_ptr = session.get();
  std::string error;
  if (!session->start(&error)) {
    std::cerr << "bot: sign-in failed: " << error << std::endl;
    return 1;
  }
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  say("stopping");
  session.reset();
  return 0;
}
