/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/* The arithmetic of derivatives: sizes, frames, budgets, the hash. */

#include "testutil.h"

#include "derive_plan.h"

struct fit_case {
	uint32_t	w, h, side;
	int		upscale;
	uint32_t	ow, oh;
};

static const struct fit_case fits[] = {
	{ 1920, 1080, 320, 1, 320, 180 },
	{ 1080, 1920, 320, 1, 180, 320 },
	{ 1000, 1000, 320, 1, 320, 320 },
	{ 480, 270, 320, 1, 320, 180 },
	{ 3, 2, 320, 1, 320, 213 },
	{ 2, 3, 320, 1, 213, 320 },
	{ 10000, 1, 320, 1, 320, 1 },		/* never 0 */
	{ 1, 10000, 320, 1, 1, 320 },
	{ 641, 479, 320, 1, 320, 239 },		/* 239.1 rounds down */
	{ 643, 481, 320, 1, 320, 239 },		/* 239.4 */
	{ 640, 481, 320, 1, 320, 241 },		/* 240.5 rounds up */
	{ 5, 3, 320, 0, 5, 3 },			/* a preview never grows */
	{ 320, 100, 320, 0, 320, 100 },
	{ 321, 100, 320, 0, 320, 100 },
	{ 4000, 3000, 320, 0, 320, 240 },
};

static void
test_fit(void **state)
{
	uint32_t	ow, oh;
	size_t		i;

	(void)state;

	for (i = 0; i < sizeof(fits) / sizeof(fits[0]); i++) {
		ow = oh = 0;
		assert_int_equal(derive_fit(fits[i].w, fits[i].h, fits[i].side,
		    fits[i].upscale, &ow, &oh), 0);
		if (ow != fits[i].ow || oh != fits[i].oh)
			fail_msg("%ux%u -> %ux%u, want %ux%u", fits[i].w,
			    fits[i].h, ow, oh, fits[i].ow, fits[i].oh);
	}

	assert_int_equal(derive_fit(0, 10, 320, 1, &ow, &oh), -1);
	assert_int_equal(derive_fit(10, 0, 320, 1, &ow, &oh), -1);
}

/* The aspect is kept within a pixel for every size up to 4000 x 4000. */
static void
test_fit_aspect(void **state)
{
	uint32_t	w, h, ow, oh;
	double		want;

	(void)state;

	for (w = 1; w <= 4000; w += 37) {
		for (h = 1; h <= 4000; h += 41) {
			assert_int_equal(derive_fit(w, h, DERIVE_THUMB_SIDE, 1,
			    &ow, &oh), 0);
			assert_int_equal(ow > oh ? ow : oh, DERIVE_THUMB_SIDE);
			if (w >= h) {
				want = (double)h * DERIVE_THUMB_SIDE / w;
				assert_true(oh >= 1 && (double)oh - want <= 1 &&
				    want - (double)oh <= 1);
			} else {
				want = (double)w * DERIVE_THUMB_SIDE / h;
				assert_true(ow >= 1 && (double)ow - want <= 1 &&
				    want - (double)ow <= 1);
			}
		}
	}
}

static void
test_still_time(void **state)
{
	(void)state;

	/* Unknown, or short: the first frame. */
	assert_int_equal(derive_still_time_ms(-1), 0);
	assert_int_equal(derive_still_time_ms(0), 0);
	assert_int_equal(derive_still_time_ms(1000), 0);
	assert_int_equal(derive_still_time_ms(DERIVE_SHORT_CLIP_MS - 1), 0);
	/* Longer: 30 % in. */
	assert_int_equal(derive_still_time_ms(DERIVE_SHORT_CLIP_MS), 600);
	assert_int_equal(derive_still_time_ms(10000), 3000);
	assert_int_equal(derive_still_time_ms(12345), 3703);
	assert_int_equal(derive_still_time_ms(3600000), 1080000);
	/* No overflow for absurd container durations. */
	assert_int_equal(derive_still_time_ms(INT64_MAX),
	    INT64_MAX / 100 * 30 + INT64_MAX % 100 * 30 / 100);
}

static void
test_delays(void **state)
{
	const int	delays[] = { 0, 10, 20, 50, 1000 };

	(void)state;

	assert_int_equal(derive_delay_ms(0), DERIVE_DELAY_DEFAULT_MS);
	assert_int_equal(derive_delay_ms(-5), DERIVE_DELAY_DEFAULT_MS);
	assert_int_equal(derive_delay_ms(19), DERIVE_DELAY_DEFAULT_MS);
	assert_int_equal(derive_delay_ms(20), 20);
	assert_int_equal(derive_duration_ms(delays, 5), 100 + 100 + 20 + 50 +
	    1000);
	assert_int_equal(derive_duration_ms(delays, 0), 0);
}

static void
test_pick_frames(void **state)
{
	size_t		picked[DERIVE_PREVIEW_FRAMES_MAX];
	int		out[DERIVE_PREVIEW_FRAMES_MAX];
	int		delays[1000];
	size_t		n, i;

	(void)state;

	/* Three frames of 100 ms: all kept, as they were. */
	for (i = 0; i < 3; i++)
		delays[i] = 100;
	n = derive_pick_frames(delays, 3, picked, out,
	    DERIVE_PREVIEW_FRAMES_MAX);
	assert_int_equal(n, 3);
	assert_int_equal(picked[0], 0);
	assert_int_equal(picked[2], 2);
	assert_int_equal(out[0], 100);
	assert_int_equal(out[2], 100);

	/* 1000 frames of 20 ms (50 fps): one in five, for 3 s only. */
	for (i = 0; i < 1000; i++)
		delays[i] = 20;
	n = derive_pick_frames(delays, 1000, picked, out,
	    DERIVE_PREVIEW_FRAMES_MAX);
	assert_int_equal(n, DERIVE_PREVIEW_FRAMES_MAX);
	for (i = 0; i < n; i++) {
		assert_int_equal(picked[i], i * 5);
		assert_int_equal(out[i], 100);
	}

	/* Slow frames of 500 ms: each kept, shown as long. */
	for (i = 0; i < 10; i++)
		delays[i] = 500;
	n = derive_pick_frames(delays, 10, picked, out,
	    DERIVE_PREVIEW_FRAMES_MAX);
	assert_int_equal(n, 6);		/* 0, 0.5, ... 2.5 s */
	for (i = 0; i < n; i++) {
		assert_int_equal(picked[i], i);
		assert_int_equal(out[i], 500);
	}

	/* Bounded by max, and the last delay by the span. */
	n = derive_pick_frames(delays, 10, picked, out, 2);
	assert_int_equal(n, 2);
	assert_int_equal(out[1], 500);
	delays[0] = 10000;
	n = derive_pick_frames(delays, 10, picked, out,
	    DERIVE_PREVIEW_FRAMES_MAX);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], DERIVE_PREVIEW_MS);

	assert_int_equal(derive_pick_frames(delays, 0, picked, out, 5), 0);
}

static void
test_clip_times(void **state)
{
	int64_t		times[DERIVE_PREVIEW_FRAMES_MAX];
	size_t		n;

	(void)state;

	n = derive_clip_times(10000, times, DERIVE_PREVIEW_FRAMES_MAX);
	assert_int_equal(n, DERIVE_PREVIEW_FRAMES_MAX);
	assert_int_equal(times[0], 0);
	assert_int_equal(times[n - 1], DERIVE_PREVIEW_MS - 100);

	n = derive_clip_times(1000, times, DERIVE_PREVIEW_FRAMES_MAX);
	assert_int_equal(n, 10);
	assert_int_equal(times[9], 900);

	n = derive_clip_times(-1, times, DERIVE_PREVIEW_FRAMES_MAX);
	assert_int_equal(n, DERIVE_PREVIEW_FRAMES_MAX);
	assert_int_equal(derive_clip_times(150, times, 5), 2);
	assert_int_equal(derive_clip_times(10000, times, 4), 4);
}

static void
test_frame_budget(void **state)
{
	(void)state;

	/* 480 x 270 frames: 30 wanted, 30 fit. */
	assert_int_equal(derive_frame_budget(480 * 270, 30), 30);
	/* 10000 x 10000 frames: only two fit in 256 M pixels. */
	assert_int_equal(derive_frame_budget(10000ULL * 10000, 30), 2);
	/* Over the whole budget: none. */
	assert_int_equal(derive_frame_budget(DERIVE_DECODE_PIXELS_MAX + 1, 30),
	    0);
	assert_int_equal(derive_frame_budget(0, 30), 0);
	/* A 50 MB GIF of 1000 frames of 1000 x 1000 pixels: 256 at most. */
	assert_int_equal(derive_frame_budget(1000ULL * 1000, 1000), 256);
}

static void
test_dhash(void **state)
{
	uint8_t		img[DERIVE_HASH_WIDTH * DERIVE_HASH_HEIGHT];
	uint64_t	a, b;
	int		x, y;

	(void)state;

	/* Brighter to the left everywhere: every bit set. */
	for (y = 0; y < DERIVE_HASH_HEIGHT; y++)
		for (x = 0; x < DERIVE_HASH_WIDTH; x++)
			img[y * DERIVE_HASH_WIDTH + x] = (uint8_t)(200 - x * 10);
	assert_true(derive_dhash(img) == UINT64_MAX);

	/* Brighter to the right, or flat: none. */
	for (y = 0; y < DERIVE_HASH_HEIGHT; y++)
		for (x = 0; x < DERIVE_HASH_WIDTH; x++)
			img[y * DERIVE_HASH_WIDTH + x] = (uint8_t)(x * 10);
	assert_true(derive_dhash(img) == 0);
	memset(img, 7, sizeof(img));
	assert_true(derive_dhash(img) == 0);

	/* One step down in row 2 between columns 3 and 4: bit 19. */
	img[2 * DERIVE_HASH_WIDTH + 3] = 9;
	assert_true(derive_dhash(img) == (uint64_t)1 << 19);
	/* The last bit is row 7's last comparison. */
	memset(img, 7, sizeof(img));
	img[7 * DERIVE_HASH_WIDTH + 7] = 9;
	assert_true(derive_dhash(img) == (uint64_t)1 << 63);

	/* A slight change of brightness keeps the hash; noise does not. */
	for (y = 0; y < DERIVE_HASH_HEIGHT; y++)
		for (x = 0; x < DERIVE_HASH_WIDTH; x++)
			img[y * DERIVE_HASH_WIDTH + x] =
			    (uint8_t)((x * 37 + y * 91) % 200);
	a = derive_dhash(img);
	for (x = 0; x < DERIVE_HASH_WIDTH * DERIVE_HASH_HEIGHT; x++)
		img[x] = (uint8_t)(img[x] + 20);
	assert_true(derive_dhash(img) == a);
	for (x = 0; x < DERIVE_HASH_WIDTH * DERIVE_HASH_HEIGHT; x++)
		img[x] = (uint8_t)((x * 7919) % 251);
	b = derive_dhash(img);
	assert_true(derive_distance(a, b) > DERIVE_SIMILAR_DEFAULT);
}

static void
test_distance(void **state)
{
	(void)state;

	assert_int_equal(derive_distance(0, 0), 0);
	assert_int_equal(derive_distance(0, UINT64_MAX), 64);
	assert_int_equal(derive_distance(0x0f, 0xf0), 8);
	assert_int_equal(derive_distance((uint64_t)1 << 63, 1), 2);
	assert_int_equal(derive_distance(0x123456789abcdef0ULL,
	    0x123456789abcdef0ULL), 0);
	assert_int_equal(derive_distance(0xffULL << 56, 0), 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_fit_aspect),
		cmocka_unit_test(test_still_time),
		cmocka_unit_test(test_delays),
		cmocka_unit_test(test_pick_frames),
		cmocka_unit_test(test_clip_times),
		cmocka_unit_test(test_frame_budget),
		cmocka_unit_test(test_dhash),
		cmocka_unit_test(test_distance),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
