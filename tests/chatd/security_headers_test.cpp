// http::add_security_headers: the header set every response gets, and the OIDC pages' own.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "fixture.hpp"
#include "http/message.hpp"
#include "http/oidc_routes.hpp"
#include "oidc/oidc.hpp"

using namespace chat::chatd;

namespace {

using header_list = std::vector<std::pair<std::string, std::string>>;

// All values of `name` in `headers`.
std::vector<std::string> values(const header_list& headers, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : headers) {
    if (n == name) out.push_back(v);
  }
  return out;
}

class no_http final : public chat::oidc::http_client {
 public:
  chat::oidc::result<chat::oidc::http_response> send(const chat::oidc::http_request&) override {
    FAIL("unexpected HTTP request");
    return chat::oidc::http_response{};
  }
};

}  // namespace

TEST_CASE("every_response_gets_the_security_headers_and_hsts_only_over_tls", "[http]") {
  header_list plain = {{"Content-Type", "application/json"}};
  http::add_security_headers(plain, false);
  CHECK(values(plain, "Content-Security-Policy") ==
        std::vector<std::string>{http::k_content_security_policy});
  CHECK(std::string(http::k_content_security_policy).find("frame-ancestors 'none'") !=
        std::string::npos);
  CHECK(values(plain, "X-Frame-Options") == std::vector<std::string>{"DENY"});
  CHECK(values(plain, "X-Content-Type-Options") == std::vector<std::string>{"nosniff"});
  CHECK(values(plain, "Referrer-Policy") == std::vector<std::string>{"same-origin"});
  CHECK(values(plain, "Strict-Transport-Security").empty());

  header_list tls;
  http::add_security_headers(tls, true);
  CHECK(values(tls, "Strict-Transport-Security") == std::vector<std::string>{"max-age=31536000"});
}

TEST_CASE("a_header_the_response_sets_itself_is_kept_and_not_doubled", "[http]") {
  header_list h = {{"x-content-type-options", "nosniff"}, {"Referrer-Policy", "no-referrer"}};
  http::add_security_headers(h, false);
  CHECK(values(h, "X-Content-Type-Options").empty());  // already there, in lower case
  CHECK(values(h, "x-content-type-options").size() == 1);
  CHECK(values(h, "Referrer-Policy") == std::vector<std::string>{"no-referrer"});
}

TEST_CASE("the_oidc_callback_page_has_a_strict_csp_and_no_referrer", "[http]") {
  auto engine = test::open_engine();
  config settings;
  http::oidc_routes routes(*engine, settings,
                           std::make_unique<chat::oidc::relying_party>(
                               chat::oidc::provider_registry{}, std::make_shared<no_http>()),
                           std::make_unique<chat::oidc::accounts>(*engine));
  http::request req;
  req.method = "GET";
  req.path = "/v1/auth/oidc/google/callback";
  req.query = "state=nope&code=x";
  http::response page = routes.handle(req);  // an unknown state: the error page
  REQUIRE(page.status == 200);
  REQUIRE(values(page.headers, "Content-Type") ==
          std::vector<std::string>{"text/html; charset=utf-8"});
  http::add_security_headers(page.headers, false);
  const auto csp = values(page.headers, "Content-Security-Policy");
  REQUIRE(csp.size() == 1);
  CHECK(csp[0].find("default-src 'none'") != std::string::npos);
  CHECK(csp[0].find("frame-ancestors 'none'") != std::string::npos);
  CHECK(values(page.headers, "Referrer-Policy") == std::vector<std::string>{"no-referrer"});
  CHECK(values(page.headers, "X-Frame-Options") == std::vector<std::string>{"DENY"});
}
