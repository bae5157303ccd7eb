# shellcheck shell=bash
# Start and stop reactbin instances for the integration tests.
#
#   service_start NAME [VAR=value ...]
#       Generate a configuration for a free port, start `kore -nrc` with the
#       current environment plus the given overrides (VAR= unsets nothing;
#       use service_env_without for that), wait for /api/v1/health, and set
#       REACTBIN_URL, REACTBIN_PID, REACTBIN_OUT, REACTBIN_ERR.
#   service_stop [SIGNAL]     stop the instance started last, by its pid
#   service_stop_each PID...  stop each of these instances, as service_stop
#                             TERM does; REACTBIN_PID keeps its value
#   service_log_wait PATTERN  wait for a log line (they come in batches)
#   service_run_env ...       start in the foreground (fail-fast tests)
#
# The module must be built (tests/run does it). Everything an instance
# writes goes under $REACTBIN_TEST_TMP/NAME.

REACTBIN_TOP=${REACTBIN_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
REACTBIN_APP=$(basename "$REACTBIN_TOP")
SERVICE_START_WAIT=${SERVICE_START_WAIT:-60}

# shellcheck source=tests/lib/ports.sh
. "$REACTBIN_TOP/tests/lib/ports.sh"
# shellcheck source=tests/lib/wait.sh
. "$REACTBIN_TOP/tests/lib/wait.sh"

# service_config DIR PORT: write DIR/kore.conf for this port.
service_config() {
	REACTBIN_PORT=$2 REACTBIN_WORKERS=${REACTBIN_WORKERS:-2} \
	    REACTBIN_MODULE="$REACTBIN_TOP/$REACTBIN_APP.so" \
	    "$REACTBIN_TOP/tools/genconf" dev "$1/kore.conf"
}

service_start() {
	local name=$1 dir port i
	shift
	dir="$REACTBIN_TEST_TMP/$name"
	mkdir -p "$dir"
	port=$(free_port) || return 1
	service_config "$dir" "$port" || return 1

	REACTBIN_OUT="$dir/stdout"
	REACTBIN_ERR="$dir/stderr"
	REACTBIN_URL="http://127.0.0.1:$port"
	(cd "$REACTBIN_TOP" && exec env "$@" kore -nrc "$dir/kore.conf") \
	    >"$REACTBIN_OUT" 2>"$REACTBIN_ERR" &
	REACTBIN_PID=$!
	echo "$REACTBIN_PID" >"$dir/pid"

	for i in $(seq 1 $((SERVICE_START_WAIT * 10))); do
		if curl -fs -o /dev/null "$REACTBIN_URL/api/v1/health"; then
			return 0
		fi
		if ! kill -0 "$REACTBIN_PID" 2>/dev/null; then
			echo "# reactbin exited during start-up:" >&2
			sed 's/^/# /' "$REACTBIN_ERR" "$REACTBIN_OUT" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "# reactbin did not answer within ${i}00 ms" >&2
	return 1
}

# service_log_wait PATTERN [FILE [COUNT]]: wait (3 s at most) for COUNT
# (1) lines matching the extended regex PATTERN in FILE, the instance's
# stdout by default: workers write their info lines in batches, up to
# 100 ms late.
service_log_wait() {
	wait_for 30 service_log_has "$1" "${2:-$REACTBIN_OUT}" "${3:-1}"
}

# service_log_has PATTERN FILE COUNT: FILE has COUNT such lines already.
service_log_has() {
	[ "$(grep -cE -- "$1" "$2")" -ge "$3" ]
}

service_stop() {
	local sig=${1:-TERM} i
	[ -n "${REACTBIN_PID:-}" ] || return 0
	kill -"$sig" "$REACTBIN_PID" 2>/dev/null || true
	for i in $(seq 1 300); do
		kill -0 "$REACTBIN_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$REACTBIN_PID" 2>/dev/null; then
		echo "# reactbin $REACTBIN_PID still running after ${i}00 ms; killing" >&2
		kill -KILL "$REACTBIN_PID" 2>/dev/null || true
	fi
	wait "$REACTBIN_PID" 2>/dev/null || true
	REACTBIN_PID=
}

# For the scripts that keep several instances: the EXIT trap, or the last
# access lines flushed before the logs are read.
service_stop_each() {
	local pid
	for pid in "$@"; do
		REACTBIN_PID=$pid service_stop TERM
	done
}
