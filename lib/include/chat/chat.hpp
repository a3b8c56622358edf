// The whole public API of libchat in one include.
#pragma once

#include "chat/database_url.hpp"
#include "chat/engine.hpp"
#include "chat/error.hpp"
#include "chat/events.hpp"
#include "chat/options.hpp"
#include "chat/types.hpp"
#include "chat/utf8.hpp"
#include "chat/version.hpp"
#include "chat/wire.hpp"
