/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Reaction rows to JSON, in one place for every endpoint.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cursor.h"
#include "log.h"
#include "reaction.h"
#include "tags.h"

/* ".../api/v1/reactions/<36-char id>/<what>" plus the base URL. */
#define FILE_URL_MAX	2048
#define FILE_URL_FMT	"%s/api/v1/reactions/%s/%s"
#define REACTIONS_PATH	"/api/v1/reactions/"

/* Derived once per worker from JWT_SECRET_KEY (see cursor.h). */
static uint8_t	cursor_key_bytes[CURSOR_KEY_BYTES];
static int	cursor_key_ready;

static void	reaction_tags(struct json_out *, const char *);
static void	reaction_dimension(struct json_out *, const char *,
		    const struct job *, int, int);
static void	reaction_url(struct json_out *, const char *,
		    const struct job *, int, const char *);

void
reaction_json(struct json_out *out, const char *key, const struct job *job,
    int row)
{
	json_open(out, key);
	reaction_fields(out, job, row);
	json_close(out);
}

void
reaction_fields(struct json_out *out, const struct job *job, int row)
{
	json_put_string(out, "id", job_value(job, row, RC_ID));
	json_put_string(out, "title", job_value(job, row, RC_TITLE));
	reaction_tags(out, job_value(job, row, RC_TAGS));
	json_put_string(out, "media_type", job_value(job, row, RC_MEDIA_TYPE));
	json_put_int(out, "size_bytes", job_int(job, row, RC_SIZE));
	reaction_dimension(out, "width", job, row, RC_WIDTH);
	reaction_dimension(out, "height", job, row, RC_HEIGHT);
	json_put_string(out, "sha256", job_value(job, row, RC_SHA256));
	json_put_string(out, "created_at", job_value(job, row, RC_CREATED_AT));
	json_put_string(out, "updated_at", job_value(job, row, RC_UPDATED_AT));
	reaction_url(out, "file_url", job, row, "file");
	reaction_dimension(out, "duration_ms", job, row, RC_DURATION);
	/* null until the queue has made them, or when not animated. */
	if (!strcmp(job_value(job, row, RC_HAS_THUMBNAIL), "t"))
		reaction_url(out, "thumbnail_url", job, row, "thumbnail");
	else
		json_put_null(out, "thumbnail_url");
	if (!strcmp(job_value(job, row, RC_HAS_PREVIEW), "t"))
		reaction_url(out, "preview_url", job, row, "preview");
	else
		json_put_null(out, "preview_url");
}

void
reaction_reply(struct http_request *req, int status, const struct job *job,
    int row)
{
	struct json_out	out;

	(void)json_out_init(&out);
	reaction_json(&out, NULL, job, row);
	reply_json(req, status, &out);
	json_out_free(&out);
}

/*
 * Kore compiles C-module routes with REG_NOSUB, so there are no capture
 * groups: the id is read from its fixed place after the collection path.
 * The route's regex has admitted only the canonical form by then.
 */
void
reaction_path_id(struct http_request *req, char out[UUID_TEXT_LEN + 1])
{
	size_t	plen;

	plen = strlen(REACTIONS_PATH);
	if (strncmp(req->path, REACTIONS_PATH, plen) ||
	    strlen(req->path) < plen + UUID_TEXT_LEN)
		fatal("reaction_path_id: route without an id");

	memcpy(out, req->path + plen, UUID_TEXT_LEN);
	out[UUID_TEXT_LEN] = '\0';
}

const uint8_t *
reaction_cursor_key(void)
{
	if (!cursor_key_ready) {
		if (cursor_key_derive(app_config.jwt_secret,
		    app_config.jwt_secret_len, cursor_key_bytes) == -1) {
			log_error("event=cursor_key_failed");
			return (NULL);
		}
		cursor_key_ready = 1;
	}

	return (cursor_key_bytes);
}

/* Newline-separated, already sorted by byte value in the database. */
static void
reaction_tags(struct json_out *out, const char *joined)
{
	const char	*p, *nl;
	char		 tag[TAG_MAX_BYTES + 1];
	size_t		 len;

	json_array_open(out, "tags");
	for (p = joined; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		len = (size_t)(nl - p);
		if (len == 0 || len > TAG_MAX_BYTES) {
			out->failed = 1;
			break;
		}
		memcpy(tag, p, len);
		tag[len] = '\0';
		json_put_string(out, NULL, tag);
		if (*nl == '\0')
			break;
	}
	json_array_close(out);
}

static void
reaction_url(struct json_out *out, const char *key, const struct job *job,
    int row, const char *what)
{
	char	url[FILE_URL_MAX];
	int	n;

	n = snprintf(url, sizeof(url), FILE_URL_FMT, app_config.api_base_url,
	    job_value(job, row, RC_ID), what);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		out->failed = 1;
		return;
	}

	json_put_string(out, key, url);
}

static void
reaction_dimension(struct json_out *out, const char *key,
    const struct job *job, int row, int col)
{
	if (job_is_null(job, row, col)) {
		json_put_null(out, key);
		return;
	}

	json_put_int(out, key, job_int(job, row, col));
}
