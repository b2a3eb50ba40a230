#!/usr/bin/env bash
# bench/status.sh: the public job status (API, and the page when it exists) against the floors (bare Kestrel,
# one hand-written Npgsql query, the same engine; the API's JSON bytes, and the page's content written by the page's
# own writer inside the layout's shell, without Razor: ADR-012), under wrk over loopback, random existing jobs.
# RUNS rounds (default 3), each target side by side in every round; the table shows medians.
source "$(dirname "$0")/common.sh"
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}; CONNECTIONS=${CONNECTIONS:-32}; RUNS=${RUNS:-3}
publish
JOB_NUMBERS=${JOB_NUMBERS:-/var/tmp/pt-job-numbers.txt}
[ -s "$JOB_NUMBERS" ] || bench_tool bench job-numbers "$JOB_NUMBERS" --count 200000 >&2
export JOB_NUMBERS
start_portal
first=$(head -n 1 "$JOB_NUMBERS")
# The HTML floor writes the page's content inside the portal's own layout (banner, header, language selector, footer),
# saved here from one real page, so both send the same document.
SHELL_FILE=/var/tmp/pt-layout-shell.html
shell_args=()
if curl -fs -o "$SHELL_FILE" "$PORTAL_URL/jobs/$first"; then shell_args=(--shell "$SHELL_FILE"); fi
start_floor "${shell_args[@]}"
targets=("api|$PORTAL_URL|/api/v1/jobs/" "floor|$FLOOR_URL|/floor/jobs/")
if [ "$(curl -s -o /dev/null -w '%{http_code}' "$PORTAL_URL/jobs/$first")" = 200 ]; then targets+=("page|$PORTAL_URL|/jobs/" "html-floor|$FLOOR_URL|/floor/pages/"); fi
declare -A results
for target in "${targets[@]}"; do IFS='|' read -r name base prefix <<<"$target"; wrk_run "$base" "$prefix" 5 "$CONNECTIONS" >/dev/null; done # warm up
for run in $(seq 1 "$RUNS"); do
  for target in "${targets[@]}"; do
    IFS='|' read -r name base prefix <<<"$target"
    results[$name]+="$(wrk_run "$base" "$prefix" "$SECONDS_PER_RUN" "$CONNECTIONS")"$'\n'
    echo "run $run $name: $(echo "${results[$name]}" | tail -n 2 | head -n 1)" >&2
  done
done
col() { echo "${results[$1]}" | awk -v c="$2" 'NF { print $c }' | median; }
floor_rps=$(col floor 1)
html_floor_rps=$(col html-floor 1 2>/dev/null || true)
echo
echo "Status page vs. the floor: $(wc -l <"$JOB_NUMBERS") random jobs, wrk -t${WRK_THREADS:-2} -c$CONNECTIONS, ${SECONDS_PER_RUN}s x $RUNS runs (medians)"
echo
echo "| endpoint | requests/s | p50 ms | p99 ms | non-2xx | share of JSON floor | share of HTML floor |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for target in "${targets[@]}"; do
  IFS='|' read -r name base prefix <<<"$target"
  rps=$(col "$name" 1)
  html_share=""
  case $name in page | html-floor) html_share=$(echo "$rps $html_floor_rps" | awk '{ printf "%.0f %%", 100 * $1 / $2 }') ;; esac
  printf "| %s %s | %s | %s | %s | %s | %.0f %% | %s |\n" "$name" "${prefix}{n}" "$rps" "$(col "$name" 2)" "$(col "$name" 3)" "$(col "$name" 4)" "$(echo "$rps $floor_rps" | awk '{ print 100 * $1 / $2 }')" "$html_share"
done
echo
echo "Peak resident memory: portal $(peak_rss_mb "$PORTAL_PID") MB, floor $(peak_rss_mb "$FLOOR_PID") MB"
