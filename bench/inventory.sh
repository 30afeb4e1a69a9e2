#!/usr/bin/env bash
# Inventory queries on a large inventory (not part of the test suite).
# Builds a data directory with N certificates issued by the real engine
# (bench_issue fill: fresh P-256 CSRs, cw_request_submit_many in groups of
# 1,000, 10,000 per call, the calls spread over 100 services svc00..svc99,
# plus 50 certificates of a small service "rare"), then times, each as one
# `certward` process (hyperfine, after a warm-up, page cache warm):
#   - cert list --expiring 30d --limit 100 --json   (every certificate matches)
#   - cert list --expiring 29d --limit 100 --json   (none matches: all were
#     issued just now with the template's 30-day validity)
#   - cert list --service svc42 --limit 100         (1% of the inventory)
#   - cert list --service rare --limit 100          (50 certificates)
#   - cert list --due --limit 100 --json            (none due yet)
#   - cert list --status revoked --limit 100 --json (10 revoked here)
#   - request submit of a CSR whose key is in the inventory (key.reuse)
#   - user list (process start + opening the data directory: the floor)
# and the full listing `cert list --expiring 30d [--json]` once, the
# database size, peak RSS (/usr/bin/time) and the SQLite query plans of
# the listing queries as src/store/store_sqlite.c builds them.
# Usage: bash bench/inventory.sh [N (1000000)] [DIR (/tmp/cw-inventory)]
# KEEP=1 keeps DIR (and reuses it when it already holds the inventory);
# BUILD=dir selects the build directory (default build-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DIR=${2:-/tmp/cw-inventory}
BUILD=${BUILD:-build-bench}
KEEP=${KEEP:-0}
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null
if [ -f "$BUILD/build.ninja" ]; then :; else
  meson setup "$BUILD" -Dbuildtype=release -De2e=disabled >/dev/null
fi
ninja -C "$BUILD" certward bench/bench_issue >/dev/null
CW=$(realpath "$BUILD/certward")
BI=$(realpath "$BUILD/bench/bench_issue")
[ "$KEEP" = 1 ] || trap 'rm -rf "$DIR"' EXIT
q() { sqlite3 "$DIR/certward.db" "$@"; }

if [ -f "$DIR/reuse.pem" ] && [ "$(q 'SELECT count(*) FROM certificates')" -ge "$N" ]; then
  echo "== reusing $DIR"
else
  rm -rf "$DIR"
  "$CW" --data "$DIR" init --admin admin >/dev/null
  "$CW" --data "$DIR" user add bench --role requester --as admin >/dev/null
  for s in rare $(seq -f "svc%02g" 0 99); do
    "$CW" --data "$DIR" service add "$s" --owner team-bench \
      --contact bench@example.com --as admin >/dev/null
  done
  echo "== issuing $N certificates into $DIR"
  "$BI" fill "$DIR" 50 50 50 rare "$DIR/reuse-rare.pem" rare >/dev/null
  /usr/bin/time -f "fill: %e s wall, peak RSS %M KiB" taskset -c 0 \
    "$BI" fill "$DIR" "$N" 1000 10000 m "$DIR/reuse.pem" $(seq -f "svc%02g" 0 99) \
    2>&1
  # a few revoked certificates for --status revoked
  for serial in $(q "SELECT serial FROM certificates WHERE service = 'svc07' LIMIT 10"); do
    "$CW" --data "$DIR" cert revoke "$serial" --reason keyCompromise --as admin >/dev/null
  done
fi

echo
echo "== database"
q "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
ls -l "$DIR"/certward.db* | awk '{printf "%-40s %8.1f MiB\n", $9, $5 / 1048576}'
q "SELECT 'certificates', count(*) FROM certificates UNION ALL
   SELECT 'requests', count(*) FROM requests UNION ALL
   SELECT 'audit events', count(*) FROM audit" | tr '|' ' '
if q "SELECT 1 FROM dbstat LIMIT 1" >/dev/null 2>&1; then
  echo "space per table and index (dbstat):"
  q "SELECT name, count(*), sum(pgsize) / 1048576.0, sum(unused) / 1048576.0
     FROM dbstat GROUP BY name ORDER BY 3 DESC LIMIT 9" |
    awk -F'|' '{printf "  %-24s %9d pages %9.1f MiB (%5.1f MiB unused)\n", $1, $2, $3, $4}'
fi

echo
echo "== one certward process per query (hyperfine -N, 1 warm-up, 3 s or 20 runs, at least 3)"
cw="$CW --data $DIR"
hyperfine -N -i --warmup 1 --min-runs 3 --max-runs 20 --export-json "$DIR/h.json" \
  "$cw user list" \
  "$cw cert list --expiring 30d --limit 100 --json" \
  "$cw cert list --expiring 29d --limit 100 --json" \
  "$cw cert list --service svc42 --limit 100" \
  "$cw cert list --service rare --limit 100" \
  "$cw cert list --due --limit 100 --json" \
  "$cw cert list --status revoked --limit 100 --json" \
  "$cw request submit --template web-server --service svc00 $DIR/reuse.pem --as bench" \
  >/dev/null 2>&1 || true
python3 - "$DIR/h.json" "$DIR" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    cmd = r["command"].split(sys.argv[2], 1)[1].strip()
    print(f"{r['mean']*1e3:9.1f} ms ± {r['stddev']*1e3:6.1f}  (min {r['min']*1e3:8.1f})  {cmd}")
EOF
echo "key reuse verdict: $($cw request submit --template web-server --service svc00 \
  "$DIR/reuse.pem" --as bench --json 2>/dev/null | python3 -c \
  'import json, sys; o = json.load(sys.stdin); print(o["state"], [v["rule"] for v in o["violations"]])')"

echo
echo "== peak RSS (max resident KiB) of one process"
for a in "cert list --expiring 30d --limit 100 --json" "cert list --service rare --limit 100" \
  "request submit --template web-server --service svc00 $DIR/reuse.pem --as bench"; do
  /usr/bin/time -f "%M KiB  $a" $cw $a >/dev/null 2>"$DIR/rss" || true
  tail -1 "$DIR/rss"
done

echo
echo "== full listings (every certificate; output to /dev/null)"
/usr/bin/time -f "%e s, peak RSS %M KiB: cert list --expiring 30d --json" \
  $cw cert list --expiring 30d --json >/dev/null
/usr/bin/time -f "%e s, peak RSS %M KiB: cert list --expiring 30d" \
  $cw cert list --expiring 30d >/dev/null

echo
echo "== SQLite: query plans and times of the listing queries (as the store builds them) and the key lookup"
now=$(date +%s)
cols="serial, issuer, subject, sans, key_alg, spki_sha256, not_before, not_after,
  renew_after, template, service, request_id, status, revoked_at,
  revocation_reason, renewed_by, source, NULL"
plan() { # label, WHERE clause
  echo "-- $1"
  printf '%s\n' "EXPLAIN QUERY PLAN SELECT $cols FROM certificates WHERE $2 ORDER BY not_after, serial LIMIT 100;" \
    ".timer on" "SELECT count(*) FROM (SELECT $cols FROM certificates WHERE $2 ORDER BY not_after, serial LIMIT 100);" |
    sqlite3 "$DIR/certward.db" | grep -v "^QUERY PLAN"
}
plan "--expiring 30d" "not_after > $now AND not_after <= $((now + 30 * 86400)) AND status = 'valid'"
plan "--expiring 29d" "not_after > $now AND not_after <= $((now + 29 * 86400)) AND status = 'valid'"
plan "--service svc42" "service = 'svc42'"
plan "--service rare" "service = 'rare'"
plan "--due" "renew_after <= $now AND +not_after > $now AND status = 'valid'"
plan "--status revoked" "status = 'revoked'"
spki=$(q "SELECT hex(spki_sha256) FROM certificates LIMIT 1 OFFSET 500000")
echo "-- key-reuse lookup"
printf '%s\n' "EXPLAIN QUERY PLAN SELECT serial FROM certificates WHERE spki_sha256 = X'$spki' LIMIT 1;" \
  ".timer on" "SELECT serial FROM certificates WHERE spki_sha256 = X'$spki' LIMIT 1;" |
  sqlite3 "$DIR/certward.db" | grep -v "^QUERY PLAN"
