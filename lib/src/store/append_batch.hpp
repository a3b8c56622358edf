// Group commit: stores a batch of pending messages in one transaction with a handful of
// statements, whatever the batch size.
#pragma once

#include <vector>

#include "store/soci_common.hpp"

namespace chat::detail {

// See store::append_messages for the contract. Runs its own write transaction on `l`.
std::vector<append_outcome> append_batch(const soci_rows::lease& l,
                                         const std::vector<pending_message>& batch);

// The same on MySQL/MariaDB in two round trips (reads, then writes and COMMIT).
std::vector<append_outcome> append_batch_mysql(const soci_rows::lease& l,
                                               const std::vector<pending_message>& batch);

}  // namespace chat::detail
