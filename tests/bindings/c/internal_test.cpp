// Internals of the C API that no C call can reach on purpose: cutting long messages.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "c_api.hpp"

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::exit(1);                                                                 \
    }                                                                               \
  } while (0)

int main() {
  chat_error error;
  // Fits: copied whole.
  chat_c::set_error(&error, CHAT_ERR_CONFLICT, "name taken");
  CHECK(error.code == CHAT_ERR_CONFLICT && std::strcmp(error.message, "name taken") == 0);
  // Exactly the capacity (255 bytes + NUL).
  chat_c::set_error(&error, CHAT_ERR_INTERNAL, std::string(255, 'a'));
  CHECK(std::strlen(error.message) == 255);
  // Cut before a 2-, 3- and 4-byte character that would straddle the end.
  for (const char* wide : {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"}) {
    for (std::size_t pad = 0; pad < 4; ++pad) {
      std::string message(pad, 'x');
      while (message.size() < 300) message += wide;
      chat_c::set_error(&error, CHAT_ERR_INVALID_ARGUMENT, message);
      const std::size_t n = std::strlen(error.message);
      CHECK(n <= 255 && n > 250);
      CHECK(std::memcmp(error.message, message.data(), n) == 0);
      CHECK((n - pad) % std::strlen(wide) == 0);  // only whole characters after the padding
    }
  }
  chat_c::set_error(nullptr, CHAT_ERR_INTERNAL, "ignored");  // no out-parameter: no crash

  // A failed guarded call returns its failure value and fills the error.
  int r = chat_c::guarded(&error, -1, []() -> int { throw std::bad_alloc(); });
  CHECK(r == -1 && error.code == CHAT_ERR_INTERNAL);
  r = chat_c::guarded(&error, -1, []() -> int { chat_c::fail(CHAT_ERR_FORBIDDEN, "no"); });
  CHECK(r == -1 && error.code == CHAT_ERR_FORBIDDEN && std::strcmp(error.message, "no") == 0);
  r = chat_c::guarded(&error, -1, [] { return 7; });
  CHECK(r == 7 && error.code == CHAT_OK && error.message[0] == '\0');
  std::puts("internal tests passed");
  return 0;
}
