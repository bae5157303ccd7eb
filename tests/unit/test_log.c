/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for log.c: which stream a line goes to, the prefix every line
 * starts with, the access line's fields, escaping, and cut lines. Lines
 * are caught by pointing stdout and stderr at pipes.
 */

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

#include "log.h"

/* Enough for a few cut lines at once. */
#define CAUGHT_MAX	(4 * LOG_LINE_MAX)

#define PREFIX_RE	"^ts=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:" \
			    "[0-9]{2}\\.[0-9]{3}Z level=%s pid=%ld "

struct catch {
	int	fd;		/* STDOUT_FILENO or STDERR_FILENO */
	int	saved;
	int	pipe[2];
	char	text[CAUGHT_MAX + 1];
	size_t	len;
};

static void	catch_start(struct catch *, int);
static void	catch_stop(struct catch *);
static void	assert_prefix(const char *, const char *);

static void
catch_start(struct catch *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	assert_int_equal(pipe(c->pipe), 0);
	assert_true((c->saved = dup(fd)) != -1);
	assert_true(dup2(c->pipe[1], fd) != -1);
}

/* Put the stream back and read what was written (one pipe's worth). */
static void
catch_stop(struct catch *c)
{
	ssize_t	n;

	assert_true(dup2(c->saved, c->fd) != -1);
	close(c->saved);
	close(c->pipe[1]);
	while ((n = read(c->pipe[0], c->text + c->len,
	    sizeof(c->text) - 1 - c->len)) > 0)
		c->len += (size_t)n;
	c->text[c->len] = '\0';
	close(c->pipe[0]);
}

static void
assert_prefix(const char *line, const char *level)
{
	char	pattern[256];
	regex_t	re;

	snprintf(pattern, sizeof(pattern), PREFIX_RE, level, (long)getpid());
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regexec(&re, line, 0, NULL, 0), 0);
	regfree(&re);
}

static void
test_levels_and_streams(void **state)
{
	struct catch	out, err;

	(void)state;
	catch_start(&out, STDOUT_FILENO);
	catch_start(&err, STDERR_FILENO);
	log_info("event=one n=%d", 1);
	log_warn("event=two s=%s", "x");
	log_error("event=three");
	catch_stop(&err);
	catch_stop(&out);

	assert_prefix(out.text, "info");
	assert_non_null(strstr(out.text, " event=one n=1\n"));
	assert_int_equal(strchr(out.text, '\n') - out.text + 1, out.len);

	assert_prefix(err.text, "warning");
	assert_non_null(strstr(err.text, " event=two s=x\n"));
	assert_prefix(strchr(err.text, '\n') + 1, "error");
	assert_non_null(strstr(err.text, " event=three\n"));
}

static void
test_access_line(void **state)
{
	struct catch		out;
	struct log_access	a = {
		.method = "GET",
		.path = "/api/v1/a b\"\\\x01\xff",
		.status = 404,
		.bytes = SIZE_MAX,
		.duration_us = 12005,
		.request_id = "abc-1",
		.client_ip = "192.0.2.7",
	};
	char			 want[256];

	(void)state;
	catch_start(&out, STDOUT_FILENO);
	log_access(&a);
	a.duration_us = 7;
	a.bytes = 0;
	a.path = "/";
	log_access(&a);
	catch_stop(&out);

	assert_prefix(out.text, "info");
	snprintf(want, sizeof(want), " event=access method=GET "
	    "path=/api/v1/a\\x20b\\x22\\x5c\\x01\\xff status=404 bytes=%zu "
	    "duration_ms=12.005 request_id=abc-1 client_ip=192.0.2.7\n",
	    (size_t)SIZE_MAX);
	assert_non_null(strstr(out.text, want));
	assert_non_null(strstr(out.text, " path=/ status=404 bytes=0 "
	    "duration_ms=0.007 request_id=abc-1 client_ip=192.0.2.7\n"));
}

/* A line too long is cut, and still ends with its newline. */
static void
test_cut_lines(void **state)
{
	struct catch		out;
	struct log_access	a;
	char			*big;

	(void)state;
	big = malloc(LOG_LINE_MAX * 2);
	assert_non_null(big);
	memset(big, 'p', LOG_LINE_MAX * 2 - 1);
	big[LOG_LINE_MAX * 2 - 1] = '\0';

	memset(&a, 0, sizeof(a));
	a.method = "GET";
	a.path = big;
	a.request_id = "r";
	a.client_ip = "-";

	catch_start(&out, STDOUT_FILENO);
	log_info("event=big v=%s", big);
	log_access(&a);
	catch_stop(&out);
	free(big);

	assert_int_equal(out.len, 2 * LOG_LINE_MAX);
	assert_int_equal(out.text[LOG_LINE_MAX - 1], '\n');
	assert_int_equal(out.text[2 * LOG_LINE_MAX - 1], '\n');
	assert_prefix(out.text + LOG_LINE_MAX, "info");
}

static void
test_escape(void **state)
{
	char	small[6], buf[64];

	(void)state;
	assert_string_equal(log_escape("plain/path-1.x", buf, sizeof(buf)),
	    "plain/path-1.x");
	assert_string_equal(log_escape("\t\n=", buf, sizeof(buf)),
	    "\\x09\\x0a=");
	/* An escape that does not fit whole is left out. */
	assert_string_equal(log_escape("ab\ncd", small, sizeof(small)), "ab");
	assert_string_equal(log_escape("", buf, sizeof(buf)), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels_and_streams),
		cmocka_unit_test(test_access_line),
		cmocka_unit_test(test_cut_lines),
		cmocka_unit_test(test_escape),
	};

	return (cmocka_run_group_tests_name("log", tests, NULL, NULL));
}
