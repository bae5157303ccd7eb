/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The decoders' front (derive_media.h): the libraries set up once per
 * process, and each file sent to the decoder of its type, images to
 * derive_image.c and clips to derive_clip.c, within one deadline.
 */

#include <vips/vips.h>
#include <vips/vector.h>

#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>

#include "derive_media.h"

/*
 * libvips' prefix, for it to find no module there: the loaders reactbin
 * needs are built in, and the modules (ImageMagick, poppler, OpenSlide,
 * HEIF, JPEG XL) are exactly what reactbin never wants to parse.
 */
#define VIPS_HOME_NONE		"/nonexistent/reactbin"

static void	vips_quiet(const gchar *, GLogLevelFlags, const gchar *,
		    gpointer);

int
derive_init(const char *argv0)
{
	if (setenv("VIPSHOME", VIPS_HOME_NONE, 1) == -1)
		return (-1);

	if (VIPS_INIT(argv0) != 0)
		return (-1);

	/*
	 * No run-time code generation (liborc writes a temporary file and
	 * maps it executable: neither is possible, nor wanted, here), one
	 * pipeline at a time per task, and nothing kept between them.
	 */
	vips_vector_set_enabled(FALSE);
	vips_concurrency_set(1);
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	vips_block_untrusted_set(TRUE);

	/* Refusals are reported once, by the caller: not by the libraries. */
	(void)g_log_set_handler("VIPS", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL |
	    G_LOG_FLAG_RECURSION, vips_quiet, NULL);
	av_log_set_level(AV_LOG_QUIET);

	return (0);
}

enum derive_status
derive_media(const uint8_t *buf, size_t len, enum media_type type,
    enum derive_mode mode, int64_t budget_ms, struct derive_result *out)
{
	int64_t		deadline;

	memset(out, 0, sizeof(*out));
	out->duration_ms = -1;
	deadline = derive_now_ms() + budget_ms;

	switch (type) {
	case MEDIA_GIF:
	case MEDIA_PNG:
	case MEDIA_JPEG:
	case MEDIA_WEBP:
		out->status = derive_image(buf, len, type, mode, deadline, out);
		break;
	case MEDIA_MP4:
	case MEDIA_WEBM:
		out->status = derive_clip(buf, len, type, mode, deadline, out);
		break;
	default:
		out->status = derive_fail(out, DERIVE_REFUSED,
		    "reason=unknown_type");
		break;
	}

	vips_error_clear();
	vips_thread_shutdown();

	return (out->status);
}

static void
vips_quiet(const gchar *domain, GLogLevelFlags level, const gchar *message,
    gpointer arg)
{
	(void)domain;
	(void)level;
	(void)message;
	(void)arg;
}
