#!/usr/bin/env bash
# bench/batch.sh: events per second through POST /api/v1/events:batch (ADR-038: NDJSON, one transaction per job),
# beside the single move endpoint, in alternating rounds on the same database, with the CPU each event cost the
# portal and PostgreSQL (utime + stime from /proc over the round: on a shared machine events/s measure the other
# tenants too, CPU per event much less). The batch writes, so run it on a database of your own, never on the shared
# 1,000,000-job one (docs/benchmarks.md, "Session 13: batch endpoint"):
#   ConnectionStrings__Permits=... PGDATA_DIR=/path/to/cluster RUNS=3 bench/batch.sh
source "$(dirname "$0")/common.sh"
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}; WRITERS=${WRITERS:-16}; RUNS=${RUNS:-3}; BATCH_CLIENTS=${BATCH_CLIENTS:-2}; LINES=${LINES:-1000}
: "${PGDATA_DIR:?set PGDATA_DIR to the data directory of the cluster in ConnectionStrings__Permits (its postmaster.pid)}"
publish
start_portal
TICKS=$(getconf CLK_TCK)
postmaster=$(head -n 1 "$PGDATA_DIR/postmaster.pid")
postgres_ticks() { cpu_ticks "$postmaster" $(pgrep -P "$postmaster"); }

# round EVENTS_COL ARGS...: "events events/s p50 p99 portal_ms_per_event postgres_ms_per_event" (the tool's last row)
round() {
  local col=$1 p0 g0 row; shift
  p0=$(cpu_ticks "$PORTAL_PID"); g0=$(postgres_ticks)
  row=$(bench_tool bench "$@" --url "$PORTAL_URL" --seconds "$SECONDS_PER_RUN" | tail -n 1)
  echo "$row" | awk -F'|' -v c="$col" -v p=$(( $(cpu_ticks "$PORTAL_PID") - p0 )) -v g=$(( $(postgres_ticks) - g0 )) -v t="$TICKS" '{
    for (i = 1; i <= NF; i++) gsub(/ /, "", $i)
    printf "%d %d %s %s %.2f %.2f\n", $c, $(c + 1), $(c + 2), $(c + 3), p * 1000 / t / $c, g * 1000 / t / $c }'
}
single=(); batch1=(); batch2=()
for run in $(seq 1 "$RUNS"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  single+=("$(round 5 api-writes --connections "$WRITERS" --quiet-minutes 0)"); echo "run $run single: ${single[-1]} (load $load)" >&2
  batch1+=("$(round 8 api-batch --connections "$BATCH_CLIENTS" --lines "$LINES" --per-job 1)"); echo "run $run batch, 1 line a job: ${batch1[-1]}" >&2
  batch2+=("$(round 8 api-batch --connections "$BATCH_CLIENTS" --lines "$LINES" --per-job 2)"); echo "run $run batch, 2 lines a job: ${batch2[-1]}" >&2
done
m() { local c=$1; shift; printf '%s\n' "$@" | awk -v c="$c" '{ print $c }' | median; }
row() { echo "| $1 | $2 | $3 | $(m 2 "${@:4}") | $(m 3 "${@:4}") | $(m 4 "${@:4}") | $(m 5 "${@:4}") | $(m 6 "${@:4}") |"; }
echo
echo "Batch endpoint: $RUNS rounds of ${SECONDS_PER_RUN}s per path, alternating (medians); load average at the start $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| path | clients | lines a request | events/s | p50 ms a request | p99 ms a request | portal CPU ms/event | PostgreSQL CPU ms/event |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
row "POST .../jobs/{n}/steps/{key}/events" "$WRITERS" 1 "${single[@]}"
row "POST /api/v1/events:batch, 1 line a job" "$BATCH_CLIENTS" "$LINES" "${batch1[@]}"
row "POST /api/v1/events:batch, 2 lines a job" "$BATCH_CLIENTS" "$LINES" "${batch2[@]}"
echo
echo "Peak resident memory of the portal: $(peak_rss_mb "$PORTAL_PID") MB"
