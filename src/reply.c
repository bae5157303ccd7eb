/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Every JSON response leaves through here: the one place that knows the
 * error body's shape, the headers all responses carry, and which HTTP
 * answer a failed query or storage call gets.
 */

#include <string.h>

#include "app.h"
#include "json.h"
#include "log.h"

#define JSON_CONTENT_TYPE	"application/json; charset=utf-8"

/* SQLSTATEs that mean "the database is not there", not "bad SQL". */
#define SQLSTATE_CONNECTION_CLASS	"08"
#define SQLSTATE_ADMIN_SHUTDOWN		"57P01"
#define SQLSTATE_CRASH_SHUTDOWN		"57P02"
#define SQLSTATE_CANNOT_CONNECT		"57P03"
#define SQLSTATE_TOO_MANY_CONNECTIONS	"53300"

/* The body sent when even building an error body fails. */
static const char reply_fallback[] =
    "{\"error\":{\"code\":\"internal\",\"message\":\"internal error\"}}";

static void	reply_send(struct http_request *, int, const void *, size_t);
static int	reply_sql_unavailable(const char *);
static void	reply_error_body(struct http_request *, int, const char *,
		    const char *, const char *);

/* Headers every response of ours carries, JSON or not. */
void
reply_common_headers(struct http_request *req)
{
	struct request_ctx	*ctx;

	ctx = request_ctx(req);
	http_response_header(req, "x-request-id", ctx->id);
}

/* Send a finished JSON body; a body that failed to build becomes a 500. */
void
reply_json(struct http_request *req, int status, struct json_out *out)
{
	const unsigned char	*body;
	size_t			 len;

	if (json_out_body(out, &body, &len) == -1) {
		log_error("event=reply_failed reason=json_buffer");
		reply_send(req, HTTP_STATUS_INTERNAL_ERROR, reply_fallback,
		    sizeof(reply_fallback) - 1);
		return;
	}

	reply_send(req, status, body, len);
}

/* 200 with {"items": [...]}: rows objects, each filled by item. */
void
reply_items(struct http_request *req, int rows, reply_item_fn item,
    const void *arg)
{
	struct json_out	out;
	int		i;

	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_array_open(&out, "items");
	for (i = 0; i < rows; i++) {
		json_open(&out, NULL);
		item(&out, i, arg);
		json_close(&out);
	}
	json_array_close(&out);
	json_close(&out);

	reply_json(req, HTTP_STATUS_OK, &out);
	json_out_free(&out);
}

/* A JSON body that is already text. */
void
reply_json_text(struct http_request *req, int status, const char *body,
    size_t len)
{
	reply_send(req, status, body, len);
}

void
reply_error(struct http_request *req, int status, const char *code,
    const char *message)
{
	reply_error_body(req, status, code, message, NULL);
}

/* A 422 names the field at fault inside "error". */
void
reply_error_field(struct http_request *req, int status, const char *code,
    const char *field, const char *message)
{
	reply_error_body(req, status, code, message, field);
}

void
reply_empty(struct http_request *req, int status)
{
	reply_common_headers(req);
	http_response(req, status, NULL, 0);
}

/*
 * A query that failed in a way its step did not expect: 503 when the
 * database is away (an empty SQLSTATE means libpq never heard from a
 * server), 500 for anything else, which is a bug of ours.
 */
void
reply_sql_error(struct http_request *req, const char *sqlstate)
{
	if (reply_sql_unavailable(sqlstate)) {
		reply_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "database_unavailable", "the database is unavailable");
		return;
	}

	reply_error(req, HTTP_STATUS_INTERNAL_ERROR, "internal",
	    "internal error");
}

/* Storage failures as the API names them: 503 unreachable, 502 refused. */
void
reply_storage_error(struct http_request *req, enum storage_result result)
{
	if (result == STORAGE_UNAVAILABLE) {
		reply_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "storage_unavailable", "the file storage is unavailable");
		return;
	}

	reply_error(req, HTTP_STATUS_BAD_GATEWAY, "storage_unavailable",
	    "the file storage refused the request");
}

static int
reply_sql_unavailable(const char *sqlstate)
{
	if (sqlstate[0] == '\0')
		return (1);

	if (!strncmp(sqlstate, SQLSTATE_CONNECTION_CLASS,
	    strlen(SQLSTATE_CONNECTION_CLASS)))
		return (1);

	return (!strcmp(sqlstate, SQLSTATE_ADMIN_SHUTDOWN) ||
	    !strcmp(sqlstate, SQLSTATE_CRASH_SHUTDOWN) ||
	    !strcmp(sqlstate, SQLSTATE_CANNOT_CONNECT) ||
	    !strcmp(sqlstate, SQLSTATE_TOO_MANY_CONNECTIONS));
}

static void
reply_error_body(struct http_request *req, int status, const char *code,
    const char *message, const char *field)
{
	struct json_out	out;

	(void)json_out_init(&out);
	json_open(&out, NULL);
	json_open(&out, "error");
	json_put_string(&out, "code", code);
	json_put_string(&out, "message", message);
	if (field != NULL)
		json_put_string(&out, "field", field);
	json_close(&out);
	json_close(&out);

	reply_json(req, status, &out);
	json_out_free(&out);
}

static void
reply_send(struct http_request *req, int status, const void *body,
    size_t len)
{
	struct request_ctx	*ctx;

	ctx = request_ctx(req);
	reply_common_headers(req);
	http_response_header(req, "content-type", JSON_CONTENT_TYPE);
	http_response_header(req, "cache-control", "no-store");

	ctx->bytes_out = len;
	http_response(req, status, body, len);
}
