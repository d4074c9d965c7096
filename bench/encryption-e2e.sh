#!/usr/bin/env bash
# Question (issue 14, done-when): what does encryption at rest (AES-256-GCM per object, issue 14.3) cost per GB
# end to end — for a base backup, for WAL archiving (a live stream and a catch-up) and for a restore (the first
# after start-up and a warm one) — side by side with the same runs unencrypted?
#
#   bench/encryption-e2e.sh                       # pgbench -s 30 (~450 MiB backup), ~400 MiB WAL per WAL run, 3 runs
#   SCALE=100 WAL_SCALE=80 RUNS=5 bench/encryption-e2e.sh    # bigger
#   SCALE=2 WAL_SCALE=2 RUNS=3 bench/encryption-e2e.sh       # smoke (proves the script, measures nothing)
#
# One PostgreSQL 15 cluster (pgbench -i -s SCALE; a database `walgen` whose `pgbench -i -s WAL_SCALE` writes the
# WAL of each WAL run, emptied again after it so every backup is of the same data), one S3 server (S3Proxy, its
# own JVM) over TLS with a certificate of a Tideline CA, and two instances registered on that one cluster, each
# with its own bucket, keys and slot: encbench-on (encryption on, the default) and encbench-off
# (tideline.encryption.enabled=false). Same zstd levels (the archiver's defaults:
# backup 1, WAL 3), same 64 MiB parts, same server, same TLS. The bench JVM is the archiver (EncryptionCostBench:
# the archiver's own backup path and WAL streams); the restores run in a JVM of their own (RestoreDataPathBench).
# RUNS rounds, the sides interleaved on, off, off, on, on, off … so drift hits both; per side and round:
#   base backup          full backup through the archiver's data path (pg_basebackup → 64 MiB parts compressed on
#                        every core → encrypted or not → uploaded concurrently → manifest)
#   WAL sustained        the stream live (flush interval 1 s) while walgen is rewritten: from the writer's start
#                        until the store confirmed the last segment
#   WAL catch-up         the same WAL written as a backlog while the stream is stopped, then drained: stream start
#                        until the backlog is stored
#   restore, first       a fresh JVM restores this round's backup and all its WAL through the restore's data path
#                        (parts downloaded in parallel, verified, decrypted, decompressed, unpacked; each WAL segment
#                        fetched as the restore's WAL session does and decompressed to a spool file); PostgreSQL's
#                        replay is left out (it reads the same plain files either way)
#   restore, warm        the same again in the same JVM
# Each row: median [min–max] over the runs; MiB/s of plain data; CPU seconds per GiB of plain data of the whole
# process doing the work (the archiver's JVM with its pg_basebackup child, pgbench's CPU subtracted; the restore's
# JVM) and, beside it, the S3 server's process; on/off = ratio of the medians (1.00 = encryption costs nothing);
# stored MiB = what the bucket holds for it (a restore: the backup's and the WAL's it reads), and in % the stored
# bytes per plain byte on against off: the ciphertext's overhead (a header per object, 17 bytes per MiB), within
# the run-to-run noise of the compressed sizes (each run's data and WAL differ a little), so ± a fraction of 1 %.
# Takes about 10-15 minutes at the defaults on an idle 2-core machine (an estimate: only smokes were run so far;
# the build comes first, offline). Needs root (the
# cluster runs as its own OS user). Everything it starts is stopped and its temp dir removed; the table is also
# written to archiver-service/target/bench/encryption-e2e.md, every run's figures to …/encryption-e2e-runs.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SCALE="${SCALE:-30}"
WAL_SCALE="${WAL_SCALE:-32}"
RUNS="${RUNS:-3}"
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as its own OS user)" >&2; exit 2; }
OUT="$ROOT/archiver-service/target/bench"
mkdir -p "$OUT"

echo "== building the archiver and the restore service (offline)" >&2
(cd "$ROOT" && mvn -B -o -q -pl archiver-service,restore-service -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test > "$OUT/encryption-e2e-build.log" 2>&1) \
  || { tail -30 "$OUT/encryption-e2e-build.log" >&2; echo "build failed" >&2; exit 1; }
cp_of() { echo "$ROOT/$1/target/test-classes:$ROOT/$1/target/classes:$(cat "$ROOT/$1/target/bench.cp")"; }

WORK="$(mktemp -d /tmp/tideline-encbench.XXXXXX)"
chmod 755 "$WORK"
BENCH_PID=""
cleanup() {
  [ -n "$BENCH_PID" ] && kill "$BENCH_PID" 2>/dev/null && wait "$BENCH_PID" 2>/dev/null || true
  cp "$WORK"/runs.txt "$OUT/encryption-e2e-runs.txt" 2>/dev/null || true
  # a bench that ended removed its cluster itself; for one that was killed, the clusters' watchdog stops it:
  # wait for that before removing the files under it
  for _ in $(seq 100); do pgrep -f "postgres -D $WORK/" >/dev/null || break; sleep 0.3; done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%M:%SZ); log in ${OUT#$ROOT/}/encryption-e2e.log" >&2
: > "$OUT/encryption-e2e.log"   # emptied before the progress reader opens it (not by the JVM's redirection, later)
java -Xmx1g -Dbench.work="$WORK" -Dbench.scale="$SCALE" -Dbench.wal-scale="$WAL_SCALE" -Dbench.runs="$RUNS" \
    -Dbench.restore-cp="$(cp_of restore-service)" -Dbench.out="$OUT/encryption-e2e.md" \
    -cp "$(cp_of archiver-service)" io.tideline.archiver.wal.EncryptionCostBench > "$OUT/encryption-e2e.log" 2>&1 &
BENCH_PID=$!
# progress: a line per step and per run (tail ends with the bench's JVM)
tail -n +1 -F --pid="$BENCH_PID" "$OUT/encryption-e2e.log" 2>/dev/null | grep --line-buffered -E "^\[bench" >&2 &
status=0
wait "$BENCH_PID" || status=$?
BENCH_PID=""
wait || true
if [ "$status" != 0 ] || [ ! -s "$OUT/encryption-e2e.md" ]; then
  tail -40 "$OUT/encryption-e2e.log" >&2
  echo "the benchmark failed (exit $status); full log: ${OUT#$ROOT/}/encryption-e2e.log" >&2
  exit 1
fi
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo
cat "$OUT/encryption-e2e.md"
