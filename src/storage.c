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
#include <time.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/curl.h>

#include "config.h"
#include "log.h"
#include "quickack.h"
#include "sigv4.h"
#include "storage.h"

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

/* "bytes=" and two 64-bit numbers. */
#define RANGE_HEADER_MAX	64

/* A fetch's buffer starts at this and doubles, up to its maximum. */
#define FETCH_INITIAL		(256 * 1024)

/* The state of one call, owned by its caller until storage_call_free(). */
struct storage_call {
	struct kore_curl	 curl;
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

	/* GET into memory (storage_fetch), malloc'd, at most fetch_max. */
	uint8_t			*fetched;
	size_t			 fetched_len;
	size_t			 fetched_cap;
	size_t			 fetch_max;
	int			 fetch_refused;

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

static struct storage_call	*storage_start(const char *, const char *,
				    const char *, const char *, const char *,
				    storage_done_fn, void *);
static int	storage_prepare(struct storage_call *, const char *,
		    const char *, const char *, const char *);
static int	storage_sign(struct kore_curl *, const char *, const char *,
		    const char *, const char *);
static void	storage_run(struct storage_call *);
static void	storage_end(struct storage_call *);
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

	n = snprintf(out, outlen, "%s%s", OBJECT_PREFIX, id);
	if (n < 0 || (size_t)n >= outlen)
		fatalx("storage_object_key: key too long");
}

struct storage_call *
storage_put(const char *key, const void *data, size_t len,
    const char *sha256_hex, const char *content_type, storage_done_fn done,
    void *arg)
{
	struct storage_call	*call;
	CURL			*h;

	if ((call = storage_start("PUT", key, sha256_hex, NULL,
	    content_type, done, arg)) == NULL)
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
	struct storage_call	*call;

	if ((call = storage_start("DELETE", key, EMPTY_SHA256, NULL, NULL,
	    done, arg)) == NULL)
		return (NULL);

	curl_easy_setopt(call->curl.handle, CURLOPT_CUSTOMREQUEST, "DELETE");
	storage_run(call);
	return (call);
}

struct storage_call *
storage_head_bucket(storage_done_fn done, void *arg)
{
	struct storage_call	*call;

	if ((call = storage_start("HEAD", NULL, EMPTY_SHA256, NULL, NULL,
	    done, arg)) == NULL)
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
	struct storage_call	*call;
	CURL			*h;

	if ((call = storage_start("GET", key, EMPTY_SHA256, NULL, NULL,
	    done, arg)) == NULL)
		return (NULL);

	call->fetch_max = max;
	h = call->curl.handle;
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, RELAY_BUFFER_SIZE);

	storage_run(call);
	return (call);
}

/* The fetched bytes (malloc'd, the caller's now), or NULL. */
uint8_t *
storage_call_take_body(struct storage_call *call, size_t *len)
{
	uint8_t		*body;

	*len = 0;
	if (call->result != STORAGE_OK || call->fetched == NULL)
		return (NULL);

	body = call->fetched;
	*len = call->fetched_len;
	call->fetched = NULL;
	call->fetched_len = call->fetched_cap = 0;

	return (body);
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
 * Release a call, ended or not: one still in flight is ended here and
 * reports nothing. A relay cut short leaves its client a body with bytes
 * missing, so that connection is closed.
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
	}

	kore_curl_cleanup(&call->curl);
	free(call->fetched);
	kore_free(call);
}

static struct storage_call *
storage_start(const char *method, const char *key, const char *payload_hash,
    const char *range, const char *content_type, storage_done_fn done,
    void *arg)
{
	struct storage_call	*call;

	call = kore_calloc(1, sizeof(*call));
	call->method = method;
	call->done = done;
	call->arg = arg;
	call->result = STORAGE_UNAVAILABLE;

	if (storage_prepare(call, key, payload_hash, range,
	    content_type) == -1) {
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
storage_prepare(struct storage_call *call, const char *key,
    const char *payload_hash, const char *range, const char *content_type)
{
	char			 path[URL_MAX], *encoded, url[URL_MAX];
	CURL			*h;
	int			 n;

	if (key != NULL) {
		n = snprintf(path, sizeof(path), "%s/%s/%s", storage_prefix,
		    settings->s3_bucket, key);
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
	n = snprintf(url, sizeof(url), "%s%s", storage_origin, encoded);
	free(encoded);
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

	if (content_type != NULL)
		kore_curl_http_set_header(&call->curl, "content-type",
		    content_type);

	if (storage_sign(&call->curl, call->method, path, payload_hash,
	    range) == -1) {
		log_error("event=storage_error reason=sign");
		storage_curl_release(call);
		return (-1);
	}

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
	headers[count++].value = settings->s3.host;
	headers[count].name = "x-amz-content-sha256";
	headers[count++].value = payload_hash;
	headers[count].name = "x-amz-date";
	headers[count++].value = stamp;
	if (range != NULL) {
		headers[count].name = "range";
		headers[count++].value = range;
	}

	key.access_key_id = settings->s3_access_key_id;
	key.secret = settings->s3_secret_access_key;
	key.region = settings->s3_region;
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

	call->done(call, call->arg);
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
	if (call->fetch_refused) {
		call->result = STORAGE_FAILED;
		log_warn("event=storage_error method=GET reason=too_large "
		    "max=%zu", call->fetch_max);
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
	if (len != 2 || ptr[0] != '\r' || ptr[1] != '\n')
		return (len);

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
	uint8_t			*grown;
	size_t			 len, cap;
	long			 status;

	len = size * nmemb;

	status = 0;
	(void)curl_easy_getinfo(call->curl.handle, CURLINFO_RESPONSE_CODE,
	    &status);
	if (status != HTTP_STATUS_OK)
		return (storage_discard(ptr, size, nmemb, arg));

	if (len > call->fetch_max - call->fetched_len) {
		call->fetch_refused = 1;
		return (0);
	}

	if (call->fetched_len + len > call->fetched_cap) {
		cap = call->fetched_cap > 0 ? call->fetched_cap : FETCH_INITIAL;
		while (cap < call->fetched_len + len)
			cap *= 2;
		if (cap > call->fetch_max)
			cap = call->fetch_max;
		if ((grown = realloc(call->fetched, cap)) == NULL) {
			log_error("event=storage_error reason=out_of_memory");
			return (0);
		}
		call->fetched = grown;
		call->fetched_cap = cap;
	}

	memcpy(call->fetched + call->fetched_len, ptr, len);
	call->fetched_len += len;

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
	char		 range[RANGE_HEADER_MAX];
	const char	*header;
	u_int64_t	 first;
	CURL		*h;
	int		 n;

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

	if (storage_prepare(call, call->key, EMPTY_SHA256, header,
	    NULL) == -1)
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
