/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The arithmetic of derivatives: sizes, frame choices, decoding budgets
 * and the difference hash (derive_plan.h).
 */

#include "derive_plan.h"

#define MS_PER_S		1000
#define PERCENT			100
#define PREVIEW_STEP_MS		(MS_PER_S / DERIVE_PREVIEW_FPS)

int
derive_fit(uint32_t w, uint32_t h, uint32_t side, int upscale,
    uint32_t *ow, uint32_t *oh)
{
	uint64_t	longer, shorter, scaled;

	if (w == 0 || h == 0 || side == 0)
		return (-1);

	longer = w > h ? w : h;
	if (!upscale && longer <= side) {
		*ow = w;
		*oh = h;
		return (0);
	}

	/* The shorter side, rounded to the nearest pixel, never 0. */
	shorter = w > h ? h : w;
	scaled = (shorter * side + longer / 2) / longer;
	if (scaled == 0)
		scaled = 1;

	if (w >= h) {
		*ow = side;
		*oh = (uint32_t)scaled;
	} else {
		*ow = (uint32_t)scaled;
		*oh = side;
	}
	return (0);
}

int64_t
derive_still_time_ms(int64_t duration_ms)
{
	if (duration_ms < DERIVE_SHORT_CLIP_MS)
		return (0);

	return (duration_ms / PERCENT * DERIVE_STILL_PERCENT +
	    duration_ms % PERCENT * DERIVE_STILL_PERCENT / PERCENT);
}

int
derive_delay_ms(int delay)
{
	if (delay < DERIVE_DELAY_MIN_MS)
		return (DERIVE_DELAY_DEFAULT_MS);

	return (delay);
}

int64_t
derive_duration_ms(const int *delays, size_t n)
{
	int64_t		total;
	size_t		i;

	total = 0;
	for (i = 0; i < n; i++)
		total += derive_delay_ms(delays[i]);

	return (total);
}

size_t
derive_pick_frames(const int *delays, size_t n, size_t *picked,
    int *out_delays, size_t max)
{
	int64_t		start, end, next, prev_start;
	size_t		i, count;

	count = 0;
	start = 0;
	next = 0;
	prev_start = 0;

	for (i = 0; i < n && count < max && start < DERIVE_PREVIEW_MS; i++) {
		end = start + derive_delay_ms(delays[i]);

		/* The frame on screen at the next sampling time is kept. */
		if (end > next) {
			if (count > 0)
				out_delays[count - 1] = (int)(start - prev_start);
			picked[count++] = i;
			prev_start = start;
			while (next < end)
				next += PREVIEW_STEP_MS;
		}
		start = end;
	}

	/*
	 * The last frame shows until the next sampling time, which is its
	 * own end or past it, within the span.
	 */
	if (count > 0) {
		if (next > DERIVE_PREVIEW_MS)
			next = DERIVE_PREVIEW_MS;
		out_delays[count - 1] = (int)(next - prev_start);
		if (out_delays[count - 1] < DERIVE_DELAY_MIN_MS)
			out_delays[count - 1] = DERIVE_DELAY_MIN_MS;
	}

	return (count);
}

size_t
derive_clip_times(int64_t duration_ms, int64_t *times, size_t max)
{
	int64_t		span, t;
	size_t		count;

	span = DERIVE_PREVIEW_MS;
	if (duration_ms > 0 && duration_ms < span)
		span = duration_ms;

	count = 0;
	for (t = 0; t < span && count < max; t += PREVIEW_STEP_MS)
		times[count++] = t;

	return (count);
}

size_t
derive_frame_budget(uint64_t frame_pixels, size_t want)
{
	uint64_t	fit;

	if (frame_pixels == 0)
		return (0);

	fit = DERIVE_DECODE_PIXELS_MAX / frame_pixels;
	if (fit < want)
		return ((size_t)fit);

	return (want);
}

uint64_t
derive_dhash(const uint8_t grey[DERIVE_HASH_WIDTH * DERIVE_HASH_HEIGHT])
{
	uint64_t	hash;
	const uint8_t	*row;
	int		 y, x, bit;

	hash = 0;
	bit = 0;
	for (y = 0; y < DERIVE_HASH_HEIGHT; y++) {
		row = grey + y * DERIVE_HASH_WIDTH;
		for (x = 0; x < DERIVE_HASH_WIDTH - 1; x++, bit++) {
			if (row[x] > row[x + 1])
				hash |= (uint64_t)1 << bit;
		}
	}

	return (hash);
}

int
derive_distance(uint64_t a, uint64_t b)
{
	return (__builtin_popcountll(a ^ b));
}
