#!/usr/bin/env bash
# Every library the module is linked against (its ELF NEEDED entries) is
# installed by the image's runtime stage, or is the C library every Debian
# image has (libc6). A library the module starts using
# without a line in the Dockerfile would stop the image's kore from
# loading the module at all. Needs the built module (tests/run builds it).
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

# The runtime stage's packages: the words of its RUN lines, after the last
# FROM, that name a Debian package (lower case, digits, + - .).
runtime=$(awk '/^FROM /{ stage = "" } { stage = stage "\n" $0 } END { print stage }' Dockerfile |
    sed 's/\\$//' | tr -s ' \t' '\n' | grep -E '^[a-z0-9][a-z0-9+.-]+$' | sort -u)

needed=$(readelf -d "$module" | awk '/\(NEEDED\)/ { gsub(/[][]/, "", $5); print $5 }')
[ -n "$needed" ]
ok $? "the module's NEEDED libraries are read"

for soname in $needed; do
	path=$(ldd "$module" | awk -v so="$soname" '$1 == so { print $3 }')
	# dpkg knows a file by the path its package put it at: with /lib a
	# link to /usr/lib, ldd's path may be the other one.
	pkg=
	for p in "$path" "/usr$path" "${path#/usr}"; do
		pkg=$(dpkg -S "$p" 2>/dev/null | head -n 1 | cut -d: -f1)
		[ -z "$pkg" ] || break
	done
	if [ -z "$pkg" ]; then
		ok 1 "$soname comes from a Debian package"
		continue
	fi
	if [ "$pkg" = libc6 ]; then
		ok 0 "$soname ($pkg) is in every Debian image"
		continue
	fi
	printf '%s\n' "$runtime" | grep -qxF "$pkg"
	ok $? "$soname ($pkg) is installed by the runtime stage"
done

done_testing
