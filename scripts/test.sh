#!/usr/bin/env bash
# The whole test suite: unit (cmocka) and end-to-end (pytest) tests on a
# normal build, the same suite under AddressSanitizer + UBSan, bounded
# libFuzzer runs over the CSR and policy parsers and the signer's message
# decoders, and the source checks.
# Ends with one line "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FUZZ_SECONDS=${FUZZ_SECONDS:-60}

bash scripts/install-deps.sh || { echo "dependency installation failed"; echo "0 passed, 1 failed"; exit 1; }

status=0
steps_failed=0
run() { # name, command...
  local name=$1; shift
  echo "=== $name"
  if "$@"; then echo "--- $name: ok"; else echo "--- $name: FAILED"; status=1; steps_failed=$((steps_failed + 1)); fi
}

setup() { # dir, meson args...
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then meson setup --reconfigure "$dir" "$@" >/dev/null; else meson setup "$dir" "$@" >/dev/null; fi
}

run "source checks" bash scripts/checksrc.sh
run "build" bash -c "$(declare -f setup); setup build && ninja -C build"
run "tests" meson test -C build --print-errorlogs --num-processes 2
run "build (ASan+UBSan)" bash -c "$(declare -f setup); setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug && ninja -C build-asan"
run "tests (ASan+UBSan)" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    meson test -C build-asan --print-errorlogs --num-processes 2 -t 3
run "build (clang)" bash -c "$(declare -f setup); CC=clang setup build-clang -De2e=disabled && ninja -C build-clang"
run "browser (Chromium)" bash -c "CERTWARD_BIN=$ROOT/build/certward bash tests/browser/run.sh 2>&1 | tee build/browser.log; exit \${PIPESTATUS[0]}"
run "build (libFuzzer)" bash -c "$(declare -f setup); CC=clang setup build-fuzz -Dfuzz=enabled -De2e=disabled && ninja -C build-fuzz fuzz/fuzz_csr fuzz/fuzz_policy fuzz/fuzz_signer_msg"
run "fuzz CSR (${FUZZ_SECONDS}s)" bash scripts/fuzz.sh csr "$FUZZ_SECONDS"
run "fuzz policy ($((FUZZ_SECONDS / 3))s)" bash scripts/fuzz.sh policy "$((FUZZ_SECONDS / 3))"
run "fuzz signer messages ($((FUZZ_SECONDS / 3))s)" bash scripts/fuzz.sh signer_msg "$((FUZZ_SECONDS / 3))"

/usr/bin/python3 scripts/summarize.py build/meson-logs/testlog.json build-asan/meson-logs/testlog.json --node-log build/browser.log --extra-failed "$steps_failed"
exit $status
