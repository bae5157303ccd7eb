#!/usr/bin/env bash
# Tags that scale (issue 12): GET /tags reads tag_counts, which the
# statements that change reactions keep exact; prefix matches come
# first, then substring matches (q), each by count; a rename moves every
# reaction and merges into a tag in use, in one statement. Then eight
# connections edit the same reactions' tags at once, and the counts must
# equal a full count of the reactions afterwards.
#
# Per-run tag prefixes keep other tests' rows out of every answer; the
# full-count comparisons cover every row there is.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"
# shellcheck source=tests/lib/fixtures.sh
. "$here/../lib/fixtures.sh"

need_tools psql python3

trap service_stop EXIT
service_start tags || { echo "Bail out! reactbin did not start"; exit 1; }

PSQL_URL=${DATABASE_URL/+asyncpg/}
sql() { psql "$PSQL_URL" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

run=t73$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
t() { echo "$run-$1"; }

owner_login
FIXTURE_AUTH=("${auth[@]}")
FIXTURE_DIR=$(mktemp -d "$REACTBIN_TEST_TMP/tags.XXXXXX")
json_body=(-H 'content-type: application/json')

names() { json '[.items[] | "\(.name):\(.count)"] | join(" ")'; }
tags() { request GET "/api/v1/tags?$1" "${auth[@]}"; }

# mismatches: tags whose stored count differs from a full count of the
# reactions (or that are missing on either side), over every row.
mismatches() {
	sql <<'SQL'
SELECT count(*) FROM tag_counts c FULL JOIN (
    SELECT t, count(*) AS n FROM reactions, unnest(tags) AS t GROUP BY t
) f ON f.t = c.name
WHERE c.count IS DISTINCT FROM f.n
SQL
}

is "$(mismatches)" 0 "the counts equal a full count before the test"

# --- fixtures ----------------------------------------------------------------
# Tags that start with "$run-yuru", and tags that have it further in.
cat=cat-$run-yuru
aka=aka-$run-yuru
r1=$(fixture_upload "one" "$(t yuru-yuri)" "$cat")
r2=$(fixture_upload "two" "$(t yuru-yuri)" "$cat")
r3=$(fixture_upload "three" "$(t yuru-yuri)" "$(t yuruyuri)")
r4=$(fixture_upload "four" "$aka")
for r in "$r1" "$r2" "$r3" "$r4"; do
	[[ $r =~ ^[0-9a-f-]{36}$ ]] || { echo "Bail out! a fixture upload failed"; exit 1; }
done

# --- GET /tags ---------------------------------------------------------------
tags "prefix=$run-"
is "$HTTP_STATUS" 200 "prefix: 200"
is "$(names)" "$(t yuru-yuri):3 $(t yuruyuri):1" "prefix: by count, only those that start with it"
tags "prefix=$(t yuru)&limit=1"
is "$(names)" "$(t yuru-yuri):3" "prefix: limit"

# q: the tags that start with it, then those that have it elsewhere.
tags "q=$(t yuru)"
is "$(names)" "$(t yuru-yuri):3 $(t yuruyuri):1 $cat:2 $aka:1" \
    "q: prefix matches first, then substring matches, each by count"
tags "q=$(t yuru)&limit=3"
is "$(names)" "$(t yuru-yuri):3 $(t yuruyuri):1 $cat:2" "q: limit counts both kinds"
tags "q=-$run-YURU"
is "$(names)" "$cat:2 $aka:1" "q: may start with '-', and is normalised"
tags "q=$run-%"
is "$(names)" "" "q: '%' is itself, not LIKE's"
tags "q=$run-yuru_yuri"
is "$(names)" "" "q: '_' is itself, not LIKE's"

tags "q=a&prefix=b"
is "$HTTP_STATUS $(json .error.field)" "400 q" "q and prefix together: 400"
tags "q=a+b"
is "$HTTP_STATUS $(json .error.field)" "422 q" "q with a space: 422"
tags "q=a*"
is "$HTTP_STATUS $(json .error.field)" "422 q" "q with a '*': 422"
request GET "/api/v1/tags?q=a"
is "$HTTP_STATUS" 401 "tags without a token: 401"

# --- the counts follow every change ------------------------------------------
request PATCH "/api/v1/reactions/$r4" "${auth[@]}" "${json_body[@]}" \
    -d "{\"add_tags\":[\"$cat\"],\"remove_tags\":[\"$aka\"]}"
is "$HTTP_STATUS" 200 "an edit: 200"
tags "q=$(t yuru)"
is "$(names)" "$(t yuru-yuri):3 $(t yuruyuri):1 $cat:3" \
    "an edit: counts move, a tag no reaction has is gone"
request DELETE "/api/v1/reactions/$r3" "${auth[@]}"
is "$HTTP_STATUS" 204 "a delete: 204"
tags "q=$(t yuru)"
is "$(names)" "$(t yuru-yuri):2 $cat:3" "a delete: counts fall"
is "$(mismatches)" 0 "the counts equal a full count after upload, edit and delete"

# --- rename and merge --------------------------------------------------------
rename() {
	request POST "/api/v1/tags/$(jq -rn --arg v "$1" '$v|@uri')/rename" \
	    "${auth[@]}" "${json_body[@]}" -d "$2"
}
before=$(sql -c "SELECT updated_at FROM reactions WHERE id = '$r1'")
rename "$(t yuru-yuri)" "{\"to\":\"$(t YuruYuri2)\"}"
is "$HTTP_STATUS" 200 "rename: 200"
is "$(json '"\(.from) \(.to) \(.reactions) \(.merged)"')" \
    "$(t yuru-yuri) $(t yuruyuri2) 2 false" \
    "rename: what moved, normalised, not a merge"
tags "q=$(t yuru)"
is "$(names)" "$(t yuruyuri2):2 $cat:3" "rename: the counts move with it"
request GET "/api/v1/reactions/$r1" "${auth[@]}"
is "$(json '.tags | join(",")')" "$cat,$(t yuruyuri2)" "rename: the reaction's tags, sorted"
after=$(sql -c "SELECT updated_at FROM reactions WHERE id = '$r1'")
ok "$(sql -c "SELECT CASE WHEN '$after'::timestamptz > '$before'::timestamptz THEN 0 ELSE 1 END")" \
    "rename: updated_at moves"

# Merge: r1 and r2 have both tags; r4 has only the first.
rename "$cat" "{\"to\":\"$(t yuruyuri2)\"}"
is "$HTTP_STATUS $(json .reactions) $(json .merged)" "200 3 true" "merge: 200, three moved, merged"
tags "q=$(t yuru)"
is "$(names)" "$(t yuruyuri2):3" "merge: one tag, each reaction once"
request GET "/api/v1/reactions/$r2" "${auth[@]}"
is "$(json '.tags | join(",")')" "$(t yuruyuri2)" "merge: no duplicate on a reaction that had both"

# A '+' in the path is itself (a tag may hold one); %2B is one too.
request PATCH "/api/v1/reactions/$r4" "${auth[@]}" "${json_body[@]}" \
    -d "{\"add_tags\":[\"$(t c++)\"]}"
request POST "/api/v1/tags/$(t c++)/rename" "${auth[@]}" "${json_body[@]}" \
    -d "{\"to\":\"$(t cpp)\"}"
is "$HTTP_STATUS $(json .reactions)" "200 1" "rename: a '+' in the path is a '+'"

rename "$(t nobody)" "{\"to\":\"$(t x)\"}"
is "$HTTP_STATUS $(json .error.code)" "404 not_found" "rename a tag nobody has: 404"
rename "a b" "{\"to\":\"$(t x)\"}"
is "$HTTP_STATUS" 404 "rename a name that is no tag: 404"
rename "$(t yuruyuri2)" "{\"to\":\"$(t YURUYURI2)\"}"
is "$HTTP_STATUS $(json .error.field)" "422 to" "rename to itself: 422 to"
rename "$(t yuruyuri2)" '{"to":"a b"}'
is "$HTTP_STATUS $(json .error.field)" "422 to" "rename to no tag: 422 to"
rename "$(t yuruyuri2)" '{"to":7}'
is "$HTTP_STATUS $(json .error.field)" "422 to" "rename to a number: 422 to"
rename "$(t yuruyuri2)" '{"to":"x","and":1}'
is "$HTTP_STATUS" 422 "rename with an unknown field: 422"
rename "$(t yuruyuri2)" '{"to":'
is "$HTTP_STATUS" 400 "rename with a broken body: 400"
request POST "/api/v1/tags/$(t yuruyuri2)/rename" "${json_body[@]}" -d '{"to":"x"}'
is "$HTTP_STATUS" 401 "rename without a token: 401"
request GET "/api/v1/tags/$(t yuruyuri2)/rename" "${auth[@]}"
is "$HTTP_STATUS $(header allow)" "405 POST" "rename with GET: 405, Allow: POST"
is "$(mismatches)" 0 "the counts equal a full count after the renames"

# --- eight connections at once -----------------------------------------------
# Six reactions share a vocabulary of eight tags; each of eight clients
# sends 60 edits adding and removing random tags on random reactions,
# with renames and bulk edits among them, all touching the same count
# rows. Every edit must succeed (no deadlock, no lost update), and the
# counts must then equal a full count.
hammer=()
for i in 1 2 3 4 5 6; do
	hammer+=("$(fixture_upload "hammer $i" "$(t h0)" "$(t h1)")")
done
python3 - "$REACTBIN_URL" "$token" "$run" "${hammer[@]}" \
    >"$FIXTURE_DIR/hammer.out" 2>&1 <<'PY'
import json, random, sys, threading, urllib.request, urllib.error
url, token, run, ids = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
vocab = ["%s-h%d" % (run, i) for i in range(8)]
statuses, lock = {}, threading.Lock()

def call(method, path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(),
        method=method, headers={"Authorization": "Bearer " + token,
                                "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code

def client(seed):
    rnd = random.Random(seed)
    for n in range(60):
        pick = rnd.random()
        if pick < 0.1:
            status = call("POST", "/api/v1/reactions/bulk", {
                "ids": rnd.sample(ids, 3),
                "add_tags": rnd.sample(vocab, 2),
                "remove_tags": rnd.sample(vocab, 2)})
        elif pick < 0.15:
            a, b = rnd.sample(vocab, 2)
            status = call("POST", "/api/v1/tags/%s/rename" % a, {"to": b})
            status = 200 if status == 404 else status
        else:
            status = call("PATCH", "/api/v1/reactions/" + rnd.choice(ids), {
                "add_tags": rnd.sample(vocab, 2),
                "remove_tags": rnd.sample(vocab, 2)})
        with lock:
            statuses[status] = statuses.get(status, 0) + 1

threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(" ".join("%d:%d" % kv for kv in sorted(statuses.items())))
PY
is "$(cat "$FIXTURE_DIR/hammer.out")" "200:480" "eight connections, 480 edits: every one 200"
is "$(mismatches)" 0 "eight connections: the counts equal a full count"
tags "prefix=$(t h)&limit=100"
is "$(json '[.items[].count] | add')" \
    "$(sql -c "SELECT count(*) FROM reactions, unnest(tags) t WHERE t LIKE '$run-h%'")" \
    "eight connections: GET /tags adds up to the tags on the reactions"

done_testing
