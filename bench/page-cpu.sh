#!/usr/bin/env bash
# bench/page-cpu.sh [WEB_DIR]: CPU per request of the portal process (utime + stime from /proc/PID/stat around a wrk
# run), for one job's status page and for /privacy (a Razor page with the layout and every middleware, no database).
# A number that does not need a quiet machine or a city-sized database: CPU time is counted, not wall time. The page
# is asked for with a query string wrk varies per request (?n=...), so the output cache never answers it.
#   ConnectionStrings__Permits=... JOB=121000000 bench/page-cpu.sh .build/web
source "$(dirname "$0")/common.sh"
WEB_DIR=${1:-$OUT}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}; CONNECTIONS=${CONNECTIONS:-4}
URL=${PORTAL_URL:-http://127.0.0.1:5000}
: "${JOB:?set JOB to a job number of the database}"
# The outbox's dispatcher works through the seeded jobs' changes in the background; its CPU is not the page's.
Notifications__DispatcherEnabled=false ASPNETCORE_CONTENTROOT="$WEB_DIR" ASPNETCORE_URLS=$URL dotnet "$WEB_DIR/PermitTracker.Web.dll" >/var/tmp/pt-page-cpu.log 2>&1 &
PIDS+=($!); pid=$!
wait_for "$URL/health/live"
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
lua=$(mktemp); PIDS+=()
cat >"$lua" <<'LUA'
local n = 0
request = function() n = n + 1; return wrk.format("GET", wrk.path .. (wrk.path:find("?", 1, true) and "&" or "?") .. "n=" .. n) end
done = function(summary, latency, requests) io.write(string.format("REQUESTS %d\n", summary.requests)) end
LUA
measure() { # NAME PATH
  wrk -t1 -c"$CONNECTIONS" -d5s -s "$lua" "$URL$2" >/dev/null # warm up
  local before after out requests
  before=$(ticks)
  out=$(wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s "$lua" "$URL$2")
  after=$(ticks)
  # What the process burns with no request at all (background services) is taken off.
  before=$((before + idle * SECONDS_PER_RUN / IDLE_SECONDS))
  requests=$(echo "$out" | awk '/^REQUESTS/ { print $2 }')
  echo "$out" | grep -q "Non-2xx" && { echo "$1: non-2xx answers" >&2; echo "$out" >&2; }
  awk -v n="$1" -v r="$requests" -v t=$((after - before)) -v hz="$hz" -v rps="$(echo "$out" | awk '/Requests\/sec/ { print $2 }')" \
    'BEGIN { printf "%-8s %8d requests  %7.0f req/s  %.3f ms CPU per request\n", n, r, rps, 1000 * t / hz / r }'
}
IDLE_SECONDS=10
sleep 5; idle_before=$(ticks); sleep "$IDLE_SECONDS"; idle=$(($(ticks) - idle_before))
echo "idle     $(awk -v t="$idle" -v hz="$hz" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.1f", 1000 * t / hz / s }') ms CPU per second with no request (taken off below)"
measure page "/jobs/$JOB"
measure api "/api/v1/jobs/$JOB"
measure privacy "/privacy"
rm -f "$lua"
