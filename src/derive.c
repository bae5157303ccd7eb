/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The derivative queue, worker side. Every worker, now and then (and at
 * once after an upload), claims one due row of derivative_jobs with SKIP
 * LOCKED, pushing its due time out by a lease so that a worker that dies
 * mid-job leaves it to another later. The job fetches the original from
 * storage into memory (at most MAX_UPLOAD_BYTES), runs the decoders
 * (derive_media.h) in a Kore task, on a task thread: the event loop never
 * waits on a decoder. It stores the WebP thumbnail and preview under
 * keys made from the reaction's id, each with an intent in
 * storage_deletions first, as uploads do. One statement then records them
 * on the row and drops the intents and the job; if the row went meanwhile
 * the intents are made due, and the sweeper removes the objects. A file
 * the decoders refuse (or that takes more than its time) is recorded as
 * derived without a thumbnail, with one warning line; a storage failure
 * is retried with backoff. At start-up each worker enqueues the
 * reactions that were never derived. DERIVATIVES_ENABLED=false turns it
 * all off in this process (the queue waits for another).
 */

#include <openssl/evp.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

#include <kore/tasks.h>

#include "encoding.h"
#include "log.h"
#include "media.h"

#define DERIVE_INTERVAL_MS	2000

/*
 * A job's budgets. The decoders get DECODE_BUDGET_MS of wall time; the
 * whole job, storage included, is abandoned after STUCK_MS; its lease
 * must outlast that, so that no two workers ever hold the same job.
 */
#define DECODE_BUDGET_MS	15000
#define HASH_BUDGET_MS		5000
#define STUCK_MS		25000
#define LEASE			"30 seconds"

/* Intents outlast the longest PUT, as an upload's do (upload.c). */
#define INTENT_GRACE		"15 minutes"

/*
 * The queue's statements. A claim leases one due job (its due time pushed
 * out by LEASE) with what the fetch needs of its reaction.
 */
#define BACKFILL_SQL							\
	"INSERT INTO derivative_jobs (reaction_id) "			\
	"SELECT id FROM reactions WHERE derived_at IS NULL "		\
	"ON CONFLICT DO NOTHING"
#define CLAIM_SQL							\
	"WITH c AS (SELECT reaction_id FROM derivative_jobs "		\
	"WHERE due_at <= now() ORDER BY due_at LIMIT 1 "		\
	"FOR UPDATE SKIP LOCKED), "					\
	"u AS (UPDATE derivative_jobs j SET attempts = j.attempts + 1, " \
	"due_at = now() + interval '" LEASE "' FROM c "			\
	"WHERE j.reaction_id = c.reaction_id "				\
	"RETURNING j.reaction_id, j.attempts) "				\
	"SELECT u.reaction_id, u.attempts, r.object_key, r.media_type, " \
	"r.size_bytes FROM u JOIN reactions r ON r.id = u.reaction_id"
/* A file the decoders refused: derived, without a thumbnail. */
#define REFUSED_SQL							\
	"WITH r AS (UPDATE reactions SET derived_at = now(), "		\
	"duration_ms = $2::bigint, "					\
	"width = coalesce($3::integer, width), "			\
	"height = coalesce($4::integer, height) "			\
	"WHERE id = $1::uuid RETURNING id) "				\
	"DELETE FROM derivative_jobs WHERE reaction_id = $1::uuid"
/* The intents of the derivatives about to be stored ($2 may be NULL). */
#define INTENTS_SQL							\
	"INSERT INTO storage_deletions (object_key, due_at) "		\
	"SELECT k, now() + interval '" INTENT_GRACE "' "		\
	"FROM unnest(ARRAY[$1, $2]) k WHERE k IS NOT NULL "		\
	"ON CONFLICT (object_key) DO UPDATE SET due_at = EXCLUDED.due_at"
/*
 * The derivatives recorded on the row, their intents dropped and the job
 * done; if the row went meanwhile, the intents are made due instead (the
 * sweeper removes the objects). The count says which.
 */
#define RECORD_SQL							\
	"WITH r AS (UPDATE reactions SET "				\
	"thumbnail_key = $2, thumbnail_sha256 = $3, "			\
	"thumbnail_size = $4::bigint, thumbnail_width = $5::integer, "	\
	"thumbnail_height = $6::integer, preview_key = $7, "		\
	"preview_sha256 = $8, preview_size = $9::bigint, "		\
	"preview_width = $10::integer, preview_height = $11::integer, "	\
	"preview_frames = $12::integer, duration_ms = $13::bigint, "	\
	"phash = coalesce(phash, $14::bigint), "			\
	"width = coalesce($15::integer, width), "			\
	"height = coalesce($16::integer, height), derived_at = now() "	\
	"WHERE id = $1::uuid RETURNING id), "				\
	"gone AS (DELETE FROM storage_deletions "			\
	"WHERE object_key IN ($2, coalesce($7, '')) "			\
	"AND EXISTS (SELECT 1 FROM r)), "				\
	"due AS (UPDATE storage_deletions SET due_at = now() "		\
	"WHERE object_key IN ($2, coalesce($7, '')) "			\
	"AND NOT EXISTS (SELECT 1 FROM r)), "				\
	"done AS (DELETE FROM derivative_jobs WHERE reaction_id = $1::uuid) " \
	"SELECT count(*) FROM r"
/* Storage or the database failed: again later, doubling up to an hour. */
#define RETRY_SQL							\
	"UPDATE derivative_jobs SET due_at = now() + "			\
	"least(interval '1 hour', interval '2 seconds' * "		\
	"power(2, least(attempts, 12))) WHERE reaction_id = $1::uuid"

#define KEY_PREFIX		"derivatives/"
#define THUMB_NAME		"thumbnail.webp"
#define PREVIEW_NAME		"preview.webp"
#define WEBP_MIME		"image/webp"

#define SHA256_BYTES		32
#define SHA256_HEX_LEN		(2 * SHA256_BYTES)
#define NUMBER_TEXT_MAX		24
#define ID_MAX			64
#define MIME_MAX		32

/* What a worker thread needs and leaves: owned by the event loop. */
struct derive_work {
	struct kore_task	 task;
	const u_int8_t		*buf;
	size_t			 len;
	enum media_type		 type;
	enum derive_mode	 mode;
	int64_t			 budget_ms;
	struct derive_result	 result;
	u_int8_t		*own;
	struct kore_buf		*own_body;
	struct job		*job;
	int			 finished;
	int			 abandoned;
};

enum derive_outcome {
	OUTCOME_NONE,
	OUTCOME_REFUSED,
	OUTCOME_RETRY,
	OUTCOME_STORED,
};

enum derive_phase {
	PHASE_PUT_THUMB,
	PHASE_PUT_PREVIEW,
	PHASE_RECORD,
};

struct derivation {
	char			 id[ID_MAX];
	int			 attempt;
	enum media_type		 type;
	char			 key[STORAGE_KEY_MAX];
	char			 thumb_key[STORAGE_KEY_MAX];
	char			 preview_key[STORAGE_KEY_MAX];
	char			 thumb_sha[SHA256_HEX_LEN + 1];
	char			 preview_sha[SHA256_HEX_LEN + 1];
	struct derive_work	*work;
	enum derive_phase	 phase;
	enum derive_outcome	 outcome;
	int			 claimed;
	u_int64_t		 started;
};

static int	derive_task_entry(struct kore_task *);
static void	derive_task_done(struct kore_task *);
static void	derive_work_release(struct derive_work *);

static void	derive_tick(void *, u_int64_t);
static void	derive_measure_tick(void *, u_int64_t);
static void	derive_kicked(void *, u_int64_t);
static void	derive_start(void);
static void	derive_done(struct job *);
static void	derive_cleanup(struct job *);
static void	derive_backfill_done(struct job *);
static void	derive_sha256(const u_int8_t *, size_t, char *);
static void	derive_last_step(struct job *);
static enum step_result	derive_retry(struct job *, const char *);

static enum step_result	step_backfill(struct http_request *, struct job *);
static enum step_result	step_backfilled(struct http_request *,
			    struct job *);
static enum step_result	step_claim(struct http_request *, struct job *);
static enum step_result	step_fetch(struct http_request *, struct job *);
static enum step_result	step_decode(struct http_request *, struct job *);
static enum step_result	step_decoded(struct http_request *, struct job *);
static enum step_result	step_store(struct http_request *, struct job *);
static enum step_result	step_recorded(struct http_request *,
			    struct job *);

static const step_fn backfill_steps[] = {
	step_backfill,
	step_backfilled,
	NULL,
};

static const step_fn derive_steps[] = {
	step_claim,
	step_fetch,
	step_decode,
	step_decoded,
	step_store,
	step_recorded,
	NULL,
};

static int		 enabled;
static struct job	*deriving;
static struct kore_timer *kick;

/*
 * The worker's share: the decoders once (after the fork, in the process
 * that uses them), the tick, and the backfill of the library as it is.
 */
void
derive_worker_init(void)
{
	struct job	*backfill;

	if (!app_config.derivatives_enabled) {
		log_info("event=derivatives_disabled");
		(void)kore_timer_add(derive_measure_tick, DERIVE_INTERVAL_MS,
		    NULL, 0);
		return;
	}

	if (derive_init("reactbin") == -1) {
		log_error("event=derive_unavailable reason=vips_init");
		(void)kore_timer_add(derive_measure_tick, DERIVE_INTERVAL_MS,
		    NULL, 0);
		return;
	}
	enabled = 1;

	(void)kore_timer_add(derive_tick, DERIVE_INTERVAL_MS, NULL, 0);

	backfill = job_detached(backfill_steps, 0, derive_backfill_done);
	job_wakeup(backfill);
}

int
derive_enabled(void)
{
	return (enabled);
}

/* A new job may be waiting: look from the next turn of the loop. */
void
derive_kick(void)
{
	if (!enabled || kick != NULL)
		return;

	kick = kore_timer_add(derive_kicked, 0, NULL, KORE_TIMER_ONESHOT);
}

struct derive_work *
derive_work_start(const u_int8_t *buf, size_t len, enum media_type type,
    enum derive_mode mode, u_int8_t *own, struct job *job)
{
	struct derive_work	*w;

	w = kore_calloc(1, sizeof(*w));
	w->buf = buf;
	w->len = len;
	w->type = type;
	w->mode = mode;
	w->budget_ms = mode == DERIVE_HASH_ONLY ? HASH_BUDGET_MS :
	    DECODE_BUDGET_MS;
	w->own = own;
	w->job = job;

	kore_task_create(&w->task, derive_task_entry);
	kore_task_bind_callback(&w->task, derive_task_done);
	kore_task_run(&w->task);

	return (w);
}

int
derive_work_finished(const struct derive_work *w)
{
	return (w->finished);
}

const struct derive_result *
derive_work_result(const struct derive_work *w)
{
	return (&w->result);
}

void
derive_work_free(struct derive_work *w)
{
	if (w == NULL)
		return;

	if (!w->finished)
		fatal("derive_work_free: the task is still running");

	kore_task_destroy(&w->task);
	derive_result_free(&w->result);
	free(w->own);
	if (w->own_body != NULL)
		kore_buf_free(w->own_body);
	kore_free(w);
}

/*
 * The job is going and the thread may still read the bytes: the work
 * keeps them (body: the request's, which Kore would free now) and ends
 * itself when the thread is done.
 */
void
derive_work_abandon(struct derive_work *w, struct kore_buf *body)
{
	if (w == NULL)
		return;

	if (w->finished) {
		if (body != NULL)
			kore_buf_free(body);
		derive_work_free(w);
		return;
	}

	w->job = NULL;
	w->abandoned = 1;
	w->own_body = body;
}

/* On the task thread: only the pure decoders, nothing of Kore's. */
static int
derive_task_entry(struct kore_task *t)
{
	struct derive_work	*w = (struct derive_work *)t;

	(void)derive_media(w->buf, w->len, w->type, w->mode, w->budget_ms,
	    &w->result);

	return (KORE_RESULT_OK);
}

/* Back on the event loop: the thread has closed its end. */
static void
derive_task_done(struct kore_task *t)
{
	struct derive_work	*w = (struct derive_work *)t;

	if (kore_task_state(t) != KORE_TASK_STATE_FINISHED)
		return;

	w->finished = 1;
	derive_work_release(w);
}

static void
derive_work_release(struct derive_work *w)
{
	if (w->abandoned) {
		derive_work_free(w);
		return;
	}

	if (w->job != NULL)
		job_signal(w->job);
}

static void
derive_tick(void *arg, u_int64_t now)
{
	struct derivation	*d;

	(void)arg;

	scrape_queue_tick(METRICS_QUEUE_DERIVATIVES, now);

	if (deriving != NULL) {
		d = deriving->data;
		/* As the sweeper: a query whose connection broke is seen. */
		if (now - d->started < STUCK_MS) {
			job_wakeup(deriving);
			return;
		}
		log_warn("event=derive_abandoned id=%s after_ms=%llu",
		    d->id[0] != '\0' ? d->id : "-",
		    (unsigned long long)(now - d->started));
		job_free(deriving);
		deriving = NULL;
	}

	derive_start();
}

/*
 * Without generation here the queue is still measured: it waits for a
 * replica that has it on, and its depth and age say how that goes.
 */
static void
derive_measure_tick(void *arg, u_int64_t now)
{
	(void)arg;

	scrape_queue_tick(METRICS_QUEUE_DERIVATIVES, now);
}

static void
derive_kicked(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;

	/* Kore frees a one-shot timer after this returns. */
	kick = NULL;
	if (deriving == NULL)
		derive_start();
}

static void
derive_start(void)
{
	struct derivation	*d;
	struct job		*job;

	if (drain_active())
		return;

	job = job_detached(derive_steps, sizeof(struct derivation),
	    derive_done);
	job_on_free(job, derive_cleanup);
	d = job->data;
	d->started = kore_time_ms();
	deriving = job;
	job_wakeup(job);
}

/* A job that did one goes straight on to the next. */
static void
derive_done(struct job *job)
{
	struct derivation	*d = job->data;
	int			 again;

	again = d->claimed;
	if (deriving == job)
		deriving = NULL;
	job_free(job);

	if (again)
		derive_kick();
}

static void
derive_cleanup(struct job *job)
{
	struct derivation	*d = job->data;

	derive_work_abandon(d->work, NULL);
	d->work = NULL;
}

static void
derive_backfill_done(struct job *job)
{
	job_free(job);
	derive_kick();
}

/* Reactions never derived (from before derivatives, or missed) wait. */
static enum step_result
step_backfill(struct http_request *req, struct job *job)
{
	(void)req;

	job_query(job, BACKFILL_SQL, 0);
	job_tolerate(job, JOB_ANY_SQLSTATE);
	return (STEP_WAIT);
}

static enum step_result
step_backfilled(struct http_request *req, struct job *job)
{
	(void)req;

	if (job->failed)
		log_warn("event=derive_backfill_failed sqlstate=%s",
		    job->sqlstate);
	return (STEP_DONE);
}

/* One due job, leased; with what the fetch needs of its reaction. */
static enum step_result
step_claim(struct http_request *req, struct job *job)
{
	(void)req;

	job_query(job, CLAIM_SQL, 0);
	job_tolerate(job, JOB_ANY_SQLSTATE);
	return (STEP_WAIT);
}

static enum step_result
step_fetch(struct http_request *req, struct job *job)
{
	struct derivation	*d = job->data;
	unsigned long long	 size;
	int			 n;

	(void)req;

	if (job->failed || job_rows(job) != 1)
		return (STEP_DONE);

	d->claimed = 1;
	(void)kore_strlcpy(d->id, job_value(job, 0, 0), sizeof(d->id));
	d->attempt = (int)job_int(job, 0, 1);
	(void)kore_strlcpy(d->key, job_value(job, 0, 2), sizeof(d->key));
	if (media_type_from_mime(job_value(job, 0, 3), &d->type) == -1)
		return (derive_retry(job, "media_type"));
	size = job_int(job, 0, 4);

	n = snprintf(d->thumb_key, sizeof(d->thumb_key),
	    KEY_PREFIX "%s/" THUMB_NAME, d->id);
	if (n < 0 || (size_t)n >= sizeof(d->thumb_key))
		fatal("step_fetch: key too long");
	n = snprintf(d->preview_key, sizeof(d->preview_key),
	    KEY_PREFIX "%s/" PREVIEW_NAME, d->id);
	if (n < 0 || (size_t)n >= sizeof(d->preview_key))
		fatal("step_fetch: key too long");

	log_info("event=derive_started id=%s attempt=%d size=%llu pid=%d",
	    d->id, d->attempt, size, (int)getpid());

	/* What was stored under the limit in force then may exceed it now. */
	if (job_storage(job, storage_fetch(d->key,
	    (size_t)app_config.max_upload_bytes, job_storage_done,
	    job)) == -1)
		return (STEP_NEXT);

	return (STEP_WAIT);
}

static enum step_result
step_decode(struct http_request *req, struct job *job)
{
	struct derivation	*d = job->data;
	u_int8_t		*body;
	size_t			 len;

	(void)req;

	if (job->storage != STORAGE_OK)
		return (derive_retry(job, "fetch"));

	/* job_storage_done() took the bytes before it freed the call. */
	body = job->fetched;
	len = job->fetched_len;
	job->fetched = NULL;
	job->fetched_len = 0;
	if (body == NULL)
		return (derive_retry(job, "fetch_empty"));

	d->work = derive_work_start(body, len, d->type, DERIVE_ALL, body, job);
	job_wait(job);
	return (STEP_WAIT);
}

/*
 * What the decoders made: a refusal is final and recorded; a thumbnail
 * (and preview) gets its intents before the PUTs.
 */
static enum step_result
step_decoded(struct http_request *req, struct job *job)
{
	struct derivation		*d = job->data;
	const struct derive_result	*r;
	char				 width[NUMBER_TEXT_MAX];
	char				 height[NUMBER_TEXT_MAX];
	char				 duration[NUMBER_TEXT_MAX];
	int				 video;

	(void)req;

	/* A signal is no promise: the work itself says whether it is over. */
	if (!derive_work_finished(d->work)) {
		job_again(job);
		job_wait(job);
		return (STEP_WAIT);
	}

	r = derive_work_result(d->work);
	video = (d->type == MEDIA_MP4 || d->type == MEDIA_WEBM);

	if (r->status != DERIVE_OK || r->thumb == NULL) {
		d->outcome = OUTCOME_REFUSED;
		log_warn("event=derive_refused id=%s media_type=%s %s", d->id,
		    media_type_mime(d->type), r->error[0] != '\0' ? r->error :
		    "reason=unknown");
		(void)snprintf(width, sizeof(width), "%u", (unsigned)r->width);
		(void)snprintf(height, sizeof(height), "%u",
		    (unsigned)r->height);
		(void)snprintf(duration, sizeof(duration), "%" PRId64,
		    r->duration_ms);
		job_query(job, REFUSED_SQL, 4, d->id,
		    r->duration_ms >= 0 ? duration : NULL,
		    video && r->width > 0 ? width : NULL,
		    video && r->height > 0 ? height : NULL);
		job_tolerate(job, JOB_ANY_SQLSTATE);
		/* The record is the last thing this job does. */
		derive_last_step(job);
		return (STEP_WAIT);
	}

	derive_sha256(r->thumb, r->thumb_len, d->thumb_sha);
	if (r->preview != NULL)
		derive_sha256(r->preview, r->preview_len, d->preview_sha);

	d->phase = PHASE_PUT_THUMB;
	job_query(job, INTENTS_SQL, 2, d->thumb_key,
	    r->preview != NULL ? d->preview_key : NULL);
	return (STEP_WAIT);
}

/* The PUTs one after the other, then the record. */
static enum step_result
step_store(struct http_request *req, struct job *job)
{
	struct derivation		*d = job->data;
	const struct derive_result	*r;
	char				 n[11][NUMBER_TEXT_MAX];
	int				 video;

	(void)req;

	if (job->failed)
		return (derive_retry(job, "intent"));

	r = derive_work_result(d->work);
	job_again(job);

	switch (d->phase) {
	case PHASE_PUT_THUMB:
		d->phase = PHASE_PUT_PREVIEW;
		job->storage = STORAGE_OK;
		if (job_storage(job, storage_put(d->thumb_key, r->thumb,
		    r->thumb_len, d->thumb_sha, WEBP_MIME, job_storage_done,
		    job)) == -1)
			return (derive_retry(job, "put"));
		return (STEP_WAIT);
	case PHASE_PUT_PREVIEW:
		if (job->storage != STORAGE_OK)
			return (derive_retry(job, "put"));
		d->phase = PHASE_RECORD;
		if (r->preview == NULL)
			return (STEP_NEXT);
		if (job_storage(job, storage_put(d->preview_key, r->preview,
		    r->preview_len, d->preview_sha, WEBP_MIME,
		    job_storage_done, job)) == -1)
			return (derive_retry(job, "put"));
		return (STEP_WAIT);
	case PHASE_RECORD:
		break;
	}

	if (job->storage != STORAGE_OK)
		return (derive_retry(job, "put"));

	/* Done with the phases: the step after this one follows. */
	job->next++;
	d->outcome = OUTCOME_STORED;

	video = (d->type == MEDIA_MP4 || d->type == MEDIA_WEBM);
	(void)snprintf(n[0], sizeof(n[0]), "%zu", r->thumb_len);
	(void)snprintf(n[1], sizeof(n[1]), "%u", (unsigned)r->thumb_width);
	(void)snprintf(n[2], sizeof(n[2]), "%u", (unsigned)r->thumb_height);
	(void)snprintf(n[3], sizeof(n[3]), "%zu", r->preview_len);
	(void)snprintf(n[4], sizeof(n[4]), "%u", (unsigned)r->preview_width);
	(void)snprintf(n[5], sizeof(n[5]), "%u", (unsigned)r->preview_height);
	(void)snprintf(n[6], sizeof(n[6]), "%d", r->preview_frames);
	(void)snprintf(n[7], sizeof(n[7]), "%" PRId64, r->duration_ms);
	/* The hash's 64 bits as PostgreSQL's signed bigint. */
	(void)snprintf(n[8], sizeof(n[8]), "%" PRId64, (int64_t)r->phash);
	(void)snprintf(n[9], sizeof(n[9]), "%u", (unsigned)r->width);
	(void)snprintf(n[10], sizeof(n[10]), "%u", (unsigned)r->height);

	job_query(job, RECORD_SQL, 16,
	    d->id, d->thumb_key, d->thumb_sha, n[0], n[1], n[2],
	    r->preview != NULL ? d->preview_key : NULL,
	    r->preview != NULL ? d->preview_sha : NULL,
	    r->preview != NULL ? n[3] : NULL,
	    r->preview != NULL ? n[4] : NULL,
	    r->preview != NULL ? n[5] : NULL,
	    r->preview != NULL ? n[6] : NULL,
	    r->duration_ms >= 0 ? n[7] : NULL,
	    r->has_phash ? n[8] : NULL,
	    video && r->width > 0 ? n[9] : NULL,
	    video && r->height > 0 ? n[10] : NULL);
	job_tolerate(job, JOB_ANY_SQLSTATE);
	return (STEP_WAIT);
}

static enum step_result
step_recorded(struct http_request *req, struct job *job)
{
	struct derivation		*d = job->data;
	const struct derive_result	*r;

	(void)req;

	if (job->failed && d->outcome == OUTCOME_STORED)
		return (derive_retry(job, "record"));

	/* After a refusal or a retry, this is where its statement ends. */
	if (d->outcome != OUTCOME_STORED)
		return (STEP_DONE);

	r = derive_work_result(d->work);
	if (job_rows(job) == 1 && !strcmp(job_value(job, 0, 0), "0")) {
		log_info("event=derive_orphaned id=%s", d->id);
		return (STEP_DONE);
	}

	log_info("event=derive_done id=%s thumbnail=%ux%u preview_frames=%d "
	    "duration_ms=%" PRId64 " ms=%llu", d->id,
	    (unsigned)r->thumb_width, (unsigned)r->thumb_height,
	    r->preview_frames, r->duration_ms,
	    (unsigned long long)(kore_time_ms() - d->started));
	return (STEP_DONE);
}

/* Storage or the database failed: again later, doubling up to an hour. */
static enum step_result
derive_retry(struct job *job, const char *what)
{
	struct derivation	*d = job->data;

	log_warn("event=derive_retry id=%s attempt=%d reason=%s status=%ld",
	    d->id, d->attempt, what, job->storage_status);
	d->outcome = OUTCOME_RETRY;

	job_query(job, RETRY_SQL, 1, d->id);
	job_tolerate(job, JOB_ANY_SQLSTATE);
	/* Nothing after the retry's own statement. */
	derive_last_step(job);
	d->claimed = 0;
	return (STEP_WAIT);
}

/* Go on at step_recorded, the last, once the query in flight is done. */
static void
derive_last_step(struct job *job)
{
	job->next = sizeof(derive_steps) / sizeof(derive_steps[0]) - 2;
}

static void
derive_sha256(const u_int8_t *buf, size_t len, char *out)
{
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen;

	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != SHA256_BYTES)
		fatal("derive_sha256: EVP_Digest");

	(void)enc_hex_encode(md, mdlen, out);
}
