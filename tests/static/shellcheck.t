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

for f in "${scripts[@]}"; do
	out=$(shellcheck -x "$f" 2>&1)
	status=$?
	ok "$status" "shellcheck $f"
	[ "$status" -eq 0 ] || diag "$out"
done

done_testing
