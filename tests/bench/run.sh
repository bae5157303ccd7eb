#!/usr/bin/env bash
# Every benchmark of reactbin, in one run, as one table. Not a test: it
# prints figures, each next to a baseline measured in the same run, and
# their ratios; tests/run never runs it.
#
#   tests/bench/run.sh            (about 5 minutes on 2 cores)
#
# It builds the module (kodev flavour BENCH_FLAVOR, prod by default) in a
# copy of the working tree, starts a throwaway PostgreSQL and Ceph RGW on
# 127.0.0.1 (tests/lib/pg.sh, tests/lib/s3.sh) and one reactbin instance
# with LOGIN_MAX_FAILURES at its maximum, then measures:
#   1. GET /api/v1/health: req/s and p99 against a one-handler Kore
#      application built here, same workers, settings and flags;
#   2. POST /api/v1/auth/login, right and wrong password: req/s against
#      pgbench sending the one statement the handler sends;
#   3-5. the list, transfer and memory cases of reactions.sh;
#   6. the derivatives of derive.sh: thumbnails per core against
#      vipsthumbnail, a clip's frame against ffmpeg | vipsthumbnail,
#      upload p50 with generation on and off, peak RSS while ten 45 MB
#      GIFs are derived.
#   7. each form of the tag query language and autocomplete, of
#      search.sh (its export case needs a library of real files only:
#      search.sh runs it).
# Knobs: see lib.sh (BENCH_SECONDS, BENCH_CONNECTIONS, ...).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/bench/cases.sh
. "$here/cases.sh"
# shellcheck source=tests/bench/derive.sh
. "$here/derive.sh"

bench_setup
bench_health
bench_login
bench_reactions
bench_derive
bench_search
bench_autocomplete
bench_table_print
