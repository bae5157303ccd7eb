/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The owner's login, guarded by the brute-force lock in PostgreSQL, and
 * the bearer-token check every protected endpoint starts with.
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

int	auth_login(struct http_request *);
int	auth_me(struct http_request *);

static enum step_result	login_check_body(struct http_request *, struct job *);
static enum step_result	login_reply(struct http_request *, struct job *);

static void	login_failed(struct http_request *, int);
static void	login_locked(struct http_request *, const char *);
static void	login_token(struct http_request *);
static int	auth_token_check(struct http_request *, time_t *,
		    const char **);
static void	auth_unauthorized(struct http_request *, const char *);

static const step_fn login_steps[] = {
	login_check_body,
	login_reply,
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
	struct json_out	 out;
	time_t		 exp;
	struct tm	 tm;
	char		 stamp[RFC3339_LEN];

	if (auth_bearer(req, &exp) != KORE_RESULT_OK)
		return (KORE_RESULT_OK);

	if (gmtime_r(&exp, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (KORE_RESULT_OK);
	}

	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_put_string(&out, "username", app_config.owner_username);
	json_put_string(&out, "expires_at", stamp);
	json_close(&out);

	reply_json(req, HTTP_STATUS_OK, &out);
	json_out_free(&out);
	return (KORE_RESULT_OK);
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
 * For the header hooks of protected routes that take a body: without a
 * valid bearer token the answer is 401 and the body is never read. The
 * verdict is kept for the handler (auth_bearer).
 */
int
auth_token_headers(struct http_request *req)
{
	const char	*why;
	time_t		 exp;

	if (request_headers_ambiguous(req))
		return (KORE_RESULT_ERROR);

	if (auth_token_check(req, &exp, &why) == KORE_RESULT_OK)
		return (KORE_RESULT_OK);

	http_response_header(req, "www-authenticate", "Bearer");
	request_refuse_headers(req, HTTP_STATUS_UNAUTHORIZED, "unauthorized",
	    why);
	return (KORE_RESULT_ERROR);
}

/*
 * Check the bearer token of a protected request. On failure the 401 has
 * been sent and KORE_RESULT_ERROR comes back; on success *exp holds the
 * token's expiry. A header hook may have checked it already.
 */
int
auth_bearer(struct http_request *req, time_t *exp)
{
	struct request_ctx	*ctx;
	const char		*why;

	ctx = request_ctx(req);
	if (ctx->token_checked) {
		*exp = ctx->token_expires;
		return (KORE_RESULT_OK);
	}

	if (auth_token_check(req, exp, &why) != KORE_RESULT_OK) {
		auth_unauthorized(req, why);
		return (KORE_RESULT_ERROR);
	}

	return (KORE_RESULT_OK);
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
	http_response_header(req, "www-authenticate", "Bearer");
	reply_error(req, HTTP_STATUS_UNAUTHORIZED, "unauthorized", message);
}
