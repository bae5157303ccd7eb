#!/usr/bin/env bash
# Where a reactbin worker spends its instructions and system calls on one
# kind of request: the evidence behind a benchmark figure that misses its
# target. Not a test.
#
#   tests/bench/profile.sh [health|login|list|upload] [REQUESTS]
#   (default: health 2000; a minute or two)
#
# One worker runs under callgrind (instruction counts are repeatable, and
# this machine has no perf; --trace-children makes the forked worker
# reachable by callgrind_control); its instrumentation is switched on only for
# REQUESTS identical requests sent over one keep-alive connection, after
# PROFILE_WARMUP (200) others, so start-up is not counted. Printed: the
# instructions per request, the top PROFILE_TOP (25) functions by their
# own and by their inclusive instructions, then the system calls per
# request (strace -c on the same requests without valgrind). For health,
# the minimal Kore handler of run.sh is measured the same way; for upload
# (raw POSTs of PROFILE_UPLOAD_MIB, 1, each file new, so that none is a
# duplicate) the Kore handler that drops its body through on_body_chunk.
#
# Setup as in run.sh (lib.sh); the callgrind files stay with BENCH_KEEP=1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/bench/cases.sh
. "$here/cases.sh"

kind=${1:-health}
case "$kind" in
upload)	requests=${2:-20}; PROFILE_WARMUP=${PROFILE_WARMUP:-5} ;;
*)	requests=${2:-2000} ;;
esac
PROFILE_WARMUP=${PROFILE_WARMUP:-200}
PROFILE_UPLOAD_MIB=${PROFILE_UPLOAD_MIB:-1}
profile_files=0
PROFILE_TOP=${PROFILE_TOP:-25}

case "$kind" in
health|login|list|upload) ;;
*) bench_die "usage: profile.sh [health|login|list|upload] [REQUESTS]" ;;
esac

bench_need valgrind callgrind_control callgrind_annotate strace
bench_begin
bench_note "building reactbin ($BENCH_FLAVOR) in a copy of the tree"
bench_build
bench_note "starting PostgreSQL and the S3 server"
bench_stack

# Under valgrind, two things Kore does in a worker must not happen:
# raising RLIMIT_NOFILE (valgrind refuses any hard limit but its own) and
# installing the seccomp filter (which kills valgrind's own system
# calls). Neither changes the instructions a request costs, so this
# preload makes both no-ops for the profiled processes only.
profile_shim() {
	cat >"$BENCH_TMP/shim.c" <<'C'
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/resource.h>
#include <dlfcn.h>
#include <stdarg.h>

#define PRCTL_ARGS	4

int
setrlimit(__rlimit_resource_t resource, const struct rlimit *rl)
{
	int	(*real)(__rlimit_resource_t, const struct rlimit *);

	if (resource == RLIMIT_NOFILE)
		return (0);
	real = (int (*)(__rlimit_resource_t, const struct rlimit *))
	    dlsym(RTLD_NEXT, "setrlimit");
	return (real(resource, rl));
}

int
prctl(int option, ...)
{
	int		(*real)(int, unsigned long, unsigned long,
			    unsigned long, unsigned long);
	unsigned long	 arg[PRCTL_ARGS];
	va_list		 ap;
	int		 i;

	if (option == PR_SET_SECCOMP)
		return (0);
	va_start(ap, option);
	for (i = 0; i < PRCTL_ARGS; i++)
		arg[i] = va_arg(ap, unsigned long);
	va_end(ap);
	real = (int (*)(int, unsigned long, unsigned long, unsigned long,
	    unsigned long))dlsym(RTLD_NEXT, "prctl");
	return (real(option, arg[0], arg[1], arg[2], arg[3]));
}
C
	cc -shared -fPIC -O2 -o "$BENCH_TMP/shim.so" "$BENCH_TMP/shim.c" -ldl
}

# profile_requests FILE URL N: a curl config of N identical requests of
# this kind over one connection, each printing its status.
profile_requests() {
	local file=$1 url=$2 n=$3 i
	{
		# curl reads the \n of its config itself.
		printf '%s\n' 'write-out = "%{http_code}\n"'
		case "$kind" in
		login)
			echo 'header = "content-type: application/json"'
			printf '{"username":"%s","password":"%s"}' \
			    "$OWNER_USERNAME" "$OWNER_PASSWORD" \
			    >"$BENCH_TMP/login.json"
			echo "data = \"@$BENCH_TMP/login.json\""
			;;
		list)
			echo "header = \"Authorization: Bearer $BENCH_TOKEN\""
			;;
		esac
		for i in $(seq 1 "$n"); do
			if [ "$kind" = upload ]; then
				# Each upload is a request of its own options.
				if [ "$i" -gt 1 ]; then
					echo next
					printf '%s\n' 'write-out = "%{http_code}\n"'
				fi
				profile_upload_file
				echo "header = \"Authorization: Bearer $BENCH_TOKEN\""
				echo 'header = "content-type: image/png"'
				echo "data-binary = \"@$PROFILE_FILE\""
			fi
			echo "url = \"$url\""
			echo 'output = "/dev/null"'
		done
	} >"$file"
}

# profile_upload_file: a new file of PROFILE_UPLOAD_MIB in PROFILE_FILE.
profile_upload_file() {
	profile_files=$((profile_files + 1))
	PROFILE_FILE="$BENCH_TMP/upload-$profile_files.png"
	bench_make_file "$PROFILE_FILE" "$PROFILE_UPLOAD_MIB"
}

# profile_send URL N: send them; all must answer 200.
profile_send() {
	local cfg="$BENCH_TMP/requests-$2.cfg" ok
	profile_requests "$cfg" "$1" "$2"
	ok=$(curl -s -K "$cfg" | grep -c "^$(profile_status)\$" || true)
	[ "$ok" -eq "$2" ] ||
	    bench_die "$ok of $2 requests answered $(profile_status)"
	rm -f "$BENCH_TMP"/upload-*.png
}

# profile_path: the request of this kind.
profile_path() {
	case "$kind" in
	health)	echo /api/v1/health ;;
	login)	echo /api/v1/auth/login ;;
	list)	echo "/api/v1/reactions?tags=$BENCH_LIST_TAGS&limit=$BENCH_LIST_LIMIT" ;;
	upload)	echo /api/v1/reactions ;;
	esac
}

# profile_status: what every request of this kind answers.
profile_status() {
	if [ "$kind" = upload ]; then
		echo 201
	else
		echo 200
	fi
}

# profile_callgrind NAME DIR CONF BASEURL: run CONF's one worker under
# callgrind for the requests and print what it spent.
profile_callgrind() {
	local name=$1 dir=$2 conf=$3 base=$4 pid worker out total
	bench_note "$name: callgrind, $requests requests"
	BENCH_WRAPPER=(env LD_PRELOAD="$BENCH_TMP/shim.so" valgrind
	    --tool=callgrind --instr-atstart=no --trace-children=yes
	    --callgrind-out-file="$dir/callgrind.%p")
	bench_launch "$dir" "$base" "${BENCH_WRAPPER[@]}" kore -nrc "$conf" ||
	    bench_die "$name did not start under valgrind"
	pid=$BENCH_LAUNCH_PID
	worker=$(bench_workers "$pid" | awk '{ print $1 }')
	[ -n "$worker" ] || bench_die "no worker under $pid"

	if [ "$kind" != health ] && [ "$name" = reactbin ]; then
		BENCH_TOKEN=$(curl -fsS -X POST "$base/api/v1/auth/login" \
		    -H 'content-type: application/json' \
		    -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}" |
		    jq -r .access_token)
	fi
	profile_send "$base$(profile_path)" "$PROFILE_WARMUP"
	callgrind_control -i on "$worker" >"$dir/control.log" 2>&1
	profile_send "$base$(profile_path)" "$requests"
	callgrind_control -d "$worker" >>"$dir/control.log" 2>&1
	callgrind_control -i off "$worker" >>"$dir/control.log" 2>&1
	bench_stop_pid "$pid"
	profile_wait "$worker"

	out=$(find "$dir" -name "callgrind.$worker.*" -size +0 | sort | tail -n 1)
	[ -n "$out" ] || bench_die "callgrind wrote no dump for $worker"
	total=$(callgrind_annotate "$out" | awk '/PROGRAM TOTALS/ {
		gsub(/,/, "", $1); print $1 }')
	PROFILE_IR=$((total / requests))
	echo
	echo "== $name, $kind: $total instructions for $requests requests, $PROFILE_IR per request"
	echo "-- top $PROFILE_TOP functions, own instructions (file:function)"
	callgrind_annotate "$out" | profile_top
	echo "-- top $PROFILE_TOP functions, inclusive"
	callgrind_annotate --inclusive=yes "$out" | profile_top
}

# The function lines of callgrind_annotate, per request, paths shortened.
profile_top() {
	awk -v n="$requests" -v top="$PROFILE_TOP" '
		/PROGRAM TOTALS/ { body = 1; next }
		body && match($0, /\( *[0-9.]+%\)/) && shown < top {
			ir = $1; gsub(/,/, "", ir)
			pct = substr($0, RSTART + 1, RLENGTH - 2)
			gsub(/ /, "", pct)
			fn = substr($0, RSTART + RLENGTH)
			sub(/^ +/, "", fn); sub(/ \[.*\]$/, "", fn)
			sub(/^.*\//, "", fn)
			printf "%9.0f/req %7s  %s\n", ir / n, pct, fn
			shown++
		}'
}

# profile_wait PID: wait until PID, not a child of this shell, is gone
# (a Kore worker outlives its parent for a moment). A worker still there
# after 30 s has lost its parent to bench_stop_pid's SIGKILL (a Kore
# parent under valgrind can take longer than that to wind down): its
# profile was dumped before, so it is stopped here too.
profile_wait() {
	for _ in $(seq 1 300); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	bench_note "process $1 outlived its parent; stopping it"
	bench_stop_pid "$1"
}

# profile_syscalls NAME DIR CONF BASEURL: the same requests, natively, with
# strace counting the worker's system calls.
profile_syscalls() {
	local name=$1 dir=$2 conf=$3 base=$4 pid worker spid total
	bench_note "$name: strace -c, $requests requests"
	bench_launch "$dir" "$base" kore -nrc "$conf" ||
	    bench_die "$name did not start"
	pid=$BENCH_LAUNCH_PID
	worker=$(bench_workers "$pid" | awk '{ print $1 }')
	profile_send "$base$(profile_path)" "$PROFILE_WARMUP"
	strace -c -f -p "$worker" -o "$dir/strace.txt" 2>/dev/null &
	spid=$!
	sleep 1
	profile_send "$base$(profile_path)" "$requests"
	kill -INT "$spid"
	wait "$spid" || true
	bench_stop_pid "$pid"
	profile_wait "$worker"
	# strace -c: % time, seconds, usecs/call, calls, [errors,] name.
	total=$(awk '$NF == "total" { print $4 }' "$dir/strace.txt")
	echo
	echo "== $name, $kind: $(bench_calc "${total:-0} / $requests") system calls per request (strace -c)"
	awk -v n="$requests" '$1 ~ /^[0-9.]+$/ && $NF != "total" {
		printf "%8.2f/req  %s\n", $4 / n, $NF }' "$dir/strace.txt" |
	    sort -rn | head -n 12
}

profile_shim
if [ "$kind" = list ]; then
	# The list needs the bench's data: seed it once, through a plain
	# instance (the migrations).
	bench_start
	bench_seed
	service_stop TERM
fi

dir="$BENCH_TMP/profile"
mkdir -p "$dir"
port=$(free_port) || bench_die "no free port"
REACTBIN_WORKERS=1 service_config "$dir" "$port"
conf="$dir/kore.conf"
export LOGIN_MAX_FAILURES="$BENCH_LOGIN_MAX_FAILURES"

profile_callgrind reactbin "$dir" "$conf" "http://127.0.0.1:$port"
reactbin_ir=$PROFILE_IR
if [ "$kind" = health ] || [ "$kind" = upload ]; then
	bench_baseline_build "$conf"
	profile_callgrind "minimal Kore handler" "$BENCH_TMP/baseline" \
	    "$BENCH_TMP/baseline/kore.conf" "$BENCH_BASELINE_URL"
	echo
	echo "== instructions per request: reactbin $reactbin_ir, minimal handler $PROFILE_IR ($(bench_calc "$reactbin_ir / $PROFILE_IR")x)"
fi

profile_syscalls reactbin "$dir" "$conf" "http://127.0.0.1:$port"
if [ "$kind" = health ] || [ "$kind" = upload ]; then
	profile_syscalls "minimal Kore handler" "$BENCH_TMP/baseline" \
	    "$BENCH_TMP/baseline/kore.conf" "$BENCH_BASELINE_URL"
fi
