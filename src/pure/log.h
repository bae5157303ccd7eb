/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Log lines as the container contract wants them: information on stdout,
 * warnings and errors on stderr, one line per event, no files. Lines are
 * logfmt ("key=value ...") so they can be read by people and by machines.
 * Pure: no Kore.
 */

#ifndef REACTBIN_LOG_H
#define REACTBIN_LOG_H

#include <stddef.h>

/* A log line longer than this is cut; no single event needs more. */
#define LOG_LINE_MAX		2048

void	log_info(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_error(const char *, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * Copy src into dst (of size dstlen) so that it is safe as a logfmt value:
 * bytes outside printable ASCII, spaces, quotes and backslashes become
 * \xNN. Always NUL-terminates; returns dst.
 */
char	*log_escape(const char *src, char *dst, size_t dstlen);

/* One request's access line (info), written without printf: it is hot. */
struct log_access {
	const char		*method;
	const char		*path;		/* escaped here */
	int			 status;
	size_t			 bytes;
	unsigned long long	 duration_us;
	const char		*request_id;
	const char		*client_ip;
};

void	log_access(const struct log_access *);

/*
 * From now on info lines wait in a buffer until log_flush(), a full
 * buffer or a warning or error (which are written at once) takes them
 * out: one write(2) a request was most of the cost of a health check.
 * For a process that flushes now and then (Kore's workers, from a timer
 * and at exit); lines of one that dies before are lost.
 */
void	log_buffer_info(void);
void	log_flush(void);

#endif
