// cracklib's FascistCheckUser: dictionary words and their variants, the username, and too
// simple or systematic strings are refused.
#include "auth/password_strength.hpp"

#include <crack.h>

#include <cstddef>  // crack.h uses size_t without including it
#include <cstring>

namespace chat::detail {
namespace {

// What FascistCheckUser answers when it cannot open the dictionary (cracklib 2.9).
constexpr const char* k_no_dictionary = "error loading dictionary";

}  // namespace

password_strength::password_strength(bool enabled, const std::string& dictionary)
    : enabled_(enabled), dictionary_(dictionary.empty() ? GetDefaultCracklibDict() : dictionary) {}

status password_strength::usable() const {
  if (!enabled_) return {};
  std::lock_guard<std::mutex> lock(mutex_);
  const char* reason =
      FascistCheckUser("a probe of the dictionary", dictionary_.c_str(), "probe", nullptr);
  if (reason && std::strcmp(reason, k_no_dictionary) == 0)
    return {errc::invalid_argument, "cannot read the cracklib dictionary " + dictionary_ +
                                        " (install Debian's cracklib-runtime)"};
  return {};
}

status password_strength::check(const std::string& password, const std::string& username) const {
  if (!enabled_) return {};
  // cracklib reads C strings: a password with U+0000 would be judged by its first part only.
  if (password.find('\0') != std::string::npos)
    return {errc::invalid_argument, "password must not contain U+0000"};
  std::string reason;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const char* r =
        FascistCheckUser(password.c_str(), dictionary_.c_str(), username.c_str(), nullptr);
    if (r) reason = r;
  }
  if (reason.empty()) return {};
  if (reason == k_no_dictionary) return {errc::internal, "the password dictionary cannot be read"};
  return {errc::invalid_argument, "password is too weak: " + reason};
}

}  // namespace chat::detail
