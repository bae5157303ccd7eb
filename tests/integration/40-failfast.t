#!/usr/bin/env bash
# Fail-fast start-up: a missing, empty or malformed variable stops kore
# with a non-zero exit and a line on stderr naming the variable, before the
# port ever accepts a connection, and without printing a secret. The
# accepted DATABASE_URL forms start, and a short JWT_SECRET_KEY only warns.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"

# How long a refused start-up may take before it counts as hanging.
EXIT_WAIT_SECONDS=20

# Secrets of our own, recognisable in any output. (S3_SECRET_ACCESS_KEY
# stays: it has to match the storage server's.)
rand() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
OWNER_PASSWORD="ffpw-$(rand)"
JWT_SECRET_KEY="ffjwt-$(rand)$(rand)"
export OWNER_PASSWORD JWT_SECRET_KEY
# Optional variables come from each case only.
unset JWT_EXPIRY_SECONDS MAX_UPLOAD_BYTES LOGIN_MAX_FAILURES \
    LOGIN_WINDOW_SECONDS LOGIN_COOLDOWN_SECONDS LOGIN_TRUSTED_PROXY_IPS \
    API_BASE_URL METRICS_ALLOWED_IPS

db_password=$(sed -n 's|^[a-z+]*://[^:/@]*:\([^@]*\)@.*$|\1|p' <<<"$DATABASE_URL")
db_rest=${DATABASE_URL#*://}
secrets=("OWNER_PASSWORD:$OWNER_PASSWORD" "JWT_SECRET_KEY:$JWT_SECRET_KEY"
    "S3_SECRET_ACCESS_KEY:$S3_SECRET_ACCESS_KEY")
if [ -n "$db_password" ]; then
	secrets+=("the DATABASE_URL password:$db_password")
fi

instance_pids=()
cleanup() {
	service_stop_each "${instance_pids[@]}"
}
trap cleanup EXIT

# Alive and not yet a zombie waiting for us.
alive() {
	local state
	state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$state" ] && [ "$state" != Z ]
}

# no_secrets LABEL FILE...: one test per secret.
no_secrets() {
	local label=$1 entry what value
	shift
	for entry in "${secrets[@]}"; do
		what=${entry%%:*}
		value=${entry#*:}
		if grep -F -q -- "$value" "$@"; then
			ok 1 "$label: no $what in stdout or stderr"
		else
			ok 0 "$label: no $what in stdout or stderr"
		fi
	done
}

# refused LABEL VARIABLE ENV_ARGS...: start kore with env ENV_ARGS (as for
# env(1): -u NAME, NAME=value) and expect it to refuse to start.
refused() {
	local label=$1 var=$2 dir port pid i probes=0 accepted=0 hung=0 rc
	shift 2
	dir="$REACTBIN_TEST_TMP/failfast/case-$((TAP_COUNT + 1))"
	mkdir -p "$dir"
	port=$(free_port) || { ok 1 "$label: a free port"; return; }
	service_config "$dir" "$port" || { ok 1 "$label: a configuration"; return; }

	(cd "$REACTBIN_TOP" && exec env "$@" kore -nrc "$dir/kore.conf") \
	    >"$dir/stdout" 2>"$dir/stderr" &
	pid=$!

	# Knock on the port for as long as the process lives.
	for i in $(seq 1 $((EXIT_WAIT_SECONDS * 20))); do
		probes=$((probes + 1))
		curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/api/v1/health"
		[ $? -eq 7 ] || accepted=$((accepted + 1))
		alive "$pid" || break
		sleep 0.05
	done
	if alive "$pid"; then
		hung=1
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 1 100); do
			alive "$pid" || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid"
	rc=$?

	if [ "$hung" -eq 1 ]; then
		ok 1 "$label: exits within ${EXIT_WAIT_SECONDS} s"
		diag "still running after ${EXIT_WAIT_SECONDS} s; stderr:" "$(head -n 5 "$dir/stderr")"
	else
		isnt "$rc" 0 "$label: exits non-zero"
	fi
	if grep -q -- "$var" "$dir/stderr"; then
		ok 0 "$label: stderr names $var"
	else
		ok 1 "$label: stderr names $var"
		diag "stderr:" "$(head -n 5 "$dir/stderr")"
	fi
	no_secrets "$label" "$dir/stdout" "$dir/stderr"
	is "$accepted" 0 "$label: the port accepted no connection ($probes probes)"
}

required=(JWT_SECRET_KEY OWNER_USERNAME OWNER_PASSWORD DATABASE_URL
    S3_ENDPOINT_URL S3_BUCKET_NAME S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY
    S3_REGION)

for var in "${required[@]}"; do
	refused "$var unset" "$var" -u "$var"
	refused "$var empty" "$var" "$var="
done

refused "DATABASE_URL=mysql://u:p@h/d" DATABASE_URL "DATABASE_URL=mysql://u:p@h/d"
refused "DATABASE_URL with the real password but scheme mysql://" DATABASE_URL \
    "DATABASE_URL=mysql://$db_rest"
refused "DATABASE_URL=not-a-url" DATABASE_URL "DATABASE_URL=not-a-url"
refused "JWT_EXPIRY_SECONDS=abc" JWT_EXPIRY_SECONDS "JWT_EXPIRY_SECONDS=abc"
refused "MAX_UPLOAD_BYTES=-1" MAX_UPLOAD_BYTES "MAX_UPLOAD_BYTES=-1"
refused "LOGIN_MAX_FAILURES=0" LOGIN_MAX_FAILURES "LOGIN_MAX_FAILURES=0"
refused "LOGIN_TRUSTED_PROXY_IPS=10.0.0.0/99" LOGIN_TRUSTED_PROXY_IPS \
    "LOGIN_TRUSTED_PROXY_IPS=10.0.0.0/99"
refused "S3_ENDPOINT_URL=ftp://x" S3_ENDPOINT_URL "S3_ENDPOINT_URL=ftp://x"
refused "METRICS_ALLOWED_IPS=10.0.0.0/33" METRICS_ALLOWED_IPS \
    "METRICS_ALLOWED_IPS=10.0.0.0/33"
refused "METRICS_ALLOWED_IPS=prometheus.internal" METRICS_ALLOWED_IPS \
    "METRICS_ALLOWED_IPS=prometheus.internal"

# --- what must start --------------------------------------------------------

# starts LABEL NAME ENV...: the instance starts, health and a login (which
# needs the database) answer 200.
starts() {
	local label=$1 name=$2
	shift 2
	if service_start "$name" "$@"; then
		instance_pids+=("$REACTBIN_PID")
		ok 0 "$label: starts"
	else
		ok 1 "$label: starts"
		return 1
	fi
	request GET /api/v1/health
	is "$HTTP_STATUS" 200 "$label: health answers 200"
	request POST /api/v1/auth/login -H 'content-type: application/json' \
	    -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}"
	is "$HTTP_STATUS" 200 "$label: a login (through the database) answers 200"
}

starts "DATABASE_URL=postgresql+asyncpg://..." failfast-asyncpg \
    "DATABASE_URL=postgresql+asyncpg://$db_rest"
starts "DATABASE_URL=postgres://..." failfast-postgres \
    "DATABASE_URL=postgres://$db_rest"

short_key=0123456789
if starts "a 10-byte JWT_SECRET_KEY" failfast-short-key "JWT_SECRET_KEY=$short_key"; then
	grep -q 'level=warning .*JWT_SECRET_KEY' "$REACTBIN_ERR"
	ok $? "a 10-byte JWT_SECRET_KEY: a warning on stderr names JWT_SECRET_KEY"
	grep -q -F -- "$short_key" "$REACTBIN_OUT" "$REACTBIN_ERR"
	isnt $? 0 "a 10-byte JWT_SECRET_KEY: the key itself is not printed"
fi

# A full-length key gives no such warning.
grep -q 'JWT_SECRET_KEY' "$REACTBIN_TEST_TMP/failfast-asyncpg/stderr"
isnt $? 0 "a long JWT_SECRET_KEY: no warning about it"

cleanup
instance_pids=()
no_secrets "the instances that started" \
    "$REACTBIN_TEST_TMP"/failfast-{asyncpg,postgres,short-key}/std{out,err}

done_testing
