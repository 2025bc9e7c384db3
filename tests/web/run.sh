#!/bin/sh
# The browser tests of the listening pages, as CTest runs them:
#   tests/web/run.sh ARTICAST_BINARY WORK_DIR
# Builds a site from the fixture articles with that articast, then runs
# `node --test` on it in Debian's Chromium. Exits 77 (CTest: skipped) with
# the reason when Chromium, Node or the npm packages (npm ci in tests/web)
# are missing; any other failure is a failure.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
articast=$1
work=$2
chromium=${CHROMIUM:-/usr/bin/chromium}

skip() {
  echo "SKIPPED: $*" >&2
  exit 77
}
[ -x "$chromium" ] || skip "no Chromium at $chromium (apt-get install chromium)"
command -v node >/dev/null 2>&1 || skip "no node (apt-get install nodejs npm)"
[ -d "$here/node_modules/playwright-core" ] && [ -d "$here/node_modules/axe-core" ] ||
  skip "no node_modules in $here (cd tests/web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci)"

site=$work/site
rm -rf "$site"
mkdir -p "$work"
# Oldest first, one at a time: the episodes' order and files do not
# depend on timing.
for article in library-ur.md market.md bridge.md; do
  PULSE_SERVER=unix:/nonexistent "$articast" episode -q -j 1 --no-cache \
    -c "$here/fixtures/show.ini" -o "$site" "$here/fixtures/$article"
done
ARTICAST_WEB_SITE=$site CHROMIUM=$chromium exec node --test "$here/test/"
