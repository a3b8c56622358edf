// The MySQL/MariaDB backend of the store (backend.hpp); built only with CHAT_WITH_MYSQL.
#pragma once

#include <memory>
#include <vector>

#include "store/backend.hpp"

namespace chat::detail {

std::unique_ptr<const backend> make_mysql_backend();

// The group commit in two round trips, through the C API (mysql/append_batch.cpp).
std::vector<append_outcome> append_batch_mysql(const session_pool::lease& l,
                                               const std::vector<pending_message>& batch);

}  // namespace chat::detail
