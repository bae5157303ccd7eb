/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The counters behind GET /metrics (counters.c): the parent shares a slot
 * of counters per worker (metrics.h) before the workers fork;
 * metrics_self() is this worker's, for the metrics_* calls of the files
 * that count. Below app.h: the files that count reach it from anywhere,
 * and it needs nothing of them.
 */

#ifndef REACTBIN_COUNTERS_H
#define REACTBIN_COUNTERS_H

#include <sys/types.h>

#include <stddef.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "metrics.h"

void			 counters_parent_init(void);
void			 counters_worker_init(void);
void			 counters_request(struct http_request *, u_int64_t,
			    u_int64_t);
struct metrics_slot	*counters_slots(size_t *);
void			 counters_routes(struct metrics_routes *);

#endif
