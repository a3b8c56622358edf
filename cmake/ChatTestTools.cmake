# The programs the test suites run: node, npm, doxygen, python3, openssl, MariaDB's server and
# tools, Chromium. Without one, the suites that need it are not registered (or cannot run) and
# configure prints a WARNING; with -DCHAT_REQUIRE_TEST_DEPS=ON (./test.sh, CI) a missing tool is
# a configure error that names it, so that no suite silently does not run.
option(CHAT_REQUIRE_TEST_DEPS
  "A missing test tool (node, npm, doxygen, python3, openssl, MariaDB, Chromium) is a configure error instead of a skipped suite"
  OFF)

# A test dependency is missing: a WARNING, or a FATAL_ERROR under CHAT_REQUIRE_TEST_DEPS.
function(chat_test_dependency_missing text)
  if(CHAT_REQUIRE_TEST_DEPS)
    message(FATAL_ERROR "${text}\nCHAT_REQUIRE_TEST_DEPS=ON makes a missing test tool an error "
                        "(with OFF, its suites are left out with a warning).")
  else()
    message(WARNING "${text}")
  endif()
endfunction()

# chat_test_tool(<var> <program> <needed by>): sets <var> to the path of <program>, or to ""
# when it is missing (reported by chat_test_dependency_missing). Searched on PATH only, looked up
# again at every configure (no cache entry), because the test scripts run the tools from PATH
# (npm runs `node` from it, mariadb.sh runs `mariadbd`): a tool taken off PATH is missing here too.
# -D<var>=<path> chooses one explicitly.
function(chat_test_tool var program needed_by)
  if(NOT DEFINED ${var})
    find_program(${var} NAMES ${program} NO_CACHE NO_CMAKE_PATH NO_CMAKE_ENVIRONMENT_PATH
                 NO_CMAKE_SYSTEM_PATH)
  endif()
  if(${var} AND EXISTS "${${var}}")
    set(${var} "${${var}}" PARENT_SCOPE)
  else()
    chat_test_dependency_missing("${program} not found on PATH; needed by ${needed_by}")
    set(${var} "" PARENT_SCOPE)
  endif()
endfunction()
