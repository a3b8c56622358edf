// Sessions of the line protocol: parsing commands, calling the engine, queueing writes.
#include "line_server.hpp"

#include <chat/wire.hpp>
#include <deque>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace line_chat {
namespace {

constexpr std::size_t k_max_line = 8192;

// One line to write: either a reply, or an event whose JSON is shared by every recipient.
struct outgoing {
  std::string text;
  chat::event_ptr event;
};

struct outcome {
  std::string reply;  // one or more lines, each ending in '\n'
  bool close = false;
};

std::string error_line(const chat::status& s) {
  return std::string("ERR ") + chat::to_string(s.code()) + " " + s.message() + "\n";
}

// Splits off the first space-separated word; `rest` keeps everything after one space.
std::string next_word(std::string& rest) {
  const std::size_t space = rest.find(' ');
  std::string word = rest.substr(0, space);
  rest = space == std::string::npos ? std::string() : rest.substr(space + 1);
  return word;
}

bool parse_id(const std::string& s, std::int64_t& out) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  out = std::stoll(s);
  return true;
}

class session;

// The engine's handle on a session: it only posts events to the session's strand. It holds
// the session weakly, so a closed session is freed even if an event is on its way.
class session_events final : public chat::session_sink {
 public:
  explicit session_events(std::weak_ptr<session> s) : session_(std::move(s)) {}
  void deliver(const chat::event_ptr& e) override;

 private:
  std::weak_ptr<session> session_;
};

class session : public std::enable_shared_from_this<session> {
 public:
  session(asio::ip::tcp::socket socket, chat::engine& engine, asio::thread_pool& workers)
      : socket_(std::move(socket)), engine_(engine), workers_(workers) {}

  void start() { read_line(); }

  // From any thread (the engine's): queue an event line on the strand.
  void push(chat::event_ptr e) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), e = std::move(e)] {
      self->enqueue(outgoing{{}, e});
    });
  }

 private:
  void read_line() {
    asio::async_read_until(socket_, asio::dynamic_buffer(input_, k_max_line), '\n',
                           [self = shared_from_this()](std::error_code ec, std::size_t n) {
                             if (ec) return self->finish(ec == asio::error::not_found);
                             std::string line = self->input_.substr(0, n - 1);
                             self->input_.erase(0, n);
                             if (!line.empty() && line.back() == '\r') line.pop_back();
                             // The engine call waits on the database: run it on a worker, then
                             // reply here.
                             asio::post(self->workers_, [self, line = std::move(line)] {
                               outcome done = self->execute(line);
                               asio::post(self->socket_.get_executor(),
                                          [self, done = std::move(done)] {
                                            self->enqueue(outgoing{done.reply, nullptr});
                                            if (done.close)
                                              self->closing_ = true;
                                            else
                                              self->read_line();
                                          });
                             });
                           });
  }

  // The client went away (or sent a line that is too long): leave the engine on a worker.
  void finish(bool line_too_long) {
    if (line_too_long) {
      enqueue(outgoing{"ERR invalid_argument line too long\n", nullptr});
      closing_ = true;
      return;
    }
    asio::post(workers_, [self = shared_from_this()] { self->leave_engine(); });
  }

  void leave_engine() {
    if (connection_ != 0) engine_.disconnect(connection_);
    connection_ = 0;
  }

  void enqueue(outgoing line) {
    queue_.push_back(std::move(line));
    if (queue_.size() == 1) write_next();  // otherwise a write is in flight
  }

  void write_next() {
    static const std::string k_event = "EVENT ";
    static const std::string k_newline = "\n";
    const outgoing& front = queue_.front();
    std::vector<asio::const_buffer> buffers;
    if (front.event) {
      buffers = {asio::buffer(k_event), asio::buffer(front.event->json), asio::buffer(k_newline)};
    } else {
      buffers = {asio::buffer(front.text)};
    }
    asio::async_write(socket_, buffers,
                      [self = shared_from_this()](std::error_code ec, std::size_t) {
                        if (ec) return;  // the read side notices and cleans up
                        self->queue_.pop_front();
                        if (!self->queue_.empty()) {
                          self->write_next();
                        } else if (self->closing_) {
                          std::error_code ignored;
                          self->socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
                          asio::post(self->workers_, [self] { self->leave_engine(); });
                        }
                      });
  }

  // Runs one command on a worker thread. Only one command of a session runs at a time, so
  // user_ and connection_ need no lock.
  outcome execute(std::string line) {
    const std::string command = next_word(line);
    if (command == "REGISTER") {
      const std::string name = next_word(line);
      auto user = engine_.register_user({name, line, {}, {}});
      if (!user) return {error_line(user.error())};
      return {"OK user " + std::to_string(user->id) + "\n"};
    }
    if (command == "LOGIN") {
      const std::string name = next_word(line);
      auto grant = engine_.login(name, line);
      if (!grant) return {error_line(grant.error())};
      if (connection_ != 0) engine_.disconnect(connection_);
      user_ = grant->account.id;
      connection_ = engine_.connect(user_, std::make_shared<session_events>(weak_from_this()));
      return {"OK session " + std::to_string(user_) + " " + grant->token + "\n"};
    }
    if (command == "QUIT") return {"OK bye\n", true};
    if (user_ == 0) return {"ERR unauthenticated LOGIN first\n"};

    if (command == "DM") {
      auto peer = engine_.find_user(line);
      if (!peer) return {error_line(peer.error())};
      auto dm = engine_.open_direct(user_, peer->id);
      if (!dm) return {error_line(dm.error())};
      return {"OK channel " + std::to_string(dm->id) + "\n"};
    }
    if (command == "GROUP") {
      const std::string name = next_word(line);
      std::vector<chat::user_id> members;
      for (std::string who = next_word(line); !who.empty(); who = next_word(line)) {
        auto member = engine_.find_user(who);
        if (!member) return {error_line(member.error())};
        members.push_back(member->id);
      }
      auto group = engine_.create_group(user_, name, "", members);
      if (!group) return {error_line(group.error())};
      return {"OK channel " + std::to_string(group->id) + "\n"};
    }
    if (command == "SEND") {
      chat::channel_id channel = 0;
      if (!parse_id(next_word(line), channel)) return {"ERR invalid_argument bad channel id\n"};
      // Blocks this worker until the message is durable; `connection_` as origin: the
      // sender's own socket gets the OK, not an EVENT, for it.
      auto sent = engine_.send(user_, channel, line, {}, connection_);
      if (!sent) return {error_line(sent.error())};
      return {"OK message " + std::to_string(sent->seq) + "\n"};
    }
    if (command == "HISTORY") {
      chat::channel_id channel = 0;
      if (!parse_id(next_word(line), channel)) return {"ERR invalid_argument bad channel id\n"};
      chat::history_query query;
      std::int64_t limit = 0;
      if (parse_id(line, limit)) query.limit = static_cast<int>(std::min<std::int64_t>(limit, 200));
      auto page = engine_.history(user_, channel, query);
      if (!page) return {error_line(page.error())};
      std::string out;
      for (const chat::message& m : page->messages) out += "MSG " + chat::wire::to_json(m) + "\n";
      return {out + "OK history " + std::to_string(page->messages.size()) + "\n"};
    }
    if (command == "CHANNELS") {
      // Page by page (each within the engine's reply budget), all of them.
      std::string out;
      std::size_t count = 0;
      for (chat::channel_id after = 0;;) {
        auto page = engine_.list_channels(user_, after);
        if (!page) return {error_line(page.error())};
        for (const auto& s : page->channels) out += "CHANNEL " + chat::wire::to_json(s) + "\n";
        count += page->channels.size();
        if (!page->has_more || page->channels.empty()) break;
        after = page->channels.back().channel.id;
      }
      return {out + "OK channels " + std::to_string(count) + "\n"};
    }
    return {"ERR invalid_argument unknown command " + command + "\n"};
  }

  asio::ip::tcp::socket socket_;  // its executor is this session's strand
  chat::engine& engine_;
  asio::thread_pool& workers_;
  std::string input_;           // strand
  std::deque<outgoing> queue_;  // strand; the front is being written
  bool closing_ = false;        // strand
  chat::user_id user_ = 0;      // the worker running this session's command
  chat::connection_id connection_ = 0;
};

void session_events::deliver(const chat::event_ptr& e) {
  if (auto s = session_.lock()) s->push(e);
}

}  // namespace

server::server(asio::io_context& io, const asio::ip::tcp::endpoint& at, chat::engine& engine,
               asio::thread_pool& workers)
    : io_(io), acceptor_(io, at), engine_(engine), workers_(workers) {
  accept();
}

void server::stop() {
  std::error_code ignored;
  acceptor_.close(ignored);
}

void server::accept() {
  acceptor_.async_accept(
      asio::make_strand(io_), [this](std::error_code ec, asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;  // stopped
        if (!ec) std::make_shared<session>(std::move(socket), engine_, workers_)->start();
        accept();
      });
}

}  // namespace line_chat
