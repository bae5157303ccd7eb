/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for request_id.c: which caller ids are echoed, and the
 * shape of generated ones.
 */

#include <sys/wait.h>

#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

#include "proc.h"
#include "request_id.h"

/* More ids than one fill of the pool holds (256), several times over. */
#define MANY_IDS	1000

static int	is_lower_hex(const char *, size_t);
static int	id_compare(const void *, const void *);

static void
test_valid_lengths(void **state)
{
	char	buf[REQUEST_ID_MAX + 2];

	(void)state;
	assert_int_equal(request_id_valid(""), 0);
	assert_int_equal(request_id_valid(NULL), 0);
	assert_int_equal(request_id_valid("a"), 1);

	memset(buf, 'a', sizeof(buf));
	buf[REQUEST_ID_MAX] = '\0';
	assert_int_equal(request_id_valid(buf), 1);
	buf[REQUEST_ID_MAX] = 'a';
	buf[REQUEST_ID_MAX + 1] = '\0';
	assert_int_equal(request_id_valid(buf), 0);
	buf[REQUEST_ID_MAX - 1] = '\0';
	assert_int_equal(request_id_valid(buf), 1);
}

static void
test_valid_charset(void **state)
{
	char	one[2];
	int	c, want;

	(void)state;
	assert_int_equal(request_id_valid("Az09._-"), 1);
	assert_int_equal(request_id_valid("6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a11"),
	    1);
	assert_int_equal(request_id_valid("trace.ABC_123"), 1);

	/* Every single byte: exactly [A-Za-z0-9._-] passes. */
	one[1] = '\0';
	for (c = 1; c < 256; c++) {
		one[0] = (char)c;
		want = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		if (request_id_valid(one) != want)
			fail_msg("byte 0x%02x: want %d", c, want);
	}
}

static void
test_valid_hostile(void **state)
{
	(void)state;
	assert_int_equal(request_id_valid("abc def"), 0);
	assert_int_equal(request_id_valid(" abc"), 0);
	assert_int_equal(request_id_valid("abc "), 0);
	assert_int_equal(request_id_valid("abc\t"), 0);
	assert_int_equal(request_id_valid("abc\r\nSet-Cookie: a=b"), 0);
	assert_int_equal(request_id_valid("abc\n"), 0);
	assert_int_equal(request_id_valid("abc\r"), 0);
	assert_int_equal(request_id_valid("caf\xc3\xa9"), 0);
	assert_int_equal(request_id_valid("\xe2\x80\x8b" "abc"), 0);
	assert_int_equal(request_id_valid("id\xef\xbc\x8d" "1"), 0);
	assert_int_equal(request_id_valid("a/b"), 0);
	assert_int_equal(request_id_valid("a\"b"), 0);
	assert_int_equal(request_id_valid("a%0d%0ab"), 0);
	assert_int_equal(request_id_valid("<script>"), 0);
}

static int
is_lower_hex(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return (0);
	}
	return (1);
}

static void
test_generate(void **state)
{
	char	a[REQUEST_ID_GENERATED_LEN + 1], b[64];

	(void)state;
	assert_int_equal(request_id_generate(a, sizeof(a)), 0);
	assert_int_equal(strlen(a), REQUEST_ID_GENERATED_LEN);
	assert_true(is_lower_hex(a, REQUEST_ID_GENERATED_LEN));
	assert_int_equal(request_id_valid(a), 1);

	assert_int_equal(request_id_generate(b, sizeof(b)), 0);
	assert_int_equal(strlen(b), REQUEST_ID_GENERATED_LEN);
	assert_true(is_lower_hex(b, REQUEST_ID_GENERATED_LEN));
	assert_string_not_equal(a, b);
}

static void
test_generate_uses_all_digits(void **state)
{
	char	id[REQUEST_ID_GENERATED_LEN + 1];
	int	seen[16], i, j, n;

	(void)state;
	/* 64 ids = 2048 hex digits: all 16 values turn up unless broken. */
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 64; i++) {
		assert_int_equal(request_id_generate(id, sizeof(id)), 0);
		for (j = 0; j < REQUEST_ID_GENERATED_LEN; j++)
			seen[id[j] <= '9' ? id[j] - '0' : id[j] - 'a' + 10] = 1;
	}
	for (n = 0, i = 0; i < 16; i++)
		n += seen[i];
	assert_int_equal(n, 16);
}

static int
id_compare(const void *a, const void *b)
{
	return (strcmp(a, b));
}

/* Across refills of the pool, no id comes back. */
static void
test_generate_unique(void **state)
{
	static char	ids[MANY_IDS][REQUEST_ID_GENERATED_LEN + 1];
	int		i;

	(void)state;
	for (i = 0; i < MANY_IDS; i++)
		assert_int_equal(request_id_generate(ids[i], sizeof(ids[i])), 0);

	qsort(ids, MANY_IDS, sizeof(ids[0]), id_compare);
	for (i = 1; i < MANY_IDS; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
}

/*
 * A child forked with ids left in its parent's pool draws its own: Kore's
 * workers are such children, and two of them must not hand out one id.
 */
static void
test_generate_after_fork(void **state)
{
	char	parent[REQUEST_ID_GENERATED_LEN + 1];
	char	child[REQUEST_ID_GENERATED_LEN + 1];
	int	fds[2], status;
	pid_t	pid;

	(void)state;
	assert_int_equal(request_id_generate(parent, sizeof(parent)), 0);
	assert_int_equal(pipe(fds), 0);

	if ((pid = fork()) == 0) {
		if (request_id_generate(child, sizeof(child)) == -1 ||
		    proc_pid() != getpid() ||
		    write(fds[1], child, sizeof(child)) != sizeof(child))
			_exit(1);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(read(fds[0], child, sizeof(child)), sizeof(child));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fds[0]);
	close(fds[1]);

	/* The parent's next id is the one its pool holds next. */
	assert_int_equal(request_id_generate(parent, sizeof(parent)), 0);
	assert_string_not_equal(child, parent);
	assert_int_equal(proc_pid(), getpid());
}

static void
test_generate_small_buffer(void **state)
{
	char	buf[REQUEST_ID_GENERATED_LEN];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(request_id_generate(buf, sizeof(buf)), -1);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(request_id_generate(buf, 0), -1);
	assert_int_equal(request_id_generate(NULL, 64), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_lengths),
		cmocka_unit_test(test_valid_charset),
		cmocka_unit_test(test_valid_hostile),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_generate_uses_all_digits),
		cmocka_unit_test(test_generate_unique),
		cmocka_unit_test(test_generate_after_fork),
		cmocka_unit_test(test_generate_small_buffer),
	};

	return (cmocka_run_group_tests_name("request_id", tests, NULL, NULL));
}
