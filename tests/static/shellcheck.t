#!/usr/bin/env bash
# Every shell script in the repository is shellcheck-clean.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

command -v shellcheck >/dev/null || { echo "not ok 1 - shellcheck is installed"; exit 1; }

# Shell scripts: *.sh, *.t, and files whose first line names a shell.
scripts=()
while IFS= read -r f; do
	[ -f "$f" ] || continue
	case "$f" in
	*.sh|*.t) scripts+=("$f"); continue ;;
	esac
	if head -n 1 "$f" | grep -qE '^#!.*\b(ba|da|)sh\b'; then
		scripts+=("$f")
	fi
done < <(git ls-files --cached --others --exclude-standard)

# One shellcheck a core at a time (it is most of this test's time), each
# script's verdict kept under its index, then reported in order.
# shellcheck disable=SC2016 # the job is expanded by the sh xargs starts
job='shellcheck -x "$2" >"$0/$1.out" 2>&1; echo $? >"$0/$1.status"'
results=$(mktemp -d "${REACTBIN_TEST_TMP:-/tmp}/shellcheck.XXXXXX")
for i in "${!scripts[@]}"; do
	printf '%s\0%s\0' "$i" "${scripts[$i]}"
done | xargs -0 -n 2 -P "$(nproc)" sh -c \
    "$job" "$results"
for i in "${!scripts[@]}"; do
	status=$(cat "$results/$i.status" 2>/dev/null || echo 1)
	ok "$status" "shellcheck ${scripts[$i]}"
	[ "$status" -eq 0 ] || diag "$(cat "$results/$i.out" 2>/dev/null)"
done
rm -rf "$results"

done_testing
