#!/usr/bin/env bash
# Build the libFuzzer harnesses and fuzz each for a while, as TAP.
#
#   tests/fuzz/run.sh SECONDS [TARGET...]
#   FUZZ_SECONDS=10 tests/fuzz/run.sh      (as a test script run by prove)
#
# Every target (all of them unless some are named) runs for SECONDS
# against a throwaway copy of its committed corpus, tests/fuzz/corpus/T/,
# which is never grown here. One TAP line per target:
#
#   ok 1 - fuzz_media 5 s, 123456 runs, 0 crashes
#
# A crash, leak, timeout or out-of-memory fails the target; its reproducer
# is kept under tests/fuzz/build/crashes/T/ and the end of its log is shown
# as TAP comments. The script exits non-zero when any target failed.
set -euo pipefail

usage() {
	echo "usage: $0 SECONDS [TARGET...] (or FUZZ_SECONDS set)" >&2
	exit 2
}

if [ "$#" -ge 1 ]; then
	seconds=$1
	shift
else
	seconds=${FUZZ_SECONDS:-}
fi
case "$seconds" in
'' | *[!0-9]*) usage ;;
esac
[ "$seconds" -ge 1 ] || usage

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/beside.sh
. "$here/../lib/beside.sh"
# Started beside the integration tests by tests/run: what it printed.
beside_replay fuzz
cd "$here"

work=$(mktemp -d "${TMPDIR:-/tmp}/reactbin-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Build output goes to a log: stdout carries TAP only.
if ! make -s all >"$work/build.log" 2>&1; then
	echo "1..1"
	echo "not ok 1 - build the fuzz harnesses"
	sed 's/^/# /' "$work/build.log"
	exit 1
fi

if [ "$#" -gt 0 ]; then
	targets=("$@")
else
	mapfile -t targets < <(make -s list)
fi

echo "1..${#targets[@]}"
n=0
failed=0
for t in "${targets[@]}"; do
	n=$((n + 1))
	if [ ! -x "build/$t" ]; then
		echo "not ok $n - $t: no such harness"
		failed=1
		continue
	fi

	corpus="$work/corpus-$t"
	artifacts="$work/artifacts-$t"
	log="$work/$t.log"
	mkdir -p "$corpus" "$artifacts"
	if [ -d "corpus/$t" ]; then
		cp -R "corpus/$t/." "$corpus/"
	fi

	start=$SECONDS
	status=0
	"build/$t" -max_total_time="$seconds" -timeout=25 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 ||
	    status=$?
	elapsed=$((SECONDS - start))

	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1 || true)

	if [ "$status" -eq 0 ]; then
		echo "ok $n - $t $elapsed s, ${runs:-0} runs, 0 crashes"
		echo "# $t ${cov:-cov: ? ft: ?}"
	else
		failed=1
		echo "not ok $n - $t $elapsed s, ${runs:-0} runs, 1 crash" \
		    "(exit $status)"
		mkdir -p "build/crashes/$t"
		cp -R "$artifacts/." "build/crashes/$t/"
		echo "# reproducers in tests/fuzz/build/crashes/$t/:"
		find "build/crashes/$t" -type f | sed 's/^/#   /'
		grep -E -A 40 '^==[0-9]+==ERROR|runtime error|deadly signal|ERROR: libFuzzer' \
		    "$log" | head -n 60 | sed 's/^/# /'
	fi
done

exit "$failed"
