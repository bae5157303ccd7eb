/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Upload: POST /api/v1/reactions, as a multipart/form-data body with a
 * "file" part or as the raw bytes, title and tags from form fields or the
 * query. The header hook refuses a stranger or an oversized body before
 * Kore reads it; the handler checks everything with the pure modules and
 * then keeps the database and the bucket in step:
 *
 *   1. a reaction with the same SHA-256 already exists: 409, nothing done;
 *   2. a storage_deletions row for the new object key (the intent), due
 *      only after a grace period, so an object whose row never gets
 *      written is removed by the sweeper whatever happens after this;
 *   3. the PUT;
 *   4. one statement inserts the reaction and drops the intent, so a row
 *      exists only for an object that was stored, and an object without
 *      a row always has an intent left to remove it.
 *
 * The file's bytes are never copied: they are the request body Kore holds
 * (a span of it for multipart), which lives until the PUT has finished.
 */

#include <openssl/evp.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "encoding.h"
#include "form.h"
#include "listing.h"
#include "log.h"
#include "media.h"
#include "reaction.h"
#include "tags.h"
#include "uuid.h"

/*
 * Room for the multipart framing and fields around the file: a request
 * may be this much larger than MAX_UPLOAD_BYTES (api.md "Upload"). The
 * same allowance as kore_parent_configure's in reactbin.c.
 */

/*
 * How long an intent waits before the sweeper removes its object: longer
 * than the longest PUT (PUT_TIMEOUT_S in storage.c, ten minutes), so an
 * upload still in flight never loses its object.
 */
#define UPLOAD_INTENT_GRACE	"15 minutes"

#define FILE_FIELD		"file"
#define TITLE_FIELD		"title"
#define TAGS_FIELD		"tags"

#define LOCATION_PREFIX		"/api/v1/reactions/"
#define LOCATION_MAX		(sizeof(LOCATION_PREFIX) + UUID_TEXT_LEN)

#define SHA256_BYTES		32
#define SHA256_HEX_LEN		(2 * SHA256_BYTES)

_Static_assert(HTTP_BODY_DIGEST_LEN == SHA256_BYTES,
    "Kore's body digest is a SHA-256");

/* A valid title is at most TITLE_MAX_CHARS code points of UTF-8. */
#define UTF8_CHAR_MAX		4
#define TITLE_BYTES_MAX		(TITLE_MAX_CHARS * UTF8_CHAR_MAX)

/* Room for a uint32 or a size as decimal text. */
#define NUMBER_TEXT_MAX		24

#define EXPECT_CONTINUE		"100-continue"

/* The first problem found with a request, answered once all is read. */
struct upload_fault {
	int		 status;
	const char	*code;
	const char	*field;
	const char	*message;
};

struct upload {
	const uint8_t		*file;
	size_t			 file_len;
	/* The file's SHA-256, when Kore hashed exactly it (a raw body). */
	const uint8_t		*digest;
	int			 has_file;
	int			 has_title;
	char			 title[TITLE_BYTES_MAX + 1];
	struct tag_set		 tags;
	struct upload_fault	 field_fault;
	struct media_info	 media;
	char			 sha256[SHA256_HEX_LEN + 1];
	char			 id[UUID_TEXT_LEN + 1];
	char			 key[STORAGE_KEY_MAX];
};

int	reaction_upload(struct http_request *);
static enum step_result	upload_check(struct http_request *, struct job *);
static enum step_result	upload_intent(struct http_request *, struct job *);
static enum step_result	upload_store(struct http_request *, struct job *);
static enum step_result	upload_insert(struct http_request *, struct job *);
static enum step_result	upload_created(struct http_request *, struct job *);
static enum step_result	upload_forget(struct http_request *, struct job *);
static enum step_result	upload_duplicate(struct http_request *,
			    struct job *);

static int	upload_read(struct http_request *, struct upload *,
		    struct upload_fault *);
static int	upload_parts(const uint8_t *, size_t, const char *,
		    struct upload *, struct upload_fault *);
static int	upload_query(struct http_request *, struct upload *,
		    struct upload_fault *);
static void	upload_field(struct upload *, const char *, const void *,
		    size_t);
static int	upload_media(struct upload *, struct upload_fault *);
static int	upload_identify(struct upload *);
static void	upload_fault(struct upload_fault *, int, const char *,
		    const char *, const char *);
static void	upload_reply_fault(struct http_request *,
		    const struct upload_fault *);
static void	upload_reply_duplicate(struct http_request *, struct job *);
static void	upload_location(struct http_request *, const char *);
static void	upload_continue(struct http_request *);

static const step_fn upload_steps[] = {
	upload_check,
	upload_intent,
	upload_store,
	upload_insert,
	upload_created,
	upload_forget,
	upload_duplicate,
	NULL,
};

#define SELECT_BY_SHA256						\
	"SELECT " REACTION_COLUMNS " FROM reactions r WHERE r.sha256 = $1"

int
reaction_upload(struct http_request *req)
{
	return (job_run(req, upload_steps, sizeof(struct upload)));
}

/*
 * The route's on_headers hook, run once the headers are in and before the
 * body is read: a request without a valid token, or one whose declared
 * length cannot hold a file within the limit, is answered now instead of
 * after the client has sent (and a worker has buffered) its whole body.
 * Kore does not call it for an empty body (the handler answers that one),
 * and refuses a Content-Length above http_body_max with its own bare 413
 * before it would.
 */
int
upload_headers(struct http_request *req)
{
	if (!auth_token_headers(req))
		return (KORE_RESULT_ERROR);

	if (req->http_body_length >
	    app_config.max_upload_bytes + UPLOAD_FRAMING_BYTES) {
		request_refuse_headers(req,
		    HTTP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
		    "the request is larger than MAX_UPLOAD_BYTES allows");
		return (KORE_RESULT_ERROR);
	}

	upload_continue(req);
	return (KORE_RESULT_OK);
}

/* Everything about the request that needs no database, then the lookup. */
static enum step_result
upload_check(struct http_request *req, struct job *job)
{
	struct upload		*up = job->data;
	struct upload_fault	 fault;
	time_t			 exp;

	if (auth_bearer(req, &exp) != KORE_RESULT_OK)
		return (STEP_DONE);

	memset(&fault, 0, sizeof(fault));
	if (upload_read(req, up, &fault) == -1 ||
	    upload_media(up, &fault) == -1) {
		upload_reply_fault(req, &fault);
		return (STEP_DONE);
	}

	if (upload_identify(up) == -1) {
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}

	job_query(job, SELECT_BY_SHA256, 1, up->sha256);
	return (STEP_WAIT);
}

static enum step_result
upload_intent(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	if (job_rows(job) > 0) {
		upload_reply_duplicate(req, job);
		return (STEP_DONE);
	}

	job_query(job, "INSERT INTO storage_deletions (object_key, due_at) "
	    "VALUES ($1, now() + interval '" UPLOAD_INTENT_GRACE "')", 1,
	    up->key);
	return (STEP_WAIT);
}

static enum step_result
upload_store(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	if (job_storage(job, storage_put(up->key, up->file, up->file_len,
	    up->sha256, media_type_mime(up->media.type), job_storage_done,
	    job)) == -1) {
		reply_storage_error(req, job->storage);
		return (STEP_DONE);
	}

	return (STEP_WAIT);
}

static enum step_result
upload_insert(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;
	char		 size[NUMBER_TEXT_MAX], width[NUMBER_TEXT_MAX];
	char		 height[NUMBER_TEXT_MAX], tags[LISTING_TAGS_JOINED_MAX];
	int		 dims;

	/*
	 * The object may or may not be there now; its intent stays and the
	 * sweeper removes whatever is, and no row points to it.
	 */
	if (job->storage != STORAGE_OK) {
		log_warn("event=upload_failed reason=storage status=%ld "
		    "request_id=%s", job->storage_status,
		    request_ctx(req)->id);
		reply_storage_error(req, job->storage);
		return (STEP_DONE);
	}

	dims = up->media.has_dimensions;
	(void)snprintf(size, sizeof(size), "%zu", up->file_len);
	(void)snprintf(width, sizeof(width), "%u", (unsigned)up->media.width);
	(void)snprintf(height, sizeof(height), "%u",
	    (unsigned)up->media.height);
	if (listing_tags_join(&up->tags, tags, sizeof(tags)) == -1)
		fatal("upload_insert: tags do not fit");

	job_query(job,
	    "WITH ins AS ("
	    "INSERT INTO reactions (id, title, tags, media_type, size_bytes, "
	    "width, height, sha256, object_key) VALUES ($1::uuid, $2, "
	    "CASE WHEN $3 = '' THEN '{}'::text[] "
	    "ELSE string_to_array($3, E'\\n') END, $4, $5::bigint, "
	    "$6::integer, $7::integer, $8, $9) RETURNING *), "
	    "gone AS (DELETE FROM storage_deletions WHERE object_key = $9) "
	    "SELECT " REACTION_COLUMNS " FROM ins r", 9,
	    up->id, up->title, tags, media_type_mime(up->media.type), size,
	    dims ? width : NULL, dims ? height : NULL, up->sha256, up->key);

	/* The same bytes stored meanwhile by another upload: see below. */
	job_tolerate(job, SQLSTATE_UNIQUE_VIOLATION);
	return (STEP_WAIT);
}

static enum step_result
upload_created(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	if (!job->failed) {
		if (job_rows(job) != 1) {
			reply_error(req, HTTP_STATUS_INTERNAL_ERROR,
			    "internal", "internal error");
			return (STEP_DONE);
		}
		upload_location(req, up->id);
		reaction_reply(req, HTTP_STATUS_CREATED, job, 0);
		return (STEP_DONE);
	}

	/*
	 * A concurrent upload of the same bytes won the insert. Our object
	 * has no row: remove it now rather than leaving it to the sweeper.
	 */
	log_info("event=upload_raced sha256=%s request_id=%s", up->sha256,
	    request_ctx(req)->id);

	if (job_storage(job, storage_delete(up->key, job_storage_done,
	    job)) == -1)
		return (STEP_NEXT);

	return (STEP_WAIT);
}

static enum step_result
upload_forget(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	(void)req;

	/* Gone: the intent is done. Still there: let the sweeper go now. */
	if (job->storage == STORAGE_OK || job->storage == STORAGE_NOT_FOUND) {
		job_query(job, "WITH gone AS (DELETE FROM storage_deletions "
		    "WHERE object_key = $2) " SELECT_BY_SHA256, 2,
		    up->sha256, up->key);
	} else {
		job_query(job, "WITH due AS (UPDATE storage_deletions "
		    "SET due_at = now() WHERE object_key = $2) "
		    SELECT_BY_SHA256, 2, up->sha256, up->key);
	}

	return (STEP_WAIT);
}

static enum step_result
upload_duplicate(struct http_request *req, struct job *job)
{
	if (job_rows(job) != 1) {
		/* A unique violation that was not the hash: a bug. */
		log_error("event=upload_error reason=unique_violation "
		    "request_id=%s", request_ctx(req)->id);
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}

	upload_reply_duplicate(req, job);
	return (STEP_DONE);
}

/*
 * Find the file and the fields, in whichever form the body came, and
 * check them. The first problem is put in *fault and -1 returned; a
 * request with several answers the one a client most needs first: a
 * malformed body, then the file's size or absence, then the fields.
 */
static int
upload_read(struct http_request *req, struct upload *up,
    struct upload_fault *fault)
{
	const uint8_t	*body;
	const char	*ctype;
	size_t		 len;
	char		 boundary[FORM_BOUNDARY_MAX + 1];

	body = NULL;
	len = 0;
	if (req->http_body != NULL) {
		body = req->http_body->data;
		len = req->http_body_length;
	} else if (req->http_body_fd != -1) {
		/* Only a configuration with http_body_disk_offload does this. */
		log_error("event=upload_error reason=body_on_disk");
		upload_fault(fault, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    NULL, "internal error");
		return (-1);
	}

	if (!http_request_header(req, "content-type", &ctype))
		ctype = NULL;

	switch (form_content_type(ctype, ctype != NULL ? strlen(ctype) : 0,
	    boundary)) {
	case FORM_BAD_MULTIPART:
		upload_fault(fault, HTTP_STATUS_BAD_REQUEST, "bad_request",
		    NULL, "a multipart/form-data body needs a valid boundary");
		return (-1);
	case FORM_MULTIPART:
		if (upload_parts(body, len, boundary, up, fault) == -1)
			return (-1);
		break;
	case FORM_RAW:
		up->file = body;
		up->file_len = len;
		up->digest = req->http_body_digest;
		up->has_file = 1;
		break;
	}

	if (upload_query(req, up, fault) == -1)
		return (-1);

	if (!up->has_file) {
		upload_fault(fault, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", FILE_FIELD,
		    "a part named \"file\" with the file is required");
		return (-1);
	}

	if (up->file_len > app_config.max_upload_bytes) {
		upload_fault(fault, HTTP_STATUS_REQUEST_ENTITY_TOO_LARGE,
		    "payload_too_large", NULL,
		    "the file is larger than MAX_UPLOAD_BYTES allows");
		return (-1);
	}

	if (up->file_len == 0) {
		upload_fault(fault, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", FILE_FIELD, "the file is empty");
		return (-1);
	}

	if (up->field_fault.status != 0) {
		*fault = up->field_fault;
		return (-1);
	}

	return (0);
}

/* The parts of a multipart body: one "file", any "title" and "tags". */
static int
upload_parts(const uint8_t *body, size_t len, const char *boundary,
    struct upload *up, struct upload_fault *fault)
{
	struct form_reader	r;
	struct form_part	part;
	enum form_status	st;

	form_reader_init(&r, body, len, boundary);

	while ((st = form_next_part(&r, &part)) == FORM_ITEM) {
		if (strcmp(part.name, FILE_FIELD)) {
			upload_field(up, part.name, part.data, part.len);
			continue;
		}

		if (up->has_file) {
			upload_fault(fault, HTTP_STATUS_UNPROCESSABLE,
			    "validation_failed", FILE_FIELD,
			    "send one file per upload");
			return (-1);
		}
		up->file = part.data;
		up->file_len = part.len;
		up->has_file = 1;
	}

	if (st == FORM_MALFORMED) {
		upload_fault(fault, HTTP_STATUS_BAD_REQUEST, "bad_request",
		    NULL, "the multipart body is malformed or truncated");
		return (-1);
	}

	return (0);
}

/*
 * Title and tags from the query string. Kore's own query parser is not
 * used: it silently drops a value with a control character, which must be
 * a 422 here, and keeps only one of repeated names.
 */
static int
upload_query(struct http_request *req, struct upload *up,
    struct upload_fault *fault)
{
	struct form_pair	 pair;
	enum form_status	 st;
	char			*qs;
	size_t			 len, pos;

	if (req->query_string == NULL)
		return (0);

	qs = kore_strdup(req->query_string);
	len = strlen(qs);
	pos = 0;

	while ((st = form_query_next(qs, len, &pos, &pair)) == FORM_ITEM)
		upload_field(up, pair.name, pair.value, pair.value_len);
	kore_free(qs);

	if (st == FORM_MALFORMED) {
		upload_fault(fault, HTTP_STATUS_BAD_REQUEST, "bad_request",
		    NULL, "the query string is malformed");
		return (-1);
	}

	return (0);
}

/*
 * A title or tags value, from the form or the query. Tags may come in
 * several values and add up; a second title is refused rather than
 * guessed at. Other names are ignored. Problems wait in field_fault.
 */
static void
upload_field(struct upload *up, const char *name, const void *value,
    size_t len)
{
	struct upload_fault	*fault = &up->field_fault;

	if (!strcmp(name, TITLE_FIELD)) {
		if (up->has_title) {
			upload_fault(fault, HTTP_STATUS_UNPROCESSABLE,
			    "validation_failed", TITLE_FIELD,
			    "give the title once");
			return;
		}
		up->has_title = 1;

		if (len > TITLE_BYTES_MAX || !tag_title_valid(value, len)) {
			upload_fault(fault, HTTP_STATUS_UNPROCESSABLE,
			    "validation_failed", TITLE_FIELD,
			    "a title is at most 200 characters of UTF-8 "
			    "without control characters");
			return;
		}
		memcpy(up->title, value, len);
		up->title[len] = '\0';
		return;
	}

	if (strcmp(name, TAGS_FIELD))
		return;

	switch (tag_set_parse_list(&up->tags, value, len)) {
	case TAG_OK:
		break;
	case TAG_TOO_MANY:
		upload_fault(fault, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", TAGS_FIELD,
		    "a reaction has at most 32 tags");
		break;
	case TAG_INVALID:
	default:
		upload_fault(fault, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", TAGS_FIELD,
		    "a tag is 1-64 bytes of UTF-8 without whitespace, control "
		    "characters, ',' or '*', and does not start with '-'");
		break;
	}
}

/* The type from the bytes alone; a truncated file is no supported one. */
static int
upload_media(struct upload *up, struct upload_fault *fault)
{
	switch (media_sniff(up->file, up->file_len, &up->media)) {
	case MEDIA_OK:
		break;
	case MEDIA_MALFORMED:
		upload_fault(fault, HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE,
		    "unsupported_media_type", NULL,
		    "the file is truncated or malformed");
		return (-1);
	case MEDIA_UNSUPPORTED:
	default:
		upload_fault(fault, HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE,
		    "unsupported_media_type", NULL,
		    "the file is not a GIF, PNG, JPEG, WebP, MP4 or WebM");
		return (-1);
	}

	if (!media_dimensions_sane(&up->media)) {
		upload_fault(fault, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", FILE_FIELD,
		    "the image's width or height is zero or too large");
		return (-1);
	}

	return (0);
}

/* The content hash, a fresh id and the object key made from it alone. */
static int
upload_identify(struct upload *up)
{
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen;
	uint8_t			 id[UUID_BYTES];

	/*
	 * Kore hashes every request body as it arrives (its own portable
	 * SHA-256, 8 ms a megabyte here): for a raw body that is the file,
	 * and a second pass is not needed.
	 */
	if (up->digest != NULL) {
		memcpy(md, up->digest, SHA256_BYTES);
		mdlen = SHA256_BYTES;
	} else if (EVP_Digest(up->file, up->file_len, md, &mdlen,
	    EVP_sha256(), NULL) != 1 || mdlen != SHA256_BYTES) {
		log_error("event=upload_error reason=sha256");
		return (-1);
	}

	(void)enc_hex_encode(md, mdlen, up->sha256);

	if (uuid_v4_generate(id) == -1) {
		log_error("event=upload_error reason=uuid");
		return (-1);
	}
	uuid_to_text(id, up->id);
	storage_object_key(up->id, up->key, sizeof(up->key));

	return (0);
}

/* Keep the first problem: later ones are often its consequences. */
static void
upload_fault(struct upload_fault *fault, int status, const char *code,
    const char *field, const char *message)
{
	if (fault->status != 0)
		return;

	fault->status = status;
	fault->code = code;
	fault->field = field;
	fault->message = message;
}

static void
upload_reply_fault(struct http_request *req, const struct upload_fault *fault)
{
	if (fault->field != NULL) {
		reply_error_field(req, fault->status, fault->code,
		    fault->field, fault->message);
		return;
	}

	reply_error(req, fault->status, fault->code, fault->message);
}

/* 409 with the reaction in row 0, which already has these bytes. */
static void
upload_reply_duplicate(struct http_request *req, struct job *job)
{
	struct json_out	out;

	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_open(&out, "error");
	json_put_string(&out, "code", "duplicate");
	json_put_string(&out, "message", "a reaction with the same file exists");
	json_close(&out);
	reaction_json(&out, "reaction", job, 0);
	json_close(&out);

	upload_location(req, job_value(job, 0, RC_ID));
	reply_json(req, HTTP_STATUS_CONFLICT, &out);
	json_out_free(&out);
}

static void
upload_location(struct http_request *req, const char *id)
{
	char	location[LOCATION_MAX];
	int	n;

	n = snprintf(location, sizeof(location), "%s%s", LOCATION_PREFIX, id);
	if (n < 0 || (size_t)n >= sizeof(location))
		fatal("upload_location: id too long");

	http_response_header(req, "location", location);
}

/*
 * A client that asked to wait before sending its body (curl does for
 * bodies over 1 MiB) is told to go ahead now, not after its timeout.
 * Kore itself never answers Expect.
 */
static void
upload_continue(struct http_request *req)
{
	const char	*expect;

	if (req->flags & (HTTP_VERSION_1_0 | HTTP_REQUEST_COMPLETE))
		return;

	if (!http_request_header(req, "expect", &expect) ||
	    strcasecmp(expect, EXPECT_CONTINUE))
		return;

	http_response(req, HTTP_STATUS_CONTINUE, NULL, 0);
	if (!net_send_flush(req->owner))
		kore_connection_disconnect(req->owner);
}
