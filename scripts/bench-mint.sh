#!/usr/bin/env bash
# Benchmarks a release cashew-mint on a durable PostgreSQL (fsync on) with `cashew-bench swap`, all on this
# machine: builds both in release mode, starts a private PostgreSQL and the mint (fake Lightning, fee-free keyset),
# runs the load, prints the figures, stops everything.
#
#   scripts/bench-mint.sh [cashew-bench swap options, e.g. --swaps 20000 --concurrency 32]
#
# CASHEW_BENCH_BIN=DIR uses the release binaries in DIR instead of building (to compare two builds in one session).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${CASHEW_BENCH_BIN:-}" ]; then
  bin=$CASHEW_BENCH_BIN
else
  swift build -c release --product cashew-mint >/dev/null
  swift build -c release --product cashew-bench >/dev/null
  bin=$(swift build -c release --show-bin-path)
fi

exec scripts/with-postgres.sh --durable bash -c '
  set -euo pipefail
  bin=$1; shift
  data=$(mktemp -d /tmp/cashew-bench-mint.XXXXXX)
  port=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])")
  CASHEW_LOG_LEVEL=warning CASHEW_FAKE_INCOMING_DELAY=0 CASHEW_INPUT_FEE_PPK=0 CASHEW_DATABASE_POOL_SIZE=${CASHEW_DATABASE_POOL_SIZE:-24} \
    "$bin/cashew-mint" serve --data-dir "$data" --database "$CASHEW_TEST_DATABASE_URL" --port "$port" > "$data/mint.log" 2>&1 &
  mint=$!
  trap "kill -TERM $mint 2>/dev/null; wait $mint 2>/dev/null; rm -rf $data" EXIT
  for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  echo "cashew-mint (release) pid $mint on 127.0.0.1:$port, PostgreSQL durable; $(nproc) cores" >&2
  "$bin/cashew-bench" swap --mint "http://127.0.0.1:$port" --mint-pid "$mint" "$@"
' bench "$bin" "$@"
