/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The counter model of GET /metrics, see metrics.h: what a worker counts
 * in its slot, how a scrape adds the slots up, and the metrics it then
 * shows (names, help, labels), written through exposition.c.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "exposition.h"
#include "metrics.h"

#define US_PER_MS		1000
#define US_PER_S		1000000
#define NS_PER_US		1000

/* A worker id in decimal. */
#define LABEL_TEXT_MAX		32

static uint64_t	metrics_read(const uint64_t *);
static void	metrics_add(uint64_t *, uint64_t);
static void	metrics_set(uint64_t *, uint64_t);
static void	metrics_observe(struct metrics_histogram *, uint64_t);
static void	metrics_sum_histogram(struct metrics_histogram *,
		    const struct metrics_histogram *);
static uint64_t	metrics_histogram_count(
		    const struct metrics_histogram *);
static void	metrics_render_http(struct expo *,
		    const struct metrics_slot *, const struct metrics_routes *);
static void	metrics_render_storage(struct expo *,
		    const struct metrics_slot *);
static void	metrics_render_db(struct expo *, const struct metrics_slot *,
		    uint64_t);
static void	metrics_render_queues(struct expo *,
		    const struct metrics_slot *);
static void	metrics_render_workers(struct expo *,
		    const struct metrics_slot *, size_t);

static const int metrics_statuses[METRICS_STATUS_OTHER] = {
	200, 201, 204, 206, 301, 302, 304,
	400, 401, 403, 404, 405, 408, 409, 411, 413, 414, 415, 416, 422,
	429, 431,
	500, 502, 503, 504,
};

static const char *const metrics_status_labels[METRICS_STATUSES] = {
	"200", "201", "204", "206", "301", "302", "304",
	"400", "401", "403", "404", "405", "408", "409", "411", "413", "414",
	"415", "416", "422", "429", "431",
	"500", "502", "503", "504",
	"other",
};

/*
 * Upper bounds, in microseconds: from a millisecond (a cached page, a
 * health check) to ten seconds (a large upload's parts, S3 timeouts).
 */
static const uint64_t metrics_bounds_us[METRICS_BOUNDS] = {
	1000, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000,
};

static const char *const metrics_op_names[METRICS_OPS] = {
	"put", "put_part", "get", "fetch", "delete", "head_bucket",
	"multipart_create", "multipart_complete", "multipart_abort",
	"multipart_list",
};

static const char *const metrics_queue_names[METRICS_QUEUES] = {
	"deletions", "derivatives",
};

/* The clock of every duration counted, in microseconds. */
uint64_t
metrics_now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * US_PER_S +
	    (uint64_t)ts.tv_nsec / NS_PER_US);
}

int
metrics_status_index(int status)
{
	int	i;

	for (i = 0; i < METRICS_STATUS_OTHER; i++) {
		if (metrics_statuses[i] == status)
			return (i);
	}
	return (METRICS_STATUS_OTHER);
}

const char *
metrics_status_label(int index)
{
	if (index < 0 || index >= METRICS_STATUSES)
		return (metrics_status_labels[METRICS_STATUS_OTHER]);
	return (metrics_status_labels[index]);
}

/* The bucket of a duration: the first whose bound it does not pass. */
size_t
metrics_bucket(uint64_t us)
{
	size_t	i;

	for (i = 0; i < METRICS_BOUNDS; i++) {
		if (us <= metrics_bounds_us[i])
			return (i);
	}
	return (METRICS_BOUNDS);
}

uint64_t
metrics_bound_us(size_t i)
{
	return (i < METRICS_BOUNDS ? metrics_bounds_us[i] : UINT64_MAX);
}

const char *
metrics_op_name(enum metrics_storage_op op)
{
	if ((unsigned int)op >= METRICS_OPS)
		return (NULL);
	return (metrics_op_names[op]);
}

/* A worker starts in its slot: counters go on, its gauges are its own. */
void
metrics_worker_start(struct metrics_slot *s)
{
	if (s == NULL)
		return;

	metrics_add(&s->starts, 1);
	metrics_set(&s->db_waiting, 0);
	metrics_set(&s->db_in_use, 0);
	metrics_set(&s->db_open, 0);
	metrics_set(&s->draining, 0);
}

void
metrics_request(struct metrics_slot *s, size_t route, int status,
    uint64_t us, uint64_t bytes_in, uint64_t bytes_out)
{
	if (s == NULL || route >= METRICS_ROUTES_MAX)
		return;

	metrics_add(&s->requests[route][metrics_status_index(status)], 1);
	metrics_observe(&s->latency[route], us);
	metrics_add(&s->bytes_in[route], bytes_in);
	metrics_add(&s->bytes_out[route], bytes_out);
}

void
metrics_storage_call(struct metrics_slot *s, enum metrics_storage_op op,
    int error, uint64_t us)
{
	if (s == NULL || (unsigned int)op >= METRICS_OPS)
		return;

	metrics_add(&s->storage_calls[op], 1);
	if (error)
		metrics_add(&s->storage_errors[op], 1);
	metrics_observe(&s->storage_latency[op], us);
}

/* A query had its connection after waiting us for it (0: at once). */
void
metrics_db_wait(struct metrics_slot *s, uint64_t us)
{
	if (s == NULL)
		return;
	metrics_observe(&s->db_wait, us);
}

void
metrics_db_queue(struct metrics_slot *s, uint64_t waiting, uint64_t in_use)
{
	if (s == NULL)
		return;
	metrics_set(&s->db_waiting, waiting);
	metrics_set(&s->db_in_use, in_use);
}

void
metrics_db_open(struct metrics_slot *s, uint64_t open)
{
	if (s == NULL)
		return;
	metrics_set(&s->db_open, open);
}

/* A wrong password; locked_now: the one that locked its address. */
void
metrics_login_failure(struct metrics_slot *s, int locked_now)
{
	if (s == NULL)
		return;
	metrics_add(&s->login_failures, 1);
	if (locked_now)
		metrics_add(&s->login_locks, 1);
}

/* A login refused because its address is locked. */
void
metrics_login_refused(struct metrics_slot *s)
{
	if (s == NULL)
		return;
	metrics_add(&s->login_refused, 1);
}

void
metrics_queue_measured(struct metrics_slot *s, enum metrics_queue q,
    uint64_t depth, uint64_t oldest_ms, uint64_t now_ms)
{
	if (s == NULL || (unsigned int)q >= METRICS_QUEUES)
		return;

	/* The time last: a reader that sees it sees the values with it. */
	metrics_set(&s->queues[q].depth, depth);
	metrics_set(&s->queues[q].oldest_ms, oldest_ms);
	__atomic_store_n(&s->queues[q].measured_ms, now_ms, __ATOMIC_RELEASE);
}

void
metrics_draining(struct metrics_slot *s, int on)
{
	if (s == NULL)
		return;
	metrics_set(&s->draining, on ? 1 : 0);
}

void
metrics_sum(const struct metrics_slot *slots, size_t nslots,
    struct metrics_slot *t)
{
	const struct metrics_slot	*s;
	uint64_t			 at;
	size_t				 i, r, k;

	memset(t, 0, sizeof(*t));

	for (i = 0; i < nslots; i++) {
		s = &slots[i];
		for (r = 0; r < METRICS_ROUTES_MAX; r++) {
			for (k = 0; k < METRICS_STATUSES; k++)
				t->requests[r][k] +=
				    metrics_read(&s->requests[r][k]);
			metrics_sum_histogram(&t->latency[r], &s->latency[r]);
			t->bytes_in[r] += metrics_read(&s->bytes_in[r]);
			t->bytes_out[r] += metrics_read(&s->bytes_out[r]);
		}
		for (k = 0; k < METRICS_OPS; k++) {
			t->storage_calls[k] +=
			    metrics_read(&s->storage_calls[k]);
			t->storage_errors[k] +=
			    metrics_read(&s->storage_errors[k]);
			metrics_sum_histogram(&t->storage_latency[k],
			    &s->storage_latency[k]);
		}
		metrics_sum_histogram(&t->db_wait, &s->db_wait);
		t->login_failures += metrics_read(&s->login_failures);
		t->login_locks += metrics_read(&s->login_locks);
		t->login_refused += metrics_read(&s->login_refused);
		t->starts += metrics_read(&s->starts);
		t->db_waiting += metrics_read(&s->db_waiting);
		t->db_in_use += metrics_read(&s->db_in_use);
		t->db_open += metrics_read(&s->db_open);
		if (metrics_read(&s->draining))
			t->draining = 1;

		/* A queue is the database's: the latest look at it counts. */
		for (k = 0; k < METRICS_QUEUES; k++) {
			at = __atomic_load_n(&s->queues[k].measured_ms,
			    __ATOMIC_ACQUIRE);
			if (at == 0 || at <= t->queues[k].measured_ms)
				continue;
			t->queues[k].measured_ms = at;
			t->queues[k].depth = metrics_read(&s->queues[k].depth);
			t->queues[k].oldest_ms =
			    metrics_read(&s->queues[k].oldest_ms);
		}
	}
}

int
metrics_render(struct expo *e, const struct metrics_slot *t,
    const struct metrics_slot *slots, size_t nslots,
    const struct metrics_routes *routes, uint64_t worker_connections,
    const struct metrics_build *build)
{
	struct expo_label	l[2];
	uint64_t		workers;
	size_t			i;

	/* Every worker that ever started holds a slot and may dial. */
	workers = 0;
	for (i = 0; i < nslots; i++) {
		if (metrics_read(&slots[i].starts) > 0)
			workers++;
	}

	expo_family(e, "reactbin_build_info", EXPO_GAUGE,
	    "The version and revision this instance runs, as the image was "
	    "built with them (always 1).");
	l[0].name = "version";
	l[0].value = build->version;
	l[1].name = "revision";
	l[1].value = build->revision;
	expo_sample(e, "reactbin_build_info", l, 2, 1);

	metrics_render_http(e, t, routes);
	metrics_render_storage(e, t);
	metrics_render_db(e, t, workers * worker_connections);

	expo_family(e, "reactbin_login_failures_total", EXPO_COUNTER,
	    "Logins refused for a wrong username or password (401).");
	expo_sample(e, "reactbin_login_failures_total", NULL, 0,
	    t->login_failures);
	expo_family(e, "reactbin_login_locks_total", EXPO_COUNTER,
	    "Client addresses locked out by their failed logins.");
	expo_sample(e, "reactbin_login_locks_total", NULL, 0, t->login_locks);
	expo_family(e, "reactbin_login_refused_total", EXPO_COUNTER,
	    "Logins refused because their address was locked (429).");
	expo_sample(e, "reactbin_login_refused_total", NULL, 0,
	    t->login_refused);

	metrics_render_queues(e, t);

	expo_family(e, "reactbin_draining", EXPO_GAUGE,
	    "1 while the instance drains after SIGTERM, else 0.");
	expo_sample(e, "reactbin_draining", NULL, 0, t->draining);

	metrics_render_workers(e, slots, nslots);

	return (expo_failed(e) ? -1 : 0);
}

static void
metrics_render_http(struct expo *e, const struct metrics_slot *t,
    const struct metrics_routes *routes)
{
	struct expo_label	l[2];
	size_t			r, k, n;

	n = routes->count < METRICS_ROUTES_MAX ? routes->count :
	    METRICS_ROUTES_MAX;

	expo_family(e, "reactbin_http_requests_total", EXPO_COUNTER,
	    "Requests answered, by route (the handler of kore.conf.in) and "
	    "status.");
	l[0].name = "route";
	l[1].name = "status";
	for (r = 0; r < n; r++) {
		l[0].value = routes->names[r];
		for (k = 0; k < METRICS_STATUSES; k++) {
			if (t->requests[r][k] == 0)
				continue;
			l[1].value = metrics_status_labels[k];
			expo_sample(e, "reactbin_http_requests_total", l, 2,
			    t->requests[r][k]);
		}
	}

	expo_family(e, "reactbin_http_request_duration_seconds",
	    EXPO_HISTOGRAM, "Time from a request's first handling to its "
	    "end, by route.");
	for (r = 0; r < n; r++) {
		if (metrics_histogram_count(&t->latency[r]) == 0)
			continue;
		l[0].value = routes->names[r];
		expo_histogram(e, "reactbin_http_request_duration_seconds",
		    l, 1, t->latency[r].buckets, metrics_bounds_us,
		    METRICS_BOUNDS, t->latency[r].sum_us);
	}

	expo_family(e, "reactbin_http_request_bytes_total", EXPO_COUNTER,
	    "Request body bytes received, by route.");
	for (r = 0; r < n; r++) {
		if (metrics_histogram_count(&t->latency[r]) == 0)
			continue;
		l[0].value = routes->names[r];
		expo_sample(e, "reactbin_http_request_bytes_total", l, 1,
		    t->bytes_in[r]);
	}

	expo_family(e, "reactbin_http_response_bytes_total", EXPO_COUNTER,
	    "Response body bytes sent, by route.");
	for (r = 0; r < n; r++) {
		if (metrics_histogram_count(&t->latency[r]) == 0)
			continue;
		l[0].value = routes->names[r];
		expo_sample(e, "reactbin_http_response_bytes_total", l, 1,
		    t->bytes_out[r]);
	}
}

static void
metrics_render_storage(struct expo *e, const struct metrics_slot *t)
{
	struct expo_label	l[1];
	size_t			k;

	l[0].name = "operation";

	expo_family(e, "reactbin_storage_calls_total", EXPO_COUNTER,
	    "S3 calls ended, by operation.");
	for (k = 0; k < METRICS_OPS; k++) {
		l[0].value = metrics_op_names[k];
		expo_sample(e, "reactbin_storage_calls_total", l, 1,
		    t->storage_calls[k]);
	}

	expo_family(e, "reactbin_storage_errors_total", EXPO_COUNTER,
	    "S3 calls that failed (no answer, a 5xx, or an error answer "
	    "other than 404 and 416), by operation.");
	for (k = 0; k < METRICS_OPS; k++) {
		l[0].value = metrics_op_names[k];
		expo_sample(e, "reactbin_storage_errors_total", l, 1,
		    t->storage_errors[k]);
	}

	expo_family(e, "reactbin_storage_call_duration_seconds",
	    EXPO_HISTOGRAM, "Time from an S3 call's start to its end, by "
	    "operation.");
	for (k = 0; k < METRICS_OPS; k++) {
		l[0].value = metrics_op_names[k];
		expo_histogram(e, "reactbin_storage_call_duration_seconds",
		    l, 1, t->storage_latency[k].buckets, metrics_bounds_us,
		    METRICS_BOUNDS, t->storage_latency[k].sum_us);
	}
}

static void
metrics_render_db(struct expo *e, const struct metrics_slot *t,
    uint64_t max)
{
	expo_family(e, "reactbin_db_queue_wait_seconds", EXPO_HISTOGRAM,
	    "Time a query waited for one of its worker's connections.");
	expo_histogram(e, "reactbin_db_queue_wait_seconds", NULL, 0,
	    t->db_wait.buckets, metrics_bounds_us, METRICS_BOUNDS,
	    t->db_wait.sum_us);

	expo_family(e, "reactbin_db_queries_waiting", EXPO_GAUGE,
	    "Queries waiting now for a connection.");
	expo_sample(e, "reactbin_db_queries_waiting", NULL, 0, t->db_waiting);
	expo_family(e, "reactbin_db_connections_in_use", EXPO_GAUGE,
	    "Connections carrying a query now.");
	expo_sample(e, "reactbin_db_connections_in_use", NULL, 0,
	    t->db_in_use);
	expo_family(e, "reactbin_db_connections_open", EXPO_GAUGE,
	    "Connections to PostgreSQL open now.");
	expo_sample(e, "reactbin_db_connections_open", NULL, 0, t->db_open);
	expo_family(e, "reactbin_db_connections_max", EXPO_GAUGE,
	    "Connections the instance's workers may hold at most.");
	expo_sample(e, "reactbin_db_connections_max", NULL, 0, max);
}

static void
metrics_render_queues(struct expo *e, const struct metrics_slot *t)
{
	struct expo_label	l[1];
	size_t			k;

	l[0].name = "queue";

	expo_family(e, "reactbin_queue_depth", EXPO_GAUGE,
	    "Rows in a work queue (deletions: storage_deletions, "
	    "derivatives: derivative_jobs), as last measured.");
	for (k = 0; k < METRICS_QUEUES; k++) {
		if (t->queues[k].measured_ms == 0)
			continue;
		l[0].value = metrics_queue_names[k];
		expo_sample(e, "reactbin_queue_depth", l, 1,
		    t->queues[k].depth);
	}

	expo_family(e, "reactbin_queue_oldest_age_seconds", EXPO_GAUGE,
	    "Age of a work queue's oldest row, as last measured (0 when "
	    "empty).");
	for (k = 0; k < METRICS_QUEUES; k++) {
		if (t->queues[k].measured_ms == 0)
			continue;
		l[0].value = metrics_queue_names[k];
		expo_sample_us(e, "reactbin_queue_oldest_age_seconds", l, 1,
		    t->queues[k].oldest_ms * US_PER_MS);
	}

	expo_family(e, "reactbin_queue_measured_timestamp_seconds",
	    EXPO_GAUGE, "When a work queue was last measured (Unix time).");
	for (k = 0; k < METRICS_QUEUES; k++) {
		if (t->queues[k].measured_ms == 0)
			continue;
		l[0].value = metrics_queue_names[k];
		expo_sample_us(e, "reactbin_queue_measured_timestamp_seconds",
		    l, 1, t->queues[k].measured_ms * US_PER_MS);
	}
}

static void
metrics_render_workers(struct expo *e, const struct metrics_slot *slots,
    size_t nslots)
{
	struct expo_label	l[1];
	char			id[LABEL_TEXT_MAX];
	uint64_t		starts, n;
	size_t			i, r, k;

	l[0].name = "worker";
	l[0].value = id;

	expo_family(e, "reactbin_worker_restarts_total", EXPO_COUNTER,
	    "Times a worker was started again after it died, by worker.");
	for (i = 0; i < nslots; i++) {
		if ((starts = metrics_read(&slots[i].starts)) == 0)
			continue;
		(void)snprintf(id, sizeof(id), "%zu", i);
		expo_sample(e, "reactbin_worker_restarts_total", l, 1,
		    starts - 1);
	}

	expo_family(e, "reactbin_worker_requests_total", EXPO_COUNTER,
	    "Requests answered, by worker.");
	for (i = 0; i < nslots; i++) {
		if (metrics_read(&slots[i].starts) == 0)
			continue;
		n = 0;
		for (r = 0; r < METRICS_ROUTES_MAX; r++) {
			for (k = 0; k < METRICS_STATUSES; k++)
				n += metrics_read(&slots[i].requests[r][k]);
		}
		(void)snprintf(id, sizeof(id), "%zu", i);
		expo_sample(e, "reactbin_worker_requests_total", l, 1, n);
	}
}

/* Summing into a private copy: plain arithmetic on its side. */
static void
metrics_sum_histogram(struct metrics_histogram *t,
    const struct metrics_histogram *s)
{
	size_t	i;

	for (i = 0; i <= METRICS_BOUNDS; i++)
		t->buckets[i] += metrics_read(&s->buckets[i]);
	t->sum_us += metrics_read(&s->sum_us);
}

static uint64_t
metrics_histogram_count(const struct metrics_histogram *h)
{
	uint64_t	n;
	size_t		i;

	n = 0;
	for (i = 0; i <= METRICS_BOUNDS; i++)
		n += h->buckets[i];
	return (n);
}

static void
metrics_observe(struct metrics_histogram *h, uint64_t us)
{
	metrics_add(&h->buckets[metrics_bucket(us)], 1);
	metrics_add(&h->sum_us, us);
}

/* Single writer: a relaxed load and store, never torn, never a lock. */
static uint64_t
metrics_read(const uint64_t *p)
{
	return (__atomic_load_n(p, __ATOMIC_RELAXED));
}

static void
metrics_add(uint64_t *p, uint64_t n)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + n,
	    __ATOMIC_RELAXED);
}

static void
metrics_set(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}
