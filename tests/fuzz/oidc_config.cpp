// Fuzz target: chatd's OpenID Connect configuration file (JSON, docs/auth.md) through
// oidc::parse_config, with the validation of every provider.
#include <cstddef>
#include <cstdint>
#include <string>

#include "oidc/config_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)chat::oidc::parse_config(text);
  return 0;
}
