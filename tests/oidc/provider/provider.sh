#!/usr/bin/env bash
# Starts or stops the test OpenID Provider (server.mjs) for the chat_oidc tests.
#   provider.sh start <state-dir>   (free ports; written to <state-dir>/ports.json)
#   provider.sh stop  <state-dir>
# start: installs the pinned npm packages (npm ci, from package-lock.json) into <state-dir>/app
# when the lock file changed, makes a throwaway CA, a server certificate for 127.0.0.1 and the
# provider's signing keys (rsa1 RS256, ec1 ES256, rsa2 for rotation tests) with openssl, then
# starts node in the background and waits until the discovery document answers over TLS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?start|stop}
dir=${2:?state dir}

stop() {
  if [ -f "$dir/provider.pid" ]; then
    pid=$(cat "$dir/provider.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir/provider.pid"
  fi
}

case "$cmd" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop <state-dir>" >&2; exit 2 ;;
esac
stop
rm -f "$dir/ports.json"
mkdir -p "$dir/app" "$dir/tls" "$dir/keys"

# npm packages: reinstalled only when package-lock.json changes.
cp "$here/package.json" "$here/package-lock.json" "$here/server.mjs" "$dir/app/"
if ! cmp -s "$here/package-lock.json" "$dir/app/.installed-lock" 2>/dev/null; then
  (cd "$dir/app" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$dir/app/.installed-lock"
fi

# Throwaway TLS material, new on every start.
tls=$dir/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=chat-oidc test CA" -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
  >"$tls/server.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
  -days 2 -extfile "$tls/server.ext" -out "$tls/server.pem" 2>/dev/null

# The provider's signing keys (the file name is the kid); tests sign their own tokens with them.
keys=$dir/keys
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/rsa1.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/rsa2.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/ec1.pem" 2>/dev/null

(cd "$dir/app" && exec node server.mjs "$dir") \
  >"$dir/provider.log" 2>&1 &
echo $! >"$dir/provider.pid"

for _ in $(seq 300); do
  https_port=$(sed -n 's/.*"https":\([0-9]*\).*/\1/p' "$dir/ports.json" 2>/dev/null || true)
  if [ -n "$https_port" ] && curl -sf --cacert "$tls/ca.pem" -o /dev/null \
      "https://127.0.0.1:$https_port/.well-known/openid-configuration"; then
    echo "test OpenID Provider ready on https://127.0.0.1:$https_port"
    exit 0
  fi
  if ! kill -0 "$(cat "$dir/provider.pid")" 2>/dev/null; then break; fi
  sleep 0.1
done
echo "test OpenID Provider did not start; log:" >&2
cat "$dir/provider.log" >&2
stop
exit 1
