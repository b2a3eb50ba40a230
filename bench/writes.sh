#!/usr/bin/env bash
# bench/writes.sh: events per second through POST /api/v1/jobs/{n}/steps/{key}/events (each event updates the
# job's read model in the same transaction) and through ./run.sh import-events. RUNS rounds, medians at the end.
source "$(dirname "$0")/common.sh"
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}; WRITERS=${WRITERS:-16}; RUNS=${RUNS:-3}; IMPORT_EVENTS=${IMPORT_EVENTS:-100000}
publish
start_portal
app() { dotnet "$OUT/PermitTracker.Web.dll" "$@"; }
api=(); import=()
for run in $(seq 1 "$RUNS"); do
  row=$(bench_tool bench api-writes --url "$PORTAL_URL" --seconds "$SECONDS_PER_RUN" --connections "$WRITERS" | tail -n 1)
  echo "run $run api: $row" >&2
  api+=("$row")
  file=/var/tmp/pt-import-$run.csv
  bench_tool bench import-file "$file" --events "$IMPORT_EVENTS" >&2
  line=$(app import-events "$file" | tail -n 1)
  echo "run $run import: $line" >&2
  import+=("$(echo "$line" | sed -E 's/.*in ([0-9.,]+) s \(([0-9,]+) events\/s\).*/\1 \2/; s/,//g')")
done
echo
echo "Writes: $RUNS runs (medians). API: $WRITERS concurrent clients for ${SECONDS_PER_RUN}s; import: $IMPORT_EVENTS events a run"
echo
echo "| path | events/s | p50 ms | p99 ms | notes |"
echo "| --- | ---: | ---: | ---: | --- |"
m() { printf '%s\n' "${api[@]}" | awk -F'|' -v c="$1" '{ gsub(/ /, "", $c); print $c }' | median; }
echo "| POST .../events (read model in the same transaction) | $(m 6) | $(m 7) | $(m 8) | $WRITERS clients |"
printf '| import-events (binary COPY, domain rules per row, read model) | %s | | | %s events a run |\n' \
  "$(printf '%s\n' "${import[@]}" | awk '{ print $2 }' | median)" "$IMPORT_EVENTS"
echo
echo "Peak resident memory of the portal: $(peak_rss_mb "$PORTAL_PID") MB"
