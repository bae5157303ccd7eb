/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The public links: GET and HEAD /api/v1/reactions/{id}/file, and the
 * same for the derivatives the queue made of it (derive.c), /thumbnail
 * and /preview. No token: the unguessable id is the capability. The row
 * says what the bytes are; the bytes come from storage and are relayed as
 * they arrive (storage.c), so a worker serving many large files holds
 * only a window of each. The three differ only in the object they serve.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "media.h"
#include "ranges.h"
#include "reaction.h"

#define CACHE_CONTROL		"public, max-age=31536000, immutable"
#define ETAG_MAX		(64 + 3)
#define HEADER_VALUE_MAX	128
#define NUMBER_MAX		24

enum file_column {
	FC_MEDIA_TYPE,
	FC_SIZE,
	FC_SHA256,
	FC_OBJECT_KEY,
};

enum file_object {
	FILE_ORIGINAL,
	FILE_THUMBNAIL,
	FILE_PREVIEW,
};

/* Which object of the row: its columns, in enum file_column order. */
struct file_kind {
	const char	*sql;
	const char	*missing;
	const char	*suffix;	/* of the download's name; NULL: the
					   original's extension */
};

static const struct file_kind file_kinds[] = {
	[FILE_ORIGINAL] = {
		"SELECT media_type, size_bytes, sha256, object_key "
		"FROM reactions WHERE id = $1",
		"no such reaction", NULL,
	},
	[FILE_THUMBNAIL] = {
		"SELECT 'image/webp', thumbnail_size, thumbnail_sha256, "
		"thumbnail_key FROM reactions "
		"WHERE id = $1 AND thumbnail_key IS NOT NULL",
		"no thumbnail: not made yet, or the file could not be decoded",
		"-thumbnail.webp",
	},
	[FILE_PREVIEW] = {
		"SELECT 'image/webp', preview_size, preview_sha256, "
		"preview_key FROM reactions "
		"WHERE id = $1 AND preview_key IS NOT NULL",
		"no preview: not made yet, or the reaction is not animated",
		"-preview.webp",
	},
};

struct file_reply {
	enum file_object	object;
	struct storage_relay	relay;
	enum range_result	range;
	int			head_sent;
	uint64_t		first, last, size;
	char			media_type[HEADER_VALUE_MAX];
	char			etag[ETAG_MAX];
	char			disposition[HEADER_VALUE_MAX];
};

int	reaction_file(struct http_request *);
int	reaction_thumbnail(struct http_request *);
int	reaction_preview(struct http_request *);

static enum step_result	original_lookup(struct http_request *,
			    struct job *);
static enum step_result	thumbnail_lookup(struct http_request *,
			    struct job *);
static enum step_result	preview_lookup(struct http_request *,
			    struct job *);
static enum step_result	file_lookup(struct http_request *, struct job *,
			    enum file_object);
static enum step_result	file_respond(struct http_request *, struct job *);
static enum step_result	file_relayed(struct http_request *, struct job *);

static int	file_relay_start(void *, long);
static void	file_headers(struct http_request *, const struct file_reply *);
static void	file_head(struct http_request *, int, uint64_t);

static const step_fn file_steps[] = {
	original_lookup,
	file_respond,
	file_relayed,
	NULL,
};

static const step_fn thumbnail_steps[] = {
	thumbnail_lookup,
	file_respond,
	file_relayed,
	NULL,
};

static const step_fn preview_steps[] = {
	preview_lookup,
	file_respond,
	file_relayed,
	NULL,
};

int
reaction_file(struct http_request *req)
{
	return (job_run(req, file_steps, sizeof(struct file_reply)));
}

int
reaction_thumbnail(struct http_request *req)
{
	return (job_run(req, thumbnail_steps, sizeof(struct file_reply)));
}

int
reaction_preview(struct http_request *req)
{
	return (job_run(req, preview_steps, sizeof(struct file_reply)));
}

static enum step_result
original_lookup(struct http_request *req, struct job *job)
{
	return (file_lookup(req, job, FILE_ORIGINAL));
}

static enum step_result
thumbnail_lookup(struct http_request *req, struct job *job)
{
	return (file_lookup(req, job, FILE_THUMBNAIL));
}

static enum step_result
preview_lookup(struct http_request *req, struct job *job)
{
	return (file_lookup(req, job, FILE_PREVIEW));
}

static enum step_result
file_lookup(struct http_request *req, struct job *job,
    enum file_object object)
{
	struct file_reply	*fr = job->data;
	char			 id[UUID_TEXT_LEN + 1];

	fr->object = object;
	reaction_path_id(req, id);
	job_query(job, file_kinds[object].sql, 1, id);
	return (STEP_WAIT);
}

static enum step_result
file_respond(struct http_request *req, struct job *job)
{
	struct file_reply	*fr = job->data;
	enum media_type		 type;
	const char		*value;
	struct storage_range	 bytes;
	char			 id[UUID_TEXT_LEN + 1], range[HEADER_VALUE_MAX];

	if (job_rows(job) != 1) {
		reply_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
		    file_kinds[fr->object].missing);
		return (STEP_DONE);
	}

	reaction_path_id(req, id);
	(void)kore_strlcpy(fr->media_type, job_value(job, 0, FC_MEDIA_TYPE),
	    sizeof(fr->media_type));
	fr->size = job_int(job, 0, FC_SIZE);
	(void)snprintf(fr->etag, sizeof(fr->etag), "\"%s\"",
	    job_value(job, 0, FC_SHA256));

	if (media_type_from_mime(fr->media_type, &type) == -1) {
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}
	if (file_kinds[fr->object].suffix != NULL) {
		(void)snprintf(fr->disposition, sizeof(fr->disposition),
		    "inline; filename=\"%s%s\"", id,
		    file_kinds[fr->object].suffix);
	} else {
		(void)snprintf(fr->disposition, sizeof(fr->disposition),
		    "inline; filename=\"%s.%s\"", id,
		    media_type_extension(type));
	}

	if (http_request_header(req, "if-none-match", &value) &&
	    etag_match(value, fr->etag)) {
		reply_common_headers(req);
		http_response_header(req, "etag", fr->etag);
		http_response_header(req, "cache-control", CACHE_CONTROL);
		req->flags |= HTTP_REQUEST_NO_CONTENT_LENGTH;
		http_response(req, HTTP_STATUS_NOT_MODIFIED, NULL, 0);
		return (STEP_DONE);
	}

	fr->range = RANGE_NONE;
	if (req->method == HTTP_METHOD_GET &&
	    http_request_header(req, "range", &value))
		fr->range = range_parse(value, fr->size, &fr->first, &fr->last);

	if (fr->range == RANGE_UNSATISFIABLE) {
		(void)snprintf(range, sizeof(range), "bytes */%" PRIu64,
		    fr->size);
		http_response_header(req, "content-range", range);
		reply_error(req, HTTP_STATUS_REQUEST_RANGE_INVALID,
		    "range_not_satisfiable",
		    "the range is outside the file");
		return (STEP_DONE);
	}

	if (req->method == HTTP_METHOD_HEAD) {
		file_headers(req, fr);
		file_head(req, HTTP_STATUS_OK, fr->size);
		return (STEP_DONE);
	}

	bytes.first = fr->first;
	bytes.last = fr->last;

	fr->relay.conn = req->owner;
	fr->relay.on_start = file_relay_start;
	fr->relay.arg = job;
	fr->relay.bytes_out = &request_ctx(req)->bytes_out;
	if (job_storage(job, storage_get(job_value(job, 0, FC_OBJECT_KEY),
	    fr->range == RANGE_OK ? &bytes : NULL, &fr->relay,
	    job_storage_done, job)) == -1) {
		reply_storage_error(req, job->storage);
		return (STEP_DONE);
	}

	return (STEP_WAIT);
}

/*
 * Storage answered with the first bytes: if it is the answer we asked
 * for, send our head now and let the body follow.
 */
static int
file_relay_start(void *arg, long status)
{
	struct job		*job = arg;
	struct http_request	*req = job->req;
	struct file_reply	*fr = job->data;
	char			 range[HEADER_VALUE_MAX];

	if (fr->range == RANGE_OK) {
		if (status != HTTP_STATUS_PARTIAL_CONTENT)
			return (-1);
		(void)snprintf(range, sizeof(range),
		    "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
		    fr->first, fr->last, fr->size);
		http_response_header(req, "content-range", range);
		file_headers(req, fr);
		file_head(req, HTTP_STATUS_PARTIAL_CONTENT,
		    fr->last - fr->first + 1);
		fr->head_sent = 1;
		return (0);
	}

	if (status != HTTP_STATUS_OK)
		return (-1);

	file_headers(req, fr);
	file_head(req, HTTP_STATUS_OK, fr->size);
	fr->head_sent = 1;
	return (0);
}

static enum step_result
file_relayed(struct http_request *req, struct job *job)
{
	struct file_reply	*fr = job->data;
	struct connection	*c = req->owner;

	if (!fr->head_sent) {
		/* Nothing was sent: an ordinary error reply is still possible. */
		if (job->storage == STORAGE_RANGE) {
			reply_error(req, HTTP_STATUS_REQUEST_RANGE_INVALID,
			    "range_not_satisfiable",
			    "the range is outside the file");
		} else if (job->storage == STORAGE_OK ||
		    job->storage == STORAGE_NOT_FOUND) {
			/* A row whose object storage does not have. */
			reply_error(req, HTTP_STATUS_BAD_GATEWAY,
			    "storage_unavailable",
			    "the file could not be read from storage");
		} else {
			reply_storage_error(req, job->storage);
		}
		return (STEP_DONE);
	}

	c->flags &= ~CONN_IS_BUSY;

	if (job->storage != STORAGE_OK) {
		/*
		 * The head promised bytes that will not come (S3 failed, or
		 * the client stopped reading and is being let go): cut it.
		 */
		kore_connection_disconnect(c);
		return (STEP_DONE);
	}

	/* The next request, unless the connection closes once sent. */
	if (!(c->flags & CONN_CLOSE_EMPTY))
		http_start_recv(c);
	return (STEP_DONE);
}

static void
file_headers(struct http_request *req, const struct file_reply *fr)
{
	reply_common_headers(req);
	http_response_header(req, "content-type", fr->media_type);
	http_response_header(req, "etag", fr->etag);
	http_response_header(req, "cache-control", CACHE_CONTROL);
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "content-disposition", fr->disposition);
	http_response_header(req, "accept-ranges", "bytes");
}

/*
 * Send the head only, with the length of the body to come. Kore would
 * write "content-length: 0" for a head without a body, so we write our
 * own; the connection is marked busy so that no pipelined request is
 * answered in the middle of the body.
 */
static void
file_head(struct http_request *req, int status, uint64_t length)
{
	char	len[NUMBER_MAX];

	(void)snprintf(len, sizeof(len), "%" PRIu64, length);
	http_response_header(req, "content-length", len);
	req->flags |= HTTP_REQUEST_NO_CONTENT_LENGTH;

	if (req->method == HTTP_METHOD_GET)
		req->owner->flags |= CONN_IS_BUSY;

	http_response(req, status, NULL, 0);
}
