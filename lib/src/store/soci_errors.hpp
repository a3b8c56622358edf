// Translates SOCI/backend exceptions into store_error (conflict, unavailable, internal).
#pragma once

#include <exception>

#include "store/store.hpp"

namespace chat::detail {

class backend;

// Classifies `error` (any exception, typically a soci_error subclass): first by `db`'s own
// error numbers (backend::classify), then by SOCI's generic errors. Never throws.
store_error translate_error(std::exception_ptr error, const backend& db) noexcept;

// True if the failure means the connection is no longer usable and must be reopened.
bool is_connection_failure(const store_error& error) noexcept;

}  // namespace chat::detail
