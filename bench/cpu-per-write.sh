#!/usr/bin/env bash
# bench/cpu-per-write.sh: what one API write costs in CPU, whoever runs it. Wall-clock events/s on a shared machine
# measure the other tenants as much as the code; CPU time does not. Runs `bench api-writes` (WRITERS clients for
# SHORT_SECONDS, then SECONDS_PER_RUN s) RUNS times and reads utime + stime from /proc before and after, for the portal, the PostgreSQL
# cluster's processes (every child of its postmaster: backends, WAL writer, checkpointer) and the load client.
# The last column is the ceiling that CPU alone puts on this machine: CORES x 1000 / (portal + PostgreSQL ms a write).
source "$(dirname "$0")/common.sh"
SECONDS_PER_RUN=${SECONDS_PER_RUN:-30}; SHORT_SECONDS=${SHORT_SECONDS:-10}; WRITERS=${WRITERS:-16}; RUNS=${RUNS:-3}
PGDATA_DIR=${PGDATA_DIR:-/var/tmp/pt-bench/data}
CORES=$(nproc)
publish
start_portal
TICKS=$(getconf CLK_TCK)
postmaster=$(head -n 1 "$PGDATA_DIR/postmaster.pid")

postgres_ticks() { cpu_ticks "$postmaster" $(pgrep -P "$postmaster"); }

measure() { # SECONDS: "events portal_ticks postgres_ticks client_seconds"
  local portal0 pg0 out row
  portal0=$(cpu_ticks "$PORTAL_PID"); pg0=$(postgres_ticks)
  out=$( { /usr/bin/time -f 'client %U %S' dotnet "$BENCH_OUT/PermitTracker.Bench.dll" bench api-writes --url "$PORTAL_URL" \
           --seconds "$1" --connections "$WRITERS"; } 2>&1 )
  row=$(echo "$out" | grep '^| POST' | tail -n 1)
  echo "$(echo "$row" | awk -F'|' '{ gsub(/[ ,]/, "", $5); print $5 }') $(( $(cpu_ticks "$PORTAL_PID") - portal0 ))" \
       "$(( $(postgres_ticks) - pg0 )) $(echo "$out" | awk '/^client / { print $2 + $3 }' | tail -n 1)"
}

# Each run is a short and a long round; their difference cancels what every round pays once (the client's start-up,
# its query for open steps, its API keys, the warm-up writes), leaving the CPU of the extra events alone.
echo "| run | events (short / long) | portal ms/event | PostgreSQL ms/event | load client ms/event | CPU ceiling events/s ($CORES cores) | load avg |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | --- |"
for run in $(seq 1 "$RUNS"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  read -r e1 p1 g1 c1 <<<"$(measure "$SHORT_SECONDS")"
  read -r e2 p2 g2 c2 <<<"$(measure "$SECONDS_PER_RUN")"
  awk -v run="$run" -v e1="$e1" -v e2="$e2" -v p=$((p2 - p1)) -v g=$((g2 - g1)) -v c="$(awk -v a="$c2" -v b="$c1" 'BEGIN { print a - b }')" \
      -v t="$TICKS" -v cores="$CORES" -v load="$load" 'BEGIN {
    e = e2 - e1; pm = p * 1000 / t / e; gm = g * 1000 / t / e; cm = c * 1000 / e
    printf "| %d | %d / %d | %.2f | %.2f | %.2f | %.0f | %s |\n", run, e1, e2, pm, gm, cm, cores * 1000 / (pm + gm), load }'
done
