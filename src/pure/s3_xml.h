/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The few XML documents of S3's multipart uploads: the UploadId of an
 * InitiateMultipartUploadResult, the uploads a ListMultipartUploads
 * answer names, whether an answer is an <Error> (CompleteMultipartUpload
 * may say so with a 200), and the CompleteMultipartUpload request body.
 * Pure: no Kore. S3's answers are flat and unprefixed; anything else is
 * refused, never guessed at. Every reader takes (pointer, length) input
 * of any bytes and runs in time linear in it.
 */

#ifndef REACTBIN_S3_XML_H
#define REACTBIN_S3_XML_H

#include <stddef.h>

/* Longest UploadId and key taken from an answer, and ETag sent back. */
#define S3_XML_ID_MAX		1024
#define S3_XML_KEY_MAX		1024
#define S3_XML_ETAG_MAX		128

/* S3's bounds on the parts of one upload. */
#define S3_XML_PARTS_MAX	10000

/*
 * The text of the first <UploadId> element, entities decoded, into out
 * (outlen bytes with its NUL). Returns 0, or -1 when there is none, it
 * is empty or too long, or the document is an <Error>.
 */
int	s3_xml_upload_id(const char *, size_t, char *, size_t);

/* Is the document an <Error> (or no XML at all)? 1 or 0. */
int	s3_xml_is_error(const char *, size_t);

/*
 * Each <Upload> of a ListMultipartUploadsResult: fn(arg, key, upload_id)
 * with both decoded. Returns how many were reported, or -1 when the
 * document is not such a result (an <Error> included).
 */
int	s3_xml_uploads(const char *, size_t,
	    void (*)(void *, const char *, const char *), void *);

/*
 * The CompleteMultipartUpload body for count parts (1-based numbers in
 * order) whose ETags, as S3 gave them, are etags[0..count). Returns the
 * malloc'd body and its length in *len, or NULL for a count out of
 * range, an ETag too long or holding a control byte, or no memory.
 */
char	*s3_xml_complete(const char *const *, size_t, size_t *);

#endif
