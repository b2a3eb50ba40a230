#!/usr/bin/env bash
# bench/run-all.sh: every benchmark, one after another, with the machine they ran on. See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem/ {print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Database: $(psql "$(echo "$ConnectionStrings__Permits" | sed -E 's/Host=([^;]+);Port=([^;]+);Username=([^;]+);Database=([^;]+).*/postgresql:\/\/\3@\1:\2\/\4/')" -Atc "select to_char(count(*), 'FM9,999,999') || ' jobs' from jobs")"
bench/status.sh
SKIP_PUBLISH=1 bench/writes.sh
