// Reads chatd's settings. Precedence: command line, then CHATD_<NAME> environment variables,
// then the `--config` file (lines `name = value`, `#` comments), then the built-in default.
#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cxxopts.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "chat/version.hpp"

namespace chat::chatd {
namespace {

struct option_def {
  const char* name;
  const char* default_value;
  const char* help;
};

// Every option is a string on the command line, in the environment and in the file, so all
// three sources go through one conversion below.
const option_def k_options[] = {
    {"listen", "127.0.0.1:8080", "HOST:PORT to serve HTTP and WebSocket on"},
    {"data-dir", "./chatd-data",
     "directory for the SQLite database; created on first start; one chatd per directory (locked)"},
    {"db", "",
     "database (SOCI connection string); default sqlite3://db=DATA_DIR/chat.db. MariaDB: "
     "\"mysql://db=chat user=chat password=... unix_socket=/path/mysql.sock\" or host=... "
     "port=..."},
    {"web-root", "",
     "directory of static files served over HTTP (default: PREFIX/share/chatd/web when "
     "installed, else apps/chatd/web of the source tree)"},
    {"log-level", "info", "trace, debug, info, warn, error, critical or off"},
    {"threads", "auto",
     "I/O threads; each serves its own share of the connections (SO_REUSEPORT) with no locks "
     "on the write path. auto: half the cores (at least 1, at most 16), leaving the rest to "
     "the commit thread, the database and the kernel's network work"},
    {"workers", "2", "threads for slow HTTP requests (password hashing)"},
    {"db-pool", "4", "database connections"},
    {"commit-threads", "1",
     "group-commit threads on MySQL/MariaDB, each for its own share of the channels (more "
     "overlap commits when the database has cores of its own; SQLite always uses one)"},
    {"max-commit-batch", "512",
     "most sends one group commit stores in one transaction (one fsync for all of them)"},
    {"commit-delay-us", "0",
     "under load, how long (microseconds, 0 to 100000) a group commit waits for more sends to "
     "join its transaction: less database work per message for at most this much latency; a "
     "send into a quiet server commits at once"},
    {"member-cache-channels", "10000",
     "channels whose member lists live delivery keeps in memory (the least recently used are "
     "dropped and reloaded on their next message)"},
    {"allowed-origins", "",
     "comma-separated browser origins allowed to connect (e.g. https://chat.example.com); "
     "empty: only the server's own origin (--public-url, or the Host header when that is an IP "
     "address or localhost)"},
    {"public-url", "",
     "the URL browsers use, e.g. https://chat.example.com (scheme, host, optional port): "
     "requests must name its host in their Host header (else only IP addresses and localhost "
     "are accepted: DNS rebinding), and an https URL makes cookies Secure behind a "
     "TLS-terminating proxy"},
    {"password-cost", "interactive",
     "argon2id cost: interactive, moderate, or minimum (tests only)"},
    {"session-ttl-days", "30", "sliding expiry of login sessions, in days"},
    {"session-max-days", "90",
     "absolute lifetime of a login session, in days: it ends this long after sign-in however "
     "often it is used"},
    {"link-reauth-minutes", "10",
     "linking a provider identity to an account needs a session signed in at most this many "
     "minutes ago"},
    {"tls-cert", "", "PEM certificate chain; with --tls-key serves https and wss only"},
    {"tls-key", "", "PEM private key for --tls-cert"},
    {"max-frame-bytes", "65536", "largest WebSocket frame accepted (bigger: close 1009)"},
    {"max-http-body-bytes", "65536", "largest HTTP request body accepted (bigger: 413)"},
    {"rate", "20", "requests per second allowed per connection (sustained)"},
    {"burst", "40", "requests allowed in a burst per connection"},
    {"max-queue-bytes", "1048576",
     "outgoing bytes queued for one connection before it is cut off as a slow consumer (at "
     "least 65536); replies to list requests are at most an eighth of it, 32 KiB to 128 KiB"},
    {"max-queue-frames", "4096",
     "outgoing frames queued for one connection before it is cut off as a slow consumer"},
    {"auth-timeout", "10", "seconds a new WebSocket has to authenticate"},
    {"request-timeout", "10",
     "seconds a WebSocket request may wait for the database (queued and running); after that "
     "it is answered unavailable"},
    {"ping-interval", "25", "seconds between server pings"},
    {"idle-timeout", "60", "seconds without any frame or pong before a connection is closed"},
    {"shutdown-grace", "10", "seconds to finish in-flight work on SIGTERM/SIGINT"},
    // Flood limits (docs/security.md "Floods of HTTP work").
    {"hash-threads", "auto",
     "password hashes (login, register) run at once, each on its own thread; auto: the number "
     "of cores"},
    {"max-queued-requests", "64",
     "HTTP requests waiting for a password or a database worker, per kind; more are answered "
     "503 with Retry-After"},
    {"queue-timeout", "10",
     "seconds an HTTP request may wait for a worker; after that it is answered 503 unrun"},
    {"max-connections-per-address", "256",
     "open TCP connections (HTTP and WebSocket) from one client address (IPv6: one /64); more "
     "are closed at once. 0: no cap. Behind a proxy every client has the proxy's address: "
     "raise it or use 0 there"},
    {"password-rate", "auto",
     "login and register requests per second for the whole server (token bucket; over it: "
     "429 with Retry-After); auto: what --hash-threads can hash at --password-cost (6 per "
     "thread at interactive, 1 at moderate, 100 at minimum)"},
    {"password-burst", "auto", "bucket depth of --password-rate; auto: 4 x the rate"},
    {"password-rate-per-address", "auto",
     "login and register requests per second from one client address; auto: a quarter of "
     "--password-rate, at least 1"},
    {"password-burst-per-address", "auto",
     "bucket depth of --password-rate-per-address; auto: 4 x that rate, at least 20"},
    {"login-failures-per-account", "5",
     "failed logins of one account in a row before each further attempt must wait (1 s, "
     "doubling per failure); kept in the database. 0: no per-account backoff"},
    {"login-failures-per-address", "20",
     "failed logins from one client address before each further attempt must wait. 0: no "
     "per-address backoff"},
    {"login-max-delay", "900", "longest wait of the failed-login backoff, in seconds"},
    {"oidc-config", "",
     "JSON file of OpenID Connect providers (docs/auth.md); empty: sign-in with providers is "
     "off. Each provider's redirect_uri must be https://PUBLIC_HOST/v1/auth/oidc/ID/callback"},
    {"oidc-after-login", "/",
     "path the browser is sent to after a provider sign-in or linking; errors are appended as "
     "#oidc_error=CODE"},
    {"oidc-signup-page", "/#/oidc-signup",
     "path of the choose-a-username page for a first provider sign-in (the sign-up ticket "
     "travels in an HttpOnly cookie, never in the URL)"},
};

std::string env_name(const std::string& option) {
  std::string out = "CHATD_";
  for (char c : option) out += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::map<std::string, std::string> read_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read config file " + path);
  std::map<std::string, std::string> values;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos)
      throw std::runtime_error(path + ":" + std::to_string(number) + ": expected name = value");
    std::string name = trim(line.substr(0, eq));
    bool known = std::any_of(std::begin(k_options), std::end(k_options),
                             [&](const option_def& o) { return name == o.name; });
    if (!known)
      throw std::runtime_error(path + ":" + std::to_string(number) + ": unknown option " + name);
    std::string value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    values[name] = value;
  }
  return values;
}

}  // namespace

std::optional<authority> parse_authority(const std::string& text, int default_port) {
  authority out;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close < 3) return std::nullopt;
    out.host = text.substr(0, close + 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return std::nullopt;
      port = text.substr(close + 2);
      if (port.empty()) return std::nullopt;
    }
  } else {
    const auto colon = text.find(':');
    out.host = text.substr(0, colon);
    if (colon != std::string::npos) {
      port = text.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
  }
  if (out.host.empty() || out.host.find_first_of(" \t@/\\?#") != std::string::npos)
    return std::nullopt;
  for (char& ch : out.host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  out.port = default_port;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    out.port = std::stoi(port);
    if (out.port < 1 || out.port > 65535) return std::nullopt;
  }
  return out;
}

int default_io_threads() {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores / 2, 1, 16);
}

namespace {

long long to_integer(const std::string& name, const std::string& value, long long min,
                     long long max) {
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || n < min || n > max)
    throw std::runtime_error("--" + name + ": expected an integer in [" + std::to_string(min) +
                             ", " + std::to_string(max) + "], got \"" + value + "\"");
  return n;
}

double to_number(const std::string& name, const std::string& value) {
  std::size_t used = 0;
  double n = 0;
  try {
    n = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || !(n > 0))
    throw std::runtime_error("--" + name + ": expected a positive number, got \"" + value + "\"");
  return n;
}

std::vector<std::string> split_list(const std::string& value) {
  std::vector<std::string> out;
  std::stringstream in(value);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trim(item);
    while (!item.empty() && item.back() == '/') item.pop_back();
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

void parse_listen(const std::string& value, config& c) {
  auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw std::runtime_error("--listen: expected HOST:PORT, got \"" + value + "\"");
  c.listen_host = value.substr(0, colon);
  if (c.listen_host.size() > 2 && c.listen_host.front() == '[' && c.listen_host.back() == ']')
    c.listen_host = c.listen_host.substr(1, c.listen_host.size() - 2);
  c.listen_port =
      static_cast<std::uint16_t>(to_integer("listen", value.substr(colon + 1), 0, 65535));
}

// --public-url: http(s)://HOST[:PORT] with at most a "/" after it.
void parse_public_url(const std::string& value, config& c) {
  if (value.empty()) return;
  const bool https = value.compare(0, 8, "https://") == 0;
  const bool http = value.compare(0, 7, "http://") == 0;
  const auto fail = [&] {
    throw std::runtime_error("--public-url: expected http(s)://HOST[:PORT], got \"" + value + "\"");
  };
  if (!https && !http) fail();
  std::string rest = value.substr(https ? 8 : 7);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find_first_of("/?#") != std::string::npos) fail();
  const int default_port = https ? 443 : 80;
  auto a = parse_authority(rest, default_port);
  if (!a) fail();
  c.public_host = a->host;
  c.public_port = a->port;
  c.public_url = std::string(https ? "https://" : "http://") + a->host +
                 (a->port == default_port ? "" : ":" + std::to_string(a->port));
}

// An installed chatd (PREFIX/bin/chatd) serves PREFIX/share/chatd/web; a chatd run from its
// build tree serves the web client of its source tree.
std::string default_web_root() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "chatd" / "web";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return CHATD_DEFAULT_WEB_ROOT;
}

// A number option that may be "auto" (then `automatic`).
template <typename Get>
double number_or_auto(const Get& get, const char* name, double automatic) {
  const std::string value = get(name);
  return value == "auto" ? automatic : to_number(name, value);
}

template <typename Get>
void build_flood_limits(const Get& get, config& c) {
  auto& f = c.floods;
  const std::string threads = get("hash-threads");
  f.hash_threads = threads == "auto"
                       ? std::max(1, static_cast<int>(std::thread::hardware_concurrency()))
                       : static_cast<int>(to_integer("hash-threads", threads, 1, 256));
  f.max_queued_requests = static_cast<std::size_t>(
      to_integer("max-queued-requests", get("max-queued-requests"), 1, 1 << 20));
  f.queue_timeout =
      std::chrono::seconds(to_integer("queue-timeout", get("queue-timeout"), 1, 3600));
  f.max_connections_per_address = static_cast<std::size_t>(
      to_integer("max-connections-per-address", get("max-connections-per-address"), 0, 1 << 24));
  // Hashes one thread does per second at each cost on a current core (docs/security.md).
  const auto cost = c.engine.password_hashing;
  const double per_thread = cost == chat::password_cost::minimum    ? 100
                            : cost == chat::password_cost::moderate ? 1
                                                                    : 6;
  f.password_rate = number_or_auto(get, "password-rate", per_thread * f.hash_threads);
  f.password_burst = number_or_auto(get, "password-burst", 4 * f.password_rate);
  f.password_rate_per_address =
      number_or_auto(get, "password-rate-per-address", std::max(1.0, f.password_rate / 4));
  f.password_burst_per_address = number_or_auto(get, "password-burst-per-address",
                                                std::max(20.0, 4 * f.password_rate_per_address));
}

// The engine's options (engine_options), each from its chatd option; engine::open checks them
// again, these ranges are chatd's own bounds.
template <typename Get>
void build_engine_options(const Get& get, config& c) {
  auto& e = c.engine;
  e.database = get("db");
  e.pool_size = static_cast<int>(to_integer("db-pool", get("db-pool"), 1, 256));
  e.commit_threads = static_cast<int>(to_integer("commit-threads", get("commit-threads"), 1,
                                                 chat::engine_options::max_commit_threads));
  e.max_commit_batch =
      static_cast<int>(to_integer("max-commit-batch", get("max-commit-batch"), 1, 1000000));
  e.commit_delay =
      std::chrono::microseconds(to_integer("commit-delay-us", get("commit-delay-us"), 0,
                                           chat::engine_options::max_commit_delay.count()));
  e.member_cache_channels = static_cast<int>(
      to_integer("member-cache-channels", get("member-cache-channels"), 1, 100000000));
  const std::string cost = get("password-cost");
  if (cost == "interactive") {
    e.password_hashing = chat::password_cost::interactive;
  } else if (cost == "moderate") {
    e.password_hashing = chat::password_cost::moderate;
  } else if (cost == "minimum") {
    e.password_hashing = chat::password_cost::minimum;
  } else {
    throw std::runtime_error("--password-cost: expected interactive, moderate or minimum");
  }
  e.session_ttl =
      std::chrono::hours(24 * to_integer("session-ttl-days", get("session-ttl-days"), 1, 3650));
  e.session_max_lifetime =
      std::chrono::hours(24 * to_integer("session-max-days", get("session-max-days"), 1, 3650));
  auto& b = e.login_backoff;
  b.account_free_failures = static_cast<int>(
      to_integer("login-failures-per-account", get("login-failures-per-account"), 0, 1000000));
  b.address_free_failures = static_cast<int>(
      to_integer("login-failures-per-address", get("login-failures-per-address"), 0, 1000000));
  b.max_delay =
      std::chrono::seconds(to_integer("login-max-delay", get("login-max-delay"), 1, 86400));
  // What the engine may fill of a reply frame (connection_limits::max_reply_bytes).
  e.max_reply_bytes = c.limits.max_reply_bytes() - connection_limits::reply_envelope_bytes;
}

config build(const std::map<std::string, std::string>& v) {
  auto get = [&](const char* name) { return v.at(name); };
  config c;
  parse_listen(get("listen"), c);
  c.data_dir = get("data-dir");
  c.web_root = get("web-root").empty() ? default_web_root() : get("web-root");
  c.log_level = get("log-level");
  static const char* levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (std::find(std::begin(levels), std::end(levels), c.log_level) == std::end(levels))
    throw std::runtime_error("--log-level: unknown level \"" + c.log_level + "\"");
  const std::string threads = get("threads");
  c.io_threads = threads == "auto" ? default_io_threads()
                                   : static_cast<int>(to_integer("threads", threads, 1, 256));
  c.worker_threads = static_cast<int>(to_integer("workers", get("workers"), 1, 256));
  c.allowed_origins = split_list(get("allowed-origins"));
  // Scheme and host are case-insensitive and browsers send them in lower case (RFC 6454 6.1):
  // an entry written "https://Chat.Example" must match what they send.
  for (std::string& origin : c.allowed_origins)
    for (char& ch : origin) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  parse_public_url(get("public-url"), c);
  c.link_reauth_window = std::chrono::minutes(
      to_integer("link-reauth-minutes", get("link-reauth-minutes"), 1, 24 * 60));
  c.tls_cert = get("tls-cert");
  c.tls_key = get("tls-key");
  if (c.tls_cert.empty() != c.tls_key.empty())
    throw std::runtime_error("--tls-cert and --tls-key go together");
  auto& l = c.limits;
  l.max_frame_bytes = static_cast<std::size_t>(
      to_integer("max-frame-bytes", get("max-frame-bytes"), 1024, 16 * 1024 * 1024));
  c.max_http_body_bytes = static_cast<std::size_t>(
      to_integer("max-http-body-bytes", get("max-http-body-bytes"), 1024, 16 * 1024 * 1024));
  l.frames_per_second = to_number("rate", get("rate"));
  l.frame_burst = to_number("burst", get("burst"));
  l.max_queue_bytes = static_cast<std::size_t>(
      to_integer("max-queue-bytes", get("max-queue-bytes"), 65536, 1LL << 32));
  l.max_queue_frames = static_cast<std::size_t>(
      to_integer("max-queue-frames", get("max-queue-frames"), 16, 1LL << 24));
  l.auth_timeout = std::chrono::seconds(to_integer("auth-timeout", get("auth-timeout"), 1, 3600));
  l.request_timeout =
      std::chrono::seconds(to_integer("request-timeout", get("request-timeout"), 1, 3600));
  l.ping_interval =
      std::chrono::seconds(to_integer("ping-interval", get("ping-interval"), 1, 3600));
  l.idle_timeout = std::chrono::seconds(to_integer("idle-timeout", get("idle-timeout"), 2, 86400));
  c.shutdown_grace =
      std::chrono::seconds(to_integer("shutdown-grace", get("shutdown-grace"), 0, 3600));
  build_engine_options(get, c);
  build_flood_limits(get, c);
  c.oidc_config = get("oidc-config");
  c.oidc_after_login = get("oidc-after-login");
  c.oidc_signup_page = get("oidc-signup-page");
  for (const char* name : {"oidc-after-login", "oidc-signup-page"}) {
    const std::string value = get(name);
    // A local path only: no open redirect, and no header or markup injection.
    if (value.empty() || value[0] != '/' || (value.size() > 1 && value[1] == '/') ||
        value.find_first_of("\r\n\"<>\\") != std::string::npos)
      throw std::runtime_error(std::string("--") + name + ": expected a path starting with /");
  }
  return c;
}

}  // namespace

config_outcome load_config(int argc, const char* const* argv, const char* (*env)(const char*)) {
  if (env == nullptr) env = [](const char* name) -> const char* { return std::getenv(name); };
  cxxopts::Options options("chatd",
                           "libchat server: HTTP API and WebSocket protocol (/v1/ws).\n"
                           "Every option can also be set by the environment variable "
                           "CHATD_<OPTION> (e.g. CHATD_LOG_LEVEL=debug)\nor in the "
                           "--config file as `option = value` lines. Precedence: "
                           "command line, environment, file, default.\n");
  options.set_width(100);
  options.add_options()("h,help", "print this help and exit")("version",
                                                              "print the version and exit")(
      "config", "read options from this file (env CHATD_CONFIG)", cxxopts::value<std::string>());
  for (const auto& o : k_options) {
    std::string help = o.help;
    help += " (env " + env_name(o.name) + ")";
    if (*o.default_value) help += std::string(" [default: ") + o.default_value + "]";
    options.add_options()(o.name, help, cxxopts::value<std::string>());
  }
  config_outcome out;
  try {
    auto parsed = options.parse(argc, argv);
    if (parsed.count("help")) {
      out.message = options.help();
      return out;
    }
    if (parsed.count("version")) {
      out.message = std::string("chatd ") + chat::version();
      return out;
    }
    if (!parsed.unmatched().empty())
      throw std::runtime_error("unexpected argument \"" + parsed.unmatched().front() + "\"");
    std::string config_path;
    if (parsed.count("config")) {
      config_path = parsed["config"].as<std::string>();
    } else if (const char* p = env("CHATD_CONFIG")) {
      config_path = p;
    }
    std::map<std::string, std::string> file;
    if (!config_path.empty()) file = read_config_file(config_path);
    std::map<std::string, std::string> values;
    for (const auto& o : k_options) {
      if (parsed.count(o.name)) {
        values[o.name] = parsed[o.name].as<std::string>();
      } else if (const char* e = env(env_name(o.name).c_str())) {
        values[o.name] = e;
      } else if (auto it = file.find(o.name); it != file.end()) {
        values[o.name] = it->second;
      } else {
        values[o.name] = o.default_value;
      }
    }
    out.settings = build(values);
  } catch (const std::exception& e) {
    out.message = std::string("chatd: ") + e.what() + "\nTry 'chatd --help'.";
    out.exit_code = 2;
    out.settings.reset();
  }
  return out;
}

}  // namespace chat::chatd
