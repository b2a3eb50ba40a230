#!/usr/bin/env bash
# ./run.sh            runs the portal on http://127.0.0.1:5000 (ASPNETCORE_URLS overrides)
# ./run.sh COMMAND    runs a command against the same database: migrate, seed, ... (./run.sh help lists them;
#                     ./run.sh COMMAND --help shows one; an unknown option or a bad value exits 2)
#
# With ConnectionStrings__Permits set, that server is used and no local PostgreSQL is started. Otherwise a
# local cluster is started (and created the first time) in $PERMITS_PGDIR (default /var/lib/permittracker),
# on port $PERMITS_PGPORT (default 5544); its data persists between runs.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/postgres.sh

# Help needs no database: `./run.sh help`, `./run.sh --help` and `./run.sh COMMAND --help` start no PostgreSQL.
needs_db=true
for arg in "$@"; do case "$arg" in -h|--help|help) needs_db=false ;; esac; done

if [ "$needs_db" = true ] && [ -z "${ConnectionStrings__Permits:-}" ]; then
  pgdir=${PERMITS_PGDIR:-/var/lib/permittracker}
  pgport=${PERMITS_PGPORT:-5544}
  pg_ensure_binaries
  if ! pg_is_running "$pgdir"; then
    echo "Starting local PostgreSQL in $pgdir on 127.0.0.1:$pgport ..." >&2
    pg_start_cluster "$pgdir" "$pgport"
  fi
  export ConnectionStrings__Permits="Host=127.0.0.1;Port=$pgport;Username=postgres;Database=permits"
  # The database itself is created by the app's migrate step; the server must just accept connections.
fi
# The host reads its connection string when it is built, even for help (which builds none); any value will do then.
export ConnectionStrings__Permits=${ConnectionStrings__Permits:-"Host=127.0.0.1;Port=${PERMITS_PGPORT:-5544};Username=postgres;Database=permits"}

# The local demo: demo jobs and demo accounts on an empty database, each account with a random password printed
# once when it is created. A published app or a container (what a city deploys) creates no demo account.
export Seed__DemoAccounts=${Seed__DemoAccounts:-true}
if [ $# -eq 0 ] && [ "$Seed__DemoAccounts" = true ]; then
  echo "Local demo (Seed__DemoAccounts=true): an empty database gets demo jobs and demo accounts, whose random passwords are printed once, when they are created." >&2
fi
export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://127.0.0.1:5000}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production}
# Production writes JSON log lines for a collector (ADR-031); a person at this terminal reads text.
export Observability__LogFormat=${Observability__LogFormat:-text}
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

# The published portal is reused while the sources it was built from are unchanged (their hash is kept beside it);
# otherwise it is published again, with MSBuild's progress shown: the first build takes a minute or two.
# The design system's compiled files (ADR-025): fetched once into a cache, a no-op when already vendored.
scripts/fetch-uswds.sh || exit 1
out=.build/web
sources_hash() {
  find src Directory.Build.props Directory.Packages.props global.json -type f \
    -not -path '*/bin/*' -not -path '*/obj/*' -print0 2>/dev/null | sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1
}
hash=$(sources_hash)
if [ -f "$out/PermitTracker.Web.dll" ] && [ "$(cat "$out/.sources-hash" 2>/dev/null)" = "$hash" ]; then
  echo "Using the portal built before in $out (the sources have not changed)." >&2
else
  echo "Building PermitTracker into $out (the first build takes a minute or two) ..." >&2
  rm -f "$out/.sources-hash"
  dotnet publish src/PermitTracker.Web -c Release -o "$out" --nologo -v minimal -clp:NoSummary >&2
  echo "$hash" >"$out/.sources-hash"
fi
export ASPNETCORE_CONTENTROOT="$PWD/$out"
exec dotnet "$out/PermitTracker.Web.dll" "$@"
