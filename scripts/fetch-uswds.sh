#!/usr/bin/env bash
# Vendors the U.S. Web Design System's compiled files into src/PermitTracker.Web/wwwroot/vendor/uswds/ (gitignored;
# ADR-025): its CSS, the fonts and images that CSS uses, the few images the layout uses, and its JavaScript.
#
# The package comes from the npm registry by `npm pack` (no node_modules, no build), at the version pinned here, is
# checked against the pinned sha512, and is kept in a cache ($PERMITS_CACHE, default ~/.cache/permittracker) so a
# second machine state needs no network. Already vendored at this version: exits at once. run.sh, test.sh and the
# Web project's build (a target that runs this when the files are missing) call it; the Dockerfile runs it in a
# node stage.
set -euo pipefail
cd "$(dirname "$0")/.."

version=3.14.0
integrity="sha512-kwZ50TqGszxj3+MQhm+c84hI0y8rIKoc7ZLKbuHg+8rTkFisp9lXOMRD2wclyyuYZahpADxMvaPong7bwL7cew=="
target=src/PermitTracker.Web/wwwroot/vendor/uswds
# The images the layout's markup names itself (the CSS's own are found in it below).
markup_images=(img/icon-dot-gov.svg img/icon-https.svg)

if [ "$(cat "$target/.version" 2>/dev/null)" = "$version" ]; then exit 0; fi

cache=${PERMITS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/permittracker}
tarball="$cache/uswds-uswds-$version.tgz"
mkdir -p "$cache"
# node is there wherever npm is (the Dockerfile's node stage has no openssl).
sha512_of() { node -e 'process.stdout.write("sha512-" + require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$1"; }
if [ ! -f "$tarball" ] || [ "$(sha512_of "$tarball")" != "$integrity" ]; then
  command -v npm >/dev/null || { echo "npm not found: apt-get install -y npm (the portal's design system comes from npm)." >&2; exit 1; }
  echo "Fetching @uswds/uswds $version from npm into $cache ..." >&2
  rm -f "$tarball"
  (cd "$cache" && npm pack "@uswds/uswds@$version" --silent >/dev/null)
fi
actual=$(sha512_of "$tarball")
if [ "$actual" != "$integrity" ]; then
  echo "fetch-uswds.sh: $tarball has $actual, not the pinned $integrity: refusing it." >&2
  rm -f "$tarball"
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work" package/dist
dist="$work/package/dist"
stage="$work/out"
mkdir -p "$stage"
copy() { mkdir -p "$stage/$(dirname "$1")"; cp "$dist/$1" "$stage/$1"; }
copy css/uswds.min.css
copy js/uswds.min.js
# Every font and image the stylesheet points at (url(../fonts/...), url(../img/...)), and nothing else.
grep -o 'url(\.\./[^)]*)' "$dist/css/uswds.min.css" | sed 's/^url(\.\.\///; s/)$//' | sort -u | while read -r file; do copy "$file"; done
for file in "${markup_images[@]}"; do copy "$file"; done
echo "$version" >"$stage/.version"

rm -rf "$target"
mkdir -p "$(dirname "$target")"
mv "$stage" "$target"
echo "Vendored @uswds/uswds $version into $target ($(du -sh "$target" | cut -f1))." >&2
