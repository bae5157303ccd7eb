/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * S3 object storage over Kore's async curl, path-style, every request
 * signed with SigV4 (sigv4.c). Uploads are read straight from the request
 * body Kore holds; downloads are relayed to the client as they arrive,
 * with curl paused while the client's send queue is full, so a worker
 * never holds a whole file.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "log.h"
#include "sigv4.h"

#define S3_SERVICE		"s3"
#define OBJECT_PREFIX		"reactions/"

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
 * Relay flow control: stop reading from S3 once this much is queued for
 * the client, resume when it has drained below the low mark.
 */
#define RELAY_HIGH_WATER	(1024 * 1024)
#define RELAY_LOW_WATER		(256 * 1024)

/*
 * What curl reads from S3 in one go, and so the largest relayed chunk:
 * fewer, larger chunks mean fewer system calls per megabyte.
 */
#define RELAY_BUFFER_SIZE	(64 * 1024L)

/* An error body from S3 is read only this far (it is logged, not sent). */
#define ERROR_BODY_MAX		4096

#define URL_MAX			8192
#define HEADER_MAX		512
#define SIGNED_HEADERS_MAX	4

/* The state of one call, owned by the job until storage_finish(). */
struct storage_call {
	struct job		*job;
	const char		*method;

	/* PUT: the bytes to send, borrowed from the request body. */
	const u_int8_t		*body;
	size_t			 body_len;
	size_t			 body_off;

	/* GET relay. */
	struct storage_relay	*relay;
	struct connection	*conn;
	size_t			 queued;
	int			 paused;
	int			 resuming;
	size_t			 discarded;
};

/* A relayed chunk on the connection's send queue. */
struct relay_chunk {
	struct storage_call	*call;
	size_t			 len;
	u_int8_t		 data[];
};

static int	storage_start(struct job *, const char *, const char *,
		    const char *, const char *, const char *);
static int	storage_sign(struct kore_curl *, const char *, const char *,
		    const char *, const char *);
static size_t	storage_read(char *, size_t, size_t, void *);
static size_t	storage_discard(char *, size_t, size_t, void *);
static size_t	storage_relay_write(char *, size_t, size_t, void *);
static int	storage_relay_sent(struct netbuf *);
static void	storage_run(struct job *);
static void	storage_kick(void);
static void	storage_kicked(void *, u_int64_t);
static void	storage_curl_done(struct kore_curl *, void *);
static void	storage_classify(struct job *);

static struct kore_timer	*kick;

/* Path-style URLs start with the endpoint's own path prefix, if any. */
static char	storage_origin[URL_MAX];
static char	storage_prefix[URL_MAX];

void
storage_init(void)
{
	const struct s3_endpoint	*ep = &app_config.s3;
	int				 n;

	n = snprintf(storage_origin, sizeof(storage_origin), "%s://%s",
	    ep->scheme, ep->host);
	if (n < 0 || (size_t)n >= sizeof(storage_origin))
		fatalx("S3_ENDPOINT_URL is too long");

	/* base_url is origin + prefix, by construction in config.c. */
	if (strncmp(ep->base_url, storage_origin, (size_t)n))
		fatalx("S3_ENDPOINT_URL: unexpected base URL form");
	(void)kore_strlcpy(storage_prefix, ep->base_url + n,
	    sizeof(storage_prefix));
}

/* Object keys are ours alone: a fixed prefix and the reaction's id. */
void
storage_object_key(const char *id, char *out, size_t outlen)
{
	int	n;

	n = snprintf(out, outlen, "%s%s", OBJECT_PREFIX, id);
	if (n < 0 || (size_t)n >= outlen)
		fatalx("storage_object_key: key too long");
}

int
storage_put(struct job *job, const char *key, const void *data, size_t len,
    const char *sha256_hex, const char *content_type)
{
	struct storage_call	*call;

	if (storage_start(job, "PUT", key, sha256_hex, NULL,
	    content_type) == -1)
		return (-1);

	call = job->call;
	call->body = data;
	call->body_len = len;

	curl_easy_setopt(job->curl.handle, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(job->curl.handle, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)len);
	curl_easy_setopt(job->curl.handle, CURLOPT_READFUNCTION, storage_read);
	curl_easy_setopt(job->curl.handle, CURLOPT_READDATA, call);
	curl_easy_setopt(job->curl.handle, CURLOPT_TIMEOUT, PUT_TIMEOUT_S);

	storage_run(job);
	return (0);
}

int
storage_delete(struct job *job, const char *key)
{
	if (storage_start(job, "DELETE", key, EMPTY_SHA256, NULL, NULL) == -1)
		return (-1);

	curl_easy_setopt(job->curl.handle, CURLOPT_CUSTOMREQUEST, "DELETE");
	storage_run(job);
	return (0);
}

int
storage_head_bucket(struct job *job)
{
	if (storage_start(job, "HEAD", NULL, EMPTY_SHA256, NULL, NULL) == -1)
		return (-1);

	curl_easy_setopt(job->curl.handle, CURLOPT_NOBODY, 1L);
	storage_run(job);
	return (0);
}

/*
 * Fetch an object (range: "bytes=a-b" or NULL) and relay its body to the
 * job's client as it arrives.
 */
int
storage_get(struct job *job, const char *key, const char *range,
    struct storage_relay *relay)
{
	struct storage_call	*call;

	if (job->req == NULL)
		fatal("storage_get: a relay needs a request");

	if (storage_start(job, "GET", key, EMPTY_SHA256, range, NULL) == -1)
		return (-1);

	call = job->call;
	call->relay = relay;
	call->conn = job->req->owner;

	curl_easy_setopt(job->curl.handle, CURLOPT_WRITEFUNCTION,
	    storage_relay_write);
	curl_easy_setopt(job->curl.handle, CURLOPT_WRITEDATA, call);
	/* A relay lasts as long as the client reads; stalls are caught. */
	curl_easy_setopt(job->curl.handle, CURLOPT_TIMEOUT, 0L);
	curl_easy_setopt(job->curl.handle, CURLOPT_BUFFERSIZE,
	    RELAY_BUFFER_SIZE);

	storage_run(job);
	return (0);
}

/*
 * The call has ended (or the job is going away): record how it went and
 * release curl. Chunks still queued for the client lose their link to
 * the call, which is about to be freed.
 */
void
storage_finish(struct job *job)
{
	struct storage_call	*call;
	struct netbuf		*nb;

	if ((call = job->call) == NULL)
		return;

	if (job->curl.handle == NULL)
		storage_classify(job);
	else
		job->storage = STORAGE_UNAVAILABLE;

	if (call->conn != NULL) {
		TAILQ_FOREACH(nb, &call->conn->send_queue, list) {
			if (nb->cb == storage_relay_sent)
				((struct relay_chunk *)nb->extra)->call = NULL;
		}
	}

	kore_curl_cleanup(&job->curl);
	memset(&job->curl, 0, sizeof(job->curl));
	kore_free(call);
	job->call = NULL;
}

static int
storage_start(struct job *job, const char *method, const char *key,
    const char *payload_hash, const char *range, const char *content_type)
{
	struct storage_call	*call;
	char			 path[URL_MAX], *encoded, url[URL_MAX];
	int			 n;

	job->storage = STORAGE_UNAVAILABLE;
	job->storage_status = 0;

	if (key != NULL) {
		n = snprintf(path, sizeof(path), "%s/%s/%s", storage_prefix,
		    app_config.s3_bucket, key);
	} else {
		n = snprintf(path, sizeof(path), "%s/%s", storage_prefix,
		    app_config.s3_bucket);
	}
	if (n < 0 || (size_t)n >= sizeof(path))
		return (-1);

	if (sigv4_uri_encode(path, 0, &encoded) == -1)
		return (-1);
	n = snprintf(url, sizeof(url), "%s%s", storage_origin, encoded);
	free(encoded);
	if (n < 0 || (size_t)n >= sizeof(url))
		return (-1);

	if (!kore_curl_init(&job->curl, url, KORE_CURL_ASYNC)) {
		log_error("event=storage_error reason=curl_init");
		return (-1);
	}

	call = kore_calloc(1, sizeof(*call));
	call->job = job;
	call->method = method;
	job->call = call;

	if (job->req != NULL)
		kore_curl_bind_request(&job->curl, job->req);
	else
		kore_curl_bind_callback(&job->curl, storage_curl_done, job);

	/* Headers only (the status line tells us what we need). */
	kore_curl_http_setup(&job->curl, HTTP_METHOD_GET, NULL, 0);
	curl_easy_setopt(job->curl.handle, CURLOPT_WRITEFUNCTION,
	    storage_discard);
	curl_easy_setopt(job->curl.handle, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(job->curl.handle, CURLOPT_CONNECTTIMEOUT_MS,
	    CONNECT_TIMEOUT_MS);
	curl_easy_setopt(job->curl.handle, CURLOPT_TIMEOUT, SMALL_TIMEOUT_S);
	curl_easy_setopt(job->curl.handle, CURLOPT_LOW_SPEED_LIMIT,
	    STALL_BYTES_PER_S);
	curl_easy_setopt(job->curl.handle, CURLOPT_LOW_SPEED_TIME,
	    STALL_SECONDS);
	/* The URL is already encoded exactly as it was signed. */
	curl_easy_setopt(job->curl.handle, CURLOPT_PATH_AS_IS, 1L);

	if (content_type != NULL)
		kore_curl_http_set_header(&job->curl, "content-type",
		    content_type);

	if (storage_sign(&job->curl, method, path, payload_hash,
	    range) == -1) {
		log_error("event=storage_error reason=sign");
		storage_finish(job);
		job->storage = STORAGE_FAILED;
		return (-1);
	}

	job->pending = JOB_PENDING_STORAGE;
	return (0);
}

static int
storage_sign(struct kore_curl *curl, const char *method, const char *path,
    const char *payload_hash, const char *range)
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
	headers[count++].value = app_config.s3.host;
	headers[count].name = "x-amz-content-sha256";
	headers[count++].value = payload_hash;
	headers[count].name = "x-amz-date";
	headers[count++].value = stamp;
	if (range != NULL) {
		headers[count].name = "range";
		headers[count++].value = range;
	}

	key.access_key_id = app_config.s3_access_key_id;
	key.secret = app_config.s3_secret_access_key;
	key.region = app_config.s3_region;
	key.service = S3_SERVICE;

	memset(&sreq, 0, sizeof(sreq));
	sreq.method = method;
	sreq.path = path;
	sreq.headers = headers;
	sreq.header_count = count;
	sreq.payload_hash = payload_hash;
	sreq.timestamp = stamp;

	if (sigv4_authorization_header(&key, &sreq, &auth) == -1)
		return (-1);

	kore_curl_http_set_header(curl, "x-amz-content-sha256", payload_hash);
	kore_curl_http_set_header(curl, "x-amz-date", stamp);
	if (range != NULL)
		kore_curl_http_set_header(curl, "range", range);
	kore_curl_http_set_header(curl, "authorization", auth);
	free(auth);

	return (0);
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

static size_t
storage_relay_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct storage_call	*call = arg;
	struct relay_chunk	*chunk;
	struct netbuf		*nb;
	struct job		*job = call->job;
	long			 status;
	size_t			 len;

	len = size * nmemb;

	if (!call->relay->started) {
		call->relay->started = 1;
		status = 0;
		curl_easy_getinfo(job->curl.handle, CURLINFO_RESPONSE_CODE,
		    &status);
		job->storage_status = status;
		if (call->relay->on_start(job, status) == -1) {
			call->relay = NULL;
		}
	}

	if (call->relay == NULL)
		return (storage_discard(ptr, size, nmemb, arg));

	if (call->queued >= RELAY_HIGH_WATER) {
		call->paused = 1;
		return (CURL_WRITEFUNC_PAUSE);
	}

	/*
	 * Not kore_malloc: it maps anything above its pools' sizes with a
	 * fresh mmap(2), four page faults a chunk; malloc reuses the heap.
	 */
	if ((chunk = malloc(sizeof(*chunk) + len)) == NULL) {
		log_error("event=relay_failed reason=out_of_memory");
		kore_connection_disconnect(call->conn);
		return (0);
	}
	chunk->call = call;
	chunk->len = len;
	memcpy(chunk->data, ptr, len);

	/* The netbuf borrows the chunk; storage_relay_sent frees it. */
	net_send_stream(call->conn, chunk->data, len, storage_relay_sent, &nb);
	nb->extra = chunk;

	call->queued += len;
	/* Counted as it goes: a client that leaves first is logged then. */
	request_ctx(job->req)->bytes_out += len;

	/*
	 * When curl delivers this from inside storage_relay_sent() (it
	 * resumed the transfer there), Kore is in the middle of sending on
	 * this connection: its send loop takes the new chunk, and a flush
	 * from here would send, and free, the netbuf it is removing.
	 */
	if (call->resuming)
		return (len);

	if (net_send_flush(call->conn) == KORE_RESULT_ERROR) {
		/* The client is gone: end the transfer. */
		kore_connection_disconnect(call->conn);
		return (0);
	}

	return (len);
}

static int
storage_relay_sent(struct netbuf *nb)
{
	struct relay_chunk	*chunk = nb->extra;
	struct storage_call	*call = chunk->call;

	if (call != NULL) {
		call->queued -= chunk->len;
		if (call->paused && call->queued <= RELAY_LOW_WATER &&
		    call->job->curl.handle != NULL) {
			call->paused = 0;
			call->resuming = 1;
			curl_easy_pause(call->job->curl.handle, CURLPAUSE_CONT);
			call->resuming = 0;
			storage_kick();
		}
	}

	free(chunk);
	return (KORE_RESULT_OK);
}

/* Hand the prepared transfer to curl and have it started at once. */
static void
storage_run(struct job *job)
{
	kore_curl_run(&job->curl);
	storage_kick();
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

static void
storage_curl_done(struct kore_curl *curl, void *arg)
{
	(void)curl;

	job_wakeup(arg);
}

static void
storage_classify(struct job *job)
{
	struct kore_curl	*curl = &job->curl;

	if (!kore_curl_success(curl)) {
		job->storage = STORAGE_UNAVAILABLE;
		log_warn("event=storage_error reason=\"%s\"",
		    kore_curl_strerror(curl));
		return;
	}

	job->storage_status = curl->http.status;

	if (curl->http.status >= 200 && curl->http.status < 300) {
		job->storage = STORAGE_OK;
	} else if (curl->http.status == HTTP_STATUS_NOT_FOUND) {
		job->storage = STORAGE_NOT_FOUND;
	} else if (curl->http.status == HTTP_STATUS_REQUEST_RANGE_INVALID) {
		job->storage = STORAGE_RANGE;
	} else if (curl->http.status >= 500) {
		job->storage = STORAGE_UNAVAILABLE;
		log_warn("event=storage_error status=%ld", curl->http.status);
	} else {
		job->storage = STORAGE_FAILED;
		log_warn("event=storage_error status=%ld", curl->http.status);
	}
}
