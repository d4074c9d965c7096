#!/usr/bin/env bash
# WAL archiving benchmark: the Tideline archiver against pg_receivewal to local disk + zstd -3 (the
# archiver's own level), on the same server in the same run. Prints a table (also written to
# archiver-service/target/bench/wal-archiving.md). Since issue 18: the catch-up reference drains to a real
# end LSN (a record just past the backlog, so pg_receivewal --endpos stops at once instead of waiting for
# unrelated WAL past a segment boundary); CPU is whole processes on both sides (the archiver's JVM; the
# S3 server's shown beside it; pg_receivewal and zstd), with a CPU-per-GB row for sustained and catch-up;
# and a profile of where the archiver's CPU goes per GB, stage by stage, on the same WAL (WalCpuProfile).
#
#   bench/wal-archiving.sh                 60 s of pgbench, fleet of 20 instances for 30 s (~6 min in all)
#   bench/wal-archiving.sh --long          300 s of pgbench, fleet for 120 s
#   bench/wal-archiving.sh --duration 120 --fleet 10 --fleet-duration 60
#
# Starts its own Kafka, S3 server and PostgreSQL clusters (the testkit's) and removes them afterwards.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

duration=60
fleet=20
fleet_duration=30
while (($#)); do
  case "$1" in
    --long) duration=300; fleet_duration=120 ;;
    --duration) duration=$2; shift ;;
    --fleet) fleet=$2; shift ;;
    --fleet-duration) fleet_duration=$2; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

"$root/scripts/install-prereqs.sh"
log="$root/archiver-service/target/bench/wal-archiving-run.log"
mkdir -p "$(dirname "$log")"
echo "wal-archiving: pgbench ${duration}s, fleet ${fleet} x ${fleet_duration}s; log in ${log#$root/}" >&2
# The benchmark is a JUnit class (WalArchivingBench) so it reuses the testkit's real services; failsafe
# runs it only when named. Maven's -D properties reach the forked test JVM as system properties.
if ! mvn -B -o -pl archiver-service -am verify -Dit.test=WalArchivingBench -Dtest=none \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
    -Dbench.duration="$duration" -Dbench.fleet="$fleet" -Dbench.fleet.duration="$fleet_duration" > "$log" 2>&1; then
  echo "wal-archiving: the benchmark failed; see ${log#$root/} and archiver-service/target/failsafe-reports/" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
cat "$root/archiver-service/target/bench/wal-archiving.md"
