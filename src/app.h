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

#include <yajl/yajl_tree.h>

#include "client_ip.h"
#include "config.h"
#include "json.h"
#include "request_id.h"

/* Statuses Kore's http.h does not name. */
#define HTTP_STATUS_UNPROCESSABLE	422
#define HTTP_STATUS_TOO_MANY_REQUESTS	429

/* The name the pgsql pool is registered under. */
#define DB_NAME			"db"

/* Read once in the parent before any port accepts; workers inherit it. */
extern struct config	app_config;

/*
 * What reactbin keeps per request, in req->hdlr_extra: the request id,
 * the client address, the clock for the access line, the bytes sent, and
 * the job of an async handler.
 */
struct job;

struct request_ctx {
	char		id[REQUEST_ID_MAX + 1];
	char		client_ip[CLIENT_IP_MAX];
	char		peer_ip[CLIENT_IP_MAX];
	u_int64_t	started_us;
	size_t		bytes_out;
	struct job	*job;
};

/* request.c */
struct request_ctx	*request_ctx(struct http_request *);
void			 request_finish(struct http_request *);
int			 request_body_json(struct http_request *, yajl_val *);

/* reply.c */
void	reply_json(struct http_request *, int, struct json_out *);
void	reply_error(struct http_request *, int, const char *, const char *);
void	reply_error_field(struct http_request *, int, const char *,
	    const char *, const char *);
void	reply_empty(struct http_request *, int);
void	reply_common_headers(struct http_request *);

/*
 * job.c: the async step runner. A handler is a NULL-terminated array of
 * steps; each step either finishes the request (STEP_DONE, after replying),
 * moves on (STEP_NEXT), or starts a query with job_query() and returns
 * STEP_WAIT to be resumed at the next step when the query has finished.
 */
enum step_result {
	STEP_NEXT,
	STEP_WAIT,
	STEP_DONE,
};

typedef enum step_result (*step_fn)(struct http_request *, struct job *);

/* Parameters of one query; values are copied, so callers may use stack. */
#define JOB_PARAMS_MAX		16

/* SQLSTATE is five characters. */
#define SQLSTATE_LEN		5

struct job {
	struct http_request	*req;
	const step_fn		*steps;
	size_t			 next;
	int			 waiting;
	int			 started;

	struct kore_pgsql	 sql;
	int			 sql_bound;
	const char		*query;
	int			 nparams;
	char			*values[JOB_PARAMS_MAX];
	int			 lengths[JOB_PARAMS_MAX];

	PGresult		*result;
	int			 failed;
	char			 sqlstate[SQLSTATE_LEN + 1];
	const char		*tolerate;

	void			*data;
};

int	 job_run(struct http_request *, const step_fn *, size_t);
int	 job_query(struct job *, const char *, int, ...);
void	 job_tolerate(struct job *, const char *);

/* Pass to job_tolerate() when the next step handles every failure. */
#define JOB_ANY_SQLSTATE	"*"
void	 job_free(struct job *);
int	 job_rows(const struct job *);
const char	*job_value(const struct job *, int, int);
int	 job_is_null(const struct job *, int, int);

/* db.c */
void	db_worker_init(void);
void	db_connection_check(struct kore_pgsql *);
int	db_migrate(const char *, char *, size_t);

/* auth.c */
int	auth_bearer(struct http_request *, time_t *);

#endif
