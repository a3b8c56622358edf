// The terminal client's state and commands on top of chat_session; prints readable lines.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "chat_session.hpp"

namespace chat::examples {

// Threading: run_line and every handler run on the session's I/O thread; the constructor,
// start() and the destructor on the main thread. Output goes to std::cout, a line at a time.
class terminal_app {
 public:
  explicit terminal_app(session_options options);
  ~terminal_app();

  bool start(std::string* error);  // HTTP login, then connects in the background
  // Runs one input line (a /command or text to send) on the I/O thread and waits until its
  // output is printed (at most `timeout_ms`).
  void execute(const std::string& line, long timeout_ms = 30000);
  static void print(const std::string& line);  // thread-safe

 private:
  using done_fn = std::function<void()>;
  void run_line(const std::string& line, done_fn done);
  void list(done_fn done);
  void open(const std::string& channel_id, done_fn done);
  void open_target(const std::string& target, done_fn done);
  void direct(const std::string& username, done_fn done);
  void group(const std::string& name, const std::vector<std::string>& usernames, done_fn done);
  void members(done_fn done);
  void send_text(const std::string& text);

  void on_ready(const json& summaries, bool resumed);
  void on_message(const json& message);
  void on_event(const json& event);
  void remember_channel(const json& channel, const json& peer);
  // Calls `then` once every user id and channel id given is named (asks the server if needed).
  void resolve(const std::vector<std::string>& user_ids,
               const std::vector<std::string>& channel_ids, done_fn then);
  void pump();  // prints queued live messages in arrival order once their names are known
  std::string label(const std::string& channel_id) const;
  std::string user_name(const std::string& user_id) const;
  std::string message_line(const json& message) const;
  void fail(const json& frame, done_fn done);

  // Owned by the I/O thread.
  std::map<std::string, std::string> users_;  // user id -> username
  std::map<std::string, json> channels_;      // channel id -> CHANNEL
  std::map<std::string, std::string> peers_;  // direct channel id -> the other user's id
  std::vector<std::string> listing_;          // channel ids as numbered by the last /list
  std::string current_;                       // the open conversation
  std::deque<json> print_queue_;
  bool resolving_ = false;  // a name lookup for the head of print_queue_ is under way
  std::unique_ptr<chat_session> session_;  // last: stopped first, before the state above goes
};

}  // namespace chat::examples
