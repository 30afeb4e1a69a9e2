#!/usr/bin/env bash
# Installs what certward needs to build, test and run, from Debian's archive.
# Idempotent: does nothing (not even apt-get update) when all is present.
set -euo pipefail

PKGS=(
  gcc clang meson ninja-build pkg-config
  libssl-dev libyaml-dev libjansson-dev libidn2-dev libcmocka-dev libsqlite3-dev sqlite3
  libmicrohttpd-dev libseccomp-dev
  libclang-rt-14-dev
  openssl python3 python3-pytest python3-cryptography
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
