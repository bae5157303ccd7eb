# shellcheck shell=bash
# PROD_* results are read by the tests that source this file.
# shellcheck disable=SC2034
# The production process without Docker, for the contract tests: the
# configuration the image runs (tools/genconf prod), started as the image
# starts it (kore -r -n -c CONF, nothing in between), as UID/GID 1001, with
# only the contract's variables in its environment, under bubblewrap with
# the whole filesystem bound read-only and nothing writable mounted (what
# `docker run --read-only` without a tmpfs gives). The network namespace is
# the host's, so 127.0.0.1 reaches the instance, PostgreSQL and S3.
#
#   prod_require            skip_all unless root with bwrap and setpriv
#   prod_user               make sure UID and GID 1001 exist ("appuser")
#   prod_start NAME [VAR=value | -VAR ...]
#       Start an instance: the contract's variables from the current
#       environment, then the arguments (-VAR removes one). Waits for
#       /api/v1/health and sets PROD_URL, PROD_PID (kore's parent),
#       PROD_BOX (bwrap's pid), PROD_DIR, PROD_OUT, PROD_ERR.
#   prod_run NAME [VAR=value | -VAR ...]
#       The same, for an instance expected to exit by itself: waits for the
#       exit (at most PROD_EXIT_WAIT seconds) and sets PROD_STATUS
#       ("hung" if it did not exit).
#   prod_stop [SIGNAL]      prod_signal, then prod_wait_exit
#   prod_signal [SIGNAL]    signal kore's parent (TERM); notes the time
#   prod_wait_exit          wait for the instance to end (SIGKILL after
#                           PROD_STOP_WAIT s); sets PROD_STATUS ("hung" if
#                           it had to be killed) and PROD_STOP_MS, the time
#                           from the signal to the exit (noted when it
#                           happened, however late this is called)
#   prod_cleanup            stop what is left, remove the files (EXIT trap)
#
# Needs the module built (tests/run does it). Its files go to a directory
# of its own under /tmp that UID 1001 can read (REACTBIN_TEST_TMP is private).

PROD_TOP=${REACTBIN_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PROD_APP=$(basename "$PROD_TOP")
# shellcheck source=tests/lib/ports.sh
. "$PROD_TOP/tests/lib/ports.sh"
PROD_UID=1001
PROD_GID=1001
PROD_START_WAIT=${PROD_START_WAIT:-60}
PROD_EXIT_WAIT=${PROD_EXIT_WAIT:-20}
# Longer than the contract's 30 s, so that a slow drain is seen as slow.
PROD_STOP_WAIT=40

# The environment the image gets: the contract's variables, nothing else.
PROD_VARS=(JWT_SECRET_KEY OWNER_USERNAME OWNER_PASSWORD DATABASE_URL
    S3_ENDPOINT_URL S3_BUCKET_NAME S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY
    S3_REGION JWT_EXPIRY_SECONDS MAX_UPLOAD_BYTES LOGIN_MAX_FAILURES
    LOGIN_WINDOW_SECONDS LOGIN_COOLDOWN_SECONDS LOGIN_TRUSTED_PROXY_IPS
    API_BASE_URL)
PROD_REQUIRED=(JWT_SECRET_KEY OWNER_USERNAME OWNER_PASSWORD DATABASE_URL
    S3_ENDPOINT_URL S3_BUCKET_NAME S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY
    S3_REGION)

PROD_ROOT=
PROD_RUNAS=appuser
PROD_PID=
PROD_BOX=
PROD_SIGNAL_AT=0
PROD_WATCH=

prod_require() {
	[ "$(id -u)" -eq 0 ] ||
	    skip_all "needs root (to start the service as UID 1001 in a read-only sandbox)"
	command -v bwrap >/dev/null || skip_all "needs bwrap (bubblewrap)"
	command -v setpriv >/dev/null || skip_all "needs setpriv (util-linux)"
	[ -f "$PROD_TOP/$PROD_APP.so" ] ||
	    skip_all "the module $PROD_TOP/$PROD_APP.so is not built"

	# The service user must reach these files: the test's own
	# REACTBIN_TEST_TMP is private to root.
	PROD_ROOT=$(mktemp -d /tmp/reactbin-contract.XXXXXX) || return 1
	chmod 0755 "$PROD_ROOT"
	install -m 0644 "$PROD_TOP/$PROD_APP.so" "$PROD_ROOT/reactbin.so"
}

prod_user() {
	local name
	if ! getent group "$PROD_GID" >/dev/null; then
		groupadd --system --gid "$PROD_GID" appuser || return 1
	fi
	if ! getent passwd "$PROD_UID" >/dev/null; then
		useradd --system --uid "$PROD_UID" --gid "$PROD_GID" \
		    --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin appuser 2>/dev/null || return 1
	fi
	name=$(getent passwd "$PROD_UID" | cut -d: -f1)
	PROD_RUNAS=${name:-appuser}
}

# Alive, and not a zombie waiting to be reaped.
prod_alive() {
	local state
	state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$state" ] && [ "$state" != Z ]
}

# prod_environment ARGS...: fill PROD_ENV for env -i.
prod_environment() {
	local v arg name
	declare -A vals=()
	for v in "${PROD_VARS[@]}"; do
		if [ -n "${!v+set}" ]; then
			vals[$v]=${!v}
		fi
	done
	for arg in "$@"; do
		case "$arg" in
		-*) unset "vals[${arg#-}]" ;;
		*=*) name=${arg%%=*}; vals[$name]=${arg#*=} ;;
		esac
	done
	PROD_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	    HOME=/nonexistent)
	for name in "${!vals[@]}"; do
		PROD_ENV+=("$name=${vals[$name]}")
	done
}

# prod_launch NAME ARGS...: start in the background; sets PROD_BOX etc.
prod_launch() {
	local name=$1 port
	shift
	PROD_DIR="$PROD_ROOT/$name"
	mkdir -p "$PROD_DIR"
	chmod 0755 "$PROD_DIR"
	port=$(free_port) || return 1
	REACTBIN_PORT=$port REACTBIN_MODULE="$PROD_ROOT/reactbin.so" \
	    REACTBIN_RUNAS=$PROD_RUNAS \
	    "$PROD_TOP/tools/genconf" prod "$PROD_DIR/kore.conf" || return 1
	chmod 0644 "$PROD_DIR/kore.conf"
	prod_environment "$@"

	PROD_URL="http://127.0.0.1:$port"
	PROD_OUT="$PROD_DIR/stdout"
	PROD_ERR="$PROD_DIR/stderr"
	PROD_PID=
	env -i "${PROD_ENV[@]}" \
	    bwrap --ro-bind / / --dev /dev --proc /proc --unshare-ipc \
	    --chdir "$PROD_ROOT" -- \
	    setpriv --reuid "$PROD_UID" --regid "$PROD_GID" --clear-groups -- \
	    kore -r -n -c "$PROD_DIR/kore.conf" \
	    </dev/null >"$PROD_OUT" 2>"$PROD_ERR" &
	PROD_BOX=$!
}

# kore's parent: bwrap's only child, once setpriv has become kore.
prod_find_parent() {
	local child
	child=$(pgrep -P "$PROD_BOX" | head -n 1)
	[ -n "$child" ] || return 1
	[ "$(cat "/proc/$child/comm" 2>/dev/null)" = kore ] || return 1
	PROD_PID=$child
}

prod_start() {
	local i
	prod_launch "$@" || return 1
	for i in $(seq 1 $((PROD_START_WAIT * 10))); do
		if [ -z "$PROD_PID" ]; then
			prod_find_parent || true
		fi
		# Ready: every worker started (Kore says so) and health answers.
		if [ -n "$PROD_PID" ] &&
		    grep -q 'all worker processes started' "$PROD_OUT" &&
		    curl -fs -o /dev/null "$PROD_URL/api/v1/health"; then
			return 0
		fi
		if ! prod_alive "$PROD_BOX"; then
			echo "# the production instance exited during start-up:" >&2
			sed 's/^/# /' "$PROD_ERR" "$PROD_OUT" >&2
			wait "$PROD_BOX" 2>/dev/null
			PROD_BOX=
			return 1
		fi
		sleep 0.1
	done
	echo "# the production instance did not answer within ${i}00 ms" >&2
	return 1
}

prod_run() {
	local i
	prod_launch "$@" || return 1
	for i in $(seq 1 $((PROD_EXIT_WAIT * 10))); do
		prod_alive "$PROD_BOX" || break
		sleep 0.1
	done
	if prod_alive "$PROD_BOX"; then
		PROD_STATUS=hung
		prod_find_parent || true
		prod_kill
		return 0
	fi
	wait "$PROD_BOX"
	PROD_STATUS=$?
	PROD_BOX=
}

# Milliseconds since the epoch.
prod_now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

prod_signal() {
	PROD_SIGNAL_AT=$(prod_now_ms)
	if [ -n "$PROD_PID" ]; then
		kill -"${1:-TERM}" "$PROD_PID" 2>/dev/null || true
	fi
	# Note the moment of the exit, even if the caller is busy then.
	rm -f "$PROD_DIR/exited_at"
	(
		for _ in $(seq 1 $((PROD_STOP_WAIT * 50))); do
			prod_alive "$PROD_BOX" || break
			sleep 0.02
		done
		prod_alive "$PROD_BOX" || prod_now_ms >"$PROD_DIR/exited_at"
	) &
	PROD_WATCH=$!
}

prod_wait_exit() {
	[ -n "$PROD_BOX" ] || return 0
	wait "$PROD_WATCH"
	if [ -s "$PROD_DIR/exited_at" ]; then
		PROD_STOP_MS=$(($(cat "$PROD_DIR/exited_at") - PROD_SIGNAL_AT))
	else
		PROD_STOP_MS=$(($(prod_now_ms) - PROD_SIGNAL_AT))
	fi
	if prod_alive "$PROD_BOX"; then
		echo "# instance $PROD_PID still running after ${PROD_STOP_MS} ms; killing" >&2
		prod_kill
		PROD_STATUS=hung
		return 0
	fi
	wait "$PROD_BOX"
	PROD_STATUS=$?
	PROD_BOX=
}

prod_stop() {
	[ -n "$PROD_BOX" ] || return 0
	prod_signal "${1:-TERM}"
	prod_wait_exit
}

# SIGKILL kore's parent, its workers and the sandbox, by pid.
prod_kill() {
	local pids=()
	if [ -n "$PROD_PID" ]; then
		mapfile -t pids < <(pgrep -P "$PROD_PID")
		kill -KILL "$PROD_PID" "${pids[@]}" 2>/dev/null || true
	fi
	kill -KILL "$PROD_BOX" 2>/dev/null || true
	wait "$PROD_BOX" 2>/dev/null
	PROD_BOX=
}

prod_cleanup() {
	if [ -n "$PROD_BOX" ]; then
		prod_stop TERM
	fi
	if [ -n "$PROD_ROOT" ]; then
		rm -rf "$PROD_ROOT"
	fi
}

# prod_writable_files PID: the regular files PID holds open for writing,
# other than its standard output and error (the log streams), one per line.
prod_writable_files() {
	local fd n flags
	for fd in "/proc/$1/fd/"*; do
		n=${fd##*/}
		case "$n" in 0|1|2) continue ;; esac
		[ "$(stat -L -c %F "$fd" 2>/dev/null)" = "regular file" ] ||
		    [ "$(stat -L -c %F "$fd" 2>/dev/null)" = "regular empty file" ] ||
		    continue
		flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$1/fdinfo/$n" 2>/dev/null)
		# O_ACCMODE: 0 is read-only; 1 and 2 can write.
		if [ -n "$flags" ] && [ $((8#$flags & 3)) -ne 0 ]; then
			echo "$(readlink "$fd") (fd $n, flags $flags)"
		fi
	done
}
