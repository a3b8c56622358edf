// HTTP helpers over libcurl: one request per connection, as chatd answers `Connection: close`.
#include "http_api.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace chat::examples {
namespace {

size_t append_body(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

http_reply http_post_json(const std::string& base_url, const std::string& path,
                          const nlohmann::json& body, long timeout_ms) {
  global_init_once();
  http_reply reply;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    reply.error = "curl_easy_init failed";
    return reply;
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"), curl_slist_free_all);
  const std::string url = base_url + path;
  const std::string payload = body.dump();
  std::string received;
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    reply.error = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
    return reply;
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply.status);
  reply.body = nlohmann::json::parse(received, nullptr, /*allow_exceptions=*/false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  if (reply.status >= 400) {
    const auto& e = reply.body.is_object() ? reply.body.value("error", nlohmann::json::object())
                                           : nlohmann::json::object();
    reply.error = e.is_object() && e.contains("code")
                      ? e.value("code", "") + ": " + e.value("message", "")
                      : "HTTP " + std::to_string(reply.status);
  }
  return reply;
}

login_result login(const std::string& base_url, const std::string& username,
                   const std::string& password) {
  login_result result;
  http_reply r =
      http_post_json(base_url, "/v1/login", {{"username", username}, {"password", password}});
  if (r.status != 200 || !r.body.is_object() || !r.body.contains("token")) {
    result.error = r.error.empty() ? "unexpected reply" : r.error;
    return result;
  }
  result.ok = true;
  result.token = r.body.value("token", "");
  result.user = r.body.value("user", nlohmann::json::object());
  return result;
}

bool register_user(const std::string& base_url, const std::string& username,
                   const std::string& password, std::string* error) {
  http_reply r =
      http_post_json(base_url, "/v1/register", {{"username", username}, {"password", password}});
  if (r.status == 201) return true;
  if (error) *error = r.error.empty() ? "unexpected reply" : r.error;
  return false;
}

std::string websocket_url(const std::string& base_url) {
  std::string url = base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.rfind("https://", 0) == 0) {
    url = "wss://" + url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    url = "ws://" + url.substr(7);
  }
  return url + "/v1/ws";
}

}  // namespace chat::examples
