/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for S3's multipart XML (s3_xml.h). The input is an
 * answer from S3, read as an InitiateMultipartUploadResult, an error and
 * a ListMultipartUploadsResult; then its lines are taken as ETags for a
 * CompleteMultipartUpload body. Checked besides memory errors: an
 * UploadId or key read is NUL-terminated within its bound and an
 * UploadId is never empty; an <Error> document yields no UploadId and no uploads; a built body is
 * its own length, starts and ends with the document's tags, and holds
 * each ETag's bytes once escaped.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3_xml.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define ETAGS_MAX	8

static void	upload_check(void *, const char *, const char *);

static void
upload_check(void *arg, const char *key, const char *id)
{
	(void)arg;
	if (strnlen(key, S3_XML_KEY_MAX + 1) > S3_XML_KEY_MAX ||
	    strnlen(id, S3_XML_ID_MAX + 1) > S3_XML_ID_MAX || id[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*doc = (const char *)data;
	const uint8_t	*p;
	char		 id[S3_XML_ID_MAX + 1], *etags[ETAGS_MAX], *body;
	const char	*const *tags;
	size_t		 len, n, i;
	int		 err, count;

	err = s3_xml_is_error(doc, size);
	memset(id, 'x', sizeof(id));
	if (s3_xml_upload_id(doc, size, id, sizeof(id)) == 0) {
		if (err || id[0] == '\0' || strnlen(id, sizeof(id)) ==
		    sizeof(id))
			abort();
	}
	count = s3_xml_uploads(doc, size, upload_check, NULL);
	if (err && count != -1)
		abort();

	p = data;
	len = size;
	for (n = 0; n < ETAGS_MAX && p != NULL; n++)
		etags[n] = fuzz_line(&p, &len, 0);
	tags = (const char *const *)etags;
	if ((body = s3_xml_complete(tags, n, &len)) != NULL) {
		if (strlen(body) != len ||
		    strncmp(body, "<CompleteMultipartUpload>", 25) != 0 ||
		    len < 26 || strcmp(body + len - 26,
		    "</CompleteMultipartUpload>") != 0)
			abort();
		for (i = 0; i < n; i++) {
			if (strchr(etags[i], '&') == NULL &&
			    strchr(etags[i], '<') == NULL &&
			    strchr(etags[i], '>') == NULL &&
			    strstr(body, etags[i]) == NULL)
				abort();
		}
		free(body);
	}
	for (i = 0; i < n; i++)
		free(etags[i]);

	return (0);
}
