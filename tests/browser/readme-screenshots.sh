#!/usr/bin/env bash
# The README's two screenshots, docs/webapp-grid.png (the grid, desktop,
# light) and docs/webapp-phone.png (the grid at 360 px, dark): the
# library of the browser tests (lib.js LIBRARY) alone, in a PostgreSQL,
# an S3 server and an instance of this script's own, once the derivative
# queue has made every thumbnail. Not a test; run it after a change that
# shows, look at the two files, commit them.
#
#   tests/browser/readme-screenshots.sh      (npm ci in tests/browser first)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

REACTBIN_TEST_TMP=$(mktemp -d /tmp/reactbin-shots.XXXXXX)
export REACTBIN_TEST_TMP REACTBIN_TOP="$top"
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
# shellcheck source=tests/lib/private.sh
. "$top/tests/lib/private.sh"
# shellcheck source=tests/lib/service.sh
. "$top/tests/lib/service.sh"

[ -d "$here/node_modules/playwright-core" ] ||
    { echo "run 'npm ci' in tests/browser first" >&2; exit 1; }

pid=
cleanup() {
	[ -z "$pid" ] || service_stop_each "$pid"
	private_stop
	rm -rf "$REACTBIN_TEST_TMP"
}
trap cleanup EXIT

(cd "$top" && tools/genconf dev >/dev/null && kodev build >"$REACTBIN_TEST_TMP/build.log" 2>&1) ||
    { cat "$REACTBIN_TEST_TMP/build.log" >&2; exit 1; }

unset DATABASE_URL S3_ENDPOINT_URL
private_stack "$REACTBIN_TEST_TMP"
export OWNER_USERNAME=owner
OWNER_PASSWORD="pw-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
JWT_SECRET_KEY="jwt-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
export OWNER_PASSWORD JWT_SECRET_KEY

service_start shots || { echo "reactbin did not start" >&2; exit 1; }
pid=$REACTBIN_PID

export REACTBIN_URL REACTBIN_BROWSER_TMP="$REACTBIN_TEST_TMP"
(cd "$here" && node readme-screenshots.js "$top/docs")
