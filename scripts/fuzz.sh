#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time over its seed corpus plus the
# regression inputs in tests/data/fuzz/<target>/.  New crash inputs are left
# in <build>/crashes/ to be turned into regression tests.
# Usage: scripts/fuzz.sh csr|policy|signer_msg [SECONDS]; the build
# directory is build-fuzz unless FUZZ_BUILD names another.
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1
seconds=${2:-60}
build=${FUZZ_BUILD:-build-fuzz}
bin=$build/fuzz/fuzz_$target
work=$build/corpus/$target
mkdir -p "$work" "$build/crashes"
seeds=tests/data/fuzz/$target
[ -d "$seeds" ] || { echo "no seed corpus at $seeds"; exit 1; }
# the regression inputs first, one by one: each must run clean
"$bin" -runs=0 "$seeds" >/dev/null 2>&1 || { "$bin" -runs=0 "$seeds"; exit 1; }
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=70000 \
  -artifact_prefix="$build/crashes/" -print_final_stats=1 "$work" "$seeds" 2>&1 | tail -n 12
