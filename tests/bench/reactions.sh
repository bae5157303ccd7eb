#!/usr/bin/env bash
# The reactions part of the benchmarks (issue 3), alone: a filtered list
# at 100,000 reactions against pgbench running the same SQL, upload and
# download against signed requests straight to S3, and the workers' peak
# RSS under ten 49 MiB downloads and four uploads at once. Not a test:
# it prints figures and ratios. tests/bench/run.sh runs this and more.
#
#   tests/bench/reactions.sh      (about 2 minutes on 2 cores)
#
# Setup and knobs as in run.sh (see lib.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/bench/cases.sh
. "$here/cases.sh"

bench_setup
bench_reactions
bench_table_print
