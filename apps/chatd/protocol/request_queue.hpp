// The requests of one connection, run one at a time and in arrival order on a shared
// work_lane (the --workers threads), so that no database call ever runs on an I/O thread and a
// client that pipelines requests still sees them applied in the order it sent them.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>

#include "limits/work_lane.hpp"

namespace chat::chatd {

class request_queue : public std::enable_shared_from_this<request_queue> {
 public:
  struct item {
    std::function<void()> run;  // on a lane thread
    std::function<void()>
        refuse;  // instead of run: the lane is full, stopped, or it waited too long
  };

  explicit request_queue(limits::work_lane& lane) : lane_(lane) {}

  // Queues `it` behind the connection's earlier requests. Any thread.
  void post(item it);
  // Nothing queued or running: a request that needs no database may run at once, in order.
  bool idle() const;

 private:
  void serve();       // on a lane thread
  void refuse_all();  // the lane would not take the job
  std::list<item> take_all();

  limits::work_lane& lane_;
  mutable std::mutex mutex_;  // guards items_ and running_
  // A list: empty (an idle connection) it allocates nothing, a deque ~600 bytes.
  std::list<item> items_;
  bool running_ = false;  // a lane job owns the queue
};

}  // namespace chat::chatd
