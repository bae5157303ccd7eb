#!/usr/bin/env bash
# The web app in a real browser: Debian's Chromium driven by playwright-core
# (every *.test.js here, one after the other in name order, each in a
# process of its own: node's test runner, TAP for prove) against reactbin with a
# PostgreSQL and an S3 server of its own, so that the library the app
# shows holds only what these tests put in. Three instances share them:
# the one under test, one that trusts 127.0.0.1 as a proxy (the login lock
# is tried on an X-Forwarded-For address, not on the tests' own), and one
# with API_BASE_URL pointing at the first under another host name.
#
# Screenshots of every view go to $REACTBIN_SCREENSHOTS (tests/run keeps
# them in tests/.run/screenshots), or else under $REACTBIN_TEST_TMP.
# REACTBIN_BROWSER_ONLY=REGEX runs only the tests whose names match (the
# library they share is filled all the same).
#
# A failing check's message also goes to stderr (tap.js): prove shows a
# script's stderr but not its comments, and CI logs keep only that.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/beside.sh
. "$here/../lib/beside.sh"
# Started beside the integration tests by tests/run: what it printed.
beside_replay browser

# Under CI a missing piece is a failure, never a skip.
missing() {
	if [ -n "${CI:-}" ]; then
		echo "Bail out! $1"
		exit 1
	fi
	skip_all "$1"
}

if [ ! -d "$here/node_modules/playwright-core" ] ||
    [ ! -d "$here/node_modules/axe-core" ]; then
	missing "run 'npm ci' in tests/browser first"
fi
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing "needs Debian's chromium"
command -v node >/dev/null || missing "needs node"
need_tools convert ffmpeg

# The stack of tests/run is not this one's.
unset DATABASE_URL S3_ENDPOINT_URL S3_BUCKET_NAME S3_ACCESS_KEY_ID \
    S3_SECRET_ACCESS_KEY S3_REGION
REACTBIN_TEST_TMP="$REACTBIN_TEST_TMP/browser"
mkdir -p "$REACTBIN_TEST_TMP"
export REACTBIN_TEST_TMP
# shellcheck source=tests/lib/private.sh
. "$here/../lib/private.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"

pids=()
cleanup() {
	service_stop_each "${pids[@]}"
	private_stop
}
trap cleanup EXIT

private_stack "$REACTBIN_TEST_TMP"

# Small enough that a file over it is quick to make and refuse.
max=$((3 * 1024 * 1024))

service_start browser MAX_UPLOAD_BYTES=$max ||
    { echo "Bail out! reactbin did not start"; exit 1; }
pids+=("$REACTBIN_PID")
main_url=$REACTBIN_URL

service_start browser-lock MAX_UPLOAD_BYTES=$max LOGIN_MAX_FAILURES=2 \
    LOGIN_COOLDOWN_SECONDS=600 LOGIN_TRUSTED_PROXY_IPS=127.0.0.1/32 ||
    { echo "Bail out! reactbin (lock) did not start"; exit 1; }
pids+=("$REACTBIN_PID")
lock_url=$REACTBIN_URL

service_start browser-base MAX_UPLOAD_BYTES=$max \
    API_BASE_URL="http://localhost:${main_url##*:}" ||
    { echo "Bail out! reactbin (API_BASE_URL) did not start"; exit 1; }
pids+=("$REACTBIN_PID")
base_url=$REACTBIN_URL

export REACTBIN_URL=$main_url REACTBIN_LOCK_URL=$lock_url \
    REACTBIN_BASE_URL_INSTANCE=$base_url \
    REACTBIN_MAX_UPLOAD_BYTES=$max \
    REACTBIN_BROWSER_TMP="$REACTBIN_TEST_TMP" \
    REACTBIN_SCREENSHOTS="${REACTBIN_SCREENSHOTS:-$REACTBIN_TEST_TMP/screenshots}"

cd "$here" || exit 1
only=()
[ -z "${REACTBIN_BROWSER_ONLY:-}" ] ||
    only=(--test-name-pattern="$REACTBIN_BROWSER_ONLY")
node --test --test-reporter=./tap.js --test-concurrency=1 "${only[@]}" \
    ./*.test.js
