#!/usr/bin/env bash
# Question: how long does `tideline verify` take per GB, against the limit of just reading the bucket?
#
#   bench/verify.sh                  # 1 GB (half backup parts, half 16 MiB WAL objects), 3 rounds, 4 readers
#   GB=2 ROUNDS=5 PARALLEL=2 bench/verify.sh
#
# Seeds an instance's bucket in the embedded S3 server (S3Proxy, its own JVM, filesystem backend) exactly as
# the archiver lays it out, then per round: (1) the limit: GET every object and drain it, PARALLEL at a time;
# (2) core's BucketVerifier, which `tideline verify` runs: list, HEAD each object for its recorded sha256,
# read every byte through sha256, check WAL continuity and history. Prints the medians and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
GB=${GB:-1}
ROUNDS=${ROUNDS:-3}
PARALLEL=${PARALLEL:-4}

OUT=$(mktemp)
LOG=$(mktemp)
trap 'rm -f "$OUT"' EXIT
if ! mvn -B -o -pl core-tests -am verify -Dit.test=VerifyBenchmark -Dtest=none \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
    -Dbench.gb="$GB" -Dbench.rounds="$ROUNDS" -Dbench.parallel="$PARALLEL" -Dbench.out="$OUT" >"$LOG" 2>&1; then
  grep -E "\[bench|ERROR|FAIL" "$LOG" | tail -40
  echo "benchmark failed; full log: $LOG" >&2
  exit 1
fi
grep -h "\[bench" core-tests/target/failsafe-reports/io.tideline.core.verify.VerifyBenchmark-output.txt 2>/dev/null || true
echo
echo "$(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
cat "$OUT"
rm -f "$LOG"
