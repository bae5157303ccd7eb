/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * GET /api/v1/export: a tar (tar.c) of reactions.json, the metadata of
 * every reaction, and then each original as files/<id>.<ext>, oldest
 * first. Every size is in the rows, so the whole length is sent up
 * front; the bytes of each object are relayed from storage as they
 * come, as downloads are (storage.c), one object after another on the
 * same connection. The worker holds the part's rows and reactions.json,
 * and at most about EXPORT_QUEUE_MAX bytes of objects waiting for the
 * client, never a whole object.
 *
 * A part holds at most limit reactions (LISTING_EXPORT_LIMIT_MAX by
 * default): a larger library comes in parts, each named by the since
 * cursor the one before gives (X-Export-Next, and next_since in
 * reactions.json); a broken transfer is resumed by asking for its part
 * again.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "cursor.h"
#include "json.h"
#include "listing.h"
#include "log.h"
#include "media.h"
#include "reaction.h"
#include "tar.h"
#include "uuid.h"

/*
 * The part's reactions oldest first, after the cursor's position ($1 in
 * microseconds, $2 the id), at most $3.
 */
static const char export_sql[] =
    "SELECT " REACTION_COLUMNS " FROM reactions r "
    "WHERE $1::bigint IS NULL OR (r.created_at, r.id) > "
    "('epoch'::timestamptz + $1::bigint * interval '1 microsecond', "
    "$2::uuid) "
    "ORDER BY r.created_at, r.id LIMIT $3::integer";

/*
 * Before the next object is asked for, what waits in the connection's
 * queue must be below this: a relay itself stops reading from storage
 * at a megabyte queued (storage.c), and many small objects in a row
 * would otherwise pile up for a slow client.
 */
#define EXPORT_QUEUE_MAX	(2 * 1024 * 1024)

/*
 * A client that takes nothing while the export waits for its queue to
 * drain is let go after this, as a relay's is (storage.c).
 */
#define EXPORT_STALL_MS		60000

#define EXPORT_JSON_NAME	"reactions.json"
#define EXPORT_FORMAT		"reactbin-export"
#define EXPORT_VERSION		1
#define EXPORT_FILE_FMT		"files/%s.%s"
#define EXPORT_FILE_MAX		64
#define EXPORT_NAME_FMT							\
	"attachment; filename=\"reactbin-export-%s.tar\""
#define EXPORT_STAMP_FMT	"%Y%m%dT%H%M%SZ"
#define RFC3339_FMT		"%Y-%m-%dT%H:%M:%SZ"

#define HEADER_VALUE_MAX	256
#define NUMBER_TEXT_MAX		24
#define STAMP_MAX		32
#define US_PER_S		1000000

int	export_tar(struct http_request *);

enum export_phase {
	EXPORT_NEXT,		/* the next object, if any */
	EXPORT_RELAYED,		/* an object's relay has ended */
};

/* Tells the job when the queue has drained past it. */
struct export_marker {
	struct job		*job;
};

struct export_state {
	struct listing_export	 query;
	int			 rows;		/* reactions in this part */
	int			 more;		/* another part follows */
	char			 next[CURSOR_TEXT_MAX];
	int			 index;
	enum export_phase	 phase;
	uint64_t		 expect;	/* the object's bytes */
	size_t			 before;	/* bytes_out at its start */
	int			 close_at_end;
	struct export_marker	*marker;
	struct kore_timer	*stall;
	struct storage_relay	 relay;
	uint8_t			 block[TAR_BLOCK];
};

static enum step_result	export_start(struct http_request *, struct job *);
static enum step_result	export_head(struct http_request *, struct job *);
static enum step_result	export_objects(struct http_request *,
			    struct job *);
static enum step_result	export_end(struct http_request *, struct job *);

static int	export_json(const struct job *, struct export_state *,
		    struct json_out *);
static int	export_file_name(const struct job *, int, char *, size_t);
static uint64_t	export_object_size(const struct job *, int);
static int	export_relay_start(void *, long);
static size_t	export_queued(const struct connection *);
static void	export_wait_drain(struct job *, struct export_state *);
static int	export_marker_sent(struct netbuf *);
static void	export_stalled(void *, u_int64_t);
static void	export_state_free(struct job *);
static void	export_cut(struct http_request *, struct export_state *,
		    const char *);

static const step_fn export_steps[] = {
	AUTH_STEPS_FULL,
	export_start,
	export_head,
	export_objects,
	export_end,
	NULL,
};

/* The marker's bytes: none. A netbuf needs a pointer all the same. */
static u_int8_t	export_marker_byte;

int
export_tar(struct http_request *req)
{
	return (job_run(req, export_steps, sizeof(struct export_state)));
}

static enum step_result
export_start(struct http_request *req, struct job *job)
{
	struct export_state	*st = job->data;
	struct listing_error	 err;
	enum listing_status	 ls;
	const uint8_t		*key;
	char			 us[NUMBER_TEXT_MAX], limit[NUMBER_TEXT_MAX];
	char			 id[UUID_TEXT_LEN + 1];

	job_on_free(job, export_state_free);

	if ((key = reaction_cursor_key()) == NULL) {
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}

	ls = listing_export_parse(req->query_string, key, CURSOR_KEY_BYTES,
	    &st->query, &err);
	if (ls != LISTING_OK) {
		reply_error_field(req, ls == LISTING_INVALID ?
		    HTTP_STATUS_UNPROCESSABLE : HTTP_STATUS_BAD_REQUEST,
		    ls == LISTING_INVALID ? "validation_failed" :
		    "bad_request", err.field, err.message);
		return (STEP_DONE);
	}

	/* One row more than the part says whether another part follows. */
	(void)snprintf(limit, sizeof(limit), "%d", st->query.limit + 1);
	if (st->query.has_since) {
		(void)snprintf(us, sizeof(us), "%" PRId64,
		    st->query.since.created_us);
		uuid_to_text(st->query.since.id, id);
		job_query(job, export_sql, 3, us, id, limit);
	} else {
		job_query(job, export_sql, 3, NULL, NULL, limit);
	}
	return (STEP_WAIT);
}

/*
 * The head with the archive's whole length, then reactions.json as its
 * first member, so that a reader knows every title and tag before the
 * files come.
 */
static enum step_result
export_head(struct http_request *req, struct job *job)
{
	struct export_state	*st = job->data;
	struct connection	*c = req->owner;
	struct json_out		 out;
	const unsigned char	*body;
	uint8_t			 pad[TAR_BLOCK];
	uint64_t		 total;
	char			 value[HEADER_VALUE_MAX];
	char			 stamp[STAMP_MAX];
	size_t			 len;
	struct tm		 tm;
	time_t			 now;
	int			 i;

	st->rows = job_rows(job);
	if (st->rows > st->query.limit) {
		st->rows = st->query.limit;
		st->more = 1;
	}

	(void)json_out_init(&out);
	if (export_json(job, st, &out) == -1 ||
	    json_out_body(&out, &body, &len) == -1) {
		json_out_free(&out);
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}

	now = time(NULL);
	if (tar_header(st->block, EXPORT_JSON_NAME, len, now) == -1 ||
	    gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), EXPORT_STAMP_FMT, &tm) == 0) {
		json_out_free(&out);
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}

	total = tar_member_bytes(len) + TAR_END_BYTES;
	for (i = 0; i < st->rows; i++)
		total += tar_member_bytes(export_object_size(job, i));

	reply_common_headers(req);
	http_response_header(req, "content-type", "application/x-tar");
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "x-content-type-options", "nosniff");
	(void)snprintf(value, sizeof(value), EXPORT_NAME_FMT, stamp);
	http_response_header(req, "content-disposition", value);
	(void)snprintf(value, sizeof(value), "%d", st->rows);
	http_response_header(req, "x-export-count", value);
	if (st->more)
		http_response_header(req, "x-export-next", st->next);
	(void)snprintf(value, sizeof(value), "%" PRIu64, total);
	http_response_header(req, "content-length", value);

	/* Our own Content-Length; no request answered inside the body. */
	req->flags |= HTTP_REQUEST_NO_CONTENT_LENGTH;
	c->flags |= CONN_IS_BUSY;
	http_response(req, HTTP_STATUS_OK, NULL, 0);

	/*
	 * A close asked for (HTTP/1.0, "Connection: close") would happen
	 * whenever the queue runs empty between two objects: it waits for
	 * the end of the archive.
	 */
	if (c->flags & CONN_CLOSE_EMPTY) {
		c->flags &= ~CONN_CLOSE_EMPTY;
		st->close_at_end = 1;
	}

	memset(pad, 0, sizeof(pad));
	net_send_queue(c, st->block, TAR_BLOCK);
	net_send_queue(c, body, len);
	net_send_queue(c, pad, tar_padding(len));
	request_ctx(req)->bytes_out += TAR_BLOCK + len + tar_padding(len);
	json_out_free(&out);

	if (!net_send_flush(c)) {
		kore_connection_disconnect(c);
		return (STEP_DONE);
	}

	log_info("event=export_started reactions=%d bytes=%" PRIu64
	    " more=%d request_id=%s", st->rows, total, st->more,
	    request_ctx(req)->id);

	st->phase = EXPORT_NEXT;
	return (STEP_NEXT);
}

/*
 * Each object in turn: its header, its bytes relayed from storage, its
 * padding. The step runs again after every wait (job_again), with phase
 * saying what it waited for.
 */
static enum step_result
export_objects(struct http_request *req, struct job *job)
{
	struct export_state	*st = job->data;
	struct connection	*c = req->owner;
	uint8_t			 pad[TAR_BLOCK];
	char			 name[EXPORT_FILE_MAX];
	size_t			 got;
	time_t			 mtime;

	if (st->phase == EXPORT_RELAYED) {
		got = request_ctx(req)->bytes_out - st->before;
		if (job->storage != STORAGE_OK || got != st->expect) {
			export_cut(req, st, "storage");
			return (STEP_DONE);
		}
		memset(pad, 0, sizeof(pad));
		net_send_queue(c, pad, tar_padding(st->expect));
		request_ctx(req)->bytes_out += tar_padding(st->expect);
		st->index++;
		st->phase = EXPORT_NEXT;
	}

	if (st->index >= st->rows)
		return (STEP_NEXT);

	if (export_queued(c) > EXPORT_QUEUE_MAX) {
		export_wait_drain(job, st);
		job_again(job);
		return (STEP_WAIT);
	}

	st->expect = export_object_size(job, st->index);
	mtime = (time_t)(job_int(job, st->index, RC_CREATED_US) / US_PER_S);
	if (export_file_name(job, st->index, name, sizeof(name)) == -1 ||
	    tar_header(st->block, name, st->expect, mtime) == -1) {
		export_cut(req, st, "header");
		return (STEP_DONE);
	}
	net_send_queue(c, st->block, TAR_BLOCK);
	request_ctx(req)->bytes_out += TAR_BLOCK;
	st->before = request_ctx(req)->bytes_out;

	memset(&st->relay, 0, sizeof(st->relay));
	st->relay.conn = c;
	st->relay.on_start = export_relay_start;
	st->relay.arg = job;
	st->relay.bytes_out = &request_ctx(req)->bytes_out;

	st->phase = EXPORT_RELAYED;
	job_again(job);
	if (job_storage(job, storage_get(job_value(job, st->index,
	    RC_OBJECT_KEY), NULL, &st->relay, job_storage_done, job)) == -1)
		return (STEP_NEXT);
	return (STEP_WAIT);
}

/* The end blocks; the connection is the client's again. */
static enum step_result
export_end(struct http_request *req, struct job *job)
{
	struct export_state	*st = job->data;
	struct connection	*c = req->owner;
	uint8_t			 end[TAR_END_BYTES];

	memset(end, 0, sizeof(end));
	net_send_queue(c, end, sizeof(end));
	request_ctx(req)->bytes_out += sizeof(end);

	c->flags &= ~CONN_IS_BUSY;
	if (st->close_at_end)
		c->flags |= CONN_CLOSE_EMPTY;
	if (!net_send_flush(c)) {
		kore_connection_disconnect(c);
		return (STEP_DONE);
	}

	log_info("event=export_done reactions=%d request_id=%s", st->rows,
	    request_ctx(req)->id);

	if (!(c->flags & CONN_CLOSE_EMPTY))
		http_start_recv(c);
	return (STEP_DONE);
}

/*
 * reactions.json: what the export is, the cursor of the next part, and
 * each reaction as the API shows it with the name of its file here.
 */
static int
export_json(const struct job *job, struct export_state *st,
    struct json_out *out)
{
	struct cursor	 c;
	char		 name[EXPORT_FILE_MAX], stamp[STAMP_MAX];
	const char	*id;
	struct tm	 tm;
	time_t		 now;
	int		 i;

	if (st->more) {
		memset(&c, 0, sizeof(c));
		c.sort = CURSOR_SORT_OLDEST;
		id = job_value(job, st->rows - 1, RC_ID);
		if (uuid_from_text(id, strlen(id), c.id) == -1)
			return (-1);
		c.created_us = job_int(job, st->rows - 1, RC_CREATED_US);
		cursor_filter_hash(LISTING_EXPORT_CANONICAL,
		    strlen(LISTING_EXPORT_CANONICAL), c.filter_hash);
		if (cursor_encode(reaction_cursor_key(), CURSOR_KEY_BYTES, &c,
		    st->next, sizeof(st->next)) == -1)
			return (-1);
	}

	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), RFC3339_FMT, &tm) == 0)
		return (-1);

	json_open(out, NULL);
	json_put_string(out, "format", EXPORT_FORMAT);
	json_put_int(out, "version", EXPORT_VERSION);
	json_put_string(out, "exported_at", stamp);
	json_put_int(out, "count", st->rows);
	if (st->more)
		json_put_string(out, "next_since", st->next);
	else
		json_put_null(out, "next_since");
	json_array_open(out, "reactions");
	for (i = 0; i < st->rows; i++) {
		if (export_file_name(job, i, name, sizeof(name)) == -1)
			return (-1);
		json_open(out, NULL);
		reaction_fields(out, job, i);
		json_put_string(out, "file", name);
		json_close(out);
	}
	json_array_close(out);
	json_close(out);

	return (json_out_failed(out) ? -1 : 0);
}

/* files/<id>.<ext>, from the id and the stored type alone. */
static int
export_file_name(const struct job *job, int row, char *out, size_t outlen)
{
	enum media_type	type;
	int		n;

	if (media_type_from_mime(job_value(job, row, RC_MEDIA_TYPE),
	    &type) == -1)
		return (-1);

	n = snprintf(out, outlen, EXPORT_FILE_FMT, job_value(job, row, RC_ID),
	    media_type_extension(type));
	if (n < 0 || (size_t)n >= outlen)
		return (-1);
	return (0);
}

static uint64_t
export_object_size(const struct job *job, int row)
{
	return (job_int(job, row, RC_SIZE));
}

/* The object's bytes follow its header, which is queued already. */
static int
export_relay_start(void *arg, long status)
{
	(void)arg;

	return (status == HTTP_STATUS_OK ? 0 : -1);
}

/* Bytes in the connection's send queue, not yet handed to the kernel. */
static size_t
export_queued(const struct connection *c)
{
	const struct netbuf	*nb;
	size_t			 n;

	n = 0;
	TAILQ_FOREACH(nb, &c->send_queue, list)
		n += nb->b_len - nb->s_off;

	return (n);
}

/*
 * A marker at the end of the queue, of no bytes: Kore calls it back once
 * everything before it has been sent, or dropped with the connection.
 */
static void
export_wait_drain(struct job *job, struct export_state *st)
{
	struct netbuf	*nb;

	job_wait(job);
	st->marker = kore_calloc(1, sizeof(*st->marker));
	st->marker->job = job;

	net_send_stream(job->req->owner, &export_marker_byte, 0,
	    export_marker_sent, &nb);
	nb->extra = st->marker;
	st->stall = kore_timer_add(export_stalled, EXPORT_STALL_MS, job,
	    KORE_TIMER_ONESHOT);
}

static int
export_marker_sent(struct netbuf *nb)
{
	struct export_marker	*marker = nb->extra;
	struct export_state	*st;

	if (marker->job != NULL) {
		st = marker->job->data;
		st->marker = NULL;
		if (st->stall != NULL) {
			kore_timer_remove(st->stall);
			st->stall = NULL;
		}
		job_signal(marker->job);
	}
	kore_free(marker);

	return (KORE_RESULT_OK);
}

/*
 * Nothing of the queue was taken for EXPORT_STALL_MS: close, and the
 * marker's call on the way out ends the job.
 */
static void
export_stalled(void *arg, u_int64_t now)
{
	struct job		*job = arg;
	struct export_state	*st = job->data;

	(void)now;

	/* Kore frees a one-shot timer after this returns. */
	st->stall = NULL;
	log_warn("event=export_stalled idle_ms=%d index=%d request_id=%s",
	    EXPORT_STALL_MS, st->index, request_ctx(job->req)->id);
	kore_connection_disconnect(job->req->owner);
}

/* The job is going: a marker still queued must not wake it. */
static void
export_state_free(struct job *job)
{
	struct export_state	*st = job->data;

	if (st->marker != NULL)
		st->marker->job = NULL;
	if (st->stall != NULL)
		kore_timer_remove(st->stall);
}

/*
 * The head promised bytes that will not come: close the connection, so
 * the client sees a short body, never a wrong one.
 */
static void
export_cut(struct http_request *req, struct export_state *st,
    const char *reason)
{
	log_warn("event=export_cut reason=%s index=%d request_id=%s", reason,
	    st->index, request_ctx(req)->id);
	kore_connection_disconnect(req->owner);
}
