#!/usr/bin/env bash
# Lints Dockerfile and docker-compose.yml where no Docker engine runs (our machines and CI): dockerfilelint for the
# Dockerfile, dclint (the Compose specification's schema plus best practices) for docker-compose.yml, both from npm
# at pinned versions. Any problem, warnings included, fails. test.sh runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npx >/dev/null || { echo "npx not found: apt-get install -y npm (the container files need it to be linted)." >&2; exit 1; }
npx --yes dockerfilelint@1.8.0 Dockerfile
npx --yes dclint@3.1.0 --max-warnings 0 docker-compose.yml
