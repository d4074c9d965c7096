#!/usr/bin/env bash
# Restore time (RTO): Tideline vs pgBackRest 2.45, same database, same WAL, same target.
#
# A pgbench -s $SCALE database is backed up by both (Tideline into its S3 bucket exactly as the archiver
# does; pgBackRest into a posix repository, zstd level 3 like Tideline, process-max = cores, async
# archive-get), about $WAL_MB MB of pgbench WAL is archived by both, and both restore to the same target
# time near the end into a new cluster: a warm-up round (shown, not summed: the service's JVM starts cold),
# then $ROUNDS rounds, alternating who goes first. Prints seconds per phase (download/unpack, WAL replay to promotion)
# and the ratio Tideline / pgBackRest. Real PostgreSQL 15, Kafka and S3Proxy from the testkit.
#
#   bench/restore.sh                 # pgbench -s 100 + 1 GB WAL (about 15 minutes on 2 cores)
#   SCALE=10 WAL_MB=128 ROUNDS=1 bench/restore.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-100}
WAL_MB=${WAL_MB:-1024}
ROUNDS=${ROUNDS:-2}
WARMUP=${WARMUP:-true}

if ! command -v pgbackrest >/dev/null; then
  apt-get install -y pgbackrest >/dev/null
fi
echo "pgBackRest $(pgbackrest version | awk '{print $2}'), PostgreSQL $(/usr/lib/postgresql/15/bin/postgres --version | awk '{print $3}'), $(nproc) cores"

OUT=$(mktemp)
LOG=$(mktemp)
trap 'rm -f "$OUT"' EXIT
if ! mvn -B -o -pl restore-service -am verify -Dit.test=RestoreBenchmark -Dtest=none \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
    -Dbench.scale="$SCALE" -Dbench.wal-mb="$WAL_MB" -Dbench.rounds="$ROUNDS" -Dbench.warmup="$WARMUP" -Dbench.out="$OUT" >"$LOG" 2>&1; then
  grep -E "\[bench|ERROR|FAIL" "$LOG" | tail -40
  echo "benchmark failed; full log: $LOG" >&2
  exit 1
fi
grep -h "\[bench" restore-service/target/failsafe-reports/io.tideline.restore.RestoreBenchmark-output.txt 2>/dev/null || true
echo
cat "$OUT"
rm -f "$LOG"
