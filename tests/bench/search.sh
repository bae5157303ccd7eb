#!/usr/bin/env bash
# The search, autocomplete and export benchmarks (issue 12), alone: each
# form of the tag query language at 100,000 reactions and 5,000 tags
# against pgbench running the same statements, autocomplete at a few
# connections, and an export against listing the bucket and GETting each
# object. Not a test: it prints figures and ratios, and the EXPLAIN
# (ANALYZE, BUFFERS) of every form goes to explain.txt in the run's
# directory (BENCH_KEEP=1 keeps it; its path is printed).
#
#   tests/bench/search.sh      (about 5 minutes on 2 cores)
#
# Setup and knobs as in run.sh (see lib.sh); BENCH_SEARCH_CONNECTIONS
# (4), BENCH_EXPORT_FILES (60).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/bench/cases.sh
. "$here/cases.sh"

bench_setup
# The export first, while its files are the only reactions.
bench_export
bench_search
bench_autocomplete
bench_table_print
echo
cat "$BENCH_TMP/explain.txt"
