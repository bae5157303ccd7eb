/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for media_stream.c. The walk must answer as media_sniff()
 * does: for every real sample of data/media/, whole and cut at every
 * byte, in pieces of several sizes. The stream must do so in bounded
 * memory for files larger than its look-ahead: each sample grown past it
 * where the format lets a file grow without changing what it is (EXIF
 * segments before a JPEG's frame header, an ancillary PNG chunk, a GIF
 * comment, an unknown WebP chunk, an MP4 mdat before the moov, a WebM
 * Void before the Tracks), whole and cut short; and it must refuse early
 * only what media_sniff() refuses. Run from tests/unit.
 */

#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#include "media.h"
#include "media_stream.h"

#define SAMPLE_DIR	"data/media/"
#define SAMPLE_MAX	(64 * 1024)

/* Past the look-ahead, by far: the walk decides, not media_sniff(). */
#define GROWN_BYTES	(4 * MEDIA_LOOKAHEAD)

/* JPEG: APPn segments hold at most 65533 bytes of data. */
#define JPEG_APP1		0xe1
#define JPEG_SEGMENT_MAX	65533
#define JPEG_SOI_BYTES		2

#define PNG_SIG_BYTES		8
#define PNG_IHDR_CHUNK		25
#define GIF_SUB_MAX		255

#define RIFF_SIZE_AT		4
#define RIFF_PREAMBLE		8

#define WEBM_SEGMENT_AT		36
#define WEBM_SEGMENT_BODY	48
#define WEBM_VOID_ID		0xec
#define WEBM_VINT8		0x01

#define MP4_MDAT_AT		40

static const char *const	samples[] = {
	"3x2.gif", "3x2-87a.gif", "anim-5x3.gif", "7x5.png",
	"9x4-baseline.jpg", "9x4-progressive.jpg", "9x4-exif.jpg",
	"11x7-lossy.webp", "12x6-lossless.webp", "13x9-alpha.webp",
	"anim-14x10.webp", "16x16.mp4", "16x16-moov-at-end.mp4",
	"16x16.webm", "16x16.mkv", "audio-only.m4a", "audio-only.webm",
};

/* A growable byte buffer for the grown files. */
struct bytes {
	uint8_t	*data;
	size_t	 len;
};

static struct media_stream	stream;

static uint8_t	*load(const char *, size_t *);
static void	put(struct bytes *, const void *, size_t);
static void	put_fill(struct bytes *, uint8_t, size_t);
static void	put_be32(struct bytes *, uint32_t);
static uint32_t	crc32_png(const uint8_t *, size_t);
static enum media_status	walk(const uint8_t *, size_t, size_t,
				    struct media_info *);
static enum media_status	streamed(const uint8_t *, size_t, size_t,
				    struct media_info *, size_t *);
static void	same_as_sniff(const uint8_t *, size_t);
static void	grown_check(const struct bytes *, enum media_type, uint32_t,
		    uint32_t);

static uint8_t *
load(const char *name, size_t *len)
{
	char	 path[256];
	FILE	*fp;
	uint8_t	*buf;

	(void)snprintf(path, sizeof(path), "%s%s", SAMPLE_DIR, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	buf = malloc(SAMPLE_MAX);
	assert_non_null(buf);
	*len = fread(buf, 1, SAMPLE_MAX, fp);
	assert_true(*len > 0 && *len < SAMPLE_MAX);
	fclose(fp);
	return (buf);
}

static void
put(struct bytes *b, const void *p, size_t n)
{
	b->data = realloc(b->data, b->len + n);
	assert_non_null(b->data);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void
put_fill(struct bytes *b, uint8_t c, size_t n)
{
	b->data = realloc(b->data, b->len + n);
	assert_non_null(b->data);
	memset(b->data + b->len, c, n);
	b->len += n;
}

static void
put_be32(struct bytes *b, uint32_t v)
{
	uint8_t	p[4] = { v >> 24, v >> 16, v >> 8, v };

	put(b, p, sizeof(p));
}

static uint32_t
crc32_png(const uint8_t *p, size_t n)
{
	uint32_t	crc = 0xffffffffU;
	size_t		i;
	int		k;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ ((crc & 1) ? 0xedb88320U : 0);
	}
	return (crc ^ 0xffffffffU);
}

/* The walk alone, in pieces of size piece. */
static enum media_status
walk(const uint8_t *p, size_t len, size_t piece, struct media_info *out)
{
	struct media_walk	w;
	size_t			pos, n;

	media_walk_init(&w);
	for (pos = 0; pos < len; pos += n) {
		n = len - pos < piece ? len - pos : piece;
		(void)media_walk_feed(&w, p + pos, n);
	}
	return (media_walk_end(&w, out));
}

/* The stream; *refused_at is how much was fed when it refused, or 0. */
static enum media_status
streamed(const uint8_t *p, size_t len, size_t piece, struct media_info *out,
    size_t *refused_at)
{
	size_t	pos, n;

	*refused_at = 0;
	media_stream_init(&stream);
	for (pos = 0; pos < len; pos += n) {
		n = len - pos < piece ? len - pos : piece;
		if (media_stream_feed(&stream, p + pos, n) && *refused_at == 0)
			*refused_at = pos + n;
	}
	return (media_stream_end(&stream, out));
}

static void
same_as_sniff(const uint8_t *p, size_t len)
{
	static const size_t	pieces[] = { 1, 2, 3, 7, 64, 4096 };
	struct media_info	want, got;
	enum media_status	st;
	size_t			i;

	st = media_sniff(p, len, &want);
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		memset(&got, 0xee, sizeof(got));
		assert_int_equal(walk(p, len, pieces[i], &got), st);
		assert_memory_equal(&got, &want, sizeof(got));
	}
}

static void
test_samples(void **state)
{
	uint8_t	*buf;
	size_t	 i, len, cut;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		buf = load(samples[i], &len);
		same_as_sniff(buf, len);
		/* Every truncation: each format's end is found where it is. */
		for (cut = 0; cut < len; cut++)
			same_as_sniff(buf, cut);
		free(buf);
	}
}

/* A grown file: the stream's verdict, dimensions, and its cut versions. */
static void
grown_check(const struct bytes *b, enum media_type type, uint32_t width,
    uint32_t height)
{
	struct media_info	info;
	size_t			refused_at, cut;

	assert_true(b->len > GROWN_BYTES);
	assert_int_equal(streamed(b->data, b->len, 8192, &info, &refused_at),
	    MEDIA_OK);
	assert_int_equal(refused_at, 0);
	assert_int_equal(info.type, type);
	assert_int_equal(info.has_dimensions, 1);
	assert_int_equal(info.width, width);
	assert_int_equal(info.height, height);

	/* The same as media_sniff() on the whole file, of course. */
	same_as_sniff(b->data, b->len);

	/* Cut short past the look-ahead: refused, as media_sniff() does. */
	for (cut = MEDIA_LOOKAHEAD + 1; cut < b->len; cut += b->len / 7) {
		assert_int_equal(streamed(b->data, cut, 8192, &info,
		    &refused_at), media_sniff(b->data, cut, &info));
		assert_int_not_equal(media_sniff(b->data, cut, &info),
		    MEDIA_OK);
	}
}

/* EXIF-sized APP1 segments before the frame header, past the look-ahead. */
static void
test_grown_jpeg(void **state)
{
	struct bytes	 b = { NULL, 0 };
	uint8_t		*buf, seg[4];
	size_t		 len;

	(void)state;
	buf = load("9x4-exif.jpg", &len);
	put(&b, buf, JPEG_SOI_BYTES);
	while (b.len < GROWN_BYTES) {
		seg[0] = 0xff;
		seg[1] = JPEG_APP1;
		seg[2] = (JPEG_SEGMENT_MAX + 2) >> 8;
		seg[3] = (JPEG_SEGMENT_MAX + 2) & 0xff;
		put(&b, seg, sizeof(seg));
		put_fill(&b, 'x', JPEG_SEGMENT_MAX);
	}
	put(&b, buf + JPEG_SOI_BYTES, len - JPEG_SOI_BYTES);
	grown_check(&b, MEDIA_JPEG, 9, 4);
	free(b.data);
	free(buf);
}

/* A large ancillary chunk after IHDR. */
static void
test_grown_png(void **state)
{
	struct bytes	 b = { NULL, 0 }, chunk = { NULL, 0 };
	uint8_t		*buf;
	size_t		 len;

	(void)state;
	buf = load("7x5.png", &len);
	put(&b, buf, PNG_SIG_BYTES + PNG_IHDR_CHUNK);
	put_be32(&chunk, GROWN_BYTES);
	put(&chunk, "zzTx", 4);
	put_fill(&chunk, 'z', GROWN_BYTES);
	put_be32(&chunk, crc32_png(chunk.data + 4, GROWN_BYTES + 4));
	put(&b, chunk.data, chunk.len);
	put(&b, buf + PNG_SIG_BYTES + PNG_IHDR_CHUNK,
	    len - PNG_SIG_BYTES - PNG_IHDR_CHUNK);
	grown_check(&b, MEDIA_PNG, 7, 5);
	free(chunk.data);
	free(b.data);
	free(buf);
}

/* A comment extension of many sub-blocks before the first image. */
static void
test_grown_gif(void **state)
{
	struct bytes	 b = { NULL, 0 };
	uint8_t		*buf, sub;
	size_t		 len, head;

	(void)state;
	buf = load("3x2.gif", &len);
	/* Screen (13 bytes) and the global table its flags announce. */
	head = 13 + 3 * (2 << (buf[10] & 0x07));
	assert_true(buf[10] & 0x80);
	put(&b, buf, head);
	put(&b, "\x21\xfe", 2);
	while (b.len < GROWN_BYTES) {
		sub = GIF_SUB_MAX;
		put(&b, &sub, 1);
		put_fill(&b, 'c', GIF_SUB_MAX);
	}
	put(&b, "", 1);
	put(&b, buf + head, len - head);
	grown_check(&b, MEDIA_GIF, 3, 2);
	free(b.data);
	free(buf);
}

/* An unknown chunk after the image, the RIFF's size grown to match. */
static void
test_grown_webp(void **state)
{
	struct bytes	 b = { NULL, 0 };
	uint8_t		*buf, le[4];
	size_t		 len;
	uint32_t	 riff;

	(void)state;
	buf = load("11x7-lossy.webp", &len);
	put(&b, buf, len);
	put(&b, "ZZZZ", 4);
	le[0] = GROWN_BYTES & 0xff;
	le[1] = (GROWN_BYTES >> 8) & 0xff;
	le[2] = (GROWN_BYTES >> 16) & 0xff;
	le[3] = (GROWN_BYTES >> 24) & 0xff;
	put(&b, le, 4);
	put_fill(&b, 'w', GROWN_BYTES);
	riff = (uint32_t)(b.len - RIFF_PREAMBLE);
	b.data[RIFF_SIZE_AT] = riff & 0xff;
	b.data[RIFF_SIZE_AT + 1] = (riff >> 8) & 0xff;
	b.data[RIFF_SIZE_AT + 2] = (riff >> 16) & 0xff;
	b.data[RIFF_SIZE_AT + 3] = (riff >> 24) & 0xff;
	grown_check(&b, MEDIA_WEBP, 11, 7);
	free(b.data);
	free(buf);
}

/* The moov after a large mdat, as a camera writes it. */
static void
test_grown_mp4(void **state)
{
	struct bytes	 b = { NULL, 0 };
	uint8_t		*buf;
	size_t		 len;
	uint32_t	 mdat, size;

	(void)state;
	buf = load("16x16-moov-at-end.mp4", &len);
	mdat = MP4_MDAT_AT;
	assert_memory_equal(buf + mdat + 4, "mdat", 4);
	size = (uint32_t)buf[mdat] << 24 | buf[mdat + 1] << 16 |
	    buf[mdat + 2] << 8 | buf[mdat + 3];
	put(&b, buf, mdat);
	put_be32(&b, size + GROWN_BYTES);
	put(&b, buf + mdat + 4, size - 4);
	put_fill(&b, 0, GROWN_BYTES);
	put(&b, buf + mdat + size, len - mdat - size);
	grown_check(&b, MEDIA_MP4, 16, 16);
	free(b.data);
	free(buf);
}

/* A Void element first in the Segment, the Segment's size grown. */
static void
test_grown_webm(void **state)
{
	struct bytes	 b = { NULL, 0 };
	uint8_t		*buf, vint[9];
	size_t		 len, i;
	uint64_t	 seg;

	(void)state;
	buf = load("16x16.webm", &len);
	assert_memory_equal(buf + WEBM_SEGMENT_AT, "\x18\x53\x80\x67", 4);
	assert_int_equal(buf[WEBM_SEGMENT_AT + 4], WEBM_VINT8);
	seg = len - WEBM_SEGMENT_BODY + 1 + 8 + GROWN_BYTES;

	put(&b, buf, WEBM_SEGMENT_AT + 4);
	vint[0] = WEBM_VINT8;
	for (i = 0; i < 7; i++)
		vint[1 + i] = (uint8_t)(seg >> (8 * (6 - i)));
	put(&b, vint, 8);
	vint[0] = WEBM_VOID_ID;
	vint[1] = WEBM_VINT8;
	for (i = 0; i < 7; i++)
		vint[2 + i] = (uint8_t)((uint64_t)GROWN_BYTES >> (8 * (6 - i)));
	put(&b, vint, 9);
	put_fill(&b, 0, GROWN_BYTES);
	put(&b, buf + WEBM_SEGMENT_BODY, len - WEBM_SEGMENT_BODY);
	grown_check(&b, MEDIA_WEBM, 16, 16);
	free(b.data);
	free(buf);
}

/*
 * When the stream refuses: at once for what is none of our formats;
 * a broken header of ours only once the look-ahead is past (until then
 * media_sniff() keeps the last word).
 */
static void
test_refusals(void **state)
{
	struct bytes		 b = { NULL, 0 };
	struct media_info	 info;
	enum media_type		 type;
	uint8_t			*buf;
	size_t			 len, refused_at;

	(void)state;
	put_fill(&b, 'a', GROWN_BYTES);
	assert_int_equal(streamed(b.data, b.len, 100, &info, &refused_at),
	    MEDIA_UNSUPPORTED);
	assert_int_equal(refused_at, 100);
	assert_int_equal(media_stream_refusal(&stream), MEDIA_UNSUPPORTED);
	assert_int_equal(media_stream_type(&stream, &type), -1);
	free(b.data);

	/* A PNG whose IHDR's CRC is wrong, and megabytes of IDAT after. */
	b.data = NULL;
	b.len = 0;
	buf = load("7x5.png", &len);
	put(&b, buf, len);
	b.data[PNG_SIG_BYTES + PNG_IHDR_CHUNK - 1] ^= 0xff;
	put_fill(&b, 0, GROWN_BYTES);
	assert_int_equal(streamed(b.data, b.len, 1000, &info, &refused_at),
	    MEDIA_MALFORMED);
	assert_int_equal(refused_at, MEDIA_LOOKAHEAD + 1000 -
	    MEDIA_LOOKAHEAD % 1000);
	assert_int_equal(media_stream_refusal(&stream), MEDIA_MALFORMED);
	assert_int_equal(media_stream_type(&stream, &type), 0);
	assert_int_equal(type, MEDIA_PNG);

	/* Within the look-ahead, nothing but the magic refuses early. */
	assert_int_equal(streamed(b.data, MEDIA_LOOKAHEAD, 1000, &info,
	    &refused_at), MEDIA_MALFORMED);
	assert_int_equal(refused_at, 0);
	free(b.data);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_grown_jpeg),
		cmocka_unit_test(test_grown_png),
		cmocka_unit_test(test_grown_gif),
		cmocka_unit_test(test_grown_webp),
		cmocka_unit_test(test_grown_mp4),
		cmocka_unit_test(test_grown_webm),
		cmocka_unit_test(test_refusals),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
