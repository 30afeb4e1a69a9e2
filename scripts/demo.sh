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
set -e

# --- governed issuance --------------------------------------------------------
export CERTWARD_DATA="$DEMO/data"
step certward init --admin admin
"$CW" init --admin admin

step "certward user add ... (alice requests; bob and carol approve code signing)"
"$CW" user add alice --role requester --as admin
"$CW" user add bob --role security-officer --as admin
"$CW" user add carol --role security-officer --as admin
"$CW" service add web --owner team-web --contact web-team@example.com --as admin
"$CW" service add release --owner team-release --contact release@example.com --as admin

step certward request submit --template web-server --service web $DEMO/api.csr --as alice
"$CW" request submit --template web-server --service web "$DEMO/api.csr" --as alice

step "certward request submit ... $DEMO/bad.csr (rejected: every violation recorded)"
set +e
"$CW" request submit --template web-server --service web "$DEMO/bad.csr" --as alice
set -e

step "code signing needs two approvers, never the requester"
"$CW" csr new --policy "$CERTWARD_DATA/policy.yaml" --template code-signing \
  --cn "Demo Release Signing" --key-out "$DEMO/sign.key" --out "$DEMO/sign.csr" >/dev/null
"$CW" request submit --template code-signing --service release "$DEMO/sign.csr" --as alice
set +e
"$CW" request approve 3 --as alice
set -e
"$CW" request approve 3 --as bob --comment "release 1.2"
"$CW" request approve 3 --as carol --comment "checked the build"

step certward cert list
"$CW" cert list

step "certward audit checkpoint && certward audit verify"
"$CW" audit checkpoint --as admin --out "$DEMO/checkpoint.txt" >/dev/null
"$CW" audit verify
echo
echo "Data directory: $CERTWARD_DATA  (try: CERTWARD_DATA=$CERTWARD_DATA $CW audit log)"
