/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * API keys for tools: POST /api/v1/keys makes one and shows its secret
 * this once, with a ShareX and a Flameshot configuration for it; GET
 * lists them (never a secret); DELETE revokes one, at once on every
 * replica, since every request with a key looks its row up (auth.c). Key
 * management takes the owner's login only. Only the SHA-256 of a key is
 * stored (assets/migrations/007_api_keys.sql).
 */

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "apikey.h"
#include "json.h"
#include "log.h"
#include "uploader.h"
#include "uuid.h"

#define RFC3339_MS_SQL(col)						\
	"to_char(" col " AT TIME ZONE 'UTC', "				\
	"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

#define KEY_COLUMNS							\
	"id, name, scope, prefix, " RFC3339_MS_SQL("created_at") ", "	\
	RFC3339_MS_SQL("last_used_at")

enum key_column {
	KC_ID,
	KC_NAME,
	KC_SCOPE,
	KC_PREFIX,
	KC_CREATED_AT,
	KC_LAST_USED_AT,
};

/*
 * The row of a key by its prefix, for auth.c: id, scope, the hash, and
 * whether last_used_at is due to be written (more than a minute old).
 */
static const char key_lookup_sql[] =
    "SELECT id, scope, secret_sha256, "
    "last_used_at IS NULL OR last_used_at < now() - interval '1 minute' "
    "FROM api_keys WHERE prefix = $1";

static const char key_touch_sql[] =
    "UPDATE api_keys SET last_used_at = now() WHERE id = $1::uuid";

/*
 * A prefix is 48 random bits: the UNIQUE constraint would refuse a
 * second one only after some ten million keys; that is a 500.
 */
static const char key_create_sql[] =
    "INSERT INTO api_keys (id, name, scope, prefix, secret_sha256) "
    "VALUES ($1::uuid, $2, $3, $4, $5) RETURNING " KEY_COLUMNS;

static const char key_list_sql[] =
    "SELECT " KEY_COLUMNS " FROM api_keys ORDER BY created_at DESC, id";

static const char key_delete_sql[] =
    "DELETE FROM api_keys WHERE id = $1::uuid RETURNING id";

#define KEYS_PATH		"/api/v1/keys/"
#define LOCATION_MAX		(sizeof(KEYS_PATH) + UUID_TEXT_LEN)

int	key_create(struct http_request *);
int	key_list(struct http_request *);
int	key_delete(struct http_request *);

struct key_create_state {
	struct apikey_request	request;
	char			base[UPLOADER_BASE_MAX];
	char			key[APIKEY_LEN + 1];
};

static enum step_result	key_create_start(struct http_request *, struct job *);
static enum step_result	key_create_reply(struct http_request *, struct job *);
static enum step_result	key_list_start(struct http_request *, struct job *);
static enum step_result	key_list_reply(struct http_request *, struct job *);
static enum step_result	key_delete_start(struct http_request *, struct job *);
static enum step_result	key_delete_reply(struct http_request *, struct job *);

static void	key_members(struct json_out *, const struct job *, int);
static void	key_item(struct json_out *, int, const void *);
static void	key_path_id(struct http_request *, char [UUID_TEXT_LEN + 1]);

static const step_fn key_create_steps[] = {
	AUTH_STEPS_LOGIN,
	key_create_start,
	key_create_reply,
	NULL,
};

static const step_fn key_list_steps[] = {
	AUTH_STEPS_LOGIN,
	key_list_start,
	key_list_reply,
	NULL,
};

static const step_fn key_delete_steps[] = {
	AUTH_STEPS_LOGIN,
	key_delete_start,
	key_delete_reply,
	NULL,
};

int
key_create(struct http_request *req)
{
	return (job_run(req, key_create_steps,
	    sizeof(struct key_create_state)));
}

int
key_list(struct http_request *req)
{
	return (job_run(req, key_list_steps, 0));
}

int
key_delete(struct http_request *req)
{
	return (job_run(req, key_delete_steps, 0));
}

void
keys_lookup(struct job *job, const char *prefix)
{
	job_query(job, key_lookup_sql, 1, prefix);
}

void
keys_touch(struct job *job, const char *id)
{
	job_query(job, key_touch_sql, 1, id);
}

static enum step_result
key_create_start(struct http_request *req, struct job *job)
{
	struct key_create_state	*state = job->data;
	yajl_val		 body;
	const char		*field, *message, *host;
	char			 prefix[APIKEY_PREFIX_LEN + 1];
	char			 hash[APIKEY_HASH_LEN + 1];
	char			 id[UUID_TEXT_LEN + 1];
	uint8_t			 raw[UUID_BYTES];

	if (request_body_json(req, &body) != KORE_RESULT_OK)
		return (STEP_DONE);

	if (apikey_request_parse(body, &state->request, &field,
	    &message) == -1) {
		/* field may point into the tree: reply before freeing it. */
		reply_error_field(req, HTTP_STATUS_UNPROCESSABLE,
		    "validation_failed", field, message);
		yajl_tree_free(body);
		return (STEP_DONE);
	}
	yajl_tree_free(body);

	/* The configurations need a base: find it before making a key. */
	if (!http_request_header(req, "host", &host))
		host = NULL;
	if (uploader_base(app_config.api_base_url, host, state->base,
	    sizeof(state->base)) == -1) {
		reply_error(req, HTTP_STATUS_BAD_REQUEST, "bad_request",
		    "API_BASE_URL is not set and the Host header is not a "
		    "host name: the uploader configurations need one");
		return (STEP_DONE);
	}

	if (apikey_generate(state->key, prefix) == -1 ||
	    apikey_hash(state->key, hash) == -1 ||
	    uuid_v4_generate(raw) == -1) {
		log_error("event=key_error reason=random");
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}
	uuid_to_text(raw, id);

	job_query(job, key_create_sql, 5, id, state->request.name,
	    state->request.scope, prefix, hash);
	return (STEP_WAIT);
}

/* The key, its secret this once, and what tools need to use it. */
static enum step_result
key_create_reply(struct http_request *req, struct job *job)
{
	struct key_create_state	*state = job->data;
	struct json_out		 out;
	char			 location[LOCATION_MAX];
	char			*script;

	if (job_rows(job) != 1 || (script = uploader_flameshot(
	    state->request.name, state->base, state->key)) == NULL) {
		explicit_bzero(state->key, sizeof(state->key));
		reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
		    "internal error");
		return (STEP_DONE);
	}

	(void)json_out_init(&out);
	json_open(&out, NULL);
	key_members(&out, job, 0);
	json_put_string(&out, "key", state->key);
	uploader_sharex(&out, "sharex", state->request.name, state->base,
	    app_config.api_base_url[0] != '\0' ? "" : state->base,
	    state->key);
	json_put_string(&out, "flameshot", script);
	json_close(&out);

	/* The secret lives on only in the body that carries it. */
	explicit_bzero(state->key, sizeof(state->key));
	explicit_bzero(script, strlen(script));
	free(script);

	(void)snprintf(location, sizeof(location), "%s%s", KEYS_PATH,
	    job_value(job, 0, KC_ID));
	http_response_header(req, "location", location);
	log_info("event=key_created key_id=%s scope=%s request_id=%s",
	    job_value(job, 0, KC_ID), job_value(job, 0, KC_SCOPE),
	    request_ctx(req)->id);

	reply_json(req, HTTP_STATUS_CREATED, &out);
	json_out_free(&out);
	return (STEP_DONE);
}

static enum step_result
key_list_start(struct http_request *req, struct job *job)
{
	(void)req;

	job_query(job, key_list_sql, 0);
	return (STEP_WAIT);
}

static enum step_result
key_list_reply(struct http_request *req, struct job *job)
{
	reply_items(req, job_rows(job), key_item, job);
	return (STEP_DONE);
}

static enum step_result
key_delete_start(struct http_request *req, struct job *job)
{
	char	id[UUID_TEXT_LEN + 1];

	key_path_id(req, id);
	job_query(job, key_delete_sql, 1, id);
	return (STEP_WAIT);
}

static enum step_result
key_delete_reply(struct http_request *req, struct job *job)
{
	if (job_rows(job) != 1) {
		reply_error(req, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no such key");
		return (STEP_DONE);
	}

	log_info("event=key_revoked key_id=%s request_id=%s",
	    job_value(job, 0, 0), request_ctx(req)->id);
	reply_empty(req, HTTP_STATUS_NO_CONTENT);
	return (STEP_DONE);
}

/* The members of a key, in the object the caller opened. */
static void
key_members(struct json_out *out, const struct job *job, int row)
{
	json_put_string(out, "id", job_value(job, row, KC_ID));
	json_put_string(out, "name", job_value(job, row, KC_NAME));
	json_put_string(out, "scope", job_value(job, row, KC_SCOPE));
	json_put_string(out, "prefix", job_value(job, row, KC_PREFIX));
	json_put_string(out, "created_at", job_value(job, row, KC_CREATED_AT));
	if (job_is_null(job, row, KC_LAST_USED_AT))
		json_put_null(out, "last_used_at");
	else
		json_put_string(out, "last_used_at",
		    job_value(job, row, KC_LAST_USED_AT));
}

static void
key_item(struct json_out *out, int row, const void *job)
{
	key_members(out, job, row);
}

/* The route's regex has admitted only a canonical id after the path. */
static void
key_path_id(struct http_request *req, char out[UUID_TEXT_LEN + 1])
{
	size_t	plen;

	plen = strlen(KEYS_PATH);
	if (strncmp(req->path, KEYS_PATH, plen) ||
	    strlen(req->path) != plen + UUID_TEXT_LEN)
		fatal("key_path_id: route without an id");

	memcpy(out, req->path + plen, UUID_TEXT_LEN);
	out[UUID_TEXT_LEN] = '\0';
}
