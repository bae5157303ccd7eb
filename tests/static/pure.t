#!/usr/bin/env bash
# The tree's shape: the pure modules live in src/pure, the Kore side in
# src. A pure file includes no Kore header and no header from outside its
# folder (so it builds, runs and fuzzes without Kore); a file in src is
# there because it needs Kore (it includes a Kore header or app.h, which
# brings Kore in); and every pure module's interface is included by a
# unit test.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

shopt -s nullglob
pure=(src/pure/*.c src/pure/*.h)
server=(src/*.c)
[ "${#pure[@]}" -gt 0 ] && [ "${#server[@]}" -gt 0 ]
ok $? "src/pure holds ${#pure[@]} files, src ${#server[@]} C files"

# quoted FILE: the headers FILE includes with quotes, one a line.
quoted() {
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1"
}

for f in "${pure[@]}"; do
	why=
	if grep -Eq '^[[:space:]]*#[[:space:]]*include[[:space:]]*<kore/' "$f"; then
		why="includes a Kore header"
	fi
	while read -r h; do
		[ -f "src/pure/$h" ] || why="${why:+$why; }includes \"$h\", not a pure header"
	done < <(quoted "$f")
	[ -z "$why" ]
	ok $? "$f is pure${why:+: $why}"
done

for f in "${server[@]}"; do
	grep -Eq -e '^[[:space:]]*#[[:space:]]*include[[:space:]]*<kore/' \
	    -e '^[[:space:]]*#[[:space:]]*include[[:space:]]*"app.h"' "$f"
	ok $? "$f needs Kore (else it belongs in src/pure)"
done

# A module's interface: its own header, or (a module without one, such
# as the decoders of derive_media.h) the first header it includes.
for f in src/pure/*.c; do
	name=$(basename "$f" .c)
	if [ -f "src/pure/$name.h" ]; then
		iface=$name.h
	else
		iface=$(quoted "$f" | head -n 1)
	fi
	tests=$(grep -l -F "#include \"$iface\"" tests/unit/test_*.c 2>/dev/null |
	    head -n 1)
	[ -n "$tests" ]
	ok $? "$name ($iface) is unit tested${tests:+ (${tests#tests/unit/})}"
done

done_testing
