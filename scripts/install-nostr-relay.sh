#!/usr/bin/env bash
# Installs nostr-relay 1.14 (PyPI package `nostr-relay`) into a virtualenv: the real Nostr relay that the wallet's
# Nostr tests (NUT-18 payment requests over NIP-17, NUT-27 backups) run on loopback.
#
#   scripts/install-nostr-relay.sh [VENV_DIR]     (default: .build/nostr-relay-venv)
#
# Idempotent: an existing venv with nostr-relay 1.14 is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.build/nostr-relay-venv}
if [ -x "$venv/bin/nostr-relay" ] && "$venv/bin/python" -c 'import importlib.metadata as m; assert m.version("nostr-relay") == "1.14"' 2>/dev/null; then
  echo "nostr-relay 1.14 already installed in $venv"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check nostr-relay==1.14
echo "nostr-relay $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("nostr-relay"))') installed in $venv"
