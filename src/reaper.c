/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * A guard for a crash in Kore 4.3.0-rc5's parent. When a worker dies while
 * it holds the accept lock (the worker that accepts connections, which is
 * nearly always one of them), the parent's reaper calls worker_unlock(),
 * which reads the worker-only global "worker" and, in the parent, follows
 * a NULL pointer: the parent dies and the remaining workers are orphaned.
 *
 * The lock lives in a shared memory segment the parent has attached. On
 * SIGCHLD, before Kore's main loop gets to reap, this handler looks (with
 * WNOWAIT, so nothing is reaped) for a dead worker holding the lock and
 * releases the lock itself, exactly as worker_unlock() would have. Kore's
 * reaper then finds no lock to release and restarts the worker as usual.
 */

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

#define MAPS_PATH	"/proc/self/maps"
#define SYSV_MARK	"/SYSV"

/* The maps of a Kore parent are a few kilobytes; this is ample. */
#define MAPS_MAX	(64 * 1024)

/* The head of that segment, as Kore's worker.c lays it out (struct wlock). */
struct accept_lock {
	volatile int	lock;
	pid_t		current;
};

static void	reaper_sigchld(int);
static void	reaper_find_lock(void);
static int	reaper_hex(const char **, unsigned long *);
static void	reaper_release(pid_t);

static struct accept_lock	*accept_lock;
static struct kore_worker	*workers;
static int			 lock_searched;

static char			 maps[MAPS_MAX];

/*
 * Parent, from kore_parent_configure. The segment does not exist yet (Kore
 * makes it when it starts the workers), so it is looked up on the first
 * SIGCHLD, from the handler: with open/read only, which are safe there.
 */
void
reaper_parent_init(void)
{
	signal_trap(SIGCHLD, reaper_sigchld);
}

static void
reaper_sigchld(int sig)
{
	siginfo_t	info;
	u_int16_t	idx;
	pid_t		pid;
	int		saved = errno;

	if (!lock_searched) {
		lock_searched = 1;
		reaper_find_lock();
	}

	for (idx = 0; accept_lock != NULL && idx < worker_count; idx++) {
		pid = workers[idx].pid;
		if (pid <= 0 || pid != accept_lock->current)
			continue;

		memset(&info, 0, sizeof(info));
		if (waitid(P_PID, (id_t)pid, &info,
		    WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
			reaper_release(pid);
	}

	/* What Kore's own handler does. */
	sig_recv = sig;
	errno = saved;
}

/*
 * The segment is the one System V mapping big enough for the lock and the
 * worker table; anything but exactly one such mapping and we stay out.
 */
static void
reaper_find_lock(void)
{
	const char	*p, *eol;
	unsigned long	 start, end;
	size_t		 need, len;
	ssize_t		 n;
	int		 fd, found;
	struct accept_lock	*candidate;

	if ((fd = open(MAPS_PATH, O_RDONLY)) == -1)
		return;

	len = 0;
	while (len < sizeof(maps) - 1) {
		n = read(fd, maps + len, sizeof(maps) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	(void)close(fd);
	maps[len] = '\0';

	need = sizeof(struct accept_lock) +
	    worker_count * sizeof(struct kore_worker);
	found = 0;
	candidate = NULL;

	for (p = maps; *p != '\0'; p = eol + 1) {
		if ((eol = strchr(p, '\n')) == NULL)
			break;
		if (memmem(p, (size_t)(eol - p), SYSV_MARK,
		    sizeof(SYSV_MARK) - 1) == NULL)
			continue;
		if (!reaper_hex(&p, &start) || *p++ != '-' ||
		    !reaper_hex(&p, &end) || end - start < need)
			continue;
		candidate = (struct accept_lock *)start;
		found++;
	}

	if (found != 1)
		return;

	accept_lock = candidate;
	workers = (struct kore_worker *)(accept_lock + 1);
}

static int
reaper_hex(const char **pp, unsigned long *out)
{
	const char	*p = *pp;
	unsigned long	 v;
	int		 digits;

	v = 0;
	for (digits = 0;; digits++, p++) {
		if (*p >= '0' && *p <= '9')
			v = (v << 4) | (unsigned long)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			v = (v << 4) | (unsigned long)(*p - 'a' + 10);
		else
			break;
	}

	*pp = p;
	*out = v;
	return (digits > 0);
}

static void
reaper_release(pid_t pid)
{
	if (accept_lock->current != pid)
		return;

	accept_lock->current = 0;
	(void)__sync_bool_compare_and_swap(&accept_lock->lock, 1, 0);
}
