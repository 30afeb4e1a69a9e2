#!/usr/bin/env bash
# A short tour of the policy gate: lint the example policy, generate a
# compliant key and CSR, check it, then check a CSR that breaks the policy
# and show every violation.
set -euo pipefail
cd "$(dirname "$0")/.."
CW=${CERTWARD_BIN:-build/certward}
POLICY=examples/policy.yaml
DEMO=${DEMO_DIR:-build/demo}
rm -rf "$DEMO" && mkdir -p "$DEMO"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step certward policy lint $POLICY
"$CW" policy lint $POLICY

step certward csr new --policy $POLICY --template web-server --cn api.svc.example.internal --dns api.svc.example.internal --ip 10.1.2.3 --key-out $DEMO/api.key --out $DEMO/api.csr
"$CW" csr new --policy $POLICY --template web-server --cn api.svc.example.internal \
  --dns api.svc.example.internal --ip 10.1.2.3 --key-out "$DEMO/api.key" --out "$DEMO/api.csr"
ls -l "$DEMO/api.key"

step certward csr show $DEMO/api.csr
"$CW" csr show "$DEMO/api.csr"

step certward csr check --policy $POLICY --template web-server $DEMO/api.csr
"$CW" csr check --policy $POLICY --template web-server "$DEMO/api.csr"

step "openssl req -new -newkey rsa:2048 -sha1 ... (a CSR that breaks the policy)"
openssl req -new -newkey rsa:2048 -nodes -keyout "$DEMO/bad.key" -sha1 \
  -subj "/CN=www.example.com.evil.org/OU=Shadow IT" \
  -addext "subjectAltName=DNS:www.example.com.evil.org,DNS:*.svc.example.internal,IP:192.168.1.1" \
  -addext "basicConstraints=critical,CA:TRUE" -out "$DEMO/bad.csr" 2>/dev/null

step certward csr check --policy $POLICY --template web-server $DEMO/bad.csr
set +e
"$CW" csr check --policy $POLICY --template web-server "$DEMO/bad.csr"
echo "(exit status $?: 1 means the policy says no)"

step certward csr new --policy $POLICY --template web-server --dns db.example.org ...
"$CW" csr new --policy $POLICY --template web-server --dns db.example.org \
  --key-out "$DEMO/db.key" --out "$DEMO/db.csr"
echo "(exit status $?: nothing was written)"
