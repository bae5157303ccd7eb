/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * SIGTERM as the container contract wants it: stop accepting at once, let
 * every request in flight finish and answer it with "Connection: close",
 * close idle keep-alive connections, then exit 0, always within 30 s.
 *
 * Kore alone cuts in-flight requests: its workers quit on the first
 * SIGTERM or SIGQUIT, and its parent then waits for them without a
 * deadline. So the module takes those signals over. In the parent they
 * close the listening sockets and arm a last-resort alarm; in a worker
 * they start a drain, which a timer drives until nothing is in flight,
 * and only then is Kore's own quit path let in.
 */

#include <sys/ioctl.h>

#include <linux/sockios.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "log.h"

#define DRAIN_TICK_MS		50

/*
 * A worker stops waiting for its requests after this long, and the parent
 * exits after its own, longer limit: both inside the contract's 30 s.
 */
#define DRAIN_WORKER_LIMIT_MS	25000
#define DRAIN_PARENT_LIMIT_S	28

static void	drain_parent_signal(int);
static void	drain_parent_alarm(int);
static void	drain_worker_signal(int);
static void	drain_close_listeners(void);
static void	drain_tick(void *, u_int64_t);
static void	drain_begin(u_int64_t);
static int	drain_connections(void);
static int	drain_unsent(const struct connection *);

static volatile sig_atomic_t	drain_requested;
static u_int64_t		drain_started;

/* Parent: called from kore_parent_configure, after Kore set its handlers. */
void
drain_parent_init(void)
{
	signal_trap(SIGTERM, drain_parent_signal);
	signal_trap(SIGINT, drain_parent_signal);
	signal_trap(SIGQUIT, drain_parent_signal);
	signal_trap(SIGALRM, drain_parent_alarm);
}

/* Worker: called from kore_worker_configure. */
void
drain_worker_init(void)
{
	signal_trap(SIGTERM, drain_worker_signal);
	signal_trap(SIGINT, drain_worker_signal);
	signal_trap(SIGQUIT, drain_worker_signal);

	(void)kore_timer_add(drain_tick, DRAIN_TICK_MS, NULL, 0);
}

/* Is this worker draining? Handlers may want to say Connection: close. */
int
drain_active(void)
{
	return (drain_started != 0);
}

/* Take a signal over from Kore, blocking the others while it is handled. */
void
signal_trap(int sig, void (*handler)(int))
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	if (sigfillset(&sa.sa_mask) == -1)
		fatal("sigfillset: %s", errno_s);
	if (sigaction(sig, &sa, NULL) == -1)
		fatal("sigaction: %s", errno_s);
}

/*
 * The parent's SIGTERM: the listening sockets close here (each process
 * holds a copy; when the last one closes, the kernel refuses new
 * connections), the alarm bounds the whole shutdown, and Kore's loop is
 * told, which passes the signal on to the workers and waits for them.
 * Only async-signal-safe calls here.
 */
static void
drain_parent_signal(int sig)
{
	int	saved = errno;

	drain_close_listeners();
	(void)alarm(DRAIN_PARENT_LIMIT_S);
	sig_recv = sig;

	errno = saved;
}

/* The workers overran their own limit: leave, as the contract demands. */
static void
drain_parent_alarm(int sig)
{
	(void)sig;

	_exit(EXIT_SUCCESS);
}

static void
drain_worker_signal(int sig)
{
	(void)sig;

	drain_requested = 1;
}

static void
drain_close_listeners(void)
{
	struct kore_server	*srv;
	struct listener		*l;

	LIST_FOREACH(srv, &kore_servers, list) {
		LIST_FOREACH(l, &srv->listeners, list) {
			if (l->fd != -1) {
				(void)close(l->fd);
				l->fd = -1;
			}
		}
	}
}

static void
drain_tick(void *arg, u_int64_t now)
{
	int	busy;

	(void)arg;

	if (!drain_requested)
		return;

	if (drain_started == 0)
		drain_begin(now);

	busy = drain_connections();

	if (busy == 0 || now - drain_started >= DRAIN_WORKER_LIMIT_MS) {
		if (busy > 0) {
			log_warn("event=drain_timeout connections=%d", busy);
		} else {
			log_info("event=drain_done after_ms=%llu",
			    (unsigned long long)(now - drain_started));
		}
		/* Now Kore may quit: nothing of ours is left in flight. */
		sig_recv = SIGQUIT;
	}
}

/*
 * Stop accepting in this worker for good. A worker that holds Kore's
 * accept lock has the listeners in its event set and takes them out; every
 * worker then claims to hold the lock, so that Kore never puts them back,
 * and closes its copies of the listening sockets.
 */
static void
drain_begin(u_int64_t now)
{
	drain_started = now;
	metrics_draining(metrics_self(), 1);

	if (worker->has_lock)
		kore_platform_disable_accept();
	worker->has_lock = 1;
	drain_close_listeners();

	/* Every answer from now on says "Connection: close". */
	http_keepalive_time = 0;

	log_info("event=drain_started requests=%u", http_request_count);
}

/*
 * Close the HTTP connections with nothing in flight (idle keep-alive ones,
 * and those that sent no complete request yet); count the others. Bytes
 * the kernel still holds for a client count as in flight: in a container
 * the network goes with the process, and would take them along.
 */
static int
drain_connections(void)
{
	struct connection	*c, *next;
	int			 busy;

	busy = 0;

	for (c = TAILQ_FIRST(&connections); c != NULL; c = next) {
		next = TAILQ_NEXT(c, list);

		if (c->proto != CONN_PROTO_HTTP ||
		    c->state != CONN_STATE_ESTABLISHED)
			continue;

		if (TAILQ_EMPTY(&c->http_requests) &&
		    TAILQ_EMPTY(&c->send_queue) && !drain_unsent(c)) {
			kore_connection_disconnect(c);
			continue;
		}

		busy++;
	}

	return (busy);
}

/* Does the kernel still have bytes of ours for this client, unacked? */
static int
drain_unsent(const struct connection *c)
{
	int	pending;

	if (ioctl(c->fd, SIOCOUTQ, &pending) == -1)
		return (0);

	return (pending > 0);
}
