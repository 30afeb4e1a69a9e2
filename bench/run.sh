#!/usr/bin/env bash
# Benchmarks of the policy gate (not part of the test suite).  Prints:
#  - in-process CSRs/s, full policy check vs the bare OpenSSL path
#    (d2i_X509_REQ + X509_REQ_verify), P-256 and RSA-3072 CSRs;
#  - wall time of one `certward csr check` invocation (mean of many runs);
#  - peak memory (max RSS) of one invocation.
# Usage: bash bench/run.sh [seconds-per-run] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-1.0}
REPS=${2:-5}
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null
if [ -f build-bench/build.ninja ]; then :; else
  meson setup build-bench -Dbuildtype=release -De2e=disabled >/dev/null
fi
ninja -C build-bench certward bench/bench_csr_check >/dev/null

echo "== in-process, one core (median of $REPS runs of ${SECS}s)"
taskset -c 0 build-bench/bench/bench_csr_check "$SECS" "$REPS"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build-bench/certward csr new --policy examples/policy.yaml --template web-server \
  --cn api.svc.example.internal --dns api.svc.example.internal \
  --key-out "$tmp/k.pem" --out "$tmp/c.pem" >/dev/null
openssl req -new -newkey rsa:3072 -nodes -keyout "$tmp/r.key" -subj "/CN=www.example.com" \
  -addext "subjectAltName=DNS:www.example.com" -out "$tmp/r.pem" 2>/dev/null

echo
echo "== one 'certward csr check' process per CSR"
hyperfine -N --warmup 20 --runs 300 --export-json "$tmp/h.json" \
  "build-bench/certward csr check --policy examples/policy.yaml --template web-server $tmp/c.pem" \
  "build-bench/certward csr check --policy examples/policy.yaml --template web-server $tmp/r.pem" \
  "openssl req -in $tmp/c.pem -noout -verify" 2>/dev/null |
  grep -E "Benchmark|Time \(mean"

echo
echo "== peak memory of one invocation (max RSS)"
for f in c.pem r.pem; do
  /usr/bin/time -f "csr check $f: %M KiB" build-bench/certward csr check \
    --policy examples/policy.yaml --template web-server "$tmp/$f" >/dev/null
done
/usr/bin/time -f "csr new (ec:P-256): %M KiB" build-bench/certward csr new --policy examples/policy.yaml \
  --template web-server --dns www.example.com --key-out "$tmp/k2.pem" --out "$tmp/c2.pem" >/dev/null
