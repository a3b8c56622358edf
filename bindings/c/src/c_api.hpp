// Internals shared by the C API's translation units: the handles, one-piece result objects,
// conversions from C++ values, and the guard that turns every failure into a chat_error.
#pragma once

#define CHAT_C_BUILDING 1
#include <chat.h>

#include <chat/chat.hpp>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

namespace chat_c {
class queue_sink;
class callback_sink;
}  // namespace chat_c

struct chat_engine;

// A connected session: exactly one of `queue` (polled) and `callback` is set.
struct chat_connection {
  chat_engine* owner = nullptr;  // null once chat_engine_close() detached it
  chat::connection_id id = 0;
  std::shared_ptr<chat_c::queue_sink> queue;
  std::shared_ptr<chat_c::callback_sink> callback;
};

// An open engine and the connections opened on it (closed with it by chat_engine_close).
struct chat_engine {
  std::unique_ptr<chat::engine> engine;
  std::mutex mutex;  // guards connections
  std::unordered_set<chat_connection*> connections;
};

struct chat_engine_options {
  chat::engine_options options;
};

namespace chat_c {

// The storage behind one returned object: every string and array it points to. Blocks are
// plain malloc memory holding C structs or chars, freed together with the object.
class arena {
 public:
  arena() = default;
  arena(const arena&) = delete;
  arena& operator=(const arena&) = delete;
  ~arena() {
    for (void* block : blocks_) std::free(block);
  }

  // Value-initialised array of n C structs (nullptr for n == 0).
  template <typename T>
  T* array(std::size_t n) {
    static_assert(std::is_trivially_destructible_v<T>, "arena holds C structs only");
    if (n == 0) return nullptr;
    void* memory = allocate(n * sizeof(T));
    T* items = static_cast<T*>(memory);
    for (std::size_t i = 0; i < n; ++i) new (items + i) T{};
    return items;
  }
  const char* str(const std::string& s) {
    char* copy = static_cast<char*>(allocate(s.size() + 1));
    s.copy(copy, s.size());
    copy[s.size()] = '\0';
    return copy;
  }
  const char* opt(const std::optional<std::string>& s) { return s ? str(*s) : nullptr; }

 private:
  void* allocate(std::size_t bytes) {
    blocks_.reserve(blocks_.size() + 1);  // so that push_back cannot throw after malloc
    void* block = std::malloc(bytes == 0 ? 1 : bytes);
    if (!block) throw std::bad_alloc();
    blocks_.push_back(block);
    return block;
  }
  std::vector<void*> blocks_;
};

// A returned object: the public struct first (so a pointer to it is a pointer to the box,
// which needs standard layout) and its arena.
template <typename T>
struct box {
  T pub;
  arena* memory;
};

template <typename T>
void destroy(T* object) {
  static_assert(std::is_standard_layout_v<box<T>>);
  if (!object) return;
  auto* b = reinterpret_cast<box<T>*>(object);
  delete b->memory;
  delete b;
}

// Builds one returned object; frees it unless released (so a throw midway leaks nothing).
template <typename T>
class builder {
 public:
  builder() : box_(new box<T>{T{}, nullptr}) {
    try {
      box_->memory = new arena();
    } catch (...) {
      delete box_;
      throw;
    }
  }
  builder(const builder&) = delete;
  builder& operator=(const builder&) = delete;
  ~builder() { destroy(box_ ? &box_->pub : nullptr); }
  T& pub() { return box_->pub; }
  arena& memory() { return *box_->memory; }
  T* release() { return &std::exchange(box_, nullptr)->pub; }

 private:
  box<T>* box_;
};

// A failure raised inside a C API call; the guard writes it into the caller's chat_error.
struct api_error {
  chat_errc code;
  std::string message;
};

void set_error(chat_error* error, chat_errc code, const std::string& message) noexcept;

// Runs the body of a C API call: clears `error`, and turns api_error and any exception into
// an error code and message, returning `failure`.
template <typename R, typename F>
R guarded(chat_error* error, R failure, F&& body) noexcept {
  try {
    set_error(error, CHAT_OK, {});
    return body();
  } catch (const api_error& e) {
    set_error(error, e.code, e.message);
  } catch (const std::bad_alloc&) {
    set_error(error, CHAT_ERR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    set_error(error, CHAT_ERR_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    set_error(error, CHAT_ERR_INTERNAL, "internal error");
  }
  return failure;
}

[[noreturn]] inline void fail(chat_errc code, std::string message) {
  throw api_error{code, std::move(message)};
}
[[noreturn]] void fail(const chat::status& s);

inline void check(const chat::status& s) {
  if (!s.ok()) fail(s);
}
template <typename T>
T unwrap(chat::result<T> r) {
  if (!r.ok()) fail(r.error());
  return std::move(r).value();
}

chat::engine& engine_of(chat_engine* engine);
std::string required(const char* s, const char* what);
std::optional<std::string> optional(const char* s);
chat::role role_from(chat_role role);

// C++ values into C structs; every string and array is placed in `memory`.
void fill(chat_user& out, const chat::user& in, arena& memory);
void fill(chat_channel& out, const chat::channel& in, arena& memory);
void fill(chat_member& out, const chat::member& in, arena& memory);
void fill(chat_message& out, const chat::message& in, arena& memory);
void fill(chat_channel_summary& out, const chat::channel_summary& in, arena& memory);
void fill(chat_event& out, const chat::event& in, arena& memory);

// A returned single object of C type T from the C++ value.
template <typename T, typename V>
T* make(const V& value) {
  builder<T> b;
  fill(b.pub(), value, b.memory());
  return b.release();
}

}  // namespace chat_c
