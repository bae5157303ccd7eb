/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The async step runner every database-backed handler uses. Kore calls a
 * handler again each time its request wakes up; the runner remembers which
 * step comes next, drives the pgsql state machine between steps, keeps the
 * query's result for the step after it, and turns a failed query into the
 * right error reply unless the step said it handles that SQLSTATE itself.
 */

#include <stdarg.h>
#include <string.h>

#include "app.h"
#include "log.h"

/* SQLSTATE classes that mean "the database is not there", not "bad SQL". */
#define SQLSTATE_CONNECTION_CLASS	"08"
#define SQLSTATE_ADMIN_SHUTDOWN		"57P01"
#define SQLSTATE_CRASH_SHUTDOWN		"57P02"
#define SQLSTATE_CANNOT_CONNECT		"57P03"
#define SQLSTATE_TOO_MANY_CONNECTIONS	"53300"

enum poll_result {
	POLL_SLEEP,
	POLL_READY,
};

static enum poll_result	job_poll(struct job *);
static enum poll_result	job_start(struct job *);
static void		job_failed(struct job *);
static void		job_reply_failure(struct job *);
static void		job_clear_query(struct job *);
static int		job_unavailable(const char *);
static int		job_tolerated(const struct job *);

int
job_run(struct http_request *req, const step_fn *steps, size_t datalen)
{
	struct request_ctx	*ctx;
	struct job		*job;
	step_fn			 step;

	ctx = request_ctx(req);

	if ((job = ctx->job) == NULL) {
		job = kore_calloc(1, sizeof(*job));
		job->req = req;
		job->steps = steps;
		if (datalen > 0)
			job->data = kore_calloc(1, datalen);
		ctx->job = job;
	}

	for (;;) {
		if (job->waiting) {
			if (job_poll(job) == POLL_SLEEP)
				return (KORE_RESULT_RETRY);

			job->waiting = 0;
			if (job->failed && !job_tolerated(job)) {
				job_reply_failure(job);
				return (KORE_RESULT_OK);
			}
		}

		if ((step = job->steps[job->next]) == NULL) {
			log_error("event=job_error reason=no_reply path=%s",
			    req->path);
			reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
			    "internal error");
			return (KORE_RESULT_OK);
		}

		job->next++;

		switch (step(req, job)) {
		case STEP_DONE:
			return (KORE_RESULT_OK);
		case STEP_WAIT:
			job->waiting = 1;
			break;
		case STEP_NEXT:
			break;
		}
	}
}

/*
 * Queue a query for the runner; the step then returns STEP_WAIT. All
 * parameters are text (char *, NULL for SQL NULL) and are copied.
 */
int
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

	return (0);
}

/* The next step handles a failure with this SQLSTATE itself. */
void
job_tolerate(struct job *job, const char *sqlstate)
{
	job->tolerate = sqlstate;
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

int
job_is_null(const struct job *job, int row, int col)
{
	return (PQgetisnull(job->result, row, col));
}

void
job_free(struct job *job)
{
	/*
	 * Kore frees a request's bound pgsql structures after on_free runs,
	 * and this one lives inside the job: release it before the job goes.
	 */
	kore_pgsql_cleanup(&job->sql);
	job_clear_query(job);
	kore_free(job->data);
	kore_free(job);
}

static enum poll_result
job_poll(struct job *job)
{
	if (!job->started) {
		if (job_start(job) == POLL_SLEEP)
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
			job_failed(job);
			return (POLL_READY);
		case KORE_PGSQL_STATE_COMPLETE:
			kore_pgsql_cleanup(&job->sql);
			return (POLL_READY);
		default:
			kore_pgsql_continue(&job->sql);
			break;
		}
	}
}

static enum poll_result
job_start(struct job *job)
{
	kore_pgsql_cleanup(&job->sql);
	kore_pgsql_init(&job->sql);
	kore_pgsql_bind_request(&job->sql, job->req);

	if (!kore_pgsql_setup(&job->sql, DB_NAME, KORE_PGSQL_ASYNC)) {
		/* All connections busy: Kore wakes us when one frees up. */
		if (job->sql.state == KORE_PGSQL_STATE_INIT)
			return (POLL_SLEEP);
		job_failed(job);
		return (POLL_READY);
	}

	if (!kore_pgsql_query_param_fields(&job->sql, job->query, 0,
	    job->nparams, (const char **)job->values, job->lengths, NULL)) {
		job_failed(job);
		return (POLL_READY);
	}

	job->started = 1;
	return (POLL_READY);
}

static void
job_failed(struct job *job)
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
		    request_ctx(job->req)->id);
	}

	db_connection_check(&job->sql);
	kore_pgsql_cleanup(&job->sql);
}

static void
job_reply_failure(struct job *job)
{
	if (job_unavailable(job->sqlstate)) {
		reply_error(job->req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "database_unavailable", "the database is unavailable");
		return;
	}

	reply_error(job->req, HTTP_STATUS_INTERNAL_ERROR, "internal",
	    "internal error");
}

/* No SQLSTATE at all means libpq never got an answer from a server. */
static int
job_unavailable(const char *sqlstate)
{
	if (sqlstate[0] == '\0')
		return (1);

	if (!strncmp(sqlstate, SQLSTATE_CONNECTION_CLASS,
	    strlen(SQLSTATE_CONNECTION_CLASS)))
		return (1);

	return (!strcmp(sqlstate, SQLSTATE_ADMIN_SHUTDOWN) ||
	    !strcmp(sqlstate, SQLSTATE_CRASH_SHUTDOWN) ||
	    !strcmp(sqlstate, SQLSTATE_CANNOT_CONNECT) ||
	    !strcmp(sqlstate, SQLSTATE_TOO_MANY_CONNECTIONS));
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
