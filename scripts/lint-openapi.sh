#!/usr/bin/env bash
# Lints the API's OpenAPI document with Redocly CLI (ADR-034): the document the built portal serves at
# /api/v1/openapi.json, written by `PermitTracker.Web openapi FILE` (same generator, no database, no port), against
# tools/openapi-lint/redocly.yaml (the recommended rules). Any error fails; ./test.sh runs it after the build.
#
# The linter is a pinned devDependency (tools/openapi-lint/package.json and its lock file), installed by `npm ci`
# into tools/openapi-lint/node_modules (gitignored) the first time, and again only when the pin changes.
set -euo pipefail
cd "$(dirname "$0")/.."

lint=tools/openapi-lint
version=$(node -p 'require("./'$lint'/package.json").devDependencies["@redocly/cli"]')
installed=$(node -p 'try { require("./'$lint'/node_modules/@redocly/cli/package.json").version } catch { "" }')
if [ "$installed" != "$version" ]; then
  command -v npm >/dev/null || { echo "npm not found: apt-get install -y npm (the OpenAPI linter comes from npm)." >&2; exit 1; }
  echo "Installing @redocly/cli $version into $lint/node_modules ..." >&2
  npm ci --prefix "$lint" --ignore-scripts --no-audit --no-fund --silent
fi

app=${PERMITS_WEB_DLL:-src/PermitTracker.Web/bin/Release/net10.0/PermitTracker.Web.dll}
[ -f "$app" ] || { echo "lint-openapi.sh: no $app; build first (dotnet build PermitTracker.sln -c Release)." >&2; exit 1; }
document=$(mktemp --suffix=.json)
trap 'rm -f "$document"' EXIT
# The host reads a connection string when it is built; the command never connects.
ConnectionStrings__Permits=${ConnectionStrings__Permits:-"Host=127.0.0.1;Database=unused"} Serilog__MinimumLevel__Default=Warning \
  dotnet "$app" openapi "$document" >/dev/null

# No telemetry, no update notice: a test run talks to nobody.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1 \
  "$lint/node_modules/.bin/redocly" lint --config "$lint/redocly.yaml" --format stylish "$document"
