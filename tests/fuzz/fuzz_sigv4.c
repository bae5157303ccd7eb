/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for S3 request signing (sigv4.h). Input: one byte of
 * flags, two bytes no longer read (they were a presigned URL's expiry,
 * kept so that the corpus still means what it did), then newline-separated
 * lines:
 * method, path, and (as the flags say) timestamp, payload hash and region;
 * every further line is a header ("name:value"), a query pair
 * ("name=value") or a query name alone ("?name"). Every string is its own
 * exact-size heap copy. Checked besides memory errors: URI encoding is
 * reversible and uses only unreserved bytes and %XX, and a request that
 * is signed has a canonical query too, and is signed the same way each
 * time, in a header value of one line ending in 64 hex digits.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigv4.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Lines beyond the limits, so that the limits are tried as well. */
#define FUZZ_PAIRS_MAX	(SIGV4_HEADERS_MAX + 4)
#define FUZZ_LINES_MAX	(5 + FUZZ_PAIRS_MAX)

#define FLAG_TIMESTAMP	0x01	/* the timestamp is a line */
#define FLAG_HASH	0x02	/* the payload hash is a line */
#define FLAG_REGION	0x04	/* the region is a line */
#define FLAG_NO_HOST	0x08	/* do not add a host header */
#define FLAG_BODY_HASH	0x10	/* the payload hash is of the input */
#define FLAG_OWN_TIME	0x20	/* the timestamp is made from 8 bytes */
#define FLAG_PREAMBLE	3	/* flags and two bytes of expiry */

#define FUZZ_TIMESTAMP	"20260101T000000Z"
#define FUZZ_HOST	"s3.example.test"

struct lines {
	char	*line[FUZZ_LINES_MAX];
	size_t	 count;
	size_t	 next;
};

static void		 lines_split(struct lines *, const uint8_t *, size_t);
static const char	*lines_take(struct lines *, const char *);
static void		 lines_free(struct lines *);
static int		 hexval(char);
static int		 unreserved(unsigned char, int);
static void		 encode_check(const char *, int);
static void		 auth_check(const char *);
static int		 timestamp_check(const uint8_t *, size_t,
			    char[SIGV4_TIMESTAMP_LEN + 1]);

/* Up to FUZZ_LINES_MAX lines; a trailing newline adds an empty one. */
static void
lines_split(struct lines *l, const uint8_t *p, size_t len)
{
	memset(l, 0, sizeof(*l));
	while (l->count < FUZZ_LINES_MAX && p != NULL)
		l->line[l->count++] = fuzz_line(&p, &len, 0);
}

/* The next line, or def once they run out. */
static const char *
lines_take(struct lines *l, const char *def)
{
	if (l->next >= l->count)
		return (def);
	return (l->line[l->next++]);
}

static void
lines_free(struct lines *l)
{
	size_t	i;

	for (i = 0; i < l->count; i++)
		free(l->line[i]);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

static int
unreserved(unsigned char c, int encode_slash)
{
	return ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~' || (c == '/' && !encode_slash));
}

/* Only A-Z a-z 0-9 - _ . ~ (and '/' for paths) or %XX, and reversible. */
static void
encode_check(const char *in, int encode_slash)
{
	char		*out, *p;
	size_t		 i;
	unsigned char	 c;
	int		 hi, lo;

	if (sigv4_uri_encode(in, encode_slash, &out) != 0)
		abort();
	i = 0;
	for (p = out; *p != '\0'; p++, i++) {
		c = (unsigned char)*p;
		if (c == '%') {
			if ((hi = hexval(p[1])) == -1 ||
			    (lo = hexval(p[2])) == -1)
				abort();
			c = (unsigned char)(hi << 4 | lo);
			/* Unreserved bytes must not be escaped. */
			if (unreserved(c, encode_slash))
				abort();
			p += 2;
		} else if (!unreserved(c, encode_slash))
			abort();
		if (in[i] == '\0' || (unsigned char)in[i] != c)
			abort();
	}
	if (in[i] != '\0')
		abort();
	free(out);
}

/* sigv4_timestamp() of the first eight bytes: digits, 'T', 'Z' or -1. */
/*
 * An Authorization value: "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/...,
 * SignedHeaders=..., Signature=" and 64 lowercase hex digits, printable
 * ASCII only (no line break to start another header).
 */
static void
auth_check(const char *auth)
{
	static const char	start[] = "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/";
	static const char	sig[] = ", Signature=";
	const char		*p;
	size_t			 i;

	if (strncmp(auth, start, sizeof(start) - 1) != 0 ||
	    strstr(auth, ", SignedHeaders=") == NULL)
		abort();
	for (p = auth; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			abort();
	if ((p = strstr(auth, sig)) == NULL)
		abort();
	p += sizeof(sig) - 1;
	for (i = 0; p[i] != '\0'; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		    (p[i] >= 'a' && p[i] <= 'f')))
			abort();
	if (i != SIGV4_SHA256_HEX_LEN)
		abort();
}

static int
timestamp_check(const uint8_t *data, size_t size,
    char out[SIGV4_TIMESTAMP_LEN + 1])
{
	uint64_t	v;
	size_t		i;

	if (size < sizeof(v))
		return (-1);
	v = fuzz_be(data, sizeof(v));
	if (sigv4_timestamp((time_t)v, out) != 0)
		return (-1);
	for (i = 0; i < SIGV4_TIMESTAMP_LEN; i++) {
		if (i == 8 ? out[i] != 'T' :
		    i == SIGV4_TIMESTAMP_LEN - 1 ? out[i] != 'Z' :
		    (out[i] < '0' || out[i] > '9'))
			abort();
	}
	if (out[SIGV4_TIMESTAMP_LEN] != '\0')
		abort();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sigv4_key	 key;
	struct sigv4_request	 req;
	struct sigv4_pair	 hdr[FUZZ_LINES_MAX + 1];
	struct sigv4_pair	 qry[FUZZ_LINES_MAX];
	struct lines		 l;
	char			 hash[SIGV4_SHA256_HEX_LEN + 1];
	char			 stamp[SIGV4_TIMESTAMP_LEN + 1];
	char			*query, *auth, *auth2, *sep;
	const char		*line;
	unsigned int		 flags;
	int			 have_query;

	if (size < FLAG_PREAMBLE)
		return (0);
	flags = data[0];
	lines_split(&l, data + FLAG_PREAMBLE, size - FLAG_PREAMBLE);

	memset(&key, 0, sizeof(key));
	key.access_key_id = "AKIDFUZZ";
	key.secret = "fuzz/secret+key";
	key.region = "us-east-1";
	key.service = "s3";

	memset(&req, 0, sizeof(req));
	req.method = lines_take(&l, "GET");
	req.path = lines_take(&l, "/");
	req.timestamp = FUZZ_TIMESTAMP;
	req.payload_hash = SIGV4_UNSIGNED_PAYLOAD;
	if (flags & FLAG_TIMESTAMP)
		req.timestamp = lines_take(&l, FUZZ_TIMESTAMP);
	if (flags & FLAG_HASH)
		req.payload_hash = lines_take(&l, SIGV4_UNSIGNED_PAYLOAD);
	if (flags & FLAG_REGION)
		key.region = lines_take(&l, "us-east-1");
	if (flags & FLAG_BODY_HASH) {
		if (sigv4_sha256_hex(data, size, hash) != 0)
			abort();
		req.payload_hash = hash;
	}
	if (timestamp_check(data, size, stamp) == 0 &&
	    (flags & FLAG_OWN_TIME))
		req.timestamp = stamp;

	req.headers = hdr;
	req.query = qry;
	if (!(flags & FLAG_NO_HOST)) {
		hdr[0].name = "host";
		hdr[0].value = FUZZ_HOST;
		req.header_count = 1;
	}
	while (l.next < l.count) {
		line = l.line[l.next++];
		encode_check(line, 1);
		/* Split in place: the line is ours. */
		if ((sep = strchr(line, ':')) != NULL) {
			*sep = '\0';
			hdr[req.header_count].name = line;
			hdr[req.header_count++].value = sep + 1;
		} else if (line[0] == '?') {
			qry[req.query_count].name = line + 1;
			qry[req.query_count++].value = NULL;
		} else {
			qry[req.query_count].name = line;
			qry[req.query_count].value = "";
			if ((sep = strchr(line, '=')) != NULL) {
				*sep = '\0';
				qry[req.query_count].value = sep + 1;
			}
			req.query_count++;
		}
	}
	encode_check(req.path, 0);
	encode_check(req.method, 1);

	have_query = sigv4_canonical_query(&req, &query) == 0;
	if (have_query)
		free(query);

	if (sigv4_authorization_header(&key, &req, &auth) == 0) {
		if (!have_query)
			abort();
		auth_check(auth);
		if (sigv4_authorization_header(&key, &req, &auth2) != 0 ||
		    strcmp(auth, auth2) != 0)
			abort();
		free(auth2);
		free(auth);
	}

	lines_free(&l);
	return (0);
}
