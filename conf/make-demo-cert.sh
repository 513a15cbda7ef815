#!/bin/sh
# Makes the demo's HTTPS listener: a self-signed certificate for localhost and 127.0.0.1 in
# conf/tls/, and conf/tls/https.conf, which conf/default.conf includes into its main server
# (`include tls/*.conf;` matches nothing until this has run). Run from the repository root:
#   sh conf/make-demo-cert.sh && swift run -c release webserv conf/default.conf
#   curl --cacert conf/tls/localhost.pem https://localhost:8443/
# Browsers warn about a self-signed certificate: accept it once, or import localhost.pem.
set -eu
dir="$(dirname "$0")/tls"
mkdir -p "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -keyout "$dir/localhost.key" -out "$dir/localhost.pem" 2>/dev/null
chmod 600 "$dir/localhost.key"
cat > "$dir/https.conf" <<'CONF'
# Written by conf/make-demo-cert.sh: the main site over HTTPS (and wss://) on port 8443.
listen 127.0.0.1:8443 ssl;
ssl_certificate conf/tls/localhost.pem;
ssl_certificate_key conf/tls/localhost.key;
ssl_session_cache shared:SSL:1m;
CONF
echo "wrote $dir/localhost.pem, $dir/localhost.key and $dir/https.conf: https://localhost:8443/"
