// chat_oidc: OpenID Connect sign-in for chatd. Include this one header.
#pragma once

#include "oidc/accounts.hpp"
#include "oidc/config_file.hpp"
#include "oidc/error.hpp"
#include "oidc/http_client.hpp"
#include "oidc/provider_config.hpp"
#include "oidc/relying_party.hpp"
#include "oidc/web.hpp"
