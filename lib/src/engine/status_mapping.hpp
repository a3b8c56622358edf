// Turns store failures into public statuses.
#pragma once

#include "chat/error.hpp"
#include "chat/wire.hpp"
#include "store/store.hpp"

namespace chat::detail {

// Fixed messages: the database's own text (key names, values) never reaches a caller; the
// engine hands it to engine_options::storage_error_log instead.
inline status to_status(const store_error& e) {
  switch (e.error_kind()) {
    case store_error::kind::unavailable:
      return {errc::unavailable, database_message::unavailable};
    case store_error::kind::full:
      return {errc::unavailable, database_message::full};
    case store_error::kind::read_only:
      return {errc::unavailable, database_message::read_only};
    case store_error::kind::misconfigured:
      return {errc::unavailable, database_message::misconfigured};
    case store_error::kind::conflict:
      return {errc::conflict, "the change collides with data stored meanwhile; retry"};
    case store_error::kind::internal:
      break;
  }
  return {errc::internal, "internal storage error"};
}

}  // namespace chat::detail
