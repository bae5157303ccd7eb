#!/usr/bin/env bash
# The integration suite against reactbin built with AddressSanitizer and
# UndefinedBehaviorSanitizer, then a look through every instance's log
# for workers Kore's seccomp sandbox killed. TAP, through prove; exits
# non-zero when a test fails, a sanitizer reports anything, or a worker
# died from a sandbox violation.
#
#   tests/sanitize/run.sh [TEST.t ...]      (default: tests/integration/*.t)
#
# TEST paths are relative to the repository's top; PROVE_FLAGS (say -v)
# go to prove.
# The sanitized module is built in a copy of the working tree (kodev
# writes .objs/ and <dir>.so next to the sources; none of that may mix
# with the developer's build), with CFLAGS and LDFLAGS from the
# environment, which kodev appends to conf/build.conf's. The kore binary
# is not instrumented, so it runs with libasan preloaded: a `kore` first
# in PATH adds LD_PRELOAD, ASAN_OPTIONS and UBSAN_OPTIONS for kore alone,
# not for curl, psql or bash. Leak checking is off (Kore exits without
# freeing what it holds for its lifetime). Workers keep Kore's seccomp
# policy (seccomp_tracing stays off).
#
# Like tests/run, it starts a throwaway PostgreSQL and S3 server unless
# DATABASE_URL / S3_ENDPOINT_URL are set. SANITIZE_KEEP=1 keeps the run's
# directory (it is kept anyway when something was reported).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
app=$(basename "$top")
SANITIZE_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"

for tool in kodev kore gcc prove curl jq psql; do
	command -v "$tool" >/dev/null || { echo "sanitize: $tool is needed" >&2; exit 1; }
done
kore_bin=$(command -v kore)
libasan=$(gcc -print-file-name=libasan.so)
[ -f "$libasan" ] || { echo "sanitize: gcc has no libasan.so (libasan8)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/reactbin-sanitize.XXXXXX)
copy="$tmp/tree/$app"
reports="$tmp/reports"
export REACTBIN_TEST_TMP="$tmp/run"
mkdir -p "$copy" "$reports" "$REACTBIN_TEST_TMP" "$tmp/bin"
keep=${SANITIZE_KEEP:-}

# stray_pids: kore processes still running from this run's tree (a
# worker whose parent was killed); every instance runs with its cwd there.
stray_pids() {
	local p
	for p in $(pgrep -x kore || true); do
		case "$(readlink "/proc/$p/cwd" 2>/dev/null)" in
		"$copy"|"$copy"/*) echo "$p" ;;
		esac
	done
}

# shellcheck disable=SC2317 # run by the traps
cleanup() {
	local status=$? p
	for p in $(stray_pids); do
		kill -KILL "$p" 2>/dev/null || true
	done
	private_stop
	if [ -n "$keep" ]; then
		echo "# kept $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$status"
}
trap cleanup EXIT INT TERM
# shellcheck source=tests/lib/private.sh
. "$top/tests/lib/private.sh"

echo "# copying the tree to $copy"
tar -C "$top" -cf - --exclude=./.git --exclude=./.objs --exclude="./$app.so" \
    --exclude=./tests/unit/build --exclude=./tests/fuzz/build . |
    tar -C "$copy" -xf -

echo "# building the module with $SANITIZE_FLAGS"
(
	cd "$copy" &&
	    tools/genconf dev >/dev/null &&
	    CFLAGS="$SANITIZE_FLAGS" LDFLAGS="-fsanitize=address,undefined" \
	    kodev build
) >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
# Refuse to run an uninstrumented module by mistake.
symbols=$(nm -D --undefined-only "$copy/$app.so")
if ! grep -q __asan_report <<<"$symbols" ||
    ! grep -q __ubsan_handle <<<"$symbols"; then
	echo "sanitize: $copy/$app.so is not instrumented" >&2
	exit 1
fi

# With libasan preloaded, kore's parent ends its start-up with glibc's
# locale lock unbalanced (gdb: __libc_setlocale_lock.__data.__readers is
# 0xfffffff8, one reader below zero, where it is 0 without libasan; the
# runtime intercepts setlocale), so every worker's exit deadlocks in
# libp11-kit's destructor (freelocale waits for that lock as a writer).
# The workers would hang after the drain and each stop wait for
# service.sh's 30 s kill. A freelocale that frees nothing lets them
# exit; nothing in reactbin or Kore frees a locale.
cat >"$tmp/exit-shim.c" <<'C'
#include <locale.h>

void
freelocale(locale_t locale)
{
	(void)locale;
}
C
cc -shared -fPIC -O2 -o "$tmp/exit-shim.so" "$tmp/exit-shim.c"

# kore, and only kore, with the sanitizer runtime and its options.
cat >"$tmp/bin/kore" <<WRAP
#!/bin/sh
LD_PRELOAD="$libasan:$tmp/exit-shim.so\${LD_PRELOAD:+:\$LD_PRELOAD}" \\
ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:log_path=$reports/asan" \\
UBSAN_OPTIONS="print_stacktrace=1:log_path=$reports/ubsan" \\
    exec "$kore_bin" "\$@"
WRAP
chmod +x "$tmp/bin/kore"
export PATH="$tmp/bin:$PATH"

private_stack "$tmp"
export OWNER_USERNAME=owner
OWNER_PASSWORD="pw-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
JWT_SECRET_KEY="jwt-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
export OWNER_PASSWORD JWT_SECRET_KEY REACTBIN_TOP="$copy"

# The scripts of the copy: they find their libraries next to themselves.
tests=()
for t in "$@"; do
	tests+=("$copy/${t#./}")
done
if [ "${#tests[@]}" -eq 0 ]; then
	tests=("$copy"/tests/integration/*.t)
fi

echo "# running ${#tests[@]} test scripts against the sanitized module"
status=0
start=$SECONDS
# shellcheck disable=SC2086 # PROVE_FLAGS is a list of options
prove --timer ${PROVE_FLAGS:-} -e '' "${tests[@]}" || status=$?
echo "# the suite took $((SECONDS - start)) s"

# Sanitizer reports: one file per process that reported (log_path.PID),
# and anything a runtime wrote to an instance's stderr instead.
mapfile -t files < <(find "$reports" -type f | sort)
mapfile -t inline < <(grep -rl -e '^==[0-9]*==ERROR: AddressSanitizer' \
    -e 'runtime error: ' "$REACTBIN_TEST_TMP" 2>/dev/null || true)
echo "# sanitizer reports: ${#files[@]} files, ${#inline[@]} logs with inline reports"
for f in "${files[@]}" "${inline[@]}"; do
	echo "# ---- $f"
	sed 's/^/# /' "$f"
done

# Kore logs a worker killed by SIGSYS (its seccomp policy) as "died from
# sandbox violation"; count those and any other mention of the sandbox.
grep -rh -e 'sandbox violation' -e 'died from sandbox' \
    -e 'seccomp.*\(violation\|denied\)' "$REACTBIN_TEST_TMP" \
    >"$tmp/sandbox.txt" 2>/dev/null || true
violations=$(wc -l <"$tmp/sandbox.txt")
echo "# sandbox violations: $violations"
sed 's/^/# /' "$tmp/sandbox.txt"

# A worker that outlived the suite hung on its way out.
mapfile -t strays < <(stray_pids)
echo "# kore processes left running after the suite: ${#strays[@]}"

if [ "${#files[@]}" -gt 0 ] || [ "${#inline[@]}" -gt 0 ] ||
    [ "$violations" -gt 0 ] || [ "${#strays[@]}" -gt 0 ]; then
	keep=1
	[ "$status" -ne 0 ] || status=1
fi
exit "$status"
