/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Media sniffing: which of our six types a file is, by its magic bytes,
 * and its width and height from the headers. Each format is also walked
 * block by block to its end (GIF trailer, PNG IEND, JPEG EOI, RIFF size,
 * ISO BMFF boxes, EBML Segment) so that a truncated upload is refused
 * rather than stored. No pixel is decoded; every read is bounds-checked
 * against the caller's length, and every loop advances by at least one
 * byte, so any input finishes in linear time.
 */

#include <stdint.h>
#include <string.h>

#include "media.h"
#include "media_formats.h"

struct bmff_box {
	uint32_t	type;
	size_t		body;
	size_t		body_len;
};

struct ebml_elem {
	uint32_t	id;
	size_t		body;
	uint64_t	size;
	int		unknown_size;
};

/* Fixed bytes at a fixed offset; the second span of a spec may be empty. */
struct media_magic_span {
	size_t		 off;
	const uint8_t	*bytes;
	size_t		 len;
};

struct media_magic_spec {
	enum media_type		type;
	struct media_magic_span	spans[2];
};

struct media_name {
	enum media_type	type;
	const char	*mime;
	const char	*ext;
};


static enum media_status	gif_sniff(const uint8_t *, size_t,
				    struct media_info *);
static int	gif_skip_table(size_t, size_t *, uint8_t);
static int	gif_skip_subblocks(const uint8_t *, size_t, size_t *);

static enum media_status	png_sniff(const uint8_t *, size_t,
				    struct media_info *);
static uint32_t	png_crc32(const uint8_t *, size_t);

static enum media_status	jpeg_sniff(const uint8_t *, size_t,
				    struct media_info *);
static int	jpeg_skip_entropy(const uint8_t *, size_t, size_t *);

static enum media_status	webp_sniff(const uint8_t *, size_t,
				    struct media_info *);

static enum media_status	mp4_sniff(const uint8_t *, size_t,
				    struct media_info *);
static enum media_status	mp4_brands(const uint8_t *, size_t);
static int	mp4_brand_in(uint32_t, const uint32_t *, size_t);
static int	bmff_next(const uint8_t *, size_t, size_t *,
		    struct bmff_box *);
static int	bmff_find(const uint8_t *, const struct bmff_box *, uint32_t,
		    struct bmff_box *);
static int	mp4_moov(const uint8_t *, const struct bmff_box *, int *,
		    struct media_info *);
static int	mp4_trak(const uint8_t *, const struct bmff_box *, int *,
		    struct media_info *);

static enum media_status	webm_sniff(const uint8_t *, size_t,
				    struct media_info *);
static int	ebml_read(const uint8_t *, size_t, size_t *,
		    struct ebml_elem *);
static int	ebml_next(const uint8_t *, size_t, size_t *,
		    struct ebml_elem *);
static int	ebml_uint(const uint8_t *, const struct ebml_elem *,
		    uint64_t *);
static int	webm_is_webm(const uint8_t *, const struct ebml_elem *);
static int	webm_tracks(const uint8_t *, const struct ebml_elem *, int *,
		    struct media_info *);
static int	webm_track_entry(const uint8_t *, const struct ebml_elem *,
		    int *, struct media_info *);

static const uint8_t	gif87_magic[GIF_MAGIC_LEN] = "GIF87a";
static const uint8_t	gif89_magic[GIF_MAGIC_LEN] = "GIF89a";
static const uint8_t	png_magic[PNG_MAGIC_LEN] = {
	0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a
};
static const uint8_t	jpeg_magic[JPEG_MAGIC_LEN] = { 0xff, 0xd8, 0xff };
static const uint8_t	vp8_start_code[] = { 0x9d, 0x01, 0x2a };
static const uint8_t	riff_magic[FOURCC_LEN] = "RIFF";
static const uint8_t	webp_magic[FOURCC_LEN] = "WEBP";
static const uint8_t	ftyp_magic[FOURCC_LEN] = "ftyp";
static const uint8_t	ebml_magic[EBML_MAGIC_LEN] = { 0x1a, 0x45, 0xdf, 0xa3 };

/* ISO BMFF brands of ordinary MP4 video. */
static const uint32_t	mp4_video_brands[] = {
	FOURCC('i', 's', 'o', 'm'), FOURCC('i', 's', 'o', '2'),
	FOURCC('i', 's', 'o', '3'), FOURCC('i', 's', 'o', '4'),
	FOURCC('i', 's', 'o', '5'), FOURCC('i', 's', 'o', '6'),
	FOURCC('i', 's', 'o', '7'), FOURCC('i', 's', 'o', '8'),
	FOURCC('i', 's', 'o', '9'), FOURCC('m', 'p', '4', '1'),
	FOURCC('m', 'p', '4', '2'), FOURCC('a', 'v', 'c', '1'),
	FOURCC('d', 'a', 's', 'h'), FOURCC('M', '4', 'V', ' '),
	FOURCC('M', '4', 'V', 'H'), FOURCC('M', '4', 'V', 'P'),
	FOURCC('m', 'm', 'p', '4'), FOURCC('m', 's', 'n', 'v'),
	FOURCC('c', 'm', 'f', 'c'), FOURCC('c', 'm', 'f', '2'),
	FOURCC('a', 'v', '0', '1'),
};

/*
 * Still-image brands (HEIF, AVIF) share the ftyp box with MP4 but are not
 * video: any of them anywhere in the brand list refuses the file.
 */
static const uint32_t	mp4_image_brands[] = {
	FOURCC('a', 'v', 'i', 'f'), FOURCC('a', 'v', 'i', 's'),
	FOURCC('h', 'e', 'i', 'c'), FOURCC('h', 'e', 'i', 'x'),
	FOURCC('h', 'e', 'i', 'm'), FOURCC('h', 'e', 'i', 's'),
	FOURCC('h', 'e', 'v', 'c'), FOURCC('h', 'e', 'v', 'x'),
	FOURCC('m', 'i', 'f', '1'), FOURCC('m', 'i', 'f', '2'),
	FOURCC('m', 's', 'f', '1'), FOURCC('m', 'i', 'a', 'f'),
};

/*
 * Major brands of formats we do not serve as video/mp4 even though they
 * list isom as compatible: QuickTime and 3GPP/3GPP2.
 */
static const uint32_t	mp4_other_brands[] = {
	FOURCC('q', 't', ' ', ' '),
	FOURCC('3', 'g', 'p', '4'), FOURCC('3', 'g', 'p', '5'),
	FOURCC('3', 'g', 'p', '6'), FOURCC('3', 'g', 'p', '7'),
	FOURCC('3', 'g', 'p', '8'), FOURCC('3', 'g', 'p', '9'),
	FOURCC('3', 'g', '2', 'a'), FOURCC('3', 'g', '2', 'b'),
	FOURCC('3', 'g', '2', 'c'),
};

/*
 * The magic of each format, in the order media_sniff() tries them: up
 * to two spans of fixed bytes at fixed offsets (RIFF has its form type
 * after the size). The first format whose magic holds wins.
 */
static const struct media_magic_spec	magics[] = {
	{ MEDIA_GIF, { { 0, gif87_magic, GIF_MAGIC_LEN } } },
	{ MEDIA_GIF, { { 0, gif89_magic, GIF_MAGIC_LEN } } },
	{ MEDIA_PNG, { { 0, png_magic, PNG_MAGIC_LEN } } },
	{ MEDIA_JPEG, { { 0, jpeg_magic, JPEG_MAGIC_LEN } } },
	{ MEDIA_WEBP, { { 0, riff_magic, sizeof(riff_magic) },
	    { RIFF_FORM_OFF, webp_magic, sizeof(webp_magic) } } },
	{ MEDIA_MP4, { { BMFF_TYPE_OFF, ftyp_magic, sizeof(ftyp_magic) } } },
	{ MEDIA_WEBM, { { 0, ebml_magic, EBML_MAGIC_LEN } } },
};

static const struct media_name	media_names[] = {
	{ MEDIA_GIF,	"image/gif",	"gif" },
	{ MEDIA_PNG,	"image/png",	"png" },
	{ MEDIA_JPEG,	"image/jpeg",	"jpg" },
	{ MEDIA_WEBP,	"image/webp",	"webp" },
	{ MEDIA_MP4,	"video/mp4",	"mp4" },
	{ MEDIA_WEBM,	"video/webm",	"webm" },
};

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

enum media_status
media_sniff(const uint8_t *buf, size_t len, struct media_info *out)
{
	enum media_status	st;

	if (out == NULL)
		return (MEDIA_UNSUPPORTED);
	memset(out, 0, sizeof(*out));
	if (buf == NULL || len == 0)
		return (MEDIA_UNSUPPORTED);

	if (media_magic(buf, len, 1, &out->type) != MEDIA_MAGIC_TYPE) {
		st = MEDIA_UNSUPPORTED;
	} else {
		switch (out->type) {
		case MEDIA_GIF:
			st = gif_sniff(buf, len, out);
			break;
		case MEDIA_PNG:
			st = png_sniff(buf, len, out);
			break;
		case MEDIA_JPEG:
			st = jpeg_sniff(buf, len, out);
			break;
		case MEDIA_WEBP:
			st = webp_sniff(buf, len, out);
			break;
		case MEDIA_MP4:
			st = mp4_sniff(buf, len, out);
			break;
		case MEDIA_WEBM:
		default:
			st = webm_sniff(buf, len, out);
			break;
		}
	}

	if (st == MEDIA_UNSUPPORTED) {
		memset(out, 0, sizeof(*out));
	} else if (st == MEDIA_MALFORMED) {
		out->width = 0;
		out->height = 0;
		out->has_dimensions = 0;
	}

	return (st);
}

const char *
media_type_mime(enum media_type type)
{
	size_t		i;

	for (i = 0; i < ARRAY_LEN(media_names); i++) {
		if (media_names[i].type == type)
			return (media_names[i].mime);
	}

	return (NULL);
}

const char *
media_type_extension(enum media_type type)
{
	size_t		i;

	for (i = 0; i < ARRAY_LEN(media_names); i++) {
		if (media_names[i].type == type)
			return (media_names[i].ext);
	}

	return (NULL);
}

int
media_type_from_mime(const char *mime, enum media_type *out)
{
	size_t		i;

	if (mime == NULL || out == NULL)
		return (-1);

	for (i = 0; i < ARRAY_LEN(media_names); i++) {
		if (strcmp(media_names[i].mime, mime) == 0) {
			*out = media_names[i].type;
			return (0);
		}
	}

	return (-1);
}

int
media_dimensions_sane(const struct media_info *mi)
{
	if (mi == NULL)
		return (0);
	if (!mi->has_dimensions)
		return (1);
	if (mi->width == 0 || mi->height == 0)
		return (0);

	return ((uint64_t)mi->width * mi->height <= MEDIA_MAX_PIXELS);
}

enum media_magic
media_magic(const uint8_t *buf, size_t n, int complete, enum media_type *type)
{
	const struct media_magic_span	*sp;
	size_t				 i, j, have;
	int				 maybe, no;

	for (i = 0; i < ARRAY_LEN(magics); i++) {
		maybe = 0;
		no = 0;
		for (j = 0; j < ARRAY_LEN(magics[i].spans) && !no; j++) {
			sp = &magics[i].spans[j];
			if (sp->len == 0)
				continue;
			have = n > sp->off ? n - sp->off : 0;
			if (have > sp->len)
				have = sp->len;
			if (have > 0 && memcmp(buf + sp->off, sp->bytes, have))
				no = 1;
			else if (have < sp->len)
				maybe = 1;
		}
		if (no || (maybe && complete))
			continue;
		if (maybe)
			return (MEDIA_MAGIC_MORE);
		*type = magics[i].type;
		return (MEDIA_MAGIC_TYPE);
	}

	return (MEDIA_MAGIC_NONE);
}

int
media_mp4_brand(uint32_t brand)
{
	int	lists;

	lists = 0;
	if (mp4_brand_in(brand, mp4_video_brands, ARRAY_LEN(mp4_video_brands)))
		lists |= MP4_BRAND_VIDEO;
	if (mp4_brand_in(brand, mp4_image_brands, ARRAY_LEN(mp4_image_brands)))
		lists |= MP4_BRAND_IMAGE;
	if (mp4_brand_in(brand, mp4_other_brands, ARRAY_LEN(mp4_other_brands)))
		lists |= MP4_BRAND_OTHER;

	return (lists);
}

void
media_set_dims(struct media_info *out, uint32_t width, uint32_t height)
{
	out->width = width;
	out->height = height;
	out->has_dimensions = 1;
}

static enum media_status
gif_sniff(const uint8_t *buf, size_t len, struct media_info *out)
{
	size_t		pos;
	uint16_t	width, height;
	int		images;

	if (len < GIF_SCREEN_END)
		return (MEDIA_MALFORMED);

	width = rd_le16(buf + GIF_WIDTH_OFF);
	height = rd_le16(buf + GIF_HEIGHT_OFF);
	if (width == 0 || height == 0)
		return (MEDIA_MALFORMED);

	pos = GIF_SCREEN_END;
	if (gif_skip_table(len, &pos, buf[GIF_FLAGS_OFF]) == -1)
		return (MEDIA_MALFORMED);

	/* Without the trailer the file was cut short. */
	images = 0;
	for (;;) {
		if (pos >= len)
			return (MEDIA_MALFORMED);

		switch (buf[pos]) {
		case GIF_BLOCK_EXTENSION:
			if (len - pos < GIF_EXTENSION_HDR_LEN)
				return (MEDIA_MALFORMED);
			pos += GIF_EXTENSION_HDR_LEN;
			if (gif_skip_subblocks(buf, len, &pos) == -1)
				return (MEDIA_MALFORMED);
			break;
		case GIF_BLOCK_IMAGE:
			if (len - pos < GIF_IMAGE_DESC_LEN)
				return (MEDIA_MALFORMED);
			pos += GIF_IMAGE_DESC_LEN;
			if (gif_skip_table(len, &pos,
			    buf[pos - GIF_IMAGE_DESC_LEN +
			    GIF_IMAGE_FLAGS_OFF]) == -1)
				return (MEDIA_MALFORMED);
			if (len - pos < GIF_LZW_SIZE_LEN)
				return (MEDIA_MALFORMED);
			pos += GIF_LZW_SIZE_LEN;
			if (gif_skip_subblocks(buf, len, &pos) == -1)
				return (MEDIA_MALFORMED);
			images++;
			break;
		case GIF_BLOCK_TRAILER:
			if (images == 0)
				return (MEDIA_MALFORMED);
			media_set_dims(out, width, height);
			return (MEDIA_OK);
		default:
			return (MEDIA_MALFORMED);
		}
	}
}

/* Skip the colour table announced by flags (global or local), if any. */
static int
gif_skip_table(size_t len, size_t *pos, uint8_t flags)
{
	size_t		size;

	if (!(flags & GIF_FLAG_COLOR_TABLE))
		return (0);

	size = (size_t)GIF_RGB_LEN << ((flags & GIF_COLOR_TABLE_BITS) + 1);
	if (len - *pos < size)
		return (-1);
	*pos += size;

	return (0);
}

/* Skip a chain of length-prefixed sub-blocks up to its empty terminator. */
static int
gif_skip_subblocks(const uint8_t *buf, size_t len, size_t *pos)
{
	size_t		n;

	for (;;) {
		if (*pos >= len)
			return (-1);
		n = buf[*pos];
		*pos += 1;
		if (n == 0)
			return (0);
		if (len - *pos < n)
			return (-1);
		*pos += n;
	}
}

static enum media_status
png_sniff(const uint8_t *buf, size_t len, struct media_info *out)
{
	size_t		pos;
	uint32_t	clen, type, width, height;
	int		first, idat;

	pos = PNG_MAGIC_LEN;
	first = 1;
	idat = 0;

	for (;;) {
		if (len - pos < PNG_CHUNK_HDR_LEN + PNG_CHUNK_CRC_LEN)
			return (MEDIA_MALFORMED);
		clen = rd_be32(buf + pos);
		type = rd_be32(buf + pos + 4);
		if (clen > PNG_MAX_VALUE || !media_png_type_valid(buf + pos + 4))
			return (MEDIA_MALFORMED);
		if (len - pos - PNG_CHUNK_HDR_LEN - PNG_CHUNK_CRC_LEN < clen)
			return (MEDIA_MALFORMED);

		if (first) {
			if (type != PNG_TYPE_IHDR || clen != PNG_IHDR_LEN)
				return (MEDIA_MALFORMED);
			if (!media_png_ihdr_valid(buf + pos))
				return (MEDIA_MALFORMED);
			width = rd_be32(buf + pos + PNG_CHUNK_HDR_LEN);
			height = rd_be32(buf + pos + PNG_CHUNK_HDR_LEN + 4);
			media_set_dims(out, width, height);
			first = 0;
		} else if (type == PNG_TYPE_IHDR) {
			return (MEDIA_MALFORMED);
		} else if (type == PNG_TYPE_IDAT) {
			idat = 1;
		} else if (type == PNG_TYPE_IEND) {
			return (idat ? MEDIA_OK : MEDIA_MALFORMED);
		}

		pos += PNG_CHUNK_HDR_LEN + (size_t)clen + PNG_CHUNK_CRC_LEN;
	}
}

/*
 * chunk points at an IHDR chunk known to be complete. The CRC is checked
 * here only: it guards the fields we report, the rest is the decoder's.
 */
int
media_png_ihdr_valid(const uint8_t *chunk)
{
	const uint8_t	*d;
	uint32_t	 width, height;
	uint8_t		 depth, color;

	d = chunk + PNG_CHUNK_HDR_LEN;
	width = rd_be32(d);
	height = rd_be32(d + 4);
	depth = d[8];
	color = d[9];

	if (width == 0 || height == 0 ||
	    width > PNG_MAX_VALUE || height > PNG_MAX_VALUE)
		return (0);

	switch (color) {
	case PNG_COLOR_GRAY:
		if (depth != 1 && depth != 2 && depth != 4 && depth != 8 &&
		    depth != 16)
			return (0);
		break;
	case PNG_COLOR_PALETTE:
		if (depth != 1 && depth != 2 && depth != 4 && depth != 8)
			return (0);
		break;
	case PNG_COLOR_RGB:
	case PNG_COLOR_GRAY_ALPHA:
	case PNG_COLOR_RGBA:
		if (depth != 8 && depth != 16)
			return (0);
		break;
	default:
		return (0);
	}

	/* compression method, filter method, interlace method */
	if (d[10] != 0 || d[11] != 0 || d[12] > PNG_INTERLACE_MAX)
		return (0);

	return (png_crc32(chunk + 4, 4 + PNG_IHDR_LEN) ==
	    rd_be32(d + PNG_IHDR_LEN));
}

/* Chunk types are four ASCII letters. */
int
media_png_type_valid(const uint8_t *t)
{
	size_t		i;

	for (i = 0; i < 4; i++) {
		if (!((t[i] >= 'A' && t[i] <= 'Z') ||
		    (t[i] >= 'a' && t[i] <= 'z')))
			return (0);
	}

	return (1);
}

/* Bitwise CRC-32 as PNG defines it; only ever run over a few bytes. */
static uint32_t
png_crc32(const uint8_t *p, size_t n)
{
	uint32_t	crc;
	size_t		i;
	int		bit;

	crc = PNG_CRC_INIT;
	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ ((crc & 1) ? PNG_CRC_POLY : 0);
	}

	return (crc ^ PNG_CRC_INIT);
}

static enum media_status
jpeg_sniff(const uint8_t *buf, size_t len, struct media_info *out)
{
	size_t		pos, seglen;
	const uint8_t	*seg;
	uint16_t	width, height;
	uint8_t		marker, ncomp;
	int		have_sof, have_sos;

	pos = JPEG_SOI_LEN;
	have_sof = 0;
	have_sos = 0;

	for (;;) {
		if (pos >= len || buf[pos] != JPEG_MARKER)
			return (MEDIA_MALFORMED);

		/* Any number of 0xff fill bytes may precede a marker. */
		while (pos < len && buf[pos] == JPEG_MARKER)
			pos++;
		if (pos >= len)
			return (MEDIA_MALFORMED);
		marker = buf[pos++];

		if (marker == JPEG_STUFFED || marker == JPEG_SOI)
			return (MEDIA_MALFORMED);
		if (marker == JPEG_EOI) {
			if (!have_sof || !have_sos)
				return (MEDIA_MALFORMED);
			return (MEDIA_OK);
		}
		if (marker == JPEG_TEM ||
		    (marker >= JPEG_RST0 && marker <= JPEG_RST7))
			continue;

		if (len - pos < JPEG_LENGTH_LEN)
			return (MEDIA_MALFORMED);
		seglen = rd_be16(buf + pos);
		if (seglen < JPEG_LENGTH_LEN || len - pos < seglen)
			return (MEDIA_MALFORMED);
		seg = buf + pos + JPEG_LENGTH_LEN;
		seglen -= JPEG_LENGTH_LEN;
		pos += JPEG_LENGTH_LEN + seglen;

		if (media_jpeg_is_sof(marker)) {
			if (have_sof || seglen < JPEG_SOF_FIXED_LEN)
				return (MEDIA_MALFORMED);
			height = rd_be16(seg + 1);
			width = rd_be16(seg + 3);
			ncomp = seg[5];
			if (ncomp == 0 || seglen != JPEG_SOF_FIXED_LEN +
			    (size_t)ncomp * JPEG_SOF_COMP_LEN)
				return (MEDIA_MALFORMED);
			/* A zero height (set later by DNL) is refused too. */
			if (width == 0 || height == 0)
				return (MEDIA_MALFORMED);
			media_set_dims(out, width, height);
			have_sof = 1;
		} else if (marker == JPEG_SOS) {
			if (!have_sof || seglen < 1)
				return (MEDIA_MALFORMED);
			ncomp = seg[0];
			if (ncomp == 0 || seglen != JPEG_SOS_FIXED_LEN +
			    (size_t)ncomp * JPEG_SOS_COMP_LEN)
				return (MEDIA_MALFORMED);
			have_sos = 1;
			if (jpeg_skip_entropy(buf, len, &pos) == -1)
				return (MEDIA_MALFORMED);
		}
	}
}

/* SOF0-SOF15, less DHT, JPG and DAC which share the range. */
int
media_jpeg_is_sof(uint8_t marker)
{
	if (marker < JPEG_SOF0 || marker > JPEG_SOF15)
		return (0);

	return (marker != JPEG_DHT && marker != JPEG_JPG && marker != JPEG_DAC);
}

/*
 * Skip entropy-coded scan data: 0xff there is followed by a stuffed 0x00
 * or a restart marker; anything else is the next marker, and *pos is left
 * on its first 0xff.
 */
static int
jpeg_skip_entropy(const uint8_t *buf, size_t len, size_t *pos)
{
	const uint8_t	*p;
	size_t		 i, j;

	i = *pos;
	for (;;) {
		if (i >= len)
			return (-1);
		p = memchr(buf + i, JPEG_MARKER, len - i);
		if (p == NULL)
			return (-1);
		i = (size_t)(p - buf);

		j = i + 1;
		while (j < len && buf[j] == JPEG_MARKER)
			j++;
		if (j >= len)
			return (-1);

		if (buf[j] == JPEG_STUFFED ||
		    (buf[j] >= JPEG_RST0 && buf[j] <= JPEG_RST7)) {
			i = j + 1;
			continue;
		}

		*pos = i;
		return (0);
	}
}

static enum media_status
webp_sniff(const uint8_t *buf, size_t len, struct media_info *out)
{
	size_t		end, pos, body;
	uint32_t	riff_size, fourcc, clen;
	int		first, images;

	riff_size = rd_le32(buf + RIFF_SIZE_OFF);
	if (riff_size < RIFF_HEADER_LEN - RIFF_PREAMBLE_LEN +
	    RIFF_CHUNK_HDR_LEN)
		return (MEDIA_MALFORMED);
	if (len - RIFF_PREAMBLE_LEN < riff_size)
		return (MEDIA_MALFORMED);
	end = RIFF_PREAMBLE_LEN + (size_t)riff_size;

	pos = RIFF_HEADER_LEN;
	first = 1;
	images = 0;
	while (pos < end) {
		if (end - pos < RIFF_CHUNK_HDR_LEN)
			return (MEDIA_MALFORMED);
		fourcc = rd_be32(buf + pos);
		clen = rd_le32(buf + pos + 4);
		body = pos + RIFF_CHUNK_HDR_LEN;
		if (end - body < clen)
			return (MEDIA_MALFORMED);

		if (first) {
			if (fourcc == WEBP_CHUNK_VP8) {
				if (media_webp_vp8(buf + body, clen, out) == -1)
					return (MEDIA_MALFORMED);
				images++;
			} else if (fourcc == WEBP_CHUNK_VP8L) {
				if (media_webp_vp8l(buf + body, clen, out) == -1)
					return (MEDIA_MALFORMED);
				images++;
			} else if (fourcc == WEBP_CHUNK_VP8X) {
				if (media_webp_vp8x(buf + body, clen, out) == -1)
					return (MEDIA_MALFORMED);
			} else {
				return (MEDIA_MALFORMED);
			}
			first = 0;
		} else if (fourcc == WEBP_CHUNK_VP8 ||
		    fourcc == WEBP_CHUNK_VP8L || fourcc == WEBP_CHUNK_ANMF) {
			images++;
		}

		/* Chunks are padded to even sizes; the last pad may be cut. */
		pos = body + clen;
		if ((clen & 1) && pos < end)
			pos++;
	}

	if (first || images == 0)
		return (MEDIA_MALFORMED);

	return (MEDIA_OK);
}

/* A lossy key frame: frame tag, start code, 14-bit sizes. */
int
media_webp_vp8(const uint8_t *p, size_t len, struct media_info *out)
{
	uint32_t	tag, width, height;

	if (len < VP8_HEADER_LEN)
		return (-1);

	tag = rd_le24(p);
	if (tag & VP8_TAG_INTERFRAME)
		return (-1);
	if (((tag >> VP8_TAG_PROFILE_SHIFT) & VP8_TAG_PROFILE_MASK) >
	    VP8_PROFILE_MAX)
		return (-1);
	if (!(tag & VP8_TAG_SHOW_FRAME))
		return (-1);
	if ((tag >> VP8_TAG_PART_SHIFT) >= len)
		return (-1);
	if (memcmp(p + VP8_START_CODE_OFF, vp8_start_code,
	    sizeof(vp8_start_code)) != 0)
		return (-1);

	/* The top two bits are an upscaling hint, not part of the size. */
	width = rd_le16(p + VP8_WIDTH_OFF) & VP8_DIM_MASK;
	height = rd_le16(p + VP8_HEIGHT_OFF) & VP8_DIM_MASK;
	if (width == 0 || height == 0)
		return (-1);
	media_set_dims(out, width, height);

	return (0);
}

/* A lossless image: signature, then 14-bit sizes minus one, version 0. */
int
media_webp_vp8l(const uint8_t *p, size_t len, struct media_info *out)
{
	uint32_t	bits;

	if (len < VP8L_HEADER_LEN || p[0] != VP8L_SIGNATURE)
		return (-1);

	bits = rd_le32(p + 1);
	if ((bits >> VP8L_VERSION_SHIFT) != 0)
		return (-1);
	media_set_dims(out, (bits & VP8L_DIM_MASK) + 1,
	    ((bits >> VP8L_DIM_BITS) & VP8L_DIM_MASK) + 1);

	return (0);
}

/* The extended header: flags, then the canvas in 24-bit sizes minus one. */
int
media_webp_vp8x(const uint8_t *p, size_t len, struct media_info *out)
{
	uint32_t	width, height;

	if (len < VP8X_HEADER_LEN)
		return (-1);

	width = rd_le24(p + VP8X_WIDTH_OFF) + 1;
	height = rd_le24(p + VP8X_HEIGHT_OFF) + 1;
	if ((uint64_t)width * height >= VP8X_MAX_AREA)
		return (-1);
	media_set_dims(out, width, height);

	return (0);
}

static enum media_status
mp4_sniff(const uint8_t *buf, size_t len, struct media_info *out)
{
	struct bmff_box		box;
	enum media_status	st;
	size_t			pos;
	int			r, have_moov, have_mdat, have_video;
	uint32_t		ftyp_len;

	ftyp_len = rd_be32(buf);
	if (ftyp_len < FTYP_MIN_LEN || ftyp_len % BMFF_BRAND_LEN != 0)
		return (MEDIA_MALFORMED);
	if (ftyp_len > len)
		return (MEDIA_MALFORMED);
	if ((st = mp4_brands(buf, ftyp_len)) != MEDIA_OK)
		return (st);

	pos = 0;
	have_moov = 0;
	have_mdat = 0;
	have_video = 0;
	while ((r = bmff_next(buf, len, &pos, &box)) == 1) {
		if (box.type == BMFF_BOX_MOOV && !have_moov) {
			have_moov = 1;
			if (mp4_moov(buf, &box, &have_video, out) == -1)
				return (MEDIA_MALFORMED);
		} else if (box.type == BMFF_BOX_MDAT) {
			have_mdat = 1;
		}
	}
	if (r == -1 || !have_moov || !have_mdat)
		return (MEDIA_MALFORMED);

	/* Audio-only (.m4a and friends) is not a clip. */
	if (!have_video)
		return (MEDIA_UNSUPPORTED);

	return (MEDIA_OK);
}

/*
 * Decide from the ftyp brands whether this is MP4 video at all: image
 * brands and QuickTime/3GPP refuse it, and some brand must be a known
 * MP4 one.
 */
static enum media_status
mp4_brands(const uint8_t *ftyp, size_t len)
{
	size_t		off;
	uint32_t	major;
	int		brand, video;

	major = rd_be32(ftyp + BMFF_HDR_LEN);
	if (media_mp4_brand(major) & MP4_BRAND_OTHER)
		return (MEDIA_UNSUPPORTED);

	video = 0;
	for (off = BMFF_HDR_LEN; off + BMFF_BRAND_LEN <= len;
	    off += BMFF_BRAND_LEN) {
		/* The minor version sits between major and compatibles. */
		if (off == FTYP_COMPAT_OFF - BMFF_BRAND_LEN)
			continue;
		brand = media_mp4_brand(rd_be32(ftyp + off));
		if (brand & MP4_BRAND_IMAGE)
			return (MEDIA_UNSUPPORTED);
		if (brand & MP4_BRAND_VIDEO)
			video = 1;
	}

	return (video ? MEDIA_OK : MEDIA_UNSUPPORTED);
}

static int
mp4_brand_in(uint32_t brand, const uint32_t *list, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++) {
		if (list[i] == brand)
			return (1);
	}

	return (0);
}

/*
 * Read the box at *pos, which must end by end. Returns 1 and advances
 * *pos past it, 0 when *pos is at end, -1 when the box does not fit.
 */
static int
bmff_next(const uint8_t *buf, size_t end, size_t *pos, struct bmff_box *box)
{
	uint64_t	size;
	size_t		p, hdr;

	p = *pos;
	if (p == end)
		return (0);
	if (end - p < BMFF_HDR_LEN)
		return (-1);

	hdr = BMFF_HDR_LEN;
	size = rd_be32(buf + p);
	box->type = rd_be32(buf + p + BMFF_TYPE_OFF);
	if (size == BMFF_SIZE_LARGE) {
		if (end - p < BMFF_LARGE_HDR_LEN)
			return (-1);
		size = rd_be64(buf + p + BMFF_HDR_LEN);
		hdr = BMFF_LARGE_HDR_LEN;
	} else if (size == BMFF_SIZE_TO_END) {
		size = end - p;
	}
	if (size < hdr || size > end - p)
		return (-1);

	box->body = p + hdr;
	box->body_len = (size_t)size - hdr;
	*pos = p + (size_t)size;

	return (1);
}

/* Find the first child of parent of the given type: 1, 0 if none, -1. */
static int
bmff_find(const uint8_t *buf, const struct bmff_box *parent, uint32_t type,
    struct bmff_box *child)
{
	size_t		pos, end;
	int		r;

	pos = parent->body;
	end = parent->body + parent->body_len;
	while ((r = bmff_next(buf, end, &pos, child)) == 1) {
		if (child->type == type)
			return (1);
	}

	return (r);
}

static int
mp4_moov(const uint8_t *buf, const struct bmff_box *moov, int *have_video,
    struct media_info *out)
{
	struct bmff_box	box;
	size_t		pos, end;
	int		r;

	pos = moov->body;
	end = moov->body + moov->body_len;
	while ((r = bmff_next(buf, end, &pos, &box)) == 1) {
		if (box.type != BMFF_BOX_TRAK)
			continue;
		if (mp4_trak(buf, &box, have_video, out) == -1)
			return (-1);
	}

	return (r);
}

/*
 * A track counts as video by its handler; the first video track's tkhd
 * gives the size (16.16 fixed point, the fraction dropped). A zero size
 * there only means the size is unknown.
 */
static int
mp4_trak(const uint8_t *buf, const struct bmff_box *trak, int *have_video,
    struct media_info *out)
{
	struct bmff_box	mdia, hdlr, tkhd;
	const uint8_t	*d;
	size_t		off;
	uint32_t	width, height;
	int		r;

	if ((r = bmff_find(buf, trak, BMFF_BOX_MDIA, &mdia)) != 1)
		return (r);
	if ((r = bmff_find(buf, &mdia, BMFF_BOX_HDLR, &hdlr)) != 1)
		return (r);
	if (hdlr.body_len < HDLR_TYPE_OFF + BMFF_BRAND_LEN)
		return (-1);
	if (rd_be32(buf + hdlr.body + HDLR_TYPE_OFF) != BMFF_HANDLER_VIDEO)
		return (0);

	if (*have_video)
		return (0);
	*have_video = 1;

	if ((r = bmff_find(buf, trak, BMFF_BOX_TKHD, &tkhd)) != 1)
		return (r);
	if (tkhd.body_len < FULLBOX_HDR_LEN)
		return (-1);
	d = buf + tkhd.body;
	off = (d[0] == 0) ? TKHD_V0_DIMS_OFF : TKHD_V1_DIMS_OFF;
	if (tkhd.body_len < off + TKHD_DIMS_LEN)
		return (-1);

	width = rd_be32(d + off) >> TKHD_FIXED_SHIFT;
	height = rd_be32(d + off + 4) >> TKHD_FIXED_SHIFT;
	if (width != 0 && height != 0)
		media_set_dims(out, width, height);

	return (0);
}

static enum media_status
webm_sniff(const uint8_t *buf, size_t len, struct media_info *out)
{
	struct ebml_elem	hdr, el, seg;
	size_t			pos, end, seg_end;
	int			r, is_webm, have_tracks, have_video;
	int			have_cluster;

	pos = 0;
	if (ebml_next(buf, len, &pos, &hdr) != 1)
		return (MEDIA_MALFORMED);

	/* The DocType decides WebM versus other Matroska. */
	is_webm = 0;
	pos = hdr.body;
	end = hdr.body + (size_t)hdr.size;
	while ((r = ebml_next(buf, end, &pos, &el)) == 1) {
		if (el.id == EBML_ID_DOCTYPE)
			is_webm = webm_is_webm(buf, &el);
	}
	if (r == -1)
		return (MEDIA_MALFORMED);
	if (!is_webm)
		return (MEDIA_UNSUPPORTED);

	if (ebml_read(buf, len, &pos, &seg) != 1 || seg.id != MKV_ID_SEGMENT)
		return (MEDIA_MALFORMED);
	if (seg.unknown_size) {
		/* Live recordings: the Segment runs to the end of the file. */
		seg_end = len;
	} else {
		if (seg.size > len - seg.body)
			return (MEDIA_MALFORMED);
		seg_end = seg.body + (size_t)seg.size;
	}

	have_tracks = 0;
	have_video = 0;
	have_cluster = 0;
	pos = seg.body;
	while ((r = ebml_read(buf, seg_end, &pos, &el)) == 1) {
		if (el.unknown_size) {
			/*
			 * Only a Cluster may run open-ended; its children are
			 * not walked, so the check of the rest stops here.
			 */
			if (el.id != MKV_ID_CLUSTER)
				return (MEDIA_MALFORMED);
			have_cluster = 1;
			break;
		}
		if (el.size > seg_end - el.body)
			return (MEDIA_MALFORMED);
		pos = el.body + (size_t)el.size;

		if (el.id == MKV_ID_TRACKS && !have_tracks) {
			have_tracks = 1;
			if (webm_tracks(buf, &el, &have_video, out) == -1)
				return (MEDIA_MALFORMED);
		} else if (el.id == MKV_ID_CLUSTER) {
			have_cluster = 1;
		}
	}
	if (r == -1 || !have_tracks || !have_cluster)
		return (MEDIA_MALFORMED);

	/* Audio-only WebM is not a clip. */
	if (!have_video)
		return (MEDIA_UNSUPPORTED);

	return (MEDIA_OK);
}

/*
 * Read an element header (vint ID, vint size) at *pos, before end, and
 * leave *pos on its body. The body is not checked against end; callers
 * that cannot take an unknown size use ebml_next(). Returns 1, 0 when
 * *pos is at end, -1 on a malformed header.
 */
static int
ebml_read(const uint8_t *buf, size_t end, size_t *pos, struct ebml_elem *el)
{
	size_t		p, n, i;
	uint64_t	size, all_ones;
	uint8_t		mask;

	p = *pos;
	if (p >= end)
		return (0);

	/* ID: the marker bit is kept as part of the value. */
	n = 1;
	for (mask = EBML_LEAD_BIT; n <= EBML_MAX_ID_LEN; mask >>= 1) {
		if (buf[p] & mask)
			break;
		n++;
	}
	if (n > EBML_MAX_ID_LEN || end - p < n)
		return (-1);
	el->id = 0;
	for (i = 0; i < n; i++)
		el->id = (el->id << 8) | buf[p + i];
	p += n;

	/* Size: the marker bit is dropped; all value bits set is unknown. */
	if (p >= end || buf[p] == 0)
		return (-1);
	for (n = 1, mask = EBML_LEAD_BIT; !(buf[p] & mask); n++)
		mask >>= 1;
	if (end - p < n)
		return (-1);
	size = buf[p] & (mask - 1);
	for (i = 1; i < n; i++)
		size = (size << 8) | buf[p + i];
	all_ones = ((uint64_t)1 << (7 * n)) - 1;
	p += n;

	el->body = p;
	el->size = size;
	el->unknown_size = (size == all_ones);
	*pos = p;

	return (1);
}

/*
 * Read the element at *pos whose body must have a known size and end by
 * end, and advance *pos past it. Returns 1, 0 at end, -1 otherwise.
 */
static int
ebml_next(const uint8_t *buf, size_t end, size_t *pos, struct ebml_elem *el)
{
	int		r;

	if ((r = ebml_read(buf, end, pos, el)) != 1)
		return (r);
	if (el->unknown_size || el->size > end - el->body)
		return (-1);
	*pos = el->body + (size_t)el->size;

	return (1);
}

static int
ebml_uint(const uint8_t *buf, const struct ebml_elem *el, uint64_t *v)
{
	size_t		i;

	if (el->size > EBML_MAX_UINT_LEN)
		return (-1);

	*v = 0;
	for (i = 0; i < (size_t)el->size; i++)
		*v = (*v << 8) | buf[el->body + i];

	return (0);
}

/* EBML strings may be padded with NULs. */
static int
webm_is_webm(const uint8_t *buf, const struct ebml_elem *el)
{
	size_t		n;

	n = (size_t)el->size;
	while (n > 0 && buf[el->body + n - 1] == '\0')
		n--;

	return (n == strlen(WEBM_DOCTYPE) &&
	    memcmp(buf + el->body, WEBM_DOCTYPE, n) == 0);
}

static int
webm_tracks(const uint8_t *buf, const struct ebml_elem *tracks,
    int *have_video, struct media_info *out)
{
	struct ebml_elem	el;
	size_t			pos, end;
	int			r;

	pos = tracks->body;
	end = tracks->body + (size_t)tracks->size;
	while ((r = ebml_next(buf, end, &pos, &el)) == 1) {
		if (el.id != MKV_ID_TRACK_ENTRY)
			continue;
		if (webm_track_entry(buf, &el, have_video, out) == -1)
			return (-1);
	}

	return (r);
}

/*
 * The first video track's PixelWidth and PixelHeight give the size when
 * both are present and fit; otherwise the clip's size stays unknown.
 */
static int
webm_track_entry(const uint8_t *buf, const struct ebml_elem *entry,
    int *have_video, struct media_info *out)
{
	struct ebml_elem	el, px;
	size_t			pos, end, vpos, vend;
	uint64_t		type, width, height;
	int			r, have_dims;

	type = 0;
	width = 0;
	height = 0;
	have_dims = 0;
	pos = entry->body;
	end = entry->body + (size_t)entry->size;
	while ((r = ebml_next(buf, end, &pos, &el)) == 1) {
		if (el.id == MKV_ID_TRACK_TYPE) {
			if (ebml_uint(buf, &el, &type) == -1)
				return (-1);
		} else if (el.id == MKV_ID_VIDEO) {
			vpos = el.body;
			vend = el.body + (size_t)el.size;
			while ((r = ebml_next(buf, vend, &vpos, &px)) == 1) {
				if (px.id == MKV_ID_PIXEL_WIDTH &&
				    ebml_uint(buf, &px, &width) == -1)
					return (-1);
				if (px.id == MKV_ID_PIXEL_HEIGHT &&
				    ebml_uint(buf, &px, &height) == -1)
					return (-1);
			}
			if (r == -1)
				return (-1);
			have_dims = 1;
		}
	}
	if (r == -1)
		return (-1);

	if (type != MKV_TRACK_TYPE_VIDEO || *have_video)
		return (0);
	*have_video = 1;

	if (have_dims && width != 0 && height != 0 &&
	    width <= UINT32_MAX && height <= UINT32_MAX)
		media_set_dims(out, (uint32_t)width, (uint32_t)height);

	return (0);
}
