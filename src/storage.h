/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * S3 calls over Kore's async curl (storage.c). A call is an object of its
 * own: it is started with a function to call back when it has ended, and
 * knows nothing of who started it. The caller reads the result in the
 * callback and frees the call with storage_call_free(), which also ends a
 * call still in flight (no callback then).
 */

#ifndef REACTBIN_STORAGE_H
#define REACTBIN_STORAGE_H

#include <sys/types.h>

#include <stddef.h>

struct config;
struct connection;

/* Longest object key storage_object_key() and derive.c make. */
#define STORAGE_KEY_MAX		128

/* Longest ETag kept from an answer (S3's are 34 to 40 bytes). */
#define STORAGE_ETAG_MAX	128

/* S3's smallest part of a multipart upload, the last one aside. */
#define STORAGE_PART_MIN	(5 * 1024 * 1024)

/* The prefix of every object key: for listings. */
#define STORAGE_KEY_PREFIX	"reactions/"

/* How a call ended. */
enum storage_result {
	STORAGE_OK,
	STORAGE_NOT_FOUND,		/* 404 from S3 */
	STORAGE_RANGE,			/* 416 from S3 */
	STORAGE_UNAVAILABLE,		/* no answer: down, timeout */
	STORAGE_FAILED,			/* an answer, but an error one */
};

struct storage_call;

/* Bytes first to last of an object, both included. */
struct storage_range {
	u_int64_t	first;
	u_int64_t	last;
};

typedef void	(*storage_done_fn)(struct storage_call *, void *);

/*
 * A download relayed to a client connection as it arrives, with flow
 * control both ways: S3 is paused while the client's queue is full, and
 * a client that takes no byte for a while is let go.
 *
 * on_start runs once, before the first byte, with S3's status: it queues
 * the response head on conn and returns 0 to relay the body, or -1 to
 * drop it (the caller answers with an error once the call has ended).
 * *bytes_out counts the body bytes handed to the client, for the access
 * line. stalled is set when the call ended because the client stopped
 * reading; the connection is then being closed.
 */
struct storage_relay {
	struct connection	*conn;
	int			(*on_start)(void *, long);
	void			*arg;
	size_t			*bytes_out;
	int			 started;
	int			 stalled;
};

/*
 * The body of a PUT that is sent while it arrives (storage_put_source):
 * len bytes in all, of which data[0..ready) are there now. The caller
 * keeps it, and data, until the call has ended.
 */
struct storage_source {
	const unsigned char	*data;
	size_t			 len;
	size_t			 ready;
};

void	storage_init(const struct config *);
void	storage_object_key(const char *, char *, size_t);

/*
 * Each start returns the call in flight, or NULL when it could not even
 * be started (it is then logged; treat it as STORAGE_UNAVAILABLE). The
 * done function is never called before the start has returned.
 */
struct storage_call	*storage_put(const char *, const void *, size_t,
			    const char *, const char *, storage_done_fn,
			    void *);
struct storage_call	*storage_delete(const char *, storage_done_fn,
			    void *);
struct storage_call	*storage_head_bucket(storage_done_fn, void *);
struct storage_call	*storage_get(const char *,
			    const struct storage_range *, struct storage_relay *,
			    storage_done_fn, void *);
struct storage_call	*storage_fetch(const char *, size_t, storage_done_fn,
			    void *);

struct storage_call	*storage_put_source(const char *, const char *,
			    unsigned int, struct storage_source *,
			    const char *, storage_done_fn, void *);
void			 storage_source_more(struct storage_call *);
struct storage_call	*storage_multipart_create(const char *, const char *,
			    storage_done_fn, void *);
struct storage_call	*storage_multipart_complete(const char *,
			    const char *, const char *, size_t,
			    storage_done_fn, void *);
struct storage_call	*storage_multipart_abort(const char *, const char *,
			    storage_done_fn, void *);
struct storage_call	*storage_multipart_list(const char *,
			    storage_done_fn, void *);
const char		*storage_call_etag(const struct storage_call *);
const char		*storage_call_answer(const struct storage_call *,
			    size_t *);

enum storage_result	 storage_call_result(const struct storage_call *);
long			 storage_call_status(const struct storage_call *);
void			 storage_call_free(struct storage_call *);

/* A fetch's bytes once it has ended OK (malloc'd, the caller's), or NULL. */
u_int8_t		*storage_call_take_body(struct storage_call *,
			    size_t *);

#endif
