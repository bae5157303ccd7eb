/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for partpool.c: the budget is never exceeded, claims wait
 * and are served in order, a queued claim can leave, and buffers are
 * real, writable memory.
 */

#include "testutil.h"

#include "partpool.h"

#define PAGE	4096

static int	granted_order[8];
static int	granted_count;

static void
granted(struct partpool_claim *c)
{
	granted_order[granted_count++] = *(int *)c->arg;
}

static void
test_budget_and_order(void **state)
{
	struct partpool_claim	c[5];
	int			ids[5] = { 0, 1, 2, 3, 4 };
	int			i;

	(void)state;
	partpool_init(4 * PAGE);
	granted_count = 0;
	for (i = 0; i < 5; i++) {
		c[i].granted = granted;
		c[i].arg = &ids[i];
	}

	assert_int_equal(partpool_claim(&c[0], 2 * PAGE), 0);
	memset(c[0].buf, 0xaa, 2 * PAGE);
	assert_int_equal(partpool_claim(&c[1], 2 * PAGE), 0);
	assert_int_equal(partpool_in_use(), 4 * PAGE);

	/* Full: these wait, the small one behind the large one. */
	assert_int_equal(partpool_claim(&c[2], 3 * PAGE), 1);
	assert_int_equal(partpool_claim(&c[3], PAGE), 1);
	assert_int_equal(partpool_claim(&c[4], PAGE), 1);
	assert_int_equal(partpool_waiting(), 3);

	/* Two pages back: the head wants three, so nobody moves. */
	partpool_release(&c[0]);
	assert_int_equal(granted_count, 0);
	assert_int_equal(partpool_in_use(), 2 * PAGE);

	/* The head leaves the queue: the two behind it fit now, in order. */
	partpool_release(&c[2]);
	assert_int_equal(granted_count, 2);
	assert_int_equal(granted_order[0], 3);
	assert_int_equal(granted_order[1], 4);
	assert_non_null(c[3].buf);
	c[3].buf[PAGE - 1] = 1;
	assert_int_equal(partpool_in_use(), 4 * PAGE);
	assert_int_equal(partpool_waiting(), 0);

	partpool_release(&c[1]);
	partpool_release(&c[3]);
	partpool_release(&c[4]);
	assert_int_equal(partpool_in_use(), 0);

	/* Releasing twice, or what was never given, changes nothing. */
	partpool_release(&c[4]);
	assert_int_equal(partpool_in_use(), 0);
}

static void
test_bad_sizes(void **state)
{
	struct partpool_claim	c;

	(void)state;
	partpool_init(PAGE);
	c.granted = granted;
	assert_int_equal(partpool_claim(&c, 0), -1);
	assert_int_equal(partpool_claim(&c, PAGE + 1), -1);
	assert_int_equal(partpool_claim(&c, PAGE), 0);
	partpool_release(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_and_order),
		cmocka_unit_test(test_bad_sizes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
