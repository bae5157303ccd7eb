/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for media.c: real files from data/media/ (see its README),
 * every truncation of them, patched and hand-built headers, and files
 * that are not ours at all. Run from tests/unit.
 */

#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#include "media.h"

#define SAMPLE_DIR	"data/media/"
#define SAMPLE_MAX	(64 * 1024)
#define BUILD_MAX	4096

struct sample {
	const char	*file;
	enum media_type	 type;
	size_t		 magic_len;	/* shorter prefixes are not ours */
	int		 has_dims;
	uint32_t	 width;
	uint32_t	 height;
};

/* A byte buffer the hand-built files are assembled in. */
struct build {
	uint8_t		data[BUILD_MAX];
	size_t		len;
};

static const struct sample samples[] = {
	{ "3x2.gif",			MEDIA_GIF,  6,  1, 3, 2 },
	{ "3x2-87a.gif",		MEDIA_GIF,  6,  1, 3, 2 },
	{ "anim-5x3.gif",		MEDIA_GIF,  6,  1, 5, 3 },
	{ "7x5.png",			MEDIA_PNG,  8,  1, 7, 5 },
	{ "9x4-baseline.jpg",		MEDIA_JPEG, 3,  1, 9, 4 },
	{ "9x4-progressive.jpg",	MEDIA_JPEG, 3,  1, 9, 4 },
	{ "9x4-exif.jpg",		MEDIA_JPEG, 3,  1, 9, 4 },
	{ "11x7-lossy.webp",		MEDIA_WEBP, 12, 1, 11, 7 },
	{ "12x6-lossless.webp",		MEDIA_WEBP, 12, 1, 12, 6 },
	{ "13x9-alpha.webp",		MEDIA_WEBP, 12, 1, 13, 9 },
	{ "anim-14x10.webp",		MEDIA_WEBP, 12, 1, 14, 10 },
	{ "16x16.mp4",			MEDIA_MP4,  8,  1, 16, 16 },
	{ "16x16-moov-at-end.mp4",	MEDIA_MP4,  8,  1, 16, 16 },
	{ "16x16.webm",			MEDIA_WEBM, 4,  1, 16, 16 },
};

static uint8_t	*load(const char *, size_t *);
static enum media_status	sniff_copy(const uint8_t *, size_t,
				    struct media_info *);
static void	put(struct build *, const void *, size_t);
static void	put_be32(struct build *, uint32_t);
static void	put_le32(struct build *, uint32_t);
static void	patch_be32(uint8_t *, uint32_t);
static uint32_t	crc32_png(const uint8_t *, size_t);
static void	png_set_ihdr(uint8_t *, uint32_t, uint32_t);
static size_t	find(const uint8_t *, size_t, const void *, size_t);
static void	check_refused(const char *, size_t, enum media_status);
static void	gif_min(struct build *, uint16_t, uint16_t);
static size_t	mp4_box_open(struct build *, const char *);
static void	mp4_box_close(struct build *, size_t);
static void	mp4_build(struct build *, const char *, int, const char *,
		    int);

static void	test_samples(void **);
static void	test_truncations(void **);
static void	test_not_media(void **);
static void	test_short_input(void **);
static void	test_gif_headers(void **);
static void	test_gif_huge(void **);
static void	test_polyglot(void **);
static void	test_png_headers(void **);
static void	test_jpeg_segments(void **);
static void	test_webp_chunks(void **);
static void	test_mp4_brands(void **);
static void	test_mp4_boxes(void **);
static void	test_webm_elements(void **);
static void	test_mutations(void **);
static void	test_mime_names(void **);
static void	test_dimensions_sane(void **);

static uint8_t *
load(const char *name, size_t *len)
{
	char		 path[256];
	FILE		*fp;
	uint8_t		*buf;
	size_t		 n;

	snprintf(path, sizeof(path), "%s%s", SAMPLE_DIR, name);
	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s (run from tests/unit)", path);
	buf = malloc(SAMPLE_MAX);
	assert_non_null(buf);
	n = fread(buf, 1, SAMPLE_MAX, fp);
	assert_int_equal(ferror(fp), 0);
	assert_true(feof(fp));
	fclose(fp);
	assert_true(n > 0);

	*len = n;
	return (buf);
}

/*
 * Sniff from an exact-size heap copy, so that a read one byte past the
 * end is caught by ASan/valgrind rather than landing in the caller's slack.
 */
static enum media_status
sniff_copy(const uint8_t *src, size_t len, struct media_info *mi)
{
	enum media_status	 st;
	uint8_t			*copy;

	copy = malloc(len == 0 ? 1 : len);
	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, src, len);
	st = media_sniff(copy, len, mi);
	free(copy);

	return (st);
}

static void
put(struct build *b, const void *p, size_t n)
{
	assert_true(n <= sizeof(b->data) - b->len);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void
put_be32(struct build *b, uint32_t v)
{
	uint8_t		d[4];

	patch_be32(d, v);
	put(b, d, sizeof(d));
}

static void
put_le32(struct build *b, uint32_t v)
{
	uint8_t		d[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
			    v >> 24 };

	put(b, d, sizeof(d));
}

static void
patch_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* An independent CRC so a patched IHDR fails for its values, not its CRC. */
static uint32_t
crc32_png(const uint8_t *p, size_t n)
{
	uint32_t	c = 0xffffffffU;
	size_t		i;
	int		k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0xedb88320U : c >> 1;
	}

	return (c ^ 0xffffffffU);
}

/* Set the IHDR size of a PNG (signature at png[0]) and fix its CRC. */
static void
png_set_ihdr(uint8_t *png, uint32_t width, uint32_t height)
{
	patch_be32(png + 16, width);
	patch_be32(png + 20, height);
	patch_be32(png + 29, crc32_png(png + 12, 17));
}

static size_t
find(const uint8_t *hay, size_t len, const void *needle, size_t n)
{
	const uint8_t	*p;

	p = memmem(hay, len, needle, n);
	assert_non_null(p);

	return ((size_t)(p - hay));
}

static void
check_refused(const char *text, size_t len, enum media_status want)
{
	struct media_info	mi;

	assert_int_equal(sniff_copy((const uint8_t *)text, len, &mi), want);
	if (want == MEDIA_UNSUPPORTED)
		assert_int_equal(mi.type, 0);
	assert_int_equal(mi.has_dimensions, 0);
}

/* The smallest complete GIF: one 1x1 frame on a screen of the given size. */
static void
gif_min(struct build *b, uint16_t width, uint16_t height)
{
	const uint8_t	screen[] = { width & 0xff, width >> 8,
			    height & 0xff, height >> 8, 0x00, 0x00, 0x00 };
	const uint8_t	image[] = { 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0x00,
			    0x02, 0x02, 0x44, 0x01, 0x00, 0x3b };

	b->len = 0;
	put(b, "GIF89a", 6);
	put(b, screen, sizeof(screen));
	put(b, image, sizeof(image));
}

static size_t
mp4_box_open(struct build *b, const char *type)
{
	size_t		at = b->len;

	put_be32(b, 0);
	put(b, type, 4);

	return (at);
}

static void
mp4_box_close(struct build *b, size_t at)
{
	patch_be32(b->data + at, (uint32_t)(b->len - at));
}

/*
 * A minimal MP4: ftyp(brand), moov/trak/{tkhd, mdia/hdlr(handler)}, and
 * an mdat that uses a 64-bit size when large is set. tkhd_version 0 or 1
 * moves the width/height fields; the track is 320x240.
 */
static void
mp4_build(struct build *b, const char *brand, int tkhd_version,
    const char *handler, int large)
{
	uint8_t		zero[96] = { 0 };
	size_t		moov, trak, tkhd, mdia, hdlr, off;
	uint8_t		dims[8] = { 0x01, 0x40, 0, 0, 0x00, 0xf0, 0, 0 };

	b->len = 0;
	put_be32(b, 20);
	put(b, "ftyp", 4);
	put(b, brand, 4);
	put_be32(b, 0);
	put(b, brand, 4);

	moov = mp4_box_open(b, "moov");
	trak = mp4_box_open(b, "trak");
	tkhd = mp4_box_open(b, "tkhd");
	off = tkhd_version == 0 ? 76 : 88;
	put(b, zero, off);
	b->data[tkhd + 8] = (uint8_t)tkhd_version;
	put(b, dims, sizeof(dims));
	mp4_box_close(b, tkhd);
	mdia = mp4_box_open(b, "mdia");
	hdlr = mp4_box_open(b, "hdlr");
	put(b, zero, 8);
	put(b, handler, 4);
	put(b, zero, 13);
	mp4_box_close(b, hdlr);
	mp4_box_close(b, mdia);
	mp4_box_close(b, trak);
	mp4_box_close(b, moov);

	if (large) {
		put_be32(b, 1);
		put(b, "mdat", 4);
		put_be32(b, 0);
		put_be32(b, 16 + 4);
	} else {
		put_be32(b, 8 + 4);
		put(b, "mdat", 4);
	}
	put(b, "data", 4);
}

static void
test_samples(void **state)
{
	struct media_info	 mi;
	uint8_t			*buf;
	size_t			 i, len;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		buf = load(samples[i].file, &len);
		memset(&mi, 0xa5, sizeof(mi));
		if (sniff_copy(buf, len, &mi) != MEDIA_OK)
			fail_msg("%s: not recognised", samples[i].file);
		assert_int_equal(mi.type, samples[i].type);
		assert_int_equal(mi.has_dimensions, samples[i].has_dims);
		assert_int_equal(mi.width, samples[i].width);
		assert_int_equal(mi.height, samples[i].height);
		assert_true(media_dimensions_sane(&mi));
		free(buf);
	}
}

/*
 * Every proper prefix of every sample is refused: too short to carry the
 * magic is not ours; from the magic on it is ours but cut short.
 */
static void
test_truncations(void **state)
{
	struct media_info	 mi;
	enum media_status	 st;
	uint8_t			*buf;
	size_t			 i, n, len;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		buf = load(samples[i].file, &len);
		for (n = 0; n < len; n++) {
			st = sniff_copy(buf, n, &mi);
			if (n < samples[i].magic_len) {
				if (st != MEDIA_UNSUPPORTED)
					fail_msg("%s[0..%zu): %d",
					    samples[i].file, n, st);
				assert_int_equal(mi.type, 0);
			} else {
				if (st != MEDIA_MALFORMED)
					fail_msg("%s[0..%zu): %d",
					    samples[i].file, n, st);
				assert_int_equal(mi.type, samples[i].type);
			}
			assert_int_equal(mi.has_dimensions, 0);
			assert_int_equal(mi.width, 0);
			assert_int_equal(mi.height, 0);
		}
		free(buf);
	}
}

static void
test_not_media(void **state)
{
	static const struct {
		const char	*bytes;
		size_t		 len;
	} texts[] = {
#define TEXT(s)	{ s, sizeof(s) - 1 }
		TEXT("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" "
		    "height=\"10\"><script>alert(1)</script></svg>"),
		TEXT("<?xml version=\"1.0\"?>\n<svg xmlns="
		    "\"http://www.w3.org/2000/svg\"/>"),
		TEXT("<!DOCTYPE html><html><body><img src=x onerror=alert(1)>"),
		TEXT("<html><head><title>GIF89a</title></head></html>"),
		TEXT("hello, this is plain text and not a picture\n"),
		TEXT("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
		TEXT("PK\x03\x04\x14\x00\x00\x00\x08\x00"),
		TEXT("BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"),
		TEXT("\x00\x00\x00\x0c" "jP  \r\n\x87\n"),
		TEXT("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00"),
		TEXT("RIFF\x24\x00\x00\x00" "AVI LIST\x10\x00\x00\x00"),
		TEXT("GIF88a\x01\x00\x01\x00\x00\x00\x00;"),
		TEXT("\x89PNG\r\n\x1a\x0b\x00\x00\x00\x0dIHDR"),
		TEXT("\xff\xd8\xfe\x00\x10"),
		TEXT("\x1a\x45\xdf"),
		TEXT("\x00\x00\x00\x14" "ftup" "isom"),
#undef TEXT
	};
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		check_refused(texts[i].bytes, texts[i].len, MEDIA_UNSUPPORTED);
}

static void
test_short_input(void **state)
{
	struct media_info	mi;
	static const char	firsts[] = "G\x89\xffR\x1a\x00<";
	size_t			i;

	(void)state;
	memset(&mi, 0xa5, sizeof(mi));
	assert_int_equal(media_sniff(NULL, 0, &mi), MEDIA_UNSUPPORTED);
	assert_int_equal(mi.type, 0);
	assert_int_equal(media_sniff(NULL, 100, &mi), MEDIA_UNSUPPORTED);
	assert_int_equal(media_sniff((const uint8_t *)"GIF89a", 6, NULL),
	    MEDIA_UNSUPPORTED);
	check_refused("", 0, MEDIA_UNSUPPORTED);
	for (i = 0; i < sizeof(firsts) - 1; i++)
		check_refused(firsts + i, 1, MEDIA_UNSUPPORTED);
}

static void
test_gif_headers(void **state)
{
	struct media_info	 mi;
	struct build		 b;
	uint8_t			*buf;
	size_t			 len;

	(void)state;
	buf = load("3x2.gif", &len);

	/* Zero width, then zero height, in the logical screen. */
	buf[6] = 0;
	buf[7] = 0;
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_MALFORMED);
	assert_int_equal(mi.type, MEDIA_GIF);
	buf[6] = 3;
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_OK);
	buf[8] = 0;
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_MALFORMED);
	buf[8] = 2;

	/* A block type that does not exist where the first block starts. */
	assert_int_equal(buf[13 + 6], 0x21);
	buf[13 + 6] = 0x42;
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_MALFORMED);
	free(buf);

	/* A global colour table announced larger than the file. */
	gif_min(&b, 1, 1);
	b.data[10] = 0x87;
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);

	/* The trailer alone, no image. */
	b.len = 0;
	put(&b, "GIF89a\x01\x00\x01\x00\x00\x00\x00;", 14);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);

	/* The minimal GIF itself is fine. */
	gif_min(&b, 1, 1);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_OK);
	assert_int_equal(mi.width, 1);
	assert_int_equal(mi.height, 1);
}

static void
test_gif_huge(void **state)
{
	struct media_info	mi;
	struct build		b;

	(void)state;
	/* Reported faithfully; refusing it is the caller's policy. */
	gif_min(&b, 65535, 65535);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_OK);
	assert_int_equal(mi.type, MEDIA_GIF);
	assert_int_equal(mi.width, 65535);
	assert_int_equal(mi.height, 65535);
	assert_false(media_dimensions_sane(&mi));
}

/*
 * A valid GIF that also carries HTML (in a comment block, or after the
 * trailer) is a GIF: we go by the magic and structure, and the file is
 * served as image/gif with nosniff, so a browser never renders it as
 * HTML. "GIF89a" followed by HTML is claimed by the magic but broken.
 */
static void
test_polyglot(void **state)
{
	static const char	html[] = "<html><script>alert(1)</script>";
	struct media_info	mi;
	struct build		b, c;

	(void)state;
	gif_min(&b, 2, 3);
	put(&b, html, sizeof(html) - 1);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_OK);
	assert_int_equal(mi.type, MEDIA_GIF);
	assert_int_equal(mi.width, 2);

	/* The same HTML in a comment extension before the image. */
	gif_min(&b, 2, 3);
	c.len = 0;
	put(&c, b.data, 13);
	put(&c, "\x21\xfe", 2);
	put(&c, (const uint8_t[]){ sizeof(html) - 1 }, 1);
	put(&c, html, sizeof(html) - 1);
	put(&c, "", 1);
	put(&c, b.data + 13, b.len - 13);
	assert_int_equal(sniff_copy(c.data, c.len, &mi), MEDIA_OK);
	assert_int_equal(mi.type, MEDIA_GIF);

	check_refused("GIF89a<html><body>hi</body></html>", 34,
	    MEDIA_MALFORMED);
	assert_int_equal(sniff_copy((const uint8_t *)"GIF89a<html>", 12, &mi),
	    MEDIA_MALFORMED);
	assert_int_equal(mi.type, MEDIA_GIF);
}

static void
test_png_headers(void **state)
{
	static const uint8_t	 gama[] = { 0, 0, 0, 4, 'g', 'A', 'M', 'A',
				    0, 0, 0xb1, 0x8f, 0x0b, 0xfc, 0x61, 0x05 };
	struct media_info	 mi;
	struct build		 b;
	uint8_t			*buf, *work;
	size_t			 len;

	(void)state;
	buf = load("7x5.png", &len);
	work = malloc(len);
	assert_non_null(work);

	/* Our own CRC fix-up reproduces the encoder's IHDR. */
	memcpy(work, buf, len);
	png_set_ihdr(work, 7, 5);
	assert_memory_equal(work, buf, len);

	/* A chunk other than IHDR first. */
	b.len = 0;
	put(&b, buf, 8);
	put(&b, gama, sizeof(gama));
	put(&b, buf + 8, len - 8);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);
	assert_int_equal(mi.type, MEDIA_PNG);

	/* IHDR renamed, with valid letters. */
	memcpy(work, buf, len);
	work[15] = 'X';
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_MALFORMED);

	/* A broken IHDR CRC. */
	memcpy(work, buf, len);
	work[29] ^= 0x01;
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_MALFORMED);

	/* Zero and out-of-range sizes, with correct CRCs. */
	memcpy(work, buf, len);
	png_set_ihdr(work, 0, 5);
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_MALFORMED);
	png_set_ihdr(work, 7, 0);
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_MALFORMED);
	png_set_ihdr(work, 0x80000000U, 5);
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_MALFORMED);

	/* The largest legal width is reported, and is not sane. */
	png_set_ihdr(work, 0x7fffffffU, 1);
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_OK);
	assert_int_equal(mi.width, 0x7fffffffU);
	assert_int_equal(mi.height, 1);
	assert_false(media_dimensions_sane(&mi));

	/* A bit depth the colour type does not allow (RGB at 4 bits). */
	memcpy(work, buf, len);
	work[24] = 4;
	work[25] = 2;
	patch_be32(work + 29, crc32_png(work + 12, 17));
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_MALFORMED);

	/* IHDR then IEND with no image data between. */
	b.len = 0;
	put(&b, buf, 8 + 25);
	put(&b, buf + len - 12, 12);
	assert_int_equal(find(b.data, b.len, "IEND", 4), 8 + 25 + 4);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);

	/* A chunk length beyond 2^31-1 after IHDR. */
	memcpy(work, buf, len);
	work[33] = 0x80;
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_MALFORMED);

	free(work);
	free(buf);
}

static void
test_jpeg_segments(void **state)
{
	static const uint8_t	 sof0[] = { 0xff, 0xc0, 0x00, 0x11 };
	static const uint8_t	 sos_only[] = {
		0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00,
		0x00, 0x3f, 0x00, 0x12, 0x34, 0xff, 0xd9
	};
	struct media_info	 mi;
	struct build		 b;
	uint8_t			*buf, *work;
	size_t			 len, sof;

	(void)state;
	buf = load("9x4-baseline.jpg", &len);
	work = malloc(len);
	assert_non_null(work);

	/* APP0's length runs past the end of the file. */
	memcpy(work, buf, len);
	assert_int_equal(work[3], 0xe0);
	work[4] = 0xff;
	work[5] = 0xff;
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_MALFORMED);
	assert_int_equal(mi.type, MEDIA_JPEG);

	/* A length shorter than its own two bytes. */
	work[4] = 0x00;
	work[5] = 0x01;
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_MALFORMED);

	/* SOF0 with zero height, then zero width, then no components. */
	sof = find(buf, len, sof0, sizeof(sof0));
	memcpy(work, buf, len);
	work[sof + 5] = 0;
	work[sof + 6] = 0;
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_MALFORMED);
	memcpy(work, buf, len);
	work[sof + 7] = 0;
	work[sof + 8] = 0;
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_MALFORMED);
	memcpy(work, buf, len);
	work[sof + 9] = 0;
	assert_int_equal(sniff_copy(work, len, &mi), MEDIA_MALFORMED);

	/* A scan with no frame header before it. */
	assert_int_equal(sniff_copy(sos_only, sizeof(sos_only), &mi),
	    MEDIA_MALFORMED);

	/* SOI then EOI: nothing in between. */
	check_refused("\xff\xd8\xff\xd9", 4, MEDIA_MALFORMED);

	/* Fill bytes before a marker are allowed, and change nothing. */
	b.len = 0;
	put(&b, buf, sof);
	put(&b, "\xff\xff\xff", 3);
	put(&b, buf + sof, len - sof);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_OK);
	assert_int_equal(mi.width, 9);
	assert_int_equal(mi.height, 4);

	/* Stray bytes between segments are not. */
	b.len = 0;
	put(&b, buf, sof);
	put(&b, "\x00", 1);
	put(&b, buf + sof, len - sof);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);

	/* Two frame headers. */
	b.len = 0;
	put(&b, buf, sof);
	put(&b, buf + sof, 19);
	put(&b, buf + sof, len - sof);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);

	/* Data after EOI (trailing junk) does not matter. */
	b.len = 0;
	put(&b, buf, len);
	put(&b, "trailing", 8);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_OK);

	free(work);
	free(buf);
}

static void
test_webp_chunks(void **state)
{
	static const uint8_t	 vp8l[] = { 0x2f, 0x00, 0x00, 0x00, 0x00 };
	struct media_info	 mi;
	struct build		 b;
	uint8_t			*buf;
	size_t			 len;

	(void)state;

	/* An unknown first chunk. */
	b.len = 0;
	put(&b, "RIFF", 4);
	put_le32(&b, 4 + 8 + 4);
	put(&b, "WEBPABCD", 8);
	put_le32(&b, 4);
	put(&b, "\0\0\0\0", 4);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);
	assert_int_equal(mi.type, MEDIA_WEBP);

	/* VP8X alone: a canvas but no image in it. */
	b.len = 0;
	put(&b, "RIFF", 4);
	put_le32(&b, 4 + 8 + 10);
	put(&b, "WEBPVP8X", 8);
	put_le32(&b, 10);
	put(&b, "\0\0\0\0\x0f\x00\x00\x0f\x00\x00", 10);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);

	/* A 16384x16384 canvas with a tiny VP8L image: huge but legal. */
	b.len = 0;
	put(&b, "RIFF", 4);
	put_le32(&b, 4 + 8 + 10 + 8 + 6);
	put(&b, "WEBPVP8X", 8);
	put_le32(&b, 10);
	put(&b, "\0\0\0\0\xff\x3f\x00\xff\x3f\x00", 10);
	put(&b, "VP8L", 4);
	put_le32(&b, 5);
	put(&b, vp8l, sizeof(vp8l));
	put(&b, "", 1);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_OK);
	assert_int_equal(mi.width, 16384);
	assert_int_equal(mi.height, 16384);
	assert_false(media_dimensions_sane(&mi));

	/* A canvas of 2^32 pixels or more is refused outright. */
	b.data[24] = 0xff;
	b.data[25] = 0xff;
	b.data[26] = 0xff;
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);

	/* A RIFF size beyond the end of the file. */
	buf = load("11x7-lossy.webp", &len);
	buf[4] += 2;
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_MALFORMED);
	buf[4] -= 2;

	/* VP8: a broken start code, then an inter frame. */
	assert_int_equal(buf[23], 0x9d);
	buf[23] = 0x9e;
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_MALFORMED);
	buf[23] = 0x9d;
	buf[20] |= 0x01;
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_MALFORMED);
	buf[20] &= ~0x01;
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_OK);
	free(buf);

	/* VP8L: a wrong signature byte. */
	buf = load("12x6-lossless.webp", &len);
	assert_int_equal(buf[20], 0x2f);
	buf[20] = 0x2e;
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_MALFORMED);
	free(buf);
}

static void
test_mp4_brands(void **state)
{
	static const struct {
		const char	*brand;
		int		 ok;
	} brands[] = {
		{ "isom", 1 }, { "mp42", 1 }, { "avc1", 1 }, { "M4V ", 1 },
		{ "dash", 1 }, { "iso6", 1 },
		{ "avif", 0 }, { "heic", 0 }, { "mif1", 0 }, { "qt  ", 0 },
		{ "3gp4", 0 }, { "abcd", 0 },
	};
	struct media_info	 mi;
	struct build		 b;
	uint8_t			*buf;
	size_t			 i, len;

	(void)state;
	for (i = 0; i < sizeof(brands) / sizeof(brands[0]); i++) {
		mp4_build(&b, brands[i].brand, 0, "vide", 0);
		if (brands[i].ok) {
			assert_int_equal(sniff_copy(b.data, b.len, &mi),
			    MEDIA_OK);
			assert_int_equal(mi.type, MEDIA_MP4);
		} else {
			if (sniff_copy(b.data, b.len, &mi) != MEDIA_UNSUPPORTED)
				fail_msg("brand %s accepted", brands[i].brand);
		}
	}

	/* An AVIF as encoders write it: an image brand among video ones. */
	b.len = 0;
	put_be32(&b, 32);
	put(&b, "ftypavif\0\0\0\0avifmif1miafiso8", 28);
	put(&b, "\0\0\0\x08mdat", 8);
	check_refused((const char *)b.data, b.len, MEDIA_UNSUPPORTED);

	/* Audio only: an .m4a lists isom, but has no video track. */
	buf = load("audio-only.m4a", &len);
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_UNSUPPORTED);
	assert_int_equal(mi.type, 0);
	free(buf);
	mp4_build(&b, "isom", 0, "soun", 0);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_UNSUPPORTED);
}

static void
test_mp4_boxes(void **state)
{
	struct media_info	 mi;
	struct build		 b;
	uint8_t			*buf;
	size_t			 len, at;

	(void)state;

	/* Both tkhd versions and a 64-bit mdat size. */
	mp4_build(&b, "isom", 0, "vide", 0);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_OK);
	assert_int_equal(mi.width, 320);
	assert_int_equal(mi.height, 240);
	mp4_build(&b, "isom", 1, "vide", 1);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_OK);
	assert_true(mi.has_dimensions);
	assert_int_equal(mi.width, 320);
	assert_int_equal(mi.height, 240);

	/* A 64-bit size that overflows anything. */
	at = find(b.data, b.len, "mdat", 4) - 4;
	patch_be32(b.data + at + 8, 0xffffffffU);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);

	/* An ftyp too short, not a multiple of 4, or larger than the file. */
	mp4_build(&b, "isom", 0, "vide", 0);
	patch_be32(b.data, 12);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);
	patch_be32(b.data, 18);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);
	patch_be32(b.data, 0x7ffffff0U);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);
	assert_int_equal(mi.type, MEDIA_MP4);

	/* A zero-sized tkhd size: known video, unknown dimensions. */
	mp4_build(&b, "isom", 0, "vide", 0);
	at = find(b.data, b.len, "tkhd", 4) + 4 + 76;
	memset(b.data + at, 0, 8);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_OK);
	assert_false(mi.has_dimensions);
	assert_true(media_dimensions_sane(&mi));

	/* A version 0 tkhd relabelled 1 is too short for its fields. */
	mp4_build(&b, "isom", 0, "vide", 0);
	at = find(b.data, b.len, "tkhd", 4) + 4;
	b.data[at] = 1;
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);

	/* The real file without its moov, and without its mdat. */
	buf = load("16x16.mp4", &len);
	at = find(buf, len, "moov", 4);
	memcpy(buf + at, "moof", 4);
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_MALFORMED);
	memcpy(buf + at, "moov", 4);
	at = find(buf, len, "mdat", 4);
	memcpy(buf + at, "junk", 4);
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_MALFORMED);
	memcpy(buf + at, "mdat", 4);

	/* Bytes after the last box that do not make a box. */
	b.len = 0;
	put(&b, buf, len);
	put(&b, "\0\0", 2);
	assert_int_equal(sniff_copy(b.data, b.len, &mi), MEDIA_MALFORMED);
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_OK);
	free(buf);
}

static void
test_webm_elements(void **state)
{
	static const uint8_t	 no_doctype[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0x84, 0x42, 0x86, 0x81, 0x01,
		0x18, 0x53, 0x80, 0x67, 0x80
	};
	static const uint8_t	 unknown_hdr[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0xff, 0x42, 0x82, 0x84,
		'w', 'e', 'b', 'm'
	};
	static const uint8_t	 zero_id[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0x87, 0x00, 0x82, 0x84,
		'w', 'e', 'b', 'm'
	};
	static const uint8_t	 empty_segment[] = {
		0x1a, 0x45, 0xdf, 0xa3, 0x88, 0x42, 0x82, 0x85,
		'w', 'e', 'b', 'm', 0x00, 0x18, 0x53, 0x80, 0x67, 0x80
	};
	struct media_info	 mi;
	uint8_t			*buf;
	size_t			 len, at;

	(void)state;
	/* Matroska proper, and WebM with only audio. */
	buf = load("16x16.mkv", &len);
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_UNSUPPORTED);
	free(buf);
	buf = load("audio-only.webm", &len);
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_UNSUPPORTED);
	free(buf);

	/* No DocType means the default, matroska. */
	check_refused((const char *)no_doctype, sizeof(no_doctype),
	    MEDIA_UNSUPPORTED);
	/* An EBML header of unknown size; an element ID of 0x00. */
	check_refused((const char *)unknown_hdr, sizeof(unknown_hdr),
	    MEDIA_MALFORMED);
	check_refused((const char *)zero_id, sizeof(zero_id),
	    MEDIA_MALFORMED);
	/*
	 * A NUL-padded "webm" DocType is WebM (so MALFORMED, not
	 * UNSUPPORTED), but its Segment is empty: no tracks, no clusters.
	 */
	check_refused((const char *)empty_segment, sizeof(empty_segment),
	    MEDIA_MALFORMED);

	buf = load("16x16.webm", &len);

	/* Another DocType of the same length. */
	at = find(buf, len, "webm", 4);
	buf[at + 3] = 'x';
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_UNSUPPORTED);
	buf[at + 3] = 'm';

	/*
	 * A live recording leaves the Segment size unknown (all ones): the
	 * elements inside are still walked and the file is accepted.
	 */
	at = find(buf, len, "\x18\x53\x80\x67", 4) + 4;
	assert_int_equal(buf[at], 0x01);
	memset(buf + at + 1, 0xff, 7);
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_OK);
	assert_int_equal(mi.width, 16);

	/* ... but the last element cut short is still noticed. */
	assert_int_equal(sniff_copy(buf, len - 1, &mi), MEDIA_MALFORMED);

	/* A Segment size larger than the file. */
	memset(buf + at + 1, 0x00, 7);
	buf[at + 5] = 0x10;
	assert_int_equal(sniff_copy(buf, len, &mi), MEDIA_MALFORMED);
	free(buf);
}

/*
 * Every byte of every sample set to a few values: whatever comes back,
 * nothing reads out of bounds (under ASan) and an accepted file has a
 * type and, for images, non-zero dimensions.
 */
static void
test_mutations(void **state)
{
	static const uint8_t	 values[] = { 0x00, 0x01, 0x7f, 0xff };
	struct media_info	 mi;
	enum media_status	 st;
	uint8_t			*buf, saved;
	size_t			 i, pos, v, len, accepted, refused;

	(void)state;
	accepted = 0;
	refused = 0;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		buf = load(samples[i].file, &len);
		for (pos = 0; pos < len; pos++) {
			saved = buf[pos];
			for (v = 0; v < sizeof(values); v++) {
				buf[pos] = values[v];
				st = sniff_copy(buf, len, &mi);
				assert_true(st == MEDIA_OK ||
				    st == MEDIA_UNSUPPORTED ||
				    st == MEDIA_MALFORMED);
				if (st != MEDIA_OK) {
					refused++;
					continue;
				}
				accepted++;
				assert_non_null(media_type_mime(mi.type));
				if (mi.type != MEDIA_MP4 &&
				    mi.type != MEDIA_WEBM) {
					assert_true(mi.has_dimensions);
					assert_true(mi.width > 0);
					assert_true(mi.height > 0);
				}
			}
			buf[pos] = saved;
		}
		free(buf);
	}
	/* Both outcomes happen: pixel bytes are free, header bytes are not. */
	assert_true(accepted > 0);
	assert_true(refused > 0);
}

static void
test_mime_names(void **state)
{
	static const char	*bad[] = {
		"IMAGE/GIF", "image/gif ", " image/gif", "image/svg+xml",
		"text/html", "image/jpg", "video/x-matroska", "", "image/",
	};
	static const char	*exts[] = {
		"gif", "png", "jpg", "webp", "mp4", "webm"
	};
	enum media_type		 t, got;
	size_t			 i;

	(void)state;
	for (t = MEDIA_GIF; t <= MEDIA_WEBM; t++) {
		assert_non_null(media_type_mime(t));
		assert_int_equal(media_type_from_mime(media_type_mime(t),
		    &got), 0);
		assert_int_equal(got, t);
		assert_string_equal(media_type_extension(t), exts[t - 1]);
	}
	assert_string_equal(media_type_mime(MEDIA_GIF), "image/gif");
	assert_string_equal(media_type_mime(MEDIA_JPEG), "image/jpeg");
	assert_string_equal(media_type_mime(MEDIA_WEBP), "image/webp");
	assert_string_equal(media_type_mime(MEDIA_MP4), "video/mp4");
	assert_string_equal(media_type_mime(MEDIA_WEBM), "video/webm");
	assert_null(media_type_mime(0));
	assert_null(media_type_mime(MEDIA_WEBM + 1));
	assert_null(media_type_extension(0));

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		got = MEDIA_PNG;
		assert_int_equal(media_type_from_mime(bad[i], &got), -1);
		assert_int_equal(got, MEDIA_PNG);
	}
	assert_int_equal(media_type_from_mime(NULL, &got), -1);
	assert_int_equal(media_type_from_mime("image/gif", NULL), -1);
}

static void
test_dimensions_sane(void **state)
{
	struct media_info	mi;

	(void)state;
	assert_false(media_dimensions_sane(NULL));

	memset(&mi, 0, sizeof(mi));
	mi.type = MEDIA_WEBM;
	assert_true(media_dimensions_sane(&mi));

	mi.type = MEDIA_PNG;
	mi.has_dimensions = 1;
	mi.width = 10000;
	mi.height = 10000;
	assert_true(media_dimensions_sane(&mi));
	mi.height = 10001;
	assert_false(media_dimensions_sane(&mi));
	mi.width = 1;
	mi.height = (uint32_t)MEDIA_MAX_PIXELS;
	assert_true(media_dimensions_sane(&mi));
	mi.height++;
	assert_false(media_dimensions_sane(&mi));
	mi.width = 0xffffffffU;
	mi.height = 0xffffffffU;
	assert_false(media_dimensions_sane(&mi));
	mi.width = 0;
	mi.height = 1;
	assert_false(media_dimensions_sane(&mi));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_not_media),
		cmocka_unit_test(test_short_input),
		cmocka_unit_test(test_gif_headers),
		cmocka_unit_test(test_gif_huge),
		cmocka_unit_test(test_polyglot),
		cmocka_unit_test(test_png_headers),
		cmocka_unit_test(test_jpeg_segments),
		cmocka_unit_test(test_webp_chunks),
		cmocka_unit_test(test_mp4_brands),
		cmocka_unit_test(test_mp4_boxes),
		cmocka_unit_test(test_webm_elements),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_mime_names),
		cmocka_unit_test(test_dimensions_sane),
	};

	return (cmocka_run_group_tests_name("media", tests, NULL, NULL));
}
