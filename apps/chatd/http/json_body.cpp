// JSON request bodies: parsed without exceptions, refused unless an object.
#include "http/json_body.hpp"

namespace chat::chatd::http {

std::variant<nlohmann::json, response> json_body(const request& req) {
  auto body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object())
    return error_response(error_code::bad_request, "the body must be a JSON object");
  return body;
}

std::optional<std::string> string_field(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace chat::chatd::http
