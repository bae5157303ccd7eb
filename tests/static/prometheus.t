#!/usr/bin/env bash
# deploy/prometheus: the scrape configuration and the alert rules are
# what promtool accepts (check config, check rules), each alert fires on
# the series that should fire it and not on the others (test rules with
# alerts.test.yml), every reactbin_* metric a rule names is one the
# module shows (src/pure/metrics.c), and the README shows both files as they
# are. promtool is Debian's prometheus package (.ci/packages).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

dir=deploy/prometheus
if ! command -v promtool >/dev/null; then
	echo "not ok 1 - promtool is installed (the prometheus package)"
	exit 1
fi

# checked LABEL CMD...: CMD succeeds; its output is in OUT, and shown if not.
checked() {
	local label=$1 status
	shift
	OUT=$("$@" 2>&1)
	status=$?
	ok "$status" "$label"
	[ "$status" -eq 0 ] || diag "$OUT"
}

checked "promtool check config $dir/prometheus.yml" \
    promtool check config "$dir/prometheus.yml"
checked "promtool check rules $dir/alerts.yml" \
    promtool check rules "$dir/alerts.yml"
like "$OUT" 'SUCCESS: [3-9] rules found' "at least three alert rules"
checked "promtool test rules: each alert fires when it should, and only then" \
    sh -c "cd $dir && promtool test rules alerts.test.yml"

# The metrics the rules name (histograms by their _bucket, _sum, _count).
named=$(grep -oE 'reactbin_[a-z_]+' "$dir/alerts.yml" | sort -u)
shown=$(grep -oE '"reactbin_[a-z_]+"' src/pure/metrics.c | tr -d '"' | sort -u)
missing=""
for m in $named; do
	base=$(sed -E 's/_(bucket|sum|count)$//' <<<"$m")
	grep -qx -- "$m" <<<"$shown" || grep -qx -- "$base" <<<"$shown" ||
	    missing="$missing $m"
done
is "$missing" "" "every reactbin_* metric the rules name is one the module shows"

# readme_block FILE: the README's fenced yaml block that begins with
# FILE's first line.
readme_block() {
	awk -v first="$(head -n 1 "$1")" '
		/^```yaml$/ { inblock = 1; n = 0; next }
		/^```$/ { if (keep) exit; inblock = 0; next }
		inblock { n++; if (n == 1 && $0 == first) keep = 1; if (keep) print }
	' README.md
}
for f in prometheus.yml alerts.yml; do
	checked "the README shows $dir/$f as it is" \
	    diff <(readme_block "$dir/$f") "$dir/$f"
done

done_testing
