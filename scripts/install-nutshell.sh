#!/usr/bin/env bash
# Installs nutshell 0.21.0 (PyPI package `cashu`), the reference Cashu mint and wallet, into a virtualenv for the
# interop tests. `pip install cashu==0.21.0` alone fails (its wheel pins breez-sdk-spark<0.18, which PyPI no longer
# serves), so its dependencies come first, pinned by nutshell's own lock file, then the wheel without dependencies.
#
#   scripts/install-nutshell.sh [VENV_DIR]     (default: .build/nutshell-venv)
#
# Idempotent: an existing venv with cashu 0.21.0 is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.build/nutshell-venv}
if [ -x "$venv/bin/cashu" ] && "$venv/bin/python" -c 'import importlib.metadata as m; assert m.version("cashu") == "0.21.0"' 2>/dev/null; then
  echo "nutshell 0.21.0 already installed in $venv"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check \
  -r Tests/Fixtures/interop/nutshell-requirements.txt -c Tests/Fixtures/interop/nutshell-constraints.txt
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps cashu==0.21.0
echo "nutshell $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("cashu"))') installed in $venv"
