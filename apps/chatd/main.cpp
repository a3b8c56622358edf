// chatd: reads its settings, opens the engine and serves HTTP + WebSocket until SIGTERM/SIGINT.
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <variant>

#include "chat/database_url.hpp"
#include "chat/engine.hpp"
#include "chat/version.hpp"
#include "config/config.hpp"
#include "http/oidc_routes.hpp"
#include "http/router.hpp"
#include "logging/logging.hpp"
#include "metrics/database_monitor.hpp"
#include "metrics/metrics.hpp"
#include "protocol/session_factory.hpp"
#include "transport/server.hpp"

namespace {
// The readiness monitor, once it runs: storage failures reported by the engine go to it.
std::atomic<chat::chatd::database_monitor*> g_monitor{nullptr};
}  // namespace

int main(int argc, char** argv) {
  auto outcome = chat::chatd::load_config(argc, argv);
  if (!outcome.settings) {
    (outcome.exit_code == 0 ? std::cout : std::cerr) << outcome.message << '\n';
    return outcome.exit_code;
  }
  chat::chatd::config& settings = *outcome.settings;
  chat::chatd::setup_logging(settings.log_level);
  using chat::chatd::log_value;

  if (settings.engine.database.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(settings.data_dir, ec);
    if (ec) {
      spdlog::critical("event=data_dir_failed path={} error={}", log_value(settings.data_dir),
                       log_value(ec.message()));
      return 1;
    }
    settings.engine.database =
        "sqlite3://db=" + (std::filesystem::path(settings.data_dir) / "chat.db").string();
  }

  chat::engine_options options = settings.engine;
  // The database's own error text stays in the log (rate-limited by the monitor); clients get
  // a fixed message per code.
  options.storage_error_log = [](const std::string& detail) {
    if (auto* monitor = g_monitor.load()) return monitor->failure_reported(detail);
    spdlog::error("event=database_error detail={}", log_value(detail));
  };
  // Parsed once; never log settings.engine.database itself (it may hold the password).
  const std::string database_for_logs =
      chat::database_url::parse(settings.engine.database).redacted();
  auto engine = chat::engine::open(options);
  if (!engine.ok()) {
    // A database that refuses the settings (unknown database, user or host not allowed) is a
    // configuration error (exit 2), not an outage (exit 1).
    const bool config_error = engine.code() == chat::errc::invalid_argument;
    spdlog::critical("event=database_failed db={} code={} error={}", log_value(database_for_logs),
                     config_error ? "configuration" : chat::to_string(engine.code()),
                     log_value(engine.error().message()));
    return config_error ? 2 : 1;
  }

  // OpenID Connect sign-in (docs/auth.md): a bad configuration is a usage error (exit 2).
  std::unique_ptr<chat::chatd::http::oidc_routes> oidc;
  if (!settings.oidc_config.empty()) {
    auto made = chat::chatd::http::oidc_routes::make(**engine, settings);
    if (auto* message = std::get_if<std::string>(&made)) {
      spdlog::critical("event=oidc_config_failed error={}", log_value(*message));
      std::cerr << "chatd: " << *message << '\n';
      return 2;
    }
    oidc = std::move(std::get<0>(made));
  }

  chat::chatd::metrics counters;
  auto monitor = std::make_unique<chat::chatd::database_monitor>(**engine, counters);
  g_monitor = monitor.get();
  // The engine's two front doors; the transport gets them, not the engine.
  chat::chatd::http::router router(**engine, settings, counters, oidc.get());
  chat::chatd::session_factory sessions(**engine, settings, counters);
  auto server = settings.tls()
                    ? chat::chatd::make_tls_server(settings, counters, router, sessions)
                    : chat::chatd::make_plain_server(settings, counters, router, sessions);
  if (!server || !server->listen()) return 1;

  const char* scheme = settings.tls() ? "https" : "http";
  const std::string host = log_value(settings.listen_host);
  spdlog::info("event=listening version={} url={}://{}:{}/ ws={}://{}:{}/v1/ws db={} threads={}",
               chat::version(), scheme, host, server->port(), settings.tls() ? "wss" : "ws", host,
               server->port(), log_value(database_for_logs), settings.io_threads);
  std::printf("chatd listening on %s://%s:%u/\n", scheme, settings.listen_host.c_str(),
              static_cast<unsigned>(server->port()));
  std::fflush(stdout);

  server->run();
  server.reset();
  g_monitor = nullptr;
  monitor.reset();
  oidc.reset();
  engine.value().reset();  // finishes pending sends before exit
  spdlog::info("event=exit code=0");
  return 0;
}
