// Translates SOCI/backend exceptions into store_error (conflict, unavailable, internal).
#pragma once

#include <exception>

#include "store/store.hpp"

namespace chat::detail {

// Classifies `error` (any exception, typically a soci_error subclass). Never throws.
store_error translate_error(std::exception_ptr error) noexcept;

// True if the failure means the connection is no longer usable and must be reopened.
bool is_connection_failure(const store_error& error) noexcept;

}  // namespace chat::detail
