// Fuzz target: chatd's --config file (`name = value` lines) through load_config, with every
// option's value parser. The input is written to a file and read the way chatd reads it.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = [] {
    char name[] = "/tmp/chatd-fuzz-config-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) std::abort();
    close(fd);
    return std::string(name);
  }();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  const char* argv[] = {"chatd", "--config", path.c_str()};
  const auto no_env = [](const char*) -> const char* { return nullptr; };
  const auto outcome = chat::chatd::load_config(3, argv, no_env);
  // Either settings, or a message and exit code 2: never both, never neither.
  if (outcome.settings.has_value() == (outcome.exit_code == 2)) __builtin_trap();
  return 0;
}
