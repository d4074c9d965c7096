#!/usr/bin/env bash
# Question: what does client-side encryption (chunked AES-256-GCM, issue 14.3) cost per GB of CPU, against
# what the unencrypted backup and restore paths already spend per byte (sha256, MD5)?
#
#   bench/encryption.sh              # a 256 MiB object, 5 rounds, chunk sizes 64 KiB .. 4 MiB
#   MB=512 ROUNDS=7 bench/encryption.sh
#
# The store is in memory, so this is the crypto layer alone: the end-to-end cost on a real bucket is this
# CPU time on the writer's (backup: the archiver) or reader's (restore) thread, overlapped with the network.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${MB:-256}
ROUNDS=${ROUNDS:-5}
LOG=$(mktemp)
if ! mvn -B -o -pl testkit -am test -Dtest=EncryptionBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
    -Dbench.mb="$MB" -Dbench.rounds="$ROUNDS" -DargLine="-Xmx2g" >"$LOG" 2>&1; then
  grep -E "\[bench|ERROR|FAIL" "$LOG" | tail -40
  echo "benchmark failed; full log: $LOG" >&2
  exit 1
fi
grep -h "\[bench" testkit/target/surefire-reports/io.tideline.core.storage.encryption.EncryptionBenchmark-output.txt 2>/dev/null \
  || grep -h "\[bench" "$LOG"
echo "$(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
rm -f "$LOG"
