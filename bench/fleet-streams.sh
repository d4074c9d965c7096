#!/usr/bin/env bash
# Fleet benchmark (issue 18): N WAL streams from one archiver replica, with the default settings.
# For each N: idle, then one PostgreSQL server in ten written to (~10 % of instances receive WAL) while
# base backups are asked for, then the replica killed and a new one started. Prints per-stream slopes
# (CPU, RSS, heap, threads, file descriptors, S3 requests per minute by verb), lag p99, the time to
# resume after the kill and base backups per hour (also in archiver-service/target/bench/fleet-streams-N.md).
#
#   bench/fleet-streams.sh                                   N = 100 300 1000, 15 min idle + 15 min writing each
#   bench/fleet-streams.sh --streams "20" --idle 60 --write 60 --servers 4     a smoke run (~5 min)
#
# Instances share --servers PostgreSQL servers (default 10), each instance with its own slot
# (tideline_archiver.wal.slot-name=tl_{instance}) and its own bucket. Starts its own Kafka, S3 server
# and PostgreSQL clusters (the testkit's) and removes them afterwards.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

streams="100 300 1000"
idle=900
write=900
servers=10
backups=8
while (($#)); do
  case "$1" in
    --streams) streams=$2; shift ;;
    --idle) idle=$2; shift ;;
    --write) write=$2; shift ;;
    --servers) servers=$2; shift ;;
    --backups) backups=$2; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

"$root/scripts/install-prereqs.sh"
for n in $streams; do
  log="$root/archiver-service/target/bench/fleet-streams-$n-run.log"
  mkdir -p "$(dirname "$log")"
  echo "fleet-streams: N=$n on $servers servers, idle ${idle}s, writing ${write}s; log in ${log#$root/}" >&2
  # A JUnit class (FleetStreamsBench) so it reuses the testkit's real services; failsafe runs it only when named.
  # The heap is the one of a production replica (2 GB goal for 1,000 streams).
  if ! mvn -B -o -pl archiver-service -am verify -Dit.test=FleetStreamsBench -Dtest=none \
      -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
      -Dbench.streams="$n" -Dbench.servers="$servers" -Dbench.idle="$idle" -Dbench.write="$write" \
      -Dbench.backups="$backups" > "$log" 2>&1; then
    echo "fleet-streams: the benchmark failed for N=$n; see ${log#$root/} and archiver-service/target/failsafe-reports/" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  cat "$root/archiver-service/target/bench/fleet-streams-$n.md"
done
