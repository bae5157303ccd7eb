# shellcheck shell=bash
# Reactions for the integration tests, uploaded through the API so that
# every row has its object (an export relays them all). Source after
# tests/lib/http.sh; set FIXTURE_DIR (a directory for the files) and
# FIXTURE_AUTH (the curl arguments with the bearer) first.
#
#   fixture_png OUT          a new, tiny, valid PNG of random pixels
#   fixture_upload TITLE TAG...
#                            upload a new PNG with that title and tags;
#                            prints its id (nothing, status 1, on failure)

FIXTURE_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fixture_png() {
	python3 "$FIXTURE_LIB/make-png.py" 64 "$1"
}

fixture_upload() {
	local title=$1 file tags
	shift
	file=$(mktemp "${FIXTURE_DIR:?}/fixture.XXXXXX")
	fixture_png "$file" || return 1
	tags=$(IFS=,; echo "$*")
	request POST "/api/v1/reactions?title=$(jq -rn --arg v "$title" '$v|@uri')&tags=$(jq -rn --arg v "$tags" '$v|@uri')" \
	    "${FIXTURE_AUTH[@]}" -H "content-type: application/octet-stream" \
	    --data-binary "@$file"
	[ "$HTTP_STATUS" = 201 ] || return 1
	json .id
}
