/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * GET /metrics: every worker's counters (counters.c) added up and
 * written in Prometheus' text format (exposition.c, metrics.c), with no
 * lock and no query.
 *
 * The work queues' depth and age cost a query, so they are measured by
 * their own modules' ticks (sweeper.c, derive.c) through
 * scrape_queue_tick(), never by a scrape.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "encoding.h"
#include "exposition.h"
#include "log.h"
#include "metrics.h"

int	metrics_scrape(struct http_request *);

/* A scrape of a busy instance is some tens of kilobytes. */
#define SCRAPE_BODY_MAX		(4 * 1024 * 1024)

/* A queue is measured at most this often by each worker. */
#define QUEUE_MEASURE_MS	10000

/* A measurement not answered by then is given up and started again. */
#define QUEUE_STUCK_MS		60000

#define MS_PER_S		1000
#define NS_PER_MS		1000000

struct queue_measure {
	enum metrics_queue	queue;
};

static u_int64_t	scrape_wall_ms(void);
static enum step_result	measure_query(struct http_request *,
			    struct job *);
static enum step_result	measure_store(struct http_request *,
			    struct job *);
static void		measure_done(struct job *);

static const step_fn measure_steps[] = {
	measure_query,
	measure_store,
	NULL,
};

/* Depth, and the oldest row's age in milliseconds (0 when empty). */
static const char *const queue_queries[METRICS_QUEUES] = {
	"SELECT count(*), COALESCE(floor(1000 * EXTRACT(EPOCH FROM "
	    "now() - min(created_at))), 0)::bigint FROM storage_deletions",
	"SELECT count(*), COALESCE(floor(1000 * EXTRACT(EPOCH FROM "
	    "now() - min(created_at))), 0)::bigint FROM derivative_jobs",
};

static struct job		*measuring[METRICS_QUEUES];
static u_int64_t		 measured_at[METRICS_QUEUES];





/*
 * The sweeper's and derive.c's ticks: measure the queue now and then,
 * one query at a time.
 */
void
scrape_queue_tick(enum metrics_queue q, u_int64_t now)
{
	struct queue_measure	*m;

	if (metrics_self() == NULL || (unsigned int)q >= METRICS_QUEUES)
		return;

	if (measuring[q] != NULL) {
		/* As the sweeper: a query whose connection broke is seen. */
		if (now - measured_at[q] < QUEUE_STUCK_MS) {
			job_wakeup(measuring[q]);
			return;
		}
		log_warn("event=queue_measure_abandoned queue=%d", (int)q);
		job_free(measuring[q]);
		measuring[q] = NULL;
	}

	if (measured_at[q] != 0 && now - measured_at[q] < QUEUE_MEASURE_MS)
		return;

	measured_at[q] = now;
	measuring[q] = job_detached(measure_steps, sizeof(*m), measure_done);
	m = measuring[q]->data;
	m->queue = q;
	job_wakeup(measuring[q]);
}

/* The handler: loopback (or METRICS_ALLOWED_IPS) only, no lock, no query. */
int
metrics_scrape(struct http_request *req)
{
	struct request_ctx	*ctx;
	struct metrics_slot	*slots, *total;
	struct metrics_routes	 routes;
	struct metrics_build	 build;
	struct expo		 e;
	char			*text;
	size_t			 len, nslots;

	ctx = request_ctx(req);
	if (!cidr_list_contains(&app_config.metrics_allowed, ctx->client_ip)) {
		reply_error(req, HTTP_STATUS_FORBIDDEN, "forbidden",
		    "metrics are not served to this address");
		return (KORE_RESULT_OK);
	}
	if ((slots = counters_slots(&nslots)) == NULL) {
		reply_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "unavailable", "metrics are not being counted");
		return (KORE_RESULT_OK);
	}

	total = kore_calloc(1, sizeof(*total));
	metrics_sum(slots, nslots, total);

	counters_routes(&routes);
	build.version = app_config.build_version;
	build.revision = app_config.build_revision;

	expo_init(&e, SCRAPE_BODY_MAX);
	(void)metrics_render(&e, total, slots, nslots, &routes,
	    DB_WORKER_CONNECTIONS, &build);
	kore_free(total);
	if (expo_finish(&e, &text, &len) == -1) {
		log_error("event=metrics_failed reason=render");
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (KORE_RESULT_OK);
	}

	reply_common_headers(req);
	http_response_header(req, "content-type", EXPO_CONTENT_TYPE);
	http_response_header(req, "cache-control", "no-store");
	if (req->method == HTTP_METHOD_GET)
		ctx->bytes_out = len;
	http_response(req, HTTP_STATUS_OK, text, len);
	free(text);

	return (KORE_RESULT_OK);
}




static enum step_result
measure_query(struct http_request *req, struct job *job)
{
	struct queue_measure	*m = job->data;

	(void)req;

	job_query(job, queue_queries[m->queue], 0);
	/* A database that is away leaves the last measurement standing. */
	job_tolerate(job, JOB_ANY_SQLSTATE);
	return (STEP_WAIT);
}

static enum step_result
measure_store(struct http_request *req, struct job *job)
{
	struct queue_measure	*m = job->data;
	const char		*v;
	uint64_t		 depth, oldest;

	(void)req;

	if (job->failed || job_rows(job) != 1)
		return (STEP_DONE);

	v = job_value(job, 0, 0);
	if (enc_decimal(v, strlen(v), UINT64_MAX, &depth) == -1)
		return (STEP_DONE);
	v = job_value(job, 0, 1);
	if (enc_decimal(v, strlen(v), UINT64_MAX, &oldest) == -1)
		oldest = 0;

	metrics_queue_measured(metrics_self(), m->queue, depth, oldest,
	    scrape_wall_ms());
	return (STEP_DONE);
}

static void
measure_done(struct job *job)
{
	size_t	q;

	for (q = 0; q < METRICS_QUEUES; q++) {
		if (measuring[q] == job)
			measuring[q] = NULL;
	}
	job_free(job);
}

/* Wall time: the measurement's time is shown as a Unix timestamp. */
static u_int64_t
scrape_wall_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return ((u_int64_t)ts.tv_sec * MS_PER_S +
	    (u_int64_t)ts.tv_nsec / NS_PER_MS);
}
