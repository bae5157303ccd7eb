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
# shellcheck source=tests/lib/beside.sh
. "$here/../lib/beside.sh"

need_tools gcc nm

if [ -n "${REACTBIN_BESIDE:-}" ] && [ -e "$REACTBIN_BESIDE/sanitize.out" ]; then
	# tests/run started it beside the other tests: wait for its end.
	log=$REACTBIN_BESIDE/sanitize.log
	beside_wait sanitize
	waited=$?
	cat "$REACTBIN_BESIDE/sanitize.out" "$REACTBIN_BESIDE/sanitize.err" >"$log"
	if [ "$waited" -eq 0 ]; then
		status=$(cat "$REACTBIN_BESIDE/sanitize.status")
	else
		status=1
		echo "sanitize: the pass gave no status" >>"$log"
	fi
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
[ -n "${REACTBIN_BESIDE:-}" ] || rm -f "$log"

done_testing
