// The C API's live events: polled queues and callback sinks behind chat_connection handles.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>

#include "c_api.hpp"

namespace chat_c {

// A polled connection's queue. deliver() runs on engine threads and only appends; poll() runs
// on the application's thread. mutex_ guards every member.
class queue_sink final : public chat::session_sink {
 public:
  explicit queue_sink(std::size_t max_queued) : max_queued_(max_queued) {}

  void deliver(const chat::event_ptr& e) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_) return;
      if (max_queued_ != 0 && queue_.size() >= max_queued_) {
        ++dropped_;
        return;
      }
      try {
        queue_.push_back(e);
      } catch (const std::bad_alloc&) {
        ++dropped_;  // never throw into the engine; the client catches up through sync
        return;
      }
    }
    ready_.notify_one();
  }

  struct taken {
    std::vector<chat::event_ptr> events;
    std::uint64_t dropped = 0;
    bool closed = false;
  };

  taken take(std::size_t max_events, int timeout_ms) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto woken = [this] { return !queue_.empty() || interrupted_ || closed_; };
    if (timeout_ms < 0)
      ready_.wait(lock, woken);
    else if (timeout_ms > 0)
      ready_.wait_for(lock, std::chrono::milliseconds(timeout_ms), woken);
    interrupted_ = false;
    taken out;
    const std::size_t n = max_events == 0 ? queue_.size() : std::min(max_events, queue_.size());
    out.events.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    out.dropped = std::exchange(dropped_, 0);
    out.closed = closed_;
    return out;
  }

  void interrupt() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      interrupted_ = true;
    }
    ready_.notify_all();
  }

  // The engine is gone: no more events; what is queued can still be taken.
  void close() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }

 private:
  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<chat::event_ptr> queue_;
  std::uint64_t dropped_ = 0;
  bool interrupted_ = false;
  bool closed_ = false;
};

// A callback connection. deliver() calls the application's function on the engine's thread,
// outside mutex_, and counts calls in flight so that close() can wait for them to return.
class callback_sink final : public chat::session_sink {
 public:
  callback_sink(chat_event_fn fn, void* user_data) : fn_(fn), user_data_(user_data) {}

  void deliver(const chat::event_ptr& e) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_) return;
      ++in_flight_;
    }
    try {
      // Built before calling out so that a conversion failure never reaches the callback.
      arena memory;
      chat_event event{};
      fill(event, *e, memory);
      delivering_.push_back(this);
      struct leave_callback {
        ~leave_callback() { delivering_.pop_back(); }
      } leave;
      fn_(&event, user_data_);
    } catch (...) {
      // Out of memory while converting: the event is lost for this connection (sync recovers);
      // the engine thread must never see an exception.
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --in_flight_;
    }
    returned_.notify_all();
  }

  // After close() returns, fn_ is never called again. Called from inside fn_ (this thread is
  // delivering), it waits only for the calls running on other threads.
  void close() {
    const auto own =
        static_cast<std::size_t>(std::count(delivering_.begin(), delivering_.end(), this));
    std::unique_lock<std::mutex> lock(mutex_);
    closed_ = true;
    returned_.wait(lock, [&] { return in_flight_ <= own; });
  }

 private:
  const chat_event_fn fn_;
  void* const user_data_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::size_t in_flight_ = 0;  // guarded by mutex_
  bool closed_ = false;        // guarded by mutex_
  // The callback sinks this thread is inside of, innermost last (a callback may cause events
  // that are delivered to the same sink on the same thread).
  static thread_local std::vector<const callback_sink*> delivering_;
};

thread_local std::vector<const callback_sink*> callback_sink::delivering_;

namespace {

chat_connection* attach(chat_engine* engine, std::int64_t user_id,
                        std::unique_ptr<chat_connection> connection,
                        std::shared_ptr<chat::session_sink> sink) {
  auto& e = engine_of(engine);
  unwrap(e.get_user(user_id));  // not_found for an unknown user, before anything is announced
  connection->owner = engine;
  connection->id = e.connect(user_id, std::move(sink));
  try {
    std::lock_guard<std::mutex> lock(engine->mutex);
    engine->connections.insert(connection.get());
  } catch (...) {
    e.disconnect(connection->id);
    throw;
  }
  return connection.release();
}

// Detaches a connection from its engine and stops its sink.
void stop(chat_connection& c) {
  if (c.owner) {
    c.owner->engine->disconnect(c.id);
    c.owner = nullptr;
  }
  if (c.queue) c.queue->close();
  if (c.callback) c.callback->close();
}

// Deep copy of a C event into `memory` (chat_event_copy).
void copy(chat_event& out, const chat_event& in, arena& memory) {
  out = in;
  out.json = memory.str(std::string(in.json ? in.json : "", in.json ? in.json_size : 0));
  auto str = [&](const char* s) { return s ? memory.str(s) : nullptr; };
  if (in.message) {
    auto* m = memory.array<chat_message>(1);
    *m = *in.message;
    m->text = str(in.message->text);
    m->client_msg_id = str(in.message->client_msg_id);
    out.message = m;
  }
  if (in.channel) {
    auto* c = memory.array<chat_channel>(1);
    *c = *in.channel;
    c->name = str(in.channel->name);
    c->topic = str(in.channel->topic);
    out.channel = c;
  }
  if (in.member) {
    auto* m = memory.array<chat_member>(1);
    *m = *in.member;
    m->username = str(in.member->username);
    out.member = m;
  }
  if (in.user) {
    auto* u = memory.array<chat_user>(1);
    *u = *in.user;
    u->username = str(in.user->username);
    u->email = str(in.user->email);
    u->phone = str(in.user->phone);
    out.user = u;
  }
}

}  // namespace
}  // namespace chat_c

extern "C" {

chat_connection* chat_engine_connect(chat_engine* engine, int64_t user_id, size_t max_queued,
                                     chat_error* error) {
  return chat_c::guarded(error, static_cast<chat_connection*>(nullptr), [&] {
    auto connection = std::make_unique<chat_connection>();
    connection->queue = std::make_shared<chat_c::queue_sink>(max_queued);
    auto sink = connection->queue;
    return chat_c::attach(engine, user_id, std::move(connection), std::move(sink));
  });
}

chat_connection* chat_engine_connect_callback(chat_engine* engine, int64_t user_id,
                                              chat_event_fn fn, void* user_data,
                                              chat_error* error) {
  return chat_c::guarded(error, static_cast<chat_connection*>(nullptr), [&] {
    if (!fn) chat_c::fail(CHAT_ERR_INVALID_ARGUMENT, "fn is NULL");
    auto connection = std::make_unique<chat_connection>();
    connection->callback = std::make_shared<chat_c::callback_sink>(fn, user_data);
    auto sink = connection->callback;
    return chat_c::attach(engine, user_id, std::move(connection), std::move(sink));
  });
}

chat_event_batch* chat_connection_poll(chat_connection* connection, size_t max_events,
                                       int timeout_ms, chat_error* error) {
  return chat_c::guarded(error, static_cast<chat_event_batch*>(nullptr), [&] {
    if (!connection) chat_c::fail(CHAT_ERR_INVALID_ARGUMENT, "connection is NULL");
    if (!connection->queue)
      chat_c::fail(CHAT_ERR_INVALID_ARGUMENT, "a callback connection cannot be polled");
    auto taken = connection->queue->take(max_events, timeout_ms);
    if (taken.events.empty()) {
      if (taken.closed) chat_c::fail(CHAT_ERR_UNAVAILABLE, "the engine was closed");
      return static_cast<chat_event_batch*>(nullptr);
    }
    chat_c::builder<chat_event_batch> b;
    auto* events = b.memory().array<chat_event>(taken.events.size());
    for (std::size_t i = 0; i < taken.events.size(); ++i)
      chat_c::fill(events[i], *taken.events[i], b.memory());
    b.pub().count = taken.events.size();
    b.pub().events = events;
    b.pub().dropped = taken.dropped;
    return b.release();
  });
}

void chat_connection_interrupt(chat_connection* connection) {
  if (connection && connection->queue) connection->queue->interrupt();
}

uint64_t chat_connection_id(const chat_connection* connection) {
  return connection ? connection->id : 0;
}

void chat_connection_close(chat_connection* connection) {
  if (!connection) return;
  if (connection->owner) {
    std::lock_guard<std::mutex> lock(connection->owner->mutex);
    connection->owner->connections.erase(connection);
  }
  chat_c::stop(*connection);
  delete connection;
}

void chat_engine_close(chat_engine* engine) {
  if (!engine) return;
  std::vector<chat_connection*> open;
  {
    std::lock_guard<std::mutex> lock(engine->mutex);
    open.assign(engine->connections.begin(), engine->connections.end());
    engine->connections.clear();
  }
  for (chat_connection* c : open) chat_c::stop(*c);
  engine->engine.reset();  // finishes pending sends, then stops the commit thread
  delete engine;
}

chat_event* chat_event_copy(const chat_event* event) {
  if (!event) return nullptr;
  try {
    chat_c::builder<chat_event> b;
    chat_c::copy(b.pub(), *event, b.memory());
    return b.release();
  } catch (...) {
    return nullptr;
  }
}

void chat_event_free(chat_event* event) {
  chat_c::destroy(event);
}

void chat_event_batch_free(chat_event_batch* batch) {
  chat_c::destroy(batch);
}

}  // extern "C"
