// chatd's settings: command line (cxxopts), then CHATD_* environment variables, then a config file.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chat/options.hpp"

namespace chat::chatd {

// Limits of one WebSocket connection; documented in docs/protocol.md ("Limits").
struct connection_limits {
  std::size_t max_frame_bytes = 64 * 1024;    // larger frames: close 1009
  double frames_per_second = 20;              // sustained request rate per connection
  double frame_burst = 40;                    // token-bucket depth
  std::size_t max_queue_bytes = 1024 * 1024;  // pending outgoing bytes before cut-off
  std::size_t max_queue_frames = 4096;        // pending outgoing frames before cut-off
  std::chrono::seconds auth_timeout{10};      // time to authenticate after the handshake
  std::chrono::seconds request_timeout{10};   // a request's wait for the database: then unavailable
  std::chrono::seconds ping_interval{25};     // server pings this often
  std::chrono::seconds idle_timeout{60};      // nothing received for this long: close

  // The largest reply frame to a client's own request (list pages, docs/protocol.md "Limits"):
  // an eighth of max_queue_bytes, at least 32 KiB and at most 128 KiB, so that several replies
  // fit in the outgoing queue together and a client that reads is never cut off by its own.
  std::size_t max_reply_bytes() const {
    return std::clamp<std::size_t>(max_queue_bytes / 8, 32 * 1024, 128 * 1024);
  }
  // What the engine may fill of it: the rest is the frame around the result (type, id of at
  // most 128 bytes, each up to 6 bytes when JSON-escaped).
  static constexpr std::size_t reply_envelope_bytes = 1024;
};

// Limits on work anyone can ask for without an account: HTTP requests, password hashing and
// connections (docs/protocol.md "Limits", docs/security.md "Floods of HTTP work").
struct flood_limits {
  int hash_threads = 1;                           // argon2id at once (login, register); auto: cores
  std::size_t max_queued_requests = 64;           // per lane (password, database): more get 503
  std::chrono::seconds queue_timeout{10};         // a request queued longer gets 503 instead
  std::size_t max_connections_per_address = 256;  // 0: no cap
  double password_rate = 12;  // login/register per second, whole server (auto: see --help)
  double password_burst = 48;
  double password_rate_per_address = 3;
  double password_burst_per_address = 20;
  // The failed-login backoff is an engine option: config::engine.login_backoff.
};

struct config {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string data_dir = "./chatd-data";
  std::string web_root;
  std::string log_level = "info";
  int io_threads = 1;                        // --threads; "auto" is default_io_threads()
  int worker_threads = 2;                    // blocking HTTP work (password hashing)
  std::vector<std::string> allowed_origins;  // empty: only the server's own origin
  // --public-url, normalised ("https://chat.example.com", default port dropped); empty: none.
  // Its host and port are the Host header browsers send (docs/security.md, "Host and Origin").
  std::string public_url;
  std::string public_host;  // lower case; IPv6 in brackets
  int public_port = 0;
  // Linking a provider identity needs a session signed in at most this long ago.
  std::chrono::seconds link_reauth_window{std::chrono::minutes(10)};
  std::string tls_cert;  // PEM files; both set: wss/https only
  std::string tls_key;
  std::size_t max_http_body_bytes = 64 * 1024;
  std::chrono::seconds shutdown_grace{10};
  std::string oidc_config;             // OpenID Connect providers (JSON); empty: off
  std::string oidc_after_login = "/";  // where the browser lands after sign-in or linking
  std::string oidc_signup_page = "/#/oidc-signup";  // the choose-a-username page
  connection_limits limits;
  flood_limits floods;
  // What chatd opens the engine with: --db (empty database: the SQLite file in data_dir, filled
  // in by main), --db-pool, --commit-threads, --max-commit-batch, --member-cache-channels,
  // --password-cost, --session-ttl-days, --session-max-days, --login-failures-per-account,
  // --login-failures-per-address, --login-max-delay; max_reply_bytes follows `limits`.
  // engine::open checks them.
  chat::engine_options engine;

  // How long a session cookie lives: the shorter of the sliding and the absolute lifetime.
  std::chrono::seconds session_cookie_max_age() const {
    return std::min(engine.session_ttl, engine.session_max_lifetime);
  }

  bool tls() const { return !tls_cert.empty(); }
  bool public_https() const { return public_url.compare(0, 8, "https://") == 0; }
};

// "host", "host:port", "[v6]" or "[v6]:port" (a Host header or a URL's authority) split into a
// lower-case host (IPv6 keeps its brackets) and a port (`default_port` when absent); nullopt
// when malformed (empty host, bad port, userinfo, spaces).
struct authority {
  std::string host;
  int port = 0;
};
std::optional<authority> parse_authority(const std::string& text, int default_port);

// The outcome of reading the settings: a config, or a message to print and an exit code
// (0 for --help and --version, 2 for bad input).
struct config_outcome {
  std::optional<config> settings;
  std::string message;
  int exit_code = 0;
};

// --threads auto: half the cores, at least 1 and at most 16.
int default_io_threads();

// `env` returns the value of an environment variable or nullptr (getenv in production).
config_outcome load_config(int argc, const char* const* argv,
                           const char* (*env)(const char*) = nullptr);

}  // namespace chat::chatd
