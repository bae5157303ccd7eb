/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * An upload's bytes on their way to S3 while the client still sends them
 * (ingest.c). A file that fits one part goes up in one PUT whose last
 * byte is held back until the upload is accepted; a larger one in a
 * multipart upload of STORAGE_PART_MIN parts, completed only once it is
 * accepted. Either way nothing is visible in the bucket before that, and
 * an upload refused, cut short or found a duplicate leaves nothing there
 * once ingest_abort() has said so.
 *
 * The parts are held in buffers of the worker's budget (partpool.c).
 * When none is free, or S3 takes bytes slower than the client sends them,
 * the ingest holds what it was given and asks its owner to stop reading
 * the client (ingest_holding); INGEST_EV_RESUME says when to call
 * ingest_drain() and read on. Memory per upload is thus bounded by the
 * buffers it holds, and the worker's by the budget.
 */

#ifndef REACTBIN_INGEST_H
#define REACTBIN_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "storage.h"

/* The budget of part buffers of one worker. */
#define INGEST_BUDGET		(48 * 1024 * 1024)

enum ingest_state {
	INGEST_RUNNING,
	INGEST_FAILED,		/* S3 refused or did not answer */
	INGEST_DONE		/* committed: the object is in the bucket */
};

enum ingest_event {
	INGEST_EV_RESUME,	/* a buffer is free: ingest_drain(), read on */
	INGEST_EV_CHANGED	/* the state changed: failed or done */
};

/* What ingest_abort() left behind. */
enum ingest_leftover {
	INGEST_NOTHING,		/* nothing was, or can be, in the bucket */
	INGEST_UNKNOWN		/* something may be there: the sweeper's */
};

struct ingest;

typedef void	(*ingest_event_fn)(void *, enum ingest_event);
typedef void	(*ingest_aborted_fn)(void *, enum ingest_leftover);

/* Once per worker: the budget of part buffers. */
void		 ingest_init(void);

/*
 * An ingest for the object key. length is the file's size when known
 * (known set: a raw body), or an upper bound of it (the request's
 * Content-Length, for a multipart form).
 */
struct ingest	*ingest_new(const char *, uint64_t, int, ingest_event_fn,
		    void *);

/*
 * The object's type is known (its MIME type becomes the object's
 * Content-Type): a single PUT may begin, since nothing of it can be
 * stored before its commit.
 */
void		 ingest_type(struct ingest *, const char *);

/* The upload's intent is recorded: a multipart upload may be made. */
void		 ingest_go(struct ingest *);

/* The file's next bytes, copied. */
void		 ingest_write(struct ingest *, const uint8_t *, size_t);

/* Must the owner stop reading its client? 1 or 0. */
int		 ingest_holding(const struct ingest *);

/* After INGEST_EV_RESUME: take in what was held; 1 if still holding. */
int		 ingest_drain(struct ingest *);

/* The whole file has been written. */
void		 ingest_end(struct ingest *);

/* The upload is accepted: make the object; INGEST_EV_CHANGED says how. */
void		 ingest_commit(struct ingest *);

/* Whether the commit has begun (the object may then exist). */
int		 ingest_committed(const struct ingest *);

enum ingest_state ingest_state(const struct ingest *, enum storage_result *);

/*
 * Stop, and make sure nothing the upload sent stays: every transfer is
 * ended, and a multipart upload S3 made (or is making) is aborted. fn
 * then says what is left, possibly before ingest_abort() returns; the
 * ingest tells its owner nothing more, and is freed after fn.
 */
void		 ingest_abort(struct ingest *, ingest_aborted_fn, void *);

void		 ingest_free(struct ingest *);

#endif
