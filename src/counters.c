/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The counters behind GET /metrics (scrape.c), the Kore side of
 * metrics.c's model.
 *
 * The parent maps one anonymous shared region before Kore forks a
 * worker: a struct metrics_slot per worker id. Every worker (a restarted
 * one too) inherits the mapping, writes only its own slot (the files that
 * count call metrics_* on metrics_self()), and reads all of them to
 * answer a scrape: one scrape describes the whole instance, and costs
 * nobody a lock, a message to another process or a database round trip.
 * Nothing is written to a file (the root is read-only) and no system
 * call is made after the fork, so the workers' seccomp policy needs
 * nothing new.
 *
 * The route label is the handler's name from kore.conf.in, known in the
 * parent once Kore has read the configuration: a bounded set.
 */

#include <sys/mman.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "counters.h"
#include "log.h"
#include "metrics.h"

/* Kore's routes looked at, handlers with the same name sharing a label. */
#define COUNTERS_ROUTES_SEEN	128

static size_t		counters_route(const struct http_request *);
static size_t		counters_route_name(const char *);
static void		counters_routes_learn(void);

static struct metrics_slot	*slots;
static size_t			 nslots;
static struct metrics_slot	*self;

static const char		*route_names[METRICS_ROUTES_MAX];
static size_t			 route_count;
static const struct kore_route	*routes_seen[COUNTERS_ROUTES_SEEN];
static size_t			 routes_seen_index[COUNTERS_ROUTES_SEEN];
static size_t			 routes_seen_count;

/*
 * Parent, from kore_parent_configure: Kore has read the configuration
 * (the routes exist, the worker count is known) and forks no worker
 * before this returns.
 */
void
counters_parent_init(void)
{
	size_t	workers, len;
	void	*p;

	counters_routes_learn();

	/* Worker ids run from 1: slot 0 stays empty. */
	workers = worker_count != 0 ? worker_count : cpu_count;
	nslots = workers + 1;
	len = nslots * sizeof(struct metrics_slot);

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED) {
		log_error("event=startup_failed reason=metrics_mmap errno=%d",
		    errno);
		exit(EXIT_FAILURE);
	}
	slots = p;
}

/* Worker, from kore_worker_configure: take up the slot of our id. */
void
counters_worker_init(void)
{
	if (slots == NULL || worker == NULL || worker->id >= nslots) {
		log_warn("event=metrics_unavailable reason=no_slot");
		return;
	}

	self = &slots[worker->id];
	metrics_worker_start(self);
}

/* This worker's slot, or NULL (then metrics.c counts nothing). */
struct metrics_slot *
metrics_self(void)
{
	return (self);
}

/* Every worker's slot, for a scrape to add up; NULL before the parent's. */
struct metrics_slot *
counters_slots(size_t *n)
{
	*n = nslots;
	return (slots);
}

/* The route labels, in kore.conf.in's order. */
void
counters_routes(struct metrics_routes *routes)
{
	routes->names = route_names;
	routes->count = route_count;
}

/* request.c: a request is over. */
void
counters_request(struct http_request *req, u_int64_t us, u_int64_t bytes_out)
{
	u_int64_t	declared, in;

	if (self == NULL)
		return;

	/*
	 * The body bytes that came in: all of a body read to its end, the
	 * part that arrived of one refused or cut short (Kore counts what
	 * is still due down in content_length while it reads).
	 */
	in = 0;
	if (http_request_header_uint64(req, "content-length", &declared)) {
		if (req->flags & HTTP_REQUEST_COMPLETE)
			in = declared;
		else if (req->http_body_length == declared &&
		    req->content_length <= declared)
			in = declared - req->content_length;
	}

	metrics_request(self, counters_route(req), req->status, us, in,
	    bytes_out);
}

/*
 * Every route of every domain, in kore.conf.in's order; a handler named
 * twice (the web app's page) is one label.
 */
static void
counters_routes_learn(void)
{
	struct kore_server	*srv;
	struct kore_domain	*dom;
	struct kore_route	*rt;
	size_t			 i;

	LIST_FOREACH(srv, &kore_servers, list) {
		TAILQ_FOREACH(dom, &srv->domains, list) {
			TAILQ_FOREACH(rt, &dom->routes, list) {
				if (routes_seen_count == COUNTERS_ROUTES_SEEN)
					break;
				if ((i = counters_route_name(rt->func)) ==
				    route_count) {
					if (route_count == METRICS_ROUTES_MAX) {
						log_warn("event=metrics_routes "
						    "reason=too_many");
						continue;
					}
					route_names[route_count++] = rt->func;
				}
				routes_seen[routes_seen_count] = rt;
				routes_seen_index[routes_seen_count++] = i;
			}
		}
	}
}

static size_t
counters_route(const struct http_request *req)
{
	size_t	i;

	if (req->rt == NULL)
		return (METRICS_ROUTES_MAX);

	for (i = 0; i < routes_seen_count; i++) {
		if (routes_seen[i] == req->rt)
			return (routes_seen_index[i]);
	}

	/* A route Kore made after the parent looked: by its name. */
	if ((i = counters_route_name(req->rt->func)) == route_count)
		return (METRICS_ROUTES_MAX);
	return (i);
}

/* The label index of a handler's name, or route_count. */
static size_t
counters_route_name(const char *func)
{
	size_t	i;

	for (i = 0; i < route_count; i++) {
		if (!strcmp(route_names[i], func))
			break;
	}
	return (i);
}
