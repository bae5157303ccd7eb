#!/usr/bin/env bash
# The API's description: the OpenAPI document at /api/v1/openapi.json
# (public, from the module's assets, ETag and 304, gzip) and Swagger UI
# on it at /api/docs under a policy of its own origin only, with its
# files. And the check every script makes of the answers it got
# (tests/lib/http.sh, tests/lib/openapi-check.py) fails when the document
# does not describe one: shown here on documents broken on purpose.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"

service_start apidocs || { echo "Bail out! reactbin did not start"; exit 1; }
trap service_stop EXIT

doc="$here/../../assets/docs/openapi.json"
csp="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

# The document: public, the bytes compiled in, revalidated by ETag.
request GET /api/v1/openapi.json
is "$HTTP_STATUS" 200 "the document is served without a token"
is "$(header content-type)" application/json "as application/json"
is "$(json .openapi)" 3.1.0 "it is OpenAPI 3.1"
is "$(jq -S . <<<"$HTTP_BODY" | sha256sum)" "$(jq -S . "$doc" | sha256sum)" \
    "it is assets/docs/openapi.json"
etag=$(header etag)
is "$etag" "\"$(sha256sum "$doc" | cut -c1-64)\"" "its ETag is the SHA-256 of its bytes"
is "$(header cache-control)" no-cache "it is revalidated on each use"
like "$(header x-request-id)" '^[0-9a-f]{32}$' "it has a request id"

request GET /api/v1/openapi.json -H "If-None-Match: $etag"
is "$HTTP_STATUS" 304 "If-None-Match with its ETag is 304"
is "$HTTP_BODY" "" "with no body"
is "$(header etag)" "$etag" "and the same ETag"

request GET /api/v1/openapi.json -H 'If-None-Match: "0000"'
is "$HTTP_STATUS" 200 "another ETag gets the document"

tmp="$REACTBIN_TEST_TMP/apidocs.$$"
mkdir -p "$tmp"
status=$(curl -sS -o "$tmp/doc.gz" -D "$tmp/doc.h" -w '%{http_code}' \
    -H 'Accept-Encoding: gzip' "$REACTBIN_URL/api/v1/openapi.json")
is "$status" 200 "the document gzip'd, to a client that takes it"
like "$(tr -d '\r' <"$tmp/doc.h")" $'content-encoding: gzip' "is sent gzip'd"
cmp -s <(gzip -dc "$tmp/doc.gz") "$doc"
ok $? "and unzips to the same bytes"
request GET /api/v1/openapi.json -H 'Accept-Encoding: gzip'
like "$(header etag)" '-gz"$' "the gzip form has an ETag of its own"

request HEAD /api/v1/openapi.json
is "$HTTP_STATUS" 200 "HEAD of the document is 200"
is "$(header content-length)" "$(stat -c %s "$doc")" "with its length"

request POST /api/v1/openapi.json -d '{}'
is "$HTTP_STATUS" 405 "POST of the document is 405"

# The page: Swagger UI's files and its own init script, nothing inline.
request GET /api/docs
is "$HTTP_STATUS" 200 "the docs page is served without a token"
like "$(header content-type)" '^text/html' "as HTML"
is "$(header content-security-policy)" "$csp" "under a policy of its own origin only"
is "$(header x-frame-options)" DENY "framed by no one"
is "$(header x-content-type-options)" nosniff "never sniffed"
page=$HTTP_BODY
page_etag=$(header etag)
unlike "$page" '<script[^>]*>[^<]' "the page has no inline script"
unlike "$page" '(src|href)="(https?:)?//' "the page names no other origin"
unlike "$page" ' style=' "the page has no inline style"

request GET /api/docs -H "If-None-Match: $page_etag"
is "$HTTP_STATUS" 304 "the page is 304 on its ETag"

mapfile -t assets < <(grep -o '/api/docs/[0-9a-f]\{16\}/[a-z0-9.-]*' <<<"$page")
is "${#assets[@]}" 4 "the page names four files"
for a in "${assets[@]}"; do
	request GET "$a"
	is "$HTTP_STATUS" 200 "$a is served"
	case "$a" in
	*.js) want='^text/javascript' ;;
	*.css) want='^text/css' ;;
	*.svg) want='^image/svg\+xml' ;;
	esac
	like "$(header content-type)" "$want" "$a has its type"
	is "$(header cache-control)" "public, max-age=31536000, immutable" \
	    "$a is cached for a year"
	a_etag=$(header etag)
	like "$a_etag" '^"[0-9a-f]{64}"$' "$a has its SHA-256 as ETag"
	request GET "$a" -H "If-None-Match: $a_etag"
	is "$HTTP_STATUS" 304 "$a is 304 on its ETag"
done
for a in "${assets[@]}"; do
	case "$a" in
	*/swagger-ui-bundle.js) bundle=$a ;;
	*/swagger-ui.css) css=$a ;;
	*/docs.js) init=$a ;;
	esac
done
request GET "${bundle:-none}"
grep -q 'SwaggerUIBundle' <<<"$HTTP_BODY"
ok $? "the page has Swagger UI's bundle"
request GET "${css:-none}"
grep -q '\.swagger-ui' <<<"$HTTP_BODY"
ok $? "and its style sheet"
request GET "${init:-none}"
like "$HTTP_BODY" "url: '/api/v1/openapi.json'" "and an init script that loads this document"

# The style sheet's icons are files of the page's own, not data: URIs
# (the policy allows images from its origin only).
request GET "${css:-none}"
unlike "$HTTP_BODY" 'data:' "the style sheet has no data: URI"
mapfile -t icons < <(grep -o 'url(swagger-ui-img-[0-9]*\.svg)' <<<"$HTTP_BODY" |
    sed 's/^url(//; s/)$//' | sort -u)
ok $((${#icons[@]} > 0 ? 0 : 1)) "it names its icons (${#icons[@]})"
bad=0
for i in "${icons[@]}"; do
	request GET "${css%/*}/$i"
	if [ "$HTTP_STATUS" != 200 ] ||
	    ! [[ $(header content-type) =~ ^image/svg\+xml ]] ||
	    ! [[ $HTTP_BODY =~ ^\<svg ]]; then
		bad=1
		diag "$i: $HTTP_STATUS"
	fi
done
is "$bad" 0 "each icon is served as SVG, next to the style sheet"

# Another version's page (a rolling update) gets today's file, not kept.
name=${bundle:-none}
name=${name##*/}
request GET "/api/docs/0000000000000000/$name"
is "$HTTP_STATUS" 200 "another version gets the file"
is "$(header cache-control)" no-cache "but no promise to keep it"

request GET "${bundle:-/api/docs/0000000000000000/none}x.js"
is "$HTTP_STATUS" 404 "a name the page does not have is 404"
is "$(json .error.code)" not_found "as the JSON 404"
request GET /api/docs/x
is "$HTTP_STATUS" 404 "a path of another shape under /api/docs is 404"

# The check of every answer against the document: it passes on the
# answers so far, and fails on documents that no longer describe them.
check() {
	"${OPENAPI_PYTHON:-/usr/bin/python3}" "$here/../lib/openapi-check.py" "$1" \
	    "$OPENAPI_LOG"
}
out=$(check "$doc")
ok $? "the answers so far are as the document describes them"
diag "$out"

jq 'del(.paths["/api/docs"])' "$doc" >"$tmp/no-page.json"
out=$(check "$tmp/no-page.json")
is $? 1 "without the page's path, the check fails"
like "$out" 'GET /api/docs -> unrouted GET /api/docs: status 200 is not described' \
    "and names the page's 200 as not described"

jq '.components.headers["X-Request-Id"].schema.pattern = "^[A-Z]+$"' "$doc" \
    >"$tmp/bad-id.json"
out=$(check "$tmp/bad-id.json")
is $? 1 "with a request id no answer has, it fails"
like "$out" 'header X-Request-Id' "and names the header"

jq '.paths["/api/v1/openapi.json"].get.responses["200"].content["application/json"].schema.properties.openapi.const = "3.0.3"' \
    "$doc" >"$tmp/bad-body.json"
out=$(check "$tmp/bad-body.json")
is $? 1 "with a body schema the document's own body fails, it fails"
like "$out" "openapi: '3.0.3' was expected" "and says where the body differs"

jq '.paths["/api/v1/openapi.json"].get.responses["200"].content = {"text/plain": {"schema": {"type": "string"}}}' \
    "$doc" >"$tmp/bad-type.json"
out=$(check "$tmp/bad-type.json")
is $? 1 "with another media type, it fails"
like "$out" "Content-Type 'application/json' is not one of text/plain" \
    "and names the media type"

rm -rf "$tmp"
done_testing
