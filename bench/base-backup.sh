#!/usr/bin/env bash
# Question: how fast is a Tideline full base backup, against the true limit of this machine (the raw
# pg_basebackup stream, discarded) and against pgBackRest at the SAME zstd level, to a posix repo and to
# an S3 repository on the same S3 server Tideline writes to?
#
#   bench/base-backup.sh [SCALE] [RUNS]     (defaults 100 and 3: pgbench -i -s 100, about 1.5 GB)
#
# Builds a PostgreSQL 15 cluster with pgbench data under a temp dir and starts ONE S3 server (the
# embedded S3Proxy, its own JVM) with a TLS front (socat; pgBackRest 2.45 speaks S3 only over HTTPS, so
# Tideline goes through the same front). Then RUNS rounds, each running once, in this order:
#   - limit:         pg_basebackup -Ft -D - -X none > /dev/null          (the raw stream, nothing else)
#   and for each zstd level L in 1 3:
#   - reference:     pg_basebackup -Ft -D - -X none | zstd -L > /dev/null (one core of zstd)
#   - Tideline:      the archiver's own data path (BaseBackupBench → BackupStream: pg_basebackup → parts
#                    compressed on every core, hashed, encrypted, uploaded concurrently → manifest) to S3,
#                    every Tideline run in one long-running JVM as in the archiver (the first pays the JIT)
#   - pgBackRest:    full backup, compress-type=zst compress-level=L process-max=<cores>, posix repo
#   - pgBackRest:    the same to an S3 repo on the same S3 server (encrypted: repo cipher aes-256-cbc,
#                    as Tideline always encrypts)
# Every figure is the median of the RUNS runs, with min and max; the first run counts. CPU is whole
# processes: the client (Tideline's JVM with its pg_basebackup child; pgbackrest with its local
# processes; the reference pipeline) and the servers (PostgreSQL, the S3 server and the TLS front).
# Needs root (the cluster runs as `postgres`). Everything it starts is stopped and the temp dir removed.
set -euo pipefail

SCALE="${1:-100}"
RUNS="${2:-3}"
LEVELS="${LEVELS:-1 3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN=/usr/lib/postgresql/15/bin
CORES="$(nproc)"
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as the postgres OS user)" >&2; exit 2; }

need() { command -v "$1" >/dev/null || { echo "== installing $2"; apt-get install -y -q "$2" >/dev/null; }; }
need pgbackrest pgbackrest
need socat socat
need zstd zstd
need openssl openssl

WORK="$(mktemp -d /tmp/tideline-bench.XXXXXX)"
chmod 755 "$WORK"
PGDATA="$WORK/pgdata"
SOCK="$WORK/sock"
mkdir -p "$SOCK" "$WORK/pgbackrest/log" "$PGDATA" "$WORK/runs"
chown -R postgres "$SOCK" "$WORK/pgbackrest" "$PGDATA"
chmod 700 "$PGDATA"
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT="$(freeport)"
REPL_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
S3_ADMIN_SECRET="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
PGBR_CIPHER_PASS="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
S3_SERVER_PID=""
SOCAT_PID=""

cleanup() {
  if [ -n "${TL_JVM:-}" ]; then
    [ -n "${TL_WRITE:-}" ] && { exec {TL_WRITE}>&- ; } 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$TL_JVM" 2>/dev/null || break; sleep 0.1; done
    kill "$TL_JVM" 2>/dev/null || true
  fi
  mkdir -p "$ROOT/archiver-service/target/bench" && cp "$WORK"/*.log "$ROOT/archiver-service/target/bench/" 2>/dev/null || true
  [ -n "$SOCAT_PID" ] && kill "$SOCAT_PID" 2>/dev/null || true
  if [ -n "${S3_JVM:-}" ]; then
    # EOF on its stdin: the helper JVM stops the S3 server it started, then exits
    [ -n "${S3_WRITE:-}" ] && { exec {S3_WRITE}>&- ; } 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$S3_JVM" 2>/dev/null || break; sleep 0.1; done
    kill "$S3_JVM" 2>/dev/null || true
  fi
  [ -n "$S3_SERVER_PID" ] && kill "$S3_SERVER_PID" 2>/dev/null || true
  runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

psql_() { runuser -u postgres -- "$BIN/psql" -h "$SOCK" -p "$PORT" -U postgres -X -q -At "$@"; }
now() { date +%s.%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_START="$(load)"

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

echo "== S3 server (S3Proxy, its own JVM) with a TLS front"
mkfifo "$WORK/s3.stdin"
BENCH_S3_ADMIN_SECRET="$S3_ADMIN_SECRET" java -Xmx256m -cp "$CP" io.tideline.archiver.basebackup.BaseBackupBench s3 "$WORK" \
    < "$WORK/s3.stdin" > "$WORK/s3-bench.log" 2>&1 &
S3_JVM=$!
exec {S3_WRITE}> "$WORK/s3.stdin"   # held open: the helper serves until it is closed
for _ in $(seq 600); do [ -s "$WORK/s3.endpoint" ] || ! kill -0 "$S3_JVM" 2>/dev/null && break; sleep 0.1; done
[ -s "$WORK/s3.endpoint" ] || { cat "$WORK/s3-bench.log" >&2; echo "the S3 server did not start" >&2; exit 1; }
read -r _ S3_ENDPOINT S3_SERVER_PID S3_ADMIN_KEY < "$WORK/s3.endpoint"
S3_PORT="${S3_ENDPOINT##*:}"
TLS_PORT="$(freeport)"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
keytool -importcert -noprompt -alias bench -file "$WORK/tls.crt" -keystore "$WORK/trust.p12" -storetype PKCS12 \
    -storepass benchtrust >/dev/null 2>&1
socat "OPENSSL-LISTEN:$TLS_PORT,bind=127.0.0.1,reuseaddr,fork,cert=$WORK/tls.crt,key=$WORK/tls.key,verify=0" \
    "TCP:127.0.0.1:$S3_PORT" 2> "$WORK/socat.log" &
SOCAT_PID=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$TLS_PORT") 2>/dev/null && break; sleep 0.1; done
TLS_ENDPOINT="https://127.0.0.1:$TLS_PORT"
echo "   $S3_ENDPOINT (pid $S3_SERVER_PID), TLS front $TLS_ENDPOINT"

cat > "$WORK/pgbackrest/pgbackrest.conf" <<CONF
[global]
repo1-path=$WORK/pgbackrest/repo
repo1-retention-full=99
repo2-type=s3
repo2-path=/repo
repo2-s3-bucket=pgbackrest
repo2-s3-endpoint=127.0.0.1
repo2-storage-port=$TLS_PORT
repo2-storage-verify-tls=n
repo2-s3-uri-style=path
repo2-s3-region=us-east-1
repo2-s3-key=$S3_ADMIN_KEY
repo2-s3-key-secret=$S3_ADMIN_SECRET
repo2-cipher-type=aes-256-cbc
repo2-cipher-pass=$PGBR_CIPHER_PASS
repo2-retention-full=99
expire-auto=n
compress-type=zst
process-max=$CORES
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
chmod 600 "$WORK/pgbackrest/pgbackrest.conf"
PGBR="runuser -u postgres -- pgbackrest --config=$WORK/pgbackrest/pgbackrest.conf --stanza=bench"
$PGBR stanza-create >/dev/null

export PGPASSWORD="$REPL_PASSWORD"
PG_PID="$(head -1 "$PGDATA/postmaster.pid")"
# CPU seconds of a process and its children, live and reaped (utime stime cutime cstime of each)
tree_cpu() {
  local total=0 pid
  for pid in "$@" $(for p in "$@"; do cat "/proc/$p/task/$p/children" 2>/dev/null; done); do
    local ticks
    ticks=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}') || true
    [ -n "$ticks" ] || continue   # gone meanwhile: its time is in its parent's cutime now
    total=$(( total + ticks ))
  done
  echo "$total"
}
servers_cpu() { tree_cpu "$PG_PID" "$S3_SERVER_PID" "$SOCAT_PID"; }
TICKS="$(getconf CLK_TCK)"
secs() { echo "scale=3; $1 / $TICKS" | bc; }

# record NAME SECONDS CLIENT_CPU SERVER_TICKS STORED_BYTES
record() { echo "$2 $3 $(secs "$4") $5" >> "$WORK/runs/$1"; }

limit_run() {
  local s0 t0 t
  s0=$(servers_cpu); t0=$(now)
  /usr/bin/time -f "%U %S" -o "$WORK/time.txt" \
    "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U bench_repl -w -Ft -D - -X none --checkpoint=fast > /dev/null 2>"$WORK/limit.log"
  t=$(echo "$(now) - $t0" | bc)
  record limit "$t" "$(awk '{print $1 + $2}' "$WORK/time.txt")" "$(( $(servers_cpu) - s0 ))" 0
}

zstd_run() {
  local level=$1 s0 t0 t
  s0=$(servers_cpu); t0=$(now)
  /usr/bin/time -f "%U %S" -o "$WORK/time.txt" bash -c \
    "'$BIN/pg_basebackup' -h 127.0.0.1 -p '$PORT' -U bench_repl -w -Ft -D - -X none --checkpoint=fast 2>/dev/null | zstd -q -$level > '$WORK/ref.zst'"
  t=$(echo "$(now) - $t0" | bc)
  record "zstd$level" "$t" "$(awk '{print $1 + $2}' "$WORK/time.txt")" "$(( $(servers_cpu) - s0 ))" "$(stat -c %s "$WORK/ref.zst")"
  rm -f "$WORK/ref.zst"
}

# Tideline runs in ONE JVM for the whole bench, as the archiver is a long-running process: its first
# backup pays the JIT and the clients' start (and counts, in min/max); it is told a level per backup.
mkfifo "$WORK/tideline.stdin"
java -Xmx1g -Djavax.net.ssl.trustStore="$WORK/trust.p12" -Djavax.net.ssl.trustStorePassword=benchtrust \
    -cp "$CP" io.tideline.archiver.basebackup.BaseBackupBench backups 127.0.0.1 "$PORT" bench_repl "$WORK" "$TLS_ENDPOINT" \
    < "$WORK/tideline.stdin" > "$WORK/tideline.log" 2>&1 &
TL_JVM=$!
exec {TL_WRITE}> "$WORK/tideline.stdin"
: > "$WORK/tideline-results"

tideline_run() {
  local level=$1 s0 result before
  s0=$(servers_cpu)
  before=$(wc -l < "$WORK/tideline-results")
  echo "$level" >&"$TL_WRITE"
  while [ "$(wc -l < "$WORK/tideline-results")" = "$before" ]; do
    kill -0 "$TL_JVM" 2>/dev/null || { tail -30 "$WORK/tideline.log" >&2; echo "Tideline's backup failed" >&2; exit 1; }
    sleep 0.05
  done
  result=$(tail -1 "$WORK/tideline-results" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}')
  read -r t raw stored parts cpu <<< "$result"
  echo "$raw" > "$WORK/raw-bytes"
  echo "$parts" > "$WORK/parts-$level"
  record "tideline$level" "$t" "$cpu" "$(( $(servers_cpu) - s0 ))" "$stored"
}

pgbackrest_run() {
  local level=$1 repo=$2 name=$3 s0 t0 t label
  s0=$(servers_cpu); t0=$(now)
  /usr/bin/time -f "%U %S" -o "$WORK/time.txt" $PGBR --repo="$repo" --compress-level="$level" --type=full backup
  t=$(echo "$(now) - $t0" | bc)
  label=$($PGBR --repo="$repo" --output=json info | python3 -c 'import json,sys; b=json.load(sys.stdin)[0]["backup"][-1]; print(b["label"], b["info"]["repository"]["delta"])')
  record "$name$level" "$t" "$(awk '{print $1 + $2}' "$WORK/time.txt")" "$(( $(servers_cpu) - s0 ))" "${label#* }"
}

for round in $(seq "$RUNS"); do
  echo "== round $round of $RUNS (load $(load))"
  limit_run
  for level in $LEVELS; do
    zstd_run "$level"
    tideline_run "$level"
    pgbackrest_run "$level" 1 pgbr_posix
    pgbackrest_run "$level" 2 pgbr_s3
  done
done

RAW=$(cat "$WORK/raw-bytes")
# median min max of column COL of a runs file
stat_of() { awk -v c="$2" '{print $c}' "$WORK/runs/$1" | sort -g | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%s %s %s", m, v[1], v[NR]}'; }
median() { stat_of "$1" "$2" | cut -d' ' -f1; }
ratio() { printf '%.2f' "$(echo "scale=3; $2 / $1" | bc)"; }   # speed of A relative to B = time(B) / time(A)

echo
echo "Base backup of pgbench -s $SCALE ($DBSIZE in databases; tar stream $(echo "scale=0; $RAW/1048576" | bc) MiB), $CORES cores,"
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), load average at start $LOAD_START, at end $(load); $RUNS runs each, first run counted:"
echo "median [min–max]. MB/s = tar stream MiB / median seconds. CPU = seconds of whole processes (client; servers:"
echo "PostgreSQL + S3 server + TLS front). 'vs' = speed relative to that row (> 1 is faster)."
echo
echo "| run | seconds | MB/s | stored MiB | CPU client | CPU servers | vs raw limit | vs pgBackRest posix | vs pgBackRest S3 |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
row() {
  local name=$1 level=$2 label=$3 s mn mx stored
  read -r s mn mx <<< "$(stat_of "$name$level" 1)"
  stored=$(median "$name$level" 4)
  name=$name$level
  printf '| %s | %.1f [%.1f–%.1f] | %.0f | %s | %.1f | %.1f | %s | %s | %s |\n' "$label" "$s" "$mn" "$mx" \
    "$(echo "scale=1; $RAW / 1048576 / $s" | bc)" \
    "$( [ "$stored" = 0 ] && echo – || echo "scale=1; $stored / 1048576" | bc)" \
    "$(median "$name" 2)" "$(median "$name" 3)" \
    "$(ratio "$s" "$(median limit 1)")" \
    "$( [ -n "$level" ] && ratio "$s" "$(median "pgbr_posix$level" 1)" || echo –)" \
    "$( [ -n "$level" ] && ratio "$s" "$(median "pgbr_s3$level" 1)" || echo –)"
}
row limit "" "\`pg_basebackup -Ft -D - > /dev/null\` (raw limit)"
for level in $LEVELS; do
  row zstd "$level" "\`pg_basebackup \\| zstd -$level > file\` (one zstd core)"
  row tideline "$level" "**Tideline → S3 (TLS front), zstd $level, $(cat "$WORK/parts-$level") parts, encrypted**"
  row pgbr_posix "$level" "pgBackRest → posix, zst $level, process-max=$CORES"
  row pgbr_s3 "$level" "pgBackRest → S3 (TLS front), zst $level, process-max=$CORES, encrypted"
done
