# shellcheck shell=bash
# curl wrappers for the integration tests. Each request stores the status
# in HTTP_STATUS, the headers (lower-cased names) in HTTP_HEADERS and the
# body in HTTP_BODY.
#
#   request METHOD PATH [curl args...]   against $REACTBIN_URL
#   header NAME                          a response header's value
#   json FILTER                          jq on the body (raw output)

# Read by the test scripts that source this file.
export HTTP_STATUS HTTP_HEADERS HTTP_BODY

request() {
	local method=$1 path=$2 tmp verb
	shift 2
	tmp=$(mktemp -d)
	# HEAD must be --head: with -X HEAD curl waits for a body.
	if [ "$method" = HEAD ]; then
		verb=(--head)
	else
		verb=(-X "$method")
	fi
	HTTP_STATUS=$(curl -sS -o "$tmp/body" -D "$tmp/headers" \
	    -w '%{http_code}' "${verb[@]}" --max-time 30 "$@" \
	    "$REACTBIN_URL$path") || HTTP_STATUS=000
	HTTP_BODY=$(cat "$tmp/body" 2>/dev/null || true)
	HTTP_HEADERS=$(tr -d '\r' <"$tmp/headers" 2>/dev/null |
	    awk -F': ' 'NF > 1 { printf "%s: %s\n", tolower($1), substr($0, length($1) + 3) }')
	rm -rf "$tmp"
}

header() {
	local name
	name=$(echo "$1" | tr '[:upper:]' '[:lower:]')
	awk -v n="$name" -F': ' '$1 == n { print substr($0, length($1) + 3); exit }' <<<"$HTTP_HEADERS"
}

json() {
	jq -r "$1" <<<"$HTTP_BODY" 2>/dev/null
}

# Log in as the owner; prints the token.
login_token() {
	request POST /api/v1/auth/login -H 'content-type: application/json' \
	    -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}"
	json .access_token
}

# owner_login: log in as the owner, the token in token and its header in
# the array auth; a script cannot test anything without one: Bail out.
owner_login() {
	token=$(login_token)
	if [ -z "$token" ] || [ "$token" = null ]; then
		echo "Bail out! no token"
		exit 1
	fi
	# shellcheck disable=SC2034 # the sourcing script's
	auth=(-H "Authorization: Bearer $token")
}

# login_burst N TAG DIR MAX_SECONDS: N logins as the owner at once, each on
# its own connection (curl's config in DIR/TAG.curl); prints the statuses
# as "COUNTxSTATUS" lines.
login_burst() {
	local n=$1 tag=$2 cfg i body
	cfg="$3/$tag.curl"
	body="{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}"
	body=${body//\\/\\\\}
	body=${body//\"/\\\"}
	: >"$cfg"
	for i in $(seq 1 "$n"); do
		[ "$i" -eq 1 ] || echo next >>"$cfg"
		printf '%s\n' "url = \"$REACTBIN_URL/api/v1/auth/login\"" \
		    "header = \"Content-Type: application/json\"" \
		    "header = \"Connection: close\"" \
		    "header = \"X-Request-Id: $tag-$i\"" \
		    "data = \"$body\"" "output = \"/dev/null\"" \
		    "write-out = \"%{http_code}\\n\"" "max-time = $4" >>"$cfg"
	done
	curl --no-progress-meter --parallel --parallel-immediate \
	    --parallel-max "$n" -K "$cfg" 2>/dev/null | sort | uniq -c |
	    awk '{print $1 "x" $2}'
}
