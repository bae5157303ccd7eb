# shellcheck shell=bash
# Suites that need nothing of the sequential integration tests (their own
# PostgreSQL and S3, or none at all) run beside them, so that tests/run
# spends its wall time once: most of an integration test's time is
# waiting. prove still reports each where it stands in its list.
#
#   beside_start NAME AFTER CMD...
#                              tests/run: run CMD in the background, now
#                              or (AFTER not empty) once the suite AFTER
#                              has ended: its stdout in
#                              $REACTBIN_BESIDE/NAME.out, its stderr in
#                              NAME.err, its exit status in NAME.status
#   beside_stop                tests/run's cleanup: stop what still runs
#   beside_replay NAME         in the suite's own script: if tests/run
#                              started NAME beside, wait for its end,
#                              print what it printed and exit with its
#                              status; else return, and the script runs
#                              as it would alone
#
# REACTBIN_BESIDE (a directory) is set by tests/run for the suites; a
# suite run by hand has none and runs in the foreground.

# The longest a suite may take once started: past it, it failed.
BESIDE_WAIT_SECONDS=${BESIDE_WAIT_SECONDS:-2400}

beside_start() {
	local name=$1 after=$2
	shift 2
	mkdir -p "$REACTBIN_BESIDE"
	: >"$REACTBIN_BESIDE/$name.out"
	(
		# One after the other: two suites at once on top of the
		# sequential ones would starve the timing-bound tests.
		while [ -n "$after" ] && [ ! -f "$REACTBIN_BESIDE/$after.status" ]; do
			[ ! -f "$REACTBIN_BESIDE/stopped" ] || exit 0
			sleep 1
		done
		[ ! -f "$REACTBIN_BESIDE/stopped" ] || exit 0
		# The suite itself runs as it would alone, not replaying.
		env -u REACTBIN_BESIDE "$@" >"$REACTBIN_BESIDE/$name.out" \
		    2>"$REACTBIN_BESIDE/$name.err" &
		echo $! >"$REACTBIN_BESIDE/$name.pid"
		# Not a bare wait: under set -e a failed suite would end
		# this shell before it wrote the status.
		status=0
		wait $! || status=$?
		echo "$status" >"$REACTBIN_BESIDE/$name.status.part"
		mv "$REACTBIN_BESIDE/$name.status.part" \
		    "$REACTBIN_BESIDE/$name.status"
		rm -f "$REACTBIN_BESIDE/$name.pid"
	) &
}

beside_stop() {
	local pidfile
	[ -d "${REACTBIN_BESIDE:-}" ] || return 0
	: >"$REACTBIN_BESIDE/stopped"
	for pidfile in "$REACTBIN_BESIDE"/*.pid; do
		[ -s "$pidfile" ] && kill -TERM "$(cat "$pidfile")" 2>/dev/null
	done
	wait
}

# beside_wait NAME: 0 once NAME has a status, 1 if it never will.
beside_wait() {
	local dir=$REACTBIN_BESIDE name=$1 deadline
	deadline=$((SECONDS + BESIDE_WAIT_SECONDS))
	while [ ! -f "$dir/$name.status" ]; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		# Gone without a status: the shell that waited for it died.
		if [ -s "$dir/$name.pid" ] &&
		    ! kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
			sleep 2
			[ -f "$dir/$name.status" ]
			return
		fi
		sleep 1
	done
}

beside_replay() {
	local name=$1 status
	[ -n "${REACTBIN_BESIDE:-}" ] && [ -e "$REACTBIN_BESIDE/$name.out" ] ||
	    return 0
	if ! beside_wait "$name"; then
		cat "$REACTBIN_BESIDE/$name.out"
		echo "Bail out! $name, run beside the other tests, gave no status"
		exit 1
	fi
	cat "$REACTBIN_BESIDE/$name.out"
	cat "$REACTBIN_BESIDE/$name.err" >&2
	status=$(cat "$REACTBIN_BESIDE/$name.status")
	exit "$status"
}
