/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Liveness and readiness. Health answers from the process alone, so an
 * orchestrator never restarts a healthy replica because a dependency is
 * down; readiness asks the dependencies.
 */

#include "app.h"
#include "json.h"

int	health(struct http_request *);
int	ready(struct http_request *);

/* The least the database can answer: a connection that works. */
#define READY_SQL	"SELECT 1"

struct readiness {
	int	database_ok;
};

static enum step_result	ready_database(struct http_request *, struct job *);
static enum step_result	ready_storage(struct http_request *, struct job *);
static enum step_result	ready_reply(struct http_request *, struct job *);

static const step_fn ready_steps[] = {
	ready_database,
	ready_storage,
	ready_reply,
	NULL,
};

int
health(struct http_request *req)
{
	/* Asked every few seconds by every probe: a constant, not built. */
	static const char	body[] = "{\"status\":\"ok\"}";

	reply_json_text(req, HTTP_STATUS_OK, body, sizeof(body) - 1);
	return (KORE_RESULT_OK);
}

int
ready(struct http_request *req)
{
	return (job_run(req, ready_steps, sizeof(struct readiness)));
}

static enum step_result
ready_database(struct http_request *req, struct job *job)
{
	(void)req;

	/* A failure here is an answer ("error"), not a reason to give up. */
	job_query(job, READY_SQL, 0);
	job_tolerate(job, JOB_ANY_SQLSTATE);
	return (STEP_WAIT);
}

static enum step_result
ready_storage(struct http_request *req, struct job *job)
{
	struct readiness	*state = job->data;

	(void)req;

	state->database_ok = !job->failed && job_rows(job) == 1;

	if (job_storage(job, storage_head_bucket(job_storage_done, job)) == -1)
		return (STEP_NEXT);

	return (STEP_WAIT);
}

static enum step_result
ready_reply(struct http_request *req, struct job *job)
{
	struct readiness	*state = job->data;
	struct json_out		 out;
	int			 storage_ok, all_ok;

	storage_ok = job->storage == STORAGE_OK;
	all_ok = state->database_ok && storage_ok;

	(void)json_out_init(&out);
	json_open(&out, NULL);
	if (all_ok) {
		json_put_string(&out, "status", "ready");
	} else {
		json_put_string(&out, "status", "unavailable");
		json_open(&out, "checks");
		json_put_string(&out, "database",
		    state->database_ok ? "ok" : "error");
		json_put_string(&out, "storage", storage_ok ? "ok" : "error");
		json_close(&out);
	}
	json_close(&out);

	reply_json(req, all_ok ? HTTP_STATUS_OK :
	    HTTP_STATUS_SERVICE_UNAVAILABLE, &out);
	json_out_free(&out);
	return (STEP_DONE);
}
