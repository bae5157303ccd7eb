# shellcheck shell=bash
# The measurements of the benchmarks. Each case measures reactbin and a
# baseline in the same run, on the same machine, and adds its rows to the
# table (bench_row, lib.sh). Sourced after lib.sh, once bench_setup ran.

# The filtered list: two tags that about 120 of 100,000 reactions share,
# so a page is full (30 items) and a next page exists.
BENCH_ROWS=${BENCH_ROWS:-100000}
BENCH_TAG_VOCABULARY=100
BENCH_LIST_TAGS="tag7,tag42"
BENCH_LIST_LIMIT=30
BENCH_LIST_FEW=4

# Bytes of the memory case: just under MAX_UPLOAD_BYTES' default 50 MB.
BENCH_BIG_MIB=49
BENCH_BIG_DOWNLOADS=10
BENCH_BIG_UPLOADS=4
# Each client of the memory case is slower than storage, so a relay that
# buffered instead of streaming would show it.
BENCH_BIG_RATE=20M

# The small-file case: a public link's cost for files a page shows many
# of, at one connection and at a browser's six, and a page of them.
BENCH_SMALL_SIZES="80 10240 102400"
BENCH_SMALL_CONNECTIONS="1 6"
BENCH_PAGE_FILES=30
BENCH_PAGE_BYTES=10240
BENCH_PAGE_CONNECTIONS=6
BENCH_PAGE_LOADS=${BENCH_PAGE_LOADS:-40}

# The baseline's body limit: room for the largest upload measured.
BENCH_BODY_MAX=$((100 * 1024 * 1024))

# The upload memory case: eight 45 MB uploads at once, as fast as the
# clients can send; a worker's peak may be at most this over its idle size.
BENCH_UP_FILES=8
BENCH_UP_BYTES=45000000
BENCH_UP_RSS_MIB=64

# The minimal Kore application health is compared with.
BENCH_BASELINE_PID=
BENCH_BASELINE_URL=

# bench_baseline_build REACTBIN_CONF: build a Kore application of one
# handler that answers GET /api/v1/health with a fixed JSON body, and its
# configuration: the server settings of the reactbin configuration given
# (workers, keep-alive, limits), its routes aside, on a port of its own.
# The same application takes POST /api/v1/reactions the way reactbin
# does, through an on_body_chunk hook that drops every piece, and answers
# 201 once the body is in: the framework's own ceiling for an upload
# (Kore reads a body 8 KiB per recv and hashes every piece itself).
bench_baseline_build() {
	local dir="$BENCH_TMP/baseline" port
	mkdir -p "$dir"
	cat >"$dir/health.c" <<'C'
#include <strings.h>

#include <kore/kore.h>
#include <kore/http.h>

int	health(struct http_request *);

int
health(struct http_request *req)
{
	static const char	body[] = "{\"status\":\"ok\"}";

	http_response_header(req, "content-type",
	    "application/json; charset=utf-8");
	http_response(req, HTTP_STATUS_OK, body, sizeof(body) - 1);
	return (KORE_RESULT_OK);
}

int	upload(struct http_request *);
int	upload_headers(struct http_request *);
int	upload_chunk(struct http_request *, const void *, size_t);

/* As reactbin does: a client waiting for 100 Continue is told at once. */
int
upload_headers(struct http_request *req)
{
	const char	*expect;

	if (http_request_header(req, "expect", &expect) &&
	    !strcasecmp(expect, "100-continue")) {
		http_response(req, HTTP_STATUS_CONTINUE, NULL, 0);
		if (!net_send_flush(req->owner))
			kore_connection_disconnect(req->owner);
	}
	return (KORE_RESULT_OK);
}

int
upload_chunk(struct http_request *req, const void *data, size_t len)
{
	(void)req;
	(void)data;
	(void)len;
	return (KORE_RESULT_OK);
}

int
upload(struct http_request *req)
{
	static const char	body[] = "{\"id\":\"dropped\"}";

	http_response_header(req, "content-type",
	    "application/json; charset=utf-8");
	http_response(req, HTTP_STATUS_CREATED, body, sizeof(body) - 1);
	return (KORE_RESULT_OK);
}
C
	# The same optimisation as the prod flavour's.
	# shellcheck disable=SC2046 # kodev prints a list of flags
	cc $(kodev cflags) -O2 -shared -o "$dir/health.so" "$dir/health.c" \
	    >"$dir/build.log" 2>&1 ||
	    { cat "$dir/build.log" >&2; bench_die "baseline build failed"; }

	port=$(free_port) || bench_die "no free port"
	{
		echo "load $dir/health.so"
		# reactbin's settings up to its first domain, less its module
		# and validators.
		awk -v port="$port" -v body_max="$BENCH_BODY_MAX" '
			/^domain/ { exit }
			# reactbin sets its body limit at start-up, in code.
			/^http_body_timeout/ { print; print "http_body_max\t" \
			    body_max; next }
			/^(load|validator)[[:space:]]/ { next }
			/^[[:space:]]*bind[[:space:]]/ {
				print "\tbind 127.0.0.1 " port; next }
			{ print }' "$1"
		cat <<CONF
domain * {
	attach		http
	route /api/v1/health {
		handler		health
		methods		get head
	}
	route /api/v1/reactions {
		handler		upload
		methods		post
		on_headers	upload_headers
		on_body_chunk	upload_chunk
	}
}
CONF
	} >"$dir/kore.conf"
	BENCH_BASELINE_URL="http://127.0.0.1:$port"
}

# bench_baseline_start [REACTBIN_CONF]: build it after REACTBIN_CONF (the
# bench instance's by default) and start it with the flags reactbin runs
# with (tests/lib/service.sh), under the command in BENCH_WRAPPER if any.
bench_baseline_start() {
	local dir="$BENCH_TMP/baseline"
	bench_baseline_build "${1:-$BENCH_TMP/bench/kore.conf}"
	bench_launch "$dir" "$BENCH_BASELINE_URL" \
	    "${BENCH_WRAPPER[@]}" kore -nrc "$dir/kore.conf" ||
	    bench_die "the baseline did not start"
	BENCH_BASELINE_PID=$BENCH_LAUNCH_PID
}

bench_baseline_stop() {
	[ -n "$BENCH_BASELINE_PID" ] || return 0
	bench_stop_pid "$BENCH_BASELINE_PID"
	BENCH_BASELINE_PID=
}

# 1. Liveness: reactbin's health handler against the minimal handler.
bench_health() {
	local round
	bench_baseline_start "$BENCH_TMP/bench/kore.conf"
	for round in $(seq 1 "$BENCH_ROUNDS"); do
		bench_note "health, round $round: reactbin, minimal Kore handler"
		bench_wrk health "$BENCH_URL/api/v1/health"
		[ "$WRK_ERRORS" -eq 0 ] || bench_note "health: $WRK_ERRORS errors"
		bench_best health "$WRK_RPS" "$WRK_P99"
		bench_wrk health-kore "$BENCH_BASELINE_URL/api/v1/health"
		bench_best health-kore "$WRK_RPS" "$WRK_P99"
	done
	bench_baseline_stop

	bench_row "GET /api/v1/health, req/s" "${BENCH_BEST_RPS[health]}" \
	    "${BENCH_BEST_RPS[health-kore]}" "minimal Kore handler" 0.9
	bench_row "GET /api/v1/health, p99 ms" "${BENCH_BEST_P99[health]}" \
	    "${BENCH_BEST_P99[health-kore]}" "minimal Kore handler"
}

# 2. Login, with the right and with a wrong password, against pgbench
# running the statement the handler sends (login_attempt_sql, taken from
# src/auth.c) for the same client address: one round trip to PostgreSQL
# each, with a row lock, and for a wrong password a write.
bench_login() {
	local lua sql kind password ok round
	sql=$(bench_c_string src/auth.c login_attempt_sql)
	for kind in correct wrong; do
		password=$OWNER_PASSWORD
		ok=true
		if [ "$kind" != correct ]; then
			password="not-$OWNER_PASSWORD"
			ok=false
		fi
		lua="$BENCH_TMP/login-$kind.lua"
		cat >"$lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"$OWNER_USERNAME","password":"$password"}'
LUA
		# The window and the cooldown are the defaults.
		bench_pgbench_sql "$sql" :ip "$ok" 300 \
		    "$BENCH_LOGIN_MAX_FAILURES" 900 >"$BENCH_TMP/login-$kind.sql"

		for round in $(seq 1 "$BENCH_ROUNDS"); do
			bench_note "login ($kind password), round $round: reactbin, pgbench"
			bench_wrk "login-$kind" "$BENCH_URL/api/v1/auth/login" \
			    -s "$lua"
			bench_best "login-$kind" "$WRK_RPS" "$WRK_P99"
			bench_login_check "$kind"
			bench_pgbench "login-$kind" "$BENCH_TMP/login-$kind.sql" \
			    -D ip=127.0.0.1
			bench_best "login-$kind-pgbench" "$PGB_TPS" "$PGB_P99"
		done
		bench_row "POST /api/v1/auth/login, $kind password, req/s" \
		    "${BENCH_BEST_RPS[login-$kind]}" \
		    "${BENCH_BEST_RPS[login-$kind-pgbench]}" "pgbench, same SQL"
	done
	# A correct login clears the failures the wrong ones counted.
	bench_login_check correct
}

# bench_login_check correct|wrong: one login still answers as it should
# (200, or 401 and never the lock's 429).
bench_login_check() {
	local password=$OWNER_PASSWORD want=200 got
	[ "$1" = correct ] || { password="not-$OWNER_PASSWORD"; want=401; }
	got=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
	    -H 'content-type: application/json' \
	    -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"$password\"}" \
	    "$BENCH_URL/api/v1/auth/login")
	[ "$got" = "$want" ] ||
	    bench_die "a $1 login answered $got, not $want"
}

# bench_seed: BENCH_ROWS reactions written straight into the table, each
# with 1 to 6 of BENCH_TAG_VOCABULARY tags, one second apart.
bench_seed() {
	bench_note "seeding $BENCH_ROWS reactions"
	psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO reactions (id, title, tags, media_type, size_bytes, width,
    height, sha256, object_key, created_at, updated_at)
SELECT gen_random_uuid(), 'bench reaction ' || g,
    ARRAY(SELECT DISTINCT 'tag' || floor(random() * $BENCH_TAG_VOCABULARY)::int
        FROM generate_series(1, 1 + (g % 6)) ORDER BY 1),
    'image/gif', 1000, 10, 10, encode(sha256(g::text::bytea), 'hex'),
    'reactions/bench-' || g,
    now() - (g || ' seconds')::interval, now()
FROM generate_series(1, $BENCH_ROWS) g;
VACUUM ANALYZE reactions;
SQL
}

# 3. The filtered list at BENCH_ROWS reactions against pgbench running the
# statement the handler sends, with the parameters it binds: $1 the
# included tags, sorted and joined by '\n' (listing_tags_join); $2..$7
# (excluded tags, q, media_type, sha256, cursor time and id) NULL on a
# first page without those filters; $8 the limit plus one.
bench_list() {
	local path sql script items next matching inc seen round
	bench_seed
	path="/api/v1/reactions?tags=$BENCH_LIST_TAGS&limit=$BENCH_LIST_LIMIT"
	inc=$(tr ',' '\n' <<<"$BENCH_LIST_TAGS" | LC_ALL=C sort)
	matching=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM reactions
	    WHERE tags @> string_to_array('${inc//$'\n'/,}', ',')")

	read -r items next < <(curl -fsS -H "Authorization: Bearer $BENCH_TOKEN" \
	    "$BENCH_URL$path" | jq -r '"\(.items | length) \(.next_cursor != null)"')
	if [ "$items" != "$BENCH_LIST_LIMIT" ] || [ "$next" != true ]; then
		bench_die "the list gave $items items (next page: $next), not a full page"
	fi

	sql=$(bench_c_string src/reactions.c list_newest_sql)
	script="$BENCH_TMP/list.sql"
	bench_pgbench_sql "$sql" :inc NULL NULL NULL NULL NULL NULL :limit \
	    NULL NULL NULL NULL NULL NULL NULL NULL \
	    >"$script"

	for round in $(seq 1 "$BENCH_ROUNDS"); do
		bench_note "list, round $round: reactbin, pgbench"
		bench_wrk list "$BENCH_URL$path" \
		    -H "Authorization: Bearer $BENCH_TOKEN"
		[ "$WRK_ERRORS" -eq 0 ] || bench_note "list: $WRK_ERRORS errors"
		bench_best list "$WRK_RPS" "$WRK_P99"
		bench_pgbench list "$script" -D inc="$inc" \
		    -D limit=$((BENCH_LIST_LIMIT + 1))
		bench_best list-pgbench "$PGB_TPS" "$PGB_P99"
	done

	# The module's pooled connections show the last statement they ran.
	seen=$(psql "$DATABASE_URL" -At -v sql="$sql" <<<"SELECT count(*)
	    FROM pg_stat_activity WHERE query = :'sql'")
	[ "$seen" -gt 0 ] ||
	    bench_note "list: the statement pgbench runs was not seen from reactbin"

	# At 50 connections on 2 cores both sides mostly queue; a few
	# connections show what one request costs.
	bench_note "list at $BENCH_LIST_FEW connections: reactbin, pgbench"
	BENCH_CONNECTIONS=$BENCH_LIST_FEW bench_wrk list-few "$BENCH_URL$path" \
	    -H "Authorization: Bearer $BENCH_TOKEN"
	BENCH_CONNECTIONS=$BENCH_LIST_FEW bench_pgbench list-few "$script" \
	    -D inc="$inc" -D limit=$((BENCH_LIST_LIMIT + 1))

	bench_row "list 2 tags, $BENCH_LIST_LIMIT of $matching, at $BENCH_ROWS, req/s" \
	    "${BENCH_BEST_RPS[list]}" "${BENCH_BEST_RPS[list-pgbench]}" \
	    "pgbench, same SQL" 0.5
	bench_row "list 2 tags, p99 ms" "${BENCH_BEST_P99[list]}" \
	    "${BENCH_BEST_P99[list-pgbench]}" "pgbench, same SQL" "<=25"
	bench_row "list at $BENCH_LIST_FEW connections, req/s" "$WRK_RPS" "$PGB_TPS" \
	    "pgbench, same SQL"
	bench_row "list at $BENCH_LIST_FEW connections, p99 ms" "$WRK_P99" "$PGB_P99" \
	    "pgbench, same SQL"
}

# bench_curl_time OUT CURL-ARGS...: run curl, print "seconds http_code".
bench_curl_time() {
	curl -sS -o "$1" -w '%{time_total} %{http_code}\n' "${@:2}"
}

# bench_small_upload FILE: upload through reactbin; prints the id.
bench_small_upload() {
	local resp="$BENCH_TMP/resp.json" t code
	read -r t code < <(bench_curl_time "$resp" \
	    -H "Authorization: Bearer $BENCH_TOKEN" \
	    -H "content-type: application/octet-stream" \
	    --data-binary @"$1" "$BENCH_URL/api/v1/reactions")
	[ "$code" = 201 ] || bench_die "upload answered $code: $(cat "$resp")"
	jq -r .id "$resp"
}

# bench_s3_signed URL: wrk's -H options for a signed GET of URL, as curl
# signs it (valid for 15 minutes, longer than any run here).
bench_s3_signed() {
	curl -sv -o /dev/null --aws-sigv4 "aws:amz:$S3_REGION:s3" \
	    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" \
	    -H "x-amz-content-sha256: $BENCH_EMPTY_SHA256" "$1" 2>&1 |
	    tr -d '\r' | awk 'tolower($0) ~ /^> (authorization|x-amz-date|x-amz-content-sha256): / {
		sub(/^> /, ""); printf "-H\n%s\n", $0 }'
}

# 3b. Small files: the public link of an 80 B, 10 KB and 100 KB file at 1
# and 6 connections, against a signed GET of the same object from S3
# (wrk sends the one signed request again and again); req/s and p50.
#
# The S3 side asks for a fresh connection each time ("Connection: close"):
# RGW writes a response's head and body apart without TCP_NODELAY, and a
# client on a kept-open connection delays its ACK of the head, so every
# small answer would wait 40 ms (reactbin acknowledges at once, see
# src/quickack.c). A fresh connection is what shows RGW at its best.
BENCH_S3_FRESH="Connection: close"
bench_small() {
	local bytes conns id f url s3url round key
	local -a signed
	for bytes in $BENCH_SMALL_SIZES; do
		f="$BENCH_TMP/small-$bytes"
		bench_make_small "$f" "$bytes"
		id=$(bench_small_upload "$f")
		url="$BENCH_URL/api/v1/reactions/$id/file"
		s3url="$S3_ENDPOINT_URL/$S3_BUCKET_NAME/reactions/$id"
		mapfile -t signed < <(bench_s3_signed "$s3url")
		[ "${#signed[@]}" -eq 6 ] || bench_die "could not sign $s3url"
		for conns in $BENCH_SMALL_CONNECTIONS; do
			key="small-$bytes-$conns"
			for round in $(seq 1 "$BENCH_ROUNDS"); do
				bench_note "small file $bytes B, $conns connections, round $round"
				WRK_CONNECTIONS=$conns WRK_THREADS=1 \
				    bench_wrk "$key" "$url"
				[ "$WRK_ERRORS" -eq 0 ] ||
				    bench_note "$key: $WRK_ERRORS errors"
				bench_best "$key" "$WRK_RPS" "$WRK_P50"
				WRK_CONNECTIONS=$conns WRK_THREADS=1 \
				    bench_wrk "$key-s3" "$s3url" "${signed[@]}" \
				    -H "$BENCH_S3_FRESH"
				[ "$WRK_ERRORS" -eq 0 ] ||
				    bench_note "$key-s3: $WRK_ERRORS errors"
				bench_best "$key-s3" "$WRK_RPS" "$WRK_P50"
			done
			bench_row "public link $bytes B, $conns conn, req/s" \
			    "${BENCH_BEST_RPS[$key]}" \
			    "${BENCH_BEST_RPS[$key-s3]}" "signed GET from S3" 0.8
			bench_row "public link $bytes B, $conns conn, p50 ms" \
			    "${BENCH_BEST_P99[$key]}" \
			    "${BENCH_BEST_P99[$key-s3]}" "signed GET from S3"
		done
	done
}

# 3c. A page: BENCH_PAGE_FILES files of BENCH_PAGE_BYTES fetched as a
# browser does, over BENCH_PAGE_CONNECTIONS keep-alive connections (one
# curl, --parallel), BENCH_PAGE_LOADS times, through reactbin and from S3
# (curl signs each request, on a fresh connection each, as in 3b); pages
# per second.
bench_page() {
	local i id f ours=() theirs=() t0 t1 t_ours t_s3 load
	bench_note "page: $BENCH_PAGE_FILES x $BENCH_PAGE_BYTES B, $BENCH_PAGE_LOADS loads"
	for i in $(seq 1 "$BENCH_PAGE_FILES"); do
		f="$BENCH_TMP/page-$i"
		bench_make_small "$f" "$BENCH_PAGE_BYTES"
		id=$(bench_small_upload "$f")
		ours+=(-o /dev/null "$BENCH_URL/api/v1/reactions/$id/file")
		theirs+=(-o /dev/null "$S3_ENDPOINT_URL/$S3_BUCKET_NAME/reactions/$id")
		rm -f "$f"
	done

	t_ours=0
	t_s3=0
	for load in $(seq 1 "$BENCH_PAGE_LOADS"); do
		t0=$(date +%s%N)
		curl -fsS --parallel --parallel-max "$BENCH_PAGE_CONNECTIONS" \
		    "${ours[@]}" || bench_die "page load $load failed"
		t1=$(date +%s%N)
		t_ours=$((t_ours + t1 - t0))
		t0=$(date +%s%N)
		curl -fsS --parallel --parallel-max "$BENCH_PAGE_CONNECTIONS" \
		    --aws-sigv4 "aws:amz:$S3_REGION:s3" \
		    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" \
		    -H "x-amz-content-sha256: $BENCH_EMPTY_SHA256" \
		    -H "$BENCH_S3_FRESH" "${theirs[@]}" ||
		    bench_die "S3 page load $load failed"
		t1=$(date +%s%N)
		t_s3=$((t_s3 + t1 - t0))
	done

	bench_row "page of $BENCH_PAGE_FILES x $BENCH_PAGE_BYTES B, $BENCH_PAGE_CONNECTIONS conn, pages/s" \
	    "$(bench_calc "$BENCH_PAGE_LOADS * 1000000000 / $t_ours")" \
	    "$(bench_calc "$BENCH_PAGE_LOADS * 1000000000 / $t_s3")" \
	    "the same from S3" 0.8
}

# 4. Upload and download of MIB MiB, ROUNDS times, through reactbin and
# straight to the S3 server with a signed PUT and GET of the same bytes.
# MB/s is the bytes over the summed times of the requests.
bench_transfer() {
	local mib=$1 rounds=$2 round f sha bytes=0 t code id
	local up=0 up_s3=0 up_kore=0 down=0 down_s3=0 key
	local resp="$BENCH_TMP/resp.json"
	bench_note "transfer: $rounds x $mib MiB"
	for round in $(seq 1 "$rounds"); do
		f="$BENCH_TMP/up-$mib-$round.png"
		bench_make_file "$f" "$mib"
		sha=$(sha256sum "$f" | cut -d' ' -f1)
		key="bench-direct/$mib-$round"
		bytes=$((bytes + mib * BENCH_MIB))

		read -r t code < <(bench_curl_time "$resp" \
		    -H "Authorization: Bearer $BENCH_TOKEN" \
		    -H 'content-type: image/png' --data-binary @"$f" \
		    "$BENCH_URL/api/v1/reactions")
		[ "$code" = 201 ] || bench_die "upload answered $code: $(cat "$resp")"
		id=$(jq -r .id "$resp")
		up=$(bench_calc "$up + $t")

		read -r t code < <(bench_curl_time /dev/null \
		    -H 'content-type: image/png' --data-binary @"$f" \
		    "$BENCH_BASELINE_URL/api/v1/reactions")
		[ "$code" = 201 ] || bench_die "baseline upload answered $code"
		up_kore=$(bench_calc "$up_kore + $t")

		read -r t code < <(bench_curl_time /dev/null \
		    --aws-sigv4 "aws:amz:$S3_REGION:s3" \
		    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" \
		    -H "x-amz-content-sha256: $sha" -T "$f" \
		    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME/$key")
		[ "$code" = 200 ] || bench_die "direct PUT answered $code"
		up_s3=$(bench_calc "$up_s3 + $t")

		read -r t code < <(bench_curl_time "$f.down" \
		    "$BENCH_URL/api/v1/reactions/$id/file")
		[ "$code" = 200 ] || bench_die "download answered $code"
		cmp -s "$f" "$f.down" || bench_die "download differs"
		down=$(bench_calc "$down + $t")

		read -r t code < <(bench_curl_time "$f.down" \
		    --aws-sigv4 "aws:amz:$S3_REGION:s3" \
		    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" \
		    -H "x-amz-content-sha256: $BENCH_EMPTY_SHA256" \
		    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME/$key")
		[ "$code" = 200 ] || bench_die "direct GET answered $code"
		cmp -s "$f" "$f.down" || bench_die "direct GET differs"
		down_s3=$(bench_calc "$down_s3 + $t")
		rm -f "$f" "$f.down"
	done

	bench_row "upload $mib MiB ($rounds x), MB/s" \
	    "$(bench_calc "$bytes / 1000000 / $up")" \
	    "$(bench_calc "$bytes / 1000000 / $up_s3")" "signed PUT to S3" 0.8
	bench_row "upload $mib MiB ($rounds x), MB/s" \
	    "$(bench_calc "$bytes / 1000000 / $up")" \
	    "$(bench_calc "$bytes / 1000000 / $up_kore")" "Kore on_body_chunk" 0.9
	bench_row "download $mib MiB ($rounds x), MB/s" \
	    "$(bench_calc "$bytes / 1000000 / $down")" \
	    "$(bench_calc "$bytes / 1000000 / $down_s3")" "signed GET from S3" 0.8
}

# bench_rss_kib PID FIELD: VmRSS or VmHWM of a process, in KiB.
bench_rss_kib() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# 5. Memory: the peak RSS of each worker while BENCH_BIG_DOWNLOADS
# downloads and BENCH_BIG_UPLOADS uploads of BENCH_BIG_MIB MiB run at
# once. The kernel's high-water mark (VmHWM) is reset first through
# clear_refs, so the peak is this phase's, not start-up's.
bench_memory() {
	local big id workers w i pids=() idle=() peak pid out
	local total=$((BENCH_BIG_DOWNLOADS + BENCH_BIG_UPLOADS))
	bench_note "memory: $BENCH_BIG_DOWNLOADS downloads and $BENCH_BIG_UPLOADS uploads of $BENCH_BIG_MIB MiB"
	big="$BENCH_TMP/big.png"
	bench_make_file "$big" "$BENCH_BIG_MIB"
	id=$(curl -fsS -H "Authorization: Bearer $BENCH_TOKEN" \
	    -H 'content-type: image/png' --data-binary @"$big" \
	    "$BENCH_URL/api/v1/reactions" | jq -r .id)
	for i in $(seq 1 "$BENCH_BIG_UPLOADS"); do
		bench_make_file "$BENCH_TMP/big-$i.png" "$BENCH_BIG_MIB"
	done

	workers=$(bench_workers "$REACTBIN_PID")
	for w in $workers; do
		idle+=("$(bench_rss_kib "$w" VmRSS)")
		echo 5 >"/proc/$w/clear_refs" ||
		    bench_die "cannot reset the peak RSS of $w"
	done

	out="$BENCH_TMP/memory"
	mkdir -p "$out"
	for i in $(seq 1 "$BENCH_BIG_DOWNLOADS"); do
		curl -sS -o /dev/null -w '%{http_code} %{size_download}\n' \
		    --limit-rate "$BENCH_BIG_RATE" \
		    "$BENCH_URL/api/v1/reactions/$id/file" >"$out/down-$i" &
		pids+=($!)
	done
	for i in $(seq 1 "$BENCH_BIG_UPLOADS"); do
		curl -sS -o /dev/null -w '%{http_code}\n' \
		    --limit-rate "$BENCH_BIG_RATE" \
		    -H "Authorization: Bearer $BENCH_TOKEN" \
		    -H 'content-type: image/png' \
		    --data-binary @"$BENCH_TMP/big-$i.png" \
		    "$BENCH_URL/api/v1/reactions" >"$out/up-$i" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || true
	done

	[ "$(cat "$out"/down-* | grep -c "^200 $((BENCH_BIG_MIB * BENCH_MIB))\$")" \
	    -eq "$BENCH_BIG_DOWNLOADS" ] ||
	    bench_die "not every download completed: $(cat "$out"/down-*)"
	[ "$(cat "$out"/up-* | grep -c '^201$')" -eq "$BENCH_BIG_UPLOADS" ] ||
	    bench_die "not every upload was stored: $(cat "$out"/up-*)"

	i=0
	for w in $workers; do
		peak=$(bench_rss_kib "$w" VmHWM)
		bench_row "worker $((i + 1)) peak RSS, $total x $BENCH_BIG_MIB MiB at once, MiB" \
		    "$(bench_calc "$peak / 1024")" \
		    "$(bench_calc "${idle[$i]} / 1024")" "same worker, idle"
		i=$((i + 1))
	done
	rm -f "$big" "$BENCH_TMP"/big-*.png
}

# 3-5: what reactions.sh measures alone.
bench_reactions() {
	bench_list
	bench_small
	bench_page
	bench_baseline_start "$BENCH_TMP/bench/kore.conf"
	bench_transfer 1 10
	bench_transfer 10 5
	bench_baseline_stop
	bench_memory
	bench_upload_memory
}

# 6. Uploads alone: the peak RSS of each worker while BENCH_UP_FILES
# uploads of BENCH_UP_BYTES run at once, as fast as the clients send
# (S3 is then the slower side, and the workers hold reading back). On an
# instance of its own with generation off: the derivative queue would
# fetch and decode each upload in the same window, and its memory is
# derive.sh's case.
bench_upload_memory() {
	local workers w i pids=() idle=() peak out url saved_pid=$REACTBIN_PID
	bench_note "memory: $BENCH_UP_FILES uploads of $BENCH_UP_BYTES bytes at once"
	REACTBIN_WORKERS=$BENCH_WORKERS service_start bench-upmem \
	    DERIVATIVES_ENABLED=false ||
	    bench_die "the instance for the upload memory case did not start"
	bench_extra_pids+=("$REACTBIN_PID")
	url=$REACTBIN_URL
	out="$BENCH_TMP/upmem"
	mkdir -p "$out"
	for i in $(seq 1 "$BENCH_UP_FILES"); do
		bench_make_file "$out/up-$i.png" 1
		head -c $((BENCH_UP_BYTES - BENCH_MIB)) /dev/urandom \
		    >>"$out/up-$i.png"
	done

	# Its workers, once all are up (the files took a few seconds); then
	# the main instance is again the one later cases and the cleanup
	# know (this one is stopped with the extra pids).
	workers=$(bench_workers "$REACTBIN_PID")
	REACTBIN_PID=$saved_pid
	for w in $workers; do
		idle+=("$(bench_rss_kib "$w" VmRSS)")
		echo 5 >"/proc/$w/clear_refs" ||
		    bench_die "cannot reset the peak RSS of $w"
	done
	for i in $(seq 1 "$BENCH_UP_FILES"); do
		curl -sS -o /dev/null -w '%{http_code}\n' \
		    -H "Authorization: Bearer $BENCH_TOKEN" \
		    -H 'content-type: image/png' \
		    --data-binary @"$out/up-$i.png" \
		    "$url/api/v1/reactions" >"$out/status-$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || true
	done
	[ "$(cat "$out"/status-* | grep -c '^201$')" -eq "$BENCH_UP_FILES" ] ||
	    bench_die "not every upload was stored: $(cat "$out"/status-*)"

	i=0
	for w in $workers; do
		peak=$(bench_rss_kib "$w" VmHWM)
		bench_row "worker $((i + 1)) peak RSS, $BENCH_UP_FILES x 45 MB uploads, MiB" \
		    "$(bench_calc "$peak / 1024")" \
		    "$(bench_calc "${idle[$i]} / 1024")" "same worker, idle" \
		    "+$BENCH_UP_RSS_MIB"
		i=$((i + 1))
	done
	rm -rf "$out"
}

# 6. Search (issue 12): every form of the tag query language at 100,000
# reactions and 5,000 distinct tags, against pgbench running the same
# statements with the same parameters (for a pattern, the lookup in
# tag_counts and then the list, as the handler sends them), at a few
# connections (2 cores: at 50 both sides only queue); then autocomplete;
# then an export against listing the bucket and GETting each object
# straight from S3.
BENCH_SEARCH_WORDS="anime cat dog yuru happy sad angry smug cry laugh wow nope yes think facepalm shrug wave dance sleep eat run jump hug kiss blush confused scared bored excited tired cool derp evil love hate rage troll win fail omg lol meh ugh yay boo hmm oops wink grin pout"
BENCH_SEARCH_PER_WORD=100
BENCH_SEARCH_CONNECTIONS=${BENCH_SEARCH_CONNECTIONS:-4}
BENCH_TAGS_Q=ca
BENCH_TAGS_LIMIT=10
BENCH_EXPORT_FILES=${BENCH_EXPORT_FILES:-60}
BENCH_EXPORT_MIB=1

# The forms, ';'-separated: a name, the tags parameter, then what the
# handler binds for it: include and exclude tags (' '-separated, - for
# none), the LIKE texts of the patterns in the order they come (',',
# -), then for each "any" group "TAGS:PATTERNS" (the group's tags, and
# the numbers of its own patterns, from 1), and last "x:PATTERNS" for
# the excluding ones, whose matches go into exclude.
BENCH_SEARCH_FORMS=(
	"one tag;cat-3;cat-3;-;-"
	"two tags;cat-1,dog-2;cat-1 dog-2;-;-"
	"tag,-tag;cat-3,-dog-0;cat-3;dog-0;-"
	"a|b;cat-3|dog-3;-;-;-;cat-3 dog-3:"
	"prefix*;cat*;-;-;cat%;-:1"
	"*infix*;*at-1*;-;-;%at-1%;-:1"
	"a|b*,-c*;cat-3|dog-1*,-sad*;-;-;dog-1%,sad%;cat-3:1;x:2"
)

# bench_seed_search: the search library, in place of the list's: tags of
# 50 words and 100 numbers, 1 to 6 a reaction, the low numbers far more
# often (a power law), as a real library's are.
bench_seed_search() {
	local words
	words=$(tr ' ' ',' <<<"$BENCH_SEARCH_WORDS")
	bench_note "seeding $BENCH_ROWS reactions with $BENCH_SEARCH_PER_WORD tags a word"
	psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL
DELETE FROM reactions WHERE object_key LIKE 'reactions/bench-%';
INSERT INTO reactions (id, title, tags, media_type, size_bytes, width,
    height, sha256, object_key, created_at, updated_at)
SELECT gen_random_uuid(), 'bench reaction ' || g,
    ARRAY(SELECT DISTINCT w[1 + (i % cardinality(w))] || '-' ||
        (i / cardinality(w))
        FROM (SELECT floor(cardinality(w) * $BENCH_SEARCH_PER_WORD *
            power(random(), 2.5))::int AS i
            FROM generate_series(1, 1 + (g % 6))) z ORDER BY 1),
    'image/gif', 1000, 10, 10, encode(sha256(('s' || g)::bytea), 'hex'),
    'reactions/bench-' || g, now() - (g || ' seconds')::interval, now()
FROM generate_series(1, $BENCH_ROWS) g,
    (SELECT string_to_array('$words', ',') AS w) words;
VACUUM ANALYZE reactions;
VACUUM ANALYZE tag_counts;
SQL
}

# bench_like_names LIKE: the tags in use that match, '\n'-joined.
bench_like_names() {
	psql "$DATABASE_URL" -Atc \
	    "SELECT string_agg(name, E'\n') FROM tag_counts WHERE name LIKE '$1'"
}

# bench_search_params FORM: pgbench -D options with the handler's
# parameters for FORM (p1..p16 of the list, x1..x9 of the lookup), into
# BENCH_SEARCH_ARGS, and the pgbench words for them into
# BENCH_SEARCH_PWORDS / BENCH_SEARCH_XWORDS.
bench_search_params() {
	local inc exc pats part tags own k i n val
	local -a fields p x lk
	IFS=';' read -r -a fields <<<"$1"
	inc=${fields[2]} exc=${fields[3]} pats=${fields[4]}
	p=(NULL NULL NULL NULL NULL NULL NULL 31 NULL NULL NULL NULL NULL NULL NULL NULL)
	x=(NULL NULL NULL NULL NULL NULL NULL NULL 10001)
	[ "$inc" = - ] || p[0]=$(tr ' ' '\n' <<<"$inc")
	[ "$exc" = - ] || p[1]=$(tr ' ' '\n' <<<"$exc")
	lk=()
	[ "$pats" = - ] || IFS=, read -r -a lk <<<"$pats"
	for i in "${!lk[@]}"; do
		x[i]=${lk[i]}
	done
	n=8
	for part in "${fields[@]:5}"; do
		IFS=: read -r tags own <<<"$part"
		if [ "$tags" = x ]; then
			for k in ${own//,/ }; do
				val=$(bench_like_names "${lk[k - 1]}")
				if [ "${p[1]}" = NULL ]; then p[1]=$val; else p[1]=${p[1]}$'\n'$val; fi
			done
			continue
		fi
		val=
		[ "$tags" = - ] || val=$(tr ' ' '\n' <<<"$tags")
		for k in ${own//,/ }; do
			val=$val${val:+$'\n'}$(bench_like_names "${lk[k - 1]}")
		done
		p[n]=$val
		n=$((n + 1))
	done
	BENCH_SEARCH_ARGS=()
	BENCH_SEARCH_PWORDS=()
	BENCH_SEARCH_XWORDS=()
	for i in "${!p[@]}"; do
		if [ "${p[i]}" = NULL ]; then
			BENCH_SEARCH_PWORDS+=(NULL)
		else
			BENCH_SEARCH_ARGS+=(-D "p$((i + 1))=${p[i]}")
			BENCH_SEARCH_PWORDS+=(":p$((i + 1))")
		fi
	done
	for i in "${!x[@]}"; do
		if [ "${x[i]}" = NULL ]; then
			BENCH_SEARCH_XWORDS+=(NULL)
		else
			BENCH_SEARCH_ARGS+=(-D "x$((i + 1))=${x[i]}")
			BENCH_SEARCH_XWORDS+=(":x$((i + 1))")
		fi
	done
	BENCH_SEARCH_PATTERNS=${#lk[@]}
}

# bench_explain SCRIPT NAME -D VAR=VALUE...: EXPLAIN (ANALYZE, BUFFERS)
# of each of the pgbench script's statements with those values, the
# fastest of BENCH_EXPLAIN_RUNS (the machine is shared: the least is
# what the statement costs), into $BENCH_TMP/explain.txt.
BENCH_EXPLAIN_RUNS=${BENCH_EXPLAIN_RUNS:-10}
bench_explain() {
	BENCH_EXPLAIN_RUNS=$BENCH_EXPLAIN_RUNS python3 - "$1" "$2" \
	    "$DATABASE_URL" "${@:3}" \
	    >>"$BENCH_TMP/explain.txt" <<'PY'
import os, re, subprocess, sys
script, name, url, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
runs = int(os.environ["BENCH_EXPLAIN_RUNS"])
vals = dict(a.split("=", 1) for a in args[1::2])
lit = lambda v: "'" + v.replace("'", "''") + "'"
print("== %s" % name)
for stmt in open(script).read().split(";\n"):
    stmt = stmt.strip()
    if not stmt:
        continue
    sql = re.sub(r"(?<!:):([a-z]\w*)", lambda m: lit(vals[m.group(1)]), stmt)
    sql = sql.replace("\\x3a", ":")
    best = None
    for _ in range(runs):
        out = subprocess.run(["psql", url, "-X", "-At", "-c",
                              "EXPLAIN (ANALYZE, BUFFERS) " + sql],
                             capture_output=True, text=True).stdout
        t = sum(float(v) for v in re.findall(
            r"(?:Planning|Execution) Time: ([0-9.]+)", out))
        if best is None or t < best[0]:
            best = (t, out)
    # The arrays of tag names are long: cut in the notes.
    print(re.sub(r"'\{([^}]{60})[^}]*\}'", r"'{\1...}'", best[1]).rstrip())
    print("-- database time (planning + execution): %.3f ms" % best[0])
PY
}

bench_search() {
	local form name query script path round i
	local -a fields
	bench_seed_search
	BENCH_LIST_SQL=$(bench_c_string src/reactions.c list_newest_sql)
	BENCH_EXPAND_SQL=$(bench_c_string src/reactions.c expand_sql)
	: >"$BENCH_TMP/explain.txt"
	i=0
	for form in "${BENCH_SEARCH_FORMS[@]}"; do
		i=$((i + 1))
		IFS=';' read -r -a fields <<<"$form"
		name=${fields[0]} query=${fields[1]}
		bench_search_params "$form"
		script="$BENCH_TMP/search-$i.sql"
		: >"$script"
		if [ "$BENCH_SEARCH_PATTERNS" -gt 0 ]; then
			bench_pgbench_sql "$BENCH_EXPAND_SQL" \
			    "${BENCH_SEARCH_XWORDS[@]}" >>"$script"
		fi
		bench_pgbench_sql "$BENCH_LIST_SQL" "${BENCH_SEARCH_PWORDS[@]}" \
		    >>"$script"
		bench_explain "$script" "$name: tags=$query" \
		    "${BENCH_SEARCH_ARGS[@]}"
		path="/api/v1/reactions?tags=$(jq -rn --arg v "$query" '$v|@uri')&limit=30"
		curl -fsS -o /dev/null -H "Authorization: Bearer $BENCH_TOKEN" \
		    "$BENCH_URL$path" || bench_die "search '$name' failed"
		for round in $(seq 1 "$BENCH_ROUNDS"); do
			bench_note "search '$name', round $round: reactbin, pgbench"
			BENCH_CONNECTIONS=$BENCH_SEARCH_CONNECTIONS \
			    bench_wrk "search-$i" "$BENCH_URL$path" \
			    -H "Authorization: Bearer $BENCH_TOKEN"
			[ "$WRK_ERRORS" -eq 0 ] || bench_note "search: $WRK_ERRORS errors"
			bench_best "search-$i" "$WRK_RPS" "$WRK_P99"
			BENCH_CONNECTIONS=$BENCH_SEARCH_CONNECTIONS \
			    bench_pgbench "search-$i" "$script" "${BENCH_SEARCH_ARGS[@]}"
			bench_best "search-$i-pgbench" "$PGB_TPS" "$PGB_P99"
		done
		bench_row "search '$name', $BENCH_SEARCH_CONNECTIONS conns, req/s" \
		    "${BENCH_BEST_RPS[search-$i]}" \
		    "${BENCH_BEST_RPS[search-$i-pgbench]}" "pgbench, same SQL" 0.7
		bench_row "search '$name', p99 ms" "${BENCH_BEST_P99[search-$i]}" \
		    "${BENCH_BEST_P99[search-$i-pgbench]}" "pgbench, same SQL"
	done
}

# Autocomplete: GET /tags?q= of two letters (prefix and substring
# matches) at a few connections; p99 against the 2 ms target.
bench_autocomplete() {
	local sql script path round
	sql=$(bench_c_string src/taglist.c tag_list_sql)
	script="$BENCH_TMP/tags.sql"
	bench_pgbench_sql "$sql" :s :c :l >"$script"
	bench_explain "$script" "autocomplete: GET /api/v1/tags?q=$BENCH_TAGS_Q" \
	    -D "s=$BENCH_TAGS_Q%" -D "c=%$BENCH_TAGS_Q%" -D "l=$BENCH_TAGS_LIMIT"
	path="/api/v1/tags?q=$BENCH_TAGS_Q&limit=$BENCH_TAGS_LIMIT"
	for round in $(seq 1 "$BENCH_ROUNDS"); do
		bench_note "autocomplete, round $round: reactbin, pgbench"
		BENCH_CONNECTIONS=$BENCH_SEARCH_CONNECTIONS \
		    bench_wrk tags "$BENCH_URL$path" \
		    -H "Authorization: Bearer $BENCH_TOKEN"
		bench_best tags "$WRK_RPS" "$WRK_P99"
		BENCH_CONNECTIONS=$BENCH_SEARCH_CONNECTIONS \
		    bench_pgbench tags "$script" -D "s=$BENCH_TAGS_Q%" \
		    -D "c=%$BENCH_TAGS_Q%" -D "l=$BENCH_TAGS_LIMIT"
		bench_best tags-pgbench "$PGB_TPS" "$PGB_P99"
	done
	bench_row "autocomplete q=$BENCH_TAGS_Q, $BENCH_SEARCH_CONNECTIONS conns, req/s" \
	    "${BENCH_BEST_RPS[tags]}" "${BENCH_BEST_RPS[tags-pgbench]}" \
	    "pgbench, same SQL"
	bench_row "autocomplete p99 ms" "${BENCH_BEST_P99[tags]}" \
	    "${BENCH_BEST_P99[tags-pgbench]}" "pgbench, same SQL" "<=2"
}

# The export: BENCH_EXPORT_FILES files of BENCH_EXPORT_MIB MiB, the only
# reactions there are (run it before any seed), through GET /export,
# against a listing of the bucket and a GET of each object on one
# connection, as curl does given every URL.
bench_export() {
	local i f bytes t code round best=0 best_s3=0 keys cfg
	bench_note "export: uploading $BENCH_EXPORT_FILES x $BENCH_EXPORT_MIB MiB"
	psql "$DATABASE_URL" -qc "DELETE FROM reactions WHERE object_key LIKE 'reactions/bench-%'"
	for i in $(seq 1 "$BENCH_EXPORT_FILES"); do
		f="$BENCH_TMP/export-$i.png"
		bench_make_file "$f" "$BENCH_EXPORT_MIB"
		bench_small_upload "$f" >/dev/null
		rm -f "$f"
	done
	cfg="$BENCH_TMP/s3-gets.cfg"
	for round in $(seq 1 "$BENCH_ROUNDS"); do
		bench_note "export, round $round: reactbin, the bucket"
		read -r t code bytes < <(curl -sS -o /dev/null \
		    -w '%{time_total} %{http_code} %{size_download}\n' \
		    -H "Authorization: Bearer $BENCH_TOKEN" "$BENCH_URL/api/v1/export")
		[ "$code" = 200 ] || bench_die "export answered $code"
		t=$(bench_calc "$bytes / 1000000 / $t")
		[ "$(bench_calc "$t > $best")" = 1 ] && best=$t

		# The baseline: the listing, then every object, timed together
		# (curl signs the query as written: its keys go sorted).
		t=$(date +%s.%N)
		keys=$(bench_s3 -H "x-amz-content-sha256: $BENCH_EMPTY_SHA256" \
		    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME?list-type=2&max-keys=1000&prefix=reactions%2F" |
		    grep -o '<Key>[^<]*</Key>' | sed 's/<Key>\(.*\)<\/Key>/\1/')
		: >"$cfg"
		while read -r k; do
			printf 'url = "%s/%s/%s"\noutput = "/dev/null"\n' \
			    "$S3_ENDPOINT_URL" "$S3_BUCKET_NAME" "$k" >>"$cfg"
		done <<<"$keys"
		bytes=$(bench_s3 -H "x-amz-content-sha256: $BENCH_EMPTY_SHA256" \
		    -K "$cfg" -w '%{size_download}\n' | awk '{ n += $1 } END { print n }')
		t=$(bench_calc "$bytes / 1000000 / ($(date +%s.%N) - $t)")
		[ "$(bench_calc "$t > $best_s3")" = 1 ] && best_s3=$t
	done
	bench_row "export $BENCH_EXPORT_FILES x $BENCH_EXPORT_MIB MiB, MB/s" "$best" \
	    "$best_s3" "list + GET from S3" 0.8
}
