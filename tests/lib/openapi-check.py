#!/usr/bin/env python3
"""Check recorded responses against the OpenAPI document.

    openapi-check.py DOCUMENT LOG

LOG is what tests/lib/http.sh's `request` writes, one response a line:
METHOD, the path as requested (query included), the status and the
folder that holds its `headers` and, unless it was large and not text,
its `body`, separated by tabs. Each response must be one the document
describes for its path, method and status: its required headers there
with values their schemas take, a body of a media type it lists, and a
JSON body its schema takes (JSON Schema 2020-12, the dialect of OpenAPI
3.1, through Debian's python3-jsonschema). A request no operation takes
(a path no template matches, or a method the path does not take) is
checked against the document's `x-reactbin-unrouted` answers, and one
without the X-Request-Id every answer of the module has (the server's
own, before any route ran) against its `x-reactbin-server` answers.

Prints one line per response that fails and a summary; exits 1 when one
failed, 2 when the document or the log cannot be read.
"""

import gzip
import json
import os
import re
import sys
import urllib.parse

import jsonschema

DOC_URI = "urn:reactbin:openapi"
METHODS = ("get", "head", "post", "put", "patch", "delete", "options")
# A body only counts as JSON when its media type says so.
JSON_TYPE = re.compile(r"^application/([a-z0-9.+-]+\+)?json$")
NO_BODY_STATUSES = (204, 304)


def pointer(*parts):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1")
                   for p in parts)


def lookup(doc, ptr):
    node = doc
    for raw in ptr.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def deref(doc, node, ptr):
    """Follow an OpenAPI (not schema) $ref; returns the node and its
    pointer in the document."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or seen > 16:
            raise ValueError("unsupported $ref %r at %s" % (ref, ptr))
        ptr = ref[1:]
        node = lookup(doc, ptr)
        seen += 1
    return node, ptr


class Checker:
    def __init__(self, doc):
        self.doc = doc
        self.validators = {}
        self.templates = []
        for template, item in doc.get("paths", {}).items():
            names = re.findall(r"\{([^}/]+)\}", template)
            rx = "^" + "".join(
                "(?P<p%d>[^/]+)" % names.index(part[1:-1])
                if part.startswith("{") else re.escape(part)
                for part in re.split(r"(\{[^}/]+\})", template)) + "$"
            self.templates.append((len(names), template, re.compile(rx),
                                   names, item))
        # Literal paths before templated ones (/reactions/random before
        # /reactions/{id}), as the document's reader would take them.
        self.templates.sort(key=lambda t: t[0])
        if not self._has_referencing():
            self.resolver = jsonschema.RefResolver(DOC_URI, doc,
                                                   store={DOC_URI: doc})
            self.registry = None
        else:
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT202012
            self.resolver = None
            self.registry = Registry().with_resource(
                DOC_URI, Resource(contents=doc, specification=DRAFT202012))

    @staticmethod
    def _has_referencing():
        try:
            import referencing  # noqa: F401  (jsonschema >= 4.18)
            return True
        except ImportError:
            return False

    def validator(self, ptr):
        if ptr not in self.validators:
            frag = urllib.parse.quote(ptr, safe="/~")
            schema = {"$ref": DOC_URI + "#" + frag}
            cls = jsonschema.Draft202012Validator
            if self.registry is not None:
                v = cls(schema, registry=self.registry)
            else:
                v = cls(schema, resolver=self.resolver)
            self.validators[ptr] = v
        return self.validators[ptr]

    def schema_errors(self, ptr, value):
        errs = sorted(self.validator(ptr).iter_errors(value),
                      key=lambda e: list(e.absolute_path))
        return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or
                            "(body)", e.message[:300]) for e in errs[:3]]

    def route(self, method, path):
        """The responses object (and its pointer) that describe a request."""
        for _, template, rx, names, item in self.templates:
            m = rx.match(path)
            if not m:
                continue
            item, item_ptr = deref(self.doc, item, pointer("paths", template))
            values = {n: urllib.parse.unquote(m.group("p%d" % i))
                      for i, n in enumerate(names)}
            op = item.get(method)
            params = list(item.get("parameters", []))
            if op is not None:
                params += op.get("parameters", [])
            if not self.path_params_fit(params, values, item_ptr):
                continue
            if op is None:
                break
            return (op["responses"],
                    pointer("paths", template, method, "responses"),
                    "%s %s" % (method.upper(), template))
        unrouted = self.doc["x-reactbin-unrouted"]
        return (unrouted["responses"],
                pointer("x-reactbin-unrouted", "responses"),
                "unrouted %s %s" % (method.upper(), path))

    def path_params_fit(self, params, values, item_ptr):
        for i, p in enumerate(params):
            p, ptr = deref(self.doc, p, item_ptr + pointer("parameters", i))
            if p.get("in") != "path" or p["name"] not in values:
                continue
            if self.schema_errors(ptr + "/schema", values[p["name"]]):
                return False
        return True

    def check(self, method, path, status, headers, body, body_len):
        responses, ptr, where = self.route(method, path.split("?", 1)[0])
        # Every answer of the module carries a request id; one without
        # is the server's own (Kore's, before a route ran).
        server = self.doc.get("x-reactbin-server", {}).get("responses", {})
        if "x-request-id" not in headers and str(status) in server:
            responses = server
            ptr = pointer("x-reactbin-server", "responses")
            where = "server %s %s" % (method.upper(), path)
        key = str(status)
        if key not in responses:
            key = "%dXX" % (status // 100)
        if key not in responses:
            key = "default"
        if key not in responses:
            return ["%s: status %d is not described (it lists %s)" %
                    (where, status, ", ".join(sorted(responses)))]
        resp, rptr = deref(self.doc, responses[key], ptr + pointer(key))
        problems = self.check_headers(resp, rptr, headers)

        has_body = method != "head" and body_len > 0
        content = resp.get("content")
        if not has_body:
            if (method != "head" and content and
                    status not in NO_BODY_STATUSES):
                problems.append("no body, where the document gives %s" %
                                ", ".join(sorted(content)))
            return ["%s %d: %s" % (where, status, p) for p in problems]
        if not content:
            problems.append("a body of %d bytes, where the document gives "
                            "none" % body_len)
            return ["%s %d: %s" % (where, status, p) for p in problems]

        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        media = None
        for candidate in (ctype, ctype.split("/")[0] + "/*", "*/*"):
            if candidate in content:
                media = candidate
                break
        if media is None:
            problems.append("Content-Type %r is not one of %s" %
                            (ctype, ", ".join(sorted(content))))
        elif JSON_TYPE.match(ctype) and "schema" in content[media]:
            if body is None:
                problems.append("a JSON body that was not kept")
            else:
                try:
                    if headers.get("content-encoding") == "gzip":
                        body = gzip.decompress(body)
                    value = json.loads(body.decode("utf-8"))
                except (OSError, EOFError, UnicodeDecodeError,
                        ValueError) as e:
                    problems.append("a body that is not JSON: %s" % e)
                else:
                    sptr = rptr + pointer("content", media, "schema")
                    problems += self.schema_errors(sptr, value)
        return ["%s %d: %s" % (where, status, p) for p in problems]

    def check_headers(self, resp, rptr, headers):
        problems = []
        for name, h in resp.get("headers", {}).items():
            h, hptr = deref(self.doc, h, rptr + pointer("headers", name))
            value = headers.get(name.lower())
            if value is None:
                if h.get("required"):
                    problems.append("header %s is missing" % name)
                continue
            schema = h.get("schema", {})
            if schema.get("type") == "integer":
                try:
                    value = int(value)
                except ValueError:
                    problems.append("header %s: %r is not an integer" %
                                    (name, value))
                    continue
            for e in self.schema_errors(hptr + "/schema", value):
                problems.append("header %s: %s" % (name, e))
        return problems


def read_headers(path):
    """The last response's headers (curl -D also writes a 100's)."""
    headers = {}
    with open(path, "rb") as f:
        for raw in f.read().decode("latin-1").split("\n"):
            line = raw.rstrip("\r")
            if line.startswith("HTTP/"):
                headers = {}
            elif ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
    return headers


def main(argv):
    if len(argv) != 3:
        print("usage: openapi-check.py DOCUMENT LOG", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            checker = Checker(json.load(f))
        with open(argv[2], encoding="utf-8", errors="replace") as f:
            lines = [line.rstrip("\n") for line in f if line.strip()]
    except (OSError, ValueError, KeyError) as e:
        print("openapi-check: %s" % e, file=sys.stderr)
        return 2

    failed = 0
    for line in lines:
        try:
            method, path, status, folder, body_len = line.split("\t")
            headers = read_headers(os.path.join(folder, "headers"))
            body_path = os.path.join(folder, "body")
            body = None
            if os.path.exists(body_path):
                with open(body_path, "rb") as f:
                    body = f.read()
            problems = checker.check(method.lower(), path, int(status),
                                     headers, body, int(body_len))
        except (OSError, ValueError) as e:
            problems = ["cannot read the record %r: %s" % (line, e)]
        if problems:
            failed += 1
            for p in problems:
                print("%s %s -> %s" % (method, path, p))
    print("%d responses checked, %d not as the document describes them" %
          (len(lines), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
