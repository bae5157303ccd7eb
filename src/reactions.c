/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Reactions after upload: read one, list and search them a page at a
 * time, pick one at random, edit title and tags, delete. Every handler is
 * protected; parameters are checked by listing.c and patch.c before any
 * query, and every value reaches SQL as a bound parameter.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cursor.h"
#include "listing.h"
#include "log.h"
#include "patch.h"
#include "query.h"
#include "reaction.h"
#include "tags.h"
#include "uuid.h"

/* Room for a bigint or an integer as text. */
#define NUMBER_TEXT_MAX		24

/* A number defined in a header, as SQL text. */
#define SQL_TEXT(x)		SQL_TEXT_(x)
#define SQL_TEXT_(x)		#x

#define DECIMAL_BASE		10

/* A list page without items, for a query that cannot match. */
#define LIST_EMPTY_JSON		"{\"items\":[],\"next_cursor\":null}"
#define LIST_EMPTY_TOTAL_JSON	\
	"{\"items\":[],\"next_cursor\":null,\"total\":0}"

/* The one column of count_sql. */
#define COUNT_COL_TOTAL		0

/*
 * The filters of list and random, as bound parameters $1..$5: included
 * tags and excluded tags ('\n'-joined), the LIKE-escaped q, media_type
 * and sha256, each NULL for "no filter". The unnamed statements libpq
 * sends are planned with the values known, so each NULL test folds away
 * and the GIN, trigram and btree indexes stay usable.
 *
 * Between the included tags and the rest come the "any" groups of the
 * tag query (query.h), one parameter each: the reaction carries at least
 * one of the '\n'-joined tags, NULL for an unused group. A pattern's
 * matches are in its group's list by then, so these are plain array
 * overlaps the GIN index answers. PostgreSQL tests a row's conditions of
 * equal cost in the order written, and an overlap costs as much as its
 * array is long: the conditions that admit few rows go first, and the
 * exclusion (often a pattern's hundreds of tags) is only tested on rows
 * that passed them (10.5 ms to 2.7 ms for cat-3|dog-1*,-sad* at 100,000
 * reactions).
 */
#define INCLUDE_SQL							\
	"($1::text IS NULL OR r.tags @> string_to_array($1, E'\\n')) "

#define ANY_SQL(n)							\
	"AND ($" #n "::text IS NULL OR "				\
	"r.tags && string_to_array($" #n ", E'\\n')) "
#define ANY_FILTERS_SQL(a, b, c, d, e, f, g, h)				\
	ANY_SQL(a) ANY_SQL(b) ANY_SQL(c) ANY_SQL(d)			\
	ANY_SQL(e) ANY_SQL(f) ANY_SQL(g) ANY_SQL(h)

#define FILTERS_SQL							\
	"AND ($2::text IS NULL OR "					\
	"NOT r.tags && string_to_array($2, E'\\n')) "			\
	"AND ($3::text IS NULL OR "					\
	"r.title ILIKE '%' || $3 || '%' ESCAPE '\\') "			\
	"AND ($4::text IS NULL OR r.media_type = $4) "			\
	"AND ($5::text IS NULL OR r.sha256 = $5) "

_Static_assert(QUERY_ANY_MAX == 8, "ANY_FILTERS_SQL names 8 groups");

/*
 * The cursor's position as $6 (microseconds since the epoch) and $7 (the
 * id). Integer microseconds are added to the epoch as an interval, which
 * is exact, so the row the cursor was made from compares equal.
 */
#define CURSOR_TIME_SQL							\
	"'epoch'::timestamptz + $6::bigint * interval '1 microsecond'"

/*
 * How many parameters each statement binds: the five filters and the
 * eight groups, with the cursor's two and the limit between them in a
 * list page.
 */
#define FILTER_PARAMS		(5 + QUERY_ANY_MAX)
#define LIST_PARAMS		(FILTER_PARAMS + 3)

static const char list_newest_sql[] =
    "SELECT " REACTION_COLUMNS " FROM reactions r WHERE " INCLUDE_SQL
    ANY_FILTERS_SQL(9, 10, 11, 12, 13, 14, 15, 16) FILTERS_SQL
    "AND ($6::bigint IS NULL OR (r.created_at, r.id) < "
    "(" CURSOR_TIME_SQL ", $7::uuid)) "
    "ORDER BY r.created_at DESC, r.id DESC LIMIT $8::integer";

static const char list_oldest_sql[] =
    "SELECT " REACTION_COLUMNS " FROM reactions r WHERE " INCLUDE_SQL
    ANY_FILTERS_SQL(9, 10, 11, 12, 13, 14, 15, 16) FILTERS_SQL
    "AND ($6::bigint IS NULL OR (r.created_at, r.id) > "
    "(" CURSOR_TIME_SQL ", $7::uuid)) "
    "ORDER BY r.created_at ASC, r.id ASC LIMIT $8::integer";

/*
 * The total of what the list's filters match (count=true), with the
 * filters bound as random_sql binds them: no cursor, no limit, so every
 * page of one search has the same total. Its own statement, run only when
 * asked: counting walks every match, which a page of 30 never does.
 */
static const char count_sql[] =
    "SELECT count(*) FROM reactions r WHERE " INCLUDE_SQL
    ANY_FILTERS_SQL(6, 7, 8, 9, 10, 11, 12, 13) FILTERS_SQL;

/*
 * One pass over the matching ids, keeping the one with the smallest
 * random(); only the winner's columns are then formatted (formatting
 * them for every match made this ten times slower). The inner "r" is
 * the subquery's own, so the filters apply there.
 */
static const char random_sql[] =
    "SELECT " REACTION_COLUMNS " FROM reactions r WHERE r.id = "
    "(SELECT r.id FROM reactions r WHERE " INCLUDE_SQL
    ANY_FILTERS_SQL(6, 7, 8, 9, 10, 11, 12, 13) FILTERS_SQL
    "ORDER BY random() LIMIT 1)";

/*
 * What the patterns of a tag query match among the tags in use, $1..$8
 * their LIKE texts (NULL for none): one branch per pattern, each planned
 * with its pattern known, so a prefix walks tag_counts' key and a
 * substring its trigram index (or the few thousand rows). $9 caps the
 * rows: one more than TAGS_EXPANSION_MAX says there are too many.
 */
#define EXPAND_SQL(n)							\
	"SELECT " #n " AS slot, name FROM tag_counts "			\
	"WHERE $" #n "::text IS NOT NULL AND name LIKE $" #n " "

static const char expand_sql[] =
    "SELECT slot, name FROM (" EXPAND_SQL(1)
    "UNION ALL " EXPAND_SQL(2) "UNION ALL " EXPAND_SQL(3)
    "UNION ALL " EXPAND_SQL(4) "UNION ALL " EXPAND_SQL(5)
    "UNION ALL " EXPAND_SQL(6) "UNION ALL " EXPAND_SQL(7)
    "UNION ALL " EXPAND_SQL(8) ") e LIMIT $9::integer";

_Static_assert(QUERY_PATTERNS_MAX == 8, "expand_sql has 8 slots");

/*
 * The tags the patterns of one query may stand for, in all: each is
 * bound as a plain tag, and a few thousand are still a fast query.
 */
#define TAGS_EXPANSION_MAX	10000
#define EXPAND_COL_SLOT		0
#define EXPAND_COL_NAME		1

static const char read_sql[] =
    "SELECT " REACTION_COLUMNS " FROM reactions r WHERE r.id = $1::uuid";

/*
 * The tags after an edit, computed from the row being updated so that
 * concurrent edits never lose each other's changes (under READ COMMITTED
 * an UPDATE that finds its row changed re-evaluates this on the newest
 * version). $3 replaces the set (NULL: keep), then $4 is removed, then
 * $5 added, as patch.h describes; all are '\n'-joined normalised tags,
 * and the result is unique and in byte order like every stored set.
 */
#define EDIT_TAGS_SQL							\
	"ARRAY(SELECT DISTINCT t COLLATE \"C\" FROM unnest(array_cat("	\
	"ARRAY(SELECT unnest(COALESCE("					\
	"string_to_array($3::text, E'\\n'), r.tags)) "		\
	"EXCEPT SELECT unnest(string_to_array($4::text, E'\\n'))), "	\
	"string_to_array($5::text, E'\\n'))) AS u(t) ORDER BY 1)"

/* Without any tag operation the stored set is left exactly as it is. */
#define EDIT_NEW_TAGS_SQL						\
	"(CASE WHEN COALESCE($3::text, $4::text, $5::text) IS NULL "	\
	"THEN r.tags ELSE " EDIT_TAGS_SQL " END)"

/*
 * $1 the id, $2 the new title or NULL to keep it, $3..$5 the tag
 * operations. More than TAGS_MAX tags as the result updates nothing (the
 * caller then tells "too many" from "no such reaction"). updated_at
 * moves only on a real change, and always visibly (the API shows
 * milliseconds).
 */
static const char edit_sql[] =
    "UPDATE reactions r SET "
    "title = COALESCE($2::text, r.title), "
    "tags = " EDIT_NEW_TAGS_SQL ", "
    "updated_at = CASE WHEN "
    "COALESCE($2::text, r.title) IS DISTINCT FROM r.title OR "
    EDIT_NEW_TAGS_SQL " IS DISTINCT FROM r.tags "
    "THEN GREATEST(clock_timestamp(), "
    "r.updated_at + interval '1 millisecond') "
    "ELSE r.updated_at END "
    "WHERE r.id = $1::uuid AND "
    "cardinality(" EDIT_NEW_TAGS_SQL ") <= " SQL_TEXT(TAGS_MAX) " "
    "RETURNING " REACTION_COLUMNS;

static const char exists_sql[] =
    "SELECT 1 FROM reactions WHERE id = $1::uuid";

/*
 * The row goes and its objects (the original and whatever derivatives the
 * queue made of it) are queued for removal in one statement (reaction.h),
 * so no moment exists where an object is unreferenced and unqueued.
 */
static const char delete_sql[] =
    "WITH d AS (DELETE FROM reactions WHERE id = $1::uuid "
    REACTION_DELETE_RETURNING ") " REACTION_DELETE_QUEUE_SQL;

/*
 * The reactions of a bulk edit or delete (reaction.h): their rows locked
 * in id order, so statements over the same reactions queue instead of
 * deadlocking, and whether every id was found.
 */
#define BULK_TARGET_SQL							\
	"WITH ids AS (SELECT DISTINCT "					\
	"unnest(string_to_array($1::text, E'\\n'))::uuid AS id), "	\
	"target AS (SELECT r.id, r.tags FROM reactions r "		\
	"WHERE r.id IN (SELECT id FROM ids) "				\
	"ORDER BY r.id FOR UPDATE), "					\
	"verdict AS (SELECT (SELECT count(*) FROM ids) = "		\
	"(SELECT count(*) FROM target) AS found, "			\
	"(SELECT string_agg(id::text, E'\\n' ORDER BY id) FROM ids "	\
	"WHERE id NOT IN (SELECT id FROM target)) AS missing), "

/*
 * Each reaction's tags less $2, plus $3, unique and in byte order as the
 * single edit makes them; updated_at moves on every one.
 */
const char bulk_edit_sql[] =
    BULK_TARGET_SQL
    "edited AS (SELECT t.id, ARRAY(SELECT DISTINCT u COLLATE \"C\" "
    "FROM unnest(array_cat(ARRAY(SELECT unnest(t.tags) EXCEPT "
    "SELECT unnest(string_to_array($2::text, E'\\n'))), "
    "string_to_array($3::text, E'\\n'))) AS x(u) ORDER BY 1) AS tags "
    "FROM target t), "
    "fits AS (SELECT NOT EXISTS (SELECT 1 FROM edited "
    "WHERE cardinality(tags) > " SQL_TEXT(TAGS_MAX) ") AS ok), "
    "upd AS (UPDATE reactions r SET tags = e.tags, "
    "updated_at = GREATEST(clock_timestamp(), "
    "r.updated_at + interval '1 millisecond') "
    "FROM edited e, verdict v, fits f "
    "WHERE r.id = e.id AND v.found AND f.ok RETURNING r.*) "
    "SELECT " REACTION_COLUMNS ", v.found, f.ok, v.missing "
    "FROM (verdict v CROSS JOIN fits f) LEFT JOIN upd r ON true "
    "ORDER BY r.created_at DESC, r.id DESC";

/* queued runs unread: a data-modifying WITH always runs to its end. */
const char bulk_delete_sql[] =
    BULK_TARGET_SQL
    "d AS (DELETE FROM reactions r USING target t, verdict v "
    "WHERE r.id = t.id AND v.found " REACTION_DELETE_RETURNING "), "
    "queued AS (" REACTION_DELETE_QUEUE_SQL ") "
    "SELECT v.found, (SELECT count(*) FROM d), v.missing "
    "FROM verdict v";

static const char forget_deletion_sql[] =
    "DELETE FROM storage_deletions WHERE object_key = $1";

int	reaction_read(struct http_request *);
int	reaction_list(struct http_request *);
int	reaction_random(struct http_request *);
int	reaction_edit(struct http_request *);
int	reaction_delete(struct http_request *);

struct list_state {
	struct listing_query	query;
	struct query_params	tp;		/* bound in list_bind */
	int			bound;
	int64_t			total;		/* count_sql's, with count */
};

struct random_state {
	struct listing_filter	filter;
};

struct edit_state {
	struct reaction_patch	patch;
	char			id[UUID_TEXT_LEN + 1];
};

struct delete_state {
	char			key[STORAGE_KEY_MAX];
};

static enum step_result	read_start(struct http_request *, struct job *);
static enum step_result	read_reply(struct http_request *, struct job *);
static enum step_result	list_start(struct http_request *, struct job *);
static enum step_result	list_bind(struct http_request *, struct job *);
static enum step_result	list_query(struct http_request *, struct job *);
static enum step_result	list_reply(struct http_request *, struct job *);
static enum step_result	random_start(struct http_request *, struct job *);
static enum step_result	random_query(struct http_request *, struct job *);
static enum step_result	random_reply(struct http_request *, struct job *);
static enum step_result	edit_start(struct http_request *, struct job *);
static enum step_result	edit_result(struct http_request *, struct job *);
static enum step_result	edit_missing(struct http_request *, struct job *);
static enum step_result	delete_start(struct http_request *, struct job *);
static enum step_result	delete_object(struct http_request *, struct job *);
static enum step_result	delete_forget(struct http_request *, struct job *);
static enum step_result	delete_reply(struct http_request *, struct job *);
static enum step_result	reaction_by_id(struct http_request *, struct job *,
			    const char *);

static int	list_cursor(const struct listing_query *, const struct job *,
		    int, char *, size_t);
static void	list_cleanup(struct job *);
static enum step_result	tags_expand(struct job *, const struct tag_query *);
static int	tags_bind(struct http_request *, const struct job *,
		    const struct tag_query *, struct query_params *);
static void	filter_params(const struct listing_filter *,
		    const char **, const char **, const char **);
static void	filter_query(struct job *, const char *,
		    const struct listing_filter *, const struct query_params *);
static void	reply_listing_error(struct http_request *,
		    enum listing_status, const struct listing_error *);
static void	reply_not_found(struct http_request *);

static const step_fn read_steps[] = {
	AUTH_STEPS_FULL,
	read_start,
	read_reply,
	NULL,
};
static const step_fn list_steps[] = {
	AUTH_STEPS_FULL,
	list_start,
	list_bind,
	list_query,
	list_reply,
	NULL,
};
static const step_fn random_steps[] = {
	AUTH_STEPS_FULL,
	random_start,
	random_query,
	random_reply,
	NULL,
};
static const step_fn edit_steps[] = {
	AUTH_STEPS_FULL,
	edit_start,
	edit_result,
	edit_missing,
	NULL,
};
static const step_fn delete_steps[] = {
	AUTH_STEPS_FULL,
	delete_start,
	delete_object,
	delete_forget,
	delete_reply,
	NULL,
};


int
reaction_read(struct http_request *req)
{
	return (job_run(req, read_steps, 0));
}

int
reaction_list(struct http_request *req)
{
	return (job_run(req, list_steps, sizeof(struct list_state)));
}

int
reaction_random(struct http_request *req)
{
	return (job_run(req, random_steps, sizeof(struct random_state)));
}

int
reaction_edit(struct http_request *req)
{
	return (job_run(req, edit_steps, sizeof(struct edit_state)));
}

int
reaction_delete(struct http_request *req)
{
	return (job_run(req, delete_steps, sizeof(struct delete_state)));
}

static enum step_result
read_start(struct http_request *req, struct job *job)
{
	return (reaction_by_id(req, job, read_sql));
}

static enum step_result
read_reply(struct http_request *req, struct job *job)
{
	if (job_rows(job) != 1) {
		reply_not_found(req);
		return (STEP_DONE);
	}

	reaction_reply(req, HTTP_STATUS_OK, job, 0);
	return (STEP_DONE);
}

static enum step_result
list_start(struct http_request *req, struct job *job)
{
	struct list_state	*state = job->data;
	struct listing_error	 err;
	enum listing_status	 st;
	const uint8_t		*key;


	if ((key = reaction_cursor_key()) == NULL) {
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}

	st = listing_parse(req->query_string, key, CURSOR_KEY_BYTES,
	    &state->query, &err);
	if (st != LISTING_OK) {
		reply_listing_error(req, st, &err);
		return (STEP_DONE);
	}

	return (tags_expand(job, &state->query.filter.tags));
}

/*
 * The tags bound once for both queries (the expansion's result is gone
 * after the next one), then the count when it was asked for.
 */
static enum step_result
list_bind(struct http_request *req, struct job *job)
{
	struct list_state	*state = job->data;
	struct listing_query	*lq = &state->query;
	struct query_params	*tp = &state->tp;

	if (tags_bind(req, job, &lq->filter.tags, tp) == -1)
		return (STEP_DONE);
	state->bound = 1;
	job_on_free(job, list_cleanup);

	/* A group nothing can satisfy: no page to ask for, nothing counted. */
	if (tp->none) {
		if (lq->count) {
			reply_json_text(req, HTTP_STATUS_OK,
			    LIST_EMPTY_TOTAL_JSON,
			    sizeof(LIST_EMPTY_TOTAL_JSON) - 1);
		} else {
			reply_json_text(req, HTTP_STATUS_OK, LIST_EMPTY_JSON,
			    sizeof(LIST_EMPTY_JSON) - 1);
		}
		return (STEP_DONE);
	}

	if (!lq->count)
		return (STEP_NEXT);

	filter_query(job, count_sql, &lq->filter, tp);
	return (STEP_WAIT);
}

static enum step_result
list_query(struct http_request *req, struct job *job)
{
	struct list_state	*state = job->data;
	struct listing_query	*lq = &state->query;
	struct query_params	*tp = &state->tp;
	char			 us[NUMBER_TEXT_MAX];
	char			 limit[NUMBER_TEXT_MAX];
	char			 id[UUID_TEXT_LEN + 1];
	const char		*p_q, *p_mt, *p_sha, *p_us, *p_id;
	char			*end;

	/* count(*) is one row and a number: anything else is the server's. */
	if (lq->count) {
		end = NULL;
		if (job_rows(job) == 1 && !job_is_null(job, 0, COUNT_COL_TOTAL))
			state->total = strtoll(job_value(job, 0,
			    COUNT_COL_TOTAL), &end, DECIMAL_BASE);
		if (end == NULL || *end != '\0' || state->total < 0) {
			log_error("event=list_count_failed request_id=%s",
			    request_ctx(req)->id);
			reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
			    "internal error");
			return (STEP_DONE);
		}
	}

	filter_params(&lq->filter, &p_q, &p_mt, &p_sha);

	p_us = p_id = NULL;
	if (lq->has_cursor) {
		(void)snprintf(us, sizeof(us), "%" PRId64,
		    lq->cursor.created_us);
		uuid_to_text(lq->cursor.id, id);
		p_us = us;
		p_id = id;
	}

	/* One row more than the page says whether another page follows. */
	(void)snprintf(limit, sizeof(limit), "%d", lq->limit + 1);

	/* The values are copied: the parameters can go at once. */
	job_query(job, lq->sort == CURSOR_SORT_OLDEST ? list_oldest_sql :
	    list_newest_sql, LIST_PARAMS, tp->include, tp->exclude, p_q, p_mt,
	    p_sha, p_us, p_id, limit, tp->any[0], tp->any[1], tp->any[2],
	    tp->any[3], tp->any[4], tp->any[5], tp->any[6], tp->any[7]);
	return (STEP_WAIT);
}

static enum step_result
list_reply(struct http_request *req, struct job *job)
{
	struct list_state	*state = job->data;
	struct listing_query	*lq = &state->query;
	struct json_out		 out;
	char			 next[CURSOR_TEXT_MAX];
	int			 rows, shown, i;

	rows = job_rows(job);
	shown = rows > lq->limit ? lq->limit : rows;

	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_array_open(&out, "items");
	for (i = 0; i < shown; i++)
		reaction_json(&out, NULL, job, i);
	json_array_close(&out);

	if (rows > lq->limit) {
		if (list_cursor(lq, job, shown - 1, next, sizeof(next)) == -1)
			out.failed = 1;
		else
			json_put_string(&out, "next_cursor", next);
	} else {
		json_put_null(&out, "next_cursor");
	}
	if (lq->count)
		json_put_int(&out, "total", state->total);
	json_close(&out);

	reply_json(req, HTTP_STATUS_OK, &out);
	json_out_free(&out);
	return (STEP_DONE);
}

static enum step_result
random_start(struct http_request *req, struct job *job)
{
	struct random_state	*state = job->data;
	struct listing_error	 err;
	enum listing_status	 st;

	/* The list's sort, limit and cursor mean nothing here: ignored. */
	st = listing_filter_parse(req->query_string, &state->filter, &err);
	if (st != LISTING_OK) {
		reply_listing_error(req, st, &err);
		return (STEP_DONE);
	}

	return (tags_expand(job, &state->filter.tags));
}

static enum step_result
random_query(struct http_request *req, struct job *job)
{
	struct random_state	*state = job->data;
	struct query_params	 tp;

	if (tags_bind(req, job, &state->filter.tags, &tp) == -1)
		return (STEP_DONE);

	if (tp.none) {
		query_params_free(&tp);
		reply_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no reaction matches");
		return (STEP_DONE);
	}

	filter_query(job, random_sql, &state->filter, &tp);
	query_params_free(&tp);
	return (STEP_WAIT);
}

static enum step_result
random_reply(struct http_request *req, struct job *job)
{
	if (job_rows(job) != 1) {
		reply_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no reaction matches");
		return (STEP_DONE);
	}

	reaction_reply(req, HTTP_STATUS_OK, job, 0);
	return (STEP_DONE);
}

static enum step_result
edit_start(struct http_request *req, struct job *job)
{
	struct edit_state	*state = job->data;
	struct reaction_patch	*patch = &state->patch;
	yajl_val		 body;
	const char		*field, *message;
	char			 tags[LISTING_TAGS_JOINED_MAX];
	char			 remove[LISTING_TAGS_JOINED_MAX];
	char			 add[LISTING_TAGS_JOINED_MAX];


	reaction_path_id(req, state->id);

	if (request_body_json(req, &body) != KORE_RESULT_OK)
		return (STEP_DONE);

	if (patch_parse(body, patch, &field, &message) != PATCH_OK) {
		/* field may point into the tree: reply before freeing it. */
		reply_error_field(req, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", field, message);
		yajl_tree_free(body);
		return (STEP_DONE);
	}
	yajl_tree_free(body);

	/* Nothing asked: the reaction as it is, updated_at untouched. */
	if (!patch->has_title && !patch_has_tag_ops(patch)) {
		job_query(job, read_sql, 1, state->id);
		return (STEP_WAIT);
	}

	/* A tag_set always fits LISTING_TAGS_JOINED_MAX. */
	if (listing_tags_join(&patch->tags, tags, sizeof(tags)) == -1 ||
	    listing_tags_join(&patch->remove, remove, sizeof(remove)) == -1 ||
	    listing_tags_join(&patch->add, add, sizeof(add)) == -1)
		fatal("edit_start: a tag set does not fit");

	/* "tags": [] empties the set; empty add/remove lists do nothing. */
	job_query(job, edit_sql, 5, state->id,
	    patch->has_title ? patch->title : NULL,
	    patch->has_tags ? tags : NULL,
	    patch->remove.count > 0 ? remove : NULL,
	    patch->add.count > 0 ? add : NULL);
	return (STEP_WAIT);
}

static enum step_result
edit_result(struct http_request *req, struct job *job)
{
	struct edit_state	*state = job->data;

	if (job_rows(job) == 1) {
		reaction_reply(req, HTTP_STATUS_OK, job, 0);
		return (STEP_DONE);
	}

	if (!patch_has_tag_ops(&state->patch)) {
		reply_not_found(req);
		return (STEP_DONE);
	}

	/* No row updated: absent, or the tags would have been too many. */
	job_query(job, exists_sql, 1, state->id);
	return (STEP_WAIT);
}

static enum step_result
edit_missing(struct http_request *req, struct job *job)
{
	if (job_rows(job) != 1) {
		reply_not_found(req);
		return (STEP_DONE);
	}

	reply_error_field(req, HTTP_STATUS_UNPROCESSABLE, "validation_failed",
	    "tags", "a reaction has at most 32 tags");
	return (STEP_DONE);
}

static enum step_result
delete_start(struct http_request *req, struct job *job)
{
	return (reaction_by_id(req, job, delete_sql));
}

/* sql run with the reaction id of the path. */
static enum step_result
reaction_by_id(struct http_request *req, struct job *job, const char *sql)
{
	char	id[UUID_TEXT_LEN + 1];


	reaction_path_id(req, id);
	job_query(job, sql, 1, id);
	return (STEP_WAIT);
}

static enum step_result
delete_object(struct http_request *req, struct job *job)
{
	struct delete_state	*state = job->data;
	char			 id[UUID_TEXT_LEN + 1];
	int			 row;

	if (job_rows(job) < 1) {
		reply_not_found(req);
		return (STEP_DONE);
	}

	/*
	 * The original goes now, as the client waits; its derivatives (the
	 * other rows, due now) are the sweeper's within seconds, so that a
	 * slow storage costs the client one timeout, not three.
	 */
	reaction_path_id(req, id);
	storage_object_key(id, state->key, sizeof(state->key));
	for (row = 0; row < job_rows(job); row++) {
		if (!strcmp(job_value(job, row, 0), state->key))
			break;
	}
	if (row == job_rows(job))
		return (STEP_NEXT);

	if (job_storage(job, storage_delete(state->key, job_storage_done,
	    job)) == -1)
		return (STEP_NEXT);

	return (STEP_WAIT);
}

/*
 * The object is gone (or never was): its queue entry can go too. When
 * storage failed the entry stays and the sweeper retries it; the reaction
 * itself is deleted either way, which is what the caller asked.
 */
static enum step_result
delete_forget(struct http_request *req, struct job *job)
{
	struct delete_state	*state = job->data;

	if (job->storage != STORAGE_OK && job->storage != STORAGE_NOT_FOUND) {
		log_warn("event=storage_delete_deferred key=%s status=%ld "
		    "request_id=%s", state->key, job->storage_status,
		    request_ctx(req)->id);
		return (STEP_NEXT);
	}

	/* Failing to forget costs the sweeper one DELETE: not an error. */
	job_query(job, forget_deletion_sql, 1, state->key);
	job_tolerate(job, JOB_ANY_SQLSTATE);
	return (STEP_WAIT);
}

static enum step_result
delete_reply(struct http_request *req, struct job *job)
{
	(void)job;

	reply_empty(req, HTTP_STATUS_NO_CONTENT);
	return (STEP_DONE);
}

/* The cursor that continues after row of the result. */
static int
list_cursor(const struct listing_query *lq, const struct job *job, int row,
    char *out, size_t outlen)
{
	struct cursor	c;
	const char	*id;
	char		*end;

	memset(&c, 0, sizeof(c));
	c.sort = lq->sort;

	id = job_value(job, row, RC_ID);
	if (uuid_from_text(id, strlen(id), c.id) == -1)
		return (-1);

	c.created_us = strtoll(job_value(job, row, RC_CREATED_US), &end,
	    DECIMAL_BASE);
	if (*end != '\0')
		return (-1);

	listing_filter_hash(&lq->filter, c.filter_hash);

	return (cursor_encode(reaction_cursor_key(), CURSOR_KEY_BYTES, &c, out,
	    outlen));
}

static void
list_cleanup(struct job *job)
{
	struct list_state	*state = job->data;

	if (state->bound)
		query_params_free(&state->tp);
}

/*
 * Look up what the query's patterns match (the next step reads it), or
 * go straight on when it has none.
 */
static enum step_result
tags_expand(struct job *job, const struct tag_query *q)
{
	char		 like[QUERY_PATTERNS_MAX][QUERY_LIKE_MAX + 1];
	const char	*p[QUERY_PATTERNS_MAX];
	char		 cap[NUMBER_TEXT_MAX];
	size_t		 i;

	if (q->npatterns == 0)
		return (STEP_NEXT);

	for (i = 0; i < QUERY_PATTERNS_MAX; i++) {
		p[i] = NULL;
		if (i >= q->npatterns)
			continue;
		if (query_pattern_like(q->patterns[i].text, like[i],
		    sizeof(like[i])) == -1)
			fatal("tags_expand: a pattern does not fit");
		p[i] = like[i];
	}

	(void)snprintf(cap, sizeof(cap), "%d", TAGS_EXPANSION_MAX + 1);
	job_query(job, expand_sql, 9, p[0], p[1], p[2], p[3], p[4], p[5],
	    p[6], p[7], cap);
	return (STEP_WAIT);
}

/*
 * The query's parameters, with what its patterns matched (the result of
 * tags_expand's lookup, when it had patterns). On -1 the reply has been
 * sent.
 */
static int
tags_bind(struct http_request *req, const struct job *job,
    const struct tag_query *q, struct query_params *tp)
{
	struct kore_buf	*found[QUERY_PATTERNS_MAX];
	const char	*matches[QUERY_PATTERNS_MAX];
	const char	*name;
	long		 slot;
	int		 rows, i, ret;

	memset(found, 0, sizeof(found));
	memset(matches, 0, sizeof(matches));

	rows = q->npatterns > 0 ? job_rows(job) : 0;
	if (rows > TAGS_EXPANSION_MAX) {
		reply_error_field(req, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", "tags", "tags: the patterns match "
		    "more than 10000 tags; make them narrower");
		return (-1);
	}

	for (i = 0; i < rows; i++) {
		slot = job_int(job, i, EXPAND_COL_SLOT) - 1;
		if (slot < 0 || (size_t)slot >= q->npatterns)
			fatal("tags_bind: slot %ld", slot);
		name = job_value(job, i, EXPAND_COL_NAME);
		if (found[slot] == NULL)
			found[slot] = kore_buf_alloc(TAG_MAX_BYTES + 1);
		else
			kore_buf_append(found[slot], "\n", 1);
		kore_buf_append(found[slot], name, strlen(name));
	}
	for (i = 0; i < QUERY_PATTERNS_MAX; i++) {
		if (found[i] != NULL)
			matches[i] = kore_buf_stringify(found[i], NULL);
	}

	ret = query_params_build(q, matches, tp);

	for (i = 0; i < QUERY_PATTERNS_MAX; i++) {
		if (found[i] != NULL)
			kore_buf_free(found[i]);
	}

	if (ret == -1) {
		log_error("event=tags_bind_failed reason=out_of_memory");
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (-1);
	}

	return (0);
}

/* The other three filter parameters, NULL where a filter is absent. */
static void
filter_params(const struct listing_filter *f, const char **p_q,
    const char **p_mt, const char **p_sha)
{
	*p_q = f->has_q ? f->q_like : NULL;
	*p_mt = f->has_media_type ? f->media_type : NULL;
	*p_sha = f->has_sha256 ? f->sha256 : NULL;
}

/*
 * Send sql with the filters as $1..$13, as count_sql and random_sql take
 * them. The values are copied: the parameters can go at once.
 */
static void
filter_query(struct job *job, const char *sql, const struct listing_filter *f,
    const struct query_params *tp)
{
	const char	*p_q, *p_mt, *p_sha;

	filter_params(f, &p_q, &p_mt, &p_sha);
	job_query(job, sql, FILTER_PARAMS, tp->include, tp->exclude, p_q,
	    p_mt, p_sha, tp->any[0], tp->any[1], tp->any[2], tp->any[3],
	    tp->any[4], tp->any[5], tp->any[6], tp->any[7]);
}

static void
reply_listing_error(struct http_request *req, enum listing_status st,
    const struct listing_error *err)
{
	if (st == LISTING_INVALID) {
		reply_error_field(req, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", err->field, err->message);
		return;
	}

	reply_error_field(req, HTTP_STATUS_BAD_REQUEST, "bad_request",
	    err->field, err->message);
}

static void
reply_not_found(struct http_request *req)
{
	reply_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
	    "no such reaction");
}
