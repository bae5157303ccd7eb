/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The buffers uploads hold their parts in, out of one budget per process:
 * however many uploads a worker takes at once, their parts never hold more
 * than the budget, and an upload that cannot have a buffer waits (the
 * caller holds its client's reading back) until one is given back. Claims
 * are served in the order they were made. Pure: no Kore; the memory is
 * mapped for each buffer and unmapped when it is given back, so a worker's
 * resident size goes down again after a burst.
 */

#ifndef REACTBIN_PARTPOOL_H
#define REACTBIN_PARTPOOL_H

#include <stddef.h>
#include <stdint.h>

struct partpool_claim {
	size_t			 size;		/* bytes asked for */
	uint8_t			*buf;		/* given: size bytes */
	int			 queued;
	void			(*granted)(struct partpool_claim *);
	void			*arg;
	struct partpool_claim	*next;
};

/* The budget of this process, in bytes; call before any claim. */
void	partpool_init(size_t);

/*
 * Ask for size bytes (at most the budget). 0: given now, in claim->buf.
 * 1: queued; claim->granted(claim) is called, from a later release, once
 * it is given. -1: the memory could not be mapped.
 */
int	partpool_claim(struct partpool_claim *, size_t);

/* Give a claim back, or take it out of the queue; it may be reused. */
void	partpool_release(struct partpool_claim *);

/* Bytes given out now, and claims waiting (for tests and logs). */
size_t	partpool_in_use(void);
size_t	partpool_waiting(void);

#endif
