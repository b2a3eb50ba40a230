#!/usr/bin/env bash
# bench/writes-ab.sh BASE_DIR NEW_DIR: bench/writes.sh for two published builds (dotnet publish -o DIR), side by
# side: rounds alternate base, new, base, new, ... against the same database, each round (both builds) under the
# benchmark lock, the load average beside it. Medians at the end. RUNS, SECONDS_PER_RUN, WRITERS, IMPORT_EVENTS override.
# The load client and the import file come from this tree's benchmark tool (tools/PermitTracker.Bench, published
# once to $BENCH_OUT), the same for both builds, so only the portal and its import-events differ between them.
source "$(dirname "$0")/common.sh"
BASE_DIR=${1:?usage: bench/writes-ab.sh BASE_DIR NEW_DIR}; NEW_DIR=${2:?usage: bench/writes-ab.sh BASE_DIR NEW_DIR}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}; WRITERS=${WRITERS:-16}; RUNS=${RUNS:-3}; IMPORT_EVENTS=${IMPORT_EVENTS:-20000}
LOCK=${BENCH_LOCK:-/var/tmp/pt-bench.lock}
declare -A api import
publish_tool() { [ "${SKIP_PUBLISH:-0}" = 1 ] || dotnet publish tools/PermitTracker.Bench -c Release -o "$BENCH_OUT" --nologo -v quiet >&2; }
publish_tool
round() { # NAME DIR RUN
  local name=$1 dir=$2 run=$3 row file line
  OUT=$dir; export ASPNETCORE_CONTENTROOT=$dir
  start_portal
  row=$(bench_tool bench api-writes --url "$PORTAL_URL" --seconds "$SECONDS_PER_RUN" --connections "$WRITERS" | tail -n 1 || true)
  kill "$PORTAL_PID"; wait "$PORTAL_PID" 2>/dev/null || true
  file=/var/tmp/pt-import-ab-$name-$run.csv
  bench_tool bench import-file "$file" --events "$IMPORT_EVENTS" >&2
  line=$(dotnet "$dir/PermitTracker.Web.dll" import-events "$file" | tail -n 1 || true)
  echo "round $run $name (load $(cut -d' ' -f1-3 /proc/loadavg)): api $row" >&2
  echo "round $run $name: import $line" >&2
  api[$name]+="$row"$'\n'
  import[$name]+="$(echo "$line" | sed -E 's/.*\(([0-9,]+) events\/s\).*/\1/; s/,//g')"$'\n'
}
exec 9>"$LOCK"
for run in $(seq 1 "$RUNS"); do
  flock 9
  echo "round $run starts, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  round base "$BASE_DIR" "$run"
  round new "$NEW_DIR" "$run"
  flock -u 9
done
echo
echo "Writes, $RUNS alternating rounds (medians). API: $WRITERS clients for ${SECONDS_PER_RUN}s; import: $IMPORT_EVENTS events a round"
echo
echo "| build | POST .../events events/s | p50 ms | p99 ms | import-events events/s |"
echo "| --- | ---: | ---: | ---: | ---: |"
for name in base new; do
  m() { printf '%s' "${api[$name]}" | awk -F'|' -v c="$1" 'NF > 1 { gsub(/ /, "", $c); print $c }' | median; }
  echo "| $name | $(m 6) | $(m 7) | $(m 8) | $(printf '%s' "${import[$name]}" | grep . | median) |"
done
