/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Request ids, see request_id.h. The id is echoed in a response header and
 * written to the logs, so a caller's value is only kept when it cannot
 * split a header or a log line (no CR, LF, blanks or non-ASCII bytes).
 *
 * Fresh ids are drawn from a pool of random bytes filled by RAND_bytes
 * a few hundred ids at a time: one RAND_bytes call costs more than the
 * rest of a health check. An id is unique, not secret, so bytes drawn
 * ahead are fine; the pool belongs to the process that filled it and is
 * refilled in a forked child, so that no two workers share ids.
 */

#include <sys/types.h>

#include <string.h>

#include <openssl/rand.h>

#include "encoding.h"
#include "proc.h"
#include "request_id.h"

#define REQUEST_ID_RAND_BYTES	(REQUEST_ID_GENERATED_LEN / 2)
#define REQUEST_ID_POOL_IDS	256

static int	request_id_char_ok(char);
static int	request_id_random(unsigned char *, size_t);

static unsigned char	pool[REQUEST_ID_POOL_IDS * REQUEST_ID_RAND_BYTES];
static size_t		pool_used = sizeof(pool);
static pid_t		pool_owner;

int
request_id_valid(const char *s)
{
	size_t	i;

	if (s == NULL)
		return (0);

	/* Stop at the first bad byte: never read past a long header. */
	for (i = 0; s[i] != '\0'; i++) {
		if (i == REQUEST_ID_MAX || !request_id_char_ok(s[i]))
			return (0);
	}

	return (i > 0);
}

int
request_id_generate(char *out, size_t outlen)
{
	unsigned char		rnd[REQUEST_ID_RAND_BYTES];

	if (out == NULL)
		return (-1);
	if (outlen > 0)
		out[0] = '\0';
	if (outlen < REQUEST_ID_GENERATED_LEN + 1)
		return (-1);

	if (request_id_random(rnd, sizeof(rnd)) == -1)
		return (-1);

	(void)enc_hex_encode(rnd, sizeof(rnd), out);

	return (0);
}

/* len random bytes from the pool (len divides the pool's size). */
static int
request_id_random(unsigned char *out, size_t len)
{
	if (pool_owner != proc_pid() || pool_used + len > sizeof(pool)) {
		if (RAND_bytes(pool, sizeof(pool)) != 1)
			return (-1);
		pool_owner = proc_pid();
		pool_used = 0;
	}

	memcpy(out, pool + pool_used, len);
	pool_used += len;

	return (0);
}

static int
request_id_char_ok(char ch)
{
	return ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-');
}
