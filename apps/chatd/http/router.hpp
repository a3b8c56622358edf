// The HTTP side of chatd: account API under /v1, health, metrics and static files.
//
// handle() may block (password hashing, database) depending on the request's lane_of(): the
// transport answers cheap requests on the I/O thread and queues the rest on bounded worker
// lanes. Thread-safe: it keeps no mutable state of its own.
#pragma once

#include "chat/engine.hpp"
#include "config/config.hpp"
#include "http/message.hpp"
#include "http/oidc_routes.hpp"
#include "metrics/metrics.hpp"

namespace chat::chatd::http {

class router {
 public:
  // `oidc` (may be null: OpenID Connect off) must outlive the router.
  router(chat::engine& engine, const config& settings, chatd::metrics& counters,
         const oidc_routes* oidc = nullptr)
      : engine_(engine), settings_(settings), counters_(counters), oidc_(oidc) {}

  response handle(const request& req) const;

  // Where the transport runs a request (docs/security.md, "Flood limits").
  enum class lane {
    // no database, no hashing: health, readiness (the monitor's verdict), metrics, static
    // files, method errors
    inline_io,
    password,  // POST /v1/login and /v1/register: argon2id, behind the password-work limits
    database,  // the rest of /v1: database calls, on the worker pool
  };
  static lane lane_of(const request& req);

 private:
  response api(const request& req) const;
  response register_user(const request& req) const;
  response login(const request& req) const;
  response logout(const request& req, bool everywhere) const;
  response me(const request& req) const;
  response change_username(const request& req) const;
  response readyz() const;

  chat::engine& engine_;
  const config& settings_;
  chatd::metrics& counters_;
  const oidc_routes* oidc_;
};

}  // namespace chat::chatd::http
