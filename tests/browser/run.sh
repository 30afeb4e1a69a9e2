#!/usr/bin/env bash
# The dashboard in a real browser (issue 4 item 5): Debian's chromium driven
# by playwright-core (tests/browser/package.json, pinned; no browser
# download).  Sets up a data directory with the CLI, starts `certward serve`
# on free loopback ports, runs dashboard.test.mjs with node's test runner,
# stops the server by its PID and exits with node's status.
#
#   tests/browser/run.sh            (uses build/certward)
#   CERTWARD_BIN=/path/certward tests/browser/run.sh
#
# Screenshots go to build/browser-artifacts/.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${CERTWARD_BIN:-$ROOT/build/certward}
ARTIFACTS=${CW_ARTIFACTS:-$ROOT/build/browser-artifacts}
CHROMIUM=/usr/bin/chromium

[ -x "$BIN" ] || { echo "run.sh: no certward binary at $BIN" >&2; exit 2; }
command -v node >/dev/null || { echo "run.sh: node is needed" >&2; exit 2; }

# --- the browser and its driver -----------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get install -y -q chromium >/dev/null ||
	    { $SUDO apt-get update -q >/dev/null &&
	      $SUDO apt-get install -y -q chromium >/dev/null; }
fi
if [ ! -f "$HERE/node_modules/playwright-core/package.json" ]; then
	(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- a data directory with something to show ----------------------------------
WORK=$(mktemp -d /tmp/certward-browser.XXXXXX)
DATA=$WORK/data
SRV_PID=
cleanup() {
	if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
		kill -TERM "$SRV_PID" 2>/dev/null || true
		wait "$SRV_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

export LC_ALL=C.UTF-8
cw() { "$BIN" --data "$DATA" "$@"; }
q() { "$@" >/dev/null; }

q cw init --admin admin --base-url http://127.0.0.1:9
q cw user add alice --role requester --as admin
q cw user add bob --role security-officer --as admin
q cw user add carol --role security-officer --as admin
q cw user add dave --role pki-admin --as admin
q cw service add web --owner team-web --contact web@example.test --as dave
q cw service add api --owner team-api --contact api@example.test --as dave
q cw service add release --owner team-release --contact release@example.test --as dave
q cw service add legacy --owner team-legacy --contact legacy@example.test --as dave

csr() { # template name args...
	local t=$1 n=$2
	shift 2
	q "$BIN" csr new --policy "$DATA/policy.yaml" --template "$t" \
	    --key-out "$WORK/$n.key" --out "$WORK/$n.csr" "$@"
}
for n in www shop api-gw metrics; do
	csr web-server "$n" --dns "$n.svc.example.internal"
	q cw request submit --template web-server --service web "$WORK/$n.csr" --as alice
done
for n in billing orders; do
	csr workload-mtls "$n" --uri "spiffe://example.internal/ns/prod/sa/$n"
	q cw request submit --template workload-mtls --service api "$WORK/$n.csr" --as alice
done
csr code-signing sign --cn "Desktop Release Signing"
PENDING=$(cw request submit --template code-signing --service release \
    "$WORK/sign.csr" --as alice --json |
    python3 -c 'import json,sys; o=json.load(sys.stdin); assert o["state"]=="pending", o; print(o["id"])')

# A service whose owner last attested 200 days ago (past web-server's
# owner.max_age of 180d), so the services page has a stale one to show.
# There is no way to move the clock from the CLI; the data is test data.
python3 - "$DATA/certward.db" <<'EOF'
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE services SET verified_at = ? WHERE name = 'legacy'",
            (int(time.time()) - 200 * 86400,))
con.commit()
con.close()
EOF

TOKEN_BOB=$(cw token create --user bob --as dave)
TOKEN_CAROL=$(cw token create --user carol --as dave)
TOKEN_DAVE=$(cw token create --user dave --as dave)

# --- the server -----------------------------------------------------------------
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
PORT=$(free_port)
PUB_PORT=$(free_port)
"$BIN" --data "$DATA" serve --listen "127.0.0.1:$PORT" \
    --public-listen "127.0.0.1:$PUB_PORT" --workers 2 \
    >/dev/null 2>"$WORK/serve.log" &
SRV_PID=$!
for _ in $(seq 1 200); do
	if python3 -c 'import sys,urllib.request
urllib.request.urlopen(sys.argv[1], timeout=1)' "http://127.0.0.1:$PUB_PORT/healthz" 2>/dev/null; then
		break
	fi
	kill -0 "$SRV_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
	sleep 0.1
done

mkdir -p "$ARTIFACTS"
set +e
(cd "$HERE" && CW_URL="https://127.0.0.1:$PORT" CW_CA="$DATA/ca/root.crt" \
    CW_TOKEN_BOB=$TOKEN_BOB CW_TOKEN_CAROL=$TOKEN_CAROL \
    CW_TOKEN_DAVE=$TOKEN_DAVE CW_PENDING_ID=$PENDING \
    CW_ARTIFACTS=$ARTIFACTS CW_CHROMIUM=$CHROMIUM \
    node --test --test-reporter=spec dashboard.test.mjs)
status=$?
set -e

kill -TERM "$SRV_PID"
srv_status=0
wait "$SRV_PID" || srv_status=$?
SRV_PID=
if [ "$srv_status" -ne 0 ]; then
	echo "run.sh: certward serve exited $srv_status" >&2
	cat "$WORK/serve.log" >&2
	[ "$status" -ne 0 ] || status=1
fi
exit "$status"
