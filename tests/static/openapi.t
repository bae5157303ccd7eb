#!/usr/bin/env bash
# The OpenAPI document (assets/docs/openapi.json): Redocly's linter, as
# tools/openapi's lockfile pins it, finds no error and no warning under
# its recommended-strict rules; and every route of kore.conf.in, with
# each of its methods, is an operation of the document (the integration
# tests then check every answer they get against it: tests/lib/http.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

doc=assets/docs/openapi.json
redocly=tools/openapi/node_modules/.bin/redocly

# Under CI a missing linter is a failure, never a skip.
if [ ! -x "$redocly" ]; then
	[ -n "${CI:-}" ] && { echo "Bail out! run 'npm ci' in tools/openapi"; exit 1; }
	skip_all "run 'npm ci' in tools/openapi first"
fi

jq -e '.openapi == "3.1.0"' "$doc" >/dev/null
ok $? "the document is JSON and says OpenAPI 3.1.0"

# No telemetry, no update check: the linter reads the file and nothing else.
out=$(cd tools/openapi && REDOCLY_TELEMETRY=off \
    REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1 \
    ./node_modules/.bin/redocly lint --format=stylish \
    --extends=recommended-strict "../../$doc" 2>&1)
status=$?
ok "$status" "redocly lint (recommended-strict) passes"
[ "$status" -eq 0 ] || diag "$out"
# recommended-strict makes every warning an error; a warning is still
# looked for, in case a rule the ruleset does not name reports one.
unlike "$out" '[0-9]+ warnings?|[0-9]+ errors?' "with no error and no warning"

# Every route with each method: a concrete path the route's regex takes
# is one of the document's paths (its path parameters' examples put in)
# that has the method.
out=$(python3 - "$doc" kore.conf.in <<'PY'
import json, re, sys

doc = json.load(open(sys.argv[1]))
routes, cur = [], None
for line in open(sys.argv[2]):
    m = re.match(r"^\s*route\s+(\S+)\s*\{", line)
    if m:
        cur = {"path": m.group(1), "methods": []}
        routes.append(cur)
        continue
    m = re.match(r"^\s*methods\s+(.*)$", line)
    if m and cur is not None:
        cur["methods"] = m.group(1).split()

samples = []
for template, item in doc["paths"].items():
    params = {}
    for op in [item] + [item[m] for m in item if m in
                        ("get", "head", "post", "patch", "delete")]:
        for p in op.get("parameters", []):
            if "$ref" in p:
                p = doc["components"]["parameters"][p["$ref"].split("/")[-1]]
            if p["in"] == "path":
                params[p["name"]] = p["example"]
    concrete = re.sub(r"\{([^}]+)\}", lambda m: params[m.group(1)], template)
    samples.append((concrete, template, item))

missing = 0
for r in routes:
    if r["path"] == "^/.*$":
        continue           # the fallback: the document's x-reactbin-unrouted
    if r["path"].startswith("^"):
        rx = re.compile(r["path"])
    else:
        rx = re.compile("^" + re.escape(r["path"]) + "$")
    hits = [(c, t, i) for c, t, i in samples if rx.match(c)]
    if not hits:
        print("route %s: no path of the document" % r["path"])
        missing += 1
        continue
    for m in r["methods"]:
        if not any(m in i for _, _, i in hits):
            print("route %s: %s is not an operation of %s" %
                  (r["path"], m.upper(), ", ".join(t for _, t, _ in hits)))
            missing += 1
print("%d routes" % len(routes))
sys.exit(1 if missing else 0)
PY
)
ok $? "every route of kore.conf.in and its methods are in the document"
diag "$out"

done_testing
