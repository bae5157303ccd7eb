/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for sigv4.c: every worked example of AWS's S3 documentation
 * (data/sigv4/s3-examples.json, read relative to tests/unit), the encoding
 * and ordering rules, path-style requests as reactbin sends them, and
 * refusal of input that would break or forge a request.
 *
 * sigv4.c gives out only the Authorization header; the canonical request
 * and string to sign written out here are checked through it: the test
 * derives the signature of the expected text itself (HMAC-SHA256 chain,
 * OpenSSL), which matches the header's only if sigv4.c built that text.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <yajl/yajl_tree.h>

#include "testutil.h"

#include "sigv4.h"

#define VECTORS_PATH		"data/sigv4/s3-examples.json"
#define VECTORS_SIZE_MAX	(1024 * 1024)
#define TEXT_MAX		8192
#define VEC_PAIRS_MAX		16

/* 2013-05-24T00:00:00Z, the instant of every AWS example. */
#define AWS_EXAMPLE_TIME	1369353600

/* SHA-256 of nothing, the payload hash of every bodiless request. */
#define EMPTY_SHA256		"e3b0c44298fc1c149afbf4c8996fb924" \
				"27ae41e4649b934ca495991b7852b855"

/* A test-side encoder, written apart from sigv4.c's on purpose. */
#define TEST_UNRESERVED		"ABCDEFGHIJKLMNOPQRSTUVWXYZ" \
				"abcdefghijklmnopqrstuvwxyz0123456789-_.~"

/* One example from the JSON file turned into a request. */
struct vec {
	yajl_val		obj;
	struct sigv4_pair	query[VEC_PAIRS_MAX];
	struct sigv4_pair	headers[VEC_PAIRS_MAX];
	char			path[TEXT_MAX];
	struct sigv4_request	req;
};

static yajl_val		vectors_load(void);
static const char	*jstr(yajl_val, const char *);
static const char	*jstr_req(yajl_val, const char *);
static yajl_val		jarray(yajl_val, const char *);
static const char	*pair_str(yajl_val, size_t);
static void		key_from_file(yajl_val, struct sigv4_key *);
static void		vec_load(yajl_val, yajl_val, struct vec *);
static yajl_val		vec_find(yajl_val, const char *, const char *);
static void		cat(char *, const char *);
static void		pct_encode_cat(char *, const char *, int);
static void		expected_query(yajl_val, char *);
static void		expected_canonical_request(const struct vec *, char *);
static void		scope_of(const struct sigv4_key *, const char *,
			    char *);
static void		assert_all_fail(const struct sigv4_key *,
			    const struct sigv4_request *);
static int		sig_of(const struct sigv4_key *,
			    const struct sigv4_request *,
			    char [SIGV4_SHA256_HEX_LEN + 1]);
static void		sig_of_sts(const struct sigv4_key *, const char *,
			    const char *, char [SIGV4_SHA256_HEX_LEN + 1]);
static void		sig_of_canonical(const struct sigv4_key *,
			    const char *, const char *,
			    char [SIGV4_SHA256_HEX_LEN + 1]);
static void		assert_canonical(const struct sigv4_request *,
			    const char *);
static void		assert_string_to_sign(const struct sigv4_key *,
			    const struct sigv4_request *, const char *);
static void		ranged_get_text(char *, size_t, const char *,
			    const char *);
static void		base_request(struct sigv4_request *,
			    struct sigv4_pair *, size_t);

static void	test_sha256_and_timestamp(void **);
static void	test_header_signed_vectors(void **);
static void	test_presigned_vectors(void **);
static void	test_aws_published_text(void **);
static void	test_headers_any_order_and_case(void **);
static void	test_query_any_order(void **);
static void	test_uri_encode_cases(void **);
static void	test_uri_encode_every_byte(void **);
static void	test_query_sorting(void **);
static void	test_header_canonicalisation(void **);
static void	test_path_style_get(void **);
static void	test_path_style_list(void **);
static void	test_rejects_crlf(void **);
static void	test_rejects_bad_headers(void **);
static void	test_rejects_bad_fields(void **);
static void	test_rejects_bad_key(void **);
static void	test_limits(void **);

static yajl_val
vectors_load(void)
{
	FILE		*fp;
	char		*text, err[256];
	size_t		n;
	yajl_val	root;

	fp = fopen(VECTORS_PATH, "r");
	assert_non_null(fp);

	text = malloc(VECTORS_SIZE_MAX + 1);
	assert_non_null(text);
	n = fread(text, 1, VECTORS_SIZE_MAX, fp);
	assert_int_equal(ferror(fp), 0);
	assert_true(feof(fp));
	fclose(fp);
	text[n] = '\0';

	root = yajl_tree_parse(text, err, sizeof(err));
	free(text);
	if (root == NULL)
		fail_msg("%s: %s", VECTORS_PATH, err);

	return (root);
}

static const char *
jstr(yajl_val obj, const char *key)
{
	const char	*path[] = { key, NULL };
	yajl_val	v;

	v = yajl_tree_get(obj, path, yajl_t_string);
	return (v == NULL ? NULL : YAJL_GET_STRING(v));
}

static const char *
jstr_req(yajl_val obj, const char *key)
{
	const char	*s;

	if ((s = jstr(obj, key)) == NULL)
		fail_msg("test data lacks string \"%s\"", key);

	return (s);
}

static yajl_val
jarray(yajl_val obj, const char *key)
{
	const char	*path[] = { key, NULL };
	yajl_val	v;

	v = yajl_tree_get(obj, path, yajl_t_array);
	if (v == NULL)
		fail_msg("test data lacks array \"%s\"", key);

	return (v);
}

/* Element i of a ["name", "value"] pair. */
static const char *
pair_str(yajl_val pair, size_t i)
{
	const char	*s;

	if (!YAJL_IS_ARRAY(pair) || pair->u.array.len != 2 || i > 1)
		fail_msg("test data: a query entry is not a [name, value]");
	if ((s = YAJL_GET_STRING(pair->u.array.values[i])) == NULL)
		fail_msg("test data: a query name or value is not a string");

	return (s);
}

static void
key_from_file(yajl_val root, struct sigv4_key *key)
{
	const char	*path[] = { "credentials", NULL };
	yajl_val	cred;

	cred = yajl_tree_get(root, path, yajl_t_object);
	assert_non_null(cred);

	key->access_key_id = jstr_req(cred, "access_key_id");
	key->secret = jstr_req(cred, "secret_access_key");
	key->region = jstr_req(cred, "region");
	key->service = jstr_req(cred, "service");
}

/*
 * The raw path is "/" + object_key where the file gives the key apart
 * from its encoded form, else the canonical URI itself (which then must
 * need no encoding: that is checked by the callers).
 */
static void
vec_load(yajl_val root, yajl_val v, struct vec *out)
{
	const char	*hpath[] = { "headers", NULL };
	const char	*key;
	yajl_val	q, pair, h;
	size_t		i;

	memset(out, 0, sizeof(*out));
	out->obj = v;

	if ((key = jstr(v, "object_key")) != NULL) {
		cat(out->path, "/");
		cat(out->path, key);
	} else {
		cat(out->path, jstr_req(v, "canonical_uri"));
	}

	q = jarray(v, "query");
	assert_true(q->u.array.len <= VEC_PAIRS_MAX);
	for (i = 0; i < q->u.array.len; i++) {
		pair = q->u.array.values[i];
		out->query[i].name = pair_str(pair, 0);
		out->query[i].value = pair_str(pair, 1);
	}

	h = yajl_tree_get(v, hpath, yajl_t_object);
	if (h != NULL) {
		assert_true(h->u.object.len <= VEC_PAIRS_MAX);
		for (i = 0; i < h->u.object.len; i++) {
			assert_true(YAJL_IS_STRING(h->u.object.values[i]));
			out->headers[i].name = h->u.object.keys[i];
			out->headers[i].value =
			    YAJL_GET_STRING(h->u.object.values[i]);
		}
		out->req.header_count = h->u.object.len;
	} else {
		/* Presigned examples sign the host header alone. */
		out->headers[0].name = "host";
		out->headers[0].value = jstr_req(v, "host");
		out->req.header_count = 1;
	}

	out->req.method = jstr_req(v, "method");
	out->req.path = out->path;
	out->req.query = out->query;
	out->req.query_count = q->u.array.len;
	out->req.headers = out->headers;
	out->req.payload_hash = jstr_req(v, "payload_sha256");
	out->req.timestamp = jstr_req(root, "timestamp");
}

static yajl_val
vec_find(yajl_val root, const char *list, const char *name)
{
	yajl_val	a, v;
	size_t		i;

	a = jarray(root, list);
	for (i = 0; i < a->u.array.len; i++) {
		v = a->u.array.values[i];
		if (strcmp(jstr_req(v, "name"), name) == 0)
			return (v);
	}

	fail_msg("no example \"%s\" in %s", name, list);
	return (NULL);
}

static void
cat(char *dst, const char *s)
{
	assert_true(strlen(dst) + strlen(s) < TEXT_MAX);
	strcat(dst, s);
}

static void
pct_encode_cat(char *dst, const char *s, int keep_slash)
{
	char	esc[4];

	for (; *s != '\0'; s++) {
		if (strchr(TEST_UNRESERVED, *s) != NULL ||
		    (keep_slash && *s == '/')) {
			esc[0] = *s;
			esc[1] = '\0';
		} else {
			snprintf(esc, sizeof(esc), "%%%02X",
			    (unsigned int)(unsigned char)*s);
		}
		cat(dst, esc);
	}
}

/* The file lists query pairs already in canonical order; join them. */
static void
expected_query(yajl_val q, char *out)
{
	yajl_val	pair;
	size_t		i;

	out[0] = '\0';
	for (i = 0; i < q->u.array.len; i++) {
		pair = q->u.array.values[i];
		if (i > 0)
			cat(out, "&");
		pct_encode_cat(out, pair_str(pair, 0), 0);
		cat(out, "=");
		pct_encode_cat(out, pair_str(pair, 1), 0);
	}
}

/*
 * Built from the example's own fields: its encoded canonical URI, its
 * headers (lowercase and sorted in the file), its signed-headers list.
 */
static void
expected_canonical_request(const struct vec *v, char *out)
{
	char	query[TEXT_MAX];
	size_t	i;

	expected_query(jarray(v->obj, "query"), query);

	out[0] = '\0';
	cat(out, v->req.method);
	cat(out, "\n");
	cat(out, jstr_req(v->obj, "canonical_uri"));
	cat(out, "\n");
	cat(out, query);
	cat(out, "\n");
	for (i = 0; i < v->req.header_count; i++) {
		if (i > 0) {
			assert_true(strcmp(v->headers[i - 1].name,
			    v->headers[i].name) < 0);
		}
		cat(out, v->headers[i].name);
		cat(out, ":");
		cat(out, v->headers[i].value);
		cat(out, "\n");
	}
	cat(out, "\n");
	if (jstr(v->obj, "signed_headers") != NULL)
		cat(out, jstr(v->obj, "signed_headers"));
	else
		cat(out, "host");
	cat(out, "\n");
	cat(out, v->req.payload_hash);
}

static void
scope_of(const struct sigv4_key *key, const char *ts, char *out)
{
	out[0] = '\0';
	strncat(out, ts, 8);
	cat(out, "/");
	cat(out, key->region);
	cat(out, "/");
	cat(out, key->service);
	cat(out, "/aws4_request");
}

/* Every entry point refuses req and returns nothing through out. */
static void
assert_all_fail(const struct sigv4_key *key, const struct sigv4_request *req)
{
	char	sig[SIGV4_SHA256_HEX_LEN + 1];
	char	*s;

	s = NULL;
	assert_int_equal(sigv4_authorization_header(key, req, &s), -1);
	assert_null(s);
	assert_int_equal(sig_of(key, req, sig), -1);
}

/* The Signature of req's Authorization header into out; 0, or -1. */
static int
sig_of(const struct sigv4_key *key, const struct sigv4_request *req,
    char out[SIGV4_SHA256_HEX_LEN + 1])
{
	static const char	field[] = ", Signature=";
	const char		*p;
	char			*auth;

	if (sigv4_authorization_header(key, req, &auth) == -1)
		return (-1);
	p = strstr(auth, field);
	assert_non_null(p);
	p += sizeof(field) - 1;
	assert_int_equal(strlen(p), SIGV4_SHA256_HEX_LEN);
	memcpy(out, p, SIGV4_SHA256_HEX_LEN + 1);
	free(auth);
	return (0);
}

static void
hex_of(const unsigned char *mac, size_t len, char *out)
{
	size_t	i;

	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

/* AWS's signing key derivation and the signature of sts, test-side. */
static void
sig_of_sts(const struct sigv4_key *key, const char *ts, const char *sts,
    char out[SIGV4_SHA256_HEX_LEN + 1])
{
	unsigned char	k[SHA256_DIGEST_LENGTH];
	unsigned int	klen;
	char		first[TEXT_MAX], date[9];
	const char	*steps[4];
	size_t		i;

	snprintf(first, sizeof(first), "AWS4%s", key->secret);
	snprintf(date, sizeof(date), "%.8s", ts);
	steps[0] = date;
	steps[1] = key->region;
	steps[2] = key->service;
	steps[3] = "aws4_request";

	assert_non_null(HMAC(EVP_sha256(), first, (int)strlen(first),
	    (const unsigned char *)steps[0], strlen(steps[0]), k, &klen));
	for (i = 1; i < 4; i++)
		assert_non_null(HMAC(EVP_sha256(), k, (int)klen,
		    (const unsigned char *)steps[i], strlen(steps[i]), k,
		    &klen));
	assert_non_null(HMAC(EVP_sha256(), k, (int)klen,
	    (const unsigned char *)sts, strlen(sts), k, &klen));
	hex_of(k, klen, out);
}

/* The signature of the canonical request creq, test-side. */
static void
sig_of_canonical(const struct sigv4_key *key, const char *ts,
    const char *creq, char out[SIGV4_SHA256_HEX_LEN + 1])
{
	unsigned char	h[SHA256_DIGEST_LENGTH];
	char		hash[SIGV4_SHA256_HEX_LEN + 1], scope[TEXT_MAX];
	char		sts[2 * TEXT_MAX];

	SHA256((const unsigned char *)creq, strlen(creq), h);
	hex_of(h, sizeof(h), hash);
	scope_of(key, ts, scope);
	snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256\n%s\n%s\n%s", ts, scope,
	    hash);
	sig_of_sts(key, ts, sts, out);
}

/* sigv4.c signed req as the canonical request creq. */
static void
assert_canonical(const struct sigv4_request *req, const char *creq)
{
	static const struct sigv4_key key = {
		"AKIDEXAMPLE", "canonical-check-secret", "us-east-1", "s3",
	};
	char	got[SIGV4_SHA256_HEX_LEN + 1], want[SIGV4_SHA256_HEX_LEN + 1];

	assert_int_equal(sig_of(&key, req, got), 0);
	sig_of_canonical(&key, req->timestamp, creq, want);
	assert_string_equal(got, want);
}

/* sigv4.c signed req with key as the string to sign sts. */
static void
assert_string_to_sign(const struct sigv4_key *key,
    const struct sigv4_request *req, const char *sts)
{
	char	got[SIGV4_SHA256_HEX_LEN + 1], want[SIGV4_SHA256_HEX_LEN + 1];

	assert_int_equal(sig_of(key, req, got), 0);
	sig_of_sts(key, req->timestamp, sts, want);
	assert_string_equal(got, want);
}

/* A valid path-style GET to build broken variants of. */
static void
base_request(struct sigv4_request *req, struct sigv4_pair *h, size_t n)
{
	assert_true(n >= 3);
	h[0].name = "host";
	h[0].value = "127.0.0.1:9000";
	h[1].name = "x-amz-date";
	h[1].value = "20260102T030405Z";
	h[2].name = "x-amz-content-sha256";
	h[2].value = SIGV4_UNSIGNED_PAYLOAD;

	memset(req, 0, sizeof(*req));
	req->method = "GET";
	req->path = "/reactbin/a";
	req->headers = h;
	req->header_count = 3;
	req->payload_hash = SIGV4_UNSIGNED_PAYLOAD;
	req->timestamp = "20260102T030405Z";
}

static void
test_sha256_and_timestamp(void **state)
{
	yajl_val	root, v;
	char		hex[SIGV4_SHA256_HEX_LEN + 1];
	char		ts[SIGV4_TIMESTAMP_LEN + 1];
	const char	*body;

	(void)state;
	root = vectors_load();

	assert_int_equal(sigv4_sha256_hex("", 0, hex), 0);
	assert_string_equal(hex, jstr_req(root, "empty_payload_sha256"));
	assert_int_equal(sigv4_sha256_hex(NULL, 0, hex), 0);
	assert_string_equal(hex, jstr_req(root, "empty_payload_sha256"));
	assert_int_equal(sigv4_sha256_hex(NULL, 1, hex), -1);

	v = vec_find(root, "header_signed", "put-object");
	body = jstr_req(v, "body");
	assert_int_equal(sigv4_sha256_hex(body, strlen(body), hex), 0);
	assert_string_equal(hex, jstr_req(v, "payload_sha256"));

	assert_int_equal(sigv4_timestamp(AWS_EXAMPLE_TIME, ts), 0);
	assert_string_equal(ts, jstr_req(root, "timestamp"));

	/* 1970-01-01T00:00:00Z and the last second of 9999. */
	assert_int_equal(sigv4_timestamp(0, ts), 0);
	assert_string_equal(ts, "19700101T000000Z");
	assert_int_equal(sigv4_timestamp((time_t)253402300799LL, ts), 0);
	assert_string_equal(ts, "99991231T235959Z");
	/* Year 10000 does not fit the format. */
	assert_int_equal(sigv4_timestamp((time_t)253402300800LL, ts), -1);
	assert_int_equal(sigv4_timestamp(0, NULL), -1);

	yajl_tree_free(root);
}

static void
test_header_signed_vectors(void **state)
{
	yajl_val	root, list;
	struct sigv4_key key;
	struct vec	v;
	char		expect[TEXT_MAX], scope[TEXT_MAX];
	char		hash[SIGV4_SHA256_HEX_LEN + 1];
	char		sig[SIGV4_SHA256_HEX_LEN + 1];
	char		*s;
	const char	*given;
	size_t		i;

	(void)state;
	root = vectors_load();
	key_from_file(root, &key);
	list = jarray(root, "header_signed");
	assert_true(list->u.array.len > 0);

	for (i = 0; i < list->u.array.len; i++) {
		vec_load(root, list->u.array.values[i], &v);
		print_message("# %s\n", jstr_req(v.obj, "name"));

		/* The raw path encodes to the example's canonical URI. */
		assert_int_equal(sigv4_uri_encode(v.path, 0, &s), 0);
		assert_string_equal(s, jstr_req(v.obj, "canonical_uri"));
		free(s);

		expected_canonical_request(&v, expect);
		assert_canonical(&v.req, expect);
		if ((given = jstr(v.obj, "canonical_request")) != NULL)
			assert_string_equal(expect, given);

		assert_int_equal(sigv4_sha256_hex(expect, strlen(expect),
		    hash), 0);
		scope_of(&key, v.req.timestamp, scope);
		expect[0] = '\0';
		cat(expect, "AWS4-HMAC-SHA256\n");
		cat(expect, v.req.timestamp);
		cat(expect, "\n");
		cat(expect, scope);
		cat(expect, "\n");
		cat(expect, hash);
		assert_string_to_sign(&key, &v.req, expect);
		if ((given = jstr(v.obj, "string_to_sign")) != NULL)
			assert_string_equal(expect, given);

		assert_int_equal(sig_of(&key, &v.req, sig), 0);
		assert_string_equal(sig, jstr_req(v.obj, "signature"));

		expect[0] = '\0';
		cat(expect, "AWS4-HMAC-SHA256 Credential=");
		cat(expect, key.access_key_id);
		cat(expect, "/");
		cat(expect, scope);
		cat(expect, ", SignedHeaders=");
		cat(expect, jstr_req(v.obj, "signed_headers"));
		cat(expect, ", Signature=");
		cat(expect, jstr_req(v.obj, "signature"));
		assert_int_equal(sigv4_authorization_header(&key, &v.req, &s),
		    0);
		assert_string_equal(s, expect);
		free(s);
		if ((given = jstr(v.obj, "authorization")) != NULL)
			assert_string_equal(expect, given);
	}

	yajl_tree_free(root);
}

/*
 * The presigned examples sign the X-Amz- parameters as the query of a
 * request whose only header is host: the same canonical request the
 * header signer builds for that request, so its signature is theirs.
 */
static void
test_presigned_vectors(void **state)
{
	yajl_val	root, list;
	struct sigv4_key key;
	struct vec	v;
	char		expect[TEXT_MAX];
	char		sig[SIGV4_SHA256_HEX_LEN + 1];
	size_t		i;

	(void)state;
	root = vectors_load();
	key_from_file(root, &key);
	list = jarray(root, "presigned");
	assert_true(list->u.array.len > 0);

	for (i = 0; i < list->u.array.len; i++) {
		vec_load(root, list->u.array.values[i], &v);
		print_message("# %s\n", jstr_req(v.obj, "name"));

		expected_canonical_request(&v, expect);
		assert_canonical(&v.req, expect);
		assert_int_equal(sig_of(&key, &v.req, sig), 0);
		assert_string_equal(sig, jstr_req(v.obj, "signature"));
	}

	yajl_tree_free(root);
}

/*
 * Intermediate text that AWS's worked examples print but the JSON file
 * leaves out: the ranged GET's string to sign.
 */
static void
test_aws_published_text(void **state)
{
	yajl_val	root;
	struct sigv4_key key;
	struct vec	v;

	(void)state;
	root = vectors_load();
	key_from_file(root, &key);

	vec_load(root, vec_find(root, "header_signed", "get-object-range"),
	    &v);
	assert_string_to_sign(&key, &v.req,
	    "AWS4-HMAC-SHA256\n"
	    "20130524T000000Z\n"
	    "20130524/us-east-1/s3/aws4_request\n"
	    "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");

	yajl_tree_free(root);
}

static void
test_headers_any_order_and_case(void **state)
{
	yajl_val	root;
	struct sigv4_key key;
	struct vec	v;
	struct sigv4_pair h[4];
	char		sig[SIGV4_SHA256_HEX_LEN + 1];
	char		*s;

	(void)state;
	root = vectors_load();
	key_from_file(root, &key);
	vec_load(root, vec_find(root, "header_signed", "get-object-range"),
	    &v);
	assert_int_equal(v.req.header_count, 4);

	h[0].name = "X-Amz-Date";
	h[0].value = " 20130524T000000Z";
	h[1].name = "X-AMZ-Content-SHA256";
	h[1].value = v.req.payload_hash;
	h[2].name = "Range";
	h[2].value = "\tbytes=0-9  ";
	h[3].name = "HOST";
	h[3].value = "examplebucket.s3.amazonaws.com";
	v.req.headers = h;

	assert_int_equal(sig_of(&key, &v.req, sig), 0);
	assert_string_equal(sig, jstr_req(v.obj, "signature"));
	assert_int_equal(sigv4_authorization_header(&key, &v.req, &s), 0);
	assert_non_null(strstr(s,
	    ", SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "));
	free(s);

	yajl_tree_free(root);
}

static void
test_query_any_order(void **state)
{
	yajl_val	root;
	struct sigv4_key key;
	struct vec	v;
	struct sigv4_pair tmp;
	char		sig[SIGV4_SHA256_HEX_LEN + 1];

	(void)state;
	root = vectors_load();
	key_from_file(root, &key);
	vec_load(root, vec_find(root, "header_signed", "list-objects"), &v);
	assert_int_equal(v.req.query_count, 2);

	tmp = v.query[0];
	v.query[0] = v.query[1];
	v.query[1] = tmp;

	assert_int_equal(sig_of(&key, &v.req, sig), 0);
	assert_string_equal(sig, jstr_req(v.obj, "signature"));

	/* A NULL value is the empty one, as in "?lifecycle". */
	vec_load(root, vec_find(root, "header_signed", "get-bucket-lifecycle"),
	    &v);
	v.query[0].value = NULL;
	assert_int_equal(sig_of(&key, &v.req, sig), 0);
	assert_string_equal(sig, jstr_req(v.obj, "signature"));

	yajl_tree_free(root);
}

static void
test_uri_encode_cases(void **state)
{
	static const struct {
		const char	*in;
		int		encode_slash;
		const char	*out;
	} cases[] = {
		{ "", 0, "" },
		{ "a b", 0, "a%20b" },
		{ "a b", 1, "a%20b" },
		{ "AZaz09-_.~", 1, "AZaz09-_.~" },
		{ "/bucket/some key$", 0, "/bucket/some%20key%24" },
		{ "/bucket/some key$", 1, "%2Fbucket%2Fsome%20key%24" },
		{ "a+b=c&d", 1, "a%2Bb%3Dc%26d" },
		{ "100%", 0, "100%25" },
		{ "*'()!", 0, "%2A%27%28%29%21" },
		{ "caf\xc3\xa9", 0, "caf%C3%A9" },
		{ "\xf0\x9f\x98\x80.gif", 0, "%F0%9F%98%80.gif" },
		{ "//a/../b/./", 0, "//a/../b/./" },
		{ "\t\x7f", 0, "%09%7F" },
	};
	char	*s;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = NULL;
		assert_int_equal(sigv4_uri_encode(cases[i].in,
		    cases[i].encode_slash, &s), 0);
		assert_string_equal(s, cases[i].out);
		free(s);
	}

	assert_int_equal(sigv4_uri_encode(NULL, 0, &s), -1);
	assert_int_equal(sigv4_uri_encode("a", 0, NULL), -1);
}

/* Each byte either stays (unreserved, or '/' in a path) or is %XX of it. */
static void
test_uri_encode_every_byte(void **state)
{
	char		in[2], *s;
	unsigned int	c, decoded;
	int		mode;

	(void)state;
	for (mode = 0; mode <= 1; mode++) {
		for (c = 1; c <= 0xff; c++) {
			in[0] = (char)c;
			in[1] = '\0';
			assert_int_equal(sigv4_uri_encode(in, mode, &s), 0);
			if (strchr(TEST_UNRESERVED, (int)c) != NULL ||
			    (c == '/' && mode == 0)) {
				assert_string_equal(s, in);
			} else {
				assert_int_equal(strlen(s), 3);
				assert_int_equal(s[0], '%');
				assert_true(strchr("0123456789ABCDEF", s[1]) &&
				    strchr("0123456789ABCDEF", s[2]));
				assert_int_equal(sscanf(s + 1, "%2X",
				    &decoded), 1);
				assert_int_equal(decoded, c);
			}
			free(s);
		}
	}
}

static void
test_query_sorting(void **state)
{
	struct sigv4_request	req;
	struct sigv4_pair	h[3];
	struct sigv4_pair	q[] = {
		{ "b", "1" },
		{ "a", "2" },
		{ "k_", "x" },
		{ "a", "10" },
		{ "k`", "y" },
		{ "A", "z" },
		{ "x y", "p/q r" },
		{ "empty", "" },
	};
	char			*s;

	(void)state;
	base_request(&req, h, 3);
	req.query = q;
	req.query_count = sizeof(q) / sizeof(q[0]);

	/*
	 * Sorted after encoding: '`' becomes "%60", which sorts before '_'
	 * though the raw byte sorts after it; equal names sort by value.
	 */
	assert_int_equal(sigv4_canonical_query(&req, &s), 0);
	assert_string_equal(s,
	    "A=z&a=10&a=2&b=1&empty=&k%60=y&k_=x&x%20y=p%2Fq%20r");
	free(s);

	req.query_count = 0;
	assert_int_equal(sigv4_canonical_query(&req, &s), 0);
	assert_string_equal(s, "");
	free(s);
}

static void
test_header_canonicalisation(void **state)
{
	struct sigv4_request	req;
	struct sigv4_pair	h[] = {
		{ "X-Amz-Meta-Note", "  two   words\t\tand  \t tabs  " },
		{ "Host", "127.0.0.1:9000" },
		{ "X-Amz-Date", "20260102T030405Z" },
		{ "x-amz-content-sha256", SIGV4_UNSIGNED_PAYLOAD },
		{ "Content-Type", "image/png" },
		{ "X-Empty", "   " },
		{ "a-b", "\"quoted  string\"" },
	};
	(void)state;
	memset(&req, 0, sizeof(req));
	req.method = "PUT";
	req.path = "/reactbin/k";
	req.headers = h;
	req.header_count = sizeof(h) / sizeof(h[0]);
	req.payload_hash = SIGV4_UNSIGNED_PAYLOAD;
	req.timestamp = "20260102T030405Z";

	assert_canonical(&req,
	    "PUT\n"
	    "/reactbin/k\n"
	    "\n"
	    "a-b:\"quoted string\"\n"
	    "content-type:image/png\n"
	    "host:127.0.0.1:9000\n"
	    "x-amz-content-sha256:UNSIGNED-PAYLOAD\n"
	    "x-amz-date:20260102T030405Z\n"
	    "x-amz-meta-note:two words and tabs\n"
	    "x-empty:\n"
	    "\n"
	    "a-b;content-type;host;x-amz-content-sha256;x-amz-date;"
	    "x-amz-meta-note;x-empty\n"
	    "UNSIGNED-PAYLOAD");

	/* An empty path is the root. */
	req.path = "";
	req.header_count = 2;
	assert_canonical(&req,
	    "PUT\n"
	    "/\n"
	    "\n"
	    "host:127.0.0.1:9000\n"
	    "x-amz-meta-note:two words and tabs\n"
	    "\n"
	    "host;x-amz-meta-note\n"
	    "UNSIGNED-PAYLOAD");
}

/* The canonical request of test_path_style_get's GET of bytes 0-9. */
static void
ranged_get_text(char *out, size_t len, const char *uri, const char *host)
{
	snprintf(out, len,
	    "GET\n"
	    "%s\n"
	    "\n"
	    "host:%s\n"
	    "range:bytes=0-9\n"
	    "x-amz-content-sha256:" EMPTY_SHA256 "\n"
	    "x-amz-date:20130524T000000Z\n"
	    "\n"
	    "host;range;x-amz-content-sha256;x-amz-date\n"
	    EMPTY_SHA256, uri, host);
}

/*
 * A ranged GET of an object as reactbin's storage sends it, path-style;
 * the canonical request is written out by hand from AWS's rules.
 */
static void
test_path_style_get(void **state)
{
	struct sigv4_key	key = {
		"AKIAIOSFODNN7EXAMPLE",
		"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"us-east-1", "s3",
	};
	struct sigv4_pair	h[] = {
		{ "Host", "s3.us-east-1.amazonaws.com" },
		{ "Range", "bytes=0-9" },
		{ "x-amz-content-sha256", EMPTY_SHA256 },
		{ "x-amz-date", "20130524T000000Z" },
	};
	struct sigv4_request	req;
	char			expect[TEXT_MAX];
	char			hash[SIGV4_SHA256_HEX_LEN + 1];
	char			sig[SIGV4_SHA256_HEX_LEN + 1];
	char			vhost_sig[SIGV4_SHA256_HEX_LEN + 1];

	(void)state;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = "/examplebucket/test.txt";
	req.headers = h;
	req.header_count = sizeof(h) / sizeof(h[0]);
	req.payload_hash = h[2].value;
	req.timestamp = "20130524T000000Z";

	ranged_get_text(expect, sizeof(expect), "/examplebucket/test.txt",
	    "s3.us-east-1.amazonaws.com");
	assert_canonical(&req, expect);

	assert_int_equal(sigv4_sha256_hex(expect, strlen(expect), hash), 0);
	snprintf(expect, sizeof(expect), "AWS4-HMAC-SHA256\n"
	    "20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n%s", hash);
	assert_string_to_sign(&key, &req, expect);

	/* Path and host are signed: the virtual-hosted signature differs. */
	assert_int_equal(sig_of(&key, &req, sig), 0);
	req.path = "/test.txt";
	h[0].value = "examplebucket.s3.amazonaws.com";
	assert_int_equal(sig_of(&key, &req, vhost_sig), 0);
	assert_string_equal(vhost_sig,
	    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
	assert_string_not_equal(sig, vhost_sig);

	/* A key with reserved and UTF-8 bytes, encoded once, '/' kept. */
	req.path = "/reactbin/ab/cd/my photo+1~\xc3\xa9$.png";
	h[0].value = "127.0.0.1:9000";
	ranged_get_text(expect, sizeof(expect),
	    "/reactbin/ab/cd/my%20photo%2B1~%C3%A9%24.png", "127.0.0.1:9000");
	assert_canonical(&req, expect);
}

/* ListObjectsV2 on a bucket, path-style, with a continuation token. */
static void
test_path_style_list(void **state)
{
	struct sigv4_pair	h[] = {
		{ "host", "localhost:9000" },
		{ "x-amz-date", "20260102T030405Z" },
		{ "x-amz-content-sha256", EMPTY_SHA256 },
	};
	struct sigv4_pair	q[] = {
		{ "prefix", "pending/2026 01/" },
		{ "list-type", "2" },
		{ "continuation-token", "1/Ab+c=" },
	};
	struct sigv4_request	req;
	char			*s;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = "/reactbin";
	req.query = q;
	req.query_count = sizeof(q) / sizeof(q[0]);
	req.headers = h;
	req.header_count = sizeof(h) / sizeof(h[0]);
	req.payload_hash = h[2].value;
	req.timestamp = "20260102T030405Z";

	assert_int_equal(sigv4_canonical_query(&req, &s), 0);
	assert_string_equal(s, "continuation-token=1%2FAb%2Bc%3D&list-type=2"
	    "&prefix=pending%2F2026%2001%2F");
	free(s);

	assert_canonical(&req,
	    "GET\n"
	    "/reactbin\n"
	    "continuation-token=1%2FAb%2Bc%3D&list-type=2"
	    "&prefix=pending%2F2026%2001%2F\n"
	    "host:localhost:9000\n"
	    "x-amz-content-sha256:"
	    EMPTY_SHA256 "\n"
	    "x-amz-date:20260102T030405Z\n"
	    "\n"
	    "host;x-amz-content-sha256;x-amz-date\n"
	    EMPTY_SHA256);
}

static void
test_rejects_crlf(void **state)
{
	static const char *const bad[] = {
		"bytes=0-9\r\nx-amz-acl: public-read",
		"bytes=0-9\n",
		"\rbytes=0-9",
		"bytes=0-9\r",
		"a\x01z",
		"a\x7fz",
	};
	struct sigv4_key	key = { "AK", "secret", "us-east-1", "s3" };
	struct sigv4_request	req;
	struct sigv4_pair	h[4];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		base_request(&req, h, 4);
		h[3].name = "range";
		h[3].value = bad[i];
		req.header_count = 4;
		assert_all_fail(&key, &req);

		/* In the host header too. */
		base_request(&req, h, 4);
		h[0].value = bad[i];
		assert_all_fail(&key, &req);
	}
}

static void
test_rejects_bad_headers(void **state)
{
	static const char *const bad_names[] = {
		"", "x amz", "x:amz", "x-amz\r\n", "(x)", "x/y", "caf\xc3\xa9",
		"x\"", "x@y",
	};
	struct sigv4_key	key = { "AK", "secret", "us-east-1", "s3" };
	struct sigv4_request	req;
	struct sigv4_pair	h[4];
	char			sig[SIGV4_SHA256_HEX_LEN + 1];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		base_request(&req, h, 4);
		h[3].name = bad_names[i];
		h[3].value = "v";
		req.header_count = 4;
		assert_all_fail(&key, &req);
	}

	/* Token characters other than letters are fine. */
	base_request(&req, h, 4);
	h[3].name = "x!#$%&'*+-.^_`|~9";
	h[3].value = "v";
	req.header_count = 4;
	assert_int_equal(sig_of(&key, &req, sig), 0);

	/* NULL name or value. */
	h[3].name = NULL;
	assert_all_fail(&key, &req);
	h[3].name = "x-a";
	h[3].value = NULL;
	assert_all_fail(&key, &req);

	/* The same header twice, in whatever case. */
	base_request(&req, h, 4);
	h[3].name = "HOST";
	h[3].value = "127.0.0.1:9000";
	req.header_count = 4;
	assert_all_fail(&key, &req);

	/* No host header. */
	base_request(&req, h, 4);
	h[0].name = "x-host";
	assert_all_fail(&key, &req);

	/* x-amz-date or x-amz-content-sha256 disagreeing with the fields. */
	base_request(&req, h, 4);
	h[1].value = "20260102T030406Z";
	assert_all_fail(&key, &req);
	base_request(&req, h, 4);
	h[2].value = EMPTY_SHA256;
	assert_all_fail(&key, &req);

	/* Headers counted but not given. */
	base_request(&req, h, 4);
	req.headers = NULL;
	assert_all_fail(&key, &req);
}

static void
test_rejects_bad_fields(void **state)
{
	static const char *const bad_methods[] = {
		"", "get", "GET ", "G\nET", "POSTPOSTPOSTPOSTX",
	};
	static const char *const bad_ts[] = {
		"", "20260102T030405", "20260102T030405ZZ", "2026010 T030405Z",
		"20260102t030405Z", "20260102T030405Z ", "2026-01-02T03:04:05Z",
	};
	static const char *const bad_hashes[] = {
		"", "unsigned-payload", "UNSIGNED-PAYLOAD ",
		/* Uppercase, one digit short, one too many, not hex. */
		"E3B0C44298FC1C149AFBF4C8996FB924"
		    "27AE41E4649B934CA495991B7852B855",
		"e3b0c44298fc1c149afbf4c8996fb924"
		    "27ae41e4649b934ca495991b7852b85",
		EMPTY_SHA256 "5",
		"g3b0c44298fc1c149afbf4c8996fb924"
		    "27ae41e4649b934ca495991b7852b855",
	};
	struct sigv4_key	key = { "AK", "secret", "us-east-1", "s3" };
	struct sigv4_request	req;
	struct sigv4_pair	h[3], q[1];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad_methods) / sizeof(bad_methods[0]); i++) {
		base_request(&req, h, 3);
		req.method = bad_methods[i];
		assert_all_fail(&key, &req);
	}

	/* Timestamps: drop the x-amz-date header so only the field counts. */
	for (i = 0; i < sizeof(bad_ts) / sizeof(bad_ts[0]); i++) {
		base_request(&req, h, 3);
		h[1].name = "x-other";
		req.timestamp = bad_ts[i];
		assert_all_fail(&key, &req);
	}

	for (i = 0; i < sizeof(bad_hashes) / sizeof(bad_hashes[0]); i++) {
		base_request(&req, h, 3);
		req.header_count = 2;
		req.payload_hash = bad_hashes[i];
		assert_all_fail(&key, &req);
	}

	base_request(&req, h, 3);
	req.path = "reactbin/a";
	assert_all_fail(&key, &req);
	req.path = NULL;
	assert_all_fail(&key, &req);

	base_request(&req, h, 3);
	req.method = NULL;
	assert_all_fail(&key, &req);
	base_request(&req, h, 3);
	req.timestamp = NULL;
	assert_all_fail(&key, &req);
	base_request(&req, h, 3);
	req.payload_hash = NULL;
	assert_all_fail(&key, &req);

	/* Query parameters need a name; the value may be anything. */
	base_request(&req, h, 3);
	req.query = q;
	req.query_count = 1;
	q[0].name = "";
	q[0].value = "v";
	assert_all_fail(&key, &req);
	q[0].name = NULL;
	assert_all_fail(&key, &req);
	req.query = NULL;
	assert_all_fail(&key, &req);

	assert_all_fail(&key, NULL);
}

static void
test_rejects_bad_key(void **state)
{
	static const struct sigv4_key bad[] = {
		{ NULL, "secret", "us-east-1", "s3" },
		{ "", "secret", "us-east-1", "s3" },
		{ "AK/X", "secret", "us-east-1", "s3" },
		{ "AK,X", "secret", "us-east-1", "s3" },
		{ "AK X", "secret", "us-east-1", "s3" },
		{ "AK", NULL, "us-east-1", "s3" },
		{ "AK", "", "us-east-1", "s3" },
		{ "AK", "secret", "us-east-1/x", "s3" },
		{ "AK", "secret", "", "s3" },
		{ "AK", "secret", "us-east-1\n", "s3" },
		{ "AK", "secret", "us-east-1", NULL },
		{ "AK", "secret", "us-east-1", "s3/" },
	};
	struct sigv4_request	req;
	struct sigv4_pair	h[3];
	char			sig[SIGV4_SHA256_HEX_LEN + 1];
	char			secret[SIGV4_SECRET_MAX + 2];
	char			*s;
	struct sigv4_key	key;
	size_t			i;

	(void)state;
	base_request(&req, h, 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = NULL;
		assert_int_equal(sigv4_authorization_header(&bad[i], &req,
		    &s), -1);
		assert_null(s);
	}
	assert_int_equal(sigv4_authorization_header(NULL, &req, &s), -1);

	/* The longest secret signs; one byte more is refused. */
	memset(secret, 'k', SIGV4_SECRET_MAX);
	secret[SIGV4_SECRET_MAX] = '\0';
	key.access_key_id = "AK";
	key.secret = secret;
	key.region = "us-east-1";
	key.service = "s3";
	assert_int_equal(sig_of(&key, &req, sig), 0);
	secret[SIGV4_SECRET_MAX] = 'k';
	secret[SIGV4_SECRET_MAX + 1] = '\0';
	assert_int_equal(sig_of(&key, &req, sig), -1);

	/* A different secret gives a different signature. */
	key.secret = "secret";
	assert_int_equal(sig_of(&key, &req, sig), 0);
	key.secret = "secreT";
	assert_int_equal(sigv4_authorization_header(&key, &req, &s), 0);
	assert_null(strstr(s, sig));
	free(s);
}

static void
test_limits(void **state)
{
	struct sigv4_key	key = { "AK", "secret", "us-east-1", "s3" };
	struct sigv4_request	req;
	struct sigv4_pair	h[SIGV4_HEADERS_MAX + 1];
	struct sigv4_pair	q[SIGV4_QUERY_MAX + 1];
	char			names[SIGV4_HEADERS_MAX + 1][16];
	char			sig[SIGV4_SHA256_HEX_LEN + 1];
	char			*big, *s;
	size_t			i;

	(void)state;
	base_request(&req, h, SIGV4_HEADERS_MAX + 1);
	for (i = 3; i <= SIGV4_HEADERS_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "x-h%zu", i);
		h[i].name = names[i];
		h[i].value = "v";
	}
	req.header_count = SIGV4_HEADERS_MAX;
	assert_int_equal(sig_of(&key, &req, sig), 0);
	req.header_count = SIGV4_HEADERS_MAX + 1;
	assert_all_fail(&key, &req);

	base_request(&req, h, 3);
	for (i = 0; i <= SIGV4_QUERY_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "q%zu", i);
		q[i].name = names[i];
		q[i].value = "v";
	}
	req.query = q;
	req.query_count = SIGV4_QUERY_MAX;
	assert_int_equal(sig_of(&key, &req, sig), 0);
	req.query_count = SIGV4_QUERY_MAX + 1;
	assert_all_fail(&key, &req);
	assert_int_equal(sigv4_canonical_query(&req, &s), -1);

	/* Long values, names and paths: the limit passes, one more fails. */
	big = malloc(SIGV4_PATH_MAX + 2);
	assert_non_null(big);

	memset(big, 'v', SIGV4_VALUE_MAX + 1);
	big[SIGV4_VALUE_MAX] = '\0';
	base_request(&req, h, 4);
	h[3].name = "x-big";
	h[3].value = big;
	req.header_count = 4;
	assert_int_equal(sig_of(&key, &req, sig), 0);
	big[SIGV4_VALUE_MAX] = 'v';
	big[SIGV4_VALUE_MAX + 1] = '\0';
	assert_all_fail(&key, &req);

	/* A value full of encodable bytes triples but is still signed. */
	memset(big, ' ', SIGV4_VALUE_MAX);
	big[0] = 'a';
	big[SIGV4_VALUE_MAX] = '\0';
	base_request(&req, h, 3);
	q[0].name = "prefix";
	q[0].value = big;
	req.query = q;
	req.query_count = 1;
	assert_int_equal(sigv4_canonical_query(&req, &s), 0);
	assert_int_equal(strlen(s), strlen("prefix=a") +
	    3 * (SIGV4_VALUE_MAX - 1));
	free(s);

	memset(big, 'n', SIGV4_NAME_MAX + 1);
	big[SIGV4_NAME_MAX] = '\0';
	base_request(&req, h, 4);
	h[3].name = big;
	h[3].value = "v";
	req.header_count = 4;
	assert_int_equal(sig_of(&key, &req, sig), 0);
	big[SIGV4_NAME_MAX] = 'n';
	big[SIGV4_NAME_MAX + 1] = '\0';
	assert_all_fail(&key, &req);

	memset(big, 'p', SIGV4_PATH_MAX + 1);
	big[0] = '/';
	big[SIGV4_PATH_MAX] = '\0';
	base_request(&req, h, 3);
	req.path = big;
	assert_int_equal(sig_of(&key, &req, sig), 0);
	big[SIGV4_PATH_MAX] = 'p';
	big[SIGV4_PATH_MAX + 1] = '\0';
	assert_all_fail(&key, &req);

	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_and_timestamp),
		cmocka_unit_test(test_header_signed_vectors),
		cmocka_unit_test(test_presigned_vectors),
		cmocka_unit_test(test_aws_published_text),
		cmocka_unit_test(test_headers_any_order_and_case),
		cmocka_unit_test(test_query_any_order),
		cmocka_unit_test(test_uri_encode_cases),
		cmocka_unit_test(test_uri_encode_every_byte),
		cmocka_unit_test(test_query_sorting),
		cmocka_unit_test(test_header_canonicalisation),
		cmocka_unit_test(test_path_style_get),
		cmocka_unit_test(test_path_style_list),
		cmocka_unit_test(test_rejects_crlf),
		cmocka_unit_test(test_rejects_bad_headers),
		cmocka_unit_test(test_rejects_bad_fields),
		cmocka_unit_test(test_rejects_bad_key),
		cmocka_unit_test(test_limits),
	};

	return (cmocka_run_group_tests_name("sigv4", tests, NULL, NULL));
}
