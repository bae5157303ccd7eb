/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Media sniffing of a file that arrives in pieces, in bounded memory:
 * the same answer as media_sniff() on the whole file (type, dimensions,
 * and the verdict: supported, unsupported or malformed), without holding
 * it. Pure: no Kore.
 *
 * Two layers:
 *
 *   - the walk (media_walk_*) reads each format block by block as the
 *     bytes pass, skipping bodies (a JPEG's EXIF segments, GIF frames,
 *     an MP4's mdat), keeping only a fixed-size header at a time, and
 *     descending into the few boxes that matter (MP4 moov/trak/mdia, WebM
 *     Tracks); a fuzzer holds it to media_sniff()'s answers;
 *   - the stream (media_stream_*) also keeps the file's first
 *     MEDIA_LOOKAHEAD bytes, and a file no longer than that is judged by
 *     media_sniff() itself, so that small files get exactly the answers
 *     they always had.
 *
 * A verdict can come before the end: the magic of none of our formats,
 * a header that breaks a rule, or (GIF trailer, PNG IEND, JPEG EOI, the
 * end of a RIFF or a WebM Segment) the end of what media_sniff() reads,
 * after which later bytes change nothing.
 */

#ifndef REACTBIN_MEDIA_STREAM_H
#define REACTBIN_MEDIA_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "media.h"
#include "media_formats.h"

/* The first bytes a stream keeps for a small file's media_sniff(). */
#define MEDIA_LOOKAHEAD		(64 * 1024)

/* MP4 boxes and WebM elements the walk is inside at once, at most. */
#define MEDIA_WALK_DEPTH	6

/* A box, chunk or element that runs to the end of the file. */
#define MEDIA_END_OF_FILE	UINT64_MAX

struct media_frame {
	int		kind;
	uint64_t	end;		/* MEDIA_END_OF_FILE: unknown yet */
	int		stop;		/* the rest of it does not matter */
	int		broken;		/* a child broke the walk of it */
};

struct media_walk {
	enum media_type		type;		/* 0 until the magic tells */
	int			decided;
	enum media_status	status;
	struct media_info	info;
	uint64_t		pos;		/* offset of the next byte */
	uint8_t			magic[MEDIA_MAGIC_MAX];
	size_t			magic_len;

	/* Gathering a fixed-size header, or passing over a body. */
	int			state;
	uint8_t			buf[MEDIA_FIXED_MAX];
	size_t			want;
	size_t			have;
	uint64_t		skip;

	/* Where the walk is: the boxes or elements it is inside. */
	struct media_frame	frames[MEDIA_WALK_DEPTH];
	int			depth;

	/* The block being read. */
	uint64_t		start;		/* its first byte */
	uint64_t		end;		/* its end, or END_OF_FILE */
	uint64_t		body;		/* its body's first byte */
	uint32_t		code;		/* type, fourcc, marker, ID */
	uint64_t		size;
	size_t			len;		/* of the ID or size field */

	/* Per format; only the fields of the walk's type are used. */
	uint32_t		width;
	uint32_t		height;
	int			count;		/* GIF images, WebP images */
	int			flag;		/* GIF: a frame's sub-blocks */
	int			first;		/* PNG, WebP: the first chunk */
	int			seen_a;		/* PNG IDAT, JPEG SOF, ... */
	int			seen_b;		/* JPEG SOS, ... */

	/* MP4. */
	uint32_t		ftyp_len;
	int			brands;		/* MP4_BRAND_* bits seen */
	int			have_moov;
	int			have_mdat;
	int			have_video;
	int			mdia_seen;
	int			mdia_result;	/* -1, 0, 1: as bmff_find */
	int			hdlr_seen;
	uint64_t		hdlr_len;
	uint32_t		hdlr_type;
	int			tkhd_seen;
	uint64_t		tkhd_len;
	uint8_t			tkhd[MEDIA_FIXED_MAX];
	size_t			tkhd_have;
	int			need_tkhd;

	/* WebM. */
	int			is_webm;
	int			doc_ok;
	uint64_t		doc_seen;
	int			have_tracks;
	int			have_cluster;
	uint64_t		track_type;
	uint64_t		pixel_width;
	uint64_t		pixel_height;
	int			have_pixels;
};

struct media_stream {
	struct media_walk	walk;
	uint64_t		total;
	size_t			head_len;
	uint8_t			head[MEDIA_LOOKAHEAD];
};

/* The walk alone (tests and fuzzers; the upload uses the stream). */
void			media_walk_init(struct media_walk *);
/* The next piece; returns 1 once the verdict is known, 0 before. */
int			media_walk_feed(struct media_walk *, const uint8_t *,
			    size_t);
/* The file has ended: its verdict and *out, as media_sniff() gives. */
enum media_status	media_walk_end(struct media_walk *,
			    struct media_info *);

void			media_stream_init(struct media_stream *);

/*
 * The next piece of the file. Returns 1 when the file is refused already
 * (media_stream_refusal() says why), 0 otherwise: before the look-ahead
 * is full only a magic that is none of ours refuses.
 */
int			media_stream_feed(struct media_stream *,
			    const uint8_t *, size_t);

/* The early verdict: MEDIA_UNSUPPORTED or MEDIA_MALFORMED. */
enum media_status	media_stream_refusal(const struct media_stream *);

/* The type its magic claims: 0 with *type set, -1 not known (yet). */
int			media_stream_type(const struct media_stream *,
			    enum media_type *);

/* The file has ended: the verdict, and *out, as media_sniff() gives. */
enum media_status	media_stream_end(struct media_stream *,
			    struct media_info *);

#endif
