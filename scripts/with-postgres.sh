#!/usr/bin/env bash
# Runs a command with a private, temporary PostgreSQL server on 127.0.0.1 and a free port, and stops and removes
# the server when the command ends (also on failure or Ctrl-C). The command finds it through POSTGRES_HOSTNAME,
# POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB (and CASHEW_TEST_DATABASE_URL). When PgBouncer is
# installed, one runs in front of the server in transaction pooling mode, on a free port given in PGBOUNCER_PORT
# (same user, password and databases).
#
#   scripts/with-postgres.sh [--durable] COMMAND [ARGS...]
#
# Without --durable the server runs with fsync off (tests only); benchmarks pass --durable.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

durable=0
if [ "${1:-}" = "--durable" ]; then durable=1; shift; fi
[ $# -gt 0 ] || { echo "usage: $0 [--durable] COMMAND [ARGS...]" >&2; exit 2; }

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
datadir=$(mktemp -d /tmp/cashew-pg.XXXXXX)
password=cashew-test

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$datadir"; fi

pwfile=$(mktemp /tmp/cashew-pgpw.XXXXXX)
echo "$password" > "$pwfile"
chmod 644 "$pwfile"
as_pg "$bindir/initdb" -D "$datadir" -U cashew --pwfile="$pwfile" -A scram-sha-256 -E UTF8 >/dev/null
rm -f "$pwfile"

opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$datadir -c max_connections=300"
if [ $durable -eq 0 ]; then
  opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi

cleanup() {
  if [ -f "$datadir/pgbouncer.pid" ]; then kill "$(cat "$datadir/pgbouncer.pid")" 2>/dev/null || true; fi
  as_pg "$bindir/pg_ctl" -D "$datadir" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$datadir"
}
trap cleanup EXIT INT TERM

as_pg "$bindir/pg_ctl" -D "$datadir" -w -t 60 -l "$datadir/server.log" -o "$opts" start >/dev/null

pgbouncer=$(command -v pgbouncer || { [ -x /usr/sbin/pgbouncer ] && echo /usr/sbin/pgbouncer; } || true)
if [ -n "$pgbouncer" ]; then
  pgb_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # Every database of the server, through pools of 8 server connections per database in transaction mode: a
  # server connection is a client's only for one transaction, and prepared statements do not survive it (1.18).
  cat > "$datadir/pgbouncer.ini" <<PGB
[databases]
* = host=127.0.0.1 port=$port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pgb_port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $datadir/pgbouncer-users.txt
pool_mode = transaction
default_pool_size = 8
max_client_conn = 4000
ignore_startup_parameters = extra_float_digits
logfile = $datadir/pgbouncer.log
pidfile = $datadir/pgbouncer.pid
PGB
  printf '"cashew" "%s"\n' "$password" > "$datadir/pgbouncer-users.txt"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$datadir/pgbouncer.ini" "$datadir/pgbouncer-users.txt"; fi
  chmod 600 "$datadir/pgbouncer-users.txt"
  as_pg "$pgbouncer" -d -q "$datadir/pgbouncer.ini"
  for _ in $(seq 1 100); do
    python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $pgb_port)))" && break
    sleep 0.1
  done
  export PGBOUNCER_PORT=$pgb_port
  echo "PgBouncer $("$pgbouncer" --version | head -n 1 | awk '{print $2}') on 127.0.0.1:$pgb_port (transaction pooling)" >&2
fi

export POSTGRES_HOSTNAME=127.0.0.1 POSTGRES_PORT=$port POSTGRES_USER=cashew POSTGRES_PASSWORD=$password POSTGRES_DB=postgres
export CASHEW_TEST_DATABASE_URL="postgres://cashew:$password@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($([ $durable -eq 1 ] && echo durable || echo 'fsync off'))" >&2
"$@"
