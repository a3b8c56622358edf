// Reading the JSON object body of an HTTP request, for every POST handler of chatd.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "http/message.hpp"

namespace chat::chatd::http {

// The request's body as a JSON object, or the 400 bad_request answer ("the body must be a JSON
// object").
std::variant<nlohmann::json, response> json_body(const request& req);

// A string field of a body; nullopt when absent or not a string.
std::optional<std::string> string_field(const nlohmann::json& body, const char* name);

}  // namespace chat::chatd::http
