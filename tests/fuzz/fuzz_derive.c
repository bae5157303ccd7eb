/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for the derivatives' decoders (derive_media.h): our
 * memory reader for libavformat, the frame and page arithmetic, and what
 * we do with what libvips and libav hand back, on any bytes. The first
 * byte picks the type the file is said to be (as the sniffer would have
 * said), the rest is the file. Checked besides memory errors: a success
 * has a thumbnail of longest side 320 and a preview within its caps; a
 * failure says why and holds nothing.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "derive_media.h"
#include "derive_plan.h"

int		 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int		 LLVMFuzzerInitialize(int *, char ***);
const char	*__asan_default_options(void);

#define TYPES		6
#define BUDGET_MS	2000

/*
 * No leak checks in this harness: libvips' pipeline threads keep buffers
 * of their own that they hand back when they end, and LeakSanitizer sees
 * some of them, now and then, between two inputs (no single input
 * reproduces one). The one leak of ours it found (a background array of
 * vips_flatten) was fixed; memory errors are still checked.
 */
const char *
__asan_default_options(void)
{
	return ("detect_leaks=0");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;

	if (derive_init((*argv)[0]) == -1)
		abort();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct derive_result	 r;
	enum media_type		 type;
	uint32_t		 longest;

	if (size < 1)
		return (0);
	type = (enum media_type)(MEDIA_GIF + data[0] % TYPES);

	switch (derive_media(data + 1, size - 1, type, DERIVE_ALL, BUDGET_MS,
	    &r)) {
	case DERIVE_OK:
		if (r.thumb == NULL || r.thumb_len == 0)
			abort();
		longest = r.thumb_width > r.thumb_height ? r.thumb_width :
		    r.thumb_height;
		if (longest != DERIVE_THUMB_SIDE)
			abort();
		if (r.preview != NULL && (r.preview_frames < 2 ||
		    r.preview_frames > DERIVE_PREVIEW_FRAMES_MAX ||
		    r.preview_len > DERIVE_PREVIEW_BYTES_MAX ||
		    r.preview_width > DERIVE_PREVIEW_SIDE ||
		    r.preview_height > DERIVE_PREVIEW_SIDE))
			abort();
		break;
	case DERIVE_REFUSED:
	case DERIVE_TIMEOUT:
		if (r.error[0] == '\0' || r.thumb != NULL || r.preview != NULL)
			abort();
		break;
	default:
		abort();
	}

	derive_result_free(&r);
	return (0);
}
