# shellcheck shell=bash disable=SC2034 # the variables are read by cases.sh
# The plumbing the benchmarks in tests/bench share: a private build, the
# throwaway PostgreSQL and S3 server, one reactbin instance, wrk and
# pgbench runs read into numbers, and the table every figure goes into.
# Sourced by run.sh, reactions.sh and profile.sh; cases.sh holds the
# measurements themselves.
#
# Knobs (environment): BENCH_SECONDS (each measured wrk/pgbench run, 10),
# BENCH_WARMUP (seconds of load before each, 2), BENCH_CONNECTIONS (50),
# BENCH_THREADS (wrk and pgbench threads, 2), BENCH_ROUNDS (runs of
# each side of a req/s comparison, alternating, the best kept: other
# processes on the machine come and go, 2), BENCH_WORKERS (Kore
# workers of reactbin and of the baselines, 2), BENCH_FLAVOR (the kodev
# flavour built, prod), BENCH_KEEP (1: keep the run's directory, with
# every wrk and pgbench output and the servers' logs). DATABASE_URL / S3_ENDPOINT_URL (with the other
# S3_* variables) use an existing server instead of starting one.

BENCH_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-50}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_WORKERS=${BENCH_WORKERS:-2}
BENCH_FLAVOR=${BENCH_FLAVOR:-prod}
BENCH_ROUNDS=${BENCH_ROUNDS:-2}

# The largest LOGIN_MAX_FAILURES the service accepts: wrong-password
# runs must never reach the lock, or they would measure 429s.
BENCH_LOGIN_MAX_FAILURES=1000000

# The memstore holds every object the transfers and the memory case
# upload (about 0.6 GB); the default 1 GiB leaves too little room.
BENCH_S3_MEMSTORE_BYTES=$((3 * 1024 * 1024 * 1024))

BENCH_EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
BENCH_MIB=1048576

BENCH_TMP=
BENCH_LOAD=
BENCH_TREE=
BENCH_LAUNCH_PID=
BENCH_URL=
BENCH_TOKEN=
BENCH_TABLE=
bench_extra_pids=()
# A command the baseline runs under (profile.sh: valgrind).
BENCH_WRAPPER=()

# shellcheck source=tests/lib/private.sh
. "$BENCH_TOP/tests/lib/private.sh"

bench_die() {
	echo "bench: $*" >&2
	exit 1
}

bench_note() {
	echo "# $*" >&2
}

# bench_need TOOL...: fail early, naming what is missing.
bench_need() {
	local tool missing=()
	for tool in "$@"; do
		command -v "$tool" >/dev/null || missing+=("$tool")
	done
	[ "${#missing[@]}" -eq 0 ] ||
	    bench_die "needs ${missing[*]} (Debian packages: wrk, imagemagick, jq, postgresql-client, postgresql-contrib for pgbench, curl, bc, python3, valgrind)"
}

# bench_begin: a private directory for everything a run writes, removed
# (with every server the run started) when the script exits.
bench_begin() {
	bench_need wrk pgbench psql curl jq bc convert python3 kodev kore
	BENCH_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
	# What was measured: the commit, and what the copy took uncommitted.
	BENCH_TREE="$(git -C "$BENCH_TOP" rev-parse --short HEAD 2>/dev/null || echo '?')"
	BENCH_TREE="$BENCH_TREE$(git -C "$BENCH_TOP" status --porcelain -- src \
	    assets conf kore.conf.in 2>/dev/null | awk '
		{ f = f " " $2 } END { if (f != "") print " + uncommitted:" f }')"
	BENCH_TMP=$(mktemp -d /tmp/reactbin-bench.XXXXXX)
	BENCH_TABLE="$BENCH_TMP/table.tsv"
	: >"$BENCH_TABLE"
	export REACTBIN_TEST_TMP="$BENCH_TMP"
	trap bench_end EXIT
	trap 'exit 130' INT TERM
}

bench_end() {
	local pid
	for pid in "${bench_extra_pids[@]}"; do
		bench_stop_pid "$pid"
	done
	if declare -F service_stop >/dev/null; then
		service_stop TERM || true
	fi
	private_stop
	if [ -n "${BENCH_KEEP:-}" ]; then
		bench_note "kept $BENCH_TMP"
	elif [ -n "$BENCH_TMP" ]; then
		rm -rf "$BENCH_TMP"
	fi
}

# bench_stop_pid PID: SIGTERM, wait up to 10 s, then SIGKILL.
bench_stop_pid() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# bench_build: build the module in a copy of the working tree,
# so that the copy's objects never mix with the developer's build, and
# point tests/lib/service.sh at it.
bench_build() {
	local app copy
	app=$(basename "$BENCH_TOP")
	copy="$BENCH_TMP/tree/$app"
	mkdir -p "$copy"
	tar -C "$BENCH_TOP" -cf - --exclude=./.git --exclude=./.objs \
	    --exclude="./$app.so" --exclude=./tests/unit/build \
	    --exclude=./tests/fuzz/build --exclude=node_modules . |
	    tar -C "$copy" -xf -
	(
		cd "$copy" &&
		    tools/genconf dev >/dev/null &&
		    KORE_BUILD_FLAVOR=$BENCH_FLAVOR kodev build
	) >"$BENCH_TMP/build.log" 2>&1 ||
	    { cat "$BENCH_TMP/build.log" >&2; bench_die "build failed"; }

	export REACTBIN_TOP="$copy"
	# shellcheck source=tests/lib/service.sh
	. "$BENCH_TOP/tests/lib/service.sh"
}

# bench_stack: PostgreSQL and the S3 server, unless given.
bench_stack() {
	S3_MEMSTORE_BYTES=${S3_MEMSTORE_BYTES:-$BENCH_S3_MEMSTORE_BYTES} \
	    private_stack "$BENCH_TMP"
	export OWNER_USERNAME=owner
	OWNER_PASSWORD="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
	JWT_SECRET_KEY="bench-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
	export OWNER_PASSWORD JWT_SECRET_KEY
}

# bench_start: the reactbin instance every case measures, and a token.
bench_start() {
	REACTBIN_WORKERS=$BENCH_WORKERS service_start bench \
	    LOGIN_MAX_FAILURES="$BENCH_LOGIN_MAX_FAILURES" ||
	    bench_die "reactbin did not start"
	BENCH_URL=$REACTBIN_URL
	BENCH_TOKEN=$(curl -fsS -X POST "$BENCH_URL/api/v1/auth/login" \
	    -H 'content-type: application/json' \
	    -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}" |
	    jq -r .access_token)
	if [ -z "$BENCH_TOKEN" ] || [ "$BENCH_TOKEN" = null ]; then
		bench_die "no token from the login"
	fi
}

# bench_setup: everything above, in order.
bench_setup() {
	bench_begin
	bench_note "building reactbin ($BENCH_FLAVOR) in a copy of the tree"
	bench_build
	bench_note "starting PostgreSQL and the S3 server"
	bench_stack
	bench_start
}

# bench_launch DIR URL COMMAND...: run COMMAND in DIR (output in
# DIR/stdout and DIR/stderr) until the script ends, and wait up to a
# minute for URL/api/v1/health to answer; BENCH_LAUNCH_PID is its pid.
bench_launch() {
	local dir=$1 url=$2 i
	shift 2
	(cd "$dir" && exec "$@") >"$dir/stdout" 2>"$dir/stderr" &
	BENCH_LAUNCH_PID=$!
	bench_extra_pids+=("$BENCH_LAUNCH_PID")
	for i in $(seq 1 600); do
		curl -fs -o /dev/null "$url/api/v1/health" && return 0
		kill -0 "$BENCH_LAUNCH_PID" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/# /' "$dir/stderr" "$dir/stdout" | tail -n 20 >&2
	return 1
}

# bench_workers PID: the worker processes of the Kore parent PID.
bench_workers() {
	pgrep -P "$1" | tr '\n' ' '
}

# Numbers.
bench_calc() {
	echo "scale=4; $1" | bc
}

# bench_fmt N [DECIMALS]: N rounded, or "-" when empty.
bench_fmt() {
	[ -n "$1" ] || { echo -; return; }
	printf "%.${2:-1}f" "$1"
}

# wrk and pgbench read into numbers.

# The best run of each measure: KEY -> req/s, and that run's p99.
declare -A BENCH_BEST_RPS=() BENCH_BEST_P99=()

# bench_best KEY RPS P99: keep this run if it is KEY's fastest so far.
bench_best() {
	if [ -z "${BENCH_BEST_RPS[$1]:-}" ] ||
	    [ "$(bench_calc "$2 > ${BENCH_BEST_RPS[$1]}")" = 1 ]; then
		BENCH_BEST_RPS[$1]=$2
		BENCH_BEST_P99[$1]=$3
	fi
}

# bench_wrk NAME URL [wrk options]: a warm-up, then the measured run;
# sets WRK_RPS, WRK_P50 and WRK_P99 (ms), WRK_ERRORS (socket errors plus
# answers other than 2xx/3xx) and leaves the output in
# $BENCH_TMP/wrk-NAME.txt. WRK_CONNECTIONS / WRK_THREADS, when set, stand
# for BENCH_CONNECTIONS / BENCH_THREADS in this run.
bench_wrk() {
	local name=$1 url=$2 out conns threads
	shift 2
	out="$BENCH_TMP/wrk-$name.txt"
	conns=${WRK_CONNECTIONS:-$BENCH_CONNECTIONS}
	threads=${WRK_THREADS:-$BENCH_THREADS}
	if [ "$BENCH_WARMUP" -gt 0 ]; then
		wrk -t"$threads" -c"$conns" -d"${BENCH_WARMUP}s" "$@" "$url" \
		    >/dev/null
	fi
	wrk -t"$threads" -c"$conns" -d"${BENCH_SECONDS}s" --latency "$@" \
	    "$url" >"$out"
	WRK_RPS=$(awk '/^Requests\/sec/ { print $2 }' "$out")
	WRK_P50=$(bench_wrk_latency 50% "$out")
	WRK_P99=$(bench_wrk_latency 99% "$out")
	WRK_ERRORS=$(awk '/Non-2xx or 3xx/ { n += $NF }
		/Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
		END { print n + 0 }' "$out")
}

# bench_wrk_latency PERCENTILE FILE: that line of wrk's --latency table,
# in ms.
bench_wrk_latency() {
	awk -v p="$1" '$1 == p { v = $2
		if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v) }
		else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
		print v }' "$2"
}

# bench_pgbench NAME SCRIPT [pgbench options]: the same warm-up and
# duration as bench_wrk, over the extended protocol with unnamed
# statements as libpq's PQsendQueryParams (and so reactbin) sends them;
# sets PGB_TPS and PGB_P99 (ms, from the per-transaction log).
bench_pgbench() {
	local name=$1 script=$2 dir
	shift 2
	dir="$BENCH_TMP/pgbench-$name"
	mkdir -p "$dir"
	if [ "$BENCH_WARMUP" -gt 0 ]; then
		pgbench -n -M extended -c "$BENCH_CONNECTIONS" \
		    -j "$BENCH_THREADS" -T "$BENCH_WARMUP" -f "$script" "$@" \
		    "$DATABASE_URL" >/dev/null 2>&1
	fi
	(cd "$dir" && pgbench -n -M extended -c "$BENCH_CONNECTIONS" \
	    -j "$BENCH_THREADS" -T "$BENCH_SECONDS" -f "$script" -l \
	    --log-prefix=tx "$@" "$DATABASE_URL") >"$dir/out.txt" 2>&1 ||
	    { cat "$dir/out.txt" >&2; bench_die "pgbench $name failed"; }
	PGB_TPS=$(awk '/^tps/ { print $3; exit }' "$dir/out.txt")
	# Field 3 of pgbench's log is a transaction's latency in us.
	PGB_P99=$(cat "$dir"/tx.* | awk '{ print $3 }' | sort -n |
	    awk '{ v[NR] = $1 } END {
		if (NR == 0) exit
		i = int(NR * 0.99); if (i < 1) i = 1
		print v[i] / 1000 }')
}

# bench_c_string FILE.c NAME: the value of the C string constant NAME in
# FILE (relative to the built tree), after the preprocessor, so that the
# baselines run exactly the SQL the module was compiled with.
bench_c_string() {
	local file=$1 name=$2 pre
	pre="$BENCH_TMP/$(basename "$file" .c).i"
	# shellcheck disable=SC2046 # kodev prints a list of flags
	(cd "$REACTBIN_TOP" && gcc -E -P $(kodev cflags) -Isrc -Isrc/pure "$file") \
	    >"$pre" 2>"$pre.err" ||
	    { cat "$pre.err" >&2; bench_die "cannot preprocess $file"; }
	python3 - "$name" "$pre" <<'PY'
import ast, re, sys
name, path = sys.argv[1], sys.argv[2]
text = open(path).read()
lit = r'"(?:[^"\\\n]|\\.)*"'
m = re.search(r'\b%s\s*\[\s*\]\s*=((?:\s*%s)+)\s*;' % (re.escape(name), lit),
              text)
if m is None:
    sys.exit("bench: no string constant %s" % name)
print("".join(ast.literal_eval(s) for s in re.findall(lit, m.group(1))))
PY
}

# bench_pgbench_sql SQL WORD...: SQL as a pgbench script. pgbench takes
# every ":name" as a variable, even inside a literal, so a colon in a
# literal becomes the escape \x3a of an E'' string: the same constant for
# the server. Then "$N" becomes the Nth WORD (":var" for a pgbench
# variable, or "NULL").
bench_pgbench_sql() {
	python3 - "$@" <<'PY'
import re, sys
sql, words = sys.argv[1].strip(), dict(enumerate(sys.argv[2:], 1))
literal = re.compile(r"([Ee]?)'((?:[^']|'')*)'")
out, pos = [], 0
for m in literal.finditer(sql):
    out.append(re.sub(r"\$(\d+)", lambda d: words[int(d.group(1))],
                      sql[pos:m.start()]))
    e, body = m.group(1), m.group(2)
    if ":" in body:
        if not e:
            body = body.replace("\\", "\\\\")
        out.append("E'" + body.replace(":", "\\x3a") + "'")
    else:
        out.append(m.group(0))
    pos = m.end()
out.append(re.sub(r"\$(\d+)", lambda d: words[int(d.group(1))], sql[pos:]))
print("".join(out) + ";")
PY
}

# The table: one row per figure, printed once at the end.

# bench_row MEASURE VALUE [BASELINE BASELINE_NAME [TARGET]]
# TARGET: "N" for ratio >= N, "<=N" for VALUE <= N, "+N" for VALUE at
# most N over BASELINE (memory over idle), "~N" for a ratio (VALUE /
# BASELINE) that should stay at or below N (latencies, memory).
bench_row() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "${3:-}" "${4:-}" "${5:-}" \
	    >>"$BENCH_TABLE"
}

bench_header() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	echo "reactbin benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $cpu, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
	echo "tree: $BENCH_TREE"
	echo "load average at the start: $BENCH_LOAD (other processes share the machine)"
	echo "reactbin: kodev flavour $BENCH_FLAVOR, $BENCH_WORKERS workers; wrk/pgbench: $BENCH_THREADS threads, $BENCH_CONNECTIONS connections, ${BENCH_WARMUP} s warm-up + ${BENCH_SECONDS} s, best of $BENCH_ROUNDS alternating runs; loopback"
}

bench_table_print() {
	local measure value base name target ratio verdict
	echo
	bench_header
	echo
	printf '%-50s %10s %10s  %-22s %6s  %s\n' measure reactbin baseline \
	    "baseline is" ratio target
	while IFS=$'\t' read -r measure value base name target; do
		ratio=
		if [ -n "$base" ] && [ -n "$value" ] &&
		    [ "$(bench_calc "$base != 0")" = 1 ]; then
			ratio=$(bench_calc "$value / $base")
		fi
		verdict=
		case "$target" in
		"") ;;
		"+"*)
			if [ "$(bench_calc "$value - $base <= ${target#+}")" = 1 ]; then
				verdict="<=idle$target met"
			else
				verdict="<=idle$target MISSED"
			fi
			;;
		"<="*)
			if [ "$(bench_calc "$value <= ${target#<=}")" = 1 ]; then
				verdict="$target met"
			else
				verdict="$target MISSED"
			fi
			;;
		*)
			if [ -n "$ratio" ] &&
			    [ "$(bench_calc "$ratio >= $target")" = 1 ]; then
				verdict=">=${target}x met"
			else
				verdict=">=${target}x MISSED"
			fi
			;;
		esac
		printf '%-50s %10s %10s  %-22s %6s  %s\n' "$measure" \
		    "$(bench_fmt "$value")" "$(bench_fmt "$base")" "$name" \
		    "$(bench_fmt "$ratio" 2)" "$verdict"
	done <"$BENCH_TABLE"
	bench_crashes
}

# bench_crashes: a worker that died during the run cost the requests it
# held; say so under the table.
bench_crashes() {
	local n
	[ -n "${REACTBIN_OUT:-}" ] && [ -f "$REACTBIN_OUT" ] || return 0
	n=$(grep -c 'log=\[fatal: \|died from sandbox violation' \
	    "$REACTBIN_OUT" || true)
	[ "$n" -eq 0 ] && return 0
	echo
	echo "reactbin workers that died during the run: $n, the first:"
	grep -m 1 'log=\[fatal: \|died from sandbox violation' "$REACTBIN_OUT"
}

# Files and S3.

# bench_png: the noisy 320x240 PNG (about 450 KB, under the smallest
# file) that every file starts from.
bench_png() {
	[ -f "$BENCH_TMP/base.png" ] ||
	    convert -size 320x240 xc: +noise Random "$BENCH_TMP/base.png"
}

# bench_make_file OUT MIB: a valid PNG grown to MIB MiB with random bytes
# after IEND, which the sniffer allows, so every file has its own
# SHA-256 and is never a duplicate.
bench_make_file() {
	local out=$1 mib=$2 have
	bench_png
	have=$(stat -c %s "$BENCH_TMP/base.png")
	cp "$BENCH_TMP/base.png" "$out"
	head -c $((mib * BENCH_MIB - have)) /dev/urandom >>"$out"
}

# bench_make_small OUT BYTES: a valid image of exactly BYTES bytes, its
# own: a GIF (with a comment block) below 1 KiB, else an 8x8 PNG with
# random bytes after IEND.
bench_make_small() {
	local out=$1 bytes=$2 have
	if [ "$bytes" -lt 1024 ]; then
		python3 - "$out" "$bytes" <<'PY'
import os, sys
out, want = sys.argv[1], int(sys.argv[2])
head = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
        b"!\xf9\x04\x01\x00\x00\x00\x00")
image = b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
pad = want - len(head) - len(image) - 4
assert 1 <= pad <= 255, "size out of range"
comment = b"!\xfe" + bytes([pad]) + os.urandom(pad) + b"\x00"
open(out, "wb").write(head + comment + image)
PY
		return
	fi
	convert -size 8x8 xc: +noise Random "png:$out"
	have=$(stat -c %s "$out")
	head -c $((bytes - have)) /dev/urandom >>"$out"
}

# bench_s3 CURL-ARGS...: a request signed with the bench's S3 key.
bench_s3() {
	curl -fsS --aws-sigv4 "aws:amz:$S3_REGION:s3" \
	    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" "$@"
}
