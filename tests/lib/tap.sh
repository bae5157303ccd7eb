# shellcheck shell=bash
# Minimal TAP producer for the curl test scripts; prove reads the output.
#
#   plan N | ok COND NAME | is GOT WANT NAME | like GOT REGEX NAME
#   diag TEXT | skip_all REASON | need_tools TOOL... | done_testing

TAP_COUNT=0
TAP_FAILED=0

plan() { echo "1..$1"; }

diag() {
	local line
	while IFS= read -r line; do
		echo "# $line"
	done <<<"$*"
}

# ok STATUS NAME: STATUS is a shell exit status (0 passes).
ok() {
	TAP_COUNT=$((TAP_COUNT + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_COUNT - $2"
	else
		echo "not ok $TAP_COUNT - $2"
		# On stderr too, with the script's name: prove shows a
		# script's stderr but not its failing lines, and a CI log
		# keeps only what prove shows.
		echo "# $(basename "$0"): not ok $TAP_COUNT - $2" >&2
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got:      '$1'" "expected: '$2'"
		echo "#   got '${1:0:200}', expected '${2:0:200}'" >&2
	fi
}

isnt() {
	if [ "$1" != "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got '$1', which it should not be"
	fi
}

like() {
	if [[ $1 =~ $2 ]]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got:      '$1'" "expected to match: '$2'"
	fi
}

unlike() {
	if [[ $1 =~ $2 ]]; then
		ok 1 "$3"
		diag "got:      '$1'" "expected not to match: '$2'"
	else
		ok 0 "$3"
	fi
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# need_tools TOOL...: skip_all unless every TOOL is on the PATH.
need_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || skip_all "needs $tool"
	done
}

# Functions done_testing runs first (tests/lib/http.sh adds its check of
# the responses against the OpenAPI document).
TAP_DONE_HOOKS=()

done_testing() {
	local hook
	for hook in "${TAP_DONE_HOOKS[@]}"; do
		"$hook"
	done
	echo "1..$TAP_COUNT"
	[ "$TAP_FAILED" -eq 0 ]
}
