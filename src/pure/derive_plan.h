/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The arithmetic of derivatives (thumbnails, animated previews and the
 * perceptual hash), apart from any decoder so that it can be tested on
 * its own: the size a thumbnail gets, which frame of a clip stands for
 * it, which frames of an animation a preview keeps and how many it may
 * decode, and the 64-bit difference hash with its distance. Pure: no
 * Kore, no libvips, no libav.
 */

#ifndef REACTBIN_DERIVE_PLAN_H
#define REACTBIN_DERIVE_PLAN_H

#include <stddef.h>
#include <stdint.h>

/* Longest side of a thumbnail (always) and of a preview (at most). */
#define DERIVE_THUMB_SIDE		320
#define DERIVE_PREVIEW_SIDE		320

/*
 * A clip stands for itself by the frame this far in; one shorter than
 * DERIVE_SHORT_CLIP_MS (or of unknown length) by its first frame, which
 * for a short reaction clip is as good and needs no seek.
 */
#define DERIVE_STILL_PERCENT		30
#define DERIVE_SHORT_CLIP_MS		2000

/* A preview: the first seconds, at a modest rate, within a size cap. */
#define DERIVE_PREVIEW_MS		3000
#define DERIVE_PREVIEW_FPS		10
#define DERIVE_PREVIEW_FRAMES_MAX	\
	(DERIVE_PREVIEW_MS * DERIVE_PREVIEW_FPS / 1000)
#define DERIVE_PREVIEW_BYTES_MAX	(1024 * 1024)

/*
 * What decoding may cost. A still's source is at most DERIVE_PIXELS_MAX
 * pixels (the upload's own limit); a preview decodes at most
 * DERIVE_DECODE_PIXELS_MAX source pixels in all, whatever the frame
 * count, and a clip's decoder at most DERIVE_DECODE_FRAMES_MAX frames.
 */
#define DERIVE_PIXELS_MAX		(100ULL * 1000 * 1000)
#define DERIVE_DECODE_PIXELS_MAX	(256ULL * 1000 * 1000)
#define DERIVE_DECODE_FRAMES_MAX	600

/*
 * A GIF frame delay this short or absent is shown by browsers as
 * DERIVE_DELAY_DEFAULT_MS, and so it is counted here.
 */
#define DERIVE_DELAY_MIN_MS		20
#define DERIVE_DELAY_DEFAULT_MS		100

/*
 * The difference hash reads a 9x8 greyscale image: 8 x 8 comparisons. An
 * image is first shrunk (on load, where its format allows) to fit this
 * square, which makes the hash cheap enough for an upload to wait for.
 */
#define DERIVE_HASH_SOURCE		64
#define DERIVE_HASH_WIDTH		9
#define DERIVE_HASH_HEIGHT		8
#define DERIVE_HASH_BITS		64

/* Near-duplicates are within this Hamming distance by default. */
#define DERIVE_SIMILAR_DEFAULT		8
#define DERIVE_SIMILAR_DEFAULT_TEXT	"8"

/*
 * The size of w x h scaled so that its longer side is side, aspect kept
 * (each side at least 1). With upscale 0 a smaller source keeps its size.
 * Returns 0, or -1 when w or h is 0.
 */
int	derive_fit(uint32_t, uint32_t, uint32_t, int, uint32_t *, uint32_t *);

/* The time, in ms, of the frame that stands for a clip of that length. */
int64_t	derive_still_time_ms(int64_t);

/* A frame delay as shown (see DERIVE_DELAY_MIN_MS). */
int	derive_delay_ms(int);

/* The length of an animation: the sum of its delays as shown. */
int64_t	derive_duration_ms(const int *, size_t);

/*
 * The frames of an animation of n frames (their delays in ms) that a
 * preview keeps: one at most every 1000 / DERIVE_PREVIEW_FPS ms of the
 * first DERIVE_PREVIEW_MS, at most max of them. Their indexes go to
 * picked (ascending) and the delays the preview shows them for to
 * out_delays. Returns how many were picked; the frames to decode are
 * those up to the last one picked.
 */
size_t	derive_pick_frames(const int *, size_t, size_t *, int *, size_t);

/*
 * The times (ms) of a clip's preview frames, every 1000 /
 * DERIVE_PREVIEW_FPS ms of the first DERIVE_PREVIEW_MS of a clip of that
 * length (a clip of unknown length, <= 0, gets the whole span), at most
 * max. Returns how many.
 */
size_t	derive_clip_times(int64_t, int64_t *, size_t);

/*
 * How many frames of frame_pixels pixels each a preview may decode when
 * it wants want of them: DERIVE_DECODE_PIXELS_MAX bounds the total.
 * 0 when not even one fits.
 */
size_t	derive_frame_budget(uint64_t, size_t);

/*
 * The difference hash of a 9x8 greyscale image (rows of 9 bytes): bit
 * 8 * row + col is set when pixel col is brighter than pixel col + 1.
 */
uint64_t	derive_dhash(const uint8_t [DERIVE_HASH_WIDTH * DERIVE_HASH_HEIGHT]);

/* The Hamming distance of two hashes, 0-64. */
int	derive_distance(uint64_t, uint64_t);

#endif
