#!/usr/bin/env bash
# Soak (issue 17, not in CI): can a steady stream of bad records on every topic hurt the fleet over time?
#
# Starts its own embedded runtime (./tideline up, a temp home, free ports of its own), creates
# $INSTANCES instances with a steady insert workload on each, and for $DURATION sends $RATE bad records
# per second round-robin over every topic a service consumes (bench/SoakBadRecords.java): random bytes,
# truncated Avro, a valid event of a type the topic does not carry, null values, valid events under a
# wrong or invalid key, and every $OVERSIZE_EVERY-th record one just below or above Topics.MAX_RECORD_BYTES.
# Every $SAMPLE_EVERY it samples the dead letters per origin topic, every consumer group's lag, the
# size of the runtime's logs and /health. At the end it stops the bad records and the writers, asks a
# backup of every instance and a restore of the first to 'latest', checks the restored row count
# against the source, and prints a table. Exit status 1 if an expectation failed:
#   - a consumer group still lags $LAG_SETTLE after the bad records stop,
#   - a backup or the restore failed, or the restore misses rows,
#   - the logs grew faster than $LOG_BOUND_MIB_PER_HOUR MiB/hour,
#   - fewer records were dead-lettered than were sent of the kinds no consumer may accept.
#
#   bench/soak-bad-records.sh                    30 minutes, 5 bad records/s, 3 instances
#   DURATION=3m RATE=10 bench/soak-bad-records.sh
#   KEEP=1 bench/soak-bad-records.sh             keep the home (and its logs) afterwards
#
# Needs root (the instances run as their own OS users). Stops everything it started on exit or Ctrl-C.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

DURATION=${DURATION:-30m}
RATE=${RATE:-5}
INSTANCES=${INSTANCES:-3}
WRITE_RATE=${WRITE_RATE:-5}          # inserts per second per instance
OVERSIZE_EVERY=${OVERSIZE_EVERY:-60} # every n-th bad record is ~1 MiB (just below or just above the limit)
SAMPLE_EVERY=${SAMPLE_EVERY:-60}
LAG_SETTLE=${LAG_SETTLE:-180}        # seconds the consumers get to catch up after the last bad record
LOG_BOUND_MIB_PER_HOUR=${LOG_BOUND_MIB_PER_HOUR:-64}
KEEP=${KEEP:-0}

seconds_of() { # 90, 90s, 3m, 1h
  case "$1" in
    *h) echo $(( ${1%h} * 3600 )) ;; *m) echo $(( ${1%m} * 60 )) ;; *s) echo "${1%s}" ;; *) echo "$1" ;;
  esac
}
DURATION_S=$(seconds_of "$DURATION")
[ "$(id -u)" = 0 ] || { echo "run as root (the instances run as their own OS users)" >&2; exit 2; }

HOME_DIR="$(mktemp -d /tmp/tideline-soak.XXXXXX)"
chmod 755 "$HOME_DIR"
export TIDELINE_HOME="$HOME_DIR/home"
WORK="$HOME_DIR/soak"
mkdir -p "$WORK"
say() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

PIDS=()
WRITERS=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${WRITERS[@]}"; do kill -- -"$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -f "$TIDELINE_HOME/runtime.json" ]; then
    say "stopping the runtime"
    tideline down >/dev/null 2>&1 || say "tideline down failed; see $TIDELINE_HOME/logs"
  fi
  if [ "$KEEP" = 1 ]; then say "kept $HOME_DIR"; else rm -rf "$HOME_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building the CLI (if needed) and the bad-record producer"
./tideline --version >/dev/null
CP="$(ls "$ROOT"/deploy/local/target/tideline-local-*.jar | head -n 1):$(cat "$ROOT/deploy/local/target/tideline.classpath")"
# The CLI from the classpath just built, not ./tideline: that one rebuilds when a source changed, which
# would replace the jars under the running services in the middle of a soak.
export TIDELINE_REPO="$ROOT"
tideline() { java -Xmx512m -Dlogback.configurationFile=tideline-logback.xml -cp "$CP" io.tideline.cli.TidelineCli "$@"; }
javac -nowarn -d "$WORK/classes" -cp "$CP" "$ROOT/bench/SoakBadRecords.java"
soak_java() { java -Xmx256m -Dlogback.configurationFile=tideline-logback.xml -cp "$WORK/classes:$CP" SoakBadRecords "$@"; }

say "starting the runtime in $TIDELINE_HOME"
tideline up --wal-flush-interval 5s > "$WORK/up.txt" 2>&1 || { cat "$WORK/up.txt" >&2; exit 1; }
BOOTSTRAP=$(jq -r .kafkaBootstrapServers "$TIDELINE_HOME/runtime.json")
API=$(jq -r .api "$TIDELINE_HOME/runtime.json")

names=()
for i in $(seq 1 "$INSTANCES"); do
  name="soak-$i"
  say "creating instance $name"
  tideline instance create "$name" --json > "$WORK/$name.json" 2> "$WORK/$name.create.log" \
    || { cat "$WORK/$name.create.log" >&2; exit 1; }
  names+=("$name")
done

psql_of() { # JSON file with host, port, user, database, secretRef -> psql command line args
  local f=$1
  echo "-h $(jq -r .host "$f") -p $(jq -r .port "$f") -U $(jq -r .user "$f") -d $(jq -r .database "$f") -X -q -At -v ON_ERROR_STOP=1"
}
pgpass_of() { cat "$TIDELINE_HOME/secrets/$(jq -r .secretRef "$1")"; }
run_psql() { local f=$1; shift; PGPASSWORD="$(pgpass_of "$f")" psql $(psql_of "$f") "$@"; }

interval=$(echo "scale=3; 1/$WRITE_RATE" | bc)
for name in "${names[@]}"; do
  run_psql "$WORK/$name.json" -c "CREATE TABLE soak (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), pad text NOT NULL)"
  # one connection per instance, fed a statement every 1/WRITE_RATE s; its own process group, so the
  # loop and psql stop together
  PGPASSWORD="$(pgpass_of "$WORK/$name.json")" setsid bash -c \
    'while :; do echo "INSERT INTO soak (pad) VALUES (repeat(md5(random()::text), 4));"; sleep "$0"; done | psql $1' \
    "$interval" "$(psql_of "$WORK/$name.json")" > "$WORK/$name.writer.log" 2>&1 &
  WRITERS+=($!)
done

logs_bytes() { du -sb "$TIDELINE_HOME/logs" | awk '{print $1}'; }
sample() { # appends one sample to $WORK/samples.txt: "t SECONDS", health, logs, dead letters, lags
  local t=$1
  {
    echo "t $t"
    local health
    health=$(curl -s -m 10 "$API/health" || echo '{"status":"NO ANSWER"}')
    echo "health $(echo "$health" | jq -r '.status // "NO ANSWER"' 2>/dev/null || echo UNPARSABLE)"
    echo "$health" | jq -c '.details["kafka-consumers"] // empty' 2>/dev/null | sed 's/^/consumers /'
    echo "logs $(logs_bytes)"
    soak_java sample "$BOOTSTRAP" 2>>"$WORK/sample.err" | tee "$WORK/last-sample.txt" || echo "sample failed"
  } >> "$WORK/samples.txt"
}

LOGS_AT_START=$(logs_bytes)
say "soak: $RATE bad records/s for ${DURATION_S}s beside $INSTANCES instances writing ${WRITE_RATE} rows/s each (home $HOME_DIR)"
START=$(date +%s)
soak_java produce "$BOOTSTRAP" "$RATE" "$DURATION_S" "$OVERSIZE_EVERY" "$WORK/sent.txt" 2> "$WORK/produce.err" &
PRODUCER=$!
PIDS+=($PRODUCER)
sample 0
while kill -0 "$PRODUCER" 2>/dev/null; do
  sleep "$SAMPLE_EVERY" & wait $! || true
  now=$(( $(date +%s) - START ))
  sample "$now"
  say "t=${now}s health=$(grep '^health' "$WORK/samples.txt" | tail -1 | cut -d' ' -f2) logs=$(( $(logs_bytes) / 1048576 ))MiB" \
      "dead-lettered=$(awk '/^dl /{n+=$3} END{print n+0}' "$WORK/last-sample.txt") (cumulative)"
done
wait "$PRODUCER" || { cat "$WORK/produce.err" >&2; say "the producer failed"; exit 1; }
SOAK_S=$(( $(date +%s) - START ))
LOGS_AT_END=$(logs_bytes)

say "bad records stopped; waiting up to ${LAG_SETTLE}s for every consumer group to catch up"
settled=0
SETTLE_DEADLINE=$(( $(date +%s) + LAG_SETTLE ))
SETTLE_START=$(date +%s)
while [ "$(date +%s)" -lt "$SETTLE_DEADLINE" ]; do
  soak_java sample "$BOOTSTRAP" > "$WORK/final.txt" 2>>"$WORK/sample.err" || true
  # settled: the sample answered, and no group with members has records left to read
  if ! awk '/^lag / {seen=1} /^lag / && $3 != "Empty" && $3 != "Dead" && $4 > 0 {bad=1} END{exit bad || !seen}' "$WORK/final.txt"; then
    sleep 10
  else
    settled=1; break
  fi
done
SETTLE_S=$(( $(date +%s) - SETTLE_START ))

say "stopping the writers"
for pid in "${WRITERS[@]}"; do kill -- -"$pid" 2>/dev/null || true; done
WRITERS=()
sleep 1
for name in "${names[@]}"; do
  run_psql "$WORK/$name.json" -c "SELECT count(*) FROM soak" > "$WORK/$name.rows"
done

backups_ok=0
for name in "${names[@]}"; do
  say "backup of $name"
  if tideline backup "$name" > "$WORK/$name.backup.txt" 2>&1; then backups_ok=$((backups_ok + 1)); else cat "$WORK/$name.backup.txt" >&2; fi
done

restore_ok=0
restore_rows="-"
source_rows=$(cat "$WORK/${names[0]}.rows")
say "restore of ${names[0]} to latest"
if tideline restore "${names[0]}" --to latest --name "${names[0]}-restored" --json > "$WORK/restore.json" 2> "$WORK/restore.err"; then
  restore_rows=$(run_psql "$WORK/restore.json" -c "SELECT count(*) FROM soak" 2>&1 || echo "?")
  [ "$restore_rows" = "$source_rows" ] && restore_ok=1
else
  cat "$WORK/restore.err" >&2
fi
soak_java sample "$BOOTSTRAP" > "$WORK/final-after.txt" 2>>"$WORK/sample.err" || true
if [ "$restore_ok" != 1 ] || [ "$backups_ok" != "${#names[@]}" ]; then
  # what the services were doing, for whoever reads the failure
  jstack "$(jq -r .pid "$TIDELINE_HOME/runtime.json")" > "$WORK/runtime-threads.txt" 2>&1 || true
fi

# ---------------------------------------------------------------- the table
fail=()
mib_per_hour=$(echo "scale=1; ($LOGS_AT_END - $LOGS_AT_START) / 1048576 * 3600 / $SOAK_S" | bc)
samples=$(grep -c '^t ' "$WORK/samples.txt")
down=$(grep '^health ' "$WORK/samples.txt" | grep -vc ' UP$' || true)
held=$(grep -c '^consumers {"' "$WORK/samples.txt" || true)

echo
echo "Soak: bad records, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$SOAK_S s of $RATE bad records/s beside $INSTANCES instances writing $WRITE_RATE rows/s each; every ${OVERSIZE_EVERY}th record ~1 MiB"
echo
printf '%-26s %6s %8s %8s %9s %7s %9s %7s %9s %13s\n' topic random trunc wrongtyp null wrongkey near-max above* sent dead-lettered
for t in $(awk '{print $1}' "$WORK/sent.txt" | sort -u); do
  get() { awk -v t="$t" -v k="$1" '$1==t && $2==k {print $3}' "$WORK/sent.txt"; }
  refused=$(awk -v t="$t" '$1==t {r+=$4} END{print r+0}' "$WORK/sent.txt")
  total=$(awk -v t="$t" '$1==t {s+=$3} END{print s+0}' "$WORK/sent.txt")
  dl=$(awk -v t="$t" '/^dl / && $2==t {n=$3} END{print n+0}' "$WORK/final-after.txt")
  printf '%-26s %6s %8s %8s %9s %7s %9s %7s %9s %13s\n' "$t" "$(get RANDOM_BYTES)" "$(get TRUNCATED_AVRO)" "$(get WRONG_TYPE)" \
    "$(get NULL_VALUE)" "$(get WRONG_KEY)" "$(get NEAR_MAX)" "$refused" "$total" "$dl"
  # Every kind but WRONG_KEY is bad whatever the consumer: each such record must reach the dead letters
  # at least once (several groups read some topics, so it may be more).
  must=$(awk -v t="$t" '$1==t && $2!="WRONG_KEY" {s+=$3} END{print s+0}' "$WORK/sent.txt")
  [ "$dl" -ge "$must" ] || fail+=("$t: $dl dead-lettered < $must sent of the always-bad kinds")
done
echo "(* above = records above Topics.MAX_RECORD_BYTES, refused by the broker: never stored, not counted as sent)"
echo
printf '%-44s %10s %10s %14s\n' "consumer group (state at end)" "max lag" "lag at end" "topics"
for g in $(awk '/^lag /{print $2}' "$WORK/samples.txt" "$WORK/final.txt" | sort -u); do
  max=$(awk -v g="$g" '/^lag / && $2==g && $4>m {m=$4} END{print m+0}' "$WORK/samples.txt")
  endl=$(awk -v g="$g" '/^lag / && $2==g {print $4}' "$WORK/final.txt")
  state=$(awk -v g="$g" '/^lag / && $2==g {print $3}' "$WORK/final.txt")
  topics=$(awk -v g="$g" '/^lag / && $2==g {print $5}' "$WORK/final.txt" | sed 's/tideline\.//g')
  printf '%-44s %10s %10s %14s\n' "$g ($state)" "$max" "${endl:--}" "$topics"
done
echo
printf '%-44s %s\n' "log growth (logs/ of the home)" "$(( (LOGS_AT_END - LOGS_AT_START) / 1024 )) KiB in ${SOAK_S}s = $mib_per_hour MiB/hour (bound $LOG_BOUND_MIB_PER_HOUR)"
printf '%-44s %s\n' "/health samples not UP" "$down of $samples ($held with a held consumer)"
printf '%-44s %s\n' "backups ok / asked" "$backups_ok / ${#names[@]}"
printf '%-44s %s\n' "restore of ${names[0]} to latest" "$([ $restore_ok = 1 ] && echo ok || echo FAILED): $restore_rows rows, source $source_rows"
printf '%-44s %s\n' "consumers caught up after the soak" "$([ $settled = 1 ] && echo "yes, ${SETTLE_S}s after the last bad record" || echo "NO, still lagging after ${SETTLE_S}s")"

[ "$settled" = 1 ] || fail+=("a consumer group still lags ${LAG_SETTLE}s after the last bad record")
[ "$backups_ok" = "${#names[@]}" ] || fail+=("$((${#names[@]} - backups_ok)) backup(s) failed")
[ "$restore_ok" = 1 ] || fail+=("the restore failed or misses rows ($restore_rows of $source_rows)")
[ "$(echo "$mib_per_hour > $LOG_BOUND_MIB_PER_HOUR" | bc)" = 0 ] || fail+=("logs grew $mib_per_hour MiB/hour > $LOG_BOUND_MIB_PER_HOUR")
[ "$held" = 0 ] || fail+=("/health reported a held consumer (kafka-consumers DOWN) in $held sample(s)")
echo
if ((${#fail[@]})); then
  printf 'FAILED: %s\n' "${fail[@]}"
  KEEP=1
  exit 1
fi
echo "ok: every expectation held"
