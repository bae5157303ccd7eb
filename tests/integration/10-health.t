#!/usr/bin/env bash
# Health, readiness, request ids, and JSON 404/405.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"

service_start health || { echo "Bail out! reactbin did not start"; exit 1; }
trap service_stop EXIT

request GET /api/v1/health
is "$HTTP_STATUS" 200 "health answers 200"
is "$(json .status)" ok "health says ok"
like "$(header content-type)" '^application/json' "health is JSON"
like "$(header x-request-id)" '^[0-9a-f]{32}$' "a fresh request id is made"

request HEAD /api/v1/health
is "$HTTP_STATUS" 200 "HEAD health answers 200"

request GET /api/v1/health -H 'X-Request-Id: abc.DEF_1-2'
is "$(header x-request-id)" abc.DEF_1-2 "a sane caller request id is kept"

request GET /api/v1/health -H 'X-Request-Id: bad id with spaces'
like "$(header x-request-id)" '^[0-9a-f]{32}$' "an insane request id is replaced"

long=$(printf 'a%.0s' $(seq 1 129))
request GET /api/v1/health -H "X-Request-Id: $long"
like "$(header x-request-id)" '^[0-9a-f]{32}$' "a 129-char request id is replaced"

request GET /api/v1/ready
is "$HTTP_STATUS" 200 "ready answers 200 with the database up"
is "$(json .status)" ready "ready says ready"

request GET /api/v1/nothing-here
is "$HTTP_STATUS" 404 "unknown API path is 404"
is "$(json .error.code)" not_found "404 body has code not_found"
like "$(header x-request-id)" '.+' "404 carries a request id"

request GET /elsewhere
is "$HTTP_STATUS" 404 "unknown path outside the API is a JSON 404 too"
is "$(json .error.code)" not_found "with code not_found"

request DELETE /api/v1/health
is "$HTTP_STATUS" 405 "DELETE on health is 405"
is "$(json .error.code)" method_not_allowed "405 body has code method_not_allowed"
is "$(header allow)" "GET, HEAD" "Allow names GET and HEAD"

request PUT /api/v1/auth/login -d '{}'
is "$HTTP_STATUS" 405 "PUT on login is 405"
is "$(header allow)" POST "Allow names POST"

request GET /api/v1/auth/login
is "$HTTP_STATUS" 405 "GET on login is 405"

service_log_wait 'event=access method=GET path=/api/v1/health status=200'
ok $? "the access line is on stdout"
service_log_wait 'request_id=abc\.DEF_1-2'
line=$(grep 'request_id=abc.DEF_1-2' "$REACTBIN_OUT" | head -n 1)
like "$line" 'bytes=[0-9]+ duration_ms=[0-9.]+ request_id=abc\.DEF_1-2 client_ip=127\.0\.0\.1' \
    "the access line has bytes, duration, request id and client ip"
grep -q 'event=access' "$REACTBIN_ERR"
isnt $? 0 "no access line on stderr"

done_testing
