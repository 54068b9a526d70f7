#!/usr/bin/env bash
# Starts a working Cashew mint on a fresh Debian machine: installs libsecp256k1-dev if missing, builds cashew-mint
# (release), and runs `cashew-mint serve` with whatever arguments are given. With none, the mint listens on
# 127.0.0.1:3338 with a SQLite ledger and the fake Lightning backend under ~/.local/share/cashew-mint (or
# $XDG_DATA_HOME/cashew-mint; --data-dir / CASHEW_DATA_DIR to change it), and
# generates a seed there on first start.
#
#   scripts/run-mint.sh                                   # defaults
#   scripts/run-mint.sh --port 3339 --data-dir /tmp/m     # any `cashew-mint serve` options
#   CASHEW_UNITS=sat,usd scripts/run-mint.sh              # any CASHEW_* setting (Specs/configuration.md)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH=/opt/swift/usr/bin:$PATH
fi
command -v swift >/dev/null 2>&1 || { echo "swift not found: install Swift 6.3 (https://swift.org/install)" >&2; exit 1; }

missing=()
for pkg in libsecp256k1-dev pkg-config; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "==> building cashew-mint (release; the first build takes a few minutes)" >&2
swift build -c release --product cashew-mint >&2
bin=$(swift build -c release --show-bin-path)
exec "$bin/cashew-mint" serve "$@"
