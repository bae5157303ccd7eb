/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for exposition.c: the text format's lines, escaping, names
 * it refuses, histograms, seconds from microseconds, and its limit.
 */

#include <stdint.h>
#include <stdlib.h>

#include "testutil.h"

#include "exposition.h"

#define LIMIT		(64 * 1024)
#define TEXT_MAX	64

static void
test_family_and_sample(void **state)
{
	struct expo		e;
	struct expo_label	l[2] = {
		{ "route", "health" }, { "status", "200" },
	};

	(void)state;
	expo_init(&e, LIMIT);
	expo_family(&e, "rb_requests_total", EXPO_COUNTER, "Requests.");
	expo_sample(&e, "rb_requests_total", l, 2, 42);
	expo_sample(&e, "rb_requests_total", NULL, 0, 0);
	expo_family(&e, "rb_up", EXPO_GAUGE, "Up.");
	expo_sample_us(&e, "rb_up", NULL, 0, 1500000);
	assert_int_equal(expo_failed(&e), 0);
	assert_string_equal(e.out.data,
	    "# HELP rb_requests_total Requests.\n"
	    "# TYPE rb_requests_total counter\n"
	    "rb_requests_total{route=\"health\",status=\"200\"} 42\n"
	    "rb_requests_total 0\n"
	    "# HELP rb_up Up.\n"
	    "# TYPE rb_up gauge\n"
	    "rb_up 1.5\n");
	expo_free(&e);
}

static void
test_escaping(void **state)
{
	struct expo		e;
	struct expo_label	l[1] = { { "v", "a\\b\"c\nd" } };

	(void)state;
	expo_init(&e, LIMIT);
	expo_family(&e, "rb_x", EXPO_GAUGE, "back\\slash \"quoted\"\nnext");
	expo_sample(&e, "rb_x", l, 1, UINT64_MAX);
	assert_int_equal(expo_failed(&e), 0);
	/* Help keeps its quotes; a label value escapes them. */
	assert_string_equal(e.out.data,
	    "# HELP rb_x back\\\\slash \"quoted\"\\nnext\n"
	    "# TYPE rb_x gauge\n"
	    "rb_x{v=\"a\\\\b\\\"c\\nd\"} 18446744073709551615\n");
	expo_free(&e);
}

static void
test_names_refused(void **state)
{
	static const char *const bad_metrics[] = {
		"", "1abc", "rb-x", "rb x", "rb\xc3\xa9", "rb{x}",
	};
	static const char *const bad_labels[] = {
		"", "1a", "a:b", "__name", "le", "a-b",
	};
	struct expo		e;
	struct expo_label	l[1];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad_metrics) / sizeof(bad_metrics[0]); i++) {
		expo_init(&e, LIMIT);
		expo_sample(&e, bad_metrics[i], NULL, 0, 1);
		assert_int_equal(expo_failed(&e), 1);
		expo_free(&e);
		expo_init(&e, LIMIT);
		expo_family(&e, bad_metrics[i], EXPO_COUNTER, "x");
		assert_int_equal(expo_failed(&e), 1);
		expo_free(&e);
	}
	for (i = 0; i < sizeof(bad_labels) / sizeof(bad_labels[0]); i++) {
		expo_init(&e, LIMIT);
		l[0].name = bad_labels[i];
		l[0].value = "v";
		expo_sample(&e, "rb_x", l, 1, 1);
		assert_int_equal(expo_failed(&e), 1);
		expo_free(&e);
	}

	/* Colons are a metric name's, and a NULL value is no value. */
	expo_init(&e, LIMIT);
	expo_sample(&e, "rb:x_y:z", NULL, 0, 1);
	assert_int_equal(expo_failed(&e), 0);
	l[0].name = "ok";
	l[0].value = NULL;
	expo_sample(&e, "rb_x", l, 1, 1);
	assert_int_equal(expo_failed(&e), 1);
	expo_free(&e);
}

static void
test_sticky(void **state)
{
	struct expo	e;
	size_t		len;

	(void)state;
	expo_init(&e, LIMIT);
	expo_sample(&e, "rb_a", NULL, 0, 1);
	len = e.out.len;
	expo_sample(&e, "9bad", NULL, 0, 1);
	expo_sample(&e, "rb_b", NULL, 0, 2);
	assert_int_equal(expo_failed(&e), 1);
	assert_int_equal(e.out.len, len);
	expo_free(&e);

	/* Too many labels. */
	{
		struct expo_label	l[EXPO_LABELS_MAX + 1];
		size_t			i;

		for (i = 0; i <= EXPO_LABELS_MAX; i++) {
			l[i].name = "a";
			l[i].value = "b";
		}
		expo_init(&e, LIMIT);
		expo_sample(&e, "rb_a", l, EXPO_LABELS_MAX + 1, 1);
		assert_int_equal(expo_failed(&e), 1);
		expo_free(&e);
	}
}

static void
test_histogram(void **state)
{
	static const uint64_t	bounds[3] = { 5000, 100000, 2500000 };
	static const uint64_t	counts[4] = { 2, 0, 3, 1 };
	static const uint64_t	falling[3] = { 5000, 5000, 2500000 };
	struct expo		e;
	struct expo_label	l[1] = { { "op", "put" } };

	(void)state;
	expo_init(&e, LIMIT);
	expo_family(&e, "rb_seconds", EXPO_HISTOGRAM, "Time.");
	expo_histogram(&e, "rb_seconds", l, 1, counts, bounds, 3, 7250001);
	expo_histogram(&e, "rb_seconds", NULL, 0, counts, bounds, 3, 0);
	assert_int_equal(expo_failed(&e), 0);
	assert_string_equal(e.out.data,
	    "# HELP rb_seconds Time.\n"
	    "# TYPE rb_seconds histogram\n"
	    "rb_seconds_bucket{op=\"put\",le=\"0.005\"} 2\n"
	    "rb_seconds_bucket{op=\"put\",le=\"0.1\"} 2\n"
	    "rb_seconds_bucket{op=\"put\",le=\"2.5\"} 5\n"
	    "rb_seconds_bucket{op=\"put\",le=\"+Inf\"} 6\n"
	    "rb_seconds_sum{op=\"put\"} 7.250001\n"
	    "rb_seconds_count{op=\"put\"} 6\n"
	    "rb_seconds_bucket{le=\"0.005\"} 2\n"
	    "rb_seconds_bucket{le=\"0.1\"} 2\n"
	    "rb_seconds_bucket{le=\"2.5\"} 5\n"
	    "rb_seconds_bucket{le=\"+Inf\"} 6\n"
	    "rb_seconds_sum 0\n"
	    "rb_seconds_count 6\n");
	expo_free(&e);

	expo_init(&e, LIMIT);
	expo_histogram(&e, "rb_seconds", NULL, 0, counts, falling, 3, 0);
	assert_int_equal(expo_failed(&e), 1);
	expo_free(&e);
}

static void
test_seconds_text(void **state)
{
	static const struct {
		uint64_t	 us;
		const char	*text;
	} cases[] = {
		{ 0, "0" },
		{ 1, "0.000001" },
		{ 1000, "0.001" },
		{ 5000, "0.005" },
		{ 250000, "0.25" },
		{ 1000000, "1" },
		{ 1500000, "1.5" },
		{ 10000000, "10" },
		{ 1796219015838000ULL, "1796219015.838" },
		{ UINT64_MAX, "18446744073709.551615" },
	};
	char	text[TEXT_MAX];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(expo_seconds_text(cases[i].us, text,
		    sizeof(text)), 0);
		assert_string_equal(text, cases[i].text);
	}
	assert_int_equal(expo_seconds_text(1500000, text, 3), -1);
	assert_int_equal(expo_seconds_text(1500000, text, 4), 0);
	assert_string_equal(text, "1.5");
}

static void
test_limit(void **state)
{
	struct expo	e;
	int		i;

	(void)state;
	expo_init(&e, 100);
	for (i = 0; i < 20 && !expo_failed(&e); i++)
		expo_sample(&e, "rb_requests_total", NULL, 0, 1);
	assert_int_equal(expo_failed(&e), 1);
	assert_true(e.out.len <= 100);
	expo_free(&e);

	/* Nothing written, nothing allocated. */
	expo_init(&e, LIMIT);
	assert_null(e.out.data);
	expo_free(&e);
}

static void
test_finish(void **state)
{
	struct expo	 e;
	char		*text;
	size_t		 len;

	(void)state;
	expo_init(&e, LIMIT);
	expo_sample(&e, "rb_a", NULL, 0, 7);
	assert_int_equal(expo_finish(&e, &text, &len), 0);
	assert_string_equal(text, "rb_a 7\n");
	assert_int_equal(len, 7);
	free(text);

	/* Nothing written: an empty string. */
	expo_init(&e, LIMIT);
	assert_int_equal(expo_finish(&e, &text, &len), 0);
	assert_string_equal(text, "");
	assert_int_equal(len, 0);
	free(text);

	/* A refused name, or the limit: no text at all. */
	expo_init(&e, LIMIT);
	expo_sample(&e, "rb_a", NULL, 0, 7);
	expo_sample(&e, "rb-a", NULL, 0, 7);
	assert_int_equal(expo_finish(&e, &text, &len), -1);
	assert_null(text);
	expo_init(&e, 4);
	expo_sample(&e, "rb_a", NULL, 0, 7);
	assert_int_equal(expo_finish(&e, &text, &len), -1);
	assert_null(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_family_and_sample),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_names_refused),
		cmocka_unit_test(test_sticky),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_seconds_text),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_finish),
	};

	return (cmocka_run_group_tests_name("exposition", tests, NULL, NULL));
}
