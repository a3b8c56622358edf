// Errors of worker threads, kept with their messages for the test to report. Catch2 assertions
// are not thread-safe, and an exception escaping a std::thread ends the whole test binary; so a
// worker runs its body through run(), and the test checks afterwards:
//   CHECK(errors.messages() == std::vector<std::string>{});  // prints every message otherwise
#pragma once

#include <exception>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace chat::test {

class thread_errors {
 public:
  // Runs body(); records the message of any exception it throws (thread-safe).
  template <typename Body>
  void run(Body&& body) noexcept {
    try {
      body();
    } catch (const std::exception& e) {
      add(e.what());
    } catch (...) {
      add("an exception that is not a std::exception");
    }
  }
  void add(std::string message) noexcept {
    try {
      std::lock_guard<std::mutex> lock(mutex_);
      messages_.push_back(std::move(message));
    } catch (...) {  // out of memory: nothing better to do in a worker thread
    }
  }
  std::vector<std::string> messages() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return messages_;
  }

 private:
  mutable std::mutex mutex_;  // guards messages_
  std::vector<std::string> messages_;
};

}  // namespace chat::test
