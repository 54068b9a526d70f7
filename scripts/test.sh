#!/usr/bin/env bash
# Runs Cashew's whole test suite on a fresh Debian machine: installs what it needs (libsecp256k1-dev, libqrencode-dev,
# zbar-tools and PostgreSQL from apt, nutshell 0.21.0, LNbits 1.6.2 and nostr-relay 1.14 from PyPI into virtualenvs for the interop,
# Lightning backend and Nostr tests), builds, starts a private
# PostgreSQL (scripts/with-postgres.sh), runs every test against it and SQLite (the wall-clock-bound tests in a
# second pass of their own), smoke-runs the crypto benchmark (debug build, a few milliseconds) so that its C
# baseline is checked against the Swift code, and builds every product in release.
#
#   scripts/test.sh            (CI calls it through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*"; }

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH=/opt/swift/usr/bin:$PATH
fi
command -v swift >/dev/null 2>&1 || { echo "swift not found: install Swift 6.3 (https://swift.org/install)" >&2; exit 1; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
apt_install libsecp256k1-dev libqrencode-dev zbar-tools pkg-config python3-venv postgresql pgbouncer openssl chromium procps

log "installing nutshell 0.21.0 (interop peer)"
export CASHEW_NUTSHELL_VENV="${CASHEW_NUTSHELL_VENV:-$PWD/.build/nutshell-venv}"
scripts/install-nutshell.sh "$CASHEW_NUTSHELL_VENV"
log "installing LNbits 1.6.2 (a real Lightning accounts server for the LNbits backend's tests)"
export CASHEW_LNBITS_VENV="${CASHEW_LNBITS_VENV:-$PWD/.build/lnbits-venv}"
scripts/install-lnbits.sh "$CASHEW_LNBITS_VENV"
log "installing nostr-relay 1.14 (a real Nostr relay for the wallet's Nostr tests)"
export CASHEW_NOSTR_RELAY_VENV="${CASHEW_NOSTR_RELAY_VENV:-$PWD/.build/nostr-relay-venv}"
scripts/install-nostr-relay.sh "$CASHEW_NOSTR_RELAY_VENV"
# Interop tests (nutshell, LNbits, the Nostr relay) fail (rather than skip) when their venvs are missing.
export CASHEW_REQUIRE_INTEROP=1

log "building"
swift build --build-tests

# Tests that hold the mint to wall-clock bounds (answers within a second or two while PostgreSQL is down or being
# hammered, connection timeouts, LNbits stopped under a running mint) run in a second pass on their own: in the
# first pass they would share two cores with every other test.
# The wallet's subscription waits (seen within seconds, or only at a deadline) and the requests-in-flight limits
# (answers within a read timeout) are wall-clock bound too: both failed once in a starved main pass.
timed='DoubleSpendSoakTests|PostgresOutageTests|HTTPConnectionTests|LNbitsEndToEndTests|WalletSubscriptionTests|RequestLimitTests'
# The melt fault-injection suite times calls out on purpose (2-3 s client timeouts against a scripted node): a pass of
# its own, so that neither it nor the timed suites above slow the other past their bounds.
faults='MeltFaultTests'
# Suites that each drive several mint processes and wallets through long sequences (proof of liabilities with
# epochs closed by the CLI; multi-path payments over four mints and nutshell): starved in the main pass on 2 cores
# (the proof-of-liabilities suite took 310-334 s there against a 5-minute limit), they get a pass of their own.
# The Nostr suites (a Python relay per test, wallets as processes) and pools (three wallets) join them: a relay starved
# for 100 s in the main pass missed its answer deadline once.
heavy='LiabilityTests|WalletMultiPathTests|NostrRelayTests|NostrPaymentRequestTests|MintBackupTests|PoolTests'

# Both passes are also written to a log, from which a summary is printed at the end, passed or failed: the counts,
# and each failed test with its first recorded issue.
test_log=$(mktemp /tmp/cashew-test-log.XXXXXX)
# A pass whose test process crashes prints no "Test run with" line and no failures: what it was running is kept here.
crash_log=$(mktemp /tmp/cashew-crash-log.XXXXXX)
summarise() {
  local status=$?
  if [ -s "$test_log" ]; then
    printf '\n==> summary\n'
    grep -E '^(✔|✘) Test run with' "$test_log" || true
    [ -s "$crash_log" ] && cat "$crash_log"
    local failed
    failed=$(grep -E '^✘ Test .* recorded an issue' "$test_log" | awk '!seen[$0]++' | head -n 40 || true)
    if [ -n "$failed" ]; then
      printf 'Failed (first 40 issues; search the log above for ✘):\n%s\n' "$failed"
    fi
  fi
  rm -f "$test_log" "$crash_log"
  exit $status
}
trap summarise EXIT

tests_failed=0
# run_pass NAME SECONDS COMMAND…: one pass, its output shown and logged, stopped (SIGTERM to its whole process group,
# then SIGKILL) after SECONDS, so that a stalled pass is reported here rather than by the CI's own limit; a crashed
# or stopped pass is described in the summary, with what the machine was busy with during its last minutes.
run_pass() {
  local name=$1 limit=$2; shift 2
  log "testing $name (at most $limit s)"
  local out load status=0
  out=$(mktemp /tmp/cashew-pass.XXXXXX)
  load=$(mktemp /tmp/cashew-load.XXXXXX)
  ( while sleep 60; do
      { top -b -c -n 2 -d 2 -w 200 | awk '/^top -/ { n++ } n == 2' | head -n 20 > "$load.new" && mv "$load.new" "$load"; } 2>/dev/null || true
    done ) &
  local sampler=$!
  timeout -k 30 "$limit" "$@" 2>&1 | tee "$out" | tee -a "$test_log" || status=$?
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "✘ Pass \"$name\" was stopped after its limit of $limit s." >> "$crash_log"
  fi
  local report
  report=$(scripts/pass-report.py "$name" "$status" < "$out" || true)
  if [ -n "$report" ]; then
    echo "$report" >> "$crash_log"
    [ -s "$load" ] && { echo "  The machine a minute or less before the pass ended:"; sed 's/^/    /' "$load"; } >> "$crash_log"
  fi
  rm -f "$out" "$load" "$load.new"
  [ $status -eq 0 ] || tests_failed=1
}

export CASHEW_REQUIRE_POSTGRES=1
# Limits: about five times what each pass takes on 2 cores (about 330, 240, 160 and 70 s), within the CI's 90 minutes.
run_pass "(with a private PostgreSQL; SQLite in-process and in temporary files)" 1800 \
  scripts/with-postgres.sh swift test --skip-build --skip "$timed|$faults|$heavy"
run_pass "under wall-clock bounds: double-spend soak, PostgreSQL outages, HTTP connections and request limits, LNbits end to end, wallet subscriptions" 1200 \
  scripts/with-postgres.sh swift test --skip-build --filter "$timed"
run_pass "melt faults: every Lightning backend against a scripted node failing at each step" 600 \
  swift test --skip-build --filter "$faults"
run_pass "multi-process end-to-end suites on their own: proof of liabilities, multi-path payments, Nostr, pools" 600 \
  scripts/with-postgres.sh swift test --skip-build --filter "$heavy"
[ $tests_failed -eq 0 ] || exit 1

log "benchmark smoke run (debug build: the figures mean nothing, the Swift/C agreement check does)"
swift run --skip-build cashew-bench crypto --seconds 0.02 --rounds 1 >/dev/null
# The audit benchmark on a small ledger: it prints nothing unless the audit of what it built is clean.
swift run --skip-build cashew-bench audit --proofs 2000 >/dev/null

# Users build with -c release, and the Swift 6.3.1 optimizer has crashed on code that debug builds accept.
log "building every product in release"
swift build -c release

log "all tests passed"
