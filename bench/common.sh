# Sourced by bench/*.sh: publish once (the portal, and the benchmark tool tools/PermitTracker.Bench that holds the
# floor and the load clients), start and stop the portal and the floor, read wrk's numbers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${ConnectionStrings__Permits:?set ConnectionStrings__Permits to the benchmark database (docs/benchmarks.md)}"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 ASPNETCORE_ENVIRONMENT=Production
# Request logging at Information costs about 3x throughput; production runs at Warning (appsettings.Production.json).
export Serilog__MinimumLevel__Default=Warning Database__MigrateOnStart=false Seed__DemoDataWhenEmpty=false
# The public-lookup rate limit is per client address; wrk is one address, so it is lifted to measure capacity.
export RateLimiting__PublicLookups__PermitLimit=1000000000
# Keyed load clients count against their key's quota (ApiKeyQuotas): lifted too, so the floor is the machine, not the quota.
export RateLimiting__ApiKeys__PermitLimit=1000000
# The report-snapshot refresher (ADR-011) recomputes every report over the whole city for minutes at a time; left on,
# it lands in the middle of whatever is being measured. Benchmarks measure the hot paths without it; `./run.sh
# refresh-reports` measures the refresh itself (it prints each report's time).
export Reports__Snapshots__RefreshMinutes=0
OUT=.build/web
BENCH_OUT=${BENCH_OUT:-.build/bench}
export ASPNETCORE_CONTENTROOT="$PWD/$OUT"
PORTAL_URL=${PORTAL_URL:-http://127.0.0.1:5000}
FLOOR_URL=${FLOOR_URL:-http://127.0.0.1:5100}
PIDS=()

publish() {
  if [ "${SKIP_PUBLISH:-0}" != 1 ]; then
    dotnet publish src/PermitTracker.Web -c Release -o "$OUT" --nologo -v quiet >&2
    dotnet publish tools/PermitTracker.Bench -c Release -o "$BENCH_OUT" --nologo -v quiet >&2
  fi
}

# The benchmark tool (floor, bench, bench-reports), with the portal's settings ($ASPNETCORE_CONTENTROOT).
bench_tool() { dotnet "$BENCH_OUT/PermitTracker.Bench.dll" "$@"; }

wait_for() { # URL
  for _ in $(seq 1 120); do curl -fs -o /dev/null "$1" && return 0; sleep 0.5; done
  echo "nothing answers at $1" >&2; return 1
}

start_portal() { # [URL]
  local url=${1:-$PORTAL_URL}
  ASPNETCORE_URLS=$url dotnet "$OUT/PermitTracker.Web.dll" >/var/tmp/pt-portal-${url##*:}.log 2>&1 &
  PIDS+=($!); PORTAL_PID=$!
  wait_for "$url/health/live"
}

start_floor() { # [--shell FILE]
  bench_tool floor --urls "$FLOOR_URL" "$@" >/var/tmp/pt-floor.log 2>&1 &
  PIDS+=($!); FLOOR_PID=$!
  sleep 1
}

stop_all() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_all EXIT

peak_rss_mb() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# wrk_run NAME URL_PREFIX SECONDS CONNECTIONS: prints "rps p50_ms p99_ms errors"
wrk_run() {
  local base=$1 prefix=$2 seconds=$3 connections=$4 out
  out=$(PATH_PREFIX=$prefix JOB_NUMBERS=$JOB_NUMBERS wrk -t "${WRK_THREADS:-2}" -c "$connections" -d "${seconds}s" --timeout 5s --latency -s bench/random-job.lua "$base")
  echo "$out" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { errors = $5 }
    /Socket errors/ { errors += 0 }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, errors }'
}

cpu_ticks() { # PID...: summed utime + stime of live processes
  local total=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    total=$((total + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")))
  done
  echo "$total"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
