// Maps failures onto the store_error kinds: the backend's own error numbers (sqlite/, mysql/),
// then SOCI's generic errors and other exceptions.
#include "store/soci_errors.hpp"

#include <soci/soci.h>

#include <string>

#include "store/backend.hpp"

namespace chat::detail {
namespace {

using kind = store_error::kind;

}  // namespace

store_error translate_error(std::exception_ptr error, const backend& db) noexcept {
  if (auto e = db.classify(error)) return std::move(*e);
  try {
    try {
      std::rethrow_exception(error);
    } catch (const store_error& e) {
      return e;
    } catch (const soci::soci_error& e) {
      const std::string what = e.what();
      if (what.find("database or disk is full") != std::string::npos)
        return store_error(kind::full, what);
      if (what.find("readonly database") != std::string::npos ||
          what.find("read-only") != std::string::npos)
        return store_error(kind::read_only, what);
      const bool connection = e.get_error_category() == soci::soci_error::connection_error ||
                              what.find("unable to open") != std::string::npos ||
                              what.find("Cannot establish connection") != std::string::npos ||
                              what.find("database is locked") != std::string::npos;
      return store_error(connection ? kind::unavailable : kind::internal, what);
    } catch (const std::exception& e) {
      return store_error(kind::internal, e.what());
    } catch (...) {
      return store_error(kind::internal, "unknown error in the storage layer");
    }
  } catch (...) {  // copying a message can throw bad_alloc
    return store_error(kind::internal, "out of memory");
  }
}

bool is_connection_failure(const store_error& error) noexcept {
  // A full or read-only database too: SQLite opens a file it cannot write read-only, and such a
  // connection stays read-only after the file becomes writable again. A new one does not.
  return is_outage(error.error_kind()) || error.error_kind() == store_error::kind::misconfigured;
}

}  // namespace chat::detail
