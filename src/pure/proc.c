/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Process facts, see proc.h. glibc no longer caches getpid(), and the
 * log line and the request id each wanted it on every request. The value
 * is kept here and forgotten by a pthread_atfork() child handler, which
 * runs in the child of every fork(), Kore's included.
 */

#include <pthread.h>
#include <unistd.h>

#include "proc.h"

static void	proc_watch(void);
static void	proc_forked(void);

static pthread_once_t	proc_once = PTHREAD_ONCE_INIT;
static int		proc_watched;
static pid_t		proc_cached;

pid_t
proc_pid(void)
{
	(void)pthread_once(&proc_once, proc_watch);

	/* Unwatched, a cached pid could be a parent's: ask each time. */
	if (!proc_watched)
		return (getpid());

	if (proc_cached == 0)
		proc_cached = getpid();

	return (proc_cached);
}

static void
proc_watch(void)
{
	proc_watched = (pthread_atfork(NULL, NULL, proc_forked) == 0);
}

static void
proc_forked(void)
{
	proc_cached = 0;
}
