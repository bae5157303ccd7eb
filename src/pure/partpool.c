/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The budget of part buffers (partpool.h). First come, first served: a
 * claim that fits is still queued while others wait before it, so that
 * large claims are not starved by small ones. Buffers are mapped, not
 * malloc'd: glibc keeps freed blocks of this size in its heap after the
 * first few, and the worker's resident size would stay at its peak.
 */

#include <sys/mman.h>

#include <stddef.h>

#include "partpool.h"

static int	partpool_map(struct partpool_claim *);
static void	partpool_grant(void);

static size_t			 budget;
static size_t			 in_use;
static size_t			 waiting;
static struct partpool_claim	*queue_head;
static struct partpool_claim	*queue_tail;

void
partpool_init(size_t bytes)
{
	budget = bytes;
}

int
partpool_claim(struct partpool_claim *claim, size_t size)
{
	claim->size = size;
	claim->buf = NULL;
	claim->queued = 0;
	claim->next = NULL;

	if (size == 0 || size > budget)
		return (-1);

	if (queue_head == NULL && in_use + size <= budget)
		return (partpool_map(claim));

	if (queue_tail != NULL)
		queue_tail->next = claim;
	else
		queue_head = claim;
	queue_tail = claim;
	claim->queued = 1;
	waiting++;
	return (1);
}

void
partpool_release(struct partpool_claim *claim)
{
	struct partpool_claim	*c, *prev;

	if (claim->queued) {
		prev = NULL;
		for (c = queue_head; c != NULL; prev = c, c = c->next) {
			if (c != claim)
				continue;
			if (prev != NULL)
				prev->next = c->next;
			else
				queue_head = c->next;
			if (queue_tail == c)
				queue_tail = prev;
			break;
		}
		claim->queued = 0;
		claim->next = NULL;
		waiting--;
		/* It may have held back claims behind it that fit now. */
		partpool_grant();
		return;
	}

	if (claim->buf == NULL)
		return;

	(void)munmap(claim->buf, claim->size);
	claim->buf = NULL;
	in_use -= claim->size;
	partpool_grant();
}

size_t
partpool_in_use(void)
{
	return (in_use);
}

size_t
partpool_waiting(void)
{
	return (waiting);
}

static int
partpool_map(struct partpool_claim *claim)
{
	void	*p;

	p = mmap(NULL, claim->size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (-1);

	claim->buf = p;
	in_use += claim->size;
	return (0);
}

/*
 * Serve the queue from its head for as long as the head fits. A claim
 * whose memory cannot be mapped is told so: granted with no buffer.
 */
static void
partpool_grant(void)
{
	struct partpool_claim	*claim;

	while ((claim = queue_head) != NULL && in_use + claim->size <= budget) {
		queue_head = claim->next;
		if (queue_head == NULL)
			queue_tail = NULL;
		claim->next = NULL;
		claim->queued = 0;
		waiting--;
		(void)partpool_map(claim);
		claim->granted(claim);
	}
}
