/* Checks and fixtures for the C API tests: plain C11, a failed check exits with status 1. */
#ifndef CHAT_C_TESTS_CHECK_H
#define CHAT_C_TESTS_CHECK_H

#include <chat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* The last call succeeded: code CHAT_OK and an empty message. */
#define CHECK_OK(err)                                                         \
  do {                                                                        \
    if ((err).code != CHAT_OK || (err).message[0] != '\0') {                  \
      fprintf(stderr, "%s:%d: expected ok, got %s: %s\n", __FILE__, __LINE__, \
              chat_errc_to_string((err).code), (err).message);                \
      exit(1);                                                                \
    }                                                                         \
  } while (0)

/* The last call failed with `expected` and said why. */
#define CHECK_ERR(err, expected)                                                              \
  do {                                                                                        \
    if ((err).code != (expected) || (err).message[0] == '\0') {                               \
      fprintf(stderr, "%s:%d: expected %s, got %s: '%s'\n", __FILE__, __LINE__,               \
              chat_errc_to_string(expected), chat_errc_to_string((err).code), (err).message); \
      exit(1);                                                                                \
    }                                                                                         \
  } while (0)

#define CHECK_STR(actual, expected)                                                   \
  do {                                                                                \
    const char* a_ = (actual);                                                        \
    const char* e_ = (expected);                                                      \
    if (a_ == NULL || strcmp(a_, e_) != 0) {                                          \
      fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__, e_, \
              a_ ? a_ : "(null)");                                                    \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

/* Fixtures (fixture.c). The database is $CHAT_TEST_DATABASE if set (the MariaDB runs), else a
 * fresh in-memory SQLite database; passwords use the minimum hashing cost. */
chat_engine* open_test_engine(void);
/* Like open_test_engine, with the test clock (see test_clock_now) installed. */
chat_engine* open_test_engine_with_clock(void);
/* The test clock, epoch ms; starts at a fixed time and moves only with advance_test_clock. */
void advance_test_clock(long long ms);
/* Registers `name` with password "<name>-password" and returns its id (exits on failure). */
int64_t new_user(chat_engine* engine, const char* name);
/* Creates a group owned by `owner` and returns its id (exits on failure). */
int64_t new_group(chat_engine* engine, int64_t owner, const char* name, const int64_t* members,
                  size_t member_count);
/* Sends `text` and returns the message's seq (exits on failure). */
int64_t send_text(chat_engine* engine, int64_t sender, int64_t channel, const char* text);

#endif
