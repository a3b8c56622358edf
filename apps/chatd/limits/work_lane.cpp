// The threads of a work_lane take jobs in arrival order.
#include "limits/work_lane.hpp"

#include <algorithm>

namespace chat::chatd::limits {

work_lane::work_lane(int threads, std::size_t max_queued, std::chrono::milliseconds max_wait)
    : max_queued_(max_queued), max_wait_(max_wait) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { serve(); });
}

work_lane::~work_lane() {
  stop();
}

bool work_lane::submit(job j) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back({std::move(j), std::chrono::steady_clock::now()});
  }
  wake_.notify_one();
  return true;
}

std::size_t work_lane::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

void work_lane::stop() {
  std::deque<entry> left;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    left.swap(queue_);
  }
  wake_.notify_all();
  for (auto& e : left) e.work.refused(refusal::stopped);
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void work_lane::serve() {
  for (;;) {
    entry next;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    if (std::chrono::steady_clock::now() - next.queued_at > max_wait_) {
      next.work.refused(refusal::expired);
    } else if (next.work.client_gone && next.work.client_gone()) {
      next.work.refused(refusal::client_gone);
    } else {
      next.work.run();
    }
  }
}

}  // namespace chat::chatd::limits
