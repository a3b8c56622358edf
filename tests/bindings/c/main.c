/* Runs one C API test case by name (`c_api_tests NAME`), or lists them (`c_api_tests --list`). */
#include <stdio.h>
#include <string.h>

#include "tests.h"

struct test_case {
  const char* name;
  void (*run)(void);
};

#define CHAT_C_ENTRY(name) {#name, name},
static const struct test_case k_tests[] = {CHAT_C_TESTS(CHAT_C_ENTRY)};
#undef CHAT_C_ENTRY

int main(int argc, char** argv) {
  const size_t count = sizeof k_tests / sizeof k_tests[0];
  if (argc != 2) {
    fprintf(stderr, "usage: %s TEST_NAME | --list | --all\n", argv[0]);
    return 2;
  }
  for (size_t i = 0; i < count; ++i) {
    if (strcmp(argv[1], "--list") == 0) {
      printf("%s\n", k_tests[i].name);
    } else if (strcmp(argv[1], "--all") == 0 || strcmp(argv[1], k_tests[i].name) == 0) {
      k_tests[i].run(); /* a failed check exits with status 1 */
      printf("passed: %s\n", k_tests[i].name);
      if (strcmp(argv[1], "--all") != 0) return 0;
    }
  }
  if (strcmp(argv[1], "--list") == 0 || strcmp(argv[1], "--all") == 0) return 0;
  fprintf(stderr, "no test named %s\n", argv[1]);
  return 2;
}
