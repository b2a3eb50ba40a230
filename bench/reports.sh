#!/usr/bin/env bash
# bench/reports.sh [bench-reports options]: every manager report and two drill-downs on random filter combinations,
# through ReportQueries, through HTTP as a signed-in manager, and as the plain SQL over every step (docs/benchmarks.md).
# Needs ConnectionStrings__Permits naming a generated database (./run.sh generate --jobs N --trust-keys).
source "$(dirname "$0")/common.sh"
publish
# A Manager account for the HTTP leg, with a random password (creating it again only fails, and the password is reset below).
email=bench-manager@bench.invalid
export PERMITS_BENCH_PASSWORD=${PERMITS_BENCH_PASSWORD:-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')}
PERMITS_USER_PASSWORD=$PERMITS_BENCH_PASSWORD dotnet "$OUT/PermitTracker.Web.dll" create-user --email "$email" --role Manager --name "Bench manager" >/dev/null 2>&1 \
  || { echo "create-user failed: delete $email first (a password is never reset by the bench)" >&2; exit 1; }
start_portal
bench_tool bench-reports --url "$PORTAL_URL" --email "$email" "$@"
