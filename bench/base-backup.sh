#!/usr/bin/env bash
# Question: how fast is a Tideline full base backup, against the physical limit of this machine and
# against pgBackRest?
#
#   bench/base-backup.sh [SCALE]        (default 100: pgbench -i -s 100, about 1.5 GB)
#
# Builds a PostgreSQL 15 cluster with pgbench data under a temp dir, then, one after the other:
#   1. physical limit:  pg_basebackup -Ft -D - -X none | zstd -1 > /dev/null
#   2. Tideline:        the archiver's own data path (BaseBackupBench: pg_basebackup -> tar reader ->
#                       zstd frames -> parallel multipart uploads with sha256 -> manifest) into the
#                       embedded S3 server (S3Proxy, its own JVM), at zstd level 1 (the default) and 3
#   3. pgBackRest 2.45: full backup to a local posix repo, compress-type=zst, process-max=2
# and prints MB/s (of the tar stream's size) and the ratios. Needs root (servers run as `postgres`).
# Everything it starts is stopped and the temp dir removed on exit.
set -euo pipefail

SCALE="${1:-100}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN=/usr/lib/postgresql/15/bin
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as the postgres OS user)" >&2; exit 2; }

if ! command -v pgbackrest >/dev/null; then
  echo "== installing pgbackrest"
  apt-get install -y -q pgbackrest >/dev/null
fi
command -v zstd >/dev/null || { echo "zstd (the command) is needed" >&2; exit 2; }

WORK="$(mktemp -d /tmp/tideline-bench.XXXXXX)"
chmod 755 "$WORK"
PGDATA="$WORK/pgdata"
SOCK="$WORK/sock"
mkdir -p "$SOCK" "$WORK/pgbackrest/log" "$PGDATA"
chown -R postgres "$SOCK" "$WORK/pgbackrest" "$PGDATA"
chmod 700 "$PGDATA"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
REPL_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"

cleanup() {
  runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

psql_() { runuser -u postgres -- "$BIN/psql" -h "$SOCK" -p "$PORT" -U postgres -X -q -At "$@"; }

echo "== cluster (pgbench -i -s $SCALE) in $WORK"
runuser -u postgres -- "$BIN/initdb" -D "$PGDATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
wal_level = replica
max_wal_senders = 4
archive_mode = off
shared_buffers = 256MB
max_wal_size = 4GB
CONF
echo "host replication bench_repl 127.0.0.1/32 scram-sha-256" >> "$PGDATA/pg_hba.conf"
runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDATA" -l "$WORK/pgbackrest/postgres.log" -w start >/dev/null
psql_ -c "CREATE ROLE bench_repl LOGIN REPLICATION PASSWORD '$REPL_PASSWORD'"
runuser -u postgres -- "$BIN/pgbench" -h "$SOCK" -p "$PORT" -U postgres -i -q -s "$SCALE" postgres 2>&1 | tail -1
psql_ -c "CHECKPOINT"
DBSIZE="$(psql_ -c "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database")"
echo "   databases: $DBSIZE"

echo "== building the archiver (offline)"
(cd "$ROOT" && mvn -B -o -q -pl archiver-service -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test > "$WORK/build.log" 2>&1) \
  || { cat "$WORK/build.log" >&2; echo "build failed" >&2; exit 1; }
CP="$ROOT/archiver-service/target/test-classes:$ROOT/archiver-service/target/classes:$(cat "$ROOT/archiver-service/target/bench.cp")"

now() { date +%s.%N; }
export PGPASSWORD="$REPL_PASSWORD"

echo "== 1/4 physical limit: pg_basebackup | zstd -1 > /dev/null"
t0=$(now)
"$BIN/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U bench_repl -w -Ft -D - -X none --checkpoint=fast 2>/dev/null | zstd -q -1 > /dev/null
LIMIT_S=$(echo "$(now) - $t0" | bc)

run_tideline() {
  java -Xmx1g -cp "$CP" io.tideline.archiver.basebackup.BaseBackupBench 127.0.0.1 "$PORT" bench_repl "$WORK/tideline-$1" "$1" \
      2> "$WORK/tideline-$1.log" | awk '/^RESULT/ {print $3, $4, $5, $6}'
}
echo "== 2/4 Tideline, zstd level 1 (default)"
read -r TL1_S RAW TL1_STORED TL1_PARTS < <(run_tideline 1)
echo "== 3/4 Tideline, zstd level 3"
read -r TL3_S _ TL3_STORED _ < <(run_tideline 3)

echo "== 4/4 pgBackRest $(pgbackrest version | awk '{print $2}'), compress-type=zst, process-max=2"
cat > "$WORK/pgbackrest/pgbackrest.conf" <<CONF
[global]
repo1-path=$WORK/pgbackrest/repo
repo1-retention-full=1
compress-type=zst
process-max=2
start-fast=y
archive-check=n
log-level-console=warn
log-path=$WORK/pgbackrest/log
lock-path=$WORK/pgbackrest/lock
spool-path=$WORK/pgbackrest/spool

[bench]
pg1-path=$PGDATA
pg1-port=$PORT
pg1-socket-path=$SOCK
pg1-user=postgres
CONF
chown postgres "$WORK/pgbackrest/pgbackrest.conf"
PGBR="runuser -u postgres -- pgbackrest --config=$WORK/pgbackrest/pgbackrest.conf --stanza=bench"
$PGBR stanza-create >/dev/null
t0=$(now)
$PGBR --type=full backup
PGBR_S=$(echo "$(now) - $t0" | bc)
PGBR_STORED=$(du -sb "$WORK/pgbackrest/repo/backup" | awk '{print $1}')

mbs() { echo "scale=1; $RAW / 1048576 / $1" | bc; }
ratio() { echo "scale=2; $2 / $1" | bc; }   # speed of A relative to B = time(B) / time(A)
echo
echo "Base backup of pgbench -s $SCALE ($DBSIZE in databases; tar stream $(echo "scale=0; $RAW/1048576" | bc) MiB), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf '%-46s %8s %8s %12s %10s %10s\n' "run" "seconds" "MB/s" "stored MiB" "vs limit" "vs pgbr"
row() { printf '%-46s %8.1f %8s %12s %10s %10s\n' "$1" "$2" "$(mbs "$2")" "$(echo "scale=1; $3/1048576" | bc)" "$(ratio "$2" "$LIMIT_S")" "$(ratio "$2" "$PGBR_S")"; }
printf '%-46s %8.1f %8s %12s %10s %10s\n' "pg_basebackup | zstd -1 > /dev/null (limit)" "$LIMIT_S" "$(mbs "$LIMIT_S")" "-" "1.00" "$(ratio "$LIMIT_S" "$PGBR_S")"
row "Tideline -> S3 (zstd 1, $TL1_PARTS parts)" "$TL1_S" "$TL1_STORED"
row "Tideline -> S3 (zstd 3)" "$TL3_S" "$TL3_STORED"
row "pgBackRest -> posix (zst, process-max=2)" "$PGBR_S" "$PGBR_STORED"
echo "(MB/s = tar stream MiB / seconds; 'vs' = speed relative to that run, > 1 is faster)"
