// Reading request fields with precise bad_request errors ("field channel_id: expected an id").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

namespace chat::chatd {

// Thrown by the readers below; the dispatcher turns it into a bad_request error frame.
class bad_request : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An id: a JSON string of 1..19 decimal digits (a non-negative JSON integer is also accepted),
// at most INT64_MAX (9223372036854775807); anything else is bad_request, never a wrapped value.
std::int64_t require_id(const nlohmann::json& req, const char* field);
std::optional<std::int64_t> optional_id(const nlohmann::json& req, const char* field);
std::int64_t parse_id(const nlohmann::json& value, const char* field);

std::string require_string(const nlohmann::json& req, const char* field);
std::optional<std::string> optional_string(const nlohmann::json& req, const char* field);

// A JSON integer in [min, max].
std::optional<std::int64_t> optional_integer(const nlohmann::json& req, const char* field,
                                             std::int64_t min, std::int64_t max);
std::int64_t require_integer(const nlohmann::json& req, const char* field, std::int64_t min,
                             std::int64_t max);

}  // namespace chat::chatd
