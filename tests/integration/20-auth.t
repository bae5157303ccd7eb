#!/usr/bin/env bash
# Login and bearer tokens: the issued JWT, /auth/me, bad requests, forged
# and stale tokens, and no secret in any log line.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"

instance_pids=()
instance_logs=()
cleanup() {
	service_stop_each "${instance_pids[@]}"
}
trap cleanup EXIT

# start NAME [VAR=value ...]: an instance, remembered for the trap.
start() {
	service_start "$@" || { echo "Bail out! reactbin ($1) did not start"; exit 1; }
	instance_pids+=("$REACTBIN_PID")
	instance_logs+=("$REACTBIN_OUT" "$REACTBIN_ERR")
}

b64url() { basenc --base64url | tr -d '=\n'; }

b64url_decode() {
	local s=$1
	while [ $((${#s} % 4)) -ne 0 ]; do
		s="$s="
	done
	printf '%s' "$s" | basenc -d --base64url
}

# forge DIGEST KEY HEADER_JSON PAYLOAD_JSON: a JWT signed with HMAC-DIGEST.
forge() {
	local digest=$1 key=$2 h p sig
	h=$(printf '%s' "$3" | b64url)
	p=$(printf '%s' "$4" | b64url)
	sig=$(printf '%s' "$h.$p" |
	    openssl dgst "-$digest" -mac HMAC -macopt key:"$key" -binary | b64url)
	echo "$h.$p.$sig"
}

# The three things every refused bearer token gets, on one line.
rejection() {
	echo "$HTTP_STATUS $(json .error.code) $(header www-authenticate)"
}

# refused NAME [curl args...]: /auth/me must answer the bearer 401.
refused() {
	local name=$1
	shift
	request GET /api/v1/auth/me "$@"
	is "$(rejection)" "401 unauthorized Bearer" "$name: 401 unauthorized, WWW-Authenticate: Bearer"
}

login() {
	request POST /api/v1/auth/login -H 'content-type: application/json' "$@"
}

# The brute-force lock is not under test here: a high threshold keeps the
# few failures below from locking 127.0.0.1.
start auth JWT_EXPIRY_SECONDS=3600 LOGIN_MAX_FAILURES=1000
url_main=$REACTBIN_URL
hs256='{"alg":"HS256","typ":"JWT"}'

# --- login success -------------------------------------------------------

before=$(date +%s)
login -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}"
after=$(date +%s)
is "$HTTP_STATUS" 200 "login with the owner's credentials answers 200"
like "$(header content-type)" '^application/json' "login answers JSON"
is "$(json .token_type)" bearer "token_type is bearer"
is "$(json '.expires_in | tostring')" 3600 "expires_in is JWT_EXPIRY_SECONDS"
token=$(json .access_token)

IFS=. read -r tok_h tok_p tok_s extra <<<"$token"
ok "$([ -n "$tok_h" ] && [ -n "$tok_p" ] && [ -n "$tok_s" ] && [ -z "$extra" ]; echo $?)" \
    "the token has three non-empty segments"
hdr_json=$(b64url_decode "$tok_h")
claims=$(b64url_decode "$tok_p")
is "$(jq -r .alg <<<"$hdr_json")" HS256 "the token's header names HS256"
is "$(jq -r .sub <<<"$claims")" "$OWNER_USERNAME" "sub is the owner"
iat=$(jq -r .iat <<<"$claims")
exp=$(jq -r .exp <<<"$claims")
like "$iat" '^[0-9]+$' "iat is an integer"
like "$exp" '^[0-9]+$' "exp is an integer"
is "$((exp - iat))" 3600 "exp - iat is JWT_EXPIRY_SECONDS"
ok "$([ "$iat" -ge "$before" ] && [ "$iat" -le "$after" ]; echo $?)" \
    "iat is the time of the login"
sig_expected=$(printf '%s' "$tok_h.$tok_p" |
    openssl dgst -sha256 -mac HMAC -macopt key:"$JWT_SECRET_KEY" -binary | b64url)
is "$tok_s" "$sig_expected" "the signature is HMAC-SHA256 with JWT_SECRET_KEY"

# --- /auth/me -------------------------------------------------------------

request GET /api/v1/auth/me -H "Authorization: Bearer $token"
is "$HTTP_STATUS" 200 "/auth/me with the token answers 200"
is "$(json .username)" "$OWNER_USERNAME" "/auth/me names the owner"
expires_at=$(json .expires_at)
like "$expires_at" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$' \
    "expires_at is RFC 3339 UTC with Z"
is "$(date -u -d "$expires_at" +%s 2>/dev/null)" "$exp" "expires_at is the token's exp"

request GET /api/v1/auth/me -H "authorization: bearer $token"
is "$HTTP_STATUS" 200 "the scheme name is case-insensitive"

# A token forged here with the right key and claims is accepted: the
# forgeries below differ from it in one thing each.
now=$(date +%s)
good=$(forge sha256 "$JWT_SECRET_KEY" "$hs256" \
    "{\"sub\":\"$OWNER_USERNAME\",\"iat\":$now,\"exp\":$((now + 600))}")
request GET /api/v1/auth/me -H "Authorization: Bearer $good"
is "$HTTP_STATUS" 200 "control: a correctly forged HS256 token is accepted"

# --- wrong credentials ----------------------------------------------------

login -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"not-$OWNER_PASSWORD\"}"
is "$HTTP_STATUS" 401 "wrong password answers 401"
is "$(json .error.code)" unauthorized "wrong password: code unauthorized"
body_wrong_pw=$HTTP_BODY

login -d "{\"username\":\"not-$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}"
is "$HTTP_STATUS" 401 "wrong username answers 401"
is "$(json .error.code)" unauthorized "wrong username: code unauthorized"
is "$HTTP_BODY" "$body_wrong_pw" "wrong username and wrong password get the same body"

login -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"${OWNER_PASSWORD}x\"}"
is "$HTTP_STATUS" 401 "the password with a byte appended answers 401"
login -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"${OWNER_PASSWORD%?}\"}"
is "$HTTP_STATUS" 401 "the password minus its last byte answers 401"

# --- malformed login requests ---------------------------------------------

bad_request() {
	local name=$1
	shift
	login "$@"
	is "$HTTP_STATUS $(json .error.code)" "400 bad_request" "$name: 400 bad_request"
}

bad_request "body not JSON" -d 'username=owner&password=x'
bad_request "truncated JSON" -d "{\"username\":\"$OWNER_USERNAME\",\"password\":"
bad_request "a JSON array" \
    -d "[\"$OWNER_USERNAME\",\"$OWNER_PASSWORD\"]"
bad_request "a JSON string" -d '"owner"'
bad_request "missing username" -d "{\"password\":\"$OWNER_PASSWORD\"}"
bad_request "missing password" -d "{\"username\":\"$OWNER_USERNAME\"}"
bad_request "password a number" -d "{\"username\":\"$OWNER_USERNAME\",\"password\":12345}"
bad_request "username a number" -d "{\"username\":7,\"password\":\"$OWNER_PASSWORD\"}"
bad_request "password null" -d "{\"username\":\"$OWNER_USERNAME\",\"password\":null}"
bad_request "empty body (Content-Length: 0)" --data-binary ''
bad_request "NUL (\\u0000) inside the password" \
    -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\\u0000\"}"
bad_request "NUL (\\u0000) inside the username" \
    -d "{\"username\":\"$OWNER_USERNAME\\u0000x\",\"password\":\"$OWNER_PASSWORD\"}"

# Two failures from 127.0.0.1 so far: a correct login now works and clears
# them, so that later tests on the same database start from zero.
login -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}"
is "$HTTP_STATUS" 200 "a correct login after the failures still answers 200"

# --- tokens /auth/me refuses ----------------------------------------------

now=$(date +%s)
claims_ok="{\"sub\":\"$OWNER_USERNAME\",\"iat\":$now,\"exp\":$((now + 600))}"

refused "no Authorization header"
refused "Basic credentials" -H 'Authorization: Basic xyz'
refused "Basic with the owner's credentials" \
    -u "$OWNER_USERNAME:$OWNER_PASSWORD"
refused "\"Bearer\" alone" -H 'Authorization: Bearer'
refused "\"Bearer \" with only a blank" -H 'Authorization: Bearer '
refused "a garbage token" -H 'Authorization: Bearer not.a.jwt'
refused "a token of random bytes" \
    -H "Authorization: Bearer $(head -c 48 /dev/urandom | b64url)"
refused "the token without its signature" -H "Authorization: Bearer $tok_h.$tok_p."
refused "the token with four segments" -H "Authorization: Bearer $token.$tok_s"
refused "the token twice after Bearer" -H "Authorization: Bearer $token $token"
refused "the token without the Bearer scheme" -H "Authorization: $token"

none_h=$(printf '%s' '{"alg":"none","typ":"JWT"}' | b64url)
claims_b64=$(printf '%s' "$claims_ok" | b64url)
refused "alg none, unsigned" -H "Authorization: Bearer $none_h.$claims_b64."
refused "alg none with the real signature" \
    -H "Authorization: Bearer $none_h.$tok_p.$tok_s"

t=$(forge sha512 "$JWT_SECRET_KEY" '{"alg":"HS512","typ":"JWT"}' "$claims_ok")
refused "alg HS512 signed with the right secret" -H "Authorization: Bearer $t"

t=$(forge sha256 "$JWT_SECRET_KEY" '{"alg":"hs256","typ":"JWT"}' "$claims_ok")
refused "alg hs256 (wrong case) signed with the right secret" -H "Authorization: Bearer $t"

t=$(forge sha256 "$JWT_SECRET_KEY" '{"typ":"JWT"}' "$claims_ok")
refused "no alg, signed with the right secret" -H "Authorization: Bearer $t"

t=$(forge sha256 "wrong-$JWT_SECRET_KEY" "$hs256" "$claims_ok")
refused "HS256 with a wrong secret" -H "Authorization: Bearer $t"

t=$(forge sha256 "$JWT_SECRET_KEY" "$hs256" \
    "{\"sub\":\"$OWNER_USERNAME\",\"iat\":$((now - 7200)),\"exp\":$((now - 3600))}")
refused "expired an hour ago, correctly signed" -H "Authorization: Bearer $t"

t=$(forge sha256 "$JWT_SECRET_KEY" "$hs256" \
    "{\"sub\":\"$OWNER_USERNAME\",\"iat\":$((now + 3600)),\"nbf\":$((now + 3600)),\"exp\":$((now + 7200))}")
refused "not valid for another hour (nbf, iat), correctly signed" \
    -H "Authorization: Bearer $t"

t=$(forge sha256 "$JWT_SECRET_KEY" "$hs256" \
    "{\"sub\":\"$OWNER_USERNAME\",\"iat\":$now}")
refused "no exp, correctly signed" -H "Authorization: Bearer $t"

t=$(forge sha256 "$JWT_SECRET_KEY" "$hs256" \
    "{\"sub\":\"$OWNER_USERNAME\",\"iat\":$now,\"exp\":\"$((now + 600))\"}")
refused "exp as a string, correctly signed" -H "Authorization: Bearer $t"

t=$(forge sha256 "$JWT_SECRET_KEY" "$hs256" \
    "{\"sub\":\"intruder\",\"iat\":$now,\"exp\":$((now + 600))}")
refused "sub is not the owner, correctly signed" -H "Authorization: Bearer $t"

t=$(forge sha256 "$JWT_SECRET_KEY" "$hs256" \
    "{\"iat\":$now,\"exp\":$((now + 600))}")
refused "no sub, correctly signed" -H "Authorization: Bearer $t"

tampered=$(jq -c ".exp = $((exp + 86400 * 365))" <<<"$claims" | b64url)
refused "payload tampered (exp a year later), original signature" \
    -H "Authorization: Bearer $tok_h.$tampered.$tok_s"

tampered=$(jq -c '.sub = "intruder"' <<<"$claims" | b64url)
refused "payload tampered (sub), original signature" \
    -H "Authorization: Bearer $tok_h.$tampered.$tok_s"

# The untampered token still works after all that.
request GET /api/v1/auth/me -H "Authorization: Bearer $token"
is "$HTTP_STATUS" 200 "the issued token is still accepted"

# --- a token from an instance with another secret -------------------------

other_secret="other-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
start auth-other-secret JWT_SECRET_KEY="$other_secret"
login -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}"
is "$HTTP_STATUS" 200 "the instance with another secret issues a token"
foreign=$(json .access_token)
request GET /api/v1/auth/me -H "Authorization: Bearer $foreign"
is "$HTTP_STATUS" 200 "which that instance accepts"
request GET /api/v1/auth/me -H "Authorization: Bearer $token"
is "$(rejection)" "401 unauthorized Bearer" "that instance refuses the first instance's token"

REACTBIN_URL=$url_main
refused "a token signed by an instance with another JWT_SECRET_KEY" \
    -H "Authorization: Bearer $foreign"

# --- nothing secret in the logs -------------------------------------------

db_password=$(sed -n 's|^[a-z+]*://[^:/@]*:\([^@]*\)@.*$|\1|p' <<<"$DATABASE_URL")
secrets=("OWNER_PASSWORD:$OWNER_PASSWORD" "JWT_SECRET_KEY:$JWT_SECRET_KEY"
    "other JWT_SECRET_KEY:$other_secret" "access token:$token"
    "other instance's token:$foreign" "token signature:$tok_s")
if [ -n "$db_password" ]; then
	secrets+=("DATABASE_URL password:$db_password")
fi

# Let the last access lines reach the files before looking.
service_stop_each "${instance_pids[@]}"
instance_pids=()

lines=$(cat "${instance_logs[@]}" | wc -l)
ok "$([ "$lines" -gt 20 ]; echo $?)" "the instances logged ($lines lines)"
for entry in "${secrets[@]}"; do
	what=${entry%%:*}
	value=${entry#*:}
	if grep -F -q -- "$value" "${instance_logs[@]}"; then
		ok 1 "no $what in stdout or stderr"
		diag "found in: $(grep -F -l -- "$value" "${instance_logs[@]}" | tr '\n' ' ')"
	else
		ok 0 "no $what in stdout or stderr"
	fi
done

done_testing
