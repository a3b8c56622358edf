// chatd: reads its settings, opens the engine and serves HTTP + WebSocket until SIGTERM/SIGINT.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <variant>

#include "chat/engine.hpp"
#include "chat/version.hpp"
#include "config/config.hpp"
#include "http/oidc_routes.hpp"
#include "metrics/metrics.hpp"
#include "transport/server.hpp"

namespace {

// One line per event on stderr: time, level, then key=value pairs (logfmt).
void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("chatd");
  logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// The database string without its password, for logs.
std::string redact(const std::string& db) {
  auto pos = db.find("password=");
  if (pos == std::string::npos) return db;
  auto end = db.find(' ', pos);
  return db.substr(0, pos) + "password=***" + (end == std::string::npos ? "" : db.substr(end));
}

}  // namespace

int main(int argc, char** argv) {
  auto outcome = chat::chatd::load_config(argc, argv);
  if (!outcome.settings) {
    (outcome.exit_code == 0 ? std::cout : std::cerr) << outcome.message << '\n';
    return outcome.exit_code;
  }
  chat::chatd::config& settings = *outcome.settings;
  setup_logging(settings.log_level);

  if (settings.database.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(settings.data_dir, ec);
    if (ec) {
      spdlog::critical("event=data_dir_failed path={} error=\"{}\"", settings.data_dir,
                       ec.message());
      return 1;
    }
    settings.database =
        "sqlite3://db=" + (std::filesystem::path(settings.data_dir) / "chat.db").string() +
        " timeout=5";
  }

  chat::engine_options options;
  options.database = settings.database;
  options.pool_size = settings.db_pool;
  options.commit_threads = settings.commit_threads;
  options.session_ttl = settings.session_ttl;
  options.session_max_lifetime = settings.session_max_lifetime;
  options.password_hashing = settings.password_cost;
  options.max_reply_bytes =
      settings.limits.max_reply_bytes() - chat::chatd::connection_limits::reply_envelope_bytes;
  options.login_backoff.account_free_failures = settings.floods.login_failures_per_account;
  options.login_backoff.address_free_failures = settings.floods.login_failures_per_address;
  options.login_backoff.max_delay = settings.floods.login_max_delay;
  auto engine = chat::engine::open(options);
  if (!engine.ok()) {
    spdlog::critical("event=database_failed db=\"{}\" code={} error=\"{}\"",
                     redact(settings.database), chat::to_string(engine.code()),
                     engine.error().message());
    return 1;
  }

  // OpenID Connect sign-in (docs/auth.md): a bad configuration is a usage error (exit 2).
  std::unique_ptr<chat::chatd::http::oidc_routes> oidc;
  if (!settings.oidc_config.empty()) {
    auto made = chat::chatd::http::oidc_routes::make(**engine, settings);
    if (auto* message = std::get_if<std::string>(&made)) {
      spdlog::critical("event=oidc_config_failed error=\"{}\"", *message);
      std::cerr << "chatd: " << *message << '\n';
      return 2;
    }
    oidc = std::move(std::get<0>(made));
  }

  chat::chatd::metrics counters;
  auto server = settings.tls()
                    ? chat::chatd::make_tls_server(**engine, settings, counters, oidc.get())
                    : chat::chatd::make_plain_server(**engine, settings, counters, oidc.get());
  if (!server || !server->listen()) return 1;

  const char* scheme = settings.tls() ? "https" : "http";
  spdlog::info(
      "event=listening version={} url={}://{}:{}/ ws={}://{}:{}/v1/ws db=\"{}\" threads={}",
      chat::version(), scheme, settings.listen_host, server->port(), settings.tls() ? "wss" : "ws",
      settings.listen_host, server->port(), redact(settings.database), settings.io_threads);
  std::printf("chatd listening on %s://%s:%u/\n", scheme, settings.listen_host.c_str(),
              static_cast<unsigned>(server->port()));
  std::fflush(stdout);

  server->run();
  server.reset();
  oidc.reset();
  engine.value().reset();  // finishes pending sends before exit
  spdlog::info("event=exit code=0");
  return 0;
}
