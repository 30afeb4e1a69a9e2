#!/usr/bin/env bash
# Runs `certward serve` on a demo data directory: a demo CA on the embedded
# SQLite database with the example policy, a few users and services, issued
# certificates (one revoked) and requests waiting for approval.  The data
# directory is made once (build/demo-server) and reused on later runs; a
# half-made one (interrupted set-up) is made again.  Prints the dashboard
# URL and sign-in tokens, then replaces itself with the server (Ctrl-C
# stops it).
#
#   CERTWARD_BIN   the binary (default build/certward)
#   DEMO_DATA      the data directory (default build/demo-server)
set -euo pipefail
cd "$(dirname "$0")/.."
CW=${CERTWARD_BIN:-build/certward}
DATA=${DEMO_DATA:-build/demo-server}
WORK="$DATA.work"   # keys and CSRs of the demo services, not CA data
LISTEN=127.0.0.1:8443
PUBLIC=127.0.0.1:8080
export CERTWARD_DATA="$DATA"

if [ ! -x "$CW" ]; then
	echo "run-demo-server: $CW not found; build first: meson setup build && ninja -C build" >&2
	exit 2
fi

cw() { "$CW" "$@" >/dev/null; }

# a compliant web-server CSR for a name under *.svc.example.internal
web_csr() {
	cw csr new --policy "$DATA/policy.yaml" --template web-server \
	    --cn "$1.svc.example.internal" --dns "$1.svc.example.internal" \
	    --key-out "$WORK/$1.key" --out "$WORK/$1.csr"
}

setup() {
	rm -rf "$DATA" "$WORK"
	mkdir -p "$WORK"
	echo "run-demo-server: creating the demo data directory $DATA"
	cw init --admin admin --base-url "http://$PUBLIC" --org "Example Corp"
	cw user add alice --role requester --as admin
	cw user add eve --role requester --as admin
	cw user add bob --role security-officer --as admin
	cw user add carol --role security-officer --as admin
	cw user add audrey --role auditor --as admin
	cw service add web --owner team-web --contact web-team@example.com --as admin
	cw service add api --owner team-api --contact api-team@example.com --as admin
	cw service add release --owner team-release --contact release@example.com --as admin

	# issued at once: compliant web-server requests
	for n in www shop cart; do
		web_csr "$n"
		cw request submit --template web-server --service web "$WORK/$n.csr" --as alice
	done
	for n in orders billing; do
		web_csr "$n"
		cw request submit --template web-server --service api "$WORK/$n.csr" --as eve
	done
	# one revoked (its key was on a laptop that went missing)
	serial=$("$CW" cert list --service web --json | sed -n 's/.*"serial": *"\([0-9a-f]*\)".*/\1/p' | head -n 1)
	if [ -n "$serial" ]; then
		cw cert revoke "$serial" --reason keyCompromise --as admin
	fi
	# rejected: a name the policy does not allow
	cw csr new --policy "$DATA/policy.yaml" --template web-server \
	    --dns www.example.com --key-out "$WORK/www-ext.key" --out "$WORK/www-ext.csr"
	"$CW" request submit --template web-server --service web \
	    "$WORK/www-ext.csr" --as alice >/dev/null 2>&1 || true
	# pending: code signing needs two approvers, never the requester;
	# one is waiting for both, one has its first approval
	for v in 1.4 1.5; do
		cw csr new --policy "$DATA/policy.yaml" --template code-signing \
		    --cn "Demo $v Release Signing" --key-out "$WORK/sign-$v.key" \
		    --out "$WORK/sign-$v.csr"
		cw request submit --template code-signing --service release \
		    "$WORK/sign-$v.csr" --as alice
	done
	id=$("$CW" request list --state pending --json | sed -n 's/.*"id": *\([0-9]*\).*/\1/p' | tail -n 1)
	if [ -n "$id" ]; then
		cw request approve "$id" --as carol --comment "build checked"
	fi
	touch "$DATA/.demo-ready"
}

if [ ! -f "$DATA/.demo-ready" ]; then
	setup
fi

# fresh tokens on every run (the old ones stay valid until they expire)
bob_token=$("$CW" token create --user bob --expires 7d --as admin)
admin_token=$("$CW" token create --user admin --expires 7d --as admin)

cat <<EOF

  certward demo server
  Dashboard:  https://$LISTEN/
              (certificate issued by the demo CA: trust $DATA/ca/root.crt,
               or accept the browser's warning for this local demo)
  Sign in as bob (security-officer: approves the pending code signing):
              $bob_token
  Sign in as admin (pki-admin: services, revocation, tokens):
              $admin_token
  API:        curl --cacert $DATA/ca/root.crt -H "Authorization: Bearer $bob_token" https://$LISTEN/api/v1/requests?state=pending
  OCSP, CRL:  http://$PUBLIC/ocsp  http://$PUBLIC/crl/issuing.crl
  CLI tour:   bash scripts/demo.sh

EOF
exec "$CW" serve --listen "$LISTEN" --public-listen "$PUBLIC"
