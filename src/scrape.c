/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * GET /metrics, the Kore side of metrics.c's counters.
 *
 * The parent maps one anonymous shared region before Kore forks a
 * worker: a struct metrics_slot per worker id. Every worker (a restarted
 * one too) inherits the mapping, writes only its own slot, and reads all
 * of them to answer a scrape: one scrape describes the whole instance,
 * and costs nobody a lock, a message to another process or a database
 * round trip. Nothing is written to a file (the root is read-only) and
 * no system call is made after the fork, so the workers' seccomp policy
 * needs nothing new.
 *
 * The route label is the handler's name from kore.conf.in, known in the
 * parent once Kore has read the configuration: a bounded set.
 *
 * The work queues' depth and age cost a query, so they are measured by
 * their own modules' ticks (sweeper.c, derive.c) through
 * scrape_queue_tick(), never by a scrape.
 */

#include <sys/mman.h>

#include <errno.h>
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

/* Kore's routes looked at, handlers with the same name sharing a label. */
#define SCRAPE_ROUTES_SEEN	128

/* A queue is measured at most this often by each worker. */
#define QUEUE_MEASURE_MS	10000

/* A measurement not answered by then is given up and started again. */
#define QUEUE_STUCK_MS		60000

#define MS_PER_S		1000
#define NS_PER_MS		1000000

struct queue_measure {
	enum metrics_queue	queue;
};

static size_t		scrape_route(const struct http_request *);
static size_t		scrape_route_name(const char *);
static void		scrape_routes_learn(void);
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

static struct metrics_slot	*slots;
static size_t			 nslots;
static struct metrics_slot	*self;

static const char		*route_names[METRICS_ROUTES_MAX];
static size_t			 route_count;
static const struct kore_route	*routes_seen[SCRAPE_ROUTES_SEEN];
static size_t			 routes_seen_index[SCRAPE_ROUTES_SEEN];
static size_t			 routes_seen_count;

static struct job		*measuring[METRICS_QUEUES];
static u_int64_t		 measured_at[METRICS_QUEUES];

/*
 * Parent, from kore_parent_configure: Kore has read the configuration
 * (the routes exist, the worker count is known) and forks no worker
 * before this returns.
 */
void
scrape_parent_init(void)
{
	size_t	workers, len;
	void	*p;

	scrape_routes_learn();

	/* Worker ids run from 1: slot 0 stays empty. */
	workers = worker_count != 0 ? worker_count : cpu_count;
	nslots = workers + 1;
	len = nslots * sizeof(struct metrics_slot);

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED) {
		log_error("event=startup_failed reason=metrics_mmap errno=%d",
		    errno);
		exit(EXIT_FAILURE);
	}
	slots = p;
}

/* Worker, from kore_worker_configure: take up the slot of our id. */
void
scrape_worker_init(void)
{
	if (slots == NULL || worker == NULL || worker->id >= nslots) {
		log_warn("event=metrics_unavailable reason=no_slot");
		return;
	}

	self = &slots[worker->id];
	metrics_worker_start(self);
}

/* This worker's slot, or NULL (then metrics.c counts nothing). */
struct metrics_slot *
metrics_self(void)
{
	return (self);
}

/* request.c: a request is over. */
void
scrape_request(struct http_request *req, u_int64_t us, u_int64_t bytes_out)
{
	u_int64_t	declared, in;

	if (self == NULL)
		return;

	/*
	 * The body bytes that came in: all of a body read to its end, the
	 * part that arrived of one refused or cut short (Kore counts what
	 * is still due down in content_length while it reads).
	 */
	in = 0;
	if (http_request_header_uint64(req, "content-length", &declared)) {
		if (req->flags & HTTP_REQUEST_COMPLETE)
			in = declared;
		else if (req->http_body_length == declared &&
		    req->content_length <= declared)
			in = declared - req->content_length;
	}

	metrics_request(self, scrape_route(req), req->status, us, in,
	    bytes_out);
}

/*
 * The sweeper's and derive.c's ticks: measure the queue now and then,
 * one query at a time.
 */
void
scrape_queue_tick(enum metrics_queue q, u_int64_t now)
{
	struct queue_measure	*m;

	if (self == NULL || (unsigned int)q >= METRICS_QUEUES)
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
	struct metrics_slot	*total;
	struct metrics_routes	 routes;
	struct metrics_build	 build;
	struct expo		 e;
	char			*text;
	size_t			 len;

	ctx = request_ctx(req);
	if (!cidr_list_contains(&app_config.metrics_allowed, ctx->client_ip)) {
		reply_error(req, HTTP_STATUS_FORBIDDEN, "forbidden",
		    "metrics are not served to this address");
		return (KORE_RESULT_OK);
	}
	if (slots == NULL) {
		reply_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "unavailable", "metrics are not being counted");
		return (KORE_RESULT_OK);
	}

	total = kore_calloc(1, sizeof(*total));
	metrics_sum(slots, nslots, total);

	routes.names = route_names;
	routes.count = route_count;
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

/*
 * Every route of every domain, in kore.conf.in's order; a handler named
 * twice (the web app's page) is one label.
 */
static void
scrape_routes_learn(void)
{
	struct kore_server	*srv;
	struct kore_domain	*dom;
	struct kore_route	*rt;
	size_t			 i;

	LIST_FOREACH(srv, &kore_servers, list) {
		TAILQ_FOREACH(dom, &srv->domains, list) {
			TAILQ_FOREACH(rt, &dom->routes, list) {
				if (routes_seen_count == SCRAPE_ROUTES_SEEN)
					break;
				if ((i = scrape_route_name(rt->func)) ==
				    route_count) {
					if (route_count == METRICS_ROUTES_MAX) {
						log_warn("event=metrics_routes "
						    "reason=too_many");
						continue;
					}
					route_names[route_count++] = rt->func;
				}
				routes_seen[routes_seen_count] = rt;
				routes_seen_index[routes_seen_count++] = i;
			}
		}
	}
}

static size_t
scrape_route(const struct http_request *req)
{
	size_t	i;

	if (req->rt == NULL)
		return (METRICS_ROUTES_MAX);

	for (i = 0; i < routes_seen_count; i++) {
		if (routes_seen[i] == req->rt)
			return (routes_seen_index[i]);
	}

	/* A route Kore made after the parent looked: by its name. */
	if ((i = scrape_route_name(req->rt->func)) == route_count)
		return (METRICS_ROUTES_MAX);
	return (i);
}

/* The label index of a handler's name, or route_count. */
static size_t
scrape_route_name(const char *func)
{
	size_t	i;

	for (i = 0; i < route_count; i++) {
		if (!strcmp(route_names[i], func))
			break;
	}
	return (i);
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

	metrics_queue_measured(self, m->queue, depth, oldest, scrape_wall_ms());
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
