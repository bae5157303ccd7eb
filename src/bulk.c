/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * POST /api/v1/reactions/bulk: add and remove tags on up to 500
 * reactions, or delete them, all or nothing. The body is checked by
 * batch.c; each change is one statement (reaction.h, reactions.c), so an
 * unknown id changes nothing. Deleted reactions' objects are queued for
 * the sweeper in that statement, as a single delete queues its object.
 */

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "batch.h"
#include "json.h"
#include "listing.h"
#include "log.h"
#include "reaction.h"

#define PG_TRUE			"t"
#define IDS_SEPARATOR		'\n'

int	reaction_bulk(struct http_request *);

struct bulk_state {
	struct batch_request	request;
};

static enum step_result	bulk_start(struct http_request *, struct job *);
static enum step_result	bulk_reply(struct http_request *, struct job *);

static void	bulk_edited(struct http_request *, const struct job *);
static void	bulk_deleted(struct http_request *, const struct job *);
static void	bulk_missing(struct http_request *, const char *);

static const step_fn bulk_steps[] = {
	AUTH_STEPS_FULL,
	bulk_start,
	bulk_reply,
	NULL,
};

int
reaction_bulk(struct http_request *req)
{
	return (job_run(req, bulk_steps, sizeof(struct bulk_state)));
}

static enum step_result
bulk_start(struct http_request *req, struct job *job)
{
	struct bulk_state	*state = job->data;
	struct batch_request	*r = &state->request;
	yajl_val		 body;
	const char		*field, *message;
	char			*ids;
	char			 add[LISTING_TAGS_JOINED_MAX];
	char			 remove[LISTING_TAGS_JOINED_MAX];

	if (request_body_json(req, &body) != KORE_RESULT_OK)
		return (STEP_DONE);

	if (batch_parse(body, r, &field, &message) == -1) {
		/* field may point into the tree: reply before freeing it. */
		reply_error_field(req, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", field, message);
		yajl_tree_free(body);
		return (STEP_DONE);
	}
	yajl_tree_free(body);

	ids = kore_malloc(BATCH_IDS_JOINED_MAX);
	if (batch_ids_join(r, ids, BATCH_IDS_JOINED_MAX) == -1 ||
	    listing_tags_join(&r->remove, remove, sizeof(remove)) == -1 ||
	    listing_tags_join(&r->add, add, sizeof(add)) == -1)
		fatal("bulk_start: a list does not fit");

	if (r->delete) {
		job_query(job, bulk_delete_sql, 1, ids);
	} else {
		job_query(job, bulk_edit_sql, 3, ids,
		    r->remove.count > 0 ? remove : NULL,
		    r->add.count > 0 ? add : NULL);
	}
	kore_free(ids);
	return (STEP_WAIT);
}

static enum step_result
bulk_reply(struct http_request *req, struct job *job)
{
	struct bulk_state	*state = job->data;

	if (job_rows(job) < 1) {
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}

	if (state->request.delete)
		bulk_deleted(req, job);
	else
		bulk_edited(req, job);
	return (STEP_DONE);
}

/* The reactions as they are now, newest first. */
static void
bulk_edited(struct http_request *req, const struct job *job)
{
	struct json_out	out;
	int		i, rows;

	if (strcmp(job_value(job, 0, BULK_COL_FOUND), PG_TRUE)) {
		bulk_missing(req, job_value(job, 0, BULK_COL_MISSING));
		return;
	}
	if (strcmp(job_value(job, 0, BULK_COL_FITS), PG_TRUE)) {
		reply_error_field(req, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", "add_tags", "a reaction would have "
		    "more than 32 tags; nothing was changed");
		return;
	}

	rows = job_rows(job);
	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_put_int(&out, "updated", rows);
	json_array_open(&out, "items");
	for (i = 0; i < rows; i++)
		reaction_json(&out, NULL, job, i);
	json_array_close(&out);
	json_close(&out);

	log_info("event=bulk_edited reactions=%d request_id=%s", rows,
	    request_ctx(req)->id);
	reply_json(req, HTTP_STATUS_OK, &out);
	json_out_free(&out);
}

static void
bulk_deleted(struct http_request *req, const struct job *job)
{
	struct json_out	out;
	long long	deleted;

	if (strcmp(job_value(job, 0, BULK_DEL_COL_FOUND), PG_TRUE)) {
		bulk_missing(req, job_value(job, 0, BULK_DEL_COL_MISSING));
		return;
	}

	deleted = job_int(job, 0, BULK_DEL_COL_DELETED);

	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_put_int(&out, "deleted", deleted);
	json_close(&out);

	/* The sweeper removes the objects (sweeper.c). */
	log_info("event=bulk_deleted reactions=%lld request_id=%s", deleted,
	    request_ctx(req)->id);
	reply_json(req, HTTP_STATUS_OK, &out);
	json_out_free(&out);
}

/* 404 naming the ids that are not there ('\n'-joined in missing). */
static void
bulk_missing(struct http_request *req, const char *missing)
{
	struct json_out	 out;
	const char	*p, *nl;
	char		 id[UUID_TEXT_LEN + 1];

	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_open(&out, "error");
	json_put_string(&out, "code", "not_found");
	json_put_string(&out, "message", "no such reaction for some of the ids; "
	    "nothing was changed");
	json_array_open(&out, "ids");
	for (p = missing; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, IDS_SEPARATOR)) == NULL)
			nl = p + strlen(p);
		if ((size_t)(nl - p) != UUID_TEXT_LEN) {
			out.failed = 1;
			break;
		}
		memcpy(id, p, UUID_TEXT_LEN);
		id[UUID_TEXT_LEN] = '\0';
		json_put_string(&out, NULL, id);
		if (*nl == '\0')
			break;
	}
	json_array_close(&out);
	json_close(&out);
	json_close(&out);

	reply_json(req, HTTP_STATUS_NOT_FOUND, &out);
	json_out_free(&out);
}
