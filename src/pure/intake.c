/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * An upload's body as it arrives (intake.h): the multipart reader's
 * events become the form's (upload_form.c), and the file's bytes go
 * through the size limit, the media sniffer and the hash before they are
 * handed on. The limit splits a piece where it falls, so that a type
 * refused before the limit is what the client hears, however the body
 * was cut.
 */

#include <openssl/evp.h>

#include <string.h>

#include "encoding.h"
#include "form.h"
#include "intake.h"

#define INTERNAL_STATUS	500

static int	file_bytes(struct intake *, const uint8_t *, size_t);
static void	file_end(struct intake *);
static void	stop(struct intake *);
static int	hash_start(struct intake *);
static int	hash_end(struct intake *);

int
intake_init(struct intake *in, const struct intake_args *args,
    enum intake_status *st)
{
	struct upload_fault	fault;
	char			boundary[FORM_BOUNDARY_MAX + 1];

	memset(in, 0, offsetof(struct intake, media));
	media_stream_init(&in->media);
	upload_form_init(&in->form, args->max_file);
	upload_form_query(&in->form, args->query);
	in->on_file = args->on_file;
	in->arg = args->arg;
	in->body_len = args->body_len;
	in->raw_digest = args->raw_digest;
	*st = INTAKE_MORE;

	switch (form_content_type(args->content_type,
	    args->content_type != NULL ? strlen(args->content_type) : 0,
	    boundary)) {
	case FORM_BAD_MULTIPART:
		upload_form_bad_boundary(&in->form);
		stop(in);
		*st = INTAKE_STOP;
		return (0);
	case FORM_MULTIPART:
		in->multipart = 1;
		form_stream_init(&in->fs, boundary);
		return (hash_start(in));
	case FORM_RAW:
	default:
		break;
	}

	/* A raw body: the file, whose size is known, and no form fields. */
	upload_form_raw(&in->form, args->body_len);
	upload_form_fields_done(&in->form);
	in->in_file = 1;
	if (!in->raw_digest && hash_start(in) == -1)
		return (-1);
	if (upload_form_stopped(&in->form) ||
	    upload_form_verdict(&in->form, &fault) == -1) {
		stop(in);
		*st = INTAKE_STOP;
	}

	return (0);
}

enum intake_status
intake_feed(struct intake *in, const uint8_t *p, size_t n)
{
	struct form_stream_item	it;
	enum form_event		ev;

	if (in->stopped)
		return (INTAKE_STOP);

	if (!in->multipart) {
		if (file_bytes(in, p, n) == -1)
			stop(in);
		return (in->stopped ? INTAKE_STOP : INTAKE_MORE);
	}

	form_stream_feed(&in->fs, p, n);
	while (!in->stopped &&
	    (ev = form_stream_next(&in->fs, &it)) != FORM_EV_NEED) {
		switch (ev) {
		case FORM_EV_PART:
			in->in_file = (upload_form_part_begin(&in->form,
			    &it.part) == UPLOAD_PART_FILE);
			break;
		case FORM_EV_DATA:
			if (!in->in_file) {
				upload_form_field_data(&in->form, it.data,
				    it.len);
			} else if (file_bytes(in, it.data, it.len) == -1) {
				stop(in);
			}
			break;
		case FORM_EV_PART_END:
			if (in->in_file)
				file_end(in);
			upload_form_part_end(&in->form);
			in->in_file = 0;
			break;
		case FORM_EV_END:
			/* The epilogue: nothing more of ours. */
			return (INTAKE_MORE);
		case FORM_EV_MALFORMED:
		default:
			upload_form_malformed(&in->form);
			break;
		}
		if (upload_form_stopped(&in->form))
			stop(in);
	}

	return (in->stopped ? INTAKE_STOP : INTAKE_MORE);
}

enum intake_status
intake_end(struct intake *in, const uint8_t *digest)
{
	if (in->stopped)
		return (INTAKE_STOP);

	if (in->multipart) {
		if (form_stream_finish(&in->fs) != FORM_EV_END)
			upload_form_malformed(&in->form);
	} else {
		if (in->raw_digest && digest != NULL) {
			memcpy(in->digest, digest, sizeof(in->digest));
			(void)enc_hex_encode(in->digest, sizeof(in->digest),
			    in->sha256);
		}
		file_end(in);
	}
	upload_form_fields_done(&in->form);

	if (upload_form_stopped(&in->form))
		stop(in);
	return (in->stopped ? INTAKE_STOP : INTAKE_MORE);
}

int
intake_verdict(const struct intake *in, struct upload_fault *out)
{
	if (upload_form_verdict(&in->form, out) == -1)
		return (-1);

	/* Accepted, yet no hash: only when OpenSSL failed on the way. */
	if (in->sha256[0] == '\0') {
		out->status = INTERNAL_STATUS;
		out->code = "internal";
		out->field = NULL;
		out->message = "internal error";
		return (-1);
	}

	return (0);
}

int
intake_type(const struct intake *in, enum media_type *type)
{
	return (media_stream_type(&in->media, type));
}

void
intake_free(struct intake *in)
{
	EVP_MD_CTX_free(in->sha);
	in->sha = NULL;
}

/*
 * Bytes of the file: counted against the limit (a piece that crosses it
 * is split there), sniffed, hashed, handed on. -1 once the file is
 * refused (too large, or not a type of ours).
 */
static int
file_bytes(struct intake *in, const uint8_t *p, size_t n)
{
	uint64_t	room;
	size_t		k;

	/* A raw body's size was known, and judged, at the headers. */
	room = n;
	if (in->multipart) {
		room = in->form.max_file - (in->form.file_len <
		    in->form.max_file ? in->form.file_len : in->form.max_file);
	}
	k = n < room ? n : (size_t)room;

	if (k > 0 && in->multipart)
		(void)upload_form_file_data(&in->form, k);
	if (k > 0 && !in->refusal) {
		if (media_stream_feed(&in->media, p, k)) {
			/*
			 * Certain now unless the file may still pass the limit,
			 * which would outrank it: then at the file's end.
			 */
			if (!in->multipart || in->body_len <= in->form.max_file) {
				upload_form_media(&in->form,
				    media_stream_refusal(&in->media), NULL);
				return (-1);
			}
			in->refusal = 1;
		}
		if (in->sha != NULL &&
		    EVP_DigestUpdate(in->sha, p, k) != 1) {
			EVP_MD_CTX_free(in->sha);
			in->sha = NULL;
		}
	}

	if (k < n) {
		(void)upload_form_file_data(&in->form, n - k);
		return (-1);
	}

	if (!in->refusal)
		in->on_file(in->arg, p, n);
	return (0);
}

/* The file part (or the raw body) has ended: the media verdict. */
static void
file_end(struct intake *in)
{
	enum media_status	st;

	in->file_done = 1;
	if (in->sha256[0] == '\0')
		(void)hash_end(in);

	/* An empty file is answered as one (upload_form.h), not as a type. */
	if (in->form.file_len == 0)
		return;
	if (in->refusal) {
		upload_form_media(&in->form, media_stream_refusal(&in->media),
		    NULL);
		return;
	}
	st = media_stream_end(&in->media, &in->info);
	upload_form_media(&in->form, st, &in->info);
}

static void
stop(struct intake *in)
{
	in->stopped = 1;
	/* The query's faults outrank some of the stopping ones. */
	upload_form_fields_done(&in->form);
}

static int
hash_start(struct intake *in)
{
	if ((in->sha = EVP_MD_CTX_new()) == NULL)
		return (-1);
	if (EVP_DigestInit_ex(in->sha, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(in->sha);
		in->sha = NULL;
		return (-1);
	}

	return (0);
}

static int
hash_end(struct intake *in)
{
	unsigned int	len;

	if (in->sha == NULL)
		return (-1);
	if (EVP_DigestFinal_ex(in->sha, in->digest, &len) != 1 ||
	    len != sizeof(in->digest))
		return (-1);
	(void)enc_hex_encode(in->digest, sizeof(in->digest), in->sha256);
	return (0);
}
