/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The decoders on the real samples of data/media: every type gets its
 * WebP thumbnail (read back with libvips: longest side 320, aspect within
 * a pixel), animations and clips their animated preview, clips their
 * size and duration; broken and hostile bytes are refused, not crashed
 * on, and a budget of no time at all ends in a timeout.
 */

#include <vips/vips.h>

#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#include "derive_media.h"
#include "derive_plan.h"

#define DATA		"data/media/"
#define BUDGET_MS	20000
#define FILE_MAX	(1024 * 1024)

struct sample {
	const char	*name;
	enum media_type	 type;
	uint32_t	 width, height;
	int		 animated;
	int64_t		 duration_ms;	/* -1: a still */
};

static const struct sample samples[] = {
	{ "3x2.gif", MEDIA_GIF, 3, 2, 0, -1 },
	{ "anim-5x3.gif", MEDIA_GIF, 5, 3, 1, 300 },
	{ "7x5.png", MEDIA_PNG, 7, 5, 0, -1 },
	{ "9x4-baseline.jpg", MEDIA_JPEG, 9, 4, 0, -1 },
	{ "9x4-progressive.jpg", MEDIA_JPEG, 9, 4, 0, -1 },
	{ "11x7-lossy.webp", MEDIA_WEBP, 11, 7, 0, -1 },
	{ "12x6-lossless.webp", MEDIA_WEBP, 12, 6, 0, -1 },
	{ "13x9-alpha.webp", MEDIA_WEBP, 13, 9, 0, -1 },
	{ "anim-14x10.webp", MEDIA_WEBP, 14, 10, 1, 600 },
	{ "16x16.mp4", MEDIA_MP4, 16, 16, 1, 1000 },
	{ "16x16-moov-at-end.mp4", MEDIA_MP4, 16, 16, 1, 1000 },
	{ "16x16.webm", MEDIA_WEBM, 16, 16, 1, 1000 },
};

static uint8_t *
slurp(const char *name, size_t *len)
{
	char	 path[256];
	FILE	*f;
	uint8_t	*buf;

	(void)snprintf(path, sizeof(path), DATA "%s", name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	buf = malloc(FILE_MAX);
	assert_non_null(buf);
	*len = fread(buf, 1, FILE_MAX, f);
	fclose(f);
	return (buf);
}

/* Decode a WebP we made: its size and page count. */
static void
webp_info(const uint8_t *buf, size_t len, int *w, int *h, int *pages)
{
	VipsImage	*img;

	img = vips_image_new_from_buffer(buf, len, "n=-1", NULL);
	if (img == NULL)
		fail_msg("not a WebP: %s", vips_error_buffer());
	assert_int_equal(vips_image_get_typeof(img, "webp-version") != 0 ||
	    vips_foreign_find_load_buffer(buf, len) != NULL, 1);
	*w = vips_image_get_width(img);
	*h = vips_image_get_page_height(img);
	*pages = vips_image_get_n_pages(img);
	g_object_unref(img);
}

static void
check_aspect(uint32_t sw, uint32_t sh, int w, int h, uint32_t side)
{
	double	want;

	assert_int_equal(w > h ? w : h, side);
	if (sw >= sh) {
		want = (double)sh * side / sw;
		assert_true(h - want <= 1 && want - h <= 1);
	} else {
		want = (double)sw * side / sh;
		assert_true(w - want <= 1 && want - w <= 1);
	}
}

static void
test_samples(void **state)
{
	struct derive_result	 r;
	const struct sample	*s;
	uint8_t			*buf;
	size_t			 len, i;
	int			 w, h, pages;

	(void)state;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		s = &samples[i];
		buf = slurp(s->name, &len);
		if (derive_media(buf, len, s->type, DERIVE_ALL, BUDGET_MS,
		    &r) != DERIVE_OK)
			fail_msg("%s: %s", s->name, r.error);
		print_message("# %s: thumb %ux%u %zu B, preview %ux%u x%d "
		    "%zu B, %ux%u, %lld ms, phash %016llx\n", s->name,
		    r.thumb_width, r.thumb_height, r.thumb_len,
		    r.preview_width, r.preview_height, r.preview_frames,
		    r.preview_len, r.width, r.height,
		    (long long)r.duration_ms, (unsigned long long)r.phash);

		assert_int_equal(r.width, s->width);
		assert_int_equal(r.height, s->height);
		assert_true(r.has_phash);
		assert_non_null(r.thumb);
		webp_info(r.thumb, r.thumb_len, &w, &h, &pages);
		assert_int_equal(pages, 1);
		assert_int_equal(w, r.thumb_width);
		assert_int_equal(h, r.thumb_height);
		check_aspect(s->width, s->height, w, h, DERIVE_THUMB_SIDE);

		if (s->animated) {
			assert_non_null(r.preview);
			webp_info(r.preview, r.preview_len, &w, &h, &pages);
			/* libwebp merges frames that look the same. */
			assert_true(pages > 1);
			assert_true(pages <= r.preview_frames);
			/* Small sources are not blown up for a preview. */
			assert_int_equal(w, s->width);
			assert_int_equal(h, s->height);
			assert_true(r.preview_len <= DERIVE_PREVIEW_BYTES_MAX);
			assert_int_equal(r.duration_ms, s->duration_ms);
		} else {
			assert_null(r.preview);
			assert_int_equal(r.duration_ms, -1);
		}

		derive_result_free(&r);
		free(buf);
	}
}

/* The hash alone makes no WebP, and is (nearly) the same hash. */
static void
test_hash_only(void **state)
{
	struct derive_result	 all, only;
	uint8_t			*buf;
	size_t			 len;

	(void)state;

	buf = slurp("7x5.png", &len);
	assert_int_equal(derive_media(buf, len, MEDIA_PNG, DERIVE_ALL,
	    BUDGET_MS, &all), DERIVE_OK);
	assert_int_equal(derive_media(buf, len, MEDIA_PNG, DERIVE_HASH_ONLY,
	    BUDGET_MS, &only), DERIVE_OK);
	assert_true(only.has_phash);
	assert_null(only.thumb);
	assert_null(only.preview);
	/* From a 64 px copy rather than the thumbnail: a bit or two apart. */
	assert_true(derive_distance(only.phash, all.phash) <= 2);
	derive_result_free(&all);
	derive_result_free(&only);
	free(buf);
}

/* Truncations, garbage and a lying type: refused, one reason each. */
static void
test_refused(void **state)
{
	struct derive_result	 r;
	const struct sample	*s;
	uint8_t			*buf, junk[4096];
	size_t			 len, i;

	(void)state;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		s = &samples[i];
		buf = slurp(s->name, &len);
		/* The first 40 % of the file. */
		assert_int_not_equal(derive_media(buf, len * 4 / 10, s->type,
		    DERIVE_ALL, BUDGET_MS, &r), DERIVE_OK);
		assert_true(r.error[0] != '\0');
		assert_null(r.thumb);
		derive_result_free(&r);
		free(buf);
	}

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 7919 % 251);
	for (i = MEDIA_GIF; i <= MEDIA_WEBM; i++) {
		assert_int_equal(derive_media(junk, sizeof(junk), i,
		    DERIVE_ALL, BUDGET_MS, &r), DERIVE_REFUSED);
		derive_result_free(&r);
	}

	/* A PNG said to be a clip, and a clip said to be a JPEG. */
	buf = slurp("7x5.png", &len);
	assert_int_equal(derive_media(buf, len, MEDIA_MP4, DERIVE_ALL,
	    BUDGET_MS, &r), DERIVE_REFUSED);
	derive_result_free(&r);
	free(buf);
	buf = slurp("16x16.mp4", &len);
	assert_int_equal(derive_media(buf, len, MEDIA_JPEG, DERIVE_ALL,
	    BUDGET_MS, &r), DERIVE_REFUSED);
	derive_result_free(&r);
	free(buf);
}

/* A budget already spent ends every kind of file in a timeout. */
static void
test_budget(void **state)
{
	struct derive_result	 r;
	uint8_t			*buf;
	size_t			 len;

	(void)state;

	buf = slurp("16x16.webm", &len);
	assert_int_equal(derive_media(buf, len, MEDIA_WEBM, DERIVE_ALL, -1,
	    &r), DERIVE_TIMEOUT);
	assert_null(r.thumb);
	derive_result_free(&r);
	free(buf);

	buf = slurp("anim-5x3.gif", &len);
	assert_int_equal(derive_media(buf, len, MEDIA_GIF, DERIVE_ALL, -1,
	    &r), DERIVE_TIMEOUT);
	assert_null(r.thumb);
	derive_result_free(&r);
	free(buf);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_hash_only),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_budget),
	};

	(void)argc;

	if (derive_init(argv[0]) == -1) {
		fprintf(stderr, "derive_init failed\n");
		return (1);
	}

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
