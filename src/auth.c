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

struct login {
	int		match;
	int		locked_out;
};

int	auth_login(struct http_request *);
int	auth_me(struct http_request *);

static enum step_result	login_check_body(struct http_request *, struct job *);
static enum step_result	login_check_lock(struct http_request *, struct job *);
static enum step_result	login_record(struct http_request *, struct job *);
static enum step_result	login_reply(struct http_request *, struct job *);

static void	login_locked(struct http_request *, const char *);
static void	login_token(struct http_request *);
static void	auth_unauthorized(struct http_request *, const char *);

static const step_fn login_steps[] = {
	login_check_body,
	login_check_lock,
	login_record,
	login_reply,
	NULL,
};

int
auth_login(struct http_request *req)
{
	return (job_run(req, login_steps, sizeof(struct login)));
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
	json_string(&out, "username", app_config.owner_username);
	json_string(&out, "expires_at", stamp);
	json_close(&out);

	reply_json(req, HTTP_STATUS_OK, &out);
	json_out_free(&out);
	return (KORE_RESULT_OK);
}

/*
 * Check the bearer token of a protected request. On failure the 401 has
 * been sent and KORE_RESULT_ERROR comes back; on success *exp holds the
 * token's expiry.
 */
int
auth_bearer(struct http_request *req, time_t *exp)
{
	struct http_header	*hdr;
	const char		*header, *token;
	enum token_status	 status;
	int			 count;

	/* Two Authorization headers: which one would we have checked? */
	count = 0;
	TAILQ_FOREACH(hdr, &req->req_headers, list) {
		if (!strcasecmp(hdr->header, "authorization"))
			count++;
	}
	if (count > 1) {
		auth_unauthorized(req, "more than one Authorization header");
		return (KORE_RESULT_ERROR);
	}

	if (!http_request_header(req, "authorization", &header)) {
		auth_unauthorized(req, "a bearer token is required");
		return (KORE_RESULT_ERROR);
	}

	if ((token = token_from_authorization(header)) == NULL) {
		auth_unauthorized(req, "a bearer token is required");
		return (KORE_RESULT_ERROR);
	}

	status = token_verify(app_config.jwt_secret,
	    app_config.jwt_secret_len, token, app_config.owner_username,
	    time(NULL), exp);
	if (status != TOKEN_OK) {
		auth_unauthorized(req, "the bearer token is not valid");
		return (KORE_RESULT_ERROR);
	}

	return (KORE_RESULT_OK);
}

/* Decide the credentials now, in constant time, and keep only the verdict. */
static enum step_result
login_check_body(struct http_request *req, struct job *job)
{
	struct login	*login = job->data;
	yajl_val	 body;
	const char	*user, *pass;

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

	login->match = credentials_match(app_config.owner_username,
	    app_config.owner_password, user, strlen(user), pass, strlen(pass));
	yajl_tree_free(body);

	job_query(job, "SELECT login_lock_remaining($1::inet)", 1,
	    request_ctx(req)->client_ip);
	return (STEP_WAIT);
}

static enum step_result
login_check_lock(struct http_request *req, struct job *job)
{
	struct login	*login = job->data;
	char		 window[NUMBER_TEXT_MAX], max[NUMBER_TEXT_MAX];
	char		 cooldown[NUMBER_TEXT_MAX];
	const char	*ip;

	if (job_rows(job) == 1 && strcmp(job_value(job, 0, 0), "0")) {
		login_locked(req, job_value(job, 0, 0));
		return (STEP_DONE);
	}

	ip = request_ctx(req)->client_ip;

	if (login->match) {
		job_query(job, "SELECT login_record_success($1::inet)", 1, ip);
		return (STEP_WAIT);
	}

	(void)snprintf(window, sizeof(window), "%ld",
	    app_config.login_window_seconds);
	(void)snprintf(max, sizeof(max), "%ld", app_config.login_max_failures);
	(void)snprintf(cooldown, sizeof(cooldown), "%ld",
	    app_config.login_cooldown_seconds);

	job_query(job, "SELECT login_record_failure($1::inet, $2::integer, "
	    "$3::integer, $4::integer)", 4, ip, window, max, cooldown);
	return (STEP_WAIT);
}

static enum step_result
login_record(struct http_request *req, struct job *job)
{
	struct login	*login = job->data;

	if (job_rows(job) != 1) {
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}

	if (login->match) {
		/* A concurrent failure may have set the lock meanwhile. */
		if (strcmp(job_value(job, 0, 0), "0")) {
			login_locked(req, job_value(job, 0, 0));
			return (STEP_DONE);
		}
		login_token(req);
		return (STEP_DONE);
	}

	login->locked_out = !strcmp(job_value(job, 0, 0), "t");
	return (STEP_NEXT);
}

static enum step_result
login_reply(struct http_request *req, struct job *job)
{
	struct login	*login = job->data;

	if (login->locked_out) {
		log_warn("event=login_locked client_ip=%s failures=%ld "
		    "cooldown_s=%ld request_id=%s", request_ctx(req)->client_ip,
		    app_config.login_max_failures,
		    app_config.login_cooldown_seconds, request_ctx(req)->id);
	}

	reply_error(req, HTTP_STATUS_UNAUTHORIZED, "unauthorized",
	    "wrong username or password");
	return (STEP_DONE);
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
	json_string(&out, "access_token", token);
	json_string(&out, "token_type", "bearer");
	json_int(&out, "expires_in", app_config.jwt_expiry_seconds);
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
