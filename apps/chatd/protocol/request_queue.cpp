// One lane job at a time per connection: it runs the queued requests until none is left.
#include "protocol/request_queue.hpp"

#include <utility>

namespace chat::chatd {

void request_queue::post(item it) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    items_.push_back(std::move(it));
    if (running_) return;  // the running job takes it next
    running_ = true;
  }
  limits::work_lane::job job;
  auto self = shared_from_this();
  job.run = [self] { self->serve(); };
  job.refused = [self](limits::work_lane::refusal) { self->refuse_all(); };
  if (!lane_.submit(std::move(job))) refuse_all();
}

bool request_queue::idle() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !running_;
}

void request_queue::serve() {
  for (;;) {
    item next;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (items_.empty()) {
        running_ = false;
        return;
      }
      next = std::move(items_.front());
      items_.pop_front();
    }
    next.run();
  }
}

std::list<request_queue::item> request_queue::take_all() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::list<item> all;
  all.swap(items_);
  running_ = false;
  return all;
}

void request_queue::refuse_all() {
  for (auto& it : take_all()) it.refuse();
}

}  // namespace chat::chatd
