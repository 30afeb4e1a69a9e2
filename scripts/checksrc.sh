#!/usr/bin/env bash
# Fails when the C sources use functions that are easy to misuse with
# untrusted input (STYLE.md: "banned footgun functions checked in CI").
set -uo pipefail
cd "$(dirname "$0")/.."
banned='\b(atoi|atol|atoll|sscanf|strcpy|strcat|sprintf|vsprintf|strtok|gets|gmtime|localtime|asctime|ctime|strncpy|tmpnam|mktemp)\s*\('
hits=$(grep -nE "$banned" src/*/*.c src/*/*.h fuzz/*.c bench/*.c 2>/dev/null | grep -vE '^\S+:\s*[0-9]+:\s*(/\*|\*)')
if [ -n "$hits" ]; then
  echo "banned functions (use the bounded helpers in src/common/util.h):"
  echo "$hits"
  exit 1
fi
echo "checksrc: no banned functions"
