// http_client over libcurl: TLS verification on, no redirects, bounded time and size.
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <mutex>

#include "oidc/http_client.hpp"
#include "oidc/provider_config.hpp"

namespace chat::oidc {
namespace {

struct easy_free {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct slist_free {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

struct body_sink {
  std::string data;
  std::size_t limit = 0;
  bool too_large = false;
};

std::size_t on_body(char* ptr, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<body_sink*>(user);
  const std::size_t n = size * count;
  if (sink->data.size() + n > sink->limit) {
    sink->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  sink->data.append(ptr, n);
  return n;
}

class curl_http_client final : public http_client {
 public:
  explicit curl_http_client(curl_http_options options) : options_(std::move(options)) {
    if (options_.allow_insecure_loopback_http_for_tests)
      spdlog::warn(
          "OIDC HTTP client: allow_insecure_loopback_http_for_tests is ON. Plain http to "
          "127.0.0.0/8 and [::1] will be fetched without TLS. Tests only; never in production.");
  }

  result<http_response> send(const http_request& request) override {
    if (!is_allowed_url(request.url, options_.allow_insecure_loopback_http_for_tests))
      return status(errc::invalid_config,
                    "refusing to fetch a URL that is not https: " + request.url.substr(0, 200));
    const bool plain_http = request.url.compare(0, 7, "http://") == 0;
    if (plain_http)
      spdlog::warn("OIDC: fetching {} over plain http (test-only loopback allowance)",
                   request.url.substr(0, 200));

    std::unique_ptr<CURL, easy_free> h(curl_easy_init());
    if (!h) return status(errc::internal, "curl_easy_init failed");
    char error_buffer[CURL_ERROR_SIZE] = {};
    body_sink sink;
    sink.limit = options_.max_response_bytes;
    std::unique_ptr<curl_slist, slist_free> headers;
    auto add_header = [&](const std::string& line) {
      curl_slist* next = curl_slist_append(headers.get(), line.c_str());
      if (next) {
        (void)headers.release();
        headers.reset(next);
      }
    };
    add_header("Accept: application/json");
    for (const auto& [name, value] : request.headers) add_header(name + ": " + value);

    CURL* c = h.get();
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, plain_http ? "http" : "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(options_.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(options_.total_timeout.count()));
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options_.max_response_bytes));
    curl_easy_setopt(c, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
    curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
    if (request.method == "POST") {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
    }

    const CURLcode rc = curl_easy_perform(c);
    if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED)
      return status(errc::bad_provider_response, "answer larger than " +
                                                     std::to_string(options_.max_response_bytes) +
                                                     " bytes from " + request.url.substr(0, 200));
    if (rc != CURLE_OK) {
      std::string why = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
      return status(errc::provider_unreachable,
                    "cannot fetch " + request.url.substr(0, 200) + ": " + why);
    }
    http_response response;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    char* type = nullptr;
    if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
      response.content_type = type;
    response.body = std::move(sink.data);
    return response;
  }

 private:
  curl_http_options options_;
};

}  // namespace

std::shared_ptr<http_client> make_curl_http_client(curl_http_options options) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::make_shared<curl_http_client>(std::move(options));
}

}  // namespace chat::oidc
