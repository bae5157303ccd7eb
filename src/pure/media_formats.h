/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * What the two media sniffers share, and no other file uses: media.c
 * walks a whole file, media_stream.c a file that arrives in pieces, and
 * both must give the same answer for the same bytes. The formats'
 * constants, the byte readers, the magic that tells a format, and the
 * checks of the few fixed-size headers (PNG's IHDR, VP8/VP8L/VP8X, the
 * JPEG frame markers, MP4's brands) live here once. Pure: no Kore.
 */

#ifndef REACTBIN_MEDIA_FORMATS_H
#define REACTBIN_MEDIA_FORMATS_H

#include <stddef.h>
#include <stdint.h>

#include "media.h"

/* Build a big-endian four-character code as the containers store it. */
#define FOURCC_LEN		4
#define FOURCC(a, b, c, d)						\
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) |		\
	((uint32_t)(c) << 8) | (uint32_t)(d))

/* GIF: "GIF87a"/"GIF89a", logical screen descriptor, then blocks. */
#define GIF_MAGIC_LEN		6
#define GIF_WIDTH_OFF		6
#define GIF_HEIGHT_OFF		8
#define GIF_FLAGS_OFF		10
#define GIF_SCREEN_END		13
#define GIF_FLAG_COLOR_TABLE	0x80
#define GIF_COLOR_TABLE_BITS	0x07
#define GIF_RGB_LEN		3
#define GIF_BLOCK_EXTENSION	0x21
#define GIF_BLOCK_IMAGE		0x2c
#define GIF_BLOCK_TRAILER	0x3b
#define GIF_EXTENSION_HDR_LEN	2	/* introducer + label */
#define GIF_IMAGE_DESC_LEN	10	/* separator + 9 bytes */
#define GIF_IMAGE_FLAGS_OFF	9
#define GIF_LZW_SIZE_LEN	1

/* PNG: signature, IHDR first, chunks up to IEND. */
#define PNG_MAGIC_LEN		8
#define PNG_CHUNK_HDR_LEN	8	/* length + type */
#define PNG_CHUNK_CRC_LEN	4
#define PNG_IHDR_LEN		13
#define PNG_MAX_VALUE		0x7fffffffU	/* lengths and dimensions */
#define PNG_CRC_POLY		0xedb88320U
#define PNG_CRC_INIT		0xffffffffU
#define PNG_COLOR_GRAY		0
#define PNG_COLOR_RGB		2
#define PNG_COLOR_PALETTE	3
#define PNG_COLOR_GRAY_ALPHA	4
#define PNG_COLOR_RGBA		6
#define PNG_INTERLACE_MAX	1
#define PNG_TYPE_IHDR		FOURCC('I', 'H', 'D', 'R')
#define PNG_TYPE_IDAT		FOURCC('I', 'D', 'A', 'T')
#define PNG_TYPE_IEND		FOURCC('I', 'E', 'N', 'D')

/* JPEG: markers from SOI, segments with lengths, scans up to EOI. */
#define JPEG_MAGIC_LEN		3
#define JPEG_SOI_LEN		2
#define JPEG_MARKER		0xff
#define JPEG_STUFFED		0x00
#define JPEG_TEM		0x01
#define JPEG_SOF0		0xc0
#define JPEG_DHT		0xc4
#define JPEG_JPG		0xc8
#define JPEG_DAC		0xcc
#define JPEG_SOF15		0xcf
#define JPEG_RST0		0xd0
#define JPEG_RST7		0xd7
#define JPEG_SOI		0xd8
#define JPEG_EOI		0xd9
#define JPEG_SOS		0xda
#define JPEG_LENGTH_LEN		2
#define JPEG_SOF_FIXED_LEN	6	/* P, Y, X, Nf */
#define JPEG_SOF_COMP_LEN	3
#define JPEG_SOS_FIXED_LEN	4	/* Ns, Ss, Se, AhAl */
#define JPEG_SOS_COMP_LEN	2

/* WebP: RIFF container with a VP8, VP8L or VP8X first chunk. */
#define RIFF_HEADER_LEN		12
#define RIFF_SIZE_OFF		4
#define RIFF_FORM_OFF		8
#define RIFF_PREAMBLE_LEN	8	/* "RIFF" + size: not counted in size */
#define RIFF_CHUNK_HDR_LEN	8
#define WEBP_CHUNK_VP8		FOURCC('V', 'P', '8', ' ')
#define WEBP_CHUNK_VP8L		FOURCC('V', 'P', '8', 'L')
#define WEBP_CHUNK_VP8X		FOURCC('V', 'P', '8', 'X')
#define WEBP_CHUNK_ANMF		FOURCC('A', 'N', 'M', 'F')
#define VP8_HEADER_LEN		10
#define VP8_TAG_INTERFRAME	0x01
#define VP8_TAG_PROFILE_SHIFT	1
#define VP8_TAG_PROFILE_MASK	0x07
#define VP8_PROFILE_MAX		3
#define VP8_TAG_SHOW_FRAME	0x10
#define VP8_TAG_PART_SHIFT	5
#define VP8_START_CODE_OFF	3
#define VP8_WIDTH_OFF		6
#define VP8_HEIGHT_OFF		8
#define VP8_DIM_MASK		0x3fff
#define VP8L_HEADER_LEN		5
#define VP8L_SIGNATURE		0x2f
#define VP8L_DIM_BITS		14
#define VP8L_DIM_MASK		0x3fff
#define VP8L_VERSION_SHIFT	29
#define VP8X_HEADER_LEN		10
#define VP8X_WIDTH_OFF		4
#define VP8X_HEIGHT_OFF		7
#define VP8X_MAX_AREA		(1ULL << 32)

/* ISO BMFF (MP4): boxes of size + type, 64-bit sizes allowed. */
#define BMFF_TYPE_OFF		4
#define BMFF_HDR_LEN		8
#define BMFF_LARGE_HDR_LEN	16
#define BMFF_SIZE_LARGE		1
#define BMFF_SIZE_TO_END	0
#define BMFF_BRAND_LEN		4
#define FTYP_MIN_LEN		16	/* header + major + minor version */
#define FTYP_COMPAT_OFF		16
#define FULLBOX_HDR_LEN		4	/* version + flags */
#define TKHD_V0_DIMS_OFF	76	/* from the start of the body */
#define TKHD_V1_DIMS_OFF	88
#define TKHD_DIMS_LEN		8
#define TKHD_FIXED_SHIFT	16	/* 16.16 fixed point */
#define HDLR_TYPE_OFF		8
#define BMFF_BOX_FTYP		FOURCC('f', 't', 'y', 'p')
#define BMFF_BOX_MOOV		FOURCC('m', 'o', 'o', 'v')
#define BMFF_BOX_MDAT		FOURCC('m', 'd', 'a', 't')
#define BMFF_BOX_TRAK		FOURCC('t', 'r', 'a', 'k')
#define BMFF_BOX_TKHD		FOURCC('t', 'k', 'h', 'd')
#define BMFF_BOX_MDIA		FOURCC('m', 'd', 'i', 'a')
#define BMFF_BOX_HDLR		FOURCC('h', 'd', 'l', 'r')
#define BMFF_HANDLER_VIDEO	FOURCC('v', 'i', 'd', 'e')

/* EBML (WebM): elements of vint ID + vint size. */
#define EBML_MAGIC_LEN		4
#define EBML_MAX_ID_LEN		4
#define EBML_MAX_UINT_LEN	8
#define EBML_LEAD_BIT		0x80
#define EBML_ID_HEADER		0x1a45dfa3
#define EBML_ID_DOCTYPE		0x4282
#define MKV_ID_SEGMENT		0x18538067
#define MKV_ID_TRACKS		0x1654ae6b
#define MKV_ID_CLUSTER		0x1f43b675
#define MKV_ID_TRACK_ENTRY	0xae
#define MKV_ID_TRACK_TYPE	0x83
#define MKV_ID_VIDEO		0xe0
#define MKV_ID_PIXEL_WIDTH	0xb0
#define MKV_ID_PIXEL_HEIGHT	0xba
#define MKV_TRACK_TYPE_VIDEO	1
#define WEBM_DOCTYPE		"webm"

/* The longest magic: RIFF's "RIFF" size "WEBP". */
#define MEDIA_MAGIC_MAX		RIFF_HEADER_LEN

/* The most bytes of a box, chunk or segment body the sniffers read. */
#define MEDIA_FIXED_MAX		(TKHD_V1_DIMS_OFF + TKHD_DIMS_LEN)

/* What the magic says about a file's first bytes. */
enum media_magic {
	MEDIA_MAGIC_MORE,	/* more bytes would tell */
	MEDIA_MAGIC_TYPE,	/* one of ours, in *type */
	MEDIA_MAGIC_NONE	/* none of ours, whatever follows */
};

/* Which lists of mp4 brands (media.c) a brand is on. */
#define MP4_BRAND_VIDEO		0x01
#define MP4_BRAND_IMAGE		0x02
#define MP4_BRAND_OTHER		0x04

static inline uint16_t
rd_le16(const uint8_t *p)
{
	return ((uint16_t)(p[0] | (p[1] << 8)));
}

static inline uint32_t
rd_le24(const uint8_t *p)
{
	return ((uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	    ((uint32_t)p[2] << 16));
}

static inline uint32_t
rd_le32(const uint8_t *p)
{
	return (rd_le24(p) | ((uint32_t)p[3] << 24));
}

static inline uint16_t
rd_be16(const uint8_t *p)
{
	return ((uint16_t)((p[0] << 8) | p[1]));
}

static inline uint32_t
rd_be32(const uint8_t *p)
{
	return (FOURCC(p[0], p[1], p[2], p[3]));
}

static inline uint64_t
rd_be64(const uint8_t *p)
{
	return (((uint64_t)rd_be32(p) << 32) | rd_be32(p + 4));
}

/*
 * The format the first n bytes of a file claim, in media_sniff()'s order
 * of trying them. complete says n is the whole file: then the answer is
 * never MEDIA_MAGIC_MORE.
 */
enum media_magic	media_magic(const uint8_t *, size_t, int,
			    enum media_type *);

/* MP4_BRAND_* bits for a brand (0: none of the lists). */
int	media_mp4_brand(uint32_t);

/* A whole IHDR chunk (length, type, 13 bytes, CRC): sane and intact? */
int	media_png_ihdr_valid(const uint8_t *);

/* Is a chunk type four ASCII letters? */
int	media_png_type_valid(const uint8_t *);

/* Is a JPEG marker a start of frame (SOF0-SOF15 less DHT, JPG, DAC)? */
int	media_jpeg_is_sof(uint8_t);

/*
 * The first chunk of a WebP, given its first bytes and its declared
 * length: 0 with the dimensions set, or -1. VP8 and VP8X read
 * VP8_HEADER_LEN and VP8X_HEADER_LEN bytes, VP8L VP8L_HEADER_LEN.
 */
int	media_webp_vp8(const uint8_t *, size_t, struct media_info *);
int	media_webp_vp8l(const uint8_t *, size_t, struct media_info *);
int	media_webp_vp8x(const uint8_t *, size_t, struct media_info *);

void	media_set_dims(struct media_info *, uint32_t, uint32_t);

#endif
