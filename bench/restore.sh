#!/usr/bin/env bash
# Restore time (RTO): Tideline vs pgBackRest 2.45, same database, same WAL, same target, same zstd level.
#
# A pgbench -s $SCALE database is backed up by both (Tideline into its S3 bucket in the archiver's layout at
# zstd level $LEVEL in parts of $PART_MB MB stored, as the archiver writes it: several parts; pgBackRest into a
# posix repository at the same level, process-max = cores, async archive-get), about $WAL_MB MB of pgbench WAL
# is archived by both, and both restore to the same target time near the end into a new cluster. $RUNS runs,
# each with a restore service started afresh in its own JVM: Tideline's FIRST restore after start-up, then
# pgBackRest (its defaults), pgBackRest with Tideline's recovery settings (same end step: own settings back,
# restart, initdb --sync-only), then Tideline's second (warm) restore. Prints median (min-max) seconds per phase for each
# column and the ratios of the medians. Real PostgreSQL 15, Kafka and S3Proxy from the testkit.
#
#   bench/restore.sh                                  # pgbench -s 100 + 1 GB WAL, 3 runs
#   SCALE=10 WAL_MB=128 RUNS=3 PART_MB=8 bench/restore.sh   # small smoke run
#   TIDELINE_TUNING=false bench/restore.sh            # Tideline recovers with the instance's own settings
#   SERVICE_WARM_UP=false bench/restore.sh            # no warm-up at service start
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-100}
WAL_MB=${WAL_MB:-1024}
RUNS=${RUNS:-3}
LEVEL=${LEVEL:-1}
PART_MB=${PART_MB:-48}
TIDELINE_TUNING=${TIDELINE_TUNING:-true}
SERVICE_WARM_UP=${SERVICE_WARM_UP:-true}

if ! command -v pgbackrest >/dev/null; then
  apt-get install -y pgbackrest >/dev/null
fi
echo "pgBackRest $(pgbackrest version | awk '{print $2}'), PostgreSQL $(/usr/lib/postgresql/15/bin/postgres --version | awk '{print $3}'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"

OUT=$(mktemp)
LOG=$(mktemp)
trap 'rm -f "$OUT"' EXIT
if ! mvn -B -o -pl restore-service -am verify -Dit.test=RestoreBenchmark -Dtest=none \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
    -Dbench.scale="$SCALE" -Dbench.wal-mb="$WAL_MB" -Dbench.runs="$RUNS" -Dbench.level="$LEVEL" -Dbench.part-mb="$PART_MB" \
    -Dbench.tideline-tuning="$TIDELINE_TUNING" -Dbench.service-warm-up="$SERVICE_WARM_UP" -Dbench.out="$OUT" >"$LOG" 2>&1; then
  grep -E "\[bench|ERROR|FAIL" "$LOG" | tail -40
  echo "benchmark failed; full log: $LOG" >&2
  exit 1
fi
grep -h "\[bench" restore-service/target/failsafe-reports/io.tideline.restore.RestoreBenchmark-output.txt 2>/dev/null || true
echo
cat "$OUT"
rm -f "$LOG"
