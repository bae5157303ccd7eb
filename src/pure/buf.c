/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The growable buffer (buf.h): the configuration's database URL, the
 * SigV4 canonical requests and a fetched S3 body are all built in one.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* The first block: most strings built here fit, a body grows from it. */
#define BUF_INITIAL	256

static int	buf_grow(struct buf *, size_t);

void
buf_init(struct buf *b, size_t max, int secret)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
	b->secret = secret;
}

void
buf_append(struct buf *b, const void *data, size_t len)
{
	if (b->failed != BUF_OK || len == 0)
		return;

	if ((b->max != 0 && len > b->max - b->len) ||
	    len > SIZE_MAX / 2 - b->len) {
		b->failed = BUF_FULL;
		return;
	}

	if (b->len + len + 1 > b->cap && buf_grow(b, b->len + len + 1) == -1) {
		b->failed = BUF_NOMEM;
		return;
	}

	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_appends(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

int
buf_finish(struct buf *b, char **out, size_t *len)
{
	*out = NULL;
	if (len != NULL)
		*len = 0;
	if (b->failed != BUF_OK) {
		buf_free(b);
		return (-1);
	}

	/* Nothing was appended: the result is still a string. */
	if (b->data == NULL && (b->data = calloc(1, 1)) == NULL) {
		buf_free(b);
		return (-1);
	}

	*out = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return (0);
}

void
buf_free(struct buf *b)
{
	if (b->data != NULL) {
		if (b->secret)
			explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = BUF_OK;
}

/* Room for need bytes: doubling, and never more than need past the limit. */
static int
buf_grow(struct buf *b, size_t need)
{
	size_t	 cap;
	char	*p;

	cap = b->cap == 0 ? BUF_INITIAL : b->cap;
	while (cap < need)
		cap *= 2;
	/* The limit plus its NUL is as much as the buffer will ever hold. */
	if (b->max != 0 && cap > b->max + 1)
		cap = b->max + 1;

	if (!b->secret) {
		if ((p = realloc(b->data, cap)) == NULL)
			return (-1);
	} else {
		if ((p = malloc(cap)) == NULL)
			return (-1);
		if (b->data != NULL) {
			memcpy(p, b->data, b->len);
			explicit_bzero(b->data, b->cap);
			free(b->data);
		}
	}

	b->data = p;
	b->cap = cap;
	return (0);
}
