// Maps MySQL error numbers and SQLite result codes onto the store_error kinds.
#include "store/soci_errors.hpp"

#include <string>

#include "store/soci_backend.hpp"

namespace chat::detail {
namespace {

using kind = store_error::kind;

kind mysql_kind(unsigned int code) {
  switch (code) {
    case 1062:  // ER_DUP_ENTRY
    case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
      return kind::conflict;
    case 1021:  // ER_DISK_FULL
    case 1114:  // ER_RECORD_FILE_FULL: the table (or its tablespace) is full
    case 3:     // ER_ERROR_ON_WRITE (often ENOSPC)
      return kind::full;
    case 1290:  // ER_OPTION_PREVENTS_STATEMENT (--read-only)
    case 1036:  // ER_OPEN_AS_READONLY
    case 1792:  // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
      return kind::read_only;
    case 1044:  // access denied to the database
    case 1045:  // access denied for the user (wrong password)
    case 1049:  // unknown database
    case 1130:  // host not allowed to connect
    case 1251:  // client does not support the server's authentication protocol
      return kind::misconfigured;
    case 1040:  // too many connections
    case 1053:  // server shutdown in progress
    case 1205:  // lock wait timeout
    case 1213:  // deadlock, the transaction was rolled back
    case 1927:  // connection was killed
    case 2002:  // can't connect through socket
    case 2003:  // can't connect to host
    case 2005:  // unknown host
    case 2006:  // server has gone away
    case 2013:  // lost connection during query
    case 2055:  // lost connection at handshake/reading
      return kind::unavailable;
    default:
      return kind::internal;
  }
}

kind sqlite_kind(int result, const std::string& message) {
  switch (result & 0xff) {
    case 19:  // SQLITE_CONSTRAINT: only uniqueness is a conflict; NOT NULL/FK are bugs
      return message.find("UNIQUE") != std::string::npos ? kind::conflict : kind::internal;
    case 13:  // SQLITE_FULL
      return kind::full;
    case 8:  // SQLITE_READONLY
      return kind::read_only;
    case 5:   // SQLITE_BUSY
    case 6:   // SQLITE_LOCKED
    case 14:  // SQLITE_CANTOPEN
      return kind::unavailable;
    case 10:  // SQLITE_IOERR: ENOSPC surfaces as an I/O error on some writes
      return message.find("disk is full") != std::string::npos ||
                     message.find("No space") != std::string::npos
                 ? kind::full
                 : kind::unavailable;
    default:
      return kind::internal;
  }
}

}  // namespace

store_error translate_error(std::exception_ptr error) noexcept {
  try {
    try {
      std::rethrow_exception(error);
    } catch (const store_error& e) {
      return e;
    } catch (const soci::mysql_soci_error& e) {
      return store_error(mysql_kind(e.err_num_), e.what());
    } catch (const soci::sqlite3_soci_error& e) {
      return store_error(sqlite_kind(e.result(), e.what()), e.what());
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
