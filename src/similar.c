/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Near-duplicates: GET /api/v1/reactions/{id}/similar (the owner's) lists
 * the reactions whose still's difference hash (derive.c) is within
 * max_distance bits of this one's, the closest first; and the same search
 * for an upload's hash, which the upload's 201 carries (upload.c). The
 * distance is counted by PostgreSQL (bit_count of the XOR): a library of
 * thousands is one scan of a narrow column.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "reaction.h"
#include "similar.h"
#include "similar_query.h"

#define NUMBER_TEXT_MAX		24

/* Reaction $1's hash: a subquery PostgreSQL runs once, not per row. */
#define HASH_OF_SQL							\
	"(SELECT s.phash FROM reaction_hashes s WHERE s.id = $1::uuid)"

/* Every other hashed reaction within $2 of reaction $1's hash, $3 of them. */
static const char similar_sql[] =
    SIMILAR_SQL(HASH_OF_SQL, "$1::uuid", "$2::integer", "$3::integer");

static const char hashed_sql[] =
    "SELECT phash IS NOT NULL FROM reactions WHERE id = $1::uuid";

struct similar_state {
	struct similar_query	query;
	char			id[UUID_TEXT_LEN + 1];
	int			hashed;
};

int	reaction_similar(struct http_request *);

static enum step_result	similar_start(struct http_request *, struct job *);
static enum step_result	similar_search(struct http_request *,
			    struct job *);
static enum step_result	similar_reply(struct http_request *, struct job *);

static const step_fn similar_steps[] = {
	AUTH_STEPS_FULL,
	similar_start,
	similar_search,
	similar_reply,
	NULL,
};

int
reaction_similar(struct http_request *req)
{
	return (job_run(req, similar_steps, sizeof(struct similar_state)));
}

/* Each row of the job's result, as {"distance", "reaction"} objects. */
void
similar_items(struct json_out *out, const char *key, const struct job *job)
{
	int	row;

	json_array_open(out, key);
	for (row = 0; row < job_rows(job); row++) {
		json_open(out, NULL);
		json_put_int(out, "distance", job_int(job, row, RC_COUNT));
		reaction_json(out, "reaction", job, row);
		json_close(out);
	}
	json_array_close(out);
}

static enum step_result
similar_start(struct http_request *req, struct job *job)
{
	struct similar_state	*st = job->data;
	struct listing_error	 err;

	if (similar_query_parse(req->query_string, &st->query, &err) !=
	    LISTING_OK) {
		reply_error_field(req, HTTP_STATUS_BAD_REQUEST, "bad_request",
		    err.field, err.message);
		return (STEP_DONE);
	}

	reaction_path_id(req, st->id);
	job_query(job, hashed_sql, 1, st->id);
	return (STEP_WAIT);
}

static enum step_result
similar_search(struct http_request *req, struct job *job)
{
	struct similar_state	*st = job->data;
	char			 distance[NUMBER_TEXT_MAX];
	char			 limit[NUMBER_TEXT_MAX];

	if (job_rows(job) != 1) {
		reply_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no such reaction");
		return (STEP_DONE);
	}

	/* Not hashed yet (or not decodable): nothing is known to be near. */
	st->hashed = !strcmp(job_value(job, 0, 0), "t");
	if (!st->hashed)
		return (STEP_NEXT);

	(void)snprintf(distance, sizeof(distance), "%d",
	    st->query.max_distance);
	(void)snprintf(limit, sizeof(limit), "%d", st->query.limit);
	job_query(job, similar_sql, 3, st->id, distance, limit);
	return (STEP_WAIT);
}

static enum step_result
similar_reply(struct http_request *req, struct job *job)
{
	struct similar_state	*st = job->data;
	struct json_out		 out;

	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_put_bool(&out, "hashed", st->hashed);
	json_put_int(&out, "max_distance", st->query.max_distance);
	if (st->hashed) {
		similar_items(&out, "items", job);
	} else {
		json_array_open(&out, "items");
		json_array_close(&out);
	}
	json_close(&out);
	reply_json(req, HTTP_STATUS_OK, &out);
	json_out_free(&out);

	return (STEP_DONE);
}
