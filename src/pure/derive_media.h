/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Making a reaction's derivatives from its bytes in memory: a WebP
 * thumbnail (longest side DERIVE_THUMB_SIDE), an animated WebP preview
 * for an animation or a clip, the metadata the container knows (size,
 * duration) and the still's difference hash. Images go through libvips
 * (derive_image.c), clips through libavformat/libavcodec/libswscale
 * (derive_clip.c), whose frames libvips then encodes. Pure: no Kore, no
 * file, no subprocess, safe to run in a task thread; each call is bounded
 * in pixels, frames and time (derive_plan.h).
 */

#ifndef REACTBIN_DERIVE_MEDIA_H
#define REACTBIN_DERIVE_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "media.h"

/* Room for why a file was refused, in the log's key=value form. */
#define DERIVE_ERROR_MAX	160

/*
 * What to make: everything, the still's thumbnail and hash alone (what a
 * one-frame thumbnailer makes, for comparison), or only the hash (an
 * upload's 201).
 */
enum derive_mode {
	DERIVE_ALL,
	DERIVE_STILL,
	DERIVE_HASH_ONLY,
};

enum derive_status {
	DERIVE_OK,		/* a thumbnail (or the hash) was made */
	DERIVE_REFUSED,		/* the decoders refuse the file */
	DERIVE_TIMEOUT,		/* over its time budget */
};

struct derive_result {
	enum derive_status	 status;
	char			 error[DERIVE_ERROR_MAX];

	/* The source as decoded; 0 when unknown. */
	uint32_t		 width;
	uint32_t		 height;
	int64_t			 duration_ms;	/* -1: a still */

	uint64_t		 phash;
	int			 has_phash;

	/* WebP bytes, malloc'd; NULL when not made. */
	uint8_t			*thumb;
	size_t			 thumb_len;
	uint32_t		 thumb_width;
	uint32_t		 thumb_height;

	uint8_t			*preview;
	size_t			 preview_len;
	uint32_t		 preview_width;
	uint32_t		 preview_height;
	int			 preview_frames;
};

/*
 * Once per process, before any thread uses the decoders and after any
 * fork: libvips with one thread per pipeline, no operation cache, no
 * untrusted loader and no loadable module; libav silent. Returns 0 or -1.
 */
int	derive_init(const char *);

/*
 * Derive from the whole file buf[0..len) of that type, within budget_ms
 * of wall time. Fills *out (free it with derive_result_free) and returns
 * out->status.
 */
enum derive_status	derive_media(const uint8_t *, size_t, enum media_type,
			    enum derive_mode, int64_t, struct derive_result *);

void	derive_result_free(struct derive_result *);

/*
 * Between the front and the two decoders (not for callers): the clock,
 * a refusal, libvips' encoding of decoded RGB frames, and each decoder. A strip is frames of w x h
 * stacked top to bottom; the buffers stay the caller's.
 */
int64_t	derive_now_ms(void);
enum derive_status	derive_fail(struct derive_result *, enum derive_status,
			    const char *, ...)
			    __attribute__((format(printf, 3, 4)));
enum derive_status	derive_encode_still(const uint8_t *, uint32_t,
			    uint32_t, enum derive_mode, int64_t,
			    struct derive_result *);
enum derive_status	derive_encode_preview(const uint8_t *, uint32_t,
			    uint32_t, size_t, const int *, int64_t,
			    struct derive_result *);
enum derive_status	derive_image(const uint8_t *, size_t, enum media_type,
			    enum derive_mode, int64_t, struct derive_result *);
enum derive_status	derive_clip(const uint8_t *, size_t, enum media_type,
			    enum derive_mode, int64_t, struct derive_result *);

#endif
