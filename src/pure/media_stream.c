/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The media walk: media.c's format walkers turned inside out, so that the
 * bytes are pushed in as they arrive instead of pulled from a buffer.
 * Each format is a small state machine that either gathers a fixed-size
 * header into w->buf (gather) or passes over a body it does not read
 * (pass), and makes, at each header, the checks media.c makes at the
 * same place and in the same order. Where media.c stops looking (a GIF's
 * trailer, a PNG's IEND, a JPEG's EOI, the end of a RIFF or a WebM
 * Segment, an open-ended Cluster) the verdict is known and later bytes
 * are ignored.
 *
 * Containers are walked with a stack of frames (the MP4 boxes moov, trak,
 * mdia; the WebM header, Segment, Tracks, TrackEntry, Video), whose end is
 * known or, for a box that runs to the end of the file, learnt only
 * there. What media.c checks against an end it knows, the walk checks at
 * once when it knows that end too, and at the end of the file otherwise.
 * media.c's MP4 lookups stop at the first match (bmff_find), so a broken
 * child after it is never seen: the walk records the first mdia, tkhd and
 * hdlr and the first breakage in the same order, and stops reading a box
 * once nothing more in it can change the answer.
 *
 * The walk never decides before media.c would have on the same prefix:
 * every early verdict holds for every way the file could go on.
 */

#include <string.h>

#include "media_stream.h"

/* Frames of the MP4 walk. */
enum box_kind {
	BOX_TOP,
	BOX_MOOV,
	BOX_TRAK,
	BOX_MDIA
};

/* Frames of the WebM walk. */
enum element_kind {
	ELEMENT_TOP,
	ELEMENT_HEADER,
	ELEMENT_SEGMENT,
	ELEMENT_TRACKS,
	ELEMENT_ENTRY,
	ELEMENT_VIDEO
};

enum gif_state {
	GIF_SCREEN,
	GIF_TABLE,
	GIF_BLOCK,
	GIF_LABEL,
	GIF_DESC,
	GIF_LOCAL_TABLE,
	GIF_LZW,
	GIF_SUB_LEN,
	GIF_SUB_DATA
};

enum png_state {
	PNG_SIGNATURE,
	PNG_HEADER,
	PNG_IHDR,
	PNG_BODY,
	PNG_IEND
};

enum jpeg_state {
	JPEG_START,
	JPEG_MARK,
	JPEG_FILL,
	JPEG_LENGTH,
	JPEG_FRAME,
	JPEG_SCAN,
	JPEG_SEGMENT,
	JPEG_SCAN_REST,
	JPEG_ENTROPY,
	JPEG_ENTROPY_FF
};

enum webp_state {
	WEBP_HEADER,
	WEBP_CHUNK,
	WEBP_FIRST,
	WEBP_BODY,
	WEBP_PAD
};

enum mp4_state {
	MP4_FTYP,
	MP4_BRAND,
	MP4_CHILD,
	MP4_HEADER,
	MP4_HEADER_LARGE,
	MP4_TKHD,
	MP4_HDLR,
	MP4_LEAF,
	MP4_PASS_FRAME
};

enum webm_state {
	WEBM_CHILD,
	WEBM_ID,
	WEBM_ID_REST,
	WEBM_SIZE,
	WEBM_SIZE_REST,
	WEBM_DOC,
	WEBM_UINT,
	WEBM_LEAF
};

/* The WebM top level: the EBML header, then the Segment, then past it. */
#define WEBM_TOP_HEADER		0
#define WEBM_TOP_SEGMENT	1
#define WEBM_TOP_INSIDE		2

/* MP4 brands: the bits of w->brands beyond media.c's MP4_BRAND_*. */
#define MP4_BRANDS_REFUSED	0x100

/* A frame's or block's end past any file: its size overflowed. */
#define END_BEYOND		(MEDIA_END_OF_FILE - 1)

#define TKHD_VERSION_0		0

static void	decide(struct media_walk *, enum media_status);
static void	expect(struct media_walk *, int, size_t);
static void	pass_to(struct media_walk *, int, uint64_t);
static int	gather(struct media_walk *, const uint8_t **, size_t *);
static int	pass(struct media_walk *, const uint8_t **, size_t *);
static uint64_t	end_of(uint64_t, uint64_t);
static struct media_frame *frame_top(struct media_walk *);
static void	frame_push(struct media_walk *, int, uint64_t);

static void	format_start(struct media_walk *);
static void	format_feed(struct media_walk *, const uint8_t *, size_t);
static void	format_end(struct media_walk *);

static void	gif_feed(struct media_walk *, const uint8_t *, size_t);
static void	gif_table(struct media_walk *, uint8_t, int, int);
static void	png_feed(struct media_walk *, const uint8_t *, size_t);
static void	png_header(struct media_walk *);
static void	jpeg_feed(struct media_walk *, const uint8_t *, size_t);
static void	jpeg_marker(struct media_walk *, uint8_t);
static void	jpeg_length(struct media_walk *);
static void	webp_feed(struct media_walk *, const uint8_t *, size_t);
static void	webp_chunk_start(struct media_walk *);
static void	webp_chunk(struct media_walk *);

static void	mp4_feed(struct media_walk *, const uint8_t *, size_t);
static void	mp4_brand(struct media_walk *);
static void	mp4_child(struct media_walk *);
static void	mp4_header(struct media_walk *, uint64_t, size_t);
static void	mp4_leaf_done(struct media_walk *);
static void	mp4_broken(struct media_walk *);
static void	mp4_close(struct media_walk *);
static void	mp4_trak_reset(struct media_walk *);
static void	mp4_trak_progress(struct media_walk *);
static int	mp4_trak_result(struct media_walk *, const struct media_frame *);
static void	mp4_end(struct media_walk *);
static void	mp4_overflow(struct media_walk *);

static void	webm_feed(struct media_walk *, const uint8_t *, size_t);
static void	webm_child(struct media_walk *);
static void	webm_id(struct media_walk *);
static void	webm_size(struct media_walk *);
static void	webm_element(struct media_walk *);
static void	webm_uint(struct media_walk *);
static void	webm_close(struct media_walk *);
static void	webm_verdict(struct media_walk *);
static void	webm_end(struct media_walk *);

static const char	webm_doctype[] = WEBM_DOCTYPE;

void
media_walk_init(struct media_walk *w)
{
	memset(w, 0, sizeof(*w));
}

int
media_walk_feed(struct media_walk *w, const uint8_t *p, size_t n)
{
	enum media_type	type;
	size_t		k;

	if (w->decided || n == 0 || p == NULL)
		return (w->decided);

	if (w->type == 0) {
		/* The magic first: at most MEDIA_MAGIC_MAX bytes tell it. */
		k = sizeof(w->magic) - w->magic_len;
		if (k > n)
			k = n;
		memcpy(w->magic + w->magic_len, p, k);
		w->magic_len += k;

		switch (media_magic(w->magic, w->magic_len, 0, &type)) {
		case MEDIA_MAGIC_MORE:
			return (0);
		case MEDIA_MAGIC_NONE:
			decide(w, MEDIA_UNSUPPORTED);
			return (1);
		case MEDIA_MAGIC_TYPE:
			break;
		}

		w->type = type;
		w->info.type = type;
		format_start(w);
		format_feed(w, w->magic, w->magic_len);
		p += k;
		n -= k;
	}

	if (!w->decided && n > 0)
		format_feed(w, p, n);

	return (w->decided);
}

enum media_status
media_walk_end(struct media_walk *w, struct media_info *out)
{
	if (!w->decided) {
		/* A file too short for its magic to tell: media.c decides. */
		if (w->type == 0)
			return (media_sniff(w->magic, w->magic_len, out));
		format_end(w);
	}

	memset(out, 0, sizeof(*out));
	if (w->status == MEDIA_OK) {
		*out = w->info;
	} else if (w->status == MEDIA_MALFORMED) {
		out->type = w->type;
	}

	return (w->status);
}

void
media_stream_init(struct media_stream *ms)
{
	media_walk_init(&ms->walk);
	ms->total = 0;
	ms->head_len = 0;
}

int
media_stream_feed(struct media_stream *ms, const uint8_t *p, size_t n)
{
	size_t	k;

	if (p == NULL || n == 0)
		return (0);

	k = sizeof(ms->head) - ms->head_len;
	if (k > n)
		k = n;
	memcpy(ms->head + ms->head_len, p, k);
	ms->head_len += k;
	ms->total += n;

	(void)media_walk_feed(&ms->walk, p, n);

	/*
	 * Within the look-ahead media_sniff() gives the answer at the end;
	 * only a magic that is none of ours is certain before.
	 */
	if (!ms->walk.decided || ms->walk.status == MEDIA_OK)
		return (0);
	return (ms->walk.type == 0 || ms->total > sizeof(ms->head));
}

enum media_status
media_stream_refusal(const struct media_stream *ms)
{
	return (ms->walk.status);
}

int
media_stream_type(const struct media_stream *ms, enum media_type *type)
{
	if (ms->walk.type == 0)
		return (-1);

	*type = ms->walk.type;
	return (0);
}

enum media_status
media_stream_end(struct media_stream *ms, struct media_info *out)
{
	if (ms->total <= sizeof(ms->head))
		return (media_sniff(ms->head, (size_t)ms->total, out));

	return (media_walk_end(&ms->walk, out));
}

static void
decide(struct media_walk *w, enum media_status status)
{
	w->decided = 1;
	w->status = status;
	if (status != MEDIA_OK) {
		w->info.width = 0;
		w->info.height = 0;
		w->info.has_dimensions = 0;
	}
}

/* Gather n bytes next, in the given state. */
static void
expect(struct media_walk *w, int state, size_t n)
{
	w->state = state;
	w->want = n;
	w->have = 0;
}

/* Pass over the bytes up to end (or to the end of the file). */
static void
pass_to(struct media_walk *w, int state, uint64_t end)
{
	w->state = state;
	w->skip = (end == MEDIA_END_OF_FILE) ? MEDIA_END_OF_FILE :
	    end - w->pos;
}

/* 1 once w->want bytes are in w->buf, 0 when the piece ran out first. */
static int
gather(struct media_walk *w, const uint8_t **p, size_t *n)
{
	size_t	k;

	k = w->want - w->have;
	if (k > *n)
		k = *n;
	memcpy(w->buf + w->have, *p, k);
	w->have += k;
	w->pos += k;
	*p += k;
	*n -= k;

	return (w->have == w->want);
}

/* 1 once w->skip bytes are passed, 0 when the piece ran out first. */
static int
pass(struct media_walk *w, const uint8_t **p, size_t *n)
{
	uint64_t	k;

	if (w->skip == MEDIA_END_OF_FILE) {
		w->pos += *n;
		*p += *n;
		*n = 0;
		return (0);
	}

	k = w->skip;
	if (k > *n)
		k = *n;
	w->skip -= k;
	w->pos += k;
	*p += k;
	*n -= (size_t)k;

	return (w->skip == 0);
}

/* body + size, saturating short of MEDIA_END_OF_FILE. */
static uint64_t
end_of(uint64_t body, uint64_t size)
{
	if (size >= END_BEYOND - body)
		return (END_BEYOND);

	return (body + size);
}

static struct media_frame *
frame_top(struct media_walk *w)
{
	return (&w->frames[w->depth - 1]);
}

static void
frame_push(struct media_walk *w, int kind, uint64_t end)
{
	struct media_frame	*f;

	f = &w->frames[w->depth++];
	f->kind = kind;
	f->end = end;
	f->stop = 0;
	f->broken = 0;
}

static void
format_start(struct media_walk *w)
{
	switch (w->type) {
	case MEDIA_GIF:
		expect(w, GIF_SCREEN, GIF_SCREEN_END);
		break;
	case MEDIA_PNG:
		w->state = PNG_SIGNATURE;
		w->skip = PNG_MAGIC_LEN;
		w->first = 1;
		break;
	case MEDIA_JPEG:
		w->state = JPEG_START;
		w->skip = JPEG_SOI_LEN;
		break;
	case MEDIA_WEBP:
		expect(w, WEBP_HEADER, RIFF_HEADER_LEN);
		break;
	case MEDIA_MP4:
		frame_push(w, BOX_TOP, MEDIA_END_OF_FILE);
		expect(w, MP4_FTYP, BMFF_HDR_LEN);
		break;
	case MEDIA_WEBM:
	default:
		frame_push(w, ELEMENT_TOP, MEDIA_END_OF_FILE);
		w->count = WEBM_TOP_HEADER;
		w->state = WEBM_CHILD;
		break;
	}
}

static void
format_feed(struct media_walk *w, const uint8_t *p, size_t n)
{
	switch (w->type) {
	case MEDIA_GIF:
		gif_feed(w, p, n);
		break;
	case MEDIA_PNG:
		png_feed(w, p, n);
		break;
	case MEDIA_JPEG:
		jpeg_feed(w, p, n);
		break;
	case MEDIA_WEBP:
		webp_feed(w, p, n);
		break;
	case MEDIA_MP4:
		mp4_feed(w, p, n);
		break;
	case MEDIA_WEBM:
	default:
		webm_feed(w, p, n);
		break;
	}
}

/* The file ended before the walk reached a verdict. */
static void
format_end(struct media_walk *w)
{
	switch (w->type) {
	case MEDIA_MP4:
		mp4_end(w);
		break;
	case MEDIA_WEBM:
		webm_end(w);
		break;
	default:
		/* Every other format ends at a marker it never reached. */
		decide(w, MEDIA_MALFORMED);
		break;
	}
}

/* --- GIF: screen, tables, blocks of sub-blocks, up to the trailer. --- */

static void
gif_feed(struct media_walk *w, const uint8_t *p, size_t n)
{
	while (!w->decided) {
		switch (w->state) {
		case GIF_SCREEN:
			if (!gather(w, &p, &n))
				return;
			w->width = rd_le16(w->buf + GIF_WIDTH_OFF);
			w->height = rd_le16(w->buf + GIF_HEIGHT_OFF);
			if (w->width == 0 || w->height == 0) {
				decide(w, MEDIA_MALFORMED);
				return;
			}
			gif_table(w, w->buf[GIF_FLAGS_OFF], GIF_TABLE,
			    GIF_BLOCK);
			break;
		case GIF_TABLE:
			if (!pass(w, &p, &n))
				return;
			expect(w, GIF_BLOCK, 1);
			break;
		case GIF_BLOCK:
			if (!gather(w, &p, &n))
				return;
			switch (w->buf[0]) {
			case GIF_BLOCK_EXTENSION:
				expect(w, GIF_LABEL, GIF_EXTENSION_HDR_LEN - 1);
				break;
			case GIF_BLOCK_IMAGE:
				expect(w, GIF_DESC, GIF_IMAGE_DESC_LEN - 1);
				break;
			case GIF_BLOCK_TRAILER:
				if (w->count == 0) {
					decide(w, MEDIA_MALFORMED);
					return;
				}
				media_set_dims(&w->info, w->width, w->height);
				decide(w, MEDIA_OK);
				return;
			default:
				decide(w, MEDIA_MALFORMED);
				return;
			}
			break;
		case GIF_LABEL:
			if (!gather(w, &p, &n))
				return;
			w->flag = 0;
			expect(w, GIF_SUB_LEN, 1);
			break;
		case GIF_DESC:
			if (!gather(w, &p, &n))
				return;
			gif_table(w, w->buf[GIF_IMAGE_FLAGS_OFF - 1],
			    GIF_LOCAL_TABLE, GIF_LZW);
			break;
		case GIF_LOCAL_TABLE:
			if (!pass(w, &p, &n))
				return;
			expect(w, GIF_LZW, GIF_LZW_SIZE_LEN);
			break;
		case GIF_LZW:
			if (!gather(w, &p, &n))
				return;
			w->flag = 1;
			expect(w, GIF_SUB_LEN, 1);
			break;
		case GIF_SUB_LEN:
			if (!gather(w, &p, &n))
				return;
			if (w->buf[0] == 0) {
				/* An image counts once its data has ended. */
				if (w->flag)
					w->count++;
				expect(w, GIF_BLOCK, 1);
				break;
			}
			w->state = GIF_SUB_DATA;
			w->skip = w->buf[0];
			break;
		case GIF_SUB_DATA:
		default:
			if (!pass(w, &p, &n))
				return;
			expect(w, GIF_SUB_LEN, 1);
			break;
		}
	}
}

/* The colour table flags announce, if any, then the next state. */
static void
gif_table(struct media_walk *w, uint8_t flags, int table_state,
    int next_state)
{
	if (!(flags & GIF_FLAG_COLOR_TABLE)) {
		expect(w, next_state, next_state == GIF_LZW ?
		    GIF_LZW_SIZE_LEN : 1);
		return;
	}

	w->state = table_state;
	w->skip = (uint64_t)GIF_RGB_LEN << ((flags & GIF_COLOR_TABLE_BITS) + 1);
}

/* --- PNG: signature, IHDR first, chunks up to IEND. --- */

static void
png_feed(struct media_walk *w, const uint8_t *p, size_t n)
{
	while (!w->decided) {
		switch (w->state) {
		case PNG_SIGNATURE:
			if (!pass(w, &p, &n))
				return;
			expect(w, PNG_HEADER, PNG_CHUNK_HDR_LEN);
			break;
		case PNG_HEADER:
			if (!gather(w, &p, &n))
				return;
			png_header(w);
			break;
		case PNG_IHDR:
			if (!gather(w, &p, &n))
				return;
			if (!media_png_ihdr_valid(w->buf)) {
				decide(w, MEDIA_MALFORMED);
				return;
			}
			media_set_dims(&w->info,
			    rd_be32(w->buf + PNG_CHUNK_HDR_LEN),
			    rd_be32(w->buf + PNG_CHUNK_HDR_LEN + 4));
			w->first = 0;
			expect(w, PNG_HEADER, PNG_CHUNK_HDR_LEN);
			break;
		case PNG_BODY:
			if (!pass(w, &p, &n))
				return;
			expect(w, PNG_HEADER, PNG_CHUNK_HDR_LEN);
			break;
		case PNG_IEND:
		default:
			if (!pass(w, &p, &n))
				return;
			decide(w, w->seen_a ? MEDIA_OK : MEDIA_MALFORMED);
			return;
		}
	}
}

static void
png_header(struct media_walk *w)
{
	uint32_t	clen, type;

	clen = rd_be32(w->buf);
	type = rd_be32(w->buf + 4);
	if (clen > PNG_MAX_VALUE || !media_png_type_valid(w->buf + 4)) {
		decide(w, MEDIA_MALFORMED);
		return;
	}

	if (w->first) {
		if (type != PNG_TYPE_IHDR || clen != PNG_IHDR_LEN) {
			decide(w, MEDIA_MALFORMED);
			return;
		}
		/* The whole chunk, its header already in the buffer. */
		w->state = PNG_IHDR;
		w->want = PNG_CHUNK_HDR_LEN + PNG_IHDR_LEN + PNG_CHUNK_CRC_LEN;
		return;
	}

	if (type == PNG_TYPE_IHDR) {
		decide(w, MEDIA_MALFORMED);
		return;
	}
	if (type == PNG_TYPE_IDAT)
		w->seen_a = 1;

	w->state = (type == PNG_TYPE_IEND) ? PNG_IEND : PNG_BODY;
	w->skip = (uint64_t)clen + PNG_CHUNK_CRC_LEN;
}

/* --- JPEG: markers and segments from SOI, scans, up to EOI. --- */

static void
jpeg_feed(struct media_walk *w, const uint8_t *p, size_t n)
{
	const uint8_t	*ff;
	uint8_t		 ncomp;

	while (!w->decided) {
		switch (w->state) {
		case JPEG_START:
			if (!pass(w, &p, &n))
				return;
			expect(w, JPEG_MARK, 1);
			break;
		case JPEG_MARK:
			if (!gather(w, &p, &n))
				return;
			if (w->buf[0] != JPEG_MARKER) {
				decide(w, MEDIA_MALFORMED);
				return;
			}
			expect(w, JPEG_FILL, 1);
			break;
		case JPEG_FILL:
			/* Any number of 0xff fill bytes may precede a marker. */
			if (!gather(w, &p, &n))
				return;
			if (w->buf[0] == JPEG_MARKER)
				expect(w, JPEG_FILL, 1);
			else
				jpeg_marker(w, w->buf[0]);
			break;
		case JPEG_LENGTH:
			if (!gather(w, &p, &n))
				return;
			jpeg_length(w);
			break;
		case JPEG_FRAME:
			if (!gather(w, &p, &n))
				return;
			ncomp = w->buf[5];
			if (ncomp == 0 || w->size != JPEG_SOF_FIXED_LEN +
			    (uint64_t)ncomp * JPEG_SOF_COMP_LEN) {
				decide(w, MEDIA_MALFORMED);
				return;
			}
			w->height = rd_be16(w->buf + 1);
			w->width = rd_be16(w->buf + 3);
			/* A zero height (set later by DNL) is refused too. */
			if (w->width == 0 || w->height == 0) {
				decide(w, MEDIA_MALFORMED);
				return;
			}
			media_set_dims(&w->info, w->width, w->height);
			w->seen_a = 1;
			w->state = JPEG_SEGMENT;
			w->skip = w->size - JPEG_SOF_FIXED_LEN;
			break;
		case JPEG_SCAN:
			if (!gather(w, &p, &n))
				return;
			ncomp = w->buf[0];
			if (ncomp == 0 || w->size != JPEG_SOS_FIXED_LEN +
			    (uint64_t)ncomp * JPEG_SOS_COMP_LEN) {
				decide(w, MEDIA_MALFORMED);
				return;
			}
			w->seen_b = 1;
			w->state = JPEG_SCAN_REST;
			w->skip = w->size - 1;
			break;
		case JPEG_SEGMENT:
			if (!pass(w, &p, &n))
				return;
			expect(w, JPEG_MARK, 1);
			break;
		case JPEG_SCAN_REST:
			if (!pass(w, &p, &n))
				return;
			w->state = JPEG_ENTROPY;
			break;
		case JPEG_ENTROPY:
			/* Scan data up to a 0xff: stuffing, restart or marker. */
			if (n == 0)
				return;
			if ((ff = memchr(p, JPEG_MARKER, n)) == NULL) {
				w->pos += n;
				return;
			}
			w->pos += (uint64_t)(ff - p) + 1;
			n -= (size_t)(ff - p) + 1;
			p = ff + 1;
			expect(w, JPEG_ENTROPY_FF, 1);
			break;
		case JPEG_ENTROPY_FF:
		default:
			if (!gather(w, &p, &n))
				return;
			if (w->buf[0] == JPEG_MARKER) {
				expect(w, JPEG_ENTROPY_FF, 1);
			} else if (w->buf[0] == JPEG_STUFFED ||
			    (w->buf[0] >= JPEG_RST0 && w->buf[0] <= JPEG_RST7)) {
				w->state = JPEG_ENTROPY;
			} else {
				jpeg_marker(w, w->buf[0]);
			}
			break;
		}
	}
}

static void
jpeg_marker(struct media_walk *w, uint8_t marker)
{
	if (marker == JPEG_STUFFED || marker == JPEG_SOI) {
		decide(w, MEDIA_MALFORMED);
		return;
	}
	if (marker == JPEG_EOI) {
		decide(w, w->seen_a && w->seen_b ? MEDIA_OK : MEDIA_MALFORMED);
		return;
	}
	if (marker == JPEG_TEM ||
	    (marker >= JPEG_RST0 && marker <= JPEG_RST7)) {
		expect(w, JPEG_MARK, 1);
		return;
	}

	w->code = marker;
	expect(w, JPEG_LENGTH, JPEG_LENGTH_LEN);
}

/* A segment's length: then its fixed part (SOF, SOS) or its end. */
static void
jpeg_length(struct media_walk *w)
{
	uint16_t	seglen;

	seglen = rd_be16(w->buf);
	if (seglen < JPEG_LENGTH_LEN) {
		decide(w, MEDIA_MALFORMED);
		return;
	}
	w->size = seglen - JPEG_LENGTH_LEN;

	if (media_jpeg_is_sof((uint8_t)w->code)) {
		if (w->seen_a || w->size < JPEG_SOF_FIXED_LEN) {
			decide(w, MEDIA_MALFORMED);
			return;
		}
		expect(w, JPEG_FRAME, JPEG_SOF_FIXED_LEN);
	} else if (w->code == JPEG_SOS) {
		if (!w->seen_a || w->size < 1) {
			decide(w, MEDIA_MALFORMED);
			return;
		}
		expect(w, JPEG_SCAN, 1);
	} else {
		w->state = JPEG_SEGMENT;
		w->skip = w->size;
	}
}

/* --- WebP: the RIFF header, then chunks up to the RIFF's end. --- */

static void
webp_feed(struct media_walk *w, const uint8_t *p, size_t n)
{
	uint32_t	riff_size;
	int		r;

	while (!w->decided) {
		switch (w->state) {
		case WEBP_HEADER:
			if (!gather(w, &p, &n))
				return;
			riff_size = rd_le32(w->buf + RIFF_SIZE_OFF);
			if (riff_size < RIFF_HEADER_LEN - RIFF_PREAMBLE_LEN +
			    RIFF_CHUNK_HDR_LEN) {
				decide(w, MEDIA_MALFORMED);
				return;
			}
			w->end = RIFF_PREAMBLE_LEN + (uint64_t)riff_size;
			w->first = 1;
			webp_chunk_start(w);
			break;
		case WEBP_CHUNK:
			if (!gather(w, &p, &n))
				return;
			webp_chunk(w);
			break;
		case WEBP_FIRST:
			if (!gather(w, &p, &n))
				return;
			if (w->code == WEBP_CHUNK_VP8) {
				r = media_webp_vp8(w->buf, (size_t)w->size,
				    &w->info);
				w->count++;
			} else if (w->code == WEBP_CHUNK_VP8L) {
				r = media_webp_vp8l(w->buf, (size_t)w->size,
				    &w->info);
				w->count++;
			} else {
				r = media_webp_vp8x(w->buf, (size_t)w->size,
				    &w->info);
			}
			if (r == -1) {
				decide(w, MEDIA_MALFORMED);
				return;
			}
			w->first = 0;
			w->state = WEBP_BODY;
			w->skip = w->size - w->want;
			break;
		case WEBP_BODY:
			if (!pass(w, &p, &n))
				return;
			/* Chunks are padded to even sizes; the last may be cut. */
			if ((w->size & 1) && w->pos < w->end) {
				w->state = WEBP_PAD;
				w->skip = 1;
				break;
			}
			webp_chunk_start(w);
			break;
		case WEBP_PAD:
		default:
			if (!pass(w, &p, &n))
				return;
			webp_chunk_start(w);
			break;
		}
	}
}

static void
webp_chunk_start(struct media_walk *w)
{
	if (w->pos == w->end) {
		decide(w, w->first || w->count == 0 ? MEDIA_MALFORMED :
		    MEDIA_OK);
		return;
	}
	if (w->end - w->pos < RIFF_CHUNK_HDR_LEN) {
		decide(w, MEDIA_MALFORMED);
		return;
	}

	expect(w, WEBP_CHUNK, RIFF_CHUNK_HDR_LEN);
}

static void
webp_chunk(struct media_walk *w)
{
	size_t	need;

	w->code = rd_be32(w->buf);
	w->size = rd_le32(w->buf + 4);
	if (w->end - w->pos < w->size) {
		decide(w, MEDIA_MALFORMED);
		return;
	}

	if (!w->first) {
		if (w->code == WEBP_CHUNK_VP8 || w->code == WEBP_CHUNK_VP8L ||
		    w->code == WEBP_CHUNK_ANMF)
			w->count++;
		w->state = WEBP_BODY;
		w->skip = w->size;
		return;
	}

	/* The first chunk says which WebP it is; its header is checked. */
	if (w->code == WEBP_CHUNK_VP8)
		need = VP8_HEADER_LEN;
	else if (w->code == WEBP_CHUNK_VP8L)
		need = VP8L_HEADER_LEN;
	else if (w->code == WEBP_CHUNK_VP8X)
		need = VP8X_HEADER_LEN;
	else
		need = 0;
	if (need == 0 || w->size < need) {
		decide(w, MEDIA_MALFORMED);
		return;
	}

	expect(w, WEBP_FIRST, need);
}

/* --- MP4: ftyp and its brands, then boxes; moov, trak, mdia inside. --- */

static void
mp4_feed(struct media_walk *w, const uint8_t *p, size_t n)
{
	while (!w->decided) {
		switch (w->state) {
		case MP4_FTYP:
			if (!gather(w, &p, &n))
				return;
			w->ftyp_len = rd_be32(w->buf);
			if (w->ftyp_len < FTYP_MIN_LEN ||
			    w->ftyp_len % BMFF_BRAND_LEN != 0) {
				decide(w, MEDIA_MALFORMED);
				return;
			}
			expect(w, MP4_BRAND, BMFF_BRAND_LEN);
			break;
		case MP4_BRAND:
			if (!gather(w, &p, &n))
				return;
			mp4_brand(w);
			break;
		case MP4_CHILD:
			/* Never waits: it closes, passes or starts a header. */
			mp4_child(w);
			break;
		case MP4_HEADER:
			if (!gather(w, &p, &n))
				return;
			if (rd_be32(w->buf) != BMFF_SIZE_LARGE) {
				mp4_header(w, rd_be32(w->buf), BMFF_HDR_LEN);
				break;
			}
			if (frame_top(w)->end != MEDIA_END_OF_FILE &&
			    frame_top(w)->end - w->start < BMFF_LARGE_HDR_LEN) {
				mp4_broken(w);
				break;
			}
			w->state = MP4_HEADER_LARGE;
			w->want = BMFF_LARGE_HDR_LEN;
			break;
		case MP4_HEADER_LARGE:
			if (!gather(w, &p, &n))
				return;
			mp4_header(w, rd_be64(w->buf + BMFF_HDR_LEN),
			    BMFF_LARGE_HDR_LEN);
			break;
		case MP4_TKHD:
			if (!gather(w, &p, &n))
				return;
			memcpy(w->tkhd, w->buf, w->have);
			w->tkhd_have = w->have;
			pass_to(w, MP4_LEAF, w->end);
			break;
		case MP4_HDLR:
			if (!gather(w, &p, &n))
				return;
			if (w->have >= HDLR_TYPE_OFF + BMFF_BRAND_LEN)
				w->hdlr_type = rd_be32(w->buf + HDLR_TYPE_OFF);
			pass_to(w, MP4_LEAF, w->end);
			break;
		case MP4_LEAF:
			if (!pass(w, &p, &n))
				return;
			mp4_leaf_done(w);
			break;
		case MP4_PASS_FRAME:
		default:
			if (!pass(w, &p, &n))
				return;
			mp4_close(w);
			break;
		}
	}
}

/*
 * One brand of ftyp, as media.c's mp4_brands() reads them: the major
 * brand may be a refused one; image brands anywhere refuse, and some
 * brand (the minor version aside) must be a video one. The verdict waits
 * for the whole box, which media.c wants to fit in the file first.
 */
static void
mp4_brand(struct media_walk *w)
{
	uint64_t	off;
	int		lists;

	off = w->pos - BMFF_BRAND_LEN;
	lists = media_mp4_brand(rd_be32(w->buf));

	if (off == BMFF_HDR_LEN && (lists & MP4_BRAND_OTHER))
		w->brands |= MP4_BRANDS_REFUSED;
	if (off != FTYP_COMPAT_OFF - BMFF_BRAND_LEN) {
		if (lists & MP4_BRAND_IMAGE)
			w->brands |= MP4_BRANDS_REFUSED;
		if (lists & MP4_BRAND_VIDEO)
			w->brands |= MP4_BRAND_VIDEO;
	}

	if (w->pos < w->ftyp_len) {
		expect(w, MP4_BRAND, BMFF_BRAND_LEN);
		return;
	}

	if ((w->brands & MP4_BRANDS_REFUSED) ||
	    !(w->brands & MP4_BRAND_VIDEO)) {
		decide(w, MEDIA_UNSUPPORTED);
		return;
	}

	/* The ftyp box was the first top-level box; the next one follows. */
	w->state = MP4_CHILD;
}

/* At the start of the next child of the frame on top: bmff_next(). */
static void
mp4_child(struct media_walk *w)
{
	struct media_frame	*f = frame_top(w);

	if (f->end != MEDIA_END_OF_FILE && w->pos == f->end) {
		mp4_close(w);
		return;
	}
	if (f->stop) {
		pass_to(w, MP4_PASS_FRAME, f->end);
		return;
	}
	if (f->end != MEDIA_END_OF_FILE && f->end - w->pos < BMFF_HDR_LEN) {
		mp4_broken(w);
		return;
	}

	w->start = w->pos;
	expect(w, MP4_HEADER, BMFF_HDR_LEN);
}

/* A child's header is in: check its size, then read, enter or pass it. */
static void
mp4_header(struct media_walk *w, uint64_t size, size_t hdr)
{
	struct media_frame	*f = frame_top(w);
	uint64_t		 end, body_len;
	uint32_t		 type;

	type = rd_be32(w->buf + BMFF_TYPE_OFF);

	/* Only the 32-bit size says "to the end"; a 64-bit 0 is too small. */
	if (size == BMFF_SIZE_TO_END && hdr == BMFF_HDR_LEN) {
		end = f->end;
	} else {
		if (size < hdr || (f->end != MEDIA_END_OF_FILE &&
		    size > f->end - w->start)) {
			mp4_broken(w);
			return;
		}
		end = end_of(w->start, size);
	}

	w->end = end;
	w->body = w->start + hdr;
	w->code = type;
	w->flag = 0;
	body_len = (end == MEDIA_END_OF_FILE) ? MEDIA_END_OF_FILE :
	    end - w->body;

	switch (f->kind) {
	case BOX_TOP:
		if (type == BMFF_BOX_MOOV && !w->have_moov) {
			w->have_moov = 1;
			frame_push(w, BOX_MOOV, end);
			w->state = MP4_CHILD;
			return;
		}
		if (type == BMFF_BOX_MDAT)
			w->have_mdat = 1;
		break;
	case BOX_MOOV:
		if (type == BMFF_BOX_TRAK) {
			frame_push(w, BOX_TRAK, end);
			mp4_trak_reset(w);
			w->state = MP4_CHILD;
			return;
		}
		break;
	case BOX_TRAK:
		if (type == BMFF_BOX_MDIA && !w->mdia_seen) {
			w->mdia_seen = 1;
			w->hdlr_seen = 0;
			frame_push(w, BOX_MDIA, end);
			w->state = MP4_CHILD;
			return;
		}
		if (type == BMFF_BOX_TKHD && !w->tkhd_seen) {
			w->tkhd_seen = 1;
			w->flag = 1;
			w->tkhd_len = body_len;
			w->tkhd_have = 0;
			expect(w, MP4_TKHD, body_len < sizeof(w->tkhd) ?
			    (size_t)body_len : sizeof(w->tkhd));
			return;
		}
		break;
	case BOX_MDIA:
	default:
		if (type == BMFF_BOX_HDLR && !w->hdlr_seen) {
			/* bmff_find() stops here: the rest of mdia is not read. */
			w->hdlr_seen = 1;
			w->flag = 1;
			w->hdlr_len = body_len;
			w->hdlr_type = 0;
			f->stop = 1;
			expect(w, MP4_HDLR, body_len < HDLR_TYPE_OFF +
			    BMFF_BRAND_LEN ? (size_t)body_len : HDLR_TYPE_OFF +
			    BMFF_BRAND_LEN);
			return;
		}
		break;
	}

	pass_to(w, MP4_LEAF, end);
}

static void
mp4_leaf_done(struct media_walk *w)
{
	if (frame_top(w)->kind == BOX_TRAK)
		mp4_trak_progress(w);
	w->state = MP4_CHILD;
}

/*
 * A child of the frame on top does not fit, or its header is short. For
 * the file and moov that is the verdict; a trak or mdia lookup only ends
 * there (what it found before stands), and the rest of the box is passed.
 */
static void
mp4_broken(struct media_walk *w)
{
	struct media_frame	*f = frame_top(w);

	if (f->kind == BOX_TOP || f->kind == BOX_MOOV) {
		decide(w, MEDIA_MALFORMED);
		return;
	}

	f->broken = 1;
	f->stop = 1;
	pass_to(w, MP4_PASS_FRAME, f->end);
}

/* The frame on top has ended: what it says, as media.c's lookups say. */
static void
mp4_close(struct media_walk *w)
{
	struct media_frame	f;

	f = *frame_top(w);
	w->depth--;
	w->state = MP4_CHILD;

	switch (f.kind) {
	case BOX_MDIA:
		w->mdia_seen = 2;
		w->mdia_result = w->hdlr_seen ? 1 : (f.broken ? -1 : 0);
		if (w->mdia_result == -1 || (w->mdia_result == 1 &&
		    w->hdlr_len < HDLR_TYPE_OFF + BMFF_BRAND_LEN)) {
			decide(w, MEDIA_MALFORMED);
			return;
		}
		w->need_tkhd = (w->mdia_result == 1 && !w->have_video &&
		    w->hdlr_type == BMFF_HANDLER_VIDEO);
		mp4_trak_progress(w);
		break;
	case BOX_TRAK:
		if (mp4_trak_result(w, &f) == -1)
			decide(w, MEDIA_MALFORMED);
		break;
	default:
		break;
	}
}

static void
mp4_trak_reset(struct media_walk *w)
{
	w->mdia_seen = 0;
	w->mdia_result = 0;
	w->hdlr_seen = 0;
	w->hdlr_len = 0;
	w->hdlr_type = 0;
	w->tkhd_seen = 0;
	w->tkhd_len = 0;
	w->tkhd_have = 0;
	w->need_tkhd = 0;
}

/* Nothing more in this trak can change the answer: pass the rest. */
static void
mp4_trak_progress(struct media_walk *w)
{
	if (w->mdia_seen == 2 && (w->tkhd_seen || !w->need_tkhd))
		frame_top(w)->stop = 1;
}

/* media.c's mp4_trak(), from what the walk recorded. */
static int
mp4_trak_result(struct media_walk *w, const struct media_frame *trak)
{
	const uint8_t	*d = w->tkhd;
	size_t		 off;
	uint32_t	 width, height;

	if (w->mdia_seen == 0)
		return (trak->broken ? -1 : 0);
	if (w->mdia_result != 1 || w->hdlr_type != BMFF_HANDLER_VIDEO ||
	    w->have_video)
		return (w->mdia_result == 1 ? 0 : w->mdia_result);
	w->have_video = 1;

	if (!w->tkhd_seen)
		return (trak->broken ? -1 : 0);
	if (w->tkhd_len < FULLBOX_HDR_LEN)
		return (-1);
	off = (d[0] == TKHD_VERSION_0) ? TKHD_V0_DIMS_OFF : TKHD_V1_DIMS_OFF;
	if (w->tkhd_len < off + TKHD_DIMS_LEN)
		return (-1);

	width = rd_be32(d + off) >> TKHD_FIXED_SHIFT;
	height = rd_be32(d + off + 4) >> TKHD_FIXED_SHIFT;
	if (width != 0 && height != 0)
		media_set_dims(&w->info, width, height);

	return (0);
}

/*
 * The end of the file: what was still open either ran to the end (and
 * is whole) or does not fit, as media.c would have found at its header.
 */
static void
mp4_end(struct media_walk *w)
{
	struct media_frame	*f;

	if (w->state == MP4_FTYP || w->state == MP4_BRAND) {
		decide(w, MEDIA_MALFORMED);
		return;
	}

	f = frame_top(w);
	switch (w->state) {
	case MP4_HEADER:
	case MP4_HEADER_LARGE:
		/* Between two children: the frame ends here, or runs on. */
		if (w->have == 0)
			break;
		/* Too few bytes for a header before the frame's end. */
		if (f->end == MEDIA_END_OF_FILE) {
			mp4_broken(w);
			w->state = MP4_CHILD;
		}
		break;
	case MP4_TKHD:
	case MP4_HDLR:
	case MP4_LEAF:
		if (w->end == MEDIA_END_OF_FILE) {
			/* It ran to the end: its length is known now. */
			if (w->code == BMFF_BOX_TKHD && w->flag) {
				w->tkhd_len = w->pos - w->body;
				if (w->state == MP4_TKHD) {
					memcpy(w->tkhd, w->buf, w->have);
					w->tkhd_have = w->have;
				}
			} else if (w->code == BMFF_BOX_HDLR && w->flag) {
				w->hdlr_len = w->pos - w->body;
				if (w->state == MP4_HDLR &&
				    w->have >= HDLR_TYPE_OFF + BMFF_BRAND_LEN)
					w->hdlr_type = rd_be32(w->buf +
					    HDLR_TYPE_OFF);
			}
		} else if (f->end == MEDIA_END_OF_FILE) {
			/* It does not fit: as if its header had been refused. */
			if (w->code == BMFF_BOX_TKHD && w->flag)
				w->tkhd_seen = 0;
			if (w->code == BMFF_BOX_HDLR && w->flag)
				w->hdlr_seen = 0;
			mp4_broken(w);
		}
		w->state = MP4_CHILD;
		break;
	default:
		break;
	}

	/* Close the frames, innermost first. */
	while (!w->decided && w->depth > 1) {
		if (frame_top(w)->end == MEDIA_END_OF_FILE)
			mp4_close(w);
		else
			mp4_overflow(w);
	}
	if (w->decided)
		return;

	if (!w->have_moov || !w->have_mdat)
		decide(w, MEDIA_MALFORMED);
	else if (!w->have_video)
		decide(w, MEDIA_UNSUPPORTED);
	else
		decide(w, MEDIA_OK);
}

/* The frame on top runs past the end of the file: its parent breaks. */
static void
mp4_overflow(struct media_walk *w)
{
	struct media_frame	f;

	f = *frame_top(w);
	w->depth--;

	if (f.kind == BOX_MDIA)
		w->mdia_seen = 0;
	mp4_broken(w);
}

/* --- WebM: the EBML header, the Segment, Tracks inside it. --- */

static void
webm_feed(struct media_walk *w, const uint8_t *p, size_t n)
{
	uint64_t	k;
	size_t		i;

	while (!w->decided) {
		switch (w->state) {
		case WEBM_CHILD:
			/* Never waits: it closes a frame or starts an ID. */
			webm_child(w);
			break;
		case WEBM_ID:
		case WEBM_ID_REST:
			if (!gather(w, &p, &n))
				return;
			webm_id(w);
			break;
		case WEBM_SIZE:
		case WEBM_SIZE_REST:
			if (!gather(w, &p, &n))
				return;
			webm_size(w);
			break;
		case WEBM_DOC:
			/* "webm", then only NULs (EBML pads strings). */
			k = w->end - w->pos;
			if (k > n)
				k = n;
			for (i = 0; i < (size_t)k; i++, w->doc_seen++) {
				if (w->doc_seen < sizeof(webm_doctype) - 1) {
					if (p[i] != (uint8_t)webm_doctype[
					    w->doc_seen])
						w->doc_ok = 0;
				} else if (p[i] != '\0') {
					w->doc_ok = 0;
				}
			}
			w->pos += k;
			p += k;
			n -= (size_t)k;
			if (w->pos < w->end)
				return;
			w->is_webm = w->doc_ok &&
			    w->doc_seen >= sizeof(webm_doctype) - 1;
			w->state = WEBM_CHILD;
			break;
		case WEBM_UINT:
			if (!gather(w, &p, &n))
				return;
			webm_uint(w);
			break;
		case WEBM_LEAF:
		default:
			if (!pass(w, &p, &n))
				return;
			w->state = WEBM_CHILD;
			break;
		}
	}
}

/* At the start of the next element of the frame on top: ebml_read(). */
static void
webm_child(struct media_walk *w)
{
	struct media_frame	*f = frame_top(w);

	if (f->kind != ELEMENT_TOP && f->end != MEDIA_END_OF_FILE &&
	    w->pos == f->end) {
		webm_close(w);
		return;
	}

	w->start = w->pos;
	expect(w, WEBM_ID, 1);
}

/* An ID: its first byte says its length (at most four). */
static void
webm_id(struct media_walk *w)
{
	struct media_frame	*f = frame_top(w);
	size_t			 n, i;
	uint8_t			 mask;

	if (w->state == WEBM_ID) {
		n = 1;
		for (mask = EBML_LEAD_BIT; n <= EBML_MAX_ID_LEN; mask >>= 1) {
			if (w->buf[0] & mask)
				break;
			n++;
		}
		if (n > EBML_MAX_ID_LEN || (f->end != MEDIA_END_OF_FILE &&
		    f->end - w->start < n)) {
			decide(w, MEDIA_MALFORMED);
			return;
		}
		w->len = n;
		if (n > 1) {
			w->state = WEBM_ID_REST;
			w->want = n;
			return;
		}
	}

	w->code = 0;
	for (i = 0; i < w->len; i++)
		w->code = (w->code << 8) | w->buf[i];

	if (f->end != MEDIA_END_OF_FILE && w->pos >= f->end) {
		decide(w, MEDIA_MALFORMED);
		return;
	}
	expect(w, WEBM_SIZE, 1);
}

/* A size: the marker bit dropped; all value bits set is "unknown". */
static void
webm_size(struct media_walk *w)
{
	struct media_frame	*f = frame_top(w);
	uint64_t		 all_ones;
	size_t			 n, i;
	uint8_t			 mask;

	if (w->state == WEBM_SIZE) {
		if (w->buf[0] == 0) {
			decide(w, MEDIA_MALFORMED);
			return;
		}
		for (n = 1, mask = EBML_LEAD_BIT; !(w->buf[0] & mask); n++)
			mask >>= 1;
		if (f->end != MEDIA_END_OF_FILE && f->end - (w->pos - 1) < n) {
			decide(w, MEDIA_MALFORMED);
			return;
		}
		w->len = n;
		if (n > 1) {
			w->state = WEBM_SIZE_REST;
			w->want = n;
			return;
		}
	}

	for (n = 1, mask = EBML_LEAD_BIT; !(w->buf[0] & mask); n++)
		mask >>= 1;
	w->size = w->buf[0] & (mask - 1);
	for (i = 1; i < w->len; i++)
		w->size = (w->size << 8) | w->buf[i];
	all_ones = ((uint64_t)1 << (7 * w->len)) - 1;
	w->flag = (w->size == all_ones);
	w->body = w->pos;

	webm_element(w);
}

/* An element's header is in: check it as its parent's reader does. */
static void
webm_element(struct media_walk *w)
{
	struct media_frame	*f = frame_top(w);
	uint64_t		 end;

	/* Only the Segment's children are read with ebml_read(). */
	if (f->kind != ELEMENT_SEGMENT && !(f->kind == ELEMENT_TOP &&
	    w->count == WEBM_TOP_SEGMENT)) {
		if (w->flag || (f->end != MEDIA_END_OF_FILE &&
		    w->size > f->end - w->body)) {
			decide(w, MEDIA_MALFORMED);
			return;
		}
	}
	end = w->flag ? MEDIA_END_OF_FILE : end_of(w->body, w->size);
	w->end = end;

	switch (f->kind) {
	case ELEMENT_TOP:
		if (w->count == WEBM_TOP_HEADER) {
			w->count = WEBM_TOP_SEGMENT;
			w->is_webm = 0;
			frame_push(w, ELEMENT_HEADER, end);
			w->state = WEBM_CHILD;
			return;
		}
		if (w->code != MKV_ID_SEGMENT) {
			decide(w, MEDIA_MALFORMED);
			return;
		}
		w->count = WEBM_TOP_INSIDE;
		frame_push(w, ELEMENT_SEGMENT, end);
		w->state = WEBM_CHILD;
		return;
	case ELEMENT_HEADER:
		if (w->code == EBML_ID_DOCTYPE) {
			w->doc_ok = 1;
			w->doc_seen = 0;
			w->state = WEBM_DOC;
			return;
		}
		break;
	case ELEMENT_SEGMENT:
		if (w->flag) {
			/*
			 * Only a Cluster may run open-ended, and media.c stops
			 * checking there.
			 */
			if (w->code != MKV_ID_CLUSTER) {
				decide(w, MEDIA_MALFORMED);
				return;
			}
			w->have_cluster = 1;
			webm_verdict(w);
			return;
		}
		if (f->end != MEDIA_END_OF_FILE && w->size > f->end - w->body) {
			decide(w, MEDIA_MALFORMED);
			return;
		}
		if (w->code == MKV_ID_TRACKS && !w->have_tracks) {
			w->have_tracks = 1;
			frame_push(w, ELEMENT_TRACKS, end);
			w->state = WEBM_CHILD;
			return;
		}
		if (w->code == MKV_ID_CLUSTER)
			w->have_cluster = 1;
		break;
	case ELEMENT_TRACKS:
		if (w->code == MKV_ID_TRACK_ENTRY) {
			w->track_type = 0;
			w->pixel_width = 0;
			w->pixel_height = 0;
			w->have_pixels = 0;
			frame_push(w, ELEMENT_ENTRY, end);
			w->state = WEBM_CHILD;
			return;
		}
		break;
	case ELEMENT_ENTRY:
		if (w->code == MKV_ID_TRACK_TYPE) {
			if (w->size > EBML_MAX_UINT_LEN) {
				decide(w, MEDIA_MALFORMED);
				return;
			}
			expect(w, WEBM_UINT, (size_t)w->size);
			return;
		}
		if (w->code == MKV_ID_VIDEO) {
			frame_push(w, ELEMENT_VIDEO, end);
			w->state = WEBM_CHILD;
			return;
		}
		break;
	case ELEMENT_VIDEO:
	default:
		if (w->code == MKV_ID_PIXEL_WIDTH ||
		    w->code == MKV_ID_PIXEL_HEIGHT) {
			if (w->size > EBML_MAX_UINT_LEN) {
				decide(w, MEDIA_MALFORMED);
				return;
			}
			expect(w, WEBM_UINT, (size_t)w->size);
			return;
		}
		break;
	}

	pass_to(w, WEBM_LEAF, end);
}

/* A TrackType, PixelWidth or PixelHeight: big-endian, up to 8 bytes. */
static void
webm_uint(struct media_walk *w)
{
	uint64_t	v;
	size_t		i;

	v = 0;
	for (i = 0; i < w->have; i++)
		v = (v << 8) | w->buf[i];

	if (w->code == MKV_ID_TRACK_TYPE)
		w->track_type = v;
	else if (w->code == MKV_ID_PIXEL_WIDTH)
		w->pixel_width = v;
	else
		w->pixel_height = v;

	w->state = WEBM_CHILD;
}

static void
webm_close(struct media_walk *w)
{
	struct media_frame	f;

	f = *frame_top(w);

	switch (f.kind) {
	case ELEMENT_HEADER:
		if (!w->is_webm) {
			decide(w, MEDIA_UNSUPPORTED);
			return;
		}
		break;
	case ELEMENT_SEGMENT:
		/* Whatever follows the Segment is not read by media.c. */
		webm_verdict(w);
		return;
	case ELEMENT_ENTRY:
		/* The first video track's size, when both fit. */
		if (w->track_type == MKV_TRACK_TYPE_VIDEO && !w->have_video) {
			w->have_video = 1;
			if (w->have_pixels && w->pixel_width != 0 &&
			    w->pixel_height != 0 &&
			    w->pixel_width <= UINT32_MAX &&
			    w->pixel_height <= UINT32_MAX)
				media_set_dims(&w->info,
				    (uint32_t)w->pixel_width,
				    (uint32_t)w->pixel_height);
		}
		break;
	case ELEMENT_VIDEO:
		w->have_pixels = 1;
		break;
	default:
		break;
	}

	w->depth--;
	w->state = WEBM_CHILD;
}

static void
webm_verdict(struct media_walk *w)
{
	if (!w->have_tracks || !w->have_cluster)
		decide(w, MEDIA_MALFORMED);
	else if (!w->have_video)
		decide(w, MEDIA_UNSUPPORTED);
	else
		decide(w, MEDIA_OK);
}

/* Only an open-ended Segment may end with the file, between elements. */
static void
webm_end(struct media_walk *w)
{
	struct media_frame	*f = frame_top(w);

	if (f->kind == ELEMENT_SEGMENT && f->end == MEDIA_END_OF_FILE &&
	    w->state == WEBM_ID && w->have == 0) {
		webm_verdict(w);
		return;
	}

	decide(w, MEDIA_MALFORMED);
}
