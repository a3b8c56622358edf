// Bounded per-connection output queue with a slow-consumer cut-off.
#include "protocol/outbox.hpp"

namespace chat::chatd {

outbox::outbox(limits l, std::function<void()> on_ready, std::function<void()> on_overflow)
    : limits_(l), on_ready_(std::move(on_ready)), on_overflow_(std::move(on_overflow)) {}

bool outbox::over_limit_locked() const {
  return bytes_ + transport_backlog_ > limits_.max_bytes || frames_.size() > limits_.max_frames;
}

void outbox::push(outgoing_frame frame) {
  bool kick = false;
  bool overflow = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shut_ || overflowed_) return;
    bytes_ += frame.payload().size();
    frames_.push_back(std::move(frame));
    if (over_limit_locked()) {
      // Nothing more is queued: memory stays bounded while the connection closes.
      overflowed_ = true;
      overflow = true;
      frames_.clear();
      bytes_ = 0;
    } else if (!draining_) {
      draining_ = true;
      kick = true;
    }
  }
  if (overflow) {
    on_overflow_();
  } else if (kick) {
    on_ready_();
  }
}

std::vector<outgoing_frame> outbox::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<outgoing_frame> out;
  out.swap(frames_);
  bytes_ = 0;
  draining_ = false;
  return out;
}

void outbox::set_transport_backlog(std::size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  transport_backlog_ = bytes;
}

void outbox::check_backlog() {
  bool overflow = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!overflowed_ && !shut_ && over_limit_locked()) {
      overflowed_ = true;
      overflow = true;
      frames_.clear();
      bytes_ = 0;
    }
  }
  if (overflow) on_overflow_();
}

void outbox::shut() {
  std::lock_guard<std::mutex> lock(mutex_);
  shut_ = true;
}

bool outbox::overflowed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return overflowed_;
}

}  // namespace chat::chatd
