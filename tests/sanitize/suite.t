#!/usr/bin/env bash
# The integration suite once more, against the module built with
# AddressSanitizer and UndefinedBehaviorSanitizer (tests/sanitize/run.sh),
# as one TAP test: every script passes, no sanitizer reports anything and
# Kore's seccomp policy kills no worker. tests/run starts the pass once
# the module is built, beside the other tests, and this reports it last;
# run alone, this runs it.
#
# run.sh starts its own PostgreSQL and S3 server: the suite's data from
# the first pass, and the instances' settings, stay out of it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

need_tools gcc nm

# The longest the pass may take once tests/run has started it.
SANITIZE_WAIT_SECONDS=2400

if [ -n "${REACTBIN_SANITIZE_STATUS:-}" ]; then
	# tests/run started it beside the other tests: wait for its end.
	log=$REACTBIN_SANITIZE_LOG
	deadline=$((SECONDS + SANITIZE_WAIT_SECONDS))
	pidfile=$(dirname "$REACTBIN_SANITIZE_STATUS")/sanitize.pid
	while [ ! -f "$REACTBIN_SANITIZE_STATUS" ] && [ "$SECONDS" -lt "$deadline" ]; do
		# The pass gone and no status written after a moment: it
		# will never come (the shell that waits for the pass died).
		if [ -s "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
			sleep 2
			[ -f "$REACTBIN_SANITIZE_STATUS" ] ||
			    echo "sanitize: the pass ended without a status" >>"$log"
			break
		fi
		sleep 1
	done
	status=$(cat "$REACTBIN_SANITIZE_STATUS" 2>/dev/null || echo 1)
	[ -f "$REACTBIN_SANITIZE_STATUS" ] ||
	    echo "sanitize: the pass did not end within $SANITIZE_WAIT_SECONDS s" >>"$log"
else
	log=$(mktemp "${REACTBIN_TEST_TMP:-/tmp}/sanitize.XXXXXX")
	env -u DATABASE_URL -u S3_ENDPOINT_URL -u REACTBIN_PG_STATE \
	    -u REACTBIN_S3_STATE -u REACTBIN_TEST_TMP -u REACTBIN_TOP \
	    "$here/run.sh" >"$log" 2>&1
	status=$?
fi

# The summary lines: prove's counts and the three checks after it.
grep -E '^(Files=|Result:|# (the suite took|sanitizer reports|sandbox violations|kore processes left))' \
    "$log" | while read -r line; do diag "$line"; done
if [ "$status" -ne 0 ]; then
	# On stderr too: prove shows a script's stderr, not its comments, so
	# this is what a CI log keeps of why the suite failed.
	why=$(grep -E '^(not ok|Bail out|sanitize:)|Failed|ERROR: AddressSanitizer|runtime error|sandbox' "$log" |
	    head -n 40)
	# Nothing of the kind (it stopped before its tests): how it ended.
	[ -n "$why" ] || why=$(tail -n 20 "$log")
	while read -r line; do diag "$line"; echo "# $line" >&2; done <<<"$why"
fi
ok "$status" "the integration suite under ASan+UBSan: all pass, no report, no sandbox kill"
[ -n "${REACTBIN_SANITIZE_STATUS:-}" ] || rm -f "$log"

done_testing
