// Commands and output of the terminal client; see terminal_app.hpp.
#include "terminal_app.hpp"

#include <algorithm>
#include <ctime>
#include <future>
#include <iostream>
#include <mutex>
#include <sstream>

namespace chat::examples {
namespace {

std::string clock_time(std::int64_t epoch_ms) {
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%H:%M", &tm);
  return buffer;
}

bool is_response(const json& frame) {
  return frame.value("type", "") == "response";
}
json result_of(const json& frame) {
  return frame.value("result", json::object());
}

const char* k_help =
    "commands:\n"
    "  /list                  conversations, newest first, with unread counts\n"
    "  /open N | NAME         open conversation N of /list (or #group, @user): recent history\n"
    "  /dm USER               open the direct conversation with USER\n"
    "  /group NAME [USER...]  create a group with these members and open it\n"
    "  /members               who is in the open conversation\n"
    "  /help, /quit\n"
    "  anything else          is sent to the open conversation";

}  // namespace

terminal_app::terminal_app(session_options options) {
  chat_session::handlers h;
  h.on_ready = [this](const json& summaries, bool resumed) { on_ready(summaries, resumed); };
  h.on_message = [this](const json& message, bool) { on_message(message); };
  h.on_event = [this](const json& event) { on_event(event); };
  h.on_status = [](const std::string& status) { print("! " + status); };
  session_ = std::make_unique<chat_session>(std::move(options), std::move(h));
}

terminal_app::~terminal_app() {
  session_.reset();
}

bool terminal_app::start(std::string* error) {
  return session_->start(error);
}

void terminal_app::print(const std::string& line) {
  static std::mutex output_mutex;
  std::lock_guard<std::mutex> lock(output_mutex);
  std::cout << line << std::endl;  // flushed: lines must show at once, also through a pipe
}

void terminal_app::execute(const std::string& line, long timeout_ms) {
  auto finished = std::make_shared<std::promise<void>>();
  auto future = finished->get_future();
  session_->post([this, line, finished] { run_line(line, [finished] { finished->set_value(); }); });
  if (future.wait_for(std::chrono::milliseconds(timeout_ms)) != std::future_status::ready) {
    print("! no answer yet; carrying on");
  }
}

void terminal_app::run_line(const std::string& line, done_fn done) {
  if (line.empty() || line[0] != '/') {
    send_text(line);
    return done();
  }
  std::istringstream in(line);
  std::string command;
  in >> command;
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  const bool need_connection = command != "/help";
  if (need_connection && !session_->ready()) {
    print("! not connected yet (reconnecting); messages you type are sent once connected");
    return done();
  }
  if (command == "/list") return list(done);
  if (command == "/open" && words.size() == 1) return open_target(words[0], done);
  if (command == "/dm" && words.size() == 1) return direct(words[0], done);
  if (command == "/group" && !words.empty()) {
    return group(words[0], std::vector<std::string>(words.begin() + 1, words.end()), done);
  }
  if (command == "/members") return members(done);
  print(k_help);
  done();
}

void terminal_app::fail(const json& frame, done_fn done) {
  print("! " + frame.value("code", std::string("error")) + ": " +
        frame.value("message", std::string()));
  done();
}

void terminal_app::list(done_fn done) {
  session_->request("list_channels", json::object(), [this, done](const json& frame) {
    if (!is_response(frame)) return fail(frame, done);
    json summaries = result_of(frame).value("channels", json::array());
    std::vector<std::string> senders;
    for (const auto& s : summaries) {
      remember_channel(s.value("channel", json::object()), s.value("peer", json()));
      if (s.contains("last_message")) senders.push_back(s["last_message"].value("sender_id", ""));
    }
    // Newest activity first: the last message's time, else the channel's creation.
    auto activity = [](const json& s) {
      const json& m = s.contains("last_message") ? s["last_message"] : s["channel"];
      return m.value("created_at", std::int64_t{0});
    };
    std::stable_sort(summaries.begin(), summaries.end(),
                     [&](const json& a, const json& b) { return activity(a) > activity(b); });
    resolve(senders, {}, [this, summaries, done] {
      listing_.clear();
      if (summaries.empty()) print("no conversations yet: /dm USER or /group NAME USER...");
      for (const auto& s : summaries) {
        const std::string id = s["channel"].value("id", "");
        listing_.push_back(id);
        std::string line = "  " + std::to_string(listing_.size()) + ". " + label(id);
        auto unread = s.value("unread", std::int64_t{0});
        if (unread > 0) line += " (" + std::to_string(unread) + " unread)";
        if (s.contains("last_message")) {
          const json& m = s["last_message"];
          line += " - " + user_name(m.value("sender_id", "")) + ": " + m.value("text", "");
        }
        print(line);
      }
      done();
    });
  });
}

void terminal_app::open_target(const std::string& target, done_fn done) {
  if (!target.empty() && std::all_of(target.begin(), target.end(), ::isdigit)) {
    std::size_t n = std::stoul(target);
    if (n >= 1 && n <= listing_.size()) return open(listing_[n - 1], done);
    print("! no conversation " + target + " in the last /list");
    return done();
  }
  for (const auto& [id, channel] : channels_) {
    if (label(id) == target || label(id).substr(1) == target) return open(id, done);
  }
  print("! no conversation named " + target + " (try /list)");
  done();
}

void terminal_app::open(const std::string& channel_id, done_fn done) {
  session_->request(
      "history", {{"channel_id", channel_id}, {"limit", 20}},
      [this, channel_id, done](const json& frame) {
        if (!is_response(frame)) return fail(frame, done);
        json messages = result_of(frame).value("messages", json::array());
        std::vector<std::string> senders;
        for (const auto& m : messages) senders.push_back(m.value("sender_id", ""));
        resolve(senders, {channel_id}, [this, channel_id, messages, frame, done] {
          current_ = channel_id;
          print("--- " + label(channel_id) +
                (result_of(frame).value("has_more", false) ? " (recent messages)" : "") + " ---");
          if (messages.empty()) print("  (no messages yet)");
          for (const auto& m : messages) print(message_line(m));
          print("--- type to send to " + label(channel_id) + "; /list to switch ---");
          if (!messages.empty()) {
            session_->request(
                "mark_read", {{"channel_id", channel_id}, {"seq", messages.back().value("seq", 0)}},
                nullptr);
          }
          done();
        });
      });
}

void terminal_app::direct(const std::string& username, done_fn done) {
  session_->request("open_direct", {{"username", username}}, [this, done](const json& frame) {
    if (!is_response(frame)) return fail(frame, done);
    json result = result_of(frame);
    remember_channel(result.value("channel", json::object()), result.value("peer", json()));
    open(result["channel"].value("id", ""), done);
  });
}

void terminal_app::group(const std::string& name, const std::vector<std::string>& usernames,
                         done_fn done) {
  // Usernames to ids first (get_user), then create_group with every id found.
  auto ids = std::make_shared<json>(json::array());
  auto left = std::make_shared<std::size_t>(usernames.size());
  auto create = [this, name, ids, done] {
    session_->request("create_group", {{"name", name}, {"member_ids", *ids}},
                      [this, done](const json& frame) {
                        if (!is_response(frame)) return fail(frame, done);
                        json channel = result_of(frame).value("channel", json::object());
                        remember_channel(channel, json());
                        open(channel.value("id", ""), done);
                      });
  };
  if (usernames.empty()) return create();
  for (const auto& username : usernames) {
    session_->request("get_user", {{"username", username}},
                      [this, username, ids, left, create](const json& frame) {
                        if (is_response(frame)) {
                          json user = result_of(frame).value("user", json::object());
                          users_[user.value("id", "")] = user.value("username", username);
                          ids->push_back(user.value("id", ""));
                        } else {
                          print("! no user " + username + "; creating the group without them");
                        }
                        if (--*left == 0) create();
                      });
  }
}

void terminal_app::members(done_fn done) {
  if (current_.empty()) {
    print("! open a conversation first (/list, /open N, /dm USER)");
    return done();
  }
  session_->request("list_members", {{"channel_id", current_}}, [this, done](const json& frame) {
    if (!is_response(frame)) return fail(frame, done);
    std::string line = "members of " + label(current_) + ":";
    for (const auto& m : result_of(frame).value("members", json::array())) {
      users_[m.value("user_id", "")] = m.value("username", "");
      line += " " + m.value("username", "") +
              (m.value("role", "") == "member" ? "" : " (" + m.value("role", "") + ")");
    }
    print(line);
    done();
  });
}

void terminal_app::send_text(const std::string& text) {
  if (current_.empty()) {
    print("! open a conversation first (/list, /open N, /dm USER)");
    return;
  }
  const std::string channel = current_;
  session_->send_message(channel, text, [this, channel](const json& frame) {
    if (!is_response(frame)) {
      print("! not sent to " + label(channel) + ": " + frame.value("code", std::string()) + " " +
            frame.value("message", std::string()));
      return;
    }
    // Shown once committed, in the same queue as incoming messages so the order holds.
    print_queue_.push_back(result_of(frame).value("message", json::object()));
    pump();
  });
}

void terminal_app::on_ready(const json& summaries, bool resumed) {
  std::int64_t unread = 0;
  for (const auto& s : summaries) {
    remember_channel(s.value("channel", json::object()), s.value("peer", json()));
    unread += s.value("unread", std::int64_t{0});
  }
  users_[session_->self_id()] = session_->self().value("username", "");
  if (resumed) {
    print("! reconnected; catching up");
  } else {
    print("signed in as " + session_->self().value("username", "") + ": " +
          std::to_string(summaries.size()) + " conversations, " + std::to_string(unread) +
          " unread. /list to see them, /help for commands.");
  }
}

void terminal_app::on_message(const json& message) {
  print_queue_.push_back(message);
  pump();
}

void terminal_app::pump() {
  while (!print_queue_.empty() && !resolving_) {
    const json m = print_queue_.front();
    const std::string sender = m.value("sender_id", ""), channel = m.value("channel_id", "");
    if (!users_.count(sender) || !channels_.count(channel)) {
      resolving_ = true;
      resolve({sender}, {channel}, [this] {
        resolving_ = false;
        pump();
      });
      return;
    }
    print_queue_.pop_front();
    if (channel == current_) {
      print(message_line(m));
      if (m.value("sender_id", "") != session_->self_id()) {
        session_->request("mark_read", {{"channel_id", channel}, {"seq", m.value("seq", 0)}},
                          nullptr);
      }
    } else {
      print("* [" + label(channel) + "] " + user_name(sender) + ": " + m.value("text", "") +
            "   (/open " + label(channel) + ")");
    }
  }
}

void terminal_app::on_event(const json& event) {
  const std::string name = event.value("event", "");
  if (name == "channel.created" || name == "channel.updated") {
    json channel = event.value("channel", json::object());
    remember_channel(channel, json());
    const std::string id = channel.value("id", "");
    if (event.value("actor_id", "") == session_->self_id()) return;  // my own doing
    resolve({event.value("actor_id", "")}, {id}, [this, id, name, event] {
      const std::string actor = user_name(event.value("actor_id", ""));
      if (name == "channel.updated") return print("* " + actor + " updated " + label(id));
      print("* " + actor +
            (channels_[id].value("kind", "") == "direct" ? " opened a conversation with you: "
                                                         : " added you to ") +
            label(id));
    });
  } else if (name == "member.added" || name == "member.removed") {
    const std::string id = event.value("channel_id", "");
    json member = event.value("member", json::object());
    users_[member.value("user_id", "")] = member.value("username", "");
    if (event.value("actor_id", "") == session_->self_id()) return;
    resolve({}, {id}, [this, id, name, member] {
      print("* " + member.value("username", "") + (name == "member.added" ? " joined " : " left ") +
            label(id));
    });
  }
}

void terminal_app::remember_channel(const json& channel, const json& peer) {
  const std::string id = channel.value("id", "");
  if (id.empty()) return;
  channels_[id] = channel;
  if (peer.is_object() && peer.contains("id")) {
    peers_[id] = peer.value("id", "");
    users_[peer.value("id", "")] = peer.value("username", "");
  }
}

void terminal_app::resolve(const std::vector<std::string>& user_ids,
                           const std::vector<std::string>& channel_ids, done_fn then) {
  auto left = std::make_shared<int>(1);  // 1 for this function itself, released at the end
  auto finish = [left, then] {
    if (--*left == 0) then();
  };
  std::set<std::string> asked;
  for (const auto& id : user_ids) {
    if (id.empty() || users_.count(id) || !asked.insert(id).second) continue;
    ++*left;
    session_->request("get_user", {{"user_id", id}}, [this, id, finish](const json& frame) {
      // A failed lookup still names the user, so that nothing waits for it forever.
      users_[id] = is_response(frame)
                       ? result_of(frame).value("user", json::object()).value("username", "")
                       : "user " + id;
      finish();
    });
  }
  for (const auto& id : channel_ids) {
    const bool direct_without_peer =
        channels_.count(id) && channels_[id].value("kind", "") == "direct" && !peers_.count(id);
    if (id.empty() || (channels_.count(id) && !direct_without_peer)) continue;
    ++*left;
    session_->request("list_members", {{"channel_id", id}}, [this, id, finish](const json& frame) {
      for (const auto& m : result_of(frame).value("members", json::array())) {
        users_[m.value("user_id", "")] = m.value("username", "");
        if (m.value("user_id", "") != session_->self_id()) peers_[id] = m.value("user_id", "");
      }
      if (channels_.count(id)) return finish();
      session_->request("get_channel", {{"channel_id", id}}, [this, id, finish](const json& f) {
        channels_[id] = is_response(f) ? result_of(f).value("channel", json::object())
                                       : json{{"id", id}, {"kind", "group"}, {"name", id}};
        finish();
      });
    });
  }
  finish();
}

std::string terminal_app::label(const std::string& channel_id) const {
  auto it = channels_.find(channel_id);
  if (it == channels_.end()) return "#" + channel_id;
  if (it->second.value("kind", "") == "direct") {
    auto peer = peers_.find(channel_id);
    return "@" + (peer == peers_.end() ? std::string("?") : user_name(peer->second));
  }
  return "#" + it->second.value("name", "");
}

std::string terminal_app::user_name(const std::string& user_id) const {
  auto it = users_.find(user_id);
  return it == users_.end() ? "user " + user_id : it->second;
}

std::string terminal_app::message_line(const json& m) const {
  return "  [" + clock_time(m.value("created_at", std::int64_t{0})) + "] " +
         user_name(m.value("sender_id", "")) + ": " + m.value("text", "");
}

}  // namespace chat::examples
