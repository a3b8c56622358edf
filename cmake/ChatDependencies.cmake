# Finds the third-party libraries (all from Debian packages; see README "Dependencies").
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)

# SOCI ships neither a CMake package nor a pkg-config file on Debian 12.
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
find_library(SOCI_CORE_LIBRARY soci_core REQUIRED)
find_library(SOCI_SQLITE3_LIBRARY soci_sqlite3 REQUIRED)
# MySQL/MariaDB backend (lib/src/store/mysql/), only with CHAT_WITH_MYSQL: a SQLite-only
# build needs neither SOCI's MySQL backend nor the MariaDB client.
if(CHAT_WITH_MYSQL)
  find_library(SOCI_MYSQL_LIBRARY soci_mysql REQUIRED)
  find_path(MARIADB_INCLUDE_DIR mysql.h PATH_SUFFIXES mariadb REQUIRED)
  # The group commit calls the MariaDB C API under SOCI's session (multi-statement scripts).
  find_library(MARIADB_LIBRARY mariadb REQUIRED)
endif()
# cracklib (libcrack2-dev) refuses weak passwords; it ships no pkg-config file. Its dictionary
# comes from cracklib-runtime at run time.
find_path(CRACK_INCLUDE_DIR crack.h REQUIRED)
find_library(CRACK_LIBRARY crack REQUIRED)
