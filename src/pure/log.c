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
 * interleave in the middle (buffered info lines go out whole, too). The
 * access line is written for every request: it is put together without
 * printf, and the time stamp's second is formatted once a second.
 */

#include <sys/time.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"

/* "2026-11-28T14:51:59" plus its NUL. */
#define LOG_TIME_LEN		20
#define MS_PER_US		1000
#define US_PER_MS		1000
#define MS_DIGITS		3

/*
 * Info lines held by log_buffer_info(), about twenty access lines. No
 * more than PIPE_BUF: a larger write(2) to a pipe (a container's stdout)
 * may be interleaved with other processes' lines, a smaller one is not.
 */
#define LOG_BUFFER_SIZE		PIPE_BUF

/* Room for the decimal digits of any unsigned long long. */
#define DECIMAL_MAX		21

/* A line being assembled; what does not fit is cut. */
struct line {
	char		buf[LOG_LINE_MAX];
	size_t		len;
};

static void	log_line(int, const char *, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static void	line_begin(struct line *, const char *);
static void	line_str(struct line *, const char *);
static void	line_uint(struct line *, unsigned long long, int);
static void	line_escaped(struct line *, const char *);
static void	line_end(struct line *, int);
static const char	*log_stamp(time_t);
static void	log_write(int, const char *, size_t);

static int	log_buffering;
static char	log_buffer[LOG_BUFFER_SIZE];
static size_t	log_buffered;

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

void
log_access(const struct log_access *a)
{
	struct line	l;

	line_begin(&l, "info");
	line_str(&l, "event=access method=");
	line_str(&l, a->method);
	line_str(&l, " path=");
	line_escaped(&l, a->path);
	line_str(&l, " status=");
	line_uint(&l, (unsigned long long)a->status, 0);
	line_str(&l, " bytes=");
	line_uint(&l, (unsigned long long)a->bytes, 0);
	line_str(&l, " duration_ms=");
	line_uint(&l, a->duration_us / US_PER_MS, 0);
	line_str(&l, ".");
	line_uint(&l, a->duration_us % US_PER_MS, MS_DIGITS);
	line_str(&l, " request_id=");
	line_str(&l, a->request_id);
	line_str(&l, " client_ip=");
	line_str(&l, a->client_ip);
	line_end(&l, STDOUT_FILENO);
}

void
log_buffer_info(void)
{
	log_buffering = 1;
}

void
log_flush(void)
{
	log_write(STDOUT_FILENO, log_buffer, log_buffered);
	log_buffered = 0;
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
	struct line	l;
	int		n;

	line_begin(&l, level);

	n = vsnprintf(l.buf + l.len, sizeof(l.buf) - l.len, fmt, args);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(l.buf) - l.len)
		l.len = sizeof(l.buf) - 1;
	else
		l.len += (size_t)n;

	line_end(&l, fd);
}

/* "ts=... level=... pid=... ": what every line starts with. */
static void
line_begin(struct line *l, const char *level)
{
	struct timeval	tv;

	l->len = 0;

	if (gettimeofday(&tv, NULL) == -1)
		tv.tv_sec = tv.tv_usec = 0;

	line_str(l, "ts=");
	line_str(l, log_stamp(tv.tv_sec));
	line_str(l, ".");
	line_uint(l, (unsigned long long)(tv.tv_usec / MS_PER_US), MS_DIGITS);
	line_str(l, "Z level=");
	line_str(l, level);
	line_str(l, " pid=");
	line_uint(l, (unsigned long long)proc_pid(), 0);
	line_str(l, " ");
}

static void
line_str(struct line *l, const char *s)
{
	size_t	n;

	n = strlen(s);
	/* One byte stays free for the newline. */
	if (n > sizeof(l->buf) - 1 - l->len)
		n = sizeof(l->buf) - 1 - l->len;

	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

/* v in decimal, zero-padded to width digits (0: as many as it takes). */
static void
line_uint(struct line *l, unsigned long long v, int width)
{
	char	digits[DECIMAL_MAX];
	size_t	i;

	i = sizeof(digits) - 1;
	digits[i] = '\0';
	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
		width--;
	} while (v > 0 || width > 0);

	line_str(l, digits + i);
}

static void
line_escaped(struct line *l, const char *s)
{
	size_t	room;

	/* Straight into the line; one byte stays free for the newline. */
	room = sizeof(l->buf) - 1 - l->len;
	if (room == 0)
		return;
	(void)log_escape(s, l->buf + l->len, room);
	l->len += strlen(l->buf + l->len);
}

/* A cut line keeps its end-of-line so the next one starts clean. */
static void
line_end(struct line *l, int fd)
{
	l->buf[l->len++] = '\n';

	if (fd != STDOUT_FILENO || !log_buffering) {
		/* Whatever was logged before this goes out before it. */
		if (log_buffered > 0)
			log_flush();
		log_write(fd, l->buf, l->len);
		return;
	}

	if (log_buffered + l->len > sizeof(log_buffer))
		log_flush();
	memcpy(log_buffer + log_buffered, l->buf, l->len);
	log_buffered += l->len;
}

static void
log_write(int fd, const char *p, size_t len)
{
	ssize_t		ret;

	while (len > 0) {
		ret = write(fd, p, len);
		if (ret == -1) {
			if (errno == EINTR)
				continue;
			/* Nowhere left to report a broken log stream. */
			return;
		}
		p += ret;
		len -= (size_t)ret;
	}
}

/* "2026-11-28T14:51:59" for sec, kept until the second changes. */
static const char *
log_stamp(time_t sec)
{
	static char	stamp[LOG_TIME_LEN];
	static time_t	stamped = -1;
	struct tm	tm;

	if (sec == stamped)
		return (stamp);

	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		stamped = -1;
		return ("-");
	}

	stamped = sec;
	return (stamp);
}
