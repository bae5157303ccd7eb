/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Log lines on stdout (info) and stderr (warnings, errors). Every line is
 * assembled in one buffer and handed to a single write(2), so lines from
 * the parent and the workers, which share the same descriptors, never
 * interleave in the middle.
 */

#include <sys/time.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* "2026-11-28T14:51:59.123Z" plus its NUL. */
#define LOG_TIME_LEN		25
#define MS_PER_US		1000

static void	log_line(int, const char *, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static void	log_write(int, const char *, size_t);

void
log_info(const char *fmt, ...)
{
	va_list		args;

	va_start(args, fmt);
	log_line(STDOUT_FILENO, "info", fmt, args);
	va_end(args);
}

void
log_warn(const char *fmt, ...)
{
	va_list		args;

	va_start(args, fmt);
	log_line(STDERR_FILENO, "warning", fmt, args);
	va_end(args);
}

void
log_error(const char *fmt, ...)
{
	va_list		args;

	va_start(args, fmt);
	log_line(STDERR_FILENO, "error", fmt, args);
	va_end(args);
}

char *
log_escape(const char *src, char *dst, size_t dstlen)
{
	size_t			off;
	const unsigned char	*p;
	int			n;

	if (dstlen == 0)
		return (dst);

	off = 0;
	for (p = (const unsigned char *)src; *p != '\0'; p++) {
		if (*p > ' ' && *p < 0x7f && *p != '"' && *p != '\\') {
			if (off + 1 >= dstlen)
				break;
			dst[off++] = (char)*p;
			continue;
		}

		/* Four bytes for "\xNN", one for the NUL. */
		if (off + 4 >= dstlen)
			break;
		n = snprintf(dst + off, dstlen - off, "\\x%02x", *p);
		if (n != 4)
			break;
		off += 4;
	}

	dst[off] = '\0';
	return (dst);
}

static void
log_line(int fd, const char *level, const char *fmt, va_list args)
{
	struct timeval	tv;
	struct tm	tm;
	char		line[LOG_LINE_MAX], stamp[LOG_TIME_LEN];
	size_t		len;
	int		n;

	if (gettimeofday(&tv, NULL) == -1 ||
	    gmtime_r(&tv.tv_sec, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		(void)strcpy(stamp, "-");

	n = snprintf(line, sizeof(line), "ts=%s.%03ldZ level=%s pid=%ld ",
	    stamp, (long)(tv.tv_usec / MS_PER_US), level, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	len = (size_t)n;

	n = vsnprintf(line + len, sizeof(line) - len, fmt, args);
	if (n < 0)
		return;

	/* A cut line keeps its end-of-line so the next one starts clean. */
	len += (size_t)n;
	if (len >= sizeof(line) - 1)
		len = sizeof(line) - 2;
	line[len++] = '\n';

	log_write(fd, line, len);
}

static void
log_write(int fd, const char *buf, size_t len)
{
	ssize_t		ret;

	while (len > 0) {
		ret = write(fd, buf, len);
		if (ret == -1) {
			if (errno == EINTR)
				continue;
			/* Nowhere left to report a broken log stream. */
			return;
		}
		buf += ret;
		len -= (size_t)ret;
	}
}
