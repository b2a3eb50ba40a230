#!/usr/bin/env bash
# ./test.sh runs every test and exits non-zero on any failure. Its last line is "N passed, N failed".
#
# Tests that need PostgreSQL use, in order: PERMITS_TEST_DB (a connection string to a server where tests
# may create databases); else Testcontainers when a Docker engine answers; else this script starts a
# throwaway local cluster (fsync off) and points PERMITS_TEST_DB at it.
set -uo pipefail
cd "$(dirname "$0")"
source scripts/postgres.sh
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

cleanup() { [ -n "${tmpcluster:-}" ] && { pg_stop_cluster "$tmpcluster"; rm -rf "$tmpcluster"; }; }
trap cleanup EXIT

if [ -z "${PERMITS_TEST_DB:-}" ] && ! docker info >/dev/null 2>&1; then
  pg_ensure_binaries || exit 1
  tmpcluster=$(mktemp -d /tmp/permittracker-test-XXXXXX)
  echo "No PERMITS_TEST_DB and no Docker engine: starting a throwaway PostgreSQL in $tmpcluster" >&2
  port=$(pg_start_test_cluster "$tmpcluster") || exit 1
  export PERMITS_TEST_DB="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
fi

if [ -x scripts/install-test-browser.sh ]; then scripts/install-test-browser.sh || exit 1; fi

scripts/fetch-uswds.sh || exit 1
rm -rf TestResults
dotnet build PermitTracker.sln -c Release --nologo -v quiet
build=$?
status=$build
# The house style is part of the build: a change that `dotnet format` would rewrite fails here (fix: dotnet format PermitTracker.sln).
if [ $build -eq 0 ]; then
  dotnet format PermitTracker.sln --verify-no-changes --no-restore -v quiet
  format=$?
  [ $format -ne 0 ] && echo "dotnet format --verify-no-changes found files to reformat: run 'dotnet format PermitTracker.sln'." >&2
fi
# The API's contract: the OpenAPI document the built portal serves, linted by Redocly's recommended rules (ADR-034).
if [ $build -eq 0 ]; then
  scripts/lint-openapi.sh
  openapi=$?
  [ $openapi -ne 0 ] && echo "scripts/lint-openapi.sh found errors in the OpenAPI document (/api/v1/openapi.json)." >&2
fi
# No Docker engine runs here: the container files are checked by linters instead (scripts/lint-containers.sh).
scripts/lint-containers.sh
containers=$?
[ $containers -ne 0 ] && echo "scripts/lint-containers.sh found problems in Dockerfile or docker-compose.yml." >&2
if [ $build -eq 0 ]; then
  dotnet test PermitTracker.sln -c Release --no-build --nologo --logger "trx" --results-directory TestResults
  status=$?
  [ "${format:-0}" -ne 0 ] && status=1
  [ $containers -ne 0 ] && status=1
  [ "${openapi:-0}" -ne 0 ] && status=1
fi

# dotnet test prints no single line CI can count: sum the TRX counters of every test project.
python3 - "$status" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = 0
files = glob.glob("TestResults/*.trx")
for f in files:
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
if int(sys.argv[1]) != 0 and failed == 0:
    failed = 1  # the build or a test host failed without a TRX failure: never report green
print(f"{passed} passed, {failed} failed")
PY
exit $status
