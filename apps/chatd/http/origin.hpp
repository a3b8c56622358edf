// Host and Origin checks, shared by the HTTP API and the WebSocket handshake (docs/security.md,
// "Host, Origin and cookies"). The cookies are in http/cookies.hpp.
#pragma once

#include <string>

#include "config/config.hpp"
#include "http/cookies.hpp"

namespace chat::chatd::http {

// True if a request may be served under this Host header (DNS rebinding defence): an IP
// address, localhost, the --listen host or the --public-url host and port. An absent Host
// (not a browser) passes.
bool host_allowed(const std::string& host, const config& settings);
// True if a browser page of `origin` may use the session cookie: it is in --allowed-origins,
// it is the --public-url, or (--allowed-origins empty) it is scheme + Host of this request and
// that Host passes host_allowed() (with a --public-url: only an IP address or localhost).
bool origin_allowed(const std::string& origin, const std::string& host, bool tls,
                    const config& settings);
// What a WebSocket handshake is, by its Origin header (docs/protocol.md, "Authentication"):
// without Origin a native client (accepted; a cookie it sends is not read: it sends `auth`),
// with an allowed one a browser (its session cookie authenticates it), with any other refused
// (403 forbidden).
enum class handshake_origin { native, browser, refused };
handshake_origin judge_handshake_origin(const std::string& origin, const std::string& host,
                                        bool tls, const config& settings);

}  // namespace chat::chatd::http
