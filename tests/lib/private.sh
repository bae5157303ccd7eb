# shellcheck shell=bash
# A PostgreSQL and an S3 server of the script's own, for the tests that
# stop, freeze or fill them, or count things in them that other tests
# must not see (tests/lib/pg.sh and tests/lib/s3.sh do the work). Source
# after tests/lib/tap.sh.
#
#   private_pg STATE LOG   start a PostgreSQL with its state in STATE and
#                          take its environment (DATABASE_URL, PGHOST_TEST,
#                          PGPORT_TEST)
#   private_s3 STATE LOG   start an S3 server with its state in STATE and
#                          take its environment (S3_ENDPOINT_URL, ...)
#   private_stack DIR      both, in DIR/pg and DIR/s3, each unless
#                          DATABASE_URL / S3_ENDPOINT_URL is already set
#                          (the env files export the variables): for the
#                          test, sanitizer and benchmark commands
#   private_stop           stop every server started above, the last
#                          first (for the EXIT trap; quiet, and harmless
#                          if none started)
#
# A script may start more than one of each (a second library to import
# into): each start takes over the environment, and all are stopped.
#
# Both start functions write the server script's output to LOG; if the
# server does not start, they copy LOG into the TAP stream as comments,
# say "Bail out!" and exit: no test of the script can run without it.

PRIVATE_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PRIVATE_STATES=()

private_pg() {
	# Remembered first: a half-started server is stopped too.
	PRIVATE_STATES+=("pg.sh:$1")
	private_start "$PRIVATE_LIB/pg.sh" "$1" "$2" PostgreSQL
}

private_s3() {
	PRIVATE_STATES+=("s3.sh:$1")
	private_start "$PRIVATE_LIB/s3.sh" "$1" "$2" S3
}

# private_start SCRIPT STATE LOG WHAT: what private_pg and private_s3 share.
private_start() {
	"$1" start "$2" >"$3" 2>&1 ||
	    { sed 's/^/# /' "$3"; echo "Bail out! no private $4"; exit 1; }
	# shellcheck disable=SC1091 # written by the start above
	. "$2/env"
}

private_stack() {
	if [ -z "${DATABASE_URL:-}" ]; then
		echo "# starting PostgreSQL" >&2
		private_pg "$1/pg" "$1/pg.log"
		export REACTBIN_PG_STATE="$1/pg"
	fi
	if [ -z "${S3_ENDPOINT_URL:-}" ]; then
		echo "# starting the S3 server (Ceph RGW)" >&2
		private_s3 "$1/s3" "$1/s3.log"
		export REACTBIN_S3_STATE="$1/s3"
	fi
}

private_stop() {
	local i entry
	for ((i = ${#PRIVATE_STATES[@]} - 1; i >= 0; i--)); do
		entry=${PRIVATE_STATES[i]}
		"$PRIVATE_LIB/${entry%%:*}" stop "${entry#*:}" >/dev/null 2>&1
	done
	PRIVATE_STATES=()
}
