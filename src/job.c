/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The async step runner every handler that waits uses, and the background
 * jobs too. Kore calls a handler again each time its request wakes up (a
 * detached job is woken by pgsql and curl callbacks instead); the runner
 * remembers which step comes next, drives the pgsql state machine or
 * waits for the storage call between steps, keeps a query's result for
 * the step after it, and turns a failed query into the right error reply
 * unless the step said it handles that SQLSTATE itself.
 *
 * Storage calls (storage.c) report their end through job_storage_done();
 * the request's context releases the job through the destructor job_run
 * registers, so neither file calls back into this one by name.
 *
 * Queries take turns for the worker's DB_WORKER_CONNECTIONS connections
 * in the order they asked. Kore's own wait queue would do it too, but a
 * woken waiter there loses the freed connection to any request that
 * happens to ask first and goes back to the end of the line, so under
 * load some requests waited for seconds while others never queued.
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "log.h"

#define JOB_DECIMAL_BASE	10

enum poll_result {
	POLL_SLEEP,
	POLL_READY,
};

static void		job_advance(struct job *);
static enum poll_result	job_poll(struct job *);
static enum poll_result	job_poll_sql(struct job *);
static enum poll_result	job_start_sql(struct job *);
static void		job_sql_failed(struct job *);
static void		job_sql_callback(struct kore_pgsql *, void *);
static void		job_defer(struct job *);
static void		job_deferred_wakeup(void *, u_int64_t);
static int		job_admit(struct job *);
static void		job_sql_release(struct job *);
static void		job_admit_next(void);
static void		job_gauges(void);
static void		job_state_free(void *);
static void		job_clear_query(struct job *);
static void		job_notify(struct job *);
static int		job_by_handler(const struct job *);
static int		job_tolerated(const struct job *);
static const char	*job_request_id(const struct job *);

/* Queries on a connection now, and those waiting for one, in order. */
static int			 jobs_admitted;
static int			 jobs_queued;
static TAILQ_HEAD(, job)	 jobs_waiting =
				    TAILQ_HEAD_INITIALIZER(jobs_waiting);

/*
 * The handler side: run the request's job until it waits or is done.
 * Returns what Kore wants back from a handler.
 */
int
job_run(struct http_request *req, const step_fn *steps, size_t datalen)
{
	struct request_ctx	*ctx;
	struct job		*job;

	ctx = request_ctx(req);

	if ((job = ctx->state) != NULL && job->early) {
		/* Begun in a body hook; the handler drives it from now on. */
		job->early = 0;
		req->owner->http_timeout = 0;
	}

	if (job == NULL) {
		/*
		 * The request is complete and the handler's now: Kore's
		 * header/body timer must not fire while it waits on
		 * PostgreSQL or S3 (Kore leaves it running for a DELETE
		 * sent without a Content-Length).
		 */
		req->owner->http_timeout = 0;

		job = kore_calloc(1, sizeof(*job));
		job->req = req;
		job->steps = steps;
		if (datalen > 0)
			job->data = kore_calloc(1, datalen);
		ctx->state = job;
		ctx->state_free = job_state_free;
	}

	job_advance(job);

	/*
	 * What a job begun early waits for wakes the request (job_notify),
	 * which must sleep meanwhile, whatever it waits on.
	 */
	if (!job->finished && job->began_early)
		http_request_sleep(req);

	return (job->finished ? KORE_RESULT_OK : KORE_RESULT_RETRY);
}

/*
 * A request's job begun before its body is complete, from a header or
 * body hook: it runs on every callback (the handler is not called before
 * the body is in; job_wakeup() starts it), and the handler takes it over
 * through job_run(). Its steps see the request, which is not complete.
 */
struct job *
job_begin(struct http_request *req, const step_fn *steps, size_t datalen)
{
	struct request_ctx	*ctx;
	struct job		*job;

	ctx = request_ctx(req);
	if (ctx->state != NULL)
		fatal("job_begin: the request has a job");

	job = kore_calloc(1, sizeof(*job));
	job->req = req;
	job->steps = steps;
	job->early = 1;
	job->began_early = 1;
	if (datalen > 0)
		job->data = kore_calloc(1, datalen);
	ctx->state = job;
	ctx->state_free = job_state_free;

	return (job);
}

/* The step waits until job_signal() (which may have come already). */
void
job_wait(struct job *job)
{
	job->pending = JOB_PENDING_SIGNAL;
	if (job_by_handler(job))
		http_request_sleep(job->req);
}

void
job_signal(struct job *job)
{
	job->signalled = 1;
	if (job->pending == JOB_PENDING_SIGNAL && !job->finished)
		job_notify(job);
}

/* No step runs any more: the request was answered elsewhere. */
void
job_stop(struct job *job)
{
	job->finished = 1;
}

/* The job goes on with these steps, from their first, instead. */
void
job_then(struct job *job, const step_fn *steps)
{
	job->steps = steps;
	job->next = 0;
}

/* fn runs when the job is freed, before its data goes. */
void
job_on_free(struct job *job, void (*fn)(struct job *))
{
	job->cleanup = fn;
}

/*
 * A job with no request behind it (background work). job_wakeup() starts
 * it; done is called when its last step has returned STEP_DONE (possibly
 * before job_wakeup returns, so keep the pointer before starting it) and
 * must free the job with job_free().
 */
struct job *
job_detached(const step_fn *steps, size_t datalen, void (*done)(struct job *))
{
	struct job	*job;

	job = kore_calloc(1, sizeof(*job));
	job->steps = steps;
	job->done = done;
	if (datalen > 0)
		job->data = kore_calloc(1, datalen);

	return (job);
}

/*
 * Wake a detached job after a callback. The callbacks can fire while the
 * job itself is inside a pgsql or curl call, so a running job only notes
 * that it was kicked and looks again before it sleeps.
 */
void
job_wakeup(struct job *job)
{
	if (job->running) {
		job->kicked = 1;
		return;
	}

	job->running = 1;
	do {
		job->kicked = 0;
		job_advance(job);
	} while (job->kicked && !job->finished);
	job->running = 0;

	if (job->finished && job->done != NULL)
		job->done(job);
}

/*
 * Queue a query; the step then returns STEP_WAIT. All parameters are text
 * (char *, NULL for SQL NULL) and are copied.
 */
void
job_query(struct job *job, const char *query, int nparams, ...)
{
	va_list		 args;
	const char	*value;
	int		 i;

	if (nparams < 0 || nparams > JOB_PARAMS_MAX)
		fatal("job_query: %d parameters", nparams);

	job_clear_query(job);

	va_start(args, nparams);
	for (i = 0; i < nparams; i++) {
		value = va_arg(args, const char *);
		if (value != NULL) {
			job->values[i] = kore_strdup(value);
			job->lengths[i] = (int)strlen(value);
		}
	}
	va_end(args);

	job->query = query;
	job->nparams = nparams;
	job->failed = 0;
	job->started = 0;
	job->tolerate = NULL;
	job->sqlstate[0] = '\0';
	job->pending = JOB_PENDING_SQL;
}

/* The next step handles a failure with this SQLSTATE itself. */
void
job_tolerate(struct job *job, const char *sqlstate)
{
	job->tolerate = sqlstate;
}

/* Run the current step again once its wait is over. */
void
job_again(struct job *job)
{
	job->next--;
}

int
job_rows(const struct job *job)
{
	if (job->result == NULL)
		return (0);

	return (PQntuples(job->result));
}

const char *
job_value(const struct job *job, int row, int col)
{
	return (PQgetvalue(job->result, row, col));
}

/*
 * A column read as a number: PostgreSQL writes integers as plain
 * decimals, so the text is one (a NULL, an empty string, reads as 0).
 */
long long
job_int(const struct job *job, int row, int col)
{
	return (strtoll(job_value(job, row, col), NULL, JOB_DECIMAL_BASE));
}

int
job_is_null(const struct job *job, int row, int col)
{
	return (PQgetisnull(job->result, row, col));
}

void
job_free(struct job *job)
{
	/* Callbacks fired by the cleanups below must find nothing to do. */
	job->finished = 1;
	job->done = NULL;

	if (job->cleanup != NULL)
		job->cleanup(job);

	if (job->deferred != NULL) {
		kore_timer_remove(job->deferred);
		job->deferred = NULL;
	}

	/*
	 * Kore frees a request's bound pgsql structure after on_free runs,
	 * and it lives inside the job: release it first. A storage call in
	 * flight ends here without a word.
	 */
	job_sql_release(job);
	if (job->queued) {
		TAILQ_REMOVE(&jobs_waiting, job, waiting);
		job->queued = 0;
		jobs_queued--;
		job_gauges();
		job_admit_next();
	}
	storage_call_free(job->call);
	job->call = NULL;
	free(job->fetched);
	job->fetched = NULL;
	job_clear_query(job);
	if (job->cleanup != NULL)
		job->cleanup(job);
	kore_free(job->data);
	kore_free(job);
}

/*
 * The step's storage call is under way: wait for it. A call that could not
 * start is a failure the next step sees at once.
 */
int
job_storage(struct job *job, struct storage_call *call)
{
	job->storage_status = 0;

	if (call == NULL) {
		job->storage = STORAGE_UNAVAILABLE;
		return (-1);
	}

	job->call = call;
	job->pending = JOB_PENDING_STORAGE;
	if (job_by_handler(job))
		http_request_sleep(job->req);

	return (0);
}

/* The storage call's callback: keep its verdict, free it, wake the job. */
void
job_storage_done(struct storage_call *call, void *arg)
{
	struct job	*job = arg;

	job->storage = storage_call_result(call);
	job->storage_status = storage_call_status(call);
	free(job->fetched);
	job->fetched = storage_call_take_body(call, &job->fetched_len);
	storage_call_free(call);
	job->call = NULL;

	job_notify(job);
}

/* Kore is freeing the request: its context hands us the job. */
static void
job_state_free(void *state)
{
	job_free(state);
}

static void
job_advance(struct job *job)
{
	step_fn		step;

	while (!job->finished) {
		if (job->pending != JOB_PENDING_NONE) {
			if (job_poll(job) == POLL_SLEEP)
				return;

			if (job->pending == JOB_PENDING_SQL && job->failed &&
			    !job_tolerated(job)) {
				job->pending = JOB_PENDING_NONE;
				if (job->req != NULL)
					reply_sql_error(job->req, job->sqlstate);
				job->finished = 1;
				return;
			}
			job->pending = JOB_PENDING_NONE;
		}

		if ((step = job->steps[job->next]) == NULL) {
			/* A step list that ends without replying is a bug. */
			log_error("event=job_error reason=no_final_step "
			    "request_id=%s", job_request_id(job));
			if (job->req != NULL) {
				reply_error(job->req,
				    HTTP_STATUS_INTERNAL_ERROR, "internal",
				    "internal error");
			}
			job->finished = 1;
			return;
		}

		job->next++;

		switch (step(job->req, job)) {
		case STEP_DONE:
			job->finished = 1;
			break;
		case STEP_WAIT:
			if (job->pending == JOB_PENDING_NONE)
				fatal("job: a step waits on nothing");
			break;
		case STEP_NEXT:
			break;
		}
	}
}

static enum poll_result
job_poll(struct job *job)
{
	if (job->pending == JOB_PENDING_SIGNAL) {
		if (!job->signalled)
			return (POLL_SLEEP);
		job->signalled = 0;
		return (POLL_READY);
	}

	if (job->pending == JOB_PENDING_STORAGE) {
		/* job_storage_done() clears the call when it has ended. */
		if (job->call != NULL)
			return (POLL_SLEEP);
		return (POLL_READY);
	}

	return (job_poll_sql(job));
}

static enum poll_result
job_poll_sql(struct job *job)
{
	if (!job->started) {
		if (job_start_sql(job) == POLL_SLEEP)
			return (POLL_SLEEP);
		if (job->failed)
			return (POLL_READY);
	}

	for (;;) {
		switch (job->sql.state) {
		case KORE_PGSQL_STATE_WAIT:
			return (POLL_SLEEP);
		case KORE_PGSQL_STATE_RESULT:
			/* Keep the result past kore_pgsql_continue(). */
			if (job->result == NULL) {
				job->result = job->sql.result;
				job->sql.result = NULL;
			}
			kore_pgsql_continue(&job->sql);
			break;
		case KORE_PGSQL_STATE_ERROR:
			job_sql_failed(job);
			return (POLL_READY);
		case KORE_PGSQL_STATE_COMPLETE:
			job_sql_release(job);
			return (POLL_READY);
		default:
			kore_pgsql_continue(&job->sql);
			break;
		}
	}
}

static enum poll_result
job_start_sql(struct job *job)
{
	/* Out of Kore's wait queue, if a try below put it there. */
	kore_pgsql_cleanup(&job->sql);
	if (!job_admit(job))
		return (POLL_SLEEP);

	kore_pgsql_init(&job->sql);

	/*
	 * A job begun early may be handed to its handler while its query
	 * runs: the callback wakes whichever drives it then.
	 */
	job->sql_callback = job->req == NULL || job->began_early;
	if (!job->sql_callback)
		kore_pgsql_bind_request(&job->sql, job->req);
	else
		kore_pgsql_bind_callback(&job->sql, job_sql_callback, job);

	if (!kore_pgsql_setup(&job->sql, DB_NAME, KORE_PGSQL_ASYNC)) {
		/* All connections busy: Kore wakes us when one frees up. */
		if (job->sql.state == KORE_PGSQL_STATE_INIT)
			return (POLL_SLEEP);
		job_sql_failed(job);
		return (POLL_READY);
	}

	job->started = 1;

	/* db.c sends it, or has it wait for its connection's dial. */
	if (!db_query(&job->sql, job->query, job->nparams,
	    (const char **)job->values, job->lengths)) {
		job_sql_failed(job);
		return (POLL_READY);
	}

	return (POLL_READY);
}

static void
job_sql_callback(struct kore_pgsql *sql, void *arg)
{
	struct job	*job = arg;

	/*
	 * A query still in INIT was queued for a free connection, and this
	 * is Kore's pgsql_queue_wakeup() calling: it unlinks and frees its
	 * wait entry only after we return, so starting the query now (which
	 * cleans up, and so frees that entry too) would free it twice. Run
	 * the job from the next turn of the event loop instead.
	 */
	if (sql->state == KORE_PGSQL_STATE_INIT) {
		job_defer(job);
		return;
	}

	job_notify(job);
}

/* Run a detached job from the next turn of the event loop. */
static void
job_defer(struct job *job)
{
	if (job->deferred == NULL) {
		job->deferred = kore_timer_add(job_deferred_wakeup, 0, job,
		    KORE_TIMER_ONESHOT);
	}
}

static void
job_deferred_wakeup(void *arg, u_int64_t now)
{
	struct job	*job = arg;

	(void)now;

	/* Kore has unlinked this timer and frees it after we return. */
	job->deferred = NULL;
	job_notify(job);
}

/* Something the job waited on is over: run it, or wake its request. */
static void
job_notify(struct job *job)
{
	if (job_by_handler(job))
		http_request_wakeup(job->req);
	else
		job_wakeup(job);
}

/* Is the job run by its request's handler (and not by callbacks)? */
static int
job_by_handler(const struct job *job)
{
	return (job->req != NULL && !job->early);
}

/*
 * May the job's query have a connection now? Only when one is free and
 * nobody asked before it; otherwise it joins the line (a request sleeps
 * until job_admit_next() wakes it) and 0 comes back.
 */
static int
job_admit(struct job *job)
{
	struct job	*first;

	if (job->admitted)
		return (1);

	first = TAILQ_FIRST(&jobs_waiting);
	if (jobs_admitted >= DB_WORKER_CONNECTIONS ||
	    (first != NULL && first != job)) {
		if (!job->queued) {
			TAILQ_INSERT_TAIL(&jobs_waiting, job, waiting);
			job->queued = 1;
			job->queued_us = metrics_now_us();
			jobs_queued++;
			job_gauges();
		}
		if (job_by_handler(job))
			http_request_sleep(job->req);
		return (0);
	}

	if (job->queued) {
		TAILQ_REMOVE(&jobs_waiting, job, waiting);
		job->queued = 0;
		jobs_queued--;
		metrics_db_wait(metrics_self(),
		    metrics_now_us() - job->queued_us);
	} else {
		metrics_db_wait(metrics_self(), 0);
	}
	job->admitted = 1;
	jobs_admitted++;
	job_gauges();

	/* Room for more: the next in line need not wait for a release. */
	job_admit_next();
	return (1);
}

/* The query is over (or never ran): its connection goes to the next. */
static void
job_sql_release(struct job *job)
{
	/* Kore's cleanup of an unfinished query would block: db.c's first. */
	db_release(&job->sql);
	kore_pgsql_cleanup(&job->sql);

	if (!job->admitted)
		return;

	job->admitted = 0;
	jobs_admitted--;
	job_gauges();
	job_admit_next();
}

/* The metrics' view of the line: two stores into our own slot. */
static void
job_gauges(void)
{
	metrics_db_queue(metrics_self(), (u_int64_t)jobs_queued,
	    (u_int64_t)jobs_admitted);
}

/* Wake the first job in line, if a connection is free for it. */
static void
job_admit_next(void)
{
	struct job	*next;

	if (jobs_admitted >= DB_WORKER_CONNECTIONS ||
	    (next = TAILQ_FIRST(&jobs_waiting)) == NULL)
		return;

	if (job_by_handler(next))
		http_request_wakeup(next->req);
	else
		job_defer(next);
}

static void
job_sql_failed(struct job *job)
{
	const char	*state;

	job->failed = 1;
	job->started = 1;

	state = NULL;
	if (job->sql.result != NULL)
		state = PQresultErrorField(job->sql.result, PG_DIAG_SQLSTATE);
	if (state != NULL)
		(void)kore_strlcpy(job->sqlstate, state, sizeof(job->sqlstate));

	if (!job_tolerated(job)) {
		log_warn("event=db_error sqlstate=%s request_id=%s",
		    job->sqlstate[0] != '\0' ? job->sqlstate : "-",
		    job_request_id(job));
	}

	job_sql_release(job);
}

static int
job_tolerated(const struct job *job)
{
	if (job->tolerate == NULL)
		return (0);

	if (!strcmp(job->tolerate, JOB_ANY_SQLSTATE))
		return (1);

	return (!strcmp(job->tolerate, job->sqlstate));
}

static void
job_clear_query(struct job *job)
{
	int		i;

	for (i = 0; i < JOB_PARAMS_MAX; i++) {
		kore_free(job->values[i]);
		job->values[i] = NULL;
		job->lengths[i] = 0;
	}

	if (job->result != NULL) {
		PQclear(job->result);
		job->result = NULL;
	}
}

static const char *
job_request_id(const struct job *job)
{
	if (job->req == NULL)
		return ("-");

	return (request_ctx(job->req)->id);
}
