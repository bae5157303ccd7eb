# shellcheck shell=bash
# Bounded polling, for a state that comes by itself a little later (a log
# line, a lock taken, a row swept): never a blind sleep, never an endless
# loop.
#
#   wait_for TENTHS COMMAND...
#       Run COMMAND every 0.1 s until it succeeds, TENTHS times at most;
#       fails if it never did. For a state the test sets up itself.
#   wait_secs SECONDS COMMAND...
#       Run COMMAND every 0.2 s until it succeeds or SECONDS have passed,
#       then once more; the status is that of the last run. For a COMMAND
#       that may itself take a while (a bucket listing, say), whose last
#       answer is what counts.

wait_for() {
	local tenths=$1
	shift
	for _ in $(seq 1 "$tenths"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

wait_secs() {
	local deadline=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -lt "$deadline" ]; do
		"$@" && return 0
		sleep 0.2
	done
	"$@"
}
