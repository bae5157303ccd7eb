/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The body of an upload read as it arrives: a multipart/form-data body
 * (form_stream.c) or the raw file, its fields and faults (upload_form.c),
 * the file's type and dimensions (media_stream.c) and its SHA-256. The
 * file's bytes are handed to a callback as they are read, so that the
 * caller can store them while the client still sends; nothing else of
 * the body is kept. Pure: no Kore (OpenSSL for the hash).
 *
 * The answers do not depend on how the body was cut into pieces. A file
 * over the limit outranks a type refused (upload_form.h): when the body
 * is large enough for its file to pass the limit, a refused type is only
 * answered once the file has ended within it (its bytes, now of no use,
 * are counted and dropped); otherwise at once.
 *
 *	intake_init(&in, &args, &st);
 *	while more body: if (intake_feed(&in, piece, len) == INTAKE_STOP)
 *		answer intake_verdict() now, read no more;
 *	intake_end(&in, digest_of_the_whole_body_or_NULL);
 *	intake_verdict(&in, &fault) == 0: accepted, and then in.form.title,
 *	    in.form.tags, in.form.file_len, in.info and in.sha256 say what.
 *	intake_free(&in);
 */

#ifndef REACTBIN_INTAKE_H
#define REACTBIN_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include "form_stream.h"
#include "media_stream.h"
#include "upload_form.h"

#define INTAKE_SHA256_BYTES	32
#define INTAKE_SHA256_HEX_LEN	(2 * INTAKE_SHA256_BYTES)

/* The file's bytes, in order, as they are read. */
typedef void	(*intake_file_fn)(void *, const uint8_t *, size_t);

enum intake_status {
	INTAKE_MORE,		/* read on */
	INTAKE_STOP		/* the upload is refused: answer, read no more */
};

struct intake_args {
	const char	*content_type;	/* NULL: none */
	const char	*query;		/* NULL: none */
	uint64_t	 body_len;	/* Content-Length */
	uint64_t	 max_file;	/* MAX_UPLOAD_BYTES */
	int		 raw_digest;	/* intake_end gets a raw body's hash */
	intake_file_fn	 on_file;
	void		*arg;
};

struct intake {
	int			 multipart;
	int			 raw_digest;
	int			 stopped;
	int			 in_file;
	int			 file_done;
	uint64_t		 body_len;
	int			 refusal;	/* a type refused, answer waits */
	intake_file_fn		 on_file;
	void			*arg;
	void			*sha;		/* EVP_MD_CTX, multipart only */
	uint8_t			 digest[INTAKE_SHA256_BYTES];
	char			 sha256[INTAKE_SHA256_HEX_LEN + 1];
	struct media_info	 info;
	struct upload_form	 form;
	struct form_stream	 fs;
	struct media_stream	 media;
};

/*
 * Start reading a body. *st is INTAKE_STOP when the headers alone refuse
 * it (a bad boundary; for a raw body whatever is wrong but the media).
 * Returns 0, or -1 when the hash cannot be set up (nothing to free).
 */
int			intake_init(struct intake *,
			    const struct intake_args *, enum intake_status *);

enum intake_status	intake_feed(struct intake *, const uint8_t *, size_t);

/*
 * The body is complete. A raw body's hash is the body's: with raw_digest
 * the caller's digest of it (Kore takes one) is used, and no other.
 */
enum intake_status	intake_end(struct intake *, const uint8_t *);

/* 0 when the upload is accepted, -1 with the fault to answer. */
int			intake_verdict(const struct intake *,
			    struct upload_fault *);

/* The type the file's magic claims, once known: 0, or -1. */
int			intake_type(const struct intake *, enum media_type *);

void			intake_free(struct intake *);

#endif
