// Field readers for request frames.
#include "protocol/args.hpp"

#include <charconv>

namespace chat::chatd {

std::int64_t parse_id(const nlohmann::json& value, const char* field) {
  if (value.is_number_unsigned()) {
    auto n = value.get<std::uint64_t>();
    if (n <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(n);
  } else if (value.is_number_integer()) {
    auto n = value.get<std::int64_t>();
    if (n >= 0) return n;
  } else if (value.is_string()) {
    // Digits only (from_chars would take a sign); from_chars refuses values past INT64_MAX
    // instead of wrapping them to negative ids.
    const auto& s = value.get_ref<const std::string&>();
    std::int64_t n = 0;
    if (!s.empty() && s.size() <= 19 && s.find_first_not_of("0123456789") == std::string::npos) {
      const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (error == std::errc() && end == s.data() + s.size()) return n;
    }
  }
  throw bad_request(std::string("field ") + field + ": expected an id (a string of digits)");
}

std::int64_t require_id(const nlohmann::json& req, const char* field) {
  auto it = req.find(field);
  if (it == req.end()) throw bad_request(std::string("missing field ") + field);
  return parse_id(*it, field);
}

std::optional<std::int64_t> optional_id(const nlohmann::json& req, const char* field) {
  auto it = req.find(field);
  if (it == req.end() || it->is_null()) return std::nullopt;
  return parse_id(*it, field);
}

std::string require_string(const nlohmann::json& req, const char* field) {
  auto it = req.find(field);
  if (it == req.end()) throw bad_request(std::string("missing field ") + field);
  if (!it->is_string()) throw bad_request(std::string("field ") + field + ": expected a string");
  return it->get<std::string>();
}

std::optional<std::string> optional_string(const nlohmann::json& req, const char* field) {
  auto it = req.find(field);
  if (it == req.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw bad_request(std::string("field ") + field + ": expected a string");
  return it->get<std::string>();
}

std::optional<std::int64_t> optional_integer(const nlohmann::json& req, const char* field,
                                             std::int64_t min, std::int64_t max) {
  auto it = req.find(field);
  if (it == req.end() || it->is_null()) return std::nullopt;
  bool ok = false;
  std::int64_t n = 0;
  if (it->is_number_unsigned()) {
    auto u = it->get<std::uint64_t>();
    ok = u <= static_cast<std::uint64_t>(INT64_MAX);
    n = static_cast<std::int64_t>(u);
  } else if (it->is_number_integer()) {
    ok = true;
    n = it->get<std::int64_t>();
  }
  if (!ok || n < min || n > max) {
    throw bad_request(std::string("field ") + field + ": expected an integer in [" +
                      std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return n;
}

std::int64_t require_integer(const nlohmann::json& req, const char* field, std::int64_t min,
                             std::int64_t max) {
  if (req.find(field) == req.end()) throw bad_request(std::string("missing field ") + field);
  return *optional_integer(req, field, min, max);
}

}  // namespace chat::chatd
