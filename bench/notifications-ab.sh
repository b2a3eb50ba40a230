#!/usr/bin/env bash
# bench/notifications-ab.sh: what notifications cost a move (#16: "the outbox must not cost a move more than 15 %").
# One published build, two settings: Notifications__Enabled=true (every move and import batch writes its outbox row,
# and the portal's dispatcher and overdue watch run beside the load, composing and writing the messages) against
# false (no outbox row, no dispatcher). Rounds alternate on, off, on, off, ... against the same database, each round
# under the benchmark lock, the load average beside it; medians at the end.
# RUNS, SECONDS_PER_RUN, WRITERS, IMPORT_EVENTS override; SKIP_PUBLISH=1 reuses .build/web and .build/bench.
source "$(dirname "$0")/common.sh"
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}; WRITERS=${WRITERS:-16}; RUNS=${RUNS:-3}; IMPORT_EVENTS=${IMPORT_EVENTS:-20000}
LOCK=${BENCH_LOCK:-/var/tmp/pt-bench.lock}
# Mail goes to the pickup folder (no SMTP server), as in ./run.sh's default; a fresh folder per run of this script.
export Notifications__PickupFolder=/var/tmp/pt-bench-mail-pickup
rm -rf "$Notifications__PickupFolder"
declare -A api import
publish
round() { # on|off RUN
  local name=$1 run=$2 row file line
  if [ "$name" = on ]; then export Notifications__Enabled=true; else export Notifications__Enabled=false; fi
  start_portal
  row=$(bench_tool bench api-writes --url "$PORTAL_URL" --seconds "$SECONDS_PER_RUN" --connections "$WRITERS" | tail -n 1 || true)
  kill "$PORTAL_PID"; wait "$PORTAL_PID" 2>/dev/null || true
  file=/var/tmp/pt-import-notify-$name-$run.csv
  bench_tool bench import-file "$file" --events "$IMPORT_EVENTS" >&2
  line=$(dotnet "$OUT/PermitTracker.Web.dll" import-events "$file" | tail -n 1 || true)
  echo "round $run $name (load $(cut -d' ' -f1-3 /proc/loadavg)): api $row" >&2
  echo "round $run $name: import $line" >&2
  api[$name]+="$row"$'\n'
  import[$name]+="$(echo "$line" | sed -E 's/.*\(([0-9,]+) events\/s\).*/\1/; s/,//g')"$'\n'
}
exec 9>"$LOCK"
for run in $(seq 1 "$RUNS"); do
  flock 9
  echo "round $run starts, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  round on "$run"
  round off "$run"
  flock -u 9
done
queued=$(psql "${PSQL_URL:-postgresql://postgres@127.0.0.1:56100/permits_bench}" -XAtc "SELECT count(*) FROM outbox_changes" 2>/dev/null || echo "?")
echo
echo "Writes with notifications on and off, $RUNS alternating rounds (medians). API: $WRITERS clients for ${SECONDS_PER_RUN}s; import: $IMPORT_EVENTS events a round"
echo "Mail files written to the pickup folder: $(find "$Notifications__PickupFolder" -name '*.eml' 2>/dev/null | wc -l); outbox changes in the table at the end: $queued"
echo
echo "| notifications | POST .../events events/s | p50 ms | p99 ms | import-events events/s |"
echo "| --- | ---: | ---: | ---: | ---: |"
for name in on off; do
  m() { printf '%s' "${api[$name]}" | awk -F'|' -v c="$1" 'NF > 1 { gsub(/ /, "", $c); print $c }' | median; }
  echo "| $name | $(m 6) | $(m 7) | $(m 8) | $(printf '%s' "${import[$name]}" | grep . | median) |"
done
