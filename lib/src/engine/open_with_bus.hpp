// engine::open with the event bus of the caller's choice: where a cluster bus (or a test's
// recording bus) takes the place of the in-process one. Every event the engine publishes goes
// through its bus (routing/event_bus.hpp).
#pragma once

#include <functional>
#include <memory>

#include "chat/engine.hpp"
#include "routing/event_bus.hpp"
#include "routing/router.hpp"

namespace chat::detail {

// Makes the engine's bus, given the router that delivers to this process's connections (the
// bus must hand it the events to deliver here). Called once, inside the open call.
using bus_factory = std::function<std::unique_ptr<event_bus>(router& local)>;

// engine::open(options) is open_with_bus(options, a factory of local_bus).
result<std::unique_ptr<engine>> open_with_bus(engine_options options, const bus_factory& make_bus);

}  // namespace chat::detail
