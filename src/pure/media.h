/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Media type detection for uploads: the type comes from the file's bytes
 * (its magic and structure), never from what the client claims, and the
 * width and height come from the image headers. Pure: no Kore, no
 * decoding of pixels, safe on any bytes.
 */

#ifndef REACTBIN_MEDIA_H
#define REACTBIN_MEDIA_H

#include <stddef.h>
#include <stdint.h>

/*
 * Above this many pixels a header is treated as a decompression bomb
 * by media_dimensions_sane(); media_sniff() itself reports any size.
 */
#define MEDIA_MAX_PIXELS	(100ULL * 1000 * 1000)

enum media_type {
	MEDIA_GIF = 1,
	MEDIA_PNG,
	MEDIA_JPEG,
	MEDIA_WEBP,
	MEDIA_MP4,
	MEDIA_WEBM
};

enum media_status {
	MEDIA_OK = 0,
	/* Not one of our types (text, SVG, HTML, AVIF, Matroska...): 415. */
	MEDIA_UNSUPPORTED,
	/* One of ours by its magic, but broken or truncated: 422. */
	MEDIA_MALFORMED
};

struct media_info {
	enum media_type	type;
	uint32_t	width;
	uint32_t	height;
	int		has_dimensions;	/* 0 for a clip whose size is unknown */
};

/*
 * Detect the type of the whole file buf[0..len) and read its dimensions.
 * The file must be complete: a truncated one is MEDIA_MALFORMED (every
 * format is walked to its end marker or declared size). On MEDIA_OK *out
 * is filled; on MEDIA_MALFORMED only out->type is set (the type its magic
 * claimed); on MEDIA_UNSUPPORTED *out is zeroed. Images always have
 * dimensions; clips have them when the MP4 'tkhd' or the WebM PixelWidth
 * and PixelHeight of the first video track give them.
 */
enum media_status	media_sniff(const uint8_t *, size_t,
			    struct media_info *);

/* "image/gif", ..., "video/webm"; NULL for a value outside the enum. */
const char	*media_type_mime(enum media_type);

/* "gif", "png", "jpg", "webp", "mp4", "webm"; NULL outside the enum. */
const char	*media_type_extension(enum media_type);

/*
 * Map a media type string (exact, case-sensitive match of one of the six
 * media_type_mime() values) to the enum. Returns 0, or -1 if unknown.
 */
int	media_type_from_mime(const char *, enum media_type *);

/*
 * Are the dimensions acceptable to store: both non-zero and at most
 * MEDIA_MAX_PIXELS in all? A clip without dimensions is acceptable.
 * Returns 1 or 0 (0 for NULL).
 */
int	media_dimensions_sane(const struct media_info *);

#endif
