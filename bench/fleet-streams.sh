#!/usr/bin/env bash
# Fleet benchmark (issue 18): N WAL streams from one archiver replica, with the default settings.
# For each N: idle, then one PostgreSQL server in ten written to (~10 % of instances receive WAL) while
# base backups are asked for, then the replica killed and a new one started. Prints per-stream slopes
# (CPU, RSS, heap, threads, file descriptors, S3 requests per minute by verb), lag p99, the time to
# resume after the kill and base backups per hour (also in archiver-service/target/bench/fleet-streams-N.md).
#
#   bench/fleet-streams.sh                                   N = 100 300 1000, 15 min idle + 15 min writing each
#   bench/fleet-streams.sh --quick                           N = 100 300 1000, 2 min idle + 2 min writing (~25 min)
#   bench/fleet-streams.sh --streams "20" --idle 60 --write 60 --servers 4     a smoke run (~5 min)
#
# Instances share --servers PostgreSQL servers (default 10), each instance with its own slot
# (tideline_archiver.wal.slot-name=tl_{instance}) and its own bucket; each server allows a sender, a slot and
# two connections per instance it holds. Starts its own Kafka, S3 server and PostgreSQL clusters (the testkit's)
# and removes them afterwards. The benchmark's JVM has the heap of the goal (-Xmx2g for 1,000 streams, --heap):
# a breach fails the run. Each figure is printed beside the goal of issue 18 (met / NOT met).
# FLEET_JVM_OPTS adds JVM options (e.g. -XX:NativeMemoryTracking=summary, then jcmd <pid> VM.native_memory).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

streams="100 300 1000"
idle=900
write=900
servers=10
backups=8
settle=70
heap=2g
while (($#)); do
  case "$1" in
    --streams) streams=$2; shift ;;
    --idle) idle=$2; shift ;;
    --write) write=$2; shift ;;
    --servers) servers=$2; shift ;;
    --backups) backups=$2; shift ;;
    --settle) settle=$2; shift ;;
    --heap) heap=$2; shift ;;
    --quick) streams="100 300 1000"; idle=120; write=120; settle=70 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

"$root/scripts/install-prereqs.sh"
# One socket per stream to its server, the S3 pool, Kafka, the servers' own files (inherited): raise the limit.
max_n=$(tr ' ' '\n' <<<"$streams" | sort -n | tail -1)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (( $(ulimit -n) < 8 * max_n + 4096 )); then
  echo "fleet-streams: open files limit $(ulimit -n) is too low for $max_n streams (need $((8 * max_n + 4096))): raise ulimit -n" >&2
  exit 1
fi
for n in $streams; do
  log="$root/archiver-service/target/bench/fleet-streams-$n-run.log"
  mkdir -p "$(dirname "$log")"
  echo "fleet-streams: N=$n on $servers servers, idle ${idle}s, writing ${write}s; log in ${log#$root/}" >&2
  # A JUnit class (FleetStreamsBench) so it reuses the testkit's real services; failsafe runs it only when named.
  # The heap is the one of a production replica (2 GB goal for 1,000 streams).
  if ! mvn -B -o -pl archiver-service -am verify -Dit.test=FleetStreamsBench -Dtest=none \
      -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
      -DargLine="-Xmx$heap -XX:+ExitOnOutOfMemoryError ${FLEET_JVM_OPTS:-}" \
      -Dbench.streams="$n" -Dbench.servers="$servers" -Dbench.idle="$idle" -Dbench.write="$write" \
      -Dbench.backups="$backups" -Dbench.settle="$settle" > "$log" 2>&1; then
    echo "fleet-streams: the benchmark failed for N=$n; see ${log#$root/} and archiver-service/target/failsafe-reports/" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  cat "$root/archiver-service/target/bench/fleet-streams-$n.md"
done
