/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The owner's login, guarded by the brute-force lock in PostgreSQL, and
 * the bearer check every protected endpoint starts with: the owner's
 * JWT, or an API key looked up in the database (app.h, "auth.c").
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "credentials.h"
#include "json.h"
#include "log.h"
#include "token.h"

/* "2026-11-28T14:51:59Z" and its NUL. */
#define RFC3339_LEN		21
#define NUMBER_TEXT_MAX		24

/*
 * One statement per attempt counts it and decides (assets/migrations/
 * 004_login_attempt.sql): attempts from one address queue on its row
 * lock, so of whatever arrives at once, on any worker of any replica, at
 * most LOGIN_MAX_FAILURES answer 401 before the lock holds; every later
 * one answers 429, whatever its password.
 */
static const char login_attempt_sql[] =
    "SELECT verdict, retry_after, locked_now FROM login_attempt("
    "$1::inet, $2::boolean, $3::integer, $4::integer, $5::integer)";

/* The columns of its one row, and the verdicts it gives. */
#define LOGIN_COL_VERDICT	0
#define LOGIN_COL_RETRY_AFTER	1
#define LOGIN_COL_LOCKED_NOW	2
#define LOGIN_VERDICT_LOCKED	"locked"
#define LOGIN_VERDICT_FAILED	"failed"
#define LOGIN_VERDICT_OK	"ok"

/* A boolean as PostgreSQL writes it in text. */
#define PG_TRUE			"t"
#define PG_FALSE		"f"

/* The scope names api_keys.scope holds (assets/migrations/007). */
#define KEY_SCOPE_FULL		"full"
#define KEY_SCOPE_UPLOAD	"upload"

int	auth_login(struct http_request *);
int	auth_me(struct http_request *);

static enum step_result	login_check_body(struct http_request *, struct job *);
static enum step_result	login_reply(struct http_request *, struct job *);
static enum step_result	me_reply(struct http_request *, struct job *);
static enum step_result	auth_begin(struct http_request *, struct job *,
			    int, int);

static void	login_failed(struct http_request *, int);
static void	login_locked(struct http_request *, const char *);
static void	login_token(struct http_request *);
static int	auth_token_check(struct http_request *, time_t *,
		    const char **);
static void	auth_unauthorized(struct http_request *, const char *);
static void	auth_refuse(struct http_request *, int, const char *,
		    const char *);

static const step_fn login_steps[] = {
	login_check_body,
	login_reply,
	NULL,
};

static const step_fn me_steps[] = {
	AUTH_STEPS_FULL,
	me_reply,
	NULL,
};

int
auth_login(struct http_request *req)
{
	return (job_run(req, login_steps, 0));
}

int
auth_me(struct http_request *req)
{
	return (job_run(req, me_steps, 0));
}

/*
 * Who is asking: the owner's login with its expiry, or a key, which does
 * not expire (expires_at is null) and says which it is.
 */
static enum step_result
me_reply(struct http_request *req, struct job *job)
{
	struct request_ctx	*ctx = request_ctx(req);
	struct json_out		 out;
	struct tm		 tm;
	char			 stamp[RFC3339_LEN];

	(void)job;

	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_put_string(&out, "username", app_config.owner_username);
	if (ctx->who == AUTH_LOGIN) {
		if (gmtime_r(&ctx->token_expires, &tm) == NULL ||
		    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ",
		    &tm) == 0) {
			json_out_free(&out);
			reply_error(req, HTTP_STATUS_INTERNAL_ERROR,
			    "internal", "internal error");
			return (STEP_DONE);
		}
		json_put_string(&out, "expires_at", stamp);
	} else {
		json_put_null(&out, "expires_at");
		json_put_string(&out, "key_id", ctx->key_id);
		json_put_string(&out, "scope", KEY_SCOPE_FULL);
	}
	json_close(&out);

	reply_json(req, HTTP_STATUS_OK, &out);
	json_out_free(&out);
	return (STEP_DONE);
}

/* The first step of the key management endpoints: the login alone. */
enum step_result
auth_login_step(struct http_request *req, struct job *job)
{
	return (auth_begin(req, job, 0, 0));
}

/* The first step of every other protected endpoint but the upload. */
enum step_result
auth_full_step(struct http_request *req, struct job *job)
{
	return (auth_begin(req, job, 1, 0));
}

/* The first step of the upload: any key will do. */
enum step_result
auth_upload_step(struct http_request *req, struct job *job)
{
	return (auth_begin(req, job, 1, 1));
}

/*
 * A login is checked now (or was, by a header hook); a key is looked up
 * by its prefix and judged by auth_key_step. keys says whether keys are
 * taken at all, upload whether an upload key is.
 */
static enum step_result
auth_begin(struct http_request *req, struct job *job, int keys, int upload)
{
	struct request_ctx	*ctx = request_ctx(req);
	const char		*header, *bearer, *why;
	char			 prefix[APIKEY_PREFIX_LEN + 1];
	time_t			 exp;

	if (ctx->token_checked) {
		ctx->who = AUTH_LOGIN;
		return (STEP_NEXT);
	}

	if (!auth_bearer_is_key(req)) {
		if (auth_token_check(req, &exp, &why) != KORE_RESULT_OK) {
			auth_unauthorized(req, why);
			return (STEP_DONE);
		}
		ctx->who = AUTH_LOGIN;
		return (STEP_NEXT);
	}

	if (!keys) {
		auth_forbidden(req, "this needs the owner's login; an API key "
		    "cannot manage keys");
		return (STEP_DONE);
	}

	/* auth_bearer_is_key() found exactly one Authorization header. */
	if (!http_request_header(req, "authorization", &header) ||
	    (bearer = token_from_authorization(header)) == NULL ||
	    apikey_parse(bearer, prefix) == -1) {
		auth_unauthorized(req, "the API key is not valid");
		return (STEP_DONE);
	}
	if (apikey_hash(bearer, ctx->key_hash) == -1) {
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}

	ctx->key_pending = 1;
	ctx->key_upload_allowed = upload;
	keys_lookup(job, prefix);
	return (STEP_WAIT);
}

/*
 * The verdict on a key looked up by auth_begin: its row must exist and
 * hold the hash of what was sent; its scope must fit the endpoint. Then
 * last_used_at, when it is more than a minute old (a failure there costs
 * only the date).
 */
enum step_result
auth_key_step(struct http_request *req, struct job *job)
{
	struct request_ctx	*ctx = request_ctx(req);
	const char		*scope;

	if (!ctx->key_pending)
		return (STEP_NEXT);
	ctx->key_pending = 0;

	if (job_rows(job) != 1 || !apikey_hash_equal(ctx->key_hash,
	    job_value(job, 0, KEYS_COL_HASH))) {
		auth_unauthorized(req, "the API key is not valid");
		return (STEP_DONE);
	}

	scope = job_value(job, 0, KEYS_COL_SCOPE);
	if (!strcmp(scope, KEY_SCOPE_FULL)) {
		ctx->who = AUTH_KEY_FULL;
	} else if (!strcmp(scope, KEY_SCOPE_UPLOAD)) {
		ctx->who = AUTH_KEY_UPLOAD;
		if (!ctx->key_upload_allowed) {
			auth_forbidden(req, "an upload key may only upload "
			    "(POST /api/v1/reactions)");
			return (STEP_DONE);
		}
	} else {
		log_error("event=auth_error reason=key_scope request_id=%s",
		    ctx->id);
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}
	(void)kore_strlcpy(ctx->key_id, job_value(job, 0, KEYS_COL_ID),
	    sizeof(ctx->key_id));

	if (strcmp(job_value(job, 0, KEYS_COL_STALE), PG_TRUE))
		return (STEP_NEXT);

	keys_touch(job, ctx->key_id);
	job_tolerate(job, JOB_ANY_SQLSTATE);
	return (STEP_WAIT);
}

/*
 * Is the request's bearer an API key by its form? A request with no
 * bearer, or two Authorization headers, is not: the login check then
 * answers it.
 */
int
auth_bearer_is_key(struct http_request *req)
{
	struct http_header	*hdr;
	const char		*header, *bearer;
	int			 count;

	count = 0;
	TAILQ_FOREACH(hdr, &req->req_headers, list) {
		if (!strcasecmp(hdr->header, "authorization"))
			count++;
	}
	if (count != 1)
		return (0);

	if (!http_request_header(req, "authorization", &header) ||
	    (bearer = token_from_authorization(header)) == NULL)
		return (0);

	return (apikey_is_key(bearer));
}

void
auth_forbidden(struct http_request *req, const char *message)
{
	auth_refuse(req, HTTP_STATUS_FORBIDDEN, "forbidden", message);
}

/* A protected route with a JSON body: the token first, then the size. */
int
protected_json_headers(struct http_request *req)
{
	if (!auth_token_headers(req))
		return (KORE_RESULT_ERROR);

	return (json_body_headers(req));
}

/*
 * The key management route that takes a body: the owner's login alone,
 * and an API key is refused (403) before the body is read.
 */
int
login_json_headers(struct http_request *req)
{
	if (request_headers_ambiguous(req))
		return (KORE_RESULT_ERROR);

	if (auth_bearer_is_key(req)) {
		request_refuse_headers(req, HTTP_STATUS_FORBIDDEN, "forbidden",
		    "this needs the owner's login; an API key cannot manage "
		    "keys");
		return (KORE_RESULT_ERROR);
	}

	return (protected_json_headers(req));
}

/*
 * For the header hooks of protected routes that take a body: without a
 * valid bearer token the answer is 401 and the body is never read. The
 * verdict is kept for the handler's first step. An API key cannot be
 * judged here, where nothing may wait for the database: one of the right
 * form goes on, and the handler's first steps look it up.
 */
int
auth_token_headers(struct http_request *req)
{
	const char	*why;
	time_t		 exp;

	if (request_headers_ambiguous(req))
		return (KORE_RESULT_ERROR);

	if (auth_bearer_is_key(req))
		return (KORE_RESULT_OK);

	if (auth_token_check(req, &exp, &why) == KORE_RESULT_OK)
		return (KORE_RESULT_OK);

	http_response_header(req, "www-authenticate", "Bearer");
	request_refuse_headers(req, HTTP_STATUS_UNAUTHORIZED, "unauthorized",
	    why);
	return (KORE_RESULT_ERROR);
}

/*
 * The verdict on the request's bearer token, without answering: OK with
 * the expiry in *exp (and noted in the request's context), or ERROR with
 * the reason for the 401 in *why.
 */
static int
auth_token_check(struct http_request *req, time_t *exp, const char **why)
{
	struct request_ctx	*ctx;
	struct http_header	*hdr;
	const char		*header, *token;
	int			 count;

	/* Two Authorization headers: which one would we have checked? */
	count = 0;
	TAILQ_FOREACH(hdr, &req->req_headers, list) {
		if (!strcasecmp(hdr->header, "authorization"))
			count++;
	}
	if (count > 1) {
		*why = "more than one Authorization header";
		return (KORE_RESULT_ERROR);
	}

	if (!http_request_header(req, "authorization", &header) ||
	    (token = token_from_authorization(header)) == NULL) {
		*why = "a bearer token is required";
		return (KORE_RESULT_ERROR);
	}

	if (token_verify(app_config.jwt_secret, app_config.jwt_secret_len,
	    token, app_config.owner_username, time(NULL), exp) != TOKEN_OK) {
		*why = "the bearer token is not valid";
		return (KORE_RESULT_ERROR);
	}

	ctx = request_ctx(req);
	ctx->token_checked = 1;
	ctx->token_expires = *exp;
	ctx->who = AUTH_LOGIN;
	return (KORE_RESULT_OK);
}

/*
 * Judge the credentials now, in constant time, and hand the match to the
 * one statement that decides; the reply follows its verdict alone.
 */
static enum step_result
login_check_body(struct http_request *req, struct job *job)
{
	yajl_val	 body;
	const char	*user, *pass;
	char		 window[NUMBER_TEXT_MAX], max[NUMBER_TEXT_MAX];
	char		 cooldown[NUMBER_TEXT_MAX];
	int		 match;

	if (request_body_json(req, &body) != KORE_RESULT_OK)
		return (STEP_DONE);

	user = json_get_string(body, "username");
	pass = json_get_string(body, "password");

	if (user == NULL || pass == NULL) {
		yajl_tree_free(body);
		reply_error(req, HTTP_STATUS_BAD_REQUEST, "bad_request",
		    "username and password must be strings");
		return (STEP_DONE);
	}

	match = credentials_match(app_config.owner_username,
	    app_config.owner_password, user, strlen(user), pass, strlen(pass));
	yajl_tree_free(body);

	(void)snprintf(window, sizeof(window), "%ld",
	    app_config.login_window_seconds);
	(void)snprintf(max, sizeof(max), "%ld", app_config.login_max_failures);
	(void)snprintf(cooldown, sizeof(cooldown), "%ld",
	    app_config.login_cooldown_seconds);

	job_query(job, login_attempt_sql, 5, request_ctx(req)->client_ip,
	    match ? PG_TRUE : PG_FALSE, window, max, cooldown);
	return (STEP_WAIT);
}

static enum step_result
login_reply(struct http_request *req, struct job *job)
{
	const char	*verdict;

	if (job_rows(job) != 1) {
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}

	verdict = job_value(job, 0, LOGIN_COL_VERDICT);

	if (!strcmp(verdict, LOGIN_VERDICT_LOCKED))
		login_locked(req, job_value(job, 0, LOGIN_COL_RETRY_AFTER));
	else if (!strcmp(verdict, LOGIN_VERDICT_FAILED))
		login_failed(req,
		    !strcmp(job_value(job, 0, LOGIN_COL_LOCKED_NOW), PG_TRUE));
	else if (!strcmp(verdict, LOGIN_VERDICT_OK))
		login_token(req);
	else
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");

	return (STEP_DONE);
}

/* A wrong password; the one that reached the threshold still gets 401. */
static void
login_failed(struct http_request *req, int locked_now)
{
	metrics_login_failure(metrics_self(), locked_now);
	if (locked_now) {
		log_warn("event=login_locked client_ip=%s failures=%ld "
		    "cooldown_s=%ld request_id=%s", request_ctx(req)->client_ip,
		    app_config.login_max_failures,
		    app_config.login_cooldown_seconds, request_ctx(req)->id);
	}

	reply_error(req, HTTP_STATUS_UNAUTHORIZED, "unauthorized",
	    "wrong username or password");
}

static void
login_locked(struct http_request *req, const char *seconds)
{
	metrics_login_refused(metrics_self());
	http_response_header(req, "retry-after", seconds);
	reply_error(req, HTTP_STATUS_TOO_MANY_REQUESTS, "too_many_requests",
	    "too many failed logins from this address; try again later");
}

static void
login_token(struct http_request *req)
{
	struct json_out	 out;
	char		*token;

	if (token_issue(app_config.jwt_secret, app_config.jwt_secret_len,
	    app_config.owner_username, time(NULL),
	    app_config.jwt_expiry_seconds, &token) == -1) {
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return;
	}

	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_put_string(&out, "access_token", token);
	json_put_string(&out, "token_type", "bearer");
	json_put_int(&out, "expires_in", app_config.jwt_expiry_seconds);
	json_close(&out);

	/* The token lives on only in the body that carries it. */
	explicit_bzero(token, strlen(token));
	free(token);

	reply_json(req, HTTP_STATUS_OK, &out);
	json_out_free(&out);
}

static void
auth_unauthorized(struct http_request *req, const char *message)
{
	auth_refuse(req, HTTP_STATUS_UNAUTHORIZED, "unauthorized", message);
}

/*
 * Every answer of the auth steps: the request's own when its handler
 * answers refusals itself (request_ctx.auth_refused), else now.
 */
static void
auth_refuse(struct http_request *req, int status, const char *code,
    const char *message)
{
	struct request_ctx	*ctx = request_ctx(req);

	if (ctx->auth_refused != NULL) {
		ctx->auth_refused(req, status, code, message);
		return;
	}

	if (status == HTTP_STATUS_UNAUTHORIZED)
		http_response_header(req, "www-authenticate", "Bearer");
	reply_error(req, status, code, message);
}
