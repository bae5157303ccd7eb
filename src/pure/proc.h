/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The process we are. Kore forks its workers from the parent, and what a
 * process caches about itself must not be believed by a child: caches
 * keyed by proc_pid() (the request id's random pool) are dropped in one.
 * Pure: no Kore.
 */

#ifndef REACTBIN_PROC_H
#define REACTBIN_PROC_H

#include <sys/types.h>

/* getpid(), without a system call each time; right in a forked child. */
pid_t	proc_pid(void);

#endif
