#!/usr/bin/env bash
# scripts/bench-performance-dashboard.sh: the public performance dashboard (ADR-044) through HTTP against a big city,
# read-only. Publishes the portal (Release), then:
#   cold: the portal started with the warmer off; the first GET /performance.json computes the day's figures (the reports'
#         step-performance and trend queries over the step facts) and is timed: what a resident would wait without the warmer;
#   warmer: the portal started with the warmer on; the first GET after /health/live answers, timed (it waits at most
#         for the warmer's computation already under way);
#   warm: REQUESTS sequential GETs (default 300) of each of /performance, ?lang=es, /performance.json, /performance.csv
#         and /performance-trend.csv, timed by curl (time_total, loopback); p50, p95 and max in ms.
# Every connection is read-only (default_transaction_read_only), so nothing is written to the benchmark database.
# Usage: ConnectionStrings__Permits='Host=127.0.0.1;Port=56100;Username=postgres;Database=permits_bench' scripts/bench-performance-dashboard.sh
set -euo pipefail
: "${ConnectionStrings__Permits:?set ConnectionStrings__Permits to the benchmark database (docs/benchmarks.md)}"
export ConnectionStrings__Permits="${ConnectionStrings__Permits};Options=-c default_transaction_read_only=on"
# A port of its own, so that it does not meet another benchmark's portal on 5000.
export PORTAL_URL=${PORTAL_URL:-http://127.0.0.1:5511}
source "$(dirname "$0")/../bench/common.sh"
REQUESTS=${REQUESTS:-300}
# Nothing else in the background: no outbox dispatcher, overdue watch or digest (they would write), no snapshot refresher.
export Notifications__Enabled=false
# The portal only (bench/common.sh's publish() also builds the benchmark tool, which this does not use).
[ "${SKIP_PUBLISH:-0}" = 1 ] || dotnet publish src/PermitTracker.Web -c Release -o "$OUT" --nologo -v quiet >&2

ms() { awk '{ printf "%.1f", $1 * 1000 }'; }
first_answer() { curl -fs -o /dev/null -w '%{time_total}\n' "$PORTAL_URL/performance.json" | ms; }

PerformanceDashboard__Warmer=false start_portal
cold=$(first_answer)
steps=$(curl -fs "$PORTAL_URL/performance.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["steps"]), sum(s["finished"] for s in d["steps"]), len(d["trend"]), d["cityDay"])')
stop_all; PIDS=()

started=$(date +%s.%N)
PerformanceDashboard__Warmer=true start_portal
live=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
warmer=$(first_answer)

declare -A stats
for path in /performance "/performance?lang=es" /performance.json /performance.csv /performance-trend.csv; do
  for _ in $(seq 1 50); do curl -fs -o /dev/null "$PORTAL_URL$path"; done # JIT (tiered: a method is recompiled after 30 calls) and the first render
  stats[$path]=$(for _ in $(seq 1 "$REQUESTS"); do curl -fs -o /dev/null -w '%{time_total}\n' "$PORTAL_URL$path"; done | sort -n | awk '
    { v[NR] = $1 * 1000 }
    END { p50 = v[int(NR * 0.50 + 0.5)]; p95 = v[int(NR * 0.95 + 0.5)]; printf "%.2f %.2f %.2f %d", p50, p95, v[NR], NR }')
done
bytes() { curl -fs "$PORTAL_URL$1" | wc -c; }

read -r rows finished months day <<<"$steps"
# psql reads libpq's key=value form, not Npgsql's: "Host=h;Port=p;..." becomes "host=h port=p ...".
libpq=$(echo "${ConnectionStrings__Permits%%;Options=*}" | tr ';' '\n' | awk -F= 'tolower($1) ~ /^(host|port|database|username|password)$/ {
  k = tolower($1); if (k == "database") k = "dbname"; if (k == "username") k = "user"; printf "%s=%s ", k, $2 }')
jobs=$(psql "$libpq" -Atc 'SELECT count(*) FROM jobs' 2>/dev/null || echo "?")
echo
echo "Public performance dashboard, city day $day: $jobs jobs; $rows agency steps ($finished steps finished in the 90 days), $months agency months in the trend"
echo
echo "| answer | requests | p50 ms | p95 ms | max ms | bytes |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
printf "| cold: first GET /performance.json, warmer off (the day's figures computed) | 1 | %s | | | |\n" "$cold"
printf "| warmer on: first GET /performance.json after /health/live (portal live in %s ms) | 1 | %s | | | |\n" "$live" "$warmer"
for path in /performance "/performance?lang=es" /performance.json /performance.csv /performance-trend.csv; do
  read -r p50 p95 max n <<<"${stats[$path]}"
  printf "| warm: GET %s | %s | %s | %s | %s | %s |\n" "$path" "$n" "$p50" "$p95" "$max" "$(bytes "$path")"
done
echo
echo "Peak resident memory: portal $(peak_rss_mb "$PORTAL_PID") MB"
