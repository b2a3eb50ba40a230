#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing. The tests drive /usr/bin/chromium
# through Playwright; Playwright's own browser download is never used (it cannot reach its servers here).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "Chromium not found: installing Debian's chromium package for the browser tests..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2 \
  || { echo "Could not install Chromium (apt-get install -y chromium)." >&2; exit 1; }
