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
 * query. The body is a stream: Kore hands each piece to the route's
 * on_body_chunk hook and keeps none of it. The pieces are read as they
 * come (intake.c: the form, the fields, the type, the hash) and the file's
 * bytes go on to S3 at once (ingest.c), so a worker holds a few buffers
 * of an upload, never all of it. A refusal that is certain before the
 * end (no token, too large, a type none of ours) is answered at once and
 * the rest is not read.
 *
 * The database and the bucket are kept in step as they always were, in
 * the steps below:
 *
 *   1. a storage_deletions row for the new object key (the intent), due
 *      only after a grace period, before any byte goes to S3, so that an
 *      object (or a multipart upload: the sweeper lists those) whose row
 *      never gets written is removed whatever happens after this;
 *   2. the file is read to its end, while its bytes go to S3;
 *   3. a reaction with the same SHA-256 already exists: 409, and what was
 *      sent to S3 is aborted, never made an object;
 *   4. the commit: S3 makes the object (completes the multipart upload,
 *      or takes the single PUT's last byte);
 *   5. one statement inserts the reaction with its difference hash,
 *      drops the intent and queues the derivatives (thumbnail, preview),
 *      so a row exists only for an object that was stored, and an object
 *      without a row always has an intent left to remove it;
 *   6. the 201 lists the existing reactions within the default distance
 *      of the image's hash ("similar").
 *
 * The hash is made in a Kore task (derive.c) while S3 makes the object,
 * from a copy of the file kept as it passes, for a still or animation of
 * at most UPLOAD_HASH_COPY_MAX bytes; of any other file (a clip, a larger
 * image) the derivative queue makes it, and the 201 says "similar": null,
 * as it does with generation off or a file the decoders refuse.
 *
 * An upload refused before its commit (a fault, a duplicate, S3 failing)
 * aborts what it sent and drops its intent before it answers, so that
 * the answer finds the bucket and the table as they were (refuse_steps);
 * one whose client left does the same without a request (forsake_steps).
 * After the commit, whatever is left is the sweeper's, as before.
 *
 * The job runs from the headers on (job_begin): callbacks drive it while
 * the body arrives, the handler once the body is complete.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "derive_plan.h"
#include "ingest.h"
#include "intake.h"
#include "listing.h"
#include "log.h"
#include "media.h"
#include "reaction.h"
#include "similar.h"
#include "uuid.h"

/*
 * How long an intent waits before the sweeper removes its object: longer
 * than the longest upload (Kore's body timeout, five minutes) and its
 * commit (PUT_TIMEOUT_S in storage.c, ten minutes), so an upload still in
 * flight never loses its object.
 */
#define UPLOAD_INTENT_GRACE	"15 minutes"

#define LOCATION_PREFIX		"/api/v1/reactions/"
#define LOCATION_MAX		(sizeof(LOCATION_PREFIX) + UUID_TEXT_LEN)

/* Room for a uint32 or a size as decimal text. */
#define NUMBER_TEXT_MAX		24

#define EXPECT_CONTINUE		"100-continue"

/*
 * Body bytes read before the event loop is let come round (so that curl
 * sends them on while the rest arrives): a few of curl's 64 KiB buffers.
 */
#define UPLOAD_YIELD_BYTES	(256 * 1024)

/*
 * The largest file whose copy is kept for its hash: eight uploads at once
 * hold 32 MiB of copies at most, well inside a worker's budget.
 */
#define UPLOAD_HASH_COPY_MAX	(4 * 1024 * 1024)

/*
 * How long a stored upload waits for its hash. Kore hands a worker's
 * tasks to its task threads in turn, so the hash may be queued behind a
 * derivative's decoding (seconds): past this, the 201 says "similar":
 * null and the derivative queue makes the hash, as it does for a clip.
 */
#define UPLOAD_HASH_WAIT_MS	2000

/* How many near-duplicates a 201 lists at most. */
#define UPLOAD_SIMILAR_MAX	"10"

/* What a refused upload answers, once it has cleaned up. */
enum upload_answer {
	ANSWER_NONE,
	ANSWER_FAULT,
	ANSWER_STORAGE,
	ANSWER_SQL,
	ANSWER_DUPLICATE
};

struct upload {
	struct job		*job;
	struct http_request	*req;
	struct ingest		*ing;
	struct kore_timer	*poke;
	struct kore_timer	*hash_timer;	/* the hash's wait is over */
	int			 hash_late;
	int			 opened;	/* the intent was asked for */
	int			 intent;	/* and is recorded */
	int			 typed;		/* the ingest has the type */
	int			 go;		/* and the intent */
	int			 paused;	/* the client's reading is */
	size_t			 unyielded;	/* bytes read since a turn */
	int			 body_done;	/* the handler has the request */
	int			 answered;
	enum upload_answer	 answer;
	struct upload_fault	 fault;
	enum storage_result	 storage;
	char			 sqlstate[SQLSTATE_LEN + 1];
	struct json_out		 duplicate;
	int			 aborting;
	int			 aborted;
	enum ingest_leftover	 left;
	char			 id[UUID_TEXT_LEN + 1];
	char			 key[STORAGE_KEY_MAX];
	struct intake		 in;

	/* The file's copy for its hash (malloc'd: the task frees it). */
	u_int8_t		*copy;
	size_t			 copy_len;
	size_t			 copy_cap;
	struct derive_work	*work;
	char			 phash[NUMBER_TEXT_MAX];
	int			 has_phash;
	int			 created;
	struct json_out		 out;
};

/* What an upload ended before its commit leaves to clean up. */
struct forsake {
	struct job		*job;
	struct ingest		*ing;
	int			 aborting;
	int			 aborted;
	enum ingest_leftover	 left;
	char			 key[STORAGE_KEY_MAX];
};

int	reaction_upload(struct http_request *);

static enum step_result	upload_auth(struct http_request *, struct job *);
static enum step_result	upload_auth_key(struct http_request *,
			    struct job *);
static enum step_result	upload_empty(struct http_request *, struct job *);
static enum step_result	upload_open(struct http_request *, struct job *);
static enum step_result	upload_opened(struct http_request *, struct job *);
static enum step_result	upload_wait(struct http_request *, struct job *);
static enum step_result	upload_check(struct http_request *, struct job *);
static enum step_result	upload_commit(struct http_request *, struct job *);
static enum step_result	upload_stored(struct http_request *, struct job *);
static enum step_result	upload_hashed(struct http_request *, struct job *);
static enum step_result	upload_insert(struct http_request *, struct job *);
static enum step_result	upload_created(struct http_request *, struct job *);
static enum step_result	upload_similar(struct http_request *, struct job *);
static enum step_result	upload_forget(struct http_request *, struct job *);
static enum step_result	upload_duplicate(struct http_request *,
			    struct job *);

static enum step_result	refuse_abort(struct http_request *, struct job *);
static enum step_result	refuse_intent(struct http_request *, struct job *);
static enum step_result	refuse_reply(struct http_request *, struct job *);

static enum step_result	forsake_abort(struct http_request *, struct job *);
static enum step_result	forsake_intent(struct http_request *, struct job *);
static enum step_result	forsake_done(struct http_request *, struct job *);

static struct upload	*upload_start(struct http_request *);
static int	upload_identify(struct upload *);
static void	upload_file(void *, const uint8_t *, size_t);
static void	upload_hash_start(struct upload *);
static void	upload_auth_refused(struct http_request *, int, const char *,
		    const char *);
static void	upload_reply_created(struct http_request *, struct upload *);
static void	upload_go(struct upload *);
static void	upload_event(void *, enum ingest_event);
static void	upload_poked(void *, u_int64_t);
static void	upload_hash_late(void *, u_int64_t);
static void	upload_release(struct job *);
static void	upload_forsake(struct upload *);
static void	forsake_free(struct job *);
static void	upload_aborted(void *, enum ingest_leftover);
static void	forsake_aborted(void *, enum ingest_leftover);
static void	upload_answer_begin(struct upload *);
static void	upload_answer_end(struct upload *);
static void	upload_refuse(struct upload *);
static enum step_result	upload_refusing(struct job *);
static void	upload_reply_fault(struct http_request *,
		    const struct upload_fault *);
static void	upload_reply_duplicate(struct http_request *, struct job *);
static void	upload_location(struct http_request *, const char *);
static void	upload_continue(struct http_request *);

static const step_fn upload_steps[] = {
	upload_auth,
	upload_auth_key,
	upload_open,
	upload_opened,
	upload_wait,
	upload_check,
	upload_commit,
	upload_stored,
	upload_hashed,
	upload_insert,
	upload_created,
	upload_similar,
	upload_forget,
	upload_duplicate,
	NULL,
};

/* A request without a body: who asks, then the fault of an empty file. */
static const step_fn empty_steps[] = {
	AUTH_STEPS_UPLOAD,
	upload_empty,
	NULL,
};

static const step_fn refuse_steps[] = {
	refuse_abort,
	refuse_intent,
	refuse_reply,
	NULL,
};

static const step_fn forsake_steps[] = {
	forsake_abort,
	forsake_intent,
	forsake_done,
	NULL,
};

/*
 * The statements of an upload. An intent is the storage_deletions row of
 * the object being written: the sweeper removes the object unless the
 * commit (INSERT_SQL) drops the row with the reaction's insert.
 */
#define INTENT_OPEN_SQL							\
	"INSERT INTO storage_deletions (object_key, due_at) "		\
	"VALUES ($1, now() + interval '" UPLOAD_INTENT_GRACE "')"
/* Nothing was left in the bucket: the intent is done. */
#define INTENT_DROP_SQL							\
	"DELETE FROM storage_deletions WHERE object_key = $1"
/* Something may be left: the sweeper takes it now, not after the grace. */
#define INTENT_DUE_SQL							\
	"UPDATE storage_deletions SET due_at = now() WHERE object_key = $1"

#define SELECT_BY_SHA256						\
	"SELECT " REACTION_COLUMNS " FROM reactions r WHERE r.sha256 = $1"

/* The duplicate's object ($2) gone, or left to the sweeper; the winner. */
#define DUPLICATE_GONE_SQL						\
	"WITH gone AS (DELETE FROM storage_deletions "			\
	"WHERE object_key = $2) " SELECT_BY_SHA256
#define DUPLICATE_DUE_SQL						\
	"WITH due AS (UPDATE storage_deletions "			\
	"SET due_at = now() WHERE object_key = $2) " SELECT_BY_SHA256

/*
 * The commit: the reaction, its intent dropped and its derivative job
 * queued, in one statement; nothing when a concurrent upload of the same
 * bytes won (the unique sha256 makes the insert fail).
 */
#define INSERT_SQL							\
	"WITH ins AS ("							\
	"INSERT INTO reactions (id, title, tags, media_type, size_bytes, " \
	"width, height, sha256, object_key, phash) VALUES ($1::uuid, $2, " \
	"CASE WHEN $3 = '' THEN '{}'::text[] "				\
	"ELSE string_to_array($3, E'\\n') END, $4, $5::bigint, "	\
	"$6::integer, $7::integer, $8, $9, $10::bigint) RETURNING *), "	\
	"gone AS (DELETE FROM storage_deletions WHERE object_key = $9), " \
	"queued AS (INSERT INTO derivative_jobs (reaction_id) "		\
	"SELECT id FROM ins) "						\
	"SELECT " REACTION_COLUMNS " FROM ins r"

void
upload_worker_init(void)
{
	ingest_init();
}

/*
 * The route's on_headers hook, run once the headers are in: a request
 * without a valid token, or one whose declared length cannot hold a file
 * within the limit, is answered now. Kore does not call it for an empty
 * body (the handler answers that one), and refuses a Content-Length above
 * http_body_max with its own bare 413 before it would. The body hook may
 * have run first (with the bytes that came with the headers).
 */
int
upload_headers(struct http_request *req)
{
	if (req->flags & HTTP_REQUEST_DELETE)
		return (KORE_RESULT_ERROR);

	return (upload_start(req) != NULL ? KORE_RESULT_OK :
	    KORE_RESULT_ERROR);
}

/*
 * The route's on_body_chunk hook: each piece of the body as Kore reads it
 * (8 KiB at most). Returning an error would make Kore send its own bare
 * 500, so a refusal is answered here and the request dropped instead.
 */
int
upload_body_chunk(struct http_request *req, const void *data, size_t len)
{
	struct upload	*up;

	if (req->flags & HTTP_REQUEST_DELETE)
		return (KORE_RESULT_OK);

	if ((up = upload_start(req)) == NULL) {
		/* Answered and closing: nothing more is read. */
		request_read_pause(req->owner);
		req->flags |= HTTP_REQUEST_DELETE;
		return (KORE_RESULT_OK);
	}
	if (up->answered)
		return (KORE_RESULT_OK);

	if (up->answer != ANSWER_NONE)
		return (KORE_RESULT_OK);
	if (intake_feed(&up->in, data, len) == INTAKE_STOP) {
		upload_refuse(up);
		return (KORE_RESULT_OK);
	}
	upload_go(up);

	/* S3 takes bytes slower than the client sends, or no buffer: wait. */
	if (up->ing != NULL && ingest_holding(up->ing) && !up->paused) {
		up->paused = 1;
		request_read_pause(req->owner);
		return (KORE_RESULT_OK);
	}

	/* Else a turn of the loop now and then, for curl to send them. */
	up->unyielded += len;
	if (up->unyielded >= UPLOAD_YIELD_BYTES) {
		up->unyielded = 0;
		request_read_yield(req->owner);
	}

	return (KORE_RESULT_OK);
}

/* The body is complete (or there is none): the job takes it from here. */
int
reaction_upload(struct http_request *req)
{
	struct request_ctx	*ctx;
	struct upload		*up;
	struct job		*job;

	ctx = request_ctx(req);

	/* No body: no hook ran, and nothing can be accepted. */
	if (ctx->state == NULL)
		return (job_run(req, empty_steps, 0));

	job = ctx->state;
	up = job->data;
	if (!up->body_done) {
		up->body_done = 1;
		/* Held back on its last piece: the next request may come. */
		if (up->paused) {
			up->paused = 0;
			request_read_rearm(req->owner);
		}
		(void)intake_end(&up->in, req->http_body_digest);
		if (up->ing != NULL)
			ingest_end(up->ing);
		job_signal(job);
	}

	return (job_run(req, upload_steps, sizeof(struct upload)));
}

/*
 * Who asks: a login was checked with the headers; an API key is looked up
 * now, while the body may be coming, so its refusal is the upload's own
 * (upload_auth_refused), answered once what was begun is cleaned up.
 */
static enum step_result
upload_auth(struct http_request *req, struct job *job)
{
	enum step_result	r;

	if ((r = auth_upload_step(req, job)) == STEP_DONE)
		return (upload_refusing(job));
	/* A database that fails the lookup is the upload's answer too. */
	if (r == STEP_WAIT)
		job_tolerate(job, JOB_ANY_SQLSTATE);

	return (r);
}

static enum step_result
upload_auth_key(struct http_request *req, struct job *job)
{
	struct upload		*up = job->data;
	enum step_result	 r;

	if (request_ctx(req)->key_pending && job->failed) {
		up->answer = ANSWER_SQL;
		(void)kore_strlcpy(up->sqlstate, job->sqlstate,
		    sizeof(up->sqlstate));
		return (upload_refusing(job));
	}

	/* It may wait on last_used_at, whose failure it tolerates. */
	if ((r = auth_key_step(req, job)) == STEP_DONE)
		return (upload_refusing(job));

	return (r);
}

/* The auth steps refused: the upload answers, as it does any fault. */
static void
upload_auth_refused(struct http_request *req, int status, const char *code,
    const char *message)
{
	struct job	*job = request_ctx(req)->state;
	struct upload	*up = job->data;

	if (up->answer != ANSWER_NONE)
		return;

	up->answer = ANSWER_FAULT;
	up->fault.status = status;
	up->fault.code = code;
	up->fault.field = NULL;
	up->fault.message = message;
}

/* An empty body: what the intake says of no file at all. */
static enum step_result
upload_empty(struct http_request *req, struct job *job)
{
	struct intake		*in;
	struct intake_args	 args;
	struct upload_fault	 fault;
	enum intake_status	 st;

	(void)job;

	memset(&args, 0, sizeof(args));
	if (!http_request_header(req, "content-type", &args.content_type))
		args.content_type = NULL;
	args.query = req->query_string;
	args.max_file = app_config.max_upload_bytes;
	args.on_file = upload_file;

	in = kore_calloc(1, sizeof(*in));
	if (intake_init(in, &args, &st) == -1) {
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		kore_free(in);
		return (STEP_DONE);
	}
	if (st == INTAKE_MORE)
		(void)intake_end(in, NULL);
	if (intake_verdict(in, &fault) == 0) {
		/* Never: an empty body is no file. */
		fault.status = HTTP_STATUS_INTERNAL_ERROR;
		fault.code = "internal";
		fault.field = NULL;
		fault.message = "internal error";
	}
	upload_reply_fault(req, &fault);
	intake_free(in);
	kore_free(in);

	return (STEP_DONE);
}

/* The intent, before a byte goes to S3. */
static enum step_result
upload_open(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	(void)req;

	up->opened = 1;
	job_query(job, INTENT_OPEN_SQL, 1, up->key);
	/* Answered here, even while the body still comes. */
	job_tolerate(job, JOB_ANY_SQLSTATE);
	return (STEP_WAIT);
}

static enum step_result
upload_opened(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	(void)req;

	/* Nothing to clean up: no intent, no byte sent. */
	if (job->failed) {
		up->opened = 0;
		up->answer = ANSWER_SQL;
		(void)kore_strlcpy(up->sqlstate, job->sqlstate,
		    sizeof(up->sqlstate));
		return (upload_refusing(job));
	}

	up->intent = 1;
	if (up->answer != ANSWER_NONE)
		return (upload_refusing(job));
	upload_go(up);
	return (STEP_NEXT);
}

/* The file is read to its end; meanwhile S3 may fail. */
static enum step_result
upload_wait(struct http_request *req, struct job *job)
{
	struct upload		*up = job->data;
	enum storage_result	 result;

	(void)req;

	if (up->answer != ANSWER_NONE)
		return (upload_refusing(job));
	if (up->body_done)
		return (STEP_NEXT);

	if (up->ing != NULL && ingest_state(up->ing, &result) ==
	    INGEST_FAILED) {
		up->answer = ANSWER_STORAGE;
		up->storage = result;
		return (upload_refusing(job));
	}

	job_again(job);
	job_wait(job);
	return (STEP_WAIT);
}

/* The answer the body gets, then whether its bytes are new. */
static enum step_result
upload_check(struct http_request *req, struct job *job)
{
	struct upload		*up = job->data;
	struct upload_fault	 fault;
	enum storage_result	 result;

	(void)req;

	if (intake_verdict(&up->in, &fault) == -1) {
		up->answer = ANSWER_FAULT;
		up->fault = fault;
		return (upload_refusing(job));
	}
	if (ingest_state(up->ing, &result) == INGEST_FAILED) {
		up->answer = ANSWER_STORAGE;
		up->storage = result;
		return (upload_refusing(job));
	}

	job_query(job, SELECT_BY_SHA256, 1, up->in.sha256);
	return (STEP_WAIT);
}

static enum step_result
upload_commit(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	if (job_rows(job) > 0) {
		/* The answer is made now: the cleanup's queries drop the row. */
		upload_reply_duplicate(req, job);
		up->answer = ANSWER_DUPLICATE;
		return (upload_refusing(job));
	}

	/* A file too short for its magic to tell early: its type now. */
	ingest_type(up->ing, media_type_mime(up->in.info.type));
	ingest_go(up->ing);
	ingest_commit(up->ing);
	upload_hash_start(up);
	return (STEP_NEXT);
}

static enum step_result
upload_stored(struct http_request *req, struct job *job)
{
	struct upload		*up = job->data;
	enum storage_result	 result;

	switch (ingest_state(up->ing, &result)) {
	case INGEST_RUNNING:
		job_again(job);
		job_wait(job);
		return (STEP_WAIT);
	case INGEST_FAILED:
		/*
		 * The object may or may not be there now; its intent stays
		 * and the sweeper removes whatever is, and no row points to
		 * it.
		 */
		log_warn("event=upload_failed reason=storage request_id=%s",
		    request_ctx(req)->id);
		reply_storage_error(req, result);
		return (STEP_DONE);
	case INGEST_DONE:
	default:
		return (STEP_NEXT);
	}
}

/* Stored: the hash too, unless its task is still at it. */
static enum step_result
upload_hashed(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	(void)req;

	if (up->work != NULL && !derive_work_finished(up->work) &&
	    !up->hash_late) {
		if (up->hash_timer == NULL)
			up->hash_timer = kore_timer_add(upload_hash_late,
			    UPLOAD_HASH_WAIT_MS, up, KORE_TIMER_ONESHOT);
		job_again(job);
		job_wait(job);
		return (STEP_WAIT);
	}

	if (up->hash_timer != NULL) {
		kore_timer_remove(up->hash_timer);
		up->hash_timer = NULL;
	}
	/* Late: the work frees itself when its thread gets to it. */
	if (up->work != NULL && !derive_work_finished(up->work)) {
		log_info("event=upload_hash_late id=%s waited_ms=%d", up->id,
		    UPLOAD_HASH_WAIT_MS);
		derive_work_abandon(up->work, NULL);
		up->work = NULL;
	}

	return (STEP_NEXT);
}

static void
upload_hash_late(void *arg, u_int64_t now)
{
	struct upload	*up = arg;

	(void)now;

	/* Kore frees a one-shot timer after this returns. */
	up->hash_timer = NULL;
	up->hash_late = 1;
	job_signal(up->job);
}

static enum step_result
upload_insert(struct http_request *req, struct job *job)
{
	struct upload			*up = job->data;
	struct media_info		*media = &up->in.info;
	const struct derive_result	*r;
	char			 size[NUMBER_TEXT_MAX], width[NUMBER_TEXT_MAX];
	char			 height[NUMBER_TEXT_MAX];
	char			 tags[LISTING_TAGS_JOINED_MAX];
	int			 dims;

	(void)req;

	if (up->work != NULL) {
		r = derive_work_result(up->work);
		if (r->status == DERIVE_OK && r->has_phash) {
			/* The hash's 64 bits as PostgreSQL's signed bigint. */
			(void)snprintf(up->phash, sizeof(up->phash), "%lld",
			    (long long)(int64_t)r->phash);
			up->has_phash = 1;
		}
		derive_work_free(up->work);
		up->work = NULL;
	}

	dims = media->has_dimensions;
	(void)snprintf(size, sizeof(size), "%llu",
	    (unsigned long long)up->in.form.file_len);
	(void)snprintf(width, sizeof(width), "%u", (unsigned)media->width);
	(void)snprintf(height, sizeof(height), "%u", (unsigned)media->height);
	if (listing_tags_join(&up->in.form.tags, tags, sizeof(tags)) == -1)
		fatal("upload_insert: tags do not fit");

	job_query(job, INSERT_SQL, 10,
	    up->id, up->in.form.title, tags, media_type_mime(media->type), size,
	    dims ? width : NULL, dims ? height : NULL, up->in.sha256, up->key,
	    up->has_phash ? up->phash : NULL);

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
		derive_kick();
		up->created = 1;
		(void)json_out_init(&up->out);
		json_open(&up->out, NULL);
		reaction_fields(&up->out, job, 0);
		if (!up->has_phash) {
			json_put_null(&up->out, "similar");
			upload_reply_created(req, up);
			return (STEP_DONE);
		}
		job_query(job, SIMILAR_TO_HASH_SQL, 4, up->phash,
		    DERIVE_SIMILAR_DEFAULT_TEXT, up->id, UPLOAD_SIMILAR_MAX);
		/* The upload is done whatever this says: null if it fails. */
		job_tolerate(job, JOB_ANY_SQLSTATE);
		return (STEP_WAIT);
	}

	/*
	 * A concurrent upload of the same bytes won the insert. Our object
	 * has no row: remove it now rather than leaving it to the sweeper.
	 */
	log_info("event=upload_raced sha256=%s request_id=%s", up->in.sha256,
	    request_ctx(req)->id);

	if (job_storage(job, storage_delete(up->key, job_storage_done,
	    job)) == -1)
		return (STEP_NEXT);

	return (STEP_WAIT);
}

static enum step_result
upload_similar(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	/* The race of upload_created goes on to forget its object. */
	if (!up->created)
		return (STEP_NEXT);

	if (job->failed)
		json_put_null(&up->out, "similar");
	else
		similar_items(&up->out, "similar", job);
	upload_reply_created(req, up);
	return (STEP_DONE);
}

static void
upload_reply_created(struct http_request *req, struct upload *up)
{
	json_close(&up->out);
	upload_location(req, up->id);
	reply_json(req, HTTP_STATUS_CREATED, &up->out);
}

static enum step_result
upload_forget(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	(void)req;

	/* Gone: the intent is done. Still there: let the sweeper go now. */
	if (job->storage == STORAGE_OK || job->storage == STORAGE_NOT_FOUND) {
		job_query(job, DUPLICATE_GONE_SQL, 2, up->in.sha256, up->key);
	} else {
		job_query(job, DUPLICATE_DUE_SQL, 2, up->in.sha256, up->key);
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
	reply_json(req, HTTP_STATUS_CONFLICT, &((struct upload *)job->data)->
	    duplicate);
	return (STEP_DONE);
}

/*
 * Refused before the commit: stop reading the body, abort what S3 has
 * of it, drop the intent, then answer.
 */
static enum step_result
refuse_abort(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	if (!up->body_done && !up->paused) {
		up->paused = 1;
		request_read_pause(req->owner);
	}

	if (up->ing == NULL) {
		up->left = INGEST_NOTHING;
		return (STEP_NEXT);
	}
	if (!up->aborting) {
		up->aborting = 1;
		ingest_abort(up->ing, upload_aborted, up);
	}
	if (!up->aborted) {
		job_again(job);
		job_wait(job);
		return (STEP_WAIT);
	}

	ingest_free(up->ing);
	up->ing = NULL;
	return (STEP_NEXT);
}

static enum step_result
refuse_intent(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	(void)req;

	if (!up->opened)
		return (STEP_NEXT);
	up->opened = 0;

	job_query(job, up->left == INGEST_NOTHING ? INTENT_DROP_SQL :
	    INTENT_DUE_SQL, 1, up->key);
	/* A failure leaves the intent to the sweeper: answer anyway. */
	job_tolerate(job, JOB_ANY_SQLSTATE);
	return (STEP_WAIT);
}

static enum step_result
refuse_reply(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;

	(void)job;

	upload_answer_begin(up);
	switch (up->answer) {
	case ANSWER_FAULT:
		upload_reply_fault(req, &up->fault);
		break;
	case ANSWER_STORAGE:
		reply_storage_error(req, up->storage);
		break;
	case ANSWER_SQL:
		reply_sql_error(req, up->sqlstate);
		break;
	case ANSWER_DUPLICATE:
		reply_json(req, HTTP_STATUS_CONFLICT, &up->duplicate);
		break;
	case ANSWER_NONE:
	default:
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		break;
	}
	upload_answer_end(up);

	return (STEP_DONE);
}

/* The rest of the job cleans up and answers (refuse_steps). */
static enum step_result
upload_refusing(struct job *job)
{
	job_then(job, refuse_steps);
	return (STEP_NEXT);
}

/*
 * Ended before its commit: abort what S3 has of it, then drop the intent
 * (or, when S3 may still hold something, hand it to the sweeper now).
 */
static enum step_result
forsake_abort(struct http_request *req, struct job *job)
{
	struct forsake	*fs = job->data;

	(void)req;

	if (fs->ing == NULL) {
		fs->left = INGEST_NOTHING;
		return (STEP_NEXT);
	}
	if (!fs->aborting) {
		fs->aborting = 1;
		fs->job = job;
		ingest_abort(fs->ing, forsake_aborted, fs);
	}
	if (!fs->aborted) {
		job_again(job);
		job_wait(job);
		return (STEP_WAIT);
	}

	ingest_free(fs->ing);
	fs->ing = NULL;
	return (STEP_NEXT);
}

static enum step_result
forsake_intent(struct http_request *req, struct job *job)
{
	struct forsake	*fs = job->data;

	(void)req;

	job_query(job, fs->left == INGEST_NOTHING ? INTENT_DROP_SQL :
	    INTENT_DUE_SQL, 1, fs->key);
	job_tolerate(job, JOB_ANY_SQLSTATE);
	return (STEP_WAIT);
}

static enum step_result
forsake_done(struct http_request *req, struct job *job)
{
	struct forsake	*fs = job->data;

	(void)req;

	/* A failure here leaves the intent to the sweeper, as designed. */
	if (job->failed) {
		log_warn("event=upload_intent_left key=%s sqlstate=%s",
		    fs->key, job->sqlstate);
	}

	return (STEP_DONE);
}

/*
 * The upload of a request, made on its first hook: the header checks,
 * then the job (whose first step records the intent), the reading of the
 * body and the stream to S3. NULL when the request was refused (answered
 * and closing).
 */
static struct upload *
upload_start(struct http_request *req)
{
	struct request_ctx	*ctx;
	struct intake_args	 args;
	struct upload		*up;
	struct job		*job;
	enum intake_status	 st;
	int			 raw;

	ctx = request_ctx(req);
	if (ctx->state != NULL) {
		up = ((struct job *)ctx->state)->data;
		return (up->answered && !up->body_done ? NULL : up);
	}

	if (!auth_token_headers(req))
		return (NULL);

	if (req->http_body_length >
	    app_config.max_upload_bytes + UPLOAD_FRAMING_BYTES) {
		request_refuse_headers(req,
		    HTTP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
		    "the request is larger than MAX_UPLOAD_BYTES allows");
		return (NULL);
	}

	job = job_begin(req, upload_steps, sizeof(struct upload));
	job_on_free(job, upload_release);
	up = job->data;
	up->job = job;
	up->req = req;
	ctx->auth_refused = upload_auth_refused;

	/* A body that can hold only a small file: keep it, for the hash. */
	if (derive_enabled() &&
	    req->http_body_length <= UPLOAD_HASH_COPY_MAX) {
		up->copy_cap = req->http_body_length;
		if ((up->copy = malloc(up->copy_cap)) == NULL)
			up->copy_cap = 0;
	}

	memset(&args, 0, sizeof(args));
	if (!http_request_header(req, "content-type", &args.content_type))
		args.content_type = NULL;
	args.query = req->query_string;
	args.body_len = req->http_body_length;
	args.max_file = app_config.max_upload_bytes;
	args.raw_digest = 1;
	args.on_file = upload_file;
	args.arg = up;

	if (intake_init(&up->in, &args, &st) == -1 ||
	    upload_identify(up) == -1) {
		log_error("event=upload_error reason=setup");
		upload_answer_begin(up);
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		upload_answer_end(up);
		return (NULL);
	}
	if (st == INTAKE_STOP) {
		/* Refused at the headers: nothing was begun to clean up. */
		(void)intake_verdict(&up->in, &up->fault);
		upload_answer_begin(up);
		upload_reply_fault(req, &up->fault);
		upload_answer_end(up);
		return (NULL);
	}

	raw = !up->in.multipart;
	up->ing = ingest_new(up->key, req->http_body_length, raw,
	    upload_event, up);

	upload_continue(req);
	job_wakeup(job);
	if (up->answered)
		return (NULL);

	return (up);
}

/* A fresh id and the object key made from it alone. */
static int
upload_identify(struct upload *up)
{
	uint8_t	id[UUID_BYTES];

	if (uuid_v4_generate(id) == -1)
		return (-1);
	uuid_to_text(id, up->id);
	storage_object_key(up->id, up->key, sizeof(up->key));

	return (0);
}

/* The file's bytes, as intake.c reads them. */
static void
upload_file(void *arg, const uint8_t *p, size_t n)
{
	struct upload	*up = arg;

	if (up->ing != NULL)
		ingest_write(up->ing, p, n);

	/* A file larger than its body said cannot be: no copy, no hash. */
	if (up->copy != NULL) {
		if (n > up->copy_cap - up->copy_len) {
			free(up->copy);
			up->copy = NULL;
			return;
		}
		memcpy(up->copy + up->copy_len, p, n);
		up->copy_len += n;
	}
}

/*
 * The body is all in and accepted: an image's hash, on a task thread,
 * while S3 makes the object. A clip's needs a frame decoded from well
 * inside it: the queue makes it, and its 201 says "similar": null.
 */
static void
upload_hash_start(struct upload *up)
{
	enum media_type	type = up->in.info.type;

	if (up->copy == NULL || up->copy_len == 0 || type == MEDIA_MP4 ||
	    type == MEDIA_WEBM)
		return;

	/* The work owns the copy from here and frees it. */
	up->work = derive_work_start(up->copy, up->copy_len, type,
	    DERIVE_HASH_ONLY, up->copy, up->job);
	if (up->work != NULL) {
		up->copy = NULL;
		up->copy_len = 0;
	}
}

/*
 * The type known, a single PUT may begin; the intent recorded as well, a
 * multipart upload may be made (ingest.h).
 */
static void
upload_go(struct upload *up)
{
	enum media_type	type;

	if (up->ing == NULL)
		return;
	if (!up->typed && intake_type(&up->in, &type) == 0) {
		up->typed = 1;
		ingest_type(up->ing, media_type_mime(type));
	}
	if (!up->go && up->intent) {
		up->go = 1;
		ingest_go(up->ing);
	}
}

/*
 * The ingest says something: a buffer came free, or its state changed.
 * It may say so from inside a curl callback (or another upload's): the
 * upload looks at it from a timer of its own.
 */
static void
upload_event(void *arg, enum ingest_event ev)
{
	struct upload	*up = arg;

	(void)ev;

	if (up->poke == NULL)
		up->poke = kore_timer_add(upload_poked, 0, up,
		    KORE_TIMER_ONESHOT);
}

static void
upload_poked(void *arg, u_int64_t now)
{
	struct upload	*up = arg;

	(void)now;

	/* Kore frees a one-shot timer after this returns. */
	up->poke = NULL;
	if (up->ing == NULL)
		return;

	job_signal(up->job);
	if (up->answered || up->answer != ANSWER_NONE)
		return;

	if (ingest_drain(up->ing) == 0 && up->paused && !up->body_done) {
		up->paused = 0;
		(void)request_read_resume(up->req->owner);
	}
}

/*
 * The request is going (answered, or its client left): an upload that
 * ended before its commit is forsaken; after the commit, what is left is
 * the sweeper's.
 */
static void
upload_release(struct job *job)
{
	struct upload	*up = job->data;

	if (up->poke != NULL) {
		kore_timer_remove(up->poke);
		up->poke = NULL;
	}
	if (up->hash_timer != NULL) {
		kore_timer_remove(up->hash_timer);
		up->hash_timer = NULL;
	}
	intake_free(&up->in);
	if (up->duplicate.gen != NULL)
		json_out_free(&up->duplicate);
	if (up->out.gen != NULL)
		json_out_free(&up->out);
	/* A hash still being made owns its copy: it frees it when done. */
	if (up->work != NULL) {
		derive_work_abandon(up->work, NULL);
		up->work = NULL;
	}
	free(up->copy);
	up->copy = NULL;

	if (up->opened && (up->ing == NULL || !ingest_committed(up->ing))) {
		upload_forsake(up);
		return;
	}

	ingest_free(up->ing);
	up->ing = NULL;
}

static void
upload_forsake(struct upload *up)
{
	struct forsake	*fs;
	struct job	*job;

	job = job_detached(forsake_steps, sizeof(struct forsake),
	    forsake_free);
	fs = job->data;
	fs->ing = up->ing;
	(void)kore_strlcpy(fs->key, up->key, sizeof(fs->key));
	up->ing = NULL;

	job_wakeup(job);
}

/* ingest_abort() is over: what it left decides what the intent becomes. */
static void
upload_aborted(void *arg, enum ingest_leftover left)
{
	struct upload	*up = arg;

	up->aborted = 1;
	up->left = left;
	job_signal(up->job);
}

static void
forsake_aborted(void *arg, enum ingest_leftover left)
{
	struct forsake	*fs = arg;

	fs->aborted = 1;
	fs->left = left;
	job_signal(fs->job);
}

static void
forsake_free(struct job *job)
{
	struct forsake	*fs = job->data;

	ingest_free(fs->ing);
	fs->ing = NULL;
	job_free(job);
}

/*
 * An answer while the body still comes says "Connection: close", and
 * the connection goes once it is sent: the rest of the body is not read.
 */
static void
upload_answer_begin(struct upload *up)
{
	up->answered = 1;
	if (!up->body_done)
		up->req->owner->flags |= CONN_CLOSE_EMPTY;
}

static void
upload_answer_end(struct upload *up)
{
	struct http_request	*req = up->req;

	job_stop(up->job);
	if (up->body_done)
		return;

	request_read_pause(req->owner);
	request_refuse_early(req->owner);
	req->flags |= HTTP_REQUEST_DELETE;
}

/*
 * The intake refused the upload while its body comes: read no more, and
 * let the job clean up and answer (at once, or once its query is back).
 */
static void
upload_refuse(struct upload *up)
{
	if (up->answer != ANSWER_NONE)
		return;
	if (intake_verdict(&up->in, &up->fault) == 0)
		return;

	up->answer = ANSWER_FAULT;
	if (!up->paused) {
		up->paused = 1;
		request_read_pause(up->req->owner);
	}
	job_signal(up->job);
}

static void
upload_reply_fault(struct http_request *req, const struct upload_fault *fault)
{
	if (fault->field != NULL) {
		reply_error_field(req, fault->status, fault->code,
		    fault->field, fault->message);
		return;
	}

	/* A key refused by the auth steps: a 401 names its scheme (auth.c). */
	if (fault->status == HTTP_STATUS_UNAUTHORIZED)
		http_response_header(req, "www-authenticate", "Bearer");
	reply_error(req, fault->status, fault->code, fault->message);
}

/*
 * The 409 with the reaction in row 0, which already has these bytes,
 * made into up->duplicate (and its Location set): refuse_reply sends it.
 */
static void
upload_reply_duplicate(struct http_request *req, struct job *job)
{
	struct upload	*up = job->data;
	struct json_out	*out = &up->duplicate;

	(void)json_out_init(out);
	json_open(out, NULL);
	json_open(out, "error");
	json_put_string(out, "code", "duplicate");
	json_put_string(out, "message", "a reaction with the same file exists");
	json_close(out);
	reaction_json(out, "reaction", job, 0);
	json_close(out);

	upload_location(req, job_value(job, 0, RC_ID));
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
