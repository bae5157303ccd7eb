/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * AWS Signature Version 4 as S3 applies it: the storage code signs every
 * object and bucket request with these functions (libcurl 7.88's own
 * CURLOPT_AWS_SIGV4 signs Kore's "Expect:" removal too: README, Storage).
 * Every input is validated against fixed limits before any output is
 * built, so hostile keys, paths or header values can neither overflow a
 * buffer nor smuggle a header line into the request.
 */

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "encoding.h"
#include "sigv4.h"

#define SIGV4_ALGORITHM		"AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR	"aws4_request"
#define SIGV4_KEY_PREFIX	"AWS4"

/* Positions in "YYYYMMDDTHHMMSSZ"; the first 8 bytes are the date. */
#define SIGV4_DATE_LEN		8
#define SIGV4_TIME_SEP_POS	8
#define SIGV4_ZONE_POS		15

#define SHA256_LEN		32
#define TM_YEAR_BASE		1900
#define YEAR_MAX		9999


#define HEADER_HOST		"host"
#define HEADER_DATE		"x-amz-date"
#define HEADER_CONTENT_SHA256	"x-amz-content-sha256"

/* A header or parameter in its canonical form, both strings malloc'd. */
struct canon_pair {
	char	*name;
	char	*value;
};

/* A request's headers and parameters, canonical and sorted. */
struct canon {
	size_t			nheaders;
	struct canon_pair	headers[SIGV4_HEADERS_MAX];
	size_t			nparams;
	struct canon_pair	params[SIGV4_QUERY_MAX];
};

static void	buf_append_encoded(struct buf *, const char *, size_t, int);

static int	is_unreserved(unsigned char);
static int	is_tchar(unsigned char);
static int	is_blank(unsigned char);
static int	bounded_len(const char *, size_t, size_t *);
static int	valid_method(const char *);
static int	valid_path(const char *);
static int	valid_timestamp(const char *);
static int	valid_payload_hash(const char *);
static int	valid_scope_part(const char *);
static int	valid_key(const struct sigv4_key *);
static int	valid_request(const struct sigv4_request *);

static int	header_name_lower(const char *, char **);
static int	header_value_trim(const char *, char **);
static int	encode_dup(const char *, size_t, int, char **);
static int	pair_cmp(const void *, const void *);

static int	canon_headers(struct canon *, const struct sigv4_request *);
static int	canon_params(struct canon *, const struct sigv4_request *);
static int	canon_init(struct canon *, const struct sigv4_request *);
static void	canon_cleanup(struct canon *);
static const char *canon_header(const struct canon *, const char *);
static void	canon_render_query(struct buf *, const struct canon *);
static void	canon_render_signed_headers(struct buf *,
		    const struct canon *);
static void	canon_render_request(struct buf *, const struct canon *,
		    const struct sigv4_request *);
static void	render_scope(struct buf *, const struct sigv4_key *,
		    const char *);
static int	render_string_to_sign(struct buf *, const struct sigv4_key *,
		    const struct canon *, const struct sigv4_request *);
static int	canon_sign(const struct sigv4_key *, const struct canon *,
		    const struct sigv4_request *, char *);

static int	hmac_sha256(const void *, size_t, const void *, size_t,
		    unsigned char *);

int
sigv4_timestamp(time_t t, char out[SIGV4_TIMESTAMP_LEN + 1])
{
	struct tm	tm;
	int		n;

	if (out == NULL || gmtime_r(&t, &tm) == NULL)
		return (-1);

	/* The format has room for four digits of year and no sign. */
	if (tm.tm_year < -TM_YEAR_BASE || tm.tm_year > YEAR_MAX - TM_YEAR_BASE)
		return (-1);

	n = snprintf(out, SIGV4_TIMESTAMP_LEN + 1, "%04d%02d%02dT%02d%02d%02dZ",
	    tm.tm_year + TM_YEAR_BASE, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (n != SIGV4_TIMESTAMP_LEN)
		return (-1);

	return (0);
}

int
sigv4_sha256_hex(const void *data, size_t len,
    char out[SIGV4_SHA256_HEX_LEN + 1])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen;

	if (out == NULL || (data == NULL && len != 0))
		return (-1);

	/* EVP_Digest() wants a real pointer even for an empty message. */
	if (data == NULL)
		data = "";

	mdlen = 0;
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != SHA256_LEN)
		return (-1);

	(void)enc_hex_encode(md, SHA256_LEN, out);
	return (0);
}

int
sigv4_uri_encode(const char *in, int encode_slash, char **out)
{
	struct buf	b;

	if (in == NULL || out == NULL)
		return (-1);

	memset(&b, 0, sizeof(b));
	buf_append_encoded(&b, in, strlen(in), encode_slash);

	return (buf_finish(&b, out, NULL));
}

int
sigv4_canonical_query(const struct sigv4_request *req, char **out)
{
	struct canon	c;
	struct buf	b;

	if (req == NULL || out == NULL)
		return (-1);

	memset(&c, 0, sizeof(c));
	memset(&b, 0, sizeof(b));

	if (canon_params(&c, req) == -1) {
		canon_cleanup(&c);
		return (-1);
	}

	canon_render_query(&b, &c);
	canon_cleanup(&c);

	return (buf_finish(&b, out, NULL));
}

int
sigv4_authorization_header(const struct sigv4_key *key,
    const struct sigv4_request *req, char **out)
{
	struct canon	c;
	struct buf	b;
	char		sig[SIGV4_SHA256_HEX_LEN + 1];

	if (out == NULL || !valid_key(key))
		return (-1);

	if (canon_init(&c, req) == -1)
		return (-1);

	if (canon_sign(key, &c, req, sig) == -1) {
		canon_cleanup(&c);
		return (-1);
	}

	memset(&b, 0, sizeof(b));
	buf_appends(&b, SIGV4_ALGORITHM " Credential=");
	buf_appends(&b, key->access_key_id);
	buf_appends(&b, "/");
	render_scope(&b, key, req->timestamp);
	buf_appends(&b, ", SignedHeaders=");
	canon_render_signed_headers(&b, &c);
	buf_appends(&b, ", Signature=");
	buf_appends(&b, sig);

	canon_cleanup(&c);
	return (buf_finish(&b, out, NULL));
}

static void
buf_append_encoded(struct buf *b, const char *in, size_t len,
    int encode_slash)
{
	static const char	hex[] = "0123456789ABCDEF";
	char			esc[3];
	unsigned char		c;
	size_t			i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (is_unreserved(c) || (c == '/' && !encode_slash)) {
			buf_append(b, &in[i], 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 0x0f];
		buf_append(b, esc, sizeof(esc));
	}
}

/* RFC 3986 unreserved characters, the only ones AWS leaves unencoded. */
static int
is_unreserved(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return (1);

	return (c == '-' || c == '_' || c == '.' || c == '~');
}

/* RFC 9110 token characters, what a header name may be made of. */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return (1);

	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
is_blank(unsigned char c)
{
	return (c == ' ' || c == '\t');
}

/* Is s at most max bytes long? Reads at most max + 1 bytes of it. */
static int
bounded_len(const char *s, size_t max, size_t *len)
{
	size_t	n;

	if (s == NULL)
		return (0);

	n = strnlen(s, max + 1);
	if (n > max)
		return (0);

	if (len != NULL)
		*len = n;

	return (1);
}

static int
valid_method(const char *method)
{
	size_t	i, len;

	if (!bounded_len(method, SIGV4_METHOD_MAX, &len) || len == 0)
		return (0);

	for (i = 0; i < len; i++) {
		if (method[i] < 'A' || method[i] > 'Z')
			return (0);
	}

	return (1);
}

static int
valid_path(const char *path)
{
	size_t	len;

	if (!bounded_len(path, SIGV4_PATH_MAX, &len))
		return (0);

	return (len == 0 || path[0] == '/');
}

static int
valid_timestamp(const char *ts)
{
	size_t	i, len;

	if (!bounded_len(ts, SIGV4_TIMESTAMP_LEN, &len) ||
	    len != SIGV4_TIMESTAMP_LEN)
		return (0);

	for (i = 0; i < len; i++) {
		if (i == SIGV4_TIME_SEP_POS) {
			if (ts[i] != 'T')
				return (0);
		} else if (i == SIGV4_ZONE_POS) {
			if (ts[i] != 'Z')
				return (0);
		} else if (ts[i] < '0' || ts[i] > '9') {
			return (0);
		}
	}

	return (1);
}

static int
valid_payload_hash(const char *hash)
{
	size_t	i, len;

	if (hash == NULL)
		return (0);
	if (strcmp(hash, SIGV4_UNSIGNED_PAYLOAD) == 0)
		return (1);

	if (!bounded_len(hash, SIGV4_SHA256_HEX_LEN, &len) ||
	    len != SIGV4_SHA256_HEX_LEN)
		return (0);

	for (i = 0; i < len; i++) {
		if (!((hash[i] >= '0' && hash[i] <= '9') ||
		    (hash[i] >= 'a' && hash[i] <= 'f')))
			return (0);
	}

	return (1);
}

/*
 * A part of the credential scope or the key id: '/' would split the scope
 * differently on the server, and blanks, commas or control characters
 * would break the Authorization header.
 */
static int
valid_scope_part(const char *s)
{
	size_t		i, len;
	unsigned char	c;

	if (!bounded_len(s, SIGV4_SCOPE_PART_MAX, &len) || len == 0)
		return (0);

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c <= ' ' || c >= 0x7f || c == '/' || c == ',')
			return (0);
	}

	return (1);
}

static int
valid_key(const struct sigv4_key *key)
{
	size_t	len;

	if (key == NULL)
		return (0);
	if (!bounded_len(key->secret, SIGV4_SECRET_MAX, &len) || len == 0)
		return (0);

	return (valid_scope_part(key->access_key_id) &&
	    valid_scope_part(key->region) && valid_scope_part(key->service));
}

/* The scalar fields; headers and query are checked as they are built. */
static int
valid_request(const struct sigv4_request *req)
{
	if (req == NULL)
		return (0);

	return (valid_method(req->method) && valid_path(req->path) &&
	    valid_timestamp(req->timestamp) &&
	    valid_payload_hash(req->payload_hash));
}

static int
header_name_lower(const char *name, char **out)
{
	size_t	i, len;
	char	*p;

	if (!bounded_len(name, SIGV4_NAME_MAX, &len) || len == 0)
		return (-1);

	for (i = 0; i < len; i++) {
		if (!is_tchar((unsigned char)name[i]))
			return (-1);
	}

	if ((p = malloc(len + 1)) == NULL)
		return (-1);

	for (i = 0; i < len; i++) {
		if (name[i] >= 'A' && name[i] <= 'Z')
			p[i] = (char)(name[i] - 'A' + 'a');
		else
			p[i] = name[i];
	}
	p[len] = '\0';

	*out = p;
	return (0);
}

/*
 * Trim blanks at both ends and fold inner runs into one space, as AWS's
 * Trimall does. Control characters other than tab are refused: a CR or LF
 * here would end the header line and start another one.
 */
static int
header_value_trim(const char *value, char **out)
{
	size_t		i, len, n;
	unsigned char	c;
	int		blank;
	char		*p;

	if (!bounded_len(value, SIGV4_VALUE_MAX, &len))
		return (-1);

	for (i = 0; i < len; i++) {
		c = (unsigned char)value[i];
		if ((c < ' ' && c != '\t') || c == 0x7f)
			return (-1);
	}

	if ((p = malloc(len + 1)) == NULL)
		return (-1);

	n = 0;
	blank = 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)value[i];
		if (is_blank(c)) {
			blank = 1;
			continue;
		}
		if (blank && n > 0)
			p[n++] = ' ';
		blank = 0;
		p[n++] = (char)c;
	}
	p[n] = '\0';

	*out = p;
	return (0);
}

static int
encode_dup(const char *s, size_t max, int encode_slash, char **out)
{
	struct buf	b;
	size_t		len;

	if (!bounded_len(s, max, &len))
		return (-1);

	memset(&b, 0, sizeof(b));
	buf_append_encoded(&b, s, len, encode_slash);

	return (buf_finish(&b, out, NULL));
}

/* Byte order of names, then of values, as both canonical lists want. */
static int
pair_cmp(const void *a, const void *b)
{
	const struct canon_pair	*x = a;
	const struct canon_pair	*y = b;
	int			r;

	if ((r = strcmp(x->name, y->name)) != 0)
		return (r);

	return (strcmp(x->value, y->value));
}

static int
canon_headers(struct canon *c, const struct sigv4_request *req)
{
	const struct sigv4_pair	*h;
	const char		*v;
	size_t			i;

	if (req->header_count > SIGV4_HEADERS_MAX ||
	    (req->header_count > 0 && req->headers == NULL))
		return (-1);

	for (i = 0; i < req->header_count; i++) {
		h = &req->headers[i];
		if (header_name_lower(h->name,
		    &c->headers[c->nheaders].name) == -1)
			return (-1);
		if (header_value_trim(h->value,
		    &c->headers[c->nheaders].value) == -1) {
			free(c->headers[c->nheaders].name);
			c->headers[c->nheaders].name = NULL;
			return (-1);
		}
		c->nheaders++;
	}

	qsort(c->headers, c->nheaders, sizeof(c->headers[0]), pair_cmp);

	/* Two values for one name would be signed differently by S3. */
	for (i = 1; i < c->nheaders; i++) {
		if (strcmp(c->headers[i - 1].name, c->headers[i].name) == 0)
			return (-1);
	}

	if (canon_header(c, HEADER_HOST) == NULL)
		return (-1);
	if ((v = canon_header(c, HEADER_DATE)) != NULL &&
	    strcmp(v, req->timestamp) != 0)
		return (-1);
	if ((v = canon_header(c, HEADER_CONTENT_SHA256)) != NULL &&
	    strcmp(v, req->payload_hash) != 0)
		return (-1);

	return (0);
}

static int
canon_params(struct canon *c, const struct sigv4_request *req)
{
	const struct sigv4_pair	*q;
	const char		*value;
	size_t			i;

	if (req->query_count > SIGV4_QUERY_MAX ||
	    (req->query_count > 0 && req->query == NULL))
		return (-1);

	for (i = 0; i < req->query_count; i++) {
		q = &req->query[i];
		if (q->name == NULL || q->name[0] == '\0')
			return (-1);
		value = (q->value == NULL) ? "" : q->value;

		if (encode_dup(q->name, SIGV4_NAME_MAX, 1,
		    &c->params[c->nparams].name) == -1)
			return (-1);
		if (encode_dup(value, SIGV4_VALUE_MAX, 1,
		    &c->params[c->nparams].value) == -1) {
			free(c->params[c->nparams].name);
			c->params[c->nparams].name = NULL;
			return (-1);
		}
		c->nparams++;
	}

	qsort(c->params, c->nparams, sizeof(c->params[0]), pair_cmp);

	return (0);
}

static int
canon_init(struct canon *c, const struct sigv4_request *req)
{
	memset(c, 0, sizeof(*c));

	if (!valid_request(req))
		return (-1);

	if (canon_headers(c, req) == -1 ||
	    canon_params(c, req) == -1) {
		canon_cleanup(c);
		return (-1);
	}

	return (0);
}

static void
canon_cleanup(struct canon *c)
{
	size_t	i;

	for (i = 0; i < c->nheaders; i++) {
		free(c->headers[i].name);
		free(c->headers[i].value);
	}
	for (i = 0; i < c->nparams; i++) {
		free(c->params[i].name);
		free(c->params[i].value);
	}

	c->nheaders = 0;
	c->nparams = 0;
}

static const char *
canon_header(const struct canon *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nheaders; i++) {
		if (strcmp(c->headers[i].name, name) == 0)
			return (c->headers[i].value);
	}

	return (NULL);
}

static void
canon_render_query(struct buf *b, const struct canon *c)
{
	size_t	i;

	for (i = 0; i < c->nparams; i++) {
		if (i > 0)
			buf_appends(b, "&");
		buf_appends(b, c->params[i].name);
		buf_appends(b, "=");
		buf_appends(b, c->params[i].value);
	}
}

static void
canon_render_signed_headers(struct buf *b, const struct canon *c)
{
	size_t	i;

	for (i = 0; i < c->nheaders; i++) {
		if (i > 0)
			buf_appends(b, ";");
		buf_appends(b, c->headers[i].name);
	}
}

static void
canon_render_request(struct buf *b, const struct canon *c,
    const struct sigv4_request *req)
{
	size_t	i;

	buf_appends(b, req->method);
	buf_appends(b, "\n");

	if (req->path[0] == '\0')
		buf_appends(b, "/");
	else
		buf_append_encoded(b, req->path, strlen(req->path), 0);
	buf_appends(b, "\n");

	canon_render_query(b, c);
	buf_appends(b, "\n");

	for (i = 0; i < c->nheaders; i++) {
		buf_appends(b, c->headers[i].name);
		buf_appends(b, ":");
		buf_appends(b, c->headers[i].value);
		buf_appends(b, "\n");
	}
	buf_appends(b, "\n");

	canon_render_signed_headers(b, c);
	buf_appends(b, "\n");
	buf_appends(b, req->payload_hash);
}

/* "20130524/us-east-1/s3/aws4_request" */
static void
render_scope(struct buf *b, const struct sigv4_key *key, const char *ts)
{
	buf_append(b, ts, SIGV4_DATE_LEN);
	buf_appends(b, "/");
	buf_appends(b, key->region);
	buf_appends(b, "/");
	buf_appends(b, key->service);
	buf_appends(b, "/" SIGV4_TERMINATOR);
}

static int
render_string_to_sign(struct buf *b, const struct sigv4_key *key,
    const struct canon *c, const struct sigv4_request *req)
{
	struct buf	creq;
	char		hash[SIGV4_SHA256_HEX_LEN + 1];

	memset(&creq, 0, sizeof(creq));
	canon_render_request(&creq, c, req);
	if (creq.failed ||
	    sigv4_sha256_hex(creq.data, creq.len, hash) == -1) {
		buf_free(&creq);
		return (-1);
	}
	buf_free(&creq);

	buf_appends(b, SIGV4_ALGORITHM "\n");
	buf_appends(b, req->timestamp);
	buf_appends(b, "\n");
	render_scope(b, key, req->timestamp);
	buf_appends(b, "\n");
	buf_appends(b, hash);

	return (b->failed ? -1 : 0);
}

/*
 * Derive the signing key from the secret through the date, region and
 * service, then MAC the string to sign with it. Key material is wiped
 * from the stack before returning.
 */
static int
canon_sign(const struct sigv4_key *key, const struct canon *c,
    const struct sigv4_request *req, char *out)
{
	unsigned char	seed[sizeof(SIGV4_KEY_PREFIX) - 1 + SIGV4_SECRET_MAX];
	unsigned char	k1[SHA256_LEN], k2[SHA256_LEN];
	struct buf	sts;
	size_t		prefix_len, secret_len;
	int		ret;

	memset(&sts, 0, sizeof(sts));
	if (render_string_to_sign(&sts, key, c, req) == -1) {
		buf_free(&sts);
		return (-1);
	}

	prefix_len = sizeof(SIGV4_KEY_PREFIX) - 1;
	secret_len = strlen(key->secret);
	memcpy(seed, SIGV4_KEY_PREFIX, prefix_len);
	memcpy(seed + prefix_len, key->secret, secret_len);

	ret = -1;
	if (hmac_sha256(seed, prefix_len + secret_len,
	    req->timestamp, SIGV4_DATE_LEN, k1) == -1)
		goto cleanup;
	if (hmac_sha256(k1, sizeof(k1), key->region, strlen(key->region),
	    k2) == -1)
		goto cleanup;
	if (hmac_sha256(k2, sizeof(k2), key->service, strlen(key->service),
	    k1) == -1)
		goto cleanup;
	if (hmac_sha256(k1, sizeof(k1), SIGV4_TERMINATOR,
	    sizeof(SIGV4_TERMINATOR) - 1, k2) == -1)
		goto cleanup;
	if (hmac_sha256(k2, sizeof(k2), sts.data, sts.len, k1) == -1)
		goto cleanup;

	(void)enc_hex_encode(k1, sizeof(k1), out);
	ret = 0;

cleanup:
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	buf_free(&sts);

	return (ret);
}

static int
hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
    unsigned char *out)
{
	unsigned int	outlen;

	if (keylen > INT_MAX)
		return (-1);

	outlen = 0;
	if (HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out,
	    &outlen) == NULL || outlen != SHA256_LEN)
		return (-1);

	return (0);
}

