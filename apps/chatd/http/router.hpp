// The HTTP side of chatd: account API under /v1, health, metrics and static files.
//
// handle() may block (password hashing, database): the transport runs it on a worker thread
// and sends the response when it returns. Thread-safe: it keeps no mutable state of its own.
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
