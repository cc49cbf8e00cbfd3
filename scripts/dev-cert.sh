#!/usr/bin/env bash
# Writes a self-signed certificate for localhost, for authsim's --tls-cert
# and --tls-key: DIR/cert.pem and DIR/key.pem (DIR defaults to the current
# folder). Valid for localhost, 127.0.0.1 and ::1, for 825 days. Existing
# files are not overwritten.
#
#   ./scripts/dev-cert.sh certs
#   ./build/server/authsim --tls-cert certs/cert.pem --tls-key certs/key.pem
#   curl --cacert certs/cert.pem https://localhost:8080/__admin/health
set -euo pipefail

dir=${1:-.}
if ! command -v openssl >/dev/null 2>&1; then
  echo "dev-cert: openssl is not installed (./scripts/setup.sh installs it)" >&2
  exit 1
fi
mkdir -p "$dir"
cert="$dir/cert.pem"
key="$dir/key.pem"
for f in "$cert" "$key"; do
  if [ -e "$f" ]; then
    echo "dev-cert: $f already exists; remove it first to make a new pair" >&2
    exit 1
  fi
done

# The key is written with owner-only permissions: it is a secret, even a
# development one.
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$key" -out "$cert" -days 825 \
  -subj "/CN=localhost/O=authsim development" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,digitalSignature,keyCertSign" \
  -addext "extendedKeyUsage=serverAuth" 2>/dev/null
chmod 644 "$cert"
echo "dev-cert: wrote $cert and $key (self-signed for localhost, 127.0.0.1 and ::1)"
