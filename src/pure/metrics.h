/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The counter model behind GET /metrics (metrics.c). Pure: no Kore.
 *
 * Each worker owns one struct metrics_slot in memory the parent shared
 * before it forked them (counters.c), and is the only process that writes
 * it, from its event loop alone (never from a task's thread); any worker
 * reads every slot to answer a scrape. So a counter is
 * bumped with a relaxed atomic load and store (no lock, no read-modify-
 * write instruction: nobody else writes it), and a reader sees each value
 * whole. A slot outlives its worker: a restarted worker goes on counting
 * where the dead one stopped, so an instance's counters only ever grow.
 *
 * Every function takes a NULL slot and then does nothing: the parent and
 * a process without a slot count nothing.
 */

#ifndef REACTBIN_METRICS_H
#define REACTBIN_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct expo;

/* Routes a slot has room for (kore.conf.in has fewer). */
#define METRICS_ROUTES_MAX	48

/*
 * The statuses counted one by one; any other is counted as "other". The
 * list is every status reactbin or Kore answers with.
 */
#define METRICS_STATUSES	27
#define METRICS_STATUS_OTHER	(METRICS_STATUSES - 1)

/* Histogram bounds, in seconds: one set for every duration. */
#define METRICS_BOUNDS		12

struct metrics_histogram {
	uint64_t	buckets[METRICS_BOUNDS + 1];	/* not cumulative */
	uint64_t	sum_us;
};

/* The storage calls of storage.c, one per kind of S3 request. */
enum metrics_storage_op {
	METRICS_OP_PUT,
	METRICS_OP_PUT_PART,
	METRICS_OP_GET,
	METRICS_OP_FETCH,
	METRICS_OP_DELETE,
	METRICS_OP_HEAD_BUCKET,
	METRICS_OP_MULTIPART_CREATE,
	METRICS_OP_MULTIPART_COMPLETE,
	METRICS_OP_MULTIPART_ABORT,
	METRICS_OP_MULTIPART_LIST,
	METRICS_OPS
};

/* The queues measured by their own modules' ticks. */
enum metrics_queue {
	METRICS_QUEUE_DELETIONS,	/* storage_deletions, sweeper.c */
	METRICS_QUEUE_DERIVATIVES,	/* derivative_jobs, derive.c */
	METRICS_QUEUES
};

/* One queue's size as last measured, and when (Unix time, ms). */
struct metrics_queue_gauge {
	uint64_t	depth;
	uint64_t	oldest_ms;
	uint64_t	measured_ms;
};

struct metrics_slot {
	/* Counters, by route index (counters.c's table of kore.conf.in). */
	uint64_t			requests[METRICS_ROUTES_MAX]
					    [METRICS_STATUSES];
	struct metrics_histogram	latency[METRICS_ROUTES_MAX];
	uint64_t			bytes_in[METRICS_ROUTES_MAX];
	uint64_t			bytes_out[METRICS_ROUTES_MAX];

	uint64_t			storage_calls[METRICS_OPS];
	uint64_t			storage_errors[METRICS_OPS];
	struct metrics_histogram	storage_latency[METRICS_OPS];

	struct metrics_histogram	db_wait;
	uint64_t			login_failures;
	uint64_t			login_locks;
	uint64_t			login_refused;

	/* How often a worker started in this slot: restarts + 1. */
	uint64_t			starts;

	/* Gauges: this worker's now, reset when it starts. */
	uint64_t			db_waiting;
	uint64_t			db_in_use;
	uint64_t			db_open;
	uint64_t			draining;
	struct metrics_queue_gauge	queues[METRICS_QUEUES];
};

/* What the build info series says (label values, any text). */
struct metrics_build {
	const char	*version;
	const char	*revision;
};

/* The routes' label values, index by index, and how many there are. */
struct metrics_routes {
	const char *const	*names;
	size_t			 count;
};

/*
 * This worker's slot, or NULL outside a worker: defined on the Kore side
 * (counters.c), which owns the shared memory.
 */
struct metrics_slot	*metrics_self(void);

uint64_t	 metrics_now_us(void);
int		 metrics_status_index(int);
const char	*metrics_status_label(int);
size_t		 metrics_bucket(uint64_t);
uint64_t	 metrics_bound_us(size_t);
const char	*metrics_op_name(enum metrics_storage_op);

void	metrics_worker_start(struct metrics_slot *);
void	metrics_request(struct metrics_slot *, size_t, int, uint64_t,
	    uint64_t, uint64_t);
void	metrics_storage_call(struct metrics_slot *, enum metrics_storage_op,
	    int, uint64_t);
void	metrics_db_wait(struct metrics_slot *, uint64_t);
void	metrics_db_queue(struct metrics_slot *, uint64_t, uint64_t);
void	metrics_db_open(struct metrics_slot *, uint64_t);
void	metrics_login_failure(struct metrics_slot *, int);
void	metrics_login_refused(struct metrics_slot *);
void	metrics_queue_measured(struct metrics_slot *, enum metrics_queue,
	    uint64_t, uint64_t, uint64_t);
void	metrics_draining(struct metrics_slot *, int);

/*
 * Read nslots slots into total: counters and the workers' gauges summed,
 * each queue as its latest measurement says, draining when any worker is.
 */
void	metrics_sum(const struct metrics_slot *, size_t,
	    struct metrics_slot *);

/*
 * The text exposition of one scrape: total (from metrics_sum), the slots
 * themselves for the per-worker series (slot i is worker i; slots that
 * never started are left out), the routes' names, the connections a
 * worker may hold, and the build. Returns 0, or -1 when the writer failed.
 */
int	metrics_render(struct expo *, const struct metrics_slot *,
	    const struct metrics_slot *, size_t, const struct metrics_routes *,
	    uint64_t, const struct metrics_build *);

#endif
