// The SQLite backend of the store (backend.hpp).
#pragma once

#include <memory>
#include <vector>

#include "store/backend.hpp"

namespace chat::detail {

std::unique_ptr<const backend> make_sqlite_backend();

// The group commit through SOCI, one statement per call (sqlite/append_batch.cpp).
std::vector<append_outcome> append_batch_sqlite(const session_pool::lease& l,
                                                const std::vector<pending_message>& batch);

}  // namespace chat::detail
