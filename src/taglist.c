/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The tags: GET /api/v1/tags, the tags in use with how many reactions
 * carry each, for autocompletion; and POST /api/v1/tags/{name}/rename,
 * which moves every reaction from one tag to another. Both read and
 * change tag_counts only through the reactions (its triggers keep it
 * exact, assets/migrations/006_tag_counts.sql).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "encoding.h"
#include "json.h"
#include "listing.h"
#include "tags.h"

#define NUMBER_TEXT_MAX		24

/*
 * $1 the LIKE text of the tags that start with the prefix or q (NULL:
 * all of them), $2 that of those with q anywhere (NULL without q), $3
 * the limit. Those that start with it come first, then the others, each
 * the most used first; ties by name, in byte order like tags everywhere
 * (the column's collation is "C"). Each branch is planned with its text
 * known: a prefix walks the primary key, a piece the trigram index (or
 * the table, a few thousand rows, for one or two characters), no filter
 * the (count, name) index.
 */
static const char tag_list_sql[] =
    "SELECT name, count FROM ("
    "(SELECT name, count, 0 AS rank FROM tag_counts "
    "WHERE $1::text IS NULL OR name LIKE $1 "
    "ORDER BY count DESC, name LIMIT $3::integer) "
    "UNION ALL "
    "(SELECT name, count, 1 AS rank FROM tag_counts "
    "WHERE $2::text IS NOT NULL AND name LIKE $2 AND NOT name LIKE $1 "
    "ORDER BY count DESC, name LIMIT $3::integer)"
    ") t ORDER BY rank, count DESC, name LIMIT $3::integer";

/*
 * $1 becomes $2 on every reaction that has $1, in one statement: a
 * reaction that has both keeps one (a merge), the set stays sorted and
 * unique, and updated_at moves. The rows are locked in id order first,
 * as bulk edits lock them, so two statements over the same reactions
 * queue instead of deadlocking. merged says whether $2 was in use
 * before, counted in the statement's snapshot, before the change.
 */
static const char tag_rename_sql[] =
    "WITH target AS (SELECT id FROM reactions "
    "WHERE tags @> ARRAY[$1::text] ORDER BY id FOR UPDATE), "
    "moved AS (UPDATE reactions r SET "
    "tags = ARRAY(SELECT DISTINCT t COLLATE \"C\" "
    "FROM unnest(array_replace(r.tags, $1::text, $2::text)) AS u(t) "
    "ORDER BY 1), "
    "updated_at = GREATEST(clock_timestamp(), "
    "r.updated_at + interval '1 millisecond') "
    "FROM target WHERE r.id = target.id RETURNING r.id) "
    "SELECT (SELECT count(*) FROM moved), "
    "EXISTS (SELECT 1 FROM tag_counts WHERE name = $2::text)";

#define RENAME_COL_MOVED	0
#define RENAME_COL_MERGED	1

/* The path around the name: /api/v1/tags/{name}/rename. */
#define TAGS_PATH		"/api/v1/tags/"
#define RENAME_SUFFIX		"/rename"

/* A name in the path is at most a tag's bytes, each %-escaped. */
#define PATH_NAME_MAX		(3 * TAG_MAX_BYTES)

#define PG_TRUE			"t"

int	tag_list(struct http_request *);
int	tag_rename(struct http_request *);

struct tag_list_state {
	struct listing_tag_query	query;
};

struct tag_rename_state {
	char	from[TAG_MAX_BYTES + 1];
	char	to[TAG_MAX_BYTES + 1];
};

static enum step_result	tag_list_start(struct http_request *, struct job *);
static enum step_result	tag_list_reply(struct http_request *, struct job *);
static void		tag_item(struct json_out *, int, const void *);
static enum step_result	tag_rename_start(struct http_request *,
			    struct job *);
static enum step_result	tag_rename_reply(struct http_request *,
			    struct job *);

static int	tag_path_name(struct http_request *, char *);

static const step_fn tag_list_steps[] = {
	AUTH_STEPS_FULL,
	tag_list_start,
	tag_list_reply,
	NULL,
};

static const step_fn tag_rename_steps[] = {
	AUTH_STEPS_FULL,
	tag_rename_start,
	tag_rename_reply,
	NULL,
};

int
tag_list(struct http_request *req)
{
	return (job_run(req, tag_list_steps, sizeof(struct tag_list_state)));
}

int
tag_rename(struct http_request *req)
{
	return (job_run(req, tag_rename_steps,
	    sizeof(struct tag_rename_state)));
}

static enum step_result
tag_list_start(struct http_request *req, struct job *job)
{
	struct tag_list_state	*state = job->data;
	struct listing_tag_query *tq = &state->query;
	struct listing_error	 err;
	enum listing_status	 st;
	char			 limit[NUMBER_TEXT_MAX];

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
	job_query(job, tag_list_sql, 3,
	    tq->has_prefix || tq->has_q ? tq->starts : NULL,
	    tq->has_q ? tq->contains : NULL, limit);
	return (STEP_WAIT);
}

static enum step_result
tag_list_reply(struct http_request *req, struct job *job)
{
	reply_items(req, job_rows(job), tag_item, job);
	return (STEP_DONE);
}

/* A tag and the number of reactions that have it. */
static void
tag_item(struct json_out *out, int row, const void *job)
{
	json_put_string(out, "name", job_value(job, row, 0));
	json_put_int(out, "count", job_int(job, row, 1));
}

static enum step_result
tag_rename_start(struct http_request *req, struct job *job)
{
	struct tag_rename_state	*state = job->data;
	yajl_val		 body;
	const char		*to;
	char			 name[TAG_MAX_BYTES + 1];
	size_t			 i;

	if (tag_path_name(req, name) == -1 ||
	    tag_normalise(name, strlen(name), state->from) != TAG_OK) {
		reply_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no reaction has that tag");
		return (STEP_DONE);
	}

	if (request_body_json(req, &body) != KORE_RESULT_OK)
		return (STEP_DONE);

	for (i = 0; i < body->u.object.len; i++) {
		if (strcmp(body->u.object.keys[i], "to")) {
			reply_error_field(req, HTTP_STATUS_UNPROCESSABLE,
			    "validation_failed", "body", "unknown field; a "
			    "rename takes only \"to\"");
			yajl_tree_free(body);
			return (STEP_DONE);
		}
	}

	to = json_get_string(body, "to");
	if (to == NULL || tag_normalise(to, strlen(to), state->to) != TAG_OK) {
		yajl_tree_free(body);
		reply_error_field(req, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", "to", "to must be a valid tag: 1-64 "
		    "bytes of UTF-8 without whitespace, control characters, "
		    "',' or '*', not starting with '-'");
		return (STEP_DONE);
	}
	yajl_tree_free(body);

	if (!strcmp(state->from, state->to)) {
		reply_error_field(req, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", "to", "to is the tag's own name");
		return (STEP_DONE);
	}

	job_query(job, tag_rename_sql, 2, state->from, state->to);
	return (STEP_WAIT);
}

static enum step_result
tag_rename_reply(struct http_request *req, struct job *job)
{
	struct tag_rename_state	*state = job->data;
	struct json_out		 out;
	long long		 moved;

	if (job_rows(job) != 1) {
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}

	moved = job_int(job, 0, RENAME_COL_MOVED);
	if (moved == 0) {
		reply_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no reaction has that tag");
		return (STEP_DONE);
	}

	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_put_string(&out, "from", state->from);
	json_put_string(&out, "to", state->to);
	json_put_int(&out, "reactions", moved);
	json_put_bool(&out, "merged",
	    !strcmp(job_value(job, 0, RENAME_COL_MERGED), PG_TRUE));
	json_close(&out);

	reply_json(req, HTTP_STATUS_OK, &out);
	json_out_free(&out);
	return (STEP_DONE);
}

/*
 * The tag named in the path, %-decoded into name (TAG_MAX_BYTES + 1
 * bytes): -1 when it cannot be a tag. A '+' in a path is itself, not a
 * space as in a query string.
 */
static int
tag_path_name(struct http_request *req, char *name)
{
	const char	*start, *end, *p;
	char		 raw[3 * PATH_NAME_MAX + 1];
	size_t		 n;
	ssize_t		 len;
	int		 control;

	if (strncmp(req->path, TAGS_PATH, strlen(TAGS_PATH)))
		return (-1);
	start = req->path + strlen(TAGS_PATH);
	if ((end = strstr(start, RENAME_SUFFIX)) == NULL)
		return (-1);

	for (n = 0, p = start; p < end; p++) {
		if (n + sizeof("%2B") > sizeof(raw))
			return (-1);
		if (*p == '+') {
			memcpy(raw + n, "%2B", strlen("%2B"));
			n += strlen("%2B");
		} else {
			raw[n++] = *p;
		}
	}

	len = enc_url_decode(raw, n, name, TAG_MAX_BYTES + 1, &control);
	if (len <= 0 || (size_t)len > TAG_MAX_BYTES || control)
		return (-1);
	name[len] = '\0';
	return (0);
}
