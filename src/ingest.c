/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * An upload's bytes to S3 as they arrive (ingest.h).
 *
 * A single PUT starts as soon as the object's type is known: until its
 * held-back last byte goes, S3 stores nothing of it, whatever happens to
 * the worker. A multipart upload is made only once the intent that lets
 * the sweeper find it is recorded as well (ingest_go).
 *
 * The plan is made at the start from what the headers say: a file that
 * cannot be larger than one part is one PUT; a larger one (or one that
 * may be) a multipart upload. Parts are filled in order, each in its own
 * buffer of the worker's budget:
 *
 *   - when the file's size is known (a raw body) every part's size is
 *     too, and its PUT starts as soon as it may, reading the buffer as it
 *     fills (storage_put_source pauses while it has sent all there is);
 *   - in a multipart form the size is known only at the file's end, so a
 *     part is sent once it is full and the file goes on, or at the end.
 *
 * A part's buffer goes back to the budget when S3 has answered for it.
 * The single PUT holds its last byte back until the commit: S3 stores a
 * PUT only once it has all of its bytes, so an upload refused after its
 * bytes arrived (a duplicate, a broken trailer) never appears.
 *
 * What a client sends when there is no buffer for it (none free in the
 * budget, or the part before still on its way) waits in a small spill,
 * and the owner stops reading until INGEST_EV_RESUME. The owner runs
 * the drain from its own timer: a buffer is given back from inside a
 * curl callback of another upload, and nothing should be read there.
 */

#include <string.h>

#include "app.h"
#include "ingest.h"
#include "log.h"
#include "partpool.h"
#include "s3_xml.h"

/*
 * Bytes held while the owner stops reading: the piece being read when
 * it stopped, and the bytes that came with the request's headers.
 */
#define INGEST_SPILL_MAX	(4 * NETBUF_SEND_PAYLOAD_MAX)

/* The single PUT's bytes that wait for the commit. */
#define INGEST_HELD_TAIL	1

#define CONTENT_TYPE_MAX	64

/* Where the multipart upload itself is. */
enum mpu_state {
	MPU_NONE,		/* not made (yet, or a single PUT) */
	MPU_CREATING,
	MPU_CREATED,
	MPU_FAILED
};

struct ingest_part {
	struct ingest		*ing;
	struct partpool_claim	 claim;
	struct storage_source	 src;
	struct storage_call	*call;
	unsigned int		 number;
	size_t			 cap;		/* claimed bytes */
	size_t			 len;		/* bytes in it */
	int			 sized;		/* src.len is its size */
	int			 given;		/* its buffer is there */
	TAILQ_ENTRY(ingest_part) list;
};

struct ingest {
	char			 key[STORAGE_KEY_MAX];
	char			 ctype[CONTENT_TYPE_MAX];
	uint64_t		 length;	/* the size, or a bound */
	int			 known;
	int			 multipart;
	int			 typed;		/* the object's type is known */
	int			 go;		/* the intent is recorded */
	int			 ended;
	int			 committed;
	enum ingest_state	 state;
	enum storage_result	 result;
	ingest_event_fn		 event;
	void			*arg;

	uint64_t		 written;	/* file bytes in parts */
	unsigned int		 parts;		/* parts made */
	TAILQ_HEAD(, ingest_part) open;		/* not answered yet */
	struct ingest_part	*filling;	/* the newest, if open */

	enum mpu_state		 mpu;
	char			 upload_id[S3_XML_ID_MAX + 1];
	struct storage_call	*create;
	struct storage_call	*complete;
	struct storage_call	*abort;

	/* Being aborted: who hears that it is over, and what is left. */
	ingest_aborted_fn	 aborted;
	void			*aborted_arg;
	int			 abort_begun;
	int			 abort_over;
	enum ingest_leftover	 left;
	char			**etags;	/* by part number - 1 */

	int			 holding;
	size_t			 spill_len;
	uint8_t			 spill[INGEST_SPILL_MAX];
};

static void	ingest_take(struct ingest *, const uint8_t *, size_t);
static size_t	ingest_fill(struct ingest *, const uint8_t *, size_t);
static struct ingest_part *ingest_part_new(struct ingest *);
static void	ingest_part_granted(struct partpool_claim *);
static void	ingest_part_seal(struct ingest_part *, size_t);
static void	ingest_part_start(struct ingest_part *);
static void	ingest_part_ready(struct ingest_part *);
static void	ingest_part_done(struct storage_call *, void *);
static void	ingest_part_free(struct ingest_part *);
static void	ingest_start_all(struct ingest *);
static void	ingest_seal_last(struct ingest *);
static void	ingest_create(struct ingest *);
static void	ingest_create_done(struct storage_call *, void *);
static void	ingest_maybe_complete(struct ingest *);
static void	ingest_complete_done(struct storage_call *, void *);
static void	ingest_fail(struct ingest *, enum storage_result,
		    const char *);
static void	ingest_cancel(struct ingest *);
static struct ingest_part *ingest_filling(struct ingest *);
static void	ingest_emit(struct ingest *, enum ingest_event);
static void	ingest_abort_upload(struct ingest *);
static void	ingest_abort_done(struct storage_call *, void *);
static void	ingest_aborted(struct ingest *, enum ingest_leftover);

void
ingest_init(void)
{
	partpool_init(INGEST_BUDGET);
}

struct ingest *
ingest_new(const char *key, uint64_t length, int known, ingest_event_fn fn,
    void *arg)
{
	struct ingest	*ing;

	ing = kore_calloc(1, sizeof(*ing));
	(void)kore_strlcpy(ing->key, key, sizeof(ing->key));
	ing->length = length;
	ing->known = known;
	ing->multipart = (length > STORAGE_PART_MIN);
	ing->event = fn;
	ing->arg = arg;
	ing->state = INGEST_RUNNING;
	TAILQ_INIT(&ing->open);

	/* The first buffer is asked for now: bytes come with the headers. */
	if (length > 0)
		(void)ingest_part_new(ing);

	return (ing);
}

void
ingest_type(struct ingest *ing, const char *content_type)
{
	if (ing->typed || ing->state != INGEST_RUNNING)
		return;

	ing->typed = 1;
	(void)kore_strlcpy(ing->ctype, content_type, sizeof(ing->ctype));

	if (!ing->multipart)
		ingest_start_all(ing);
	else
		ingest_create(ing);
}

void
ingest_go(struct ingest *ing)
{
	if (ing->go || ing->state != INGEST_RUNNING)
		return;

	ing->go = 1;
	if (ing->multipart)
		ingest_create(ing);
}

/* The multipart upload, once both the intent and the type are there. */
static void
ingest_create(struct ingest *ing)
{
	if (!ing->go || !ing->typed || ing->mpu != MPU_NONE)
		return;

	ing->mpu = MPU_CREATING;
	ing->create = storage_multipart_create(ing->key, ing->ctype,
	    ingest_create_done, ing);
	if (ing->create == NULL) {
		ing->mpu = MPU_FAILED;
		ingest_fail(ing, STORAGE_UNAVAILABLE, "create");
	}
}

void
ingest_write(struct ingest *ing, const uint8_t *p, size_t n)
{
	if (ing->state != INGEST_RUNNING || n == 0)
		return;

	/* Behind held bytes: in order, after them. */
	if (ing->spill_len > 0) {
		ingest_take(ing, p, n);
		return;
	}

	(void)ingest_fill(ing, p, n);
}

int
ingest_holding(const struct ingest *ing)
{
	return (ing->holding);
}

int
ingest_drain(struct ingest *ing)
{
	if (ing->state != INGEST_RUNNING)
		return (0);

	if (ing->spill_len > 0)
		(void)ingest_fill(ing, NULL, 0);
	if (ing->spill_len == 0) {
		ing->holding = 0;
		if (ing->ended)
			ingest_seal_last(ing);
	}

	return (ing->holding);
}

void
ingest_end(struct ingest *ing)
{
	ing->ended = 1;
	if (ing->spill_len == 0)
		ingest_seal_last(ing);
}

void
ingest_commit(struct ingest *ing)
{
	struct ingest_part	*part;

	if (ing->state != INGEST_RUNNING || ing->committed)
		return;
	ing->committed = 1;

	if (ing->multipart) {
		ingest_maybe_complete(ing);
		return;
	}

	/* The held-back byte goes: S3 stores the object when it has it. */
	TAILQ_FOREACH(part, &ing->open, list)
		ingest_part_ready(part);
}

int
ingest_committed(const struct ingest *ing)
{
	return (ing->committed);
}

enum ingest_state
ingest_state(const struct ingest *ing, enum storage_result *result)
{
	if (result != NULL)
		*result = ing->result;

	return (ing->state);
}

void
ingest_abort(struct ingest *ing, ingest_aborted_fn fn, void *arg)
{
	enum ingest_leftover	left;
	struct storage_call	*create;

	ing->event = NULL;
	ing->aborted = fn;
	ing->aborted_arg = arg;

	/* Asked again (its owner changed): it goes on, or it is over. */
	if (ing->abort_over) {
		ingest_aborted(ing, ing->left);
		return;
	}
	if (ing->abort_begun)
		return;
	ing->abort_begun = 1;

	/*
	 * A single PUT cut before its last byte stores nothing; one whose
	 * commit had begun may have, as may a completion under way.
	 */
	left = INGEST_NOTHING;
	if (!ing->multipart && ing->committed && ing->state != INGEST_FAILED)
		left = INGEST_UNKNOWN;
	if (ing->complete != NULL || (ing->multipart && ing->committed &&
	    ing->state == INGEST_DONE))
		left = INGEST_UNKNOWN;
	ing->state = INGEST_FAILED;

	/* A multipart upload being made is waited for, then aborted. */
	create = ing->create;
	ing->create = NULL;
	ingest_cancel(ing);
	ing->create = create;

	if (left == INGEST_UNKNOWN) {
		ingest_aborted(ing, left);
		return;
	}
	if (ing->mpu == MPU_CREATING)
		return;
	if (ing->mpu == MPU_CREATED) {
		ingest_abort_upload(ing);
		return;
	}
	ingest_aborted(ing, INGEST_NOTHING);
}

void
ingest_free(struct ingest *ing)
{
	unsigned int	i;

	if (ing == NULL)
		return;

	ing->aborted = NULL;
	ingest_cancel(ing);
	if (ing->abort != NULL) {
		storage_call_free(ing->abort);
		ing->abort = NULL;
	}
	for (i = 0; i < ing->parts && ing->etags != NULL; i++)
		kore_free(ing->etags[i]);
	kore_free(ing->etags);
	kore_free(ing);
}

/* Hold bytes there is no buffer for yet; the owner stops reading. */
static void
ingest_take(struct ingest *ing, const uint8_t *p, size_t n)
{
	if (n > sizeof(ing->spill) - ing->spill_len) {
		ingest_fail(ing, STORAGE_UNAVAILABLE, "spill_full");
		return;
	}

	memcpy(ing->spill + ing->spill_len, p, n);
	ing->spill_len += n;
	ing->holding = 1;
}

/*
 * Put bytes into parts: the spill's first (p == NULL), else p's. What
 * does not fit waits in the spill. Returns how many went into parts.
 */
static size_t
ingest_fill(struct ingest *ing, const uint8_t *p, size_t n)
{
	struct ingest_part	*part;
	const uint8_t		*from;
	size_t			 left, k, took;
	int			 spill;

	spill = (p == NULL);
	from = spill ? ing->spill : p;
	left = spill ? ing->spill_len : n;
	took = 0;

	while (left > 0 && ing->state == INGEST_RUNNING) {
		part = ingest_filling(ing);
		if (part == NULL || part->len == part->cap) {
			/*
			 * Full (or already answered), and the file goes on: in
			 * a form the part is a whole one now; then the next.
			 */
			if (part != NULL && !part->sized)
				ingest_part_seal(part, part->len);
			part = ingest_part_new(ing);
		}
		if (part == NULL || !part->given)
			break;

		k = part->cap - part->len;
		if (k > left)
			k = left;
		memcpy(part->claim.buf + part->len, from + took, k);
		part->len += k;
		ing->written += k;
		took += k;
		left -= k;
		ingest_part_ready(part);
	}

	if (spill) {
		memmove(ing->spill, ing->spill + took, ing->spill_len - took);
		ing->spill_len -= took;
		ing->holding = (ing->spill_len > 0);
	} else if (left > 0 && ing->state == INGEST_RUNNING) {
		ingest_take(ing, p + took, left);
	}

	return (took);
}

/* The part bytes go into now, or NULL: none, or it was answered. */
static struct ingest_part *
ingest_filling(struct ingest *ing)
{
	return (ing->filling);
}

/*
 * The next part, with a claim on a buffer for it: as large as a part, or
 * as what is left of the file (or of its bound). NULL when the file can
 * hold no more (its bound says so) or the last part is not done with.
 */
static struct ingest_part *
ingest_part_new(struct ingest *ing)
{
	struct ingest_part	*part;
	uint64_t		 left;
	int			 r;

	left = ing->length - ing->written;
	if (left == 0) {
		ingest_fail(ing, STORAGE_FAILED, "beyond_length");
		return (NULL);
	}

	part = kore_calloc(1, sizeof(*part));
	part->ing = ing;
	part->number = ++ing->parts;
	part->cap = left < STORAGE_PART_MIN ? (size_t)left : STORAGE_PART_MIN;
	part->claim.granted = ingest_part_granted;
	part->claim.arg = part;
	TAILQ_INSERT_TAIL(&ing->open, part, list);
	ing->filling = part;

	ing->etags = kore_realloc(ing->etags, ing->parts * sizeof(char *));
	ing->etags[part->number - 1] = NULL;

	/* A known size makes every part's size known from the start. */
	if (ing->known)
		ingest_part_seal(part, part->cap);

	r = partpool_claim(&part->claim, part->cap);
	if (r == -1) {
		ingest_fail(ing, STORAGE_UNAVAILABLE, "no_memory");
		return (NULL);
	}
	if (r == 0) {
		part->given = 1;
		part->src.data = part->claim.buf;
		if (part->sized)
			ingest_part_start(part);
	}

	return (part);
}

/* A buffer came free (from another upload's release): tell the owner. */
static void
ingest_part_granted(struct partpool_claim *claim)
{
	struct ingest_part	*part = claim->arg;
	struct ingest		*ing = part->ing;

	if (claim->buf == NULL) {
		ingest_fail(ing, STORAGE_UNAVAILABLE, "no_memory");
		return;
	}

	part->given = 1;
	part->src.data = claim->buf;
	if (part->sized)
		ingest_part_start(part);
	ingest_emit(ing, INGEST_EV_RESUME);
}

/* The part's size is known: its PUT may start. */
static void
ingest_part_seal(struct ingest_part *part, size_t size)
{
	part->sized = 1;
	part->src.len = size;
	if (part->given)
		ingest_part_start(part);
}

/* The PUT of a part whose size is known, once S3 may have bytes. */
static void
ingest_part_start(struct ingest_part *part)
{
	struct ingest	*ing = part->ing;

	if (part->call != NULL || !part->sized || !part->given ||
	    !ing->typed || ing->state != INGEST_RUNNING)
		return;
	if (ing->multipart && ing->mpu != MPU_CREATED)
		return;

	ingest_part_ready(part);
	part->call = storage_put_source(ing->key, ing->multipart ?
	    ing->upload_id : NULL, part->number, &part->src, ing->ctype,
	    ingest_part_done, part);
	if (part->call == NULL)
		ingest_fail(ing, STORAGE_UNAVAILABLE, "put");
}

/* What of the part may be sent now; a paused PUT goes on. */
static void
ingest_part_ready(struct ingest_part *part)
{
	struct ingest	*ing = part->ing;
	size_t		 ready;

	ready = part->len;
	if (!ing->multipart && !ing->committed && part->sized &&
	    ready > part->src.len - INGEST_HELD_TAIL)
		ready = part->src.len - INGEST_HELD_TAIL;
	part->src.ready = ready;

	storage_source_more(part->call);
}

static void
ingest_part_done(struct storage_call *call, void *arg)
{
	struct ingest_part	*part = arg;
	struct ingest		*ing = part->ing;
	enum storage_result	 result;
	const char		*etag;

	result = storage_call_result(call);
	etag = storage_call_etag(call);
	part->call = NULL;

	if (result != STORAGE_OK || (ing->multipart && etag[0] == '\0')) {
		log_warn("event=upload_part_failed part=%u status=%ld",
		    part->number, storage_call_status(call));
		storage_call_free(call);
		ingest_fail(ing, result == STORAGE_OK ? STORAGE_FAILED :
		    result, "part");
		return;
	}

	ing->etags[part->number - 1] = kore_strdup(etag);
	storage_call_free(call);
	TAILQ_REMOVE(&ing->open, part, list);
	ingest_part_free(part);

	if (!ing->multipart) {
		/* The one PUT has ended: that was the commit. */
		ing->state = INGEST_DONE;
		ingest_emit(ing, INGEST_EV_CHANGED);
		return;
	}
	ingest_maybe_complete(ing);
}

static void
ingest_part_free(struct ingest_part *part)
{
	if (part->ing->filling == part)
		part->ing->filling = NULL;
	if (part->call != NULL)
		storage_call_free(part->call);
	partpool_release(&part->claim);
	kore_free(part);
}

/* Every part whose size is known and has a buffer, now that it may. */
static void
ingest_start_all(struct ingest *ing)
{
	struct ingest_part	*part, *next;

	for (part = TAILQ_FIRST(&ing->open); part != NULL; part = next) {
		next = TAILQ_NEXT(part, list);
		ingest_part_start(part);
		if (ing->state != INGEST_RUNNING)
			return;
	}
}

/* The file has ended: its last part's size is what it holds. */
static void
ingest_seal_last(struct ingest *ing)
{
	struct ingest_part	*part;

	part = ingest_filling(ing);
	if (part != NULL && !part->sized && part->len > 0)
		ingest_part_seal(part, part->len);
	if (ing->multipart)
		ingest_maybe_complete(ing);
}

static void
ingest_create_done(struct storage_call *call, void *arg)
{
	struct ingest		*ing = arg;
	enum ingest_leftover	 left;
	const char		*answer;
	size_t			 len;

	ing->create = NULL;
	answer = storage_call_answer(call, &len);

	if (ing->aborted != NULL) {
		/* Made while the upload was given up: abort it at once. */
		if (storage_call_result(call) != STORAGE_OK || answer == NULL ||
		    s3_xml_upload_id(answer, len, ing->upload_id,
		    sizeof(ing->upload_id)) == -1) {
			left = storage_call_result(call) == STORAGE_OK ?
			    INGEST_NOTHING : INGEST_UNKNOWN;
			storage_call_free(call);
			ing->mpu = MPU_FAILED;
			ingest_aborted(ing, left);
			return;
		}
		storage_call_free(call);
		ing->mpu = MPU_CREATED;
		ingest_abort_upload(ing);
		return;
	}

	if (storage_call_result(call) != STORAGE_OK || answer == NULL ||
	    s3_xml_upload_id(answer, len, ing->upload_id,
	    sizeof(ing->upload_id)) == -1) {
		ing->mpu = MPU_FAILED;
		ingest_fail(ing, storage_call_result(call) == STORAGE_OK ?
		    STORAGE_FAILED : storage_call_result(call), "create");
		storage_call_free(call);
		return;
	}
	storage_call_free(call);

	ing->mpu = MPU_CREATED;
	ingest_start_all(ing);
}

/* All parts answered, the file whole, the upload accepted: complete it. */
static void
ingest_maybe_complete(struct ingest *ing)
{
	char	*body;
	size_t	 len;

	if (!ing->committed || !ing->ended || ing->spill_len > 0 ||
	    !TAILQ_EMPTY(&ing->open) || ing->complete != NULL ||
	    ing->state != INGEST_RUNNING || ing->mpu != MPU_CREATED)
		return;

	if ((body = s3_xml_complete((const char *const *)ing->etags,
	    ing->parts, &len)) == NULL) {
		ingest_fail(ing, STORAGE_FAILED, "complete_body");
		return;
	}
	ing->complete = storage_multipart_complete(ing->key, ing->upload_id,
	    body, len, ingest_complete_done, ing);
	free(body);
	if (ing->complete == NULL)
		ingest_fail(ing, STORAGE_UNAVAILABLE, "complete");
}

static void
ingest_complete_done(struct storage_call *call, void *arg)
{
	struct ingest		*ing = arg;
	enum storage_result	 result;

	ing->complete = NULL;
	result = storage_call_result(call);
	storage_call_free(call);

	if (result != STORAGE_OK) {
		ingest_fail(ing, result, "complete");
		return;
	}

	ing->state = INGEST_DONE;
	ingest_emit(ing, INGEST_EV_CHANGED);
}

static void
ingest_fail(struct ingest *ing, enum storage_result result,
    const char *reason)
{
	if (ing->state != INGEST_RUNNING)
		return;

	log_warn("event=upload_storage_failed reason=%s key=%s", reason,
	    ing->key);
	ing->result = result;
	ing->state = INGEST_FAILED;
	ing->holding = 0;
	ingest_emit(ing, INGEST_EV_CHANGED);
}

/* End every transfer and give every buffer back; the upload id stays. */
static void
ingest_cancel(struct ingest *ing)
{
	struct ingest_part	*part;

	while ((part = TAILQ_FIRST(&ing->open)) != NULL) {
		TAILQ_REMOVE(&ing->open, part, list);
		ingest_part_free(part);
	}
	if (ing->create != NULL) {
		storage_call_free(ing->create);
		ing->create = NULL;
	}
	if (ing->complete != NULL) {
		storage_call_free(ing->complete);
		ing->complete = NULL;
	}
	ing->spill_len = 0;
	ing->holding = 0;
}

static void
ingest_emit(struct ingest *ing, enum ingest_event ev)
{
	if (ing->event != NULL)
		ing->event(ing->arg, ev);
}

/* DELETE ?uploadId=: the parts S3 holds go. */
static void
ingest_abort_upload(struct ingest *ing)
{
	ing->abort = storage_multipart_abort(ing->key, ing->upload_id,
	    ingest_abort_done, ing);
	if (ing->abort == NULL)
		ingest_aborted(ing, INGEST_UNKNOWN);
}

static void
ingest_abort_done(struct storage_call *call, void *arg)
{
	struct ingest		*ing = arg;
	enum storage_result	 result;

	ing->abort = NULL;
	result = storage_call_result(call);
	storage_call_free(call);

	ingest_aborted(ing, (result == STORAGE_OK ||
	    result == STORAGE_NOT_FOUND) ? INGEST_NOTHING : INGEST_UNKNOWN);
}

static void
ingest_aborted(struct ingest *ing, enum ingest_leftover left)
{
	ingest_aborted_fn	fn = ing->aborted;

	ing->left = left;
	ing->abort_over = 1;
	ing->aborted = NULL;
	if (fn != NULL)
		fn(ing->aborted_arg, left);
}
