/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * GET /api/v1/tags: the tags in use with how many reactions carry each,
 * most used first, for autocompletion. Protected like every reaction
 * endpoint.
 */

#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "listing.h"

#define NUMBER_TEXT_MAX		24
#define DECIMAL_BASE		10

/*
 * Counted from the reactions themselves, so only tags in use appear.
 * Ties go by byte order of the name, the order tags have everywhere.
 */
static const char tag_list_sql[] =
    "SELECT t, count(*) FROM (SELECT unnest(tags) AS t FROM reactions) u "
    "WHERE $1::text IS NULL OR starts_with(t, $1) "
    "GROUP BY t ORDER BY count(*) DESC, t COLLATE \"C\" "
    "LIMIT $2::integer";

int	tag_list(struct http_request *);

struct tag_list_state {
	struct listing_tag_query	query;
};

static enum step_result	tag_list_start(struct http_request *, struct job *);
static enum step_result	tag_list_reply(struct http_request *, struct job *);

static const step_fn tag_list_steps[] = {
	tag_list_start,
	tag_list_reply,
	NULL,
};

int
tag_list(struct http_request *req)
{
	return (job_run(req, tag_list_steps, sizeof(struct tag_list_state)));
}

static enum step_result
tag_list_start(struct http_request *req, struct job *job)
{
	struct tag_list_state	*state = job->data;
	struct listing_tag_query *tq = &state->query;
	struct listing_error	 err;
	enum listing_status	 st;
	char			 limit[NUMBER_TEXT_MAX];
	time_t			 exp;

	if (auth_bearer(req, &exp) != KORE_RESULT_OK)
		return (STEP_DONE);

	st = listing_tag_query_parse(req->query_string, tq, &err);
	if (st == LISTING_INVALID) {
		reply_error_field(req, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", err.field, err.message);
		return (STEP_DONE);
	}
	if (st != LISTING_OK) {
		reply_error_field(req, HTTP_STATUS_BAD_REQUEST, "bad_request",
		    err.field, err.message);
		return (STEP_DONE);
	}

	(void)snprintf(limit, sizeof(limit), "%d", tq->limit);
	job_query(job, tag_list_sql, 2, tq->has_prefix ? tq->prefix : NULL,
	    limit);
	return (STEP_WAIT);
}

static enum step_result
tag_list_reply(struct http_request *req, struct job *job)
{
	struct json_out	out;
	int		i, rows;

	rows = job_rows(job);

	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_array_open(&out, "items");
	for (i = 0; i < rows; i++) {
		json_open(&out, NULL);
		json_put_string(&out, "name", job_value(job, i, 0));
		json_put_int(&out, "count",
		    strtoll(job_value(job, i, 1), NULL, DECIMAL_BASE));
		json_close(&out);
	}
	json_array_close(&out);
	json_close(&out);

	reply_json(req, HTTP_STATUS_OK, &out);
	json_out_free(&out);
	return (STEP_DONE);
}
