// The one place that includes SOCI and its two backends for the storage layer.
#pragma once

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace chat::detail {

enum class backend_kind { sqlite, mysql };

}  // namespace chat::detail
