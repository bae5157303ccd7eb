/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

#ifndef REACTBIN_BUF_H
#define REACTBIN_BUF_H

#include <stddef.h>

/*
 * The one growable buffer of the code base: bytes appended at its end,
 * always followed by a NUL, so that text built in it is a string. Its
 * first failure sticks (appends after it do nothing), so a writer
 * appends freely and checks once, at buf_finish(). A zeroed struct buf
 * is an empty buffer without a limit.
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	/* At most this many bytes (0: no limit); an append past it fails. */
	size_t	 max;
	/*
	 * It may hold a secret (a password in a URL): it grows by copying
	 * and wiping the old block instead of realloc(), which could leave a
	 * copy in freed memory, and it is wiped when freed.
	 */
	int	 secret;
	int	 failed;
};

/* buf.failed: why the first append that failed did. */
#define BUF_OK		0
#define BUF_NOMEM	1
#define BUF_FULL	2

void	buf_init(struct buf *, size_t, int);
void	buf_append(struct buf *, const void *, size_t);
void	buf_appends(struct buf *, const char *);

/*
 * Hand the bytes over in *out (malloc'd, NUL-terminated; an empty string
 * when nothing was appended) with their length in *len when len is not
 * NULL, and leave the buffer empty. If an append failed: free, -1.
 */
int	buf_finish(struct buf *, char **, size_t *);

/* Free the bytes (wiped first when secret); the buffer is empty again. */
void	buf_free(struct buf *);

#endif
