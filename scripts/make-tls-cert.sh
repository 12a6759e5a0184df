#!/usr/bin/env bash
# Makes a self-signed TLS key pair for trying ABC Bank's TLS locally (not for production: use a certificate from
# your CA there). Usage: scripts/make-tls-cert.sh [DIR]   (default DIR: ./tls; it must not hold a pair already)
#
# In DIR (made mode 700, every file mode 600):
#   server.p12       the server's PKCS12 keystore: an EC P-256 key and a certificate for localhost and 127.0.0.1,
#                    valid 365 days                                   -> bank-server --tls-keystore
#   server.password  the keystore's random password on one line      -> bank-server --tls-password-file
#   truststore.p12   the certificate alone, in a PKCS12 file readable without a password -> client --tls-truststore
#   server.crt       the certificate in PEM, for other tools (openssl s_client -CAfile server.crt)
# The password never appears on a command line (keytool reads it with -storepass:file).
set -euo pipefail

dir="${1:-tls}"
keytool="keytool"
if [ -n "${JAVA_HOME:-}" ]; then
  keytool="$JAVA_HOME/bin/keytool"
fi
if ! command -v "$keytool" >/dev/null 2>&1; then
  echo "make-tls-cert: keytool not found (it comes with the JDK; set JAVA_HOME)" >&2
  exit 1
fi
if [ -e "$dir/server.p12" ] || [ -e "$dir/truststore.p12" ]; then
  echo "make-tls-cert: $dir already holds a key pair; remove it or give another DIR" >&2
  exit 1
fi

umask 077
mkdir -p "$dir"
chmod 700 "$dir"
dir="$(cd "$dir" && pwd -P)"

# keytool, quiet unless it fails.
run_keytool() {
  local output
  if ! output="$("$keytool" "$@" 2>&1)"; then
    echo "make-tls-cert: keytool failed: $output" >&2
    exit 1
  fi
}

# 32 random bytes, base64 without the characters that need quoting.
head -c 32 /dev/urandom | base64 | tr -d '/+=\n' > "$dir/server.password"
echo >> "$dir/server.password"

run_keytool -genkeypair -alias bank -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA \
  -dname "CN=localhost, O=ABC Bank self-signed" \
  -ext "SAN=dns:localhost,ip:127.0.0.1" -validity 365 \
  -storetype PKCS12 -keystore "$dir/server.p12" -storepass:file "$dir/server.password"
run_keytool -exportcert -rfc -alias bank -keystore "$dir/server.p12" -storepass:file "$dir/server.password" \
  -file "$dir/server.crt"
# A truststore guards no secret: no integrity password and no encryption of the certificate, so the client
# reads it without one. keytool still wants a -storepass; with these two settings it protects nothing.
run_keytool -J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE -J-Dkeystore.pkcs12.macAlgorithm=NONE \
  -importcert -noprompt -alias bank -file "$dir/server.crt" \
  -storetype PKCS12 -keystore "$dir/truststore.p12" -storepass unprotected

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
fingerprint="$("$keytool" -list -alias bank -keystore "$dir/truststore.p12" -storepass unprotected 2>/dev/null \
  | sed -n 's/.*(SHA-256): //p')"
cat <<DONE
made in $dir:
  server.p12       server key and certificate (CN=localhost, SAN localhost and 127.0.0.1, 365 days)
  server.password  its password (mode 600)
  truststore.p12   the certificate, for clients
  server.crt       the certificate, PEM
certificate SHA-256: $fingerprint

server:  $root/scripts/bank-server --tls-keystore $dir/server.p12 --tls-password-file $dir/server.password
client:  $root/scripts/client --tls --tls-truststore $dir/truststore.p12 --host localhost USER COMMAND ...
         (--host 127.0.0.1, the default, works too: the certificate names both)
DONE
