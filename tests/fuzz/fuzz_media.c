/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for media_sniff(): any bytes as an uploaded file, and
 * the promises media.h makes about what comes back.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_type(enum media_type);
static int	is_image(enum media_type);

static void
check_type(enum media_type type)
{
	enum media_type	back;
	const char	*mime;

	if ((mime = media_type_mime(type)) == NULL ||
	    media_type_extension(type) == NULL)
		abort();
	if (media_type_from_mime(mime, &back) != 0 || back != type)
		abort();
}

static int
is_image(enum media_type type)
{
	return (type == MEDIA_GIF || type == MEDIA_PNG ||
	    type == MEDIA_JPEG || type == MEDIA_WEBP);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct media_info	zero;
	struct media_info		info;
	enum media_status		st;

	/* Garbage in *out must not leak into the answer. */
	memset(&info, 0xa5, sizeof(info));

	/* libFuzzer's buffer is exactly size bytes: ASan sees overreads. */
	st = media_sniff(data, size, &info);
	switch (st) {
	case MEDIA_OK:
		check_type(info.type);
		if (is_image(info.type) && !info.has_dimensions)
			abort();
		if (info.has_dimensions != 0 && info.has_dimensions != 1)
			abort();
		(void)media_dimensions_sane(&info);
		break;
	case MEDIA_MALFORMED:
		check_type(info.type);
		break;
	case MEDIA_UNSUPPORTED:
		if (memcmp(&info, &zero, sizeof(info)) != 0)
			abort();
		break;
	default:
		abort();
	}

	if (media_dimensions_sane(NULL) != 0)
		abort();

	return (0);
}
