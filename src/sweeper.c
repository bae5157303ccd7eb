/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The storage sweeper: every worker, now and then, claims a few due rows of
 * storage_deletions (objects no reaction points to: deleted reactions whose
 * object removal failed, uploads whose row was never written) and deletes
 * those objects, backing off while storage stays down. Rows are claimed
 * with SKIP LOCKED, so workers and replicas never fight over one.
 *
 * An upload that died mid-way (its worker killed, S3 gone at the wrong
 * moment) may also have left a multipart upload S3 keeps, invisible in
 * the bucket but holding its parts: before the object, the sweeper asks
 * S3 for the key's incomplete uploads and aborts each. An intent is only
 * due once no upload can still be running under it (upload.c's grace).
 */

#include <string.h>

#include "app.h"
#include "log.h"
#include "s3_xml.h"

#define SWEEP_INTERVAL_MS	5000
#define SWEEP_BATCH		8
#define SWEEP_BATCH_TEXT	"8"

/* A sweep that has not finished by then is abandoned and started over. */
#define SWEEP_STUCK_MS		120000

/* Incomplete uploads aborted for one key in one sweep, at most. */
#define SWEEP_UPLOADS_MAX	4

/*
 * Due rows claimed, their next attempt pushed out (doubling up to an
 * hour) so that a sweep that dies leaves them to a later one; a row is
 * forgotten once its object is gone.
 */
#define SWEEP_CLAIM_SQL							\
	"UPDATE storage_deletions SET attempts = attempts + 1, "	\
	"due_at = now() + least(interval '1 hour', "			\
	"interval '5 seconds' * power(2, least(attempts, 12))) "	\
	"WHERE object_key IN (SELECT object_key FROM storage_deletions " \
	"WHERE due_at <= now() ORDER BY due_at LIMIT " SWEEP_BATCH_TEXT	\
	" FOR UPDATE SKIP LOCKED) RETURNING object_key"
#define SWEEP_FORGET_SQL						\
	"DELETE FROM storage_deletions WHERE object_key = $1"

enum sweep_phase {
	SWEEP_LIST_UPLOADS,
	SWEEP_UPLOADS_LISTED,
	SWEEP_ABORT_UPLOAD,
	SWEEP_UPLOAD_ABORTED,
	SWEEP_DELETE_OBJECT,
	SWEEP_OBJECT_DELETED,
	SWEEP_ROW_FORGOTTEN,
};

struct sweep {
	int			count;
	int			index;
	enum sweep_phase	phase;
	char			keys[SWEEP_BATCH][STORAGE_KEY_MAX];

	/* The incomplete uploads of the key at index. */
	int			uploads;
	int			upload;
	int			more;
	char			ids[SWEEP_UPLOADS_MAX][S3_XML_ID_MAX + 1];
};

static void		sweeper_tick(void *, u_int64_t);
static void		sweeper_done(struct job *);
static enum step_result	sweep_claim(struct http_request *, struct job *);
static enum step_result	sweep_collect(struct http_request *, struct job *);
static enum step_result	sweep_next(struct http_request *, struct job *);
static enum step_result	sweep_uploads(struct job *, struct sweep *);
static void		sweep_list_done(struct storage_call *, void *);
static void		sweep_upload_found(void *, const char *, const char *);
static void		sweep_key_done(struct sweep *);

static const step_fn sweep_steps[] = {
	sweep_claim,
	sweep_collect,
	sweep_next,
	NULL,
};

static struct job	*sweeping;
static u_int64_t	 sweep_started;

void
sweeper_init(void)
{
	(void)kore_timer_add(sweeper_tick, SWEEP_INTERVAL_MS, NULL, 0);
}

static void
sweeper_tick(void *arg, u_int64_t now)
{
	(void)arg;

	scrape_queue_tick(METRICS_QUEUE_DELETIONS, now);

	if (sweeping != NULL) {
		/*
		 * Kore does not call a pgsql callback when the connection
		 * under a query breaks (it only wakes a request): look again,
		 * and the runner finds the failed query and moves on.
		 */
		if (now - sweep_started < SWEEP_STUCK_MS) {
			job_wakeup(sweeping);
			return;
		}
		log_warn("event=sweep_abandoned after_ms=%llu",
		    (unsigned long long)(now - sweep_started));
		job_free(sweeping);
		sweeping = NULL;
	}

	/* Known before it runs: it can finish inside job_wakeup(). */
	sweep_started = now;
	sweeping = job_detached(sweep_steps, sizeof(struct sweep),
	    sweeper_done);
	job_wakeup(sweeping);
}

static void
sweeper_done(struct job *job)
{
	if (sweeping == job)
		sweeping = NULL;

	job_free(job);
}

/* Claim due rows and push their next attempt out, doubling up to an hour. */
static enum step_result
sweep_claim(struct http_request *req, struct job *job)
{
	(void)req;

	job_query(job, SWEEP_CLAIM_SQL, 0);
	return (STEP_WAIT);
}

static enum step_result
sweep_collect(struct http_request *req, struct job *job)
{
	struct sweep	*sweep = job->data;
	int		 row;

	(void)req;

	for (row = 0; row < job_rows(job) && row < SWEEP_BATCH; row++) {
		(void)kore_strlcpy(sweep->keys[row], job_value(job, row, 0),
		    sizeof(sweep->keys[row]));
	}
	sweep->count = row;

	return (sweep->count == 0 ? STEP_DONE : STEP_NEXT);
}

/*
 * One key at a time: abort its incomplete uploads, delete its object,
 * then forget its row; then the next. A key S3 did not answer for keeps
 * its row for a later sweep.
 */
static enum step_result
sweep_next(struct http_request *req, struct job *job)
{
	struct sweep	*sweep = job->data;
	const char	*key;

	(void)req;

	job_again(job);

	if (sweep->phase == SWEEP_LIST_UPLOADS ||
	    sweep->phase == SWEEP_UPLOADS_LISTED ||
	    sweep->phase == SWEEP_ABORT_UPLOAD ||
	    sweep->phase == SWEEP_UPLOAD_ABORTED)
		return (sweep_uploads(job, sweep));

	switch (sweep->phase) {
	case SWEEP_DELETE_OBJECT:
		key = sweep->keys[sweep->index];
		sweep->phase = SWEEP_OBJECT_DELETED;
		if (job_storage(job, storage_delete(key, job_storage_done,
		    job)) == -1)
			return (STEP_NEXT);
		return (STEP_WAIT);
	case SWEEP_OBJECT_DELETED:
		key = sweep->keys[sweep->index];
		if (job->storage != STORAGE_OK &&
		    job->storage != STORAGE_NOT_FOUND) {
			/* Still there: the row keeps it for a later sweep. */
			sweep_key_done(sweep);
			return (STEP_NEXT);
		}
		log_info("event=object_swept key=%s", key);
		sweep->phase = SWEEP_ROW_FORGOTTEN;
		job_query(job, SWEEP_FORGET_SQL, 1, key);
		return (STEP_WAIT);
	case SWEEP_ROW_FORGOTTEN:
	default:
		sweep_key_done(sweep);
		return (STEP_NEXT);
	}
}

/* The key's incomplete multipart uploads: list them, abort each. */
static enum step_result
sweep_uploads(struct job *job, struct sweep *sweep)
{
	const char	*key;

	if (sweep->index >= sweep->count)
		return (STEP_DONE);
	key = sweep->keys[sweep->index];

	switch (sweep->phase) {
	case SWEEP_LIST_UPLOADS:
		sweep->uploads = 0;
		sweep->upload = 0;
		sweep->more = 0;
		sweep->phase = SWEEP_UPLOADS_LISTED;
		if (job_storage(job, storage_multipart_list(key,
		    sweep_list_done, job)) == -1)
			return (STEP_NEXT);
		return (STEP_WAIT);
	case SWEEP_UPLOADS_LISTED:
		if (job->storage != STORAGE_OK || sweep->uploads < 0) {
			sweep_key_done(sweep);
			return (STEP_NEXT);
		}
		sweep->phase = SWEEP_ABORT_UPLOAD;
		return (STEP_NEXT);
	case SWEEP_ABORT_UPLOAD:
		if (sweep->upload >= sweep->uploads) {
			/* More than one sweep takes: the row stays for now. */
			if (sweep->more) {
				sweep_key_done(sweep);
				return (STEP_NEXT);
			}
			sweep->phase = SWEEP_DELETE_OBJECT;
			return (STEP_NEXT);
		}
		sweep->phase = SWEEP_UPLOAD_ABORTED;
		if (job_storage(job, storage_multipart_abort(key,
		    sweep->ids[sweep->upload], job_storage_done, job)) == -1)
			return (STEP_NEXT);
		return (STEP_WAIT);
	case SWEEP_UPLOAD_ABORTED:
	default:
		if (job->storage != STORAGE_OK &&
		    job->storage != STORAGE_NOT_FOUND) {
			sweep_key_done(sweep);
			return (STEP_NEXT);
		}
		log_info("event=upload_aborted key=%s", key);
		sweep->upload++;
		sweep->phase = SWEEP_ABORT_UPLOAD;
		return (STEP_NEXT);
	}
}

/*
 * The list's answer is read before the call is freed: job_storage_done()
 * keeps only the verdict.
 */
static void
sweep_list_done(struct storage_call *call, void *arg)
{
	struct job	*job = arg;
	struct sweep	*sweep = job->data;
	const char	*answer;
	size_t		 len;

	answer = storage_call_answer(call, &len);
	if (storage_call_result(call) == STORAGE_OK && answer != NULL &&
	    s3_xml_uploads(answer, len, sweep_upload_found, sweep) == -1)
		sweep->uploads = -1;

	job_storage_done(call, arg);
}

/* One of the listed uploads; only the key's own (a prefix may match more). */
static void
sweep_upload_found(void *arg, const char *key, const char *id)
{
	struct sweep	*sweep = arg;

	if (sweep->uploads < 0 || strcmp(key, sweep->keys[sweep->index]))
		return;
	if (sweep->uploads == SWEEP_UPLOADS_MAX) {
		sweep->more = 1;
		return;
	}
	(void)kore_strlcpy(sweep->ids[sweep->uploads++], id,
	    sizeof(sweep->ids[0]));
}

static void
sweep_key_done(struct sweep *sweep)
{
	sweep->index++;
	sweep->phase = SWEEP_LIST_UPLOADS;
}
