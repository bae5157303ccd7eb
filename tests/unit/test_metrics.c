/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for metrics.c: statuses and buckets, what a slot counts,
 * how slots add up (counters, gauges, the latest queue measurement), and
 * what a scrape shows of them.
 */

#include <stdint.h>
#include <stdlib.h>

#include "testutil.h"

#include "exposition.h"
#include "metrics.h"

#define LIMIT		(1024 * 1024)
#define SLOTS		3

static struct metrics_slot	*slots_new(void);
static char			*render(const struct metrics_slot *, size_t,
				    const struct metrics_routes *);

static const char *const route_names[] = { "health", "fall\"back" };
static const struct metrics_routes routes = { route_names, 2 };
static const struct metrics_build build = { "1.2.3", "abc\\def" };

static void
test_statuses(void **state)
{
	(void)state;
	assert_string_equal(metrics_status_label(metrics_status_index(200)),
	    "200");
	assert_string_equal(metrics_status_label(metrics_status_index(404)),
	    "404");
	assert_string_equal(metrics_status_label(metrics_status_index(504)),
	    "504");
	assert_int_equal(metrics_status_index(299), METRICS_STATUS_OTHER);
	assert_int_equal(metrics_status_index(0), METRICS_STATUS_OTHER);
	assert_int_equal(metrics_status_index(-1), METRICS_STATUS_OTHER);
	assert_string_equal(metrics_status_label(METRICS_STATUS_OTHER),
	    "other");
	assert_string_equal(metrics_status_label(-5), "other");
	assert_string_equal(metrics_status_label(METRICS_STATUSES), "other");
}

static void
test_buckets(void **state)
{
	size_t	i;

	(void)state;
	/* A bound is inclusive: le means "less than or equal". */
	assert_int_equal(metrics_bucket(0), 0);
	assert_int_equal(metrics_bucket(metrics_bound_us(0)), 0);
	assert_int_equal(metrics_bucket(metrics_bound_us(0) + 1), 1);
	for (i = 1; i < METRICS_BOUNDS; i++) {
		assert_true(metrics_bound_us(i) > metrics_bound_us(i - 1));
		assert_int_equal(metrics_bucket(metrics_bound_us(i)), i);
	}
	assert_int_equal(metrics_bucket(metrics_bound_us(METRICS_BOUNDS - 1)
	    + 1), METRICS_BOUNDS);
	assert_int_equal(metrics_bucket(UINT64_MAX), METRICS_BOUNDS);
	assert_int_equal(metrics_bound_us(METRICS_BOUNDS), UINT64_MAX);

	assert_string_equal(metrics_op_name(METRICS_OP_MULTIPART_ABORT),
	    "multipart_abort");
	assert_null(metrics_op_name(METRICS_OPS));
}

static void
test_slot_counts(void **state)
{
	struct metrics_slot	*s;

	(void)state;
	s = slots_new();
	metrics_worker_start(&s[1]);
	metrics_request(&s[1], 1, 404, 3000, 10, 59);
	metrics_request(&s[1], 1, 404, 2000000, 0, 59);
	metrics_request(&s[1], 0, 299, 10, 0, 0);
	/* Out of range: nothing, and no harm. */
	metrics_request(&s[1], METRICS_ROUTES_MAX, 200, 1, 1, 1);
	metrics_storage_call(&s[1], METRICS_OP_PUT, 0, 20000);
	metrics_storage_call(&s[1], METRICS_OP_PUT, 1, 30000);
	metrics_storage_call(&s[1], METRICS_OPS, 1, 30000);
	metrics_login_failure(&s[1], 0);
	metrics_login_failure(&s[1], 1);
	metrics_login_refused(&s[1]);

	assert_int_equal(s[1].requests[1][metrics_status_index(404)], 2);
	assert_int_equal(s[1].requests[0][METRICS_STATUS_OTHER], 1);
	assert_int_equal(s[1].latency[1].buckets[metrics_bucket(3000)], 1);
	assert_int_equal(s[1].latency[1].buckets[metrics_bucket(2000000)], 1);
	assert_int_equal(s[1].latency[1].sum_us, 2003000);
	assert_int_equal(s[1].bytes_in[1], 10);
	assert_int_equal(s[1].bytes_out[1], 118);
	assert_int_equal(s[1].storage_calls[METRICS_OP_PUT], 2);
	assert_int_equal(s[1].storage_errors[METRICS_OP_PUT], 1);
	assert_int_equal(s[1].login_failures, 2);
	assert_int_equal(s[1].login_locks, 1);
	assert_int_equal(s[1].login_refused, 1);

	/* A NULL slot (no worker) counts nothing and does not crash. */
	metrics_worker_start(NULL);
	metrics_request(NULL, 0, 200, 1, 1, 1);
	metrics_storage_call(NULL, METRICS_OP_GET, 1, 1);
	metrics_db_wait(NULL, 1);
	metrics_db_queue(NULL, 1, 1);
	metrics_db_open(NULL, 1);
	metrics_login_failure(NULL, 1);
	metrics_login_refused(NULL);
	metrics_queue_measured(NULL, METRICS_QUEUE_DELETIONS, 1, 1, 1);
	metrics_draining(NULL, 1);
	free(s);
}

static void
test_restart_keeps_counters(void **state)
{
	struct metrics_slot	*s;

	(void)state;
	s = slots_new();
	metrics_worker_start(&s[1]);
	metrics_request(&s[1], 0, 200, 1, 0, 0);
	metrics_db_queue(&s[1], 3, 8);
	metrics_db_open(&s[1], 8);
	metrics_draining(&s[1], 1);

	/* The worker died and a new one took its slot. */
	metrics_worker_start(&s[1]);
	assert_int_equal(s[1].starts, 2);
	assert_int_equal(s[1].requests[0][0], 1);
	assert_int_equal(s[1].db_waiting, 0);
	assert_int_equal(s[1].db_in_use, 0);
	assert_int_equal(s[1].db_open, 0);
	assert_int_equal(s[1].draining, 0);
	free(s);
}

static void
test_sum(void **state)
{
	struct metrics_slot	*s, t;

	(void)state;
	s = slots_new();
	metrics_worker_start(&s[1]);
	metrics_worker_start(&s[2]);
	metrics_request(&s[1], 0, 200, 1000, 5, 7);
	metrics_request(&s[2], 0, 200, 6000, 6, 8);
	metrics_storage_call(&s[2], METRICS_OP_GET, 1, 1);
	metrics_db_wait(&s[1], 0);
	metrics_db_wait(&s[2], 40000);
	metrics_db_queue(&s[1], 2, 8);
	metrics_db_queue(&s[2], 1, 3);
	metrics_db_open(&s[1], 8);
	metrics_db_open(&s[2], 4);
	metrics_draining(&s[2], 1);

	/* Two looks at one queue: the later one wins, whichever slot. */
	metrics_queue_measured(&s[2], METRICS_QUEUE_DERIVATIVES, 9, 60000,
	    1000);
	metrics_queue_measured(&s[1], METRICS_QUEUE_DERIVATIVES, 4, 1000,
	    2000);
	metrics_queue_measured(&s[2], METRICS_QUEUE_DELETIONS, 1, 5, 500);

	metrics_sum(s, SLOTS, &t);
	assert_int_equal(t.requests[0][0], 2);
	assert_int_equal(t.latency[0].buckets[metrics_bucket(1000)], 1);
	assert_int_equal(t.latency[0].buckets[metrics_bucket(6000)], 1);
	assert_int_equal(t.latency[0].sum_us, 7000);
	assert_int_equal(t.bytes_in[0], 11);
	assert_int_equal(t.bytes_out[0], 15);
	assert_int_equal(t.storage_errors[METRICS_OP_GET], 1);
	assert_int_equal(t.db_wait.buckets[0], 1);
	assert_int_equal(t.db_wait.sum_us, 40000);
	assert_int_equal(t.db_waiting, 3);
	assert_int_equal(t.db_in_use, 11);
	assert_int_equal(t.db_open, 12);
	assert_int_equal(t.draining, 1);
	assert_int_equal(t.starts, 2);
	assert_int_equal(t.queues[METRICS_QUEUE_DERIVATIVES].depth, 4);
	assert_int_equal(t.queues[METRICS_QUEUE_DERIVATIVES].oldest_ms, 1000);
	assert_int_equal(t.queues[METRICS_QUEUE_DERIVATIVES].measured_ms,
	    2000);
	assert_int_equal(t.queues[METRICS_QUEUE_DELETIONS].depth, 1);

	/* Nothing draining, nothing measured. */
	metrics_draining(&s[2], 0);
	memset(s[1].queues, 0, sizeof(s[1].queues));
	memset(s[2].queues, 0, sizeof(s[2].queues));
	metrics_sum(s, SLOTS, &t);
	assert_int_equal(t.draining, 0);
	assert_int_equal(t.queues[METRICS_QUEUE_DELETIONS].measured_ms, 0);
	free(s);
}

static void
test_render(void **state)
{
	struct metrics_slot	*s;
	char			*text;

	(void)state;
	s = slots_new();
	metrics_worker_start(&s[1]);
	metrics_worker_start(&s[2]);
	metrics_worker_start(&s[2]);
	metrics_request(&s[1], 1, 404, 3000, 0, 59);
	metrics_request(&s[2], 1, 404, 3000, 0, 59);
	metrics_request(&s[2], 1, 200, 3000, 12, 2);
	metrics_login_failure(&s[1], 1);
	metrics_queue_measured(&s[1], METRICS_QUEUE_DERIVATIVES, 7, 90500,
	    1796219015838ULL);

	text = render(s, SLOTS, &routes);
	assert_non_null(strstr(text, "# TYPE reactbin_http_requests_total "
	    "counter\n"));
	assert_non_null(strstr(text, "reactbin_build_info{version=\"1.2.3\","
	    "revision=\"abc\\\\def\"} 1\n"));
	assert_non_null(strstr(text, "reactbin_http_requests_total{route="
	    "\"fall\\\"back\",status=\"404\"} 2\n"));
	assert_non_null(strstr(text, "reactbin_http_requests_total{route="
	    "\"fall\\\"back\",status=\"200\"} 1\n"));
	/* A route nobody asked for has no series. */
	assert_null(strstr(text, "route=\"health\""));
	assert_non_null(strstr(text,
	    "reactbin_http_request_duration_seconds_bucket{route="
	    "\"fall\\\"back\",le=\"0.005\"} 3\n"));
	assert_non_null(strstr(text,
	    "reactbin_http_request_duration_seconds_count{route="
	    "\"fall\\\"back\"} 3\n"));
	assert_non_null(strstr(text,
	    "reactbin_http_request_duration_seconds_sum{route="
	    "\"fall\\\"back\"} 0.009\n"));
	assert_non_null(strstr(text, "reactbin_http_request_bytes_total{"
	    "route=\"fall\\\"back\"} 12\n"));
	assert_non_null(strstr(text, "reactbin_http_response_bytes_total{"
	    "route=\"fall\\\"back\"} 120\n"));
	/* Every storage operation, counted or not: ratios need the zeros. */
	assert_non_null(strstr(text, "reactbin_storage_calls_total{"
	    "operation=\"multipart_complete\"} 0\n"));
	assert_non_null(strstr(text, "reactbin_login_failures_total 1\n"));
	assert_non_null(strstr(text, "reactbin_login_locks_total 1\n"));
	assert_non_null(strstr(text, "reactbin_db_connections_max 16\n"));
	assert_non_null(strstr(text, "reactbin_queue_depth{queue="
	    "\"derivatives\"} 7\n"));
	assert_non_null(strstr(text, "reactbin_queue_oldest_age_seconds{"
	    "queue=\"derivatives\"} 90.5\n"));
	assert_non_null(strstr(text, "reactbin_queue_measured_timestamp_"
	    "seconds{queue=\"derivatives\"} 1796219015.838\n"));
	/* Not measured yet: no value rather than a made-up zero. */
	assert_null(strstr(text, "queue=\"deletions\""));
	assert_non_null(strstr(text, "reactbin_draining 0\n"));
	assert_non_null(strstr(text, "reactbin_worker_restarts_total{"
	    "worker=\"1\"} 0\n"));
	assert_non_null(strstr(text, "reactbin_worker_restarts_total{"
	    "worker=\"2\"} 1\n"));
	assert_non_null(strstr(text, "reactbin_worker_requests_total{"
	    "worker=\"2\"} 2\n"));
	/* Slot 0 never had a worker. */
	assert_null(strstr(text, "worker=\"0\""));
	free(text);
	free(s);
}

static void
test_render_fails(void **state)
{
	struct metrics_slot	*s, t;
	struct expo		 e;

	(void)state;
	s = slots_new();
	metrics_sum(s, SLOTS, &t);
	expo_init(&e, 512);
	assert_int_equal(metrics_render(&e, &t, s, SLOTS, &routes, 8,
	    &build), -1);
	expo_free(&e);
	free(s);
}

static struct metrics_slot *
slots_new(void)
{
	struct metrics_slot	*s;

	s = calloc(SLOTS, sizeof(*s));
	assert_non_null(s);
	return (s);
}

/* The scrape of slots, as a string the caller frees. */
static char *
render(const struct metrics_slot *s, size_t n,
    const struct metrics_routes *r)
{
	struct metrics_slot	 t;
	struct expo		 e;
	char			*text;

	metrics_sum(s, n, &t);
	expo_init(&e, LIMIT);
	assert_int_equal(metrics_render(&e, &t, s, n, r, 8, &build), 0);
	assert_int_equal(expo_finish(&e, &text, NULL), 0);
	return (text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_slot_counts),
		cmocka_unit_test(test_restart_keeps_counters),
		cmocka_unit_test(test_sum),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_fails),
	};

	return (cmocka_run_group_tests_name("metrics", tests, NULL, NULL));
}
