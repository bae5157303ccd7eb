#!/usr/bin/env bash
# No function or variable the module exports has the name of one that a
# library it loads exports. The dynamic linker looks a library's calls up
# in the module first, so a module's json_string() would be the one
# libjwt's jansson calls, with another signature (it crashed token_issue).
# Needs the built module (tests/run builds it first).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

module="$top/$(basename "$top").so"
if [ ! -f "$module" ]; then
	echo "not ok 1 - the module $module is built"
	exit 1
fi

# defined FILE: the names of the dynamic symbols FILE defines.
defined() {
	nm -D --defined-only "$1" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' |
	    sort -u
}

defined "$module" >"$REACTBIN_TEST_TMP/module.syms"
ok $? "the module's symbols are listed"

libs=()
while read -r lib; do
	libs+=("$lib")
done < <(ldd "$module" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
[ "${#libs[@]}" -gt 0 ]
ok $? "the module's libraries are found (${#libs[@]})"

for lib in "${libs[@]}"; do
	clash=$(defined "$lib" | comm -12 - "$REACTBIN_TEST_TMP/module.syms")
	[ -z "$clash" ]
	ok $? "no symbol of $(basename "$lib") is shadowed by the module"
	[ -z "$clash" ] || diag "$clash"
done

done_testing
