/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Declarations shared by the Kore side of reactbin: the configuration the
 * module read at start-up, the per-request context, the async job runner,
 * and the reply helpers. Pure modules never include this file.
 */

#ifndef REACTBIN_APP_H
#define REACTBIN_APP_H

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>
#include <kore/curl.h>

#include <yajl/yajl_tree.h>

#include "apikey.h"
#include "client_ip.h"
#include "config.h"
#include "counters.h"
#include "derive_media.h"
#include "json.h"
#include "metrics.h"
#include "request_id.h"
#include "storage.h"
#include "uuid.h"
#include "webpage.h"

/* Statuses Kore's http.h does not name. */
#define HTTP_STATUS_UNPROCESSABLE	422
#define HTTP_STATUS_TOO_MANY_REQUESTS	429

/* Room for the multipart framing and fields around an upload's bytes. */
#define UPLOAD_FRAMING_BYTES	(64 * 1024)

/* The name the pgsql pool is registered under. */
#define DB_NAME			"db"

/* Connections one worker may hold open; more queries wait their turn. */
#define DB_WORKER_CONNECTIONS	8

/* Read once in the parent before any port accepts; workers inherit it. */
extern struct config	app_config;

/* Who a protected request comes from, once auth.c has decided. */
enum auth_who {
	AUTH_NOBODY,
	AUTH_LOGIN,		/* the owner's JWT */
	AUTH_KEY_FULL,		/* an API key of scope "full" */
	AUTH_KEY_UPLOAD,	/* an API key of scope "upload" */
};

/*
 * What reactbin keeps per request, in req->hdlr_extra: the request id,
 * the client address, the clock for the access line, the bytes sent, the
 * bearer token's verdict once a header hook has taken it, the API key
 * being looked up, and the state of an async handler with the function
 * that releases it (request.c knows nothing of what the state is).
 */
struct request_ctx {
	char		id[REQUEST_ID_MAX + 1];
	char		client_ip[CLIENT_IP_MAX];
	char		peer_ip[CLIENT_IP_MAX];
	u_int64_t	started_us;
	size_t		bytes_out;
	int		token_checked;
	time_t		token_expires;
	enum auth_who	who;
	int		key_pending;
	int		key_upload_allowed;
	char		key_hash[APIKEY_HASH_LEN + 1];
	char		key_id[UUID_TEXT_LEN + 1];
	/*
	 * Set by a handler that answers refusals itself (upload.c, whose
	 * body may still be coming): the auth steps hand it theirs.
	 */
	void		(*auth_refused)(struct http_request *, int,
			    const char *, const char *);
	void		*state;
	void		(*state_free)(void *);
};

/* request.c */
struct request_ctx	*request_ctx(struct http_request *);
void			 request_finish(struct http_request *);

/* reply.c */
/* The members of a list's row'th item, from what arg points at. */
typedef void	(*reply_item_fn)(struct json_out *, int, const void *);

void	reply_json(struct http_request *, int, struct json_out *);
void	reply_items(struct http_request *, int, reply_item_fn, const void *);
void	reply_json_text(struct http_request *, int, const char *, size_t);
void	reply_error(struct http_request *, int, const char *, const char *);
void	reply_error_field(struct http_request *, int, const char *,
	    const char *, const char *);
void	reply_empty(struct http_request *, int);
void	reply_common_headers(struct http_request *);
void	reply_sql_error(struct http_request *, const char *);
void	reply_storage_error(struct http_request *, enum storage_result);

/*
 * body.c: what a request may send. The on_headers hooks refuse, before a
 * byte of body is read, a body the route does not take or one too large
 * for it; the JSON body reader takes what got through.
 */
int	bodiless_headers(struct http_request *);
int	json_body_headers(struct http_request *);
int	request_headers_ambiguous(struct http_request *);
void	request_refuse_headers(struct http_request *, int, const char *,
	    const char *);
void	request_refuse_early(struct connection *);
void	request_read_pause(struct connection *);
int	request_read_resume(struct connection *);
void	request_read_rearm(struct connection *);
void	request_read_yield(struct connection *);
int	request_body_json(struct http_request *, yajl_val *);

/*
 * job.c: the async step runner. A handler is a NULL-terminated array of
 * steps; each step either finishes the request (STEP_DONE, after replying),
 * moves on (STEP_NEXT), or starts one query (job_query) or one storage call
 * (storage.c) and returns STEP_WAIT to be resumed at the next step when it
 * has finished. A step that wants to run again after its wait (a loop)
 * calls job_again() first. Jobs without a request (job_detached) run the
 * same steps with req == NULL and call their done function at the end.
 */
enum step_result {
	STEP_NEXT,
	STEP_WAIT,
	STEP_DONE,
};

struct job;
typedef enum step_result (*step_fn)(struct http_request *, struct job *);

/* Parameters of one query; values are copied, so callers may use stack. */
#define JOB_PARAMS_MAX		16

/* SQLSTATE is five characters. */
#define SQLSTATE_LEN		5

/* Pass to job_tolerate() when the next step handles every failure. */
#define JOB_ANY_SQLSTATE	"*"

/* A unique_violation: the step after an INSERT may want to see it. */
#define SQLSTATE_UNIQUE_VIOLATION	"23505"

enum job_pending {
	JOB_PENDING_NONE,
	JOB_PENDING_SQL,
	JOB_PENDING_STORAGE,
	JOB_PENDING_SIGNAL,
};

struct job {
	struct http_request	*req;
	void			(*done)(struct job *);
	const step_fn		*steps;
	size_t			 next;
	enum job_pending	 pending;
	int			 running;
	int			 kicked;
	int			 finished;
	struct kore_timer	*deferred;

	/* Admission to the worker's connections, first come first served. */
	int			 admitted;
	int			 queued;
	u_int64_t		 queued_us;	/* when it joined the line */
	TAILQ_ENTRY(job)	 waiting;

	struct kore_pgsql	 sql;
	int			 started;
	const char		*query;
	int			 nparams;
	char			*values[JOB_PARAMS_MAX];
	int			 lengths[JOB_PARAMS_MAX];
	PGresult		*result;
	int			 failed;
	char			 sqlstate[SQLSTATE_LEN + 1];
	const char		*tolerate;

	struct storage_call	*call;
	enum storage_result	 storage;
	long			 storage_status;
	u_int8_t		*fetched;	/* storage_fetch's bytes */
	size_t			 fetched_len;


	/*
	 * A request's job begun before its body was all in (job_begin):
	 * until the handler first runs, callbacks drive it as they drive a
	 * detached one.
	 */
	int			 early;
	int			 began_early;
	int			 signalled;
	int			 sql_callback;

	void			*data;
	/* Run by job_free() before data goes, for what data holds. */
	void			(*cleanup)(struct job *);
};

int		 job_run(struct http_request *, const step_fn *, size_t);
struct job	*job_begin(struct http_request *, const step_fn *, size_t);
void		 job_wait(struct job *);
void		 job_signal(struct job *);
void		 job_stop(struct job *);
void		 job_then(struct job *, const step_fn *);
void		 job_on_free(struct job *, void (*)(struct job *));
struct job	*job_detached(const step_fn *, size_t, void (*)(struct job *));
void		 job_free(struct job *);
void		 job_query(struct job *, const char *, int, ...);
void		 job_tolerate(struct job *, const char *);
void		 job_again(struct job *);
int		 job_rows(const struct job *);
const char	*job_value(const struct job *, int, int);
long long	 job_int(const struct job *, int, int);
int		 job_is_null(const struct job *, int, int);
void		 job_wakeup(struct job *);

/*
 * A storage call for the job (storage.h), started with job_storage_done
 * and the job as its callback: the step hands it over with job_storage()
 * and returns STEP_WAIT, or, when job_storage() returns -1 (the call could
 * not start; job->storage says STORAGE_UNAVAILABLE), goes on at once.
 *
 *	if (job_storage(job, storage_delete(key, job_storage_done, job)))
 *		return (STEP_NEXT);
 *	return (STEP_WAIT);
 */
int		 job_storage(struct job *, struct storage_call *);
void		 job_storage_done(struct storage_call *, void *);

/* upload.c */
int	upload_headers(struct http_request *);
int	upload_body_chunk(struct http_request *, const void *, size_t);
void	upload_worker_init(void);

/* drain.c */
void	drain_parent_init(void);
void	drain_worker_init(void);
int	drain_active(void);
void	signal_trap(int, void (*)(int));

/* reaper.c */
void	reaper_parent_init(void);

/* sweeper.c */
void	sweeper_init(void);

/*
 * derive.c: the derivative queue's worker side, and the decoders run in
 * a Kore task for whoever needs them. A work reads buf (borrowed, or own
 * when not NULL, freed with the work) on a task thread and releases job
 * when it is over; work->result is then the caller's to read, and
 * derive_work_free() ends it. A job that ends first abandons its work,
 * handing over the request body the bytes live in, if any: the work
 * frees itself once its thread is done.
 */
struct derive_work;

void	derive_worker_init(void);
void	derive_kick(void);
int	derive_enabled(void);
struct derive_work	*derive_work_start(const u_int8_t *, size_t,
			    enum media_type, enum derive_mode,
			    u_int8_t *, struct job *);
int	derive_work_finished(const struct derive_work *);
const struct derive_result *derive_work_result(const struct derive_work *);
void	derive_work_free(struct derive_work *);
void	derive_work_abandon(struct derive_work *, struct kore_buf *);

/*
 * db.c: the worker's connections. db_query() sends a query on the
 * connection kore_pgsql_setup() lent (or has it wait for its dial);
 * db_release() comes before kore_pgsql_cleanup() of a query that did not
 * complete.
 */
void	db_worker_init(void);
int	db_query(struct kore_pgsql *, const char *, int, const char **, int *);
void	db_release(struct kore_pgsql *);
int	db_migrate(const char *, char *, size_t);

/* scrape.c: GET /metrics, and the queues measured by their ticks. */
void			 scrape_queue_tick(enum metrics_queue, u_int64_t);

/* webapp.c: the page and its assets, built once in the parent. */
int	webapp_init(void);

/*
 * fileset.c: a page and the files it names, compiled in and served under
 * <prefix><version>/ (the web app's, the API docs').
 */

/* A SHA-256 entity tag, quoted, with "-gz" for the gzip form. */
#define FILESET_ETAG_MAX	(64 + 2 + sizeof("-gz"))
/* The most files of one set (their tags make its version). */
#define FILESET_FILES_MAX	32
/* A page, or a document, that the browser asks about on each load. */
#define FILESET_REVALIDATE	"no-cache"

/*
 * One response body in both forms: as compiled in, and gzip'd once at
 * start-up. The two forms are two representations with two entity tags.
 */
struct fileset_body {
	const void	*data;
	size_t		 len;
	const char	*etag;
	unsigned char	*gz;
	size_t		 gz_len;
	char		 gz_etag[FILESET_ETAG_MAX];
};

/* A file as kodev compiles it in: assets.h's data, length and SHA-256. */
struct fileset_file {
	const char		*name;
	const u_int8_t		*data;
	const u_int32_t		*len;
	const char *const	*etag;
};

#define FILESET_FILE(n, sym)						\
	{ n, asset_##sym, &asset_len_##sym, &asset_sha256_##sym }

/* The set: what, prefix, files, nfiles and bodies given, the rest built. */
struct fileset {
	const char			*what;
	const char			*prefix;
	const struct fileset_file	*files;
	size_t				 nfiles;
	struct fileset_body		*bodies;
	char				 version[WEBPAGE_VERSION_LEN + 1];
	char				 page_etag[WEBPAGE_ETAG_MAX];
	struct fileset_body		 page;
};

int	fileset_init(struct fileset *, const char *);
int	fileset_page(struct fileset *, const void *, size_t,
	    const struct webpage_var *, size_t);
void	fileset_send_page(struct http_request *, const struct fileset *,
	    const char *);
void	fileset_send_file(struct http_request *, const struct fileset *);
int	fileset_body_init(struct fileset_body *, const void *, size_t,
	    const char *);
void	fileset_send(struct http_request *, const struct fileset_body *,
	    const char *);

/* apidocs.c: the OpenAPI document and its page, built once in the parent. */
int	apidocs_init(void);

/*
 * auth.c: who may call a protected endpoint. The steps of every
 * protected handler begin with one of the AUTH_STEPS: the bearer is the
 * owner's login (a JWT, checked at once) or an API key (apikey.h), told
 * apart by its form. A key is looked up in the database on every
 * request, so a revoked key stops working at once on every replica; an
 * "upload" key passes only where uploads are taken, and the key
 * management endpoints take the login alone. On failure the steps have
 * answered 401 or 403.
 */
enum step_result	auth_login_step(struct http_request *, struct job *);
enum step_result	auth_full_step(struct http_request *, struct job *);
enum step_result	auth_upload_step(struct http_request *, struct job *);
enum step_result	auth_key_step(struct http_request *, struct job *);

#define AUTH_STEPS_LOGIN	auth_login_step
#define AUTH_STEPS_FULL		auth_full_step, auth_key_step
#define AUTH_STEPS_UPLOAD	auth_upload_step, auth_key_step

/*
 * The header hooks of protected routes that take a body refuse one sent
 * without a valid token (401), or, for key management, with a key (403),
 * before it is read; a key of the right form goes on to the steps.
 */
int	auth_token_headers(struct http_request *);
int	protected_json_headers(struct http_request *);
int	login_json_headers(struct http_request *);
int	auth_bearer_is_key(struct http_request *);
void	auth_forbidden(struct http_request *, const char *);

/* keys.c: what auth.c asks the database about a key. */
void	keys_lookup(struct job *, const char *);
void	keys_touch(struct job *, const char *);

#define KEYS_COL_ID		0
#define KEYS_COL_SCOPE		1
#define KEYS_COL_HASH		2
#define KEYS_COL_STALE		3

#endif
