/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * AWS Signature Version 4 for S3: the canonical query a request is sent
 * with and the Authorization header that signs it. Pure: OpenSSL libcrypto only, no Kore, no network.
 *
 * A request is described by a struct sigv4_request whose strings are raw
 * (unencoded): this module does all URI encoding, so the URL that is sent
 * must be built from sigv4_uri_encode(path, 0) and sigv4_canonical_query()
 * for the bytes on the wire to match what was signed.
 *
 * For S3 the caller lists among the headers "host", "x-amz-date" (equal to
 * the timestamp) and "x-amz-content-sha256" (equal to the payload hash);
 * host is required and the other two, when present, must agree with the
 * request's fields.
 *
 * Every function returns 0 on success and -1 on any invalid input or
 * allocation failure; on failure nothing is returned through out pointers.
 * Strings returned through char ** are malloc'd and owned by the caller.
 */

#ifndef REACTBIN_SIGV4_H
#define REACTBIN_SIGV4_H

#include <stddef.h>
#include <time.h>

/* "YYYYMMDDTHHMMSSZ" and a hex SHA-256, without their NUL. */
#define SIGV4_TIMESTAMP_LEN	16
#define SIGV4_SHA256_HEX_LEN	64

/* The payload hash of requests whose body is not hashed (streamed PUTs). */
#define SIGV4_UNSIGNED_PAYLOAD	"UNSIGNED-PAYLOAD"

/* Limits on a request; anything beyond them is refused, never truncated. */
#define SIGV4_HEADERS_MAX	16	/* signed headers */
#define SIGV4_QUERY_MAX		16	/* query parameters */
#define SIGV4_METHOD_MAX	16	/* bytes of the method */
#define SIGV4_PATH_MAX		4096	/* raw bytes of the path */
#define SIGV4_NAME_MAX		128	/* bytes of a header or query name */
#define SIGV4_VALUE_MAX		4096	/* bytes of a header or query value */
#define SIGV4_SCOPE_PART_MAX	128	/* key id, region, service */
#define SIGV4_SECRET_MAX	128	/* bytes of the secret access key */

struct sigv4_key {
	const char	*access_key_id;
	const char	*secret;
	const char	*region;	/* "us-east-1" */
	const char	*service;	/* "s3" */
};

/* A header or query parameter; a NULL query value means "". */
struct sigv4_pair {
	const char	*name;
	const char	*value;
};

struct sigv4_request {
	const char		*method;	/* "GET", "PUT", ... */

	/*
	 * Raw path such as "/bucket/some key$": it must start with '/' (or
	 * be empty, meaning "/"). It is encoded byte for byte, '/' kept, and
	 * never normalised, as S3 wants.
	 */
	const char		*path;

	/* Raw names and values in any order; sorted after encoding. */
	const struct sigv4_pair	*query;
	size_t			query_count;

	/*
	 * Names are HTTP tokens in any case, each at most once; values must
	 * not hold control characters other than tab. Values are signed
	 * trimmed, with runs of spaces and tabs turned into one space.
	 */
	const struct sigv4_pair	*headers;
	size_t			header_count;

	/* Lowercase hex SHA-256 of the body, or SIGV4_UNSIGNED_PAYLOAD. */
	const char		*payload_hash;

	/* "YYYYMMDDTHHMMSSZ", UTC, as made by sigv4_timestamp(). */
	const char		*timestamp;
};

/*
 * Format t (UTC) as "YYYYMMDDTHHMMSSZ" into out. Fails for times outside
 * years 0000-9999.
 */
int	sigv4_timestamp(time_t t, char out[SIGV4_TIMESTAMP_LEN + 1]);

/* Lowercase hex SHA-256 of len bytes at data (data may be NULL if len is 0). */
int	sigv4_sha256_hex(const void *data, size_t len,
	    char out[SIGV4_SHA256_HEX_LEN + 1]);

/*
 * URI-encode the NUL-terminated in as AWS does: A-Z a-z 0-9 - _ . ~ stay,
 * every other byte becomes %XX in uppercase hex (a space is %20, never '+').
 * '/' stays when encode_slash is 0 (paths) and becomes %2F otherwise
 * (query names and values).
 */
int	sigv4_uri_encode(const char *in, int encode_slash, char **out);

/*
 * The canonical query string: encoded name=value pairs sorted by encoded
 * name then value, joined by '&' ("" without parameters). It is also the
 * query to send after the '?'.
 */
int	sigv4_canonical_query(const struct sigv4_request *req, char **out);

/*
 * The value of the Authorization header: "AWS4-HMAC-SHA256
 * Credential=KEYID/SCOPE, SignedHeaders=a;b, Signature=HEX".
 */
int	sigv4_authorization_header(const struct sigv4_key *key,
	    const struct sigv4_request *req, char **out);

#endif
