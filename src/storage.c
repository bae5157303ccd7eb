/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * S3 object storage over Kore's async curl, path-style, every request
 * signed with SigV4 (sigv4.c). Each call is an object that reports its end
 * through the callback it was started with (storage.h); this file knows
 * nothing of jobs or requests. Uploads are read from memory the caller
 * keeps; downloads are relayed to a client connection as they arrive, so a
 * worker never holds a whole file: while the client's send queue is full
 * the S3 transfer is ended, and a ranged GET takes it up again from the
 * next byte once the queue has drained (curl 7.88 spins on a paused
 * transfer, see relay_write()). A client that stops reading is let go.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/sockios.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/curl.h>

#include "buf.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "quickack.h"
#include "s3_xml.h"
#include "sigv4.h"
#include "storage.h"

#define S3_SERVICE		"s3"

/* SHA-256 of the empty string: the payload hash of a bodiless request. */
#define EMPTY_SHA256	\
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Bounded waits: nothing may hang a request on a silent S3. */
#define CONNECT_TIMEOUT_MS	5000L
#define SMALL_TIMEOUT_S		30L
#define PUT_TIMEOUT_S		600L
#define STALL_BYTES_PER_S	1L
#define STALL_SECONDS		30L

/*
 * Relay flow control: end the S3 transfer once this much is queued for
 * the client, take it up again when the queue has drained below the low
 * mark. Between them lies what one ranged GET relays to a slow client.
 */
#define RELAY_HIGH_WATER	(1024 * 1024)
#define RELAY_LOW_WATER		(256 * 1024)

/*
 * What curl reads from S3 in one go, and so the largest relayed chunk:
 * fewer, larger chunks mean fewer system calls per megabyte.
 */
#define RELAY_BUFFER_SIZE	(64 * 1024L)

/*
 * A client that has taken no byte of a relayed body for this long is let
 * go. Neither curl nor Kore sees it: there is no S3 transfer while the
 * client's queue is full, and Kore skips its timeouts while output is
 * queued. The check runs once a second for every relay of the worker.
 */
#define RELAY_STALL_MS		60000
#define RELAY_CHECK_MS		1000

/* An error body from S3 is read only this far (it is logged, not sent). */
#define ERROR_BODY_MAX		4096

#define URL_MAX			8192
#define SIGNED_HEADERS_MAX	4

/* What of S3's XML answers is kept: an id, or a list of uploads. */
#define ANSWER_SMALL_MAX	(16 * 1024)
#define ANSWER_LIST_MAX		(256 * 1024)

#define ETAG_HEADER		"etag:"
#define PART_NUMBER_TEXT_MAX	12
#define XML_CONTENT_TYPE	"application/xml"

/* A query parameter with no value: "?uploads". */
#define QUERY_UPLOADS		"uploads"
#define QUERY_UPLOAD_ID		"uploadId"
#define QUERY_PART_NUMBER	"partNumber"
#define QUERY_PREFIX		"prefix"

/* What a call asks of S3; the strings are the caller's, raw. */
struct storage_request {
	enum metrics_storage_op	 op;	/* what the metrics call it */
	const char		*method;
	const char		*key;		/* NULL: the bucket itself */
	const struct sigv4_pair	*query;
	size_t			 query_count;
	const char		*payload_hash;
	const char		*range;
	const char		*content_type;
};

/* "bytes=" and two 64-bit numbers. */
#define RANGE_HEADER_MAX	64

/* The state of one call, owned by its caller until storage_call_free(). */
struct storage_call {
	struct kore_curl	 curl;
	enum metrics_storage_op	 op;
	u_int64_t		 started_us;
	int			 client_gone;	/* not S3's failure */
	const char		*method;
	storage_done_fn		 done;
	void			*arg;
	enum storage_result	 result;
	long			 status;
	int			 lost;
	char			 key[STORAGE_KEY_MAX];

	/* PUT: the bytes to send, borrowed from the caller. */
	const u_int8_t		*body;
	size_t			 body_len;
	size_t			 body_off;
	size_t			 discarded;

	/* GET into memory (storage_fetch), at most fetched.max bytes. */
	struct buf		 fetched;
	/* A PUT of bytes still arriving, paused while it has sent them all. */
	struct storage_source	*source;
	int			 source_paused;

	/* S3's answer kept for the caller (XML), and its ETag. */
	struct kore_buf		*answer;
	size_t			 answer_max;
	char			 etag[STORAGE_ETAG_MAX + 1];

	/* A POST body the call owns. */
	u_int8_t		*post;

	/* Its caller is gone: curl ends it, and it goes (storage_orphan). */
	int			 orphan;

	/* GET relay: the bytes asked for, and how far it has come. */
	struct storage_relay	*relay;
	struct storage_range	 range;
	int			 ranged;
	size_t			 queued;	/* in our send queue */
	size_t			 relayed;	/* handed to the queue */
	size_t			 delivered;	/* last seen taken */
	u_int64_t		 progress_at;
	int			 suspending;	/* end the transfer now */
	int			 suspended;	/* ended, to be taken up */
	int			 resumed;	/* a taken-up transfer */
	struct kore_timer	*resume;
	int			 close_after;
	TAILQ_ENTRY(storage_call) relays;
};

/* A relayed chunk on the connection's send queue. */
struct relay_chunk {
	struct storage_call	*call;
	size_t			 len;
	u_int8_t		 data[];
};

static struct storage_call	*storage_start(const struct storage_request *,
				    storage_done_fn, void *);
static int	storage_prepare(struct storage_call *,
		    const struct storage_request *);
static int	storage_sign(struct kore_curl *, const struct storage_request *,
		    const char *);
static void	storage_capture(struct storage_call *, size_t);
static size_t	storage_collect(char *, size_t, size_t, void *);
static size_t	storage_source_read(char *, size_t, size_t, void *);
static void	storage_etag(struct storage_call *, const char *, size_t);
static void	storage_orphan(struct storage_call *);
static void	storage_destroy(struct storage_call *);
static void	storage_run(struct storage_call *);
static void	storage_end(struct storage_call *);
static void	storage_count(const struct storage_call *, int);
static void	storage_curl_release(struct storage_call *);
static void	storage_classify(struct storage_call *);
static size_t	storage_read(char *, size_t, size_t, void *);
static size_t	storage_discard(char *, size_t, size_t, void *);
static size_t	storage_header(char *, size_t, size_t, void *);
static void	storage_curl_done(struct kore_curl *, void *);
static void	storage_kick(void);
static void	storage_kicked(void *, u_int64_t);

static size_t	fetch_write(char *, size_t, size_t, void *);

static size_t	relay_write(char *, size_t, size_t, void *);
static int	relay_sent(struct netbuf *);
static void	relay_finish(struct storage_call *);
static void	relay_detach(struct storage_call *);
static void	relay_conn_gone(struct connection *);
static void	relay_lost(struct storage_call *);
static int	relay_get(struct storage_call *);
static void	relay_suspended(struct storage_call *);
static void	relay_resume(void *, u_int64_t);
static void	relay_check(void *, u_int64_t);
static size_t	relay_delivered(const struct storage_call *);
static void	relay_stalled(struct storage_call *);

static const struct config	*settings;
static struct kore_timer	*kick;

/* Inside a curl callback, where no transfer may be removed. */
static int			 relay_in_curl;

/* The relays in flight, for the stall check. */
static TAILQ_HEAD(, storage_call)	relays =
				    TAILQ_HEAD_INITIALIZER(relays);

/* Path-style URLs start with the endpoint's own path prefix, if any. */
static char	storage_origin[URL_MAX];
static char	storage_prefix[URL_MAX];

void
storage_init(const struct config *config)
{
	const struct s3_endpoint	*ep = &config->s3;
	int				 n;

	settings = config;

	n = snprintf(storage_origin, sizeof(storage_origin), "%s://%s",
	    ep->scheme, ep->host);
	if (n < 0 || (size_t)n >= sizeof(storage_origin))
		fatalx("S3_ENDPOINT_URL is too long");

	/* base_url is origin + prefix, by construction in config.c. */
	if (strncmp(ep->base_url, storage_origin, (size_t)n))
		fatalx("S3_ENDPOINT_URL: unexpected base URL form");
	(void)kore_strlcpy(storage_prefix, ep->base_url + n,
	    sizeof(storage_prefix));

	(void)kore_timer_add(relay_check, RELAY_CHECK_MS, NULL, 0);
}

/* Object keys are ours alone: a fixed prefix and the reaction's id. */
void
storage_object_key(const char *id, char *out, size_t outlen)
{
	int	n;

	n = snprintf(out, outlen, "%s%s", STORAGE_KEY_PREFIX, id);
	if (n < 0 || (size_t)n >= outlen)
		fatalx("storage_object_key: key too long");
}

struct storage_call *
storage_put(const char *key, const void *data, size_t len,
    const char *sha256_hex, const char *content_type, storage_done_fn done,
    void *arg)
{
	struct storage_request	 sr;
	struct storage_call	*call;
	CURL			*h;

	memset(&sr, 0, sizeof(sr));
	sr.op = METRICS_OP_PUT;
	sr.method = "PUT";
	sr.key = key;
	sr.payload_hash = sha256_hex;
	sr.content_type = content_type;
	if ((call = storage_start(&sr, done, arg)) == NULL)
		return (NULL);

	call->body = data;
	call->body_len = len;

	h = call->curl.handle;
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, storage_read);
	curl_easy_setopt(h, CURLOPT_READDATA, call);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, PUT_TIMEOUT_S);

	storage_run(call);
	return (call);
}

struct storage_call *
storage_delete(const char *key, storage_done_fn done, void *arg)
{
	struct storage_request	 sr;
	struct storage_call	*call;

	memset(&sr, 0, sizeof(sr));
	sr.op = METRICS_OP_DELETE;
	sr.method = "DELETE";
	sr.key = key;
	sr.payload_hash = EMPTY_SHA256;
	if ((call = storage_start(&sr, done, arg)) == NULL)
		return (NULL);

	curl_easy_setopt(call->curl.handle, CURLOPT_CUSTOMREQUEST, "DELETE");
	storage_run(call);
	return (call);
}

struct storage_call *
storage_head_bucket(storage_done_fn done, void *arg)
{
	struct storage_request	 sr;
	struct storage_call	*call;

	memset(&sr, 0, sizeof(sr));
	sr.op = METRICS_OP_HEAD_BUCKET;
	sr.method = "HEAD";
	sr.payload_hash = EMPTY_SHA256;
	if ((call = storage_start(&sr, done, arg)) == NULL)
		return (NULL);

	curl_easy_setopt(call->curl.handle, CURLOPT_NOBODY, 1L);
	storage_run(call);
	return (call);
}

/*
 * Fetch an object (its bytes range->first to range->last, or the whole
 * object for NULL) and relay its body to the relay's connection as it
 * arrives.
 */
struct storage_call *
storage_get(const char *key, const struct storage_range *range,
    struct storage_relay *relay, storage_done_fn done, void *arg)
{
	struct storage_call	*call;

	/* One relay a connection: the head marks it busy until the end. */
	if (relay->conn->disconnect != NULL) {
		log_error("event=storage_error reason=relay_busy");
		return (NULL);
	}

	call = kore_calloc(1, sizeof(*call));
	call->op = METRICS_OP_GET;
	call->started_us = metrics_now_us();
	call->method = "GET";
	call->done = done;
	call->arg = arg;
	call->result = STORAGE_UNAVAILABLE;
	if (kore_strlcpy(call->key, key, sizeof(call->key)) >=
	    sizeof(call->key)) {
		log_error("event=storage_error reason=key_too_long");
		kore_free(call);
		return (NULL);
	}
	if (range != NULL) {
		call->range = *range;
		call->ranged = 1;
	}

	if (relay_get(call) == -1) {
		storage_count(call, 1);
		kore_free(call);
		return (NULL);
	}

	relay->conn->disconnect = relay_conn_gone;
	call->relay = relay;
	call->progress_at = kore_time_ms();
	TAILQ_INSERT_TAIL(&relays, call, relays);

	storage_run(call);
	return (call);
}

/*
 * Fetch a whole object into memory, for a worker that must decode it: at
 * most max bytes (a larger object ends the call as STORAGE_FAILED), taken
 * from the call with storage_call_take_body() once it has ended.
 */
struct storage_call *
storage_fetch(const char *key, size_t max, storage_done_fn done, void *arg)
{
	struct storage_request	 sr;
	struct storage_call	*call;
	CURL			*h;

	memset(&sr, 0, sizeof(sr));
	sr.op = METRICS_OP_FETCH;
	sr.method = "GET";
	sr.key = key;
	sr.payload_hash = EMPTY_SHA256;
	if ((call = storage_start(&sr, done, arg)) == NULL)
		return (NULL);

	buf_init(&call->fetched, max, 0);
	h = call->curl.handle;
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, RELAY_BUFFER_SIZE);

	storage_run(call);
	return (call);
}

/*
 * A PUT whose body arrives while it is sent (the object, or one part of a
 * multipart upload when upload_id is given): src->len bytes, of which
 * src->data[0..src->ready) may go now. The transfer pauses when it has
 * sent all that is ready; storage_source_more() resumes it. Its payload
 * is not hashed for the signature (UNSIGNED-PAYLOAD): the bytes are not
 * all there when the request is signed.
 */
struct storage_call *
storage_put_source(const char *key, const char *upload_id,
    unsigned int part, struct storage_source *src, const char *content_type,
    storage_done_fn done, void *arg)
{
	struct storage_request	 sr;
	struct sigv4_pair	 query[2];
	struct storage_call	*call;
	char			 number[PART_NUMBER_TEXT_MAX];
	CURL			*h;
	int			 n;

	memset(&sr, 0, sizeof(sr));
	sr.op = upload_id != NULL ? METRICS_OP_PUT_PART : METRICS_OP_PUT;
	sr.method = "PUT";
	sr.key = key;
	sr.payload_hash = SIGV4_UNSIGNED_PAYLOAD;
	if (upload_id != NULL) {
		n = snprintf(number, sizeof(number), "%u", part);
		if (n < 0 || (size_t)n >= sizeof(number))
			return (NULL);
		query[0].name = QUERY_PART_NUMBER;
		query[0].value = number;
		query[1].name = QUERY_UPLOAD_ID;
		query[1].value = upload_id;
		sr.query = query;
		sr.query_count = 2;
	} else {
		sr.content_type = content_type;
	}
	if ((call = storage_start(&sr, done, arg)) == NULL)
		return (NULL);

	call->source = src;
	h = call->curl.handle;
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)src->len);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, storage_source_read);
	curl_easy_setopt(h, CURLOPT_READDATA, call);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, PUT_TIMEOUT_S);

	storage_run(call);
	return (call);
}

/* The fetched bytes (malloc'd, the caller's now), or NULL. */
uint8_t *
storage_call_take_body(struct storage_call *call, size_t *len)
{
	char		*body;

	*len = 0;
	if (call->result != STORAGE_OK || call->fetched.data == NULL)
		return (NULL);
	if (buf_finish(&call->fetched, &body, len) == -1)
		return (NULL);

	return ((uint8_t *)body);
}

/* More of the source is ready: a transfer paused for it goes on. */
void
storage_source_more(struct storage_call *call)
{
	if (call == NULL || call->orphan || !call->source_paused ||
	    call->curl.handle == NULL ||
	    call->body_off >= call->source->ready)
		return;

	call->source_paused = 0;
	(void)curl_easy_pause(call->curl.handle, CURLPAUSE_CONT);
	storage_kick();
}

/* POST ?uploads: the answer's UploadId is read with s3_xml_upload_id(). */
struct storage_call *
storage_multipart_create(const char *key, const char *content_type,
    storage_done_fn done, void *arg)
{
	struct storage_request	 sr;
	struct sigv4_pair	 query[1];
	struct storage_call	*call;

	query[0].name = QUERY_UPLOADS;
	query[0].value = NULL;

	memset(&sr, 0, sizeof(sr));
	sr.op = METRICS_OP_MULTIPART_CREATE;
	sr.method = "POST";
	sr.key = key;
	sr.query = query;
	sr.query_count = 1;
	sr.payload_hash = EMPTY_SHA256;
	sr.content_type = content_type;
	if ((call = storage_start(&sr, done, arg)) == NULL)
		return (NULL);

	curl_easy_setopt(call->curl.handle, CURLOPT_POST, 1L);
	curl_easy_setopt(call->curl.handle, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(call->curl.handle, CURLOPT_POSTFIELDSIZE, 0L);
	storage_capture(call, ANSWER_SMALL_MAX);
	storage_run(call);
	return (call);
}

/*
 * POST ?uploadId= with the parts (s3_xml_complete). S3 may answer 200
 * and still have failed: an <Error> body makes the call unavailable.
 */
struct storage_call *
storage_multipart_complete(const char *key, const char *upload_id,
    const char *body, size_t len, storage_done_fn done, void *arg)
{
	struct storage_request	 sr;
	struct sigv4_pair	 query[1];
	struct storage_call	*call;
	char			 hash[SIGV4_SHA256_HEX_LEN + 1];

	if (sigv4_sha256_hex(body, len, hash) == -1)
		return (NULL);

	query[0].name = QUERY_UPLOAD_ID;
	query[0].value = upload_id;

	memset(&sr, 0, sizeof(sr));
	sr.op = METRICS_OP_MULTIPART_COMPLETE;
	sr.method = "POST";
	sr.key = key;
	sr.query = query;
	sr.query_count = 1;
	sr.payload_hash = hash;
	sr.content_type = XML_CONTENT_TYPE;
	if ((call = storage_start(&sr, done, arg)) == NULL)
		return (NULL);

	call->post = kore_malloc(len + 1);
	memcpy(call->post, body, len);
	curl_easy_setopt(call->curl.handle, CURLOPT_POST, 1L);
	curl_easy_setopt(call->curl.handle, CURLOPT_POSTFIELDS, call->post);
	curl_easy_setopt(call->curl.handle, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)len);
	/* S3 takes its time to assemble the object, well beyond 30 s. */
	curl_easy_setopt(call->curl.handle, CURLOPT_TIMEOUT, PUT_TIMEOUT_S);
	storage_capture(call, ANSWER_SMALL_MAX);
	storage_run(call);
	return (call);
}

/* DELETE ?uploadId=: the parts go; NoSuchUpload is STORAGE_NOT_FOUND. */
struct storage_call *
storage_multipart_abort(const char *key, const char *upload_id,
    storage_done_fn done, void *arg)
{
	struct storage_request	 sr;
	struct sigv4_pair	 query[1];
	struct storage_call	*call;

	query[0].name = QUERY_UPLOAD_ID;
	query[0].value = upload_id;

	memset(&sr, 0, sizeof(sr));
	sr.op = METRICS_OP_MULTIPART_ABORT;
	sr.method = "DELETE";
	sr.key = key;
	sr.query = query;
	sr.query_count = 1;
	sr.payload_hash = EMPTY_SHA256;
	if ((call = storage_start(&sr, done, arg)) == NULL)
		return (NULL);

	curl_easy_setopt(call->curl.handle, CURLOPT_CUSTOMREQUEST, "DELETE");
	storage_run(call);
	return (call);
}

/* GET ?uploads&prefix=: read the answer with s3_xml_uploads(). */
struct storage_call *
storage_multipart_list(const char *prefix, storage_done_fn done, void *arg)
{
	struct storage_request	 sr;
	struct sigv4_pair	 query[2];
	struct storage_call	*call;

	query[0].name = QUERY_UPLOADS;
	query[0].value = NULL;
	query[1].name = QUERY_PREFIX;
	query[1].value = prefix;

	memset(&sr, 0, sizeof(sr));
	sr.op = METRICS_OP_MULTIPART_LIST;
	sr.method = "GET";
	sr.query = query;
	sr.query_count = 2;
	sr.payload_hash = EMPTY_SHA256;
	if ((call = storage_start(&sr, done, arg)) == NULL)
		return (NULL);

	storage_capture(call, ANSWER_LIST_MAX);
	storage_run(call);
	return (call);
}

const char *
storage_call_etag(const struct storage_call *call)
{
	return (call->etag);
}

/* The answer kept (NUL-terminated), or NULL when there is none. */
const char *
storage_call_answer(const struct storage_call *call, size_t *len)
{
	if (call->answer == NULL) {
		*len = 0;
		return (NULL);
	}

	*len = call->answer->offset;
	return ((const char *)call->answer->data);
}

enum storage_result
storage_call_result(const struct storage_call *call)
{
	return (call->result);
}

long
storage_call_status(const struct storage_call *call)
{
	return (call->status);
}

/*
 * Release a call, ended or not: one still in flight reports nothing. A
 * relay cut short leaves its client a body with bytes missing, so that
 * connection is closed, and its transfer is removed at once. Any other
 * transfer under way is left to curl to end (storage_orphan).
 */
void
storage_call_free(struct storage_call *call)
{
	struct connection	*c;

	if (call == NULL)
		return;

	if (call->relay != NULL) {
		c = call->relay->conn;
		relay_detach(call);
		kore_connection_disconnect(c);
	} else if (call->curl.handle != NULL) {
		storage_orphan(call);
		return;
	}

	storage_destroy(call);
}

/*
 * A transfer under way whose caller is gone: not removed from under curl
 * (libcurl 7.88, removing a transfer in the middle of its request,
 * reports to Kore a socket it has already closed, and the worker dies of
 * epoll_ctl's EBADF), but ended by curl itself: a PUT's next read aborts
 * it (a paused one is resumed for that), anything else runs to its end,
 * which its timeouts bound. Then the call goes, saying nothing.
 */
static void
storage_orphan(struct storage_call *call)
{
	call->orphan = 1;
	call->done = NULL;
	call->source = NULL;

	if (call->source_paused) {
		call->source_paused = 0;
		(void)curl_easy_pause(call->curl.handle, CURLPAUSE_CONT);
		storage_kick();
	}
}

static void
storage_destroy(struct storage_call *call)
{
	kore_curl_cleanup(&call->curl);
	buf_free(&call->fetched);
	if (call->answer != NULL)
		kore_buf_free(call->answer);
	kore_free(call->post);
	kore_free(call);
}

static struct storage_call *
storage_start(const struct storage_request *sr, storage_done_fn done,
    void *arg)
{
	struct storage_call	*call;

	call = kore_calloc(1, sizeof(*call));
	call->op = sr->op;
	call->started_us = metrics_now_us();
	call->method = sr->method;
	call->done = done;
	call->arg = arg;
	call->result = STORAGE_UNAVAILABLE;

	if (storage_prepare(call, sr) == -1) {
		storage_count(call, 1);
		kore_free(call);
		return (NULL);
	}

	return (call);
}

/*
 * The call's curl transfer, set up and signed but not started; the
 * method is the call's. Returns 0, or -1 (logged, nothing left to free).
 */
static int
storage_prepare(struct storage_call *call, const struct storage_request *sr)
{
	struct sigv4_request	 q;
	char			 path[URL_MAX], *encoded, *query, url[URL_MAX];
	CURL			*h;
	int			 n;

	if (sr->key != NULL) {
		n = snprintf(path, sizeof(path), "%s/%s/%s", storage_prefix,
		    settings->s3_bucket, sr->key);
	} else {
		n = snprintf(path, sizeof(path), "%s/%s", storage_prefix,
		    settings->s3_bucket);
	}
	if (n < 0 || (size_t)n >= sizeof(path)) {
		log_error("event=storage_error reason=path_too_long");
		return (-1);
	}

	if (sigv4_uri_encode(path, 0, &encoded) == -1) {
		log_error("event=storage_error reason=encode");
		return (-1);
	}

	/* The query goes on the wire exactly as it is signed: canonical. */
	query = NULL;
	if (sr->query_count > 0) {
		memset(&q, 0, sizeof(q));
		q.query = sr->query;
		q.query_count = sr->query_count;
		if (sigv4_canonical_query(&q, &query) == -1) {
			free(encoded);
			log_error("event=storage_error reason=query");
			return (-1);
		}
	}
	n = snprintf(url, sizeof(url), "%s%s%s%s", storage_origin, encoded,
	    query != NULL ? "?" : "", query != NULL ? query : "");
	free(encoded);
	free(query);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		log_error("event=storage_error reason=url_too_long");
		return (-1);
	}

	if (!kore_curl_init(&call->curl, url, KORE_CURL_ASYNC)) {
		log_error("event=storage_error reason=curl_init");
		memset(&call->curl, 0, sizeof(call->curl));
		return (-1);
	}
	kore_curl_bind_callback(&call->curl, storage_curl_done, call);

	/* Headers only (the status line tells us what we need). */
	kore_curl_http_setup(&call->curl, HTTP_METHOD_GET, NULL, 0);

	h = call->curl.handle;
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, storage_discard);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, storage_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, call);
	curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, quickack_sockopt);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, quickack_close);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, SMALL_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, STALL_BYTES_PER_S);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, STALL_SECONDS);
	/* The URL is already encoded exactly as it was signed. */
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);

	if (sr->content_type != NULL)
		kore_curl_http_set_header(&call->curl, "content-type",
		    sr->content_type);

	if (storage_sign(&call->curl, sr, path) == -1) {
		log_error("event=storage_error reason=sign");
		storage_curl_release(call);
		return (-1);
	}

	return (0);
}

static int
storage_sign(struct kore_curl *curl, const struct storage_request *sr,
    const char *path)
{
	struct sigv4_key	 key;
	struct sigv4_request	 sreq;
	struct sigv4_pair	 headers[SIGNED_HEADERS_MAX];
	char			 stamp[SIGV4_TIMESTAMP_LEN + 1], *auth;
	size_t			 count;

	if (sigv4_timestamp(time(NULL), stamp) == -1)
		return (-1);

	count = 0;
	headers[count].name = "host";
	headers[count++].value = settings->s3.host;
	headers[count].name = "x-amz-content-sha256";
	headers[count++].value = sr->payload_hash;
	headers[count].name = "x-amz-date";
	headers[count++].value = stamp;
	if (sr->range != NULL) {
		headers[count].name = "range";
		headers[count++].value = sr->range;
	}

	key.access_key_id = settings->s3_access_key_id;
	key.secret = settings->s3_secret_access_key;
	key.region = settings->s3_region;
	key.service = S3_SERVICE;

	memset(&sreq, 0, sizeof(sreq));
	sreq.method = sr->method;
	sreq.path = path;
	sreq.query = sr->query;
	sreq.query_count = sr->query_count;
	sreq.headers = headers;
	sreq.header_count = count;
	sreq.payload_hash = sr->payload_hash;
	sreq.timestamp = stamp;

	if (sigv4_authorization_header(&key, &sreq, &auth) == -1)
		return (-1);

	kore_curl_http_set_header(curl, "x-amz-content-sha256",
	    sr->payload_hash);
	kore_curl_http_set_header(curl, "x-amz-date", stamp);
	if (sr->range != NULL)
		kore_curl_http_set_header(curl, "range", sr->range);
	kore_curl_http_set_header(curl, "authorization", auth);
	free(auth);

	return (0);
}

/* Hand the prepared transfer to curl and have it started at once. */
static void
storage_run(struct storage_call *call)
{
	kore_curl_run(&call->curl);
	storage_kick();
}

/*
 * The call is over, by curl's word or because its client stalled: settle
 * the relay and report. The callback may free the call.
 */
static void
storage_end(struct storage_call *call)
{
	if (call->relay != NULL)
		relay_finish(call);

	storage_count(call, !call->client_gone &&
	    (call->result == STORAGE_UNAVAILABLE ||
	    call->result == STORAGE_FAILED));
	call->done(call, call->arg);
}

/* One call ended (or could not start), for the metrics. */
static void
storage_count(const struct storage_call *call, int failed)
{
	metrics_storage_call(metrics_self(), call->op, failed,
	    metrics_now_us() - call->started_us);
}

/* Out of curl's multi handle now, and out of reach of a second cleanup. */
static void
storage_curl_release(struct storage_call *call)
{
	kore_curl_cleanup(&call->curl);
	memset(&call->curl, 0, sizeof(call->curl));
}

static void
storage_curl_done(struct kore_curl *curl, void *arg)
{
	struct storage_call	*call = arg;

	(void)curl;

	if (call->orphan) {
		/* Ended by us: counted, but not S3's failure. */
		storage_count(call, 0);
		storage_destroy(call);
		return;
	}

	/*
	 * A relay's transfer that we ended, its client's queue being full
	 * (one that had its last byte before we could is simply done).
	 */
	if (call->suspending && call->relay != NULL &&
	    call->curl.result == CURLE_WRITE_ERROR) {
		relay_suspended(call);
		return;
	}

	storage_classify(call);
	if (call->fetched.failed == BUF_FULL) {
		call->result = STORAGE_FAILED;
		log_warn("event=storage_error method=GET reason=too_large "
		    "max=%zu", call->fetched.max);
	}
	storage_end(call);
}

static void
storage_classify(struct storage_call *call)
{
	struct kore_curl	*curl = &call->curl;

	if (!kore_curl_success(curl)) {
		call->result = STORAGE_UNAVAILABLE;
		log_warn("event=storage_error method=%s reason=\"%s\"",
		    call->method, kore_curl_strerror(curl));
		return;
	}

	call->status = curl->http.status;

	if (curl->http.status >= 200 && curl->http.status < 300) {
		call->result = STORAGE_OK;
		if (call->post != NULL && call->answer != NULL &&
		    s3_xml_is_error((const char *)call->answer->data,
		    call->answer->offset)) {
			call->result = STORAGE_UNAVAILABLE;
			log_warn("event=storage_error method=%s status=%ld "
			    "reason=error_in_answer", call->method,
			    curl->http.status);
		}
	} else if (curl->http.status == HTTP_STATUS_NOT_FOUND) {
		call->result = STORAGE_NOT_FOUND;
	} else if (curl->http.status == HTTP_STATUS_REQUEST_RANGE_INVALID) {
		call->result = STORAGE_RANGE;
	} else if (curl->http.status >= 500) {
		call->result = STORAGE_UNAVAILABLE;
		log_warn("event=storage_error method=%s status=%ld",
		    call->method, curl->http.status);
	} else {
		call->result = STORAGE_FAILED;
		log_warn("event=storage_error method=%s status=%ld",
		    call->method, curl->http.status);
	}
}

static size_t
storage_read(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct storage_call	*call = arg;
	size_t			 len;

	len = size * nmemb;
	if (len > call->body_len - call->body_off)
		len = call->body_len - call->body_off;

	memcpy(ptr, call->body + call->body_off, len);
	call->body_off += len;

	return (len);
}

/* Keep S3's answer, up to max bytes, for the caller to read. */
static void
storage_capture(struct storage_call *call, size_t max)
{
	call->answer = kore_buf_alloc(max < ERROR_BODY_MAX ? max :
	    ERROR_BODY_MAX);
	call->answer_max = max;
	curl_easy_setopt(call->curl.handle, CURLOPT_WRITEFUNCTION,
	    storage_collect);
}

static size_t
storage_collect(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct storage_call	*call = arg;
	size_t			 len;

	len = size * nmemb;
	if (call->answer->offset + len > call->answer_max)
		return (0);

	kore_buf_append(call->answer, ptr, len);
	/* Always a string for the XML readers, the NUL not counted. */
	kore_buf_append(call->answer, "", 1);
	call->answer->offset--;
	return (len);
}

/*
 * curl wants more of a source PUT: what is ready, the end, or a pause
 * until storage_source_more() says there is more.
 */
static size_t
storage_source_read(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct storage_call	*call = arg;
	struct storage_source	*src = call->source;
	size_t			 len;

	if (call->orphan)
		return (CURL_READFUNC_ABORT);
	if (call->body_off >= src->len)
		return (0);
	if (call->body_off >= src->ready) {
		call->source_paused = 1;
		return (CURL_READFUNC_PAUSE);
	}

	len = size * nmemb;
	if (len > src->ready - call->body_off)
		len = src->ready - call->body_off;
	memcpy(ptr, src->data + call->body_off, len);
	call->body_off += len;

	return (len);
}

/* An ETag header, kept as S3 wrote it (quotes and all), for multipart. */
static void
storage_etag(struct storage_call *call, const char *line, size_t len)
{
	size_t	n;

	n = strlen(ETAG_HEADER);
	if (len < n || strncasecmp(line, ETAG_HEADER, n))
		return;

	line += n;
	len -= n;
	while (len > 0 && (line[0] == ' ' || line[0] == '\t')) {
		line++;
		len--;
	}
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
	    line[len - 1] == ' '))
		len--;
	if (len == 0 || len > STORAGE_ETAG_MAX)
		return;

	memcpy(call->etag, line, len);
	call->etag[len] = '\0';
}

/* Bodies we do not relay (S3's XML answers) are dropped, bounded. */
static size_t
storage_discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct storage_call	*call = arg;
	size_t			 len;

	(void)ptr;

	len = size * nmemb;
	call->discarded += len;
	if (call->discarded > ERROR_BODY_MAX && call->relay == NULL &&
	    !strcmp(call->method, "GET"))
		return (0);

	return (len);
}

/*
 * The end of S3's response head: acknowledge it at once. A server that
 * writes its head and its body separately without TCP_NODELAY (Ceph RGW
 * does) holds a small body back until the head is acknowledged (Nagle),
 * and on a connection curl reuses our kernel delays that ACK by up to
 * 40 ms, the whole cost of a small file. curl does not say which socket a
 * transfer uses until it is over, only its local port: quickack.c knows
 * curl's sockets by port. It is a hint, so a failure costs only the wait.
 */
static size_t
storage_header(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct storage_call	*call = arg;
	long			 port;
	size_t			 len;

	len = size * nmemb;
	if (len != 2 || ptr[0] != '\r' || ptr[1] != '\n') {
		storage_etag(call, ptr, len);
		return (len);
	}

	if (curl_easy_getinfo(call->curl.handle, CURLINFO_LOCAL_PORT,
	    &port) == CURLE_OK)
		(void)quickack_port(port);

	return (len);
}

/* A fetched body, kept whole; an error answer is dropped as usual. */
static size_t
fetch_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct storage_call	*call = arg;
	size_t			 len;
	long			 status;

	len = size * nmemb;

	status = 0;
	(void)curl_easy_getinfo(call->curl.handle, CURLINFO_RESPONSE_CODE,
	    &status);
	if (status != HTTP_STATUS_OK)
		return (storage_discard(ptr, size, nmemb, arg));

	/* Past the limit (storage_curl_done logs it) or out of memory: cut. */
	buf_append(&call->fetched, ptr, len);
	if (call->fetched.failed == BUF_NOMEM) {
		log_error("event=storage_error reason=out_of_memory");
		return (0);
	}
	if (call->fetched.failed != BUF_OK)
		return (0);

	return (len);
}

static size_t
relay_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct storage_call	*call = arg;
	struct storage_relay	*relay = call->relay;
	struct connection	*c;
	struct relay_chunk	*chunk;
	struct netbuf		*nb;
	long			 status;
	size_t			 len;

	len = size * nmemb;

	/*
	 * The client went while curl was calling us, or its queue is full:
	 * end the transfer. Not CURL_WRITEFUNC_PAUSE: curl 7.88 keeps a
	 * paused transfer that has socket activity due "now" (fixed in curl
	 * 8.9, PR 13908), and Kore's kore_curl_do_timeout() runs curl for as
	 * long as it is due now: the worker spun there, never to send the
	 * bytes that would have let it resume.
	 */
	if (call->lost || call->suspending)
		return (0);

	if (relay == NULL)
		return (storage_discard(ptr, size, nmemb, arg));

	c = relay->conn;

	/* A ranged GET that takes the body up again answers 206 or nothing. */
	if (call->resumed) {
		call->resumed = 0;
		status = 0;
		(void)curl_easy_getinfo(call->curl.handle,
		    CURLINFO_RESPONSE_CODE, &status);
		if (status != HTTP_STATUS_PARTIAL_CONTENT) {
			log_warn("event=relay_resume_failed status=%ld", status);
			return (0);
		}
	}

	if (!relay->started) {
		relay->started = 1;
		status = 0;
		(void)curl_easy_getinfo(call->curl.handle,
		    CURLINFO_RESPONSE_CODE, &status);
		call->status = status;
		if (relay->on_start(relay->arg, status) == -1) {
			relay_detach(call);
			return (storage_discard(ptr, size, nmemb, arg));
		}
		/*
		 * The head may have asked to close once the queue is empty
		 * (the client said "Connection: close", HTTP/1.0, a drain),
		 * and the queue empties every time the client catches up
		 * with S3: the close waits for the relay's last byte.
		 */
		if (c->flags & CONN_CLOSE_EMPTY) {
			c->flags &= ~CONN_CLOSE_EMPTY;
			call->close_after = 1;
		}
	}

	/*
	 * Not kore_malloc: it maps anything above its pools' sizes with a
	 * fresh mmap(2), four page faults a chunk; malloc reuses the heap.
	 */
	if ((chunk = malloc(sizeof(*chunk) + len)) == NULL) {
		log_error("event=relay_failed reason=out_of_memory");
		relay_in_curl++;
		kore_connection_disconnect(c);
		relay_in_curl--;
		return (0);
	}
	chunk->call = call;
	chunk->len = len;
	memcpy(chunk->data, ptr, len);

	/* The netbuf borrows the chunk; relay_sent frees it. */
	net_send_stream(c, chunk->data, len, relay_sent, &nb);
	nb->extra = chunk;

	call->queued += len;
	call->relayed += len;

	/* Full: the next bytes end the transfer (see above). */
	if (call->queued >= RELAY_HIGH_WATER)
		call->suspending = 1;

	if (net_send_flush(c) == KORE_RESULT_ERROR) {
		/* The client is gone: end the transfer. */
		relay_in_curl++;
		kore_connection_disconnect(c);
		relay_in_curl--;
		return (0);
	}

	return (len);
}

static int
relay_sent(struct netbuf *nb)
{
	struct relay_chunk	*chunk = nb->extra;
	struct storage_call	*call = chunk->call;

	if (call != NULL) {
		call->queued -= chunk->len;
		/* Counted as it goes: a client that leaves first is logged. */
		*call->relay->bytes_out += chunk->len;
		/*
		 * Drained: take the transfer up again, from a timer (this may
		 * run inside one of curl's callbacks, where none may start).
		 */
		if (call->suspended && call->resume == NULL &&
		    call->queued <= RELAY_LOW_WATER) {
			call->resume = kore_timer_add(relay_resume, 0, call,
			    KORE_TIMER_ONESHOT);
		}
	}

	free(chunk);
	return (KORE_RESULT_OK);
}

/*
 * The relay has ended by curl's word: what is still queued is the
 * client's, and a close the relay held back is given back. Detach first:
 * the disconnect below must not find the relay.
 */
static void
relay_finish(struct storage_call *call)
{
	struct storage_relay	*relay = call->relay;
	struct connection	*c = relay->conn;
	int			 close_after;

	*relay->bytes_out += call->queued;
	close_after = call->close_after;
	relay_detach(call);

	if (close_after) {
		c->flags |= CONN_CLOSE_EMPTY;
		if (TAILQ_EMPTY(&c->send_queue))
			kore_connection_disconnect(c);
	}
}

/*
 * Part the relay from its connection: the chunks still queued are sent
 * and freed without the call, and the connection's end no longer
 * concerns it.
 */
static void
relay_detach(struct storage_call *call)
{
	struct connection	*c = call->relay->conn;
	struct netbuf		*nb;

	TAILQ_FOREACH(nb, &c->send_queue, list) {
		if (nb->cb == relay_sent)
			((struct relay_chunk *)nb->extra)->call = NULL;
	}

	if (call->resume != NULL) {
		kore_timer_remove(call->resume);
		call->resume = NULL;
	}

	c->disconnect = NULL;
	TAILQ_REMOVE(&relays, call, relays);
	call->relay = NULL;
	call->queued = 0;
	call->close_after = 0;
}

/*
 * Kore is closing a connection a relay writes to (the client left, was
 * let go, or a send failed): the relay ends now, while the connection is
 * still there to part from. Kore frees it later without a word to us.
 */
static void
relay_conn_gone(struct connection *c)
{
	struct storage_call	*call, *next;

	for (call = TAILQ_FIRST(&relays); call != NULL; call = next) {
		next = TAILQ_NEXT(call, relays);
		if (call->relay->conn == c)
			relay_lost(call);
	}
}

static void
relay_lost(struct storage_call *call)
{
	relay_detach(call);
	call->result = STORAGE_UNAVAILABLE;
	call->client_gone = 1;

	/*
	 * Inside one of curl's callbacks the transfer may not be removed:
	 * the next write refuses, and curl ends it and reports.
	 */
	if (relay_in_curl > 0) {
		call->lost = 1;
		return;
	}

	storage_curl_release(call);
	storage_end(call);
}

/*
 * Set the call's transfer up as a GET of the bytes still to relay: all of
 * them at first, then from the next byte on. Returns 0, or -1 (logged).
 */
static int
relay_get(struct storage_call *call)
{
	struct storage_request	 sr;
	char			 range[RANGE_HEADER_MAX];
	const char		*header;
	u_int64_t		 first;
	CURL			*h;
	int			 n;

	header = NULL;
	if (call->ranged || call->relayed > 0) {
		first = (call->ranged ? call->range.first : 0) + call->relayed;
		if (call->ranged) {
			n = snprintf(range, sizeof(range), "bytes=%llu-%llu",
			    (unsigned long long)first,
			    (unsigned long long)call->range.last);
		} else {
			n = snprintf(range, sizeof(range), "bytes=%llu-",
			    (unsigned long long)first);
		}
		if (n < 0 || (size_t)n >= sizeof(range))
			return (-1);
		header = range;
	}

	memset(&sr, 0, sizeof(sr));
	sr.method = call->method;
	sr.key = call->key;
	sr.payload_hash = EMPTY_SHA256;
	sr.range = header;
	if (storage_prepare(call, &sr) == -1)
		return (-1);

	h = call->curl.handle;
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, relay_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, call);
	/* A relay lasts as long as the client reads; stalls are caught. */
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 0L);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, RELAY_BUFFER_SIZE);
	return (0);
}

/*
 * curl has ended a transfer we cut short: the relay waits, with no S3
 * connection held, for its client's queue to drain.
 */
static void
relay_suspended(struct storage_call *call)
{
	storage_curl_release(call);
	call->suspending = 0;
	call->suspended = 1;

	if (call->resume == NULL && call->queued <= RELAY_LOW_WATER) {
		call->resume = kore_timer_add(relay_resume, 0, call,
		    KORE_TIMER_ONESHOT);
	}
}

/* The queue has drained: a ranged GET takes the body up again. */
static void
relay_resume(void *arg, u_int64_t now)
{
	struct storage_call	*call = arg;

	(void)now;

	/* Kore frees a one-shot timer after this returns. */
	call->resume = NULL;
	call->suspended = 0;

	if (relay_get(call) == -1) {
		call->result = STORAGE_UNAVAILABLE;
		storage_end(call);
		return;
	}

	call->resumed = 1;
	storage_run(call);
}

/* Once a second: let go of every relay whose client took nothing for long. */
static void
relay_check(void *arg, u_int64_t now)
{
	struct storage_call	*call, *next;
	size_t			 delivered;

	(void)arg;

	for (call = TAILQ_FIRST(&relays); call != NULL; call = next) {
		next = TAILQ_NEXT(call, relays);

		delivered = relay_delivered(call);
		if (delivered != call->delivered) {
			call->delivered = delivered;
			call->progress_at = now;
			continue;
		}

		if (now - call->progress_at >= RELAY_STALL_MS)
			relay_stalled(call);
	}
}

/*
 * Bytes of the body the client has taken: what was relayed, less what
 * waits in our queue and in the kernel's send buffer (SIOCOUTQ counts
 * what the peer has not acknowledged). Without SIOCOUTQ, what the kernel
 * took stands for what the client took.
 */
static size_t
relay_delivered(const struct storage_call *call)
{
	const struct connection	*c = call->relay->conn;
	const struct netbuf	*nb;
	size_t			 pending;
	int			 unacked;

	pending = 0;
	TAILQ_FOREACH(nb, &c->send_queue, list) {
		if (nb->cb == relay_sent)
			pending += nb->b_len - nb->s_off;
	}

	if (ioctl(c->fd, SIOCOUTQ, &unacked) == 0 && unacked > 0)
		pending += (size_t)unacked;

	if (pending > call->relayed)
		return (0);

	return (call->relayed - pending);
}

/*
 * A client that stopped reading: the access line counts what it took, and
 * closing its connection ends the relay and its S3 transfer (the caller
 * sees relay->stalled and a failed result). The close is a reset: a plain
 * one would leave the kernel holding the unsent bytes, and the FIN behind
 * them, for a peer whose window stays shut.
 */
static void
relay_stalled(struct storage_call *call)
{
	struct storage_relay	*relay = call->relay;
	struct linger		 reset;

	*relay->bytes_out = relay_delivered(call);
	relay->stalled = 1;
	log_warn("event=relay_stalled idle_ms=%d bytes_taken=%zu",
	    RELAY_STALL_MS, *relay->bytes_out);

	reset.l_onoff = 1;
	reset.l_linger = 0;
	if (setsockopt(relay->conn->fd, SOL_SOCKET, SO_LINGER, &reset,
	    sizeof(reset)) == -1)
		log_warn("event=relay_reset_failed errno=%d", errno);

	kore_connection_disconnect(relay->conn);
}

/*
 * curl asks to be driven "now" after a transfer is added or resumed, and
 * Kore notes it, but its event loop picks the epoll timeout from its
 * timers alone: without a timer due now the transfer would wait for the
 * next one (up to the drain tick, 50 ms). A timer due now, doing nothing,
 * makes the loop come round at once and run curl.
 */
static void
storage_kick(void)
{
	if (kick == NULL)
		kick = kore_timer_add(storage_kicked, 0, NULL,
		    KORE_TIMER_ONESHOT);
}

static void
storage_kicked(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;

	/* Kore frees a one-shot timer after this returns. */
	kick = NULL;
}
