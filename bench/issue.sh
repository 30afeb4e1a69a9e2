#!/usr/bin/env bash
# Benchmarks of governed issuance (not part of the test suite).  P-256
# CSRs, P-256 issuing CA (the default `certward init`), template web-server
# of the example policy.  Prints:
#  1. in process, one core: durable audited issuance through the engine
#     (cw_request_submit_many, groups of 500, WAL synchronous=FULL) vs the
#     same pipeline with storage off (parse + policy + cw_cert_issue +
#     i2d_X509), blocks of 1,000 alternating; certs/s and the ratio;
#  2. two processes on one data directory (each half, each on its own
#     core, started together) vs one process: total certs/s and the
#     ratio; then checks that the two stored one certificate per key and
#     that `audit verify` passes;
#  3. one `certward request submit` process per certificate vs one
#     `openssl ca -batch` process per certificate;
#  4. cfssl (Debian golang-cfssl), if installed: one `cfssl sign` process
#     per certificate, and `cfssl serve` + its HTTP sign API under `hey`.
# Usage: bash bench/issue.sh [N (20000)] [repeats (3)] [per-process runs (500)]
# BUILD=dir selects the build directory (default build-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
REPS=${2:-3}
PP=${3:-500}
BUILD=${BUILD:-build-bench}
if [ -f "$BUILD/build.ninja" ]; then :; else
  meson setup "$BUILD" -Dbuildtype=release -De2e=disabled >/dev/null
fi
ninja -C "$BUILD" certward bench/bench_issue >/dev/null
CW=$(realpath "$BUILD/certward")
BI=$(realpath "$BUILD/bench/bench_issue")

tmp=$(mktemp -d /tmp/cw-issue-bench.XXXXXX)
srv=
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# a fresh data directory with the user and service the benchmarks use
mkdata() {
  "$CW" --data "$1" init --admin admin >/dev/null
  "$CW" --data "$1" user add bench --role requester --as admin >/dev/null
  "$CW" --data "$1" service add bench --owner team-bench \
    --contact bench@example.com --as admin >/dev/null
}

start_at() { python3 -c "import time; print(f'{time.time() + $1:.3f}')"; }

echo "== 1. in process, one core: $N certificates per run, groups of 500"
dirs=()
for r in $(seq "$REPS"); do mkdata "$tmp/in$r"; dirs+=("$tmp/in$r"); done
taskset -c 0 "$BI" inproc "$N" 500 "${dirs[@]}"
rm -rf "${dirs[@]}"

echo
echo "== 2. one process vs two processes on one data directory ($N certificates, groups of 500)"
half=$((N / 2))
: >"$tmp/ratios"
for r in $(seq "$REPS"); do
  mkdata "$tmp/one"
  st=$(start_at 2)
  one=$(taskset -c 0 "$BI" submit "$tmp/one" "$N" 500 one "$st" |
    awk '{printf "%.0f", $2 / ($4 - $3)}')
  mkdata "$tmp/two"
  st=$(start_at 2)
  taskset -c 0 "$BI" submit "$tmp/two" "$half" 500 a "$st" >"$tmp/a" &
  pa=$!
  taskset -c 1 "$BI" submit "$tmp/two" "$half" 500 b "$st" >"$tmp/b" &
  pb=$!
  if wait "$pa" && wait "$pb"; then
    two=$(cat "$tmp/a" "$tmp/b" | awk '{n += $2; if (s == "" || $3 < s) s = $3;
      if ($4 > e) e = $4} END {printf "%.0f", n / (e - s)}')
    n2=$(sqlite3 "$tmp/two/certward.db" "SELECT count(*) FROM certificates")
    # the guarantees hold under the race: every request ended issued
    # (bench_issue checks), one certificate per key, the log verifies
    k2=$(sqlite3 "$tmp/two/certward.db" "SELECT count(DISTINCT spki_sha256) FROM certificates")
    "$CW" --data "$tmp/two" audit verify >/dev/null
    echo "run $r: one process $one certs/s, two processes $two certs/s" \
      "($(awk -v a="$two" -v b="$one" 'BEGIN {printf "%.2f", a / b}')x; $n2 certificates stored, $k2 keys, audit verified)"
    awk -v a="$two" -v b="$one" 'BEGIN {print a / b}' >>"$tmp/ratios"
  else
    echo "run $r: one process $one certs/s, two processes FAILED (see the error above)"
  fi
  rm -rf "$tmp/one" "$tmp/two"
done
[ -s "$tmp/ratios" ] && echo "median two/one: $(median <"$tmp/ratios" | awk '{printf "%.2f", $1}')x"

echo
echo "== 3. one process per certificate, $PP sequential certificates, core 0"
mkdir -p "$tmp/csr"
"$BI" csrs "$tmp/csr" "$PP" pp
# openssl ca with the same issuing CA and a comparable profile; SANs are
# copied from the CSR unchecked (openssl ca has no policy for them)
mkdata "$tmp/ca-src"
cat >"$tmp/openssl-ca.cnf" <<EOF
[ ca ]
default_ca = bench
[ bench ]
dir = $tmp/ossl
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
certificate = $tmp/ca-src/ca/issuing.crt
private_key = $tmp/ca-src/ca/issuing.key
default_md = sha256
default_days = 30
policy = anything
unique_subject = no
copy_extensions = copy
x509_extensions = leaf
[ anything ]
organizationName = optional
commonName = optional
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://localhost:8080/crl/issuing.crl
authorityInfoAccess = OCSP;URI:http://localhost:8080/ocsp, caIssuers;URI:http://localhost:8080/ca/issuing.crt
EOF
cat >"$tmp/cfssl.json" <<'EOF'
{"signing": {"default": {"expiry": "720h",
  "usages": ["digital signature", "server auth"],
  "crl_url": "http://localhost:8080/crl/issuing.crl",
  "ocsp_url": "http://localhost:8080/ocsp",
  "issuer_urls": ["http://localhost:8080/ca/issuing.crt"]}}}
EOF
# nanoseconds for one loop of $1 (a bash script over "$@") on core 0
loop_ns() {
  local t0 t1
  t0=$(date +%s%N)
  taskset -c 0 bash -c "$1" _ "${@:2}"
  t1=$(date +%s%N)
  echo $((t1 - t0))
}
rate() { awk -v n="$PP" -v t="$1" 'BEGIN {printf "%.1f", n / (t / 1e9)}'; }
CW_LOOP='for f in "$@"; do '"$CW"' --data '"$tmp/pp"' request submit \
  --template web-server --service bench "$f" --as bench >/dev/null || exit 1; done'
OS_LOOP='for f in "$@"; do openssl ca -batch -notext -config '"$tmp/openssl-ca.cnf"' \
  -in "$f" -out /dev/null 2>/dev/null || exit 1; done'
CF_LOOP='for f in "$@"; do cfssl sign -config '"$tmp/cfssl.json"' \
  -ca '"$tmp/ca-src/ca/issuing.crt"' -ca-key '"$tmp/ca-src/ca/issuing.key"' \
  "$f" >/dev/null 2>&1 || exit 1; done'
csrs=("$tmp"/csr/*.pem)
: >"$tmp/cw"; : >"$tmp/os"; : >"$tmp/cf"
for r in $(seq "$REPS"); do
  rm -rf "$tmp/pp" "$tmp/ossl"
  mkdata "$tmp/pp"
  mkdir -p "$tmp/ossl/newcerts"
  : >"$tmp/ossl/index.txt"
  echo 01 >"$tmp/ossl/serial"
  tcw=0; tos=0; tcf=0
  # rounds of 50 certificates, the tools taking turns, so that the noise
  # of the shared machine hits all of them alike
  for ((i = 0; i < PP; i += 50)); do
    round=("${csrs[@]:i:50}")
    tcw=$((tcw + $(loop_ns "$CW_LOOP" "${round[@]}")))
    tos=$((tos + $(loop_ns "$OS_LOOP" "${round[@]}")))
    if command -v cfssl >/dev/null; then
      tcf=$((tcf + $(loop_ns "$CF_LOOP" "${round[@]}")))
    fi
  done
  n=$(sqlite3 "$tmp/pp/certward.db" "SELECT count(*) FROM certificates")
  echo "run $r: certward request submit $(rate $tcw) certs/s ($n issued)," \
    "openssl ca $(rate $tos) certs/s$([ $tcf -gt 0 ] && echo ", cfssl sign $(rate $tcf) certs/s")"
  rate $tcw >>"$tmp/cw"; echo >>"$tmp/cw"
  rate $tos >>"$tmp/os"; echo >>"$tmp/os"
  if [ $tcf -gt 0 ]; then rate $tcf >>"$tmp/cf"; echo >>"$tmp/cf"; fi
done
for x in cw os cf; do
  [ -s "$tmp/$x" ] || continue
  m=$(median <"$tmp/$x")
  case $x in cw) l="certward request submit";; os) l="openssl ca -batch";;
    cf) l="cfssl sign";; esac
  printf "median %-24s %7.1f certs/s  %6.2f ms per certificate\n" "$l" "$m" \
    "$(awk -v m="$m" 'BEGIN {print 1000 / m}')"
done

echo
echo "== 4. cfssl serve + HTTP sign API (server on core 0, hey -c 8 on core 1, no storage)"
if command -v cfssl >/dev/null && command -v hey >/dev/null; then
  python3 -c 'import json, sys; print(json.dumps({"certificate_request":
    open(sys.argv[1]).read()}))' "$tmp/csr/pp-000000.pem" >"$tmp/body.json"
  taskset -c 0 cfssl serve -address 127.0.0.1 -port 18888 -config "$tmp/cfssl.json" \
    -ca "$tmp/ca-src/ca/issuing.crt" -ca-key "$tmp/ca-src/ca/issuing.key" \
    -loglevel 5 >/dev/null 2>&1 &
  srv=$!
  for _ in $(seq 50); do
    curl -s -o /dev/null http://127.0.0.1:18888/api/v1/cfssl/sign && break
    sleep 0.1
  done
  taskset -c 1 hey -n 2000 -c 8 -m POST -T application/json -D "$tmp/body.json" \
    http://127.0.0.1:18888/api/v1/cfssl/sign >/dev/null # warm-up
  for r in $(seq "$REPS"); do
    c0=$(awk '{print $14 + $15}' "/proc/$srv/stat")
    taskset -c 1 hey -n "$N" -c 8 -m POST -T application/json -D "$tmp/body.json" \
      http://127.0.0.1:18888/api/v1/cfssl/sign >"$tmp/hey"
    c1=$(awk '{print $14 + $15}' "/proc/$srv/stat")
    rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$tmp/hey")
    ok=$(awk '/\[200\]/ {print $2}' "$tmp/hey")
    echo "run $r: $rps certs/s (${ok:-0} of $N answered 200)," \
      "server CPU $(awk -v c="$((c1 - c0))" -v n="$N" -v hz="$(getconf CLK_TCK)" \
      'BEGIN {printf "%.0f", 1e6 * c / hz / n}') us per certificate"
  done
  kill "$srv"; srv=
else
  echo "cfssl or hey not installed (apt-get install golang-cfssl hey)"
fi
