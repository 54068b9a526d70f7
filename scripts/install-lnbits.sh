#!/usr/bin/env bash
# Installs LNbits 1.6.2 (PyPI package `lnbits`) into a virtualenv: the real Lightning accounts server that the
# LNbits backend's end-to-end tests run against, with its FakeWallet funding source (no node behind it).
# bitstring is pinned to 4.1.4: bitstring 5 breaks the `bolt11` package that LNbits imports.
#
#   scripts/install-lnbits.sh [VENV_DIR]     (default: .build/lnbits-venv)
#
# Idempotent: an existing venv with lnbits 1.6.2 is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.build/lnbits-venv}
if [ -x "$venv/bin/lnbits" ] && "$venv/bin/python" -c 'import importlib.metadata as m; assert m.version("lnbits") == "1.6.2"' 2>/dev/null; then
  echo "LNbits 1.6.2 already installed in $venv"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check lnbits==1.6.2 'bitstring==4.1.4'
echo "LNbits $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("lnbits"))') installed in $venv"
