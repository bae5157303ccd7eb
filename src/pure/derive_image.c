/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Derivatives of images with libvips (derive_media.h; derive_media.c
 * sends each file here or to derive_clip.c): shrink-on-load
 * thumbnails of GIF, PNG, JPEG and WebP, animated previews of animated
 * GIF and WebP, the difference hash, and the encoding of the frames
 * derive_clip.c decodes. Every pipeline is lazy until its WebP is written,
 * and a pipeline past its deadline is killed from libvips' own progress
 * signal.
 */

#include <vips/vips.h>
#include <vips/vector.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "derive_media.h"
#include "derive_plan.h"

#define THUMB_QUALITY		80
#define PREVIEW_QUALITY		60
#define PREVIEW_QUALITY_LOW	35
#define WEBP_EFFORT		2
#define OPTION_MAX		64
#define RGB_BANDS		3
#define WHITE			255.0
#define MS_PER_S		1000
#define NS_PER_MS		1000000

/* A preview over its size cap is tried once more with every other frame. */
#define PREVIEW_TRIES		2

struct deadline {
	int64_t		at;
	int		hit;
};

static void	eval_check(VipsImage *, VipsProgress *, void *);
static void	watch(VipsImage *, struct deadline *);
static enum derive_status	image_preview(const uint8_t *, size_t,
				    VipsImage *, int64_t,
				    struct derive_result *);
static enum derive_status	save_thumb(VipsImage *, int, int64_t,
				    struct derive_result *);
static enum derive_status	save_preview(VipsImage *, int, size_t,
				    const int *, int64_t,
				    struct derive_result *);
static int	image_hash(VipsImage *, uint64_t *);
static int	image_hash_buffer(const uint8_t *, size_t, uint64_t *);
static enum derive_status	vips_fail(struct derive_result *,
				    const struct deadline *, const char *);

void
derive_result_free(struct derive_result *r)
{
	g_free(r->thumb);
	g_free(r->preview);
	r->thumb = NULL;
	r->preview = NULL;
}

int64_t
derive_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * MS_PER_S + ts.tv_nsec / NS_PER_MS);
}

enum derive_status
derive_fail(struct derive_result *r, enum derive_status status,
    const char *fmt, ...)
{
	va_list		ap;

	if (r->error[0] == '\0') {
		va_start(ap, fmt);
		(void)vsnprintf(r->error, sizeof(r->error), fmt, ap);
		va_end(ap);
	}

	return (status);
}

/* Decoded RGB of w x h: the thumbnail (longest side 320) and its hash. */
enum derive_status
derive_encode_still(const uint8_t *rgb, uint32_t w, uint32_t h,
    enum derive_mode mode, int64_t deadline, struct derive_result *out)
{
	VipsImage		*in, *img, *thumb;
	enum derive_status	 st;

	if ((in = vips_image_new_from_memory(rgb, (size_t)w * h * RGB_BANDS,
	    (int)w, (int)h, RGB_BANDS, VIPS_FORMAT_UCHAR)) == NULL)
		return (vips_fail(out, NULL, "reason=frame"));

	if (vips_copy(in, &img, "interpretation", VIPS_INTERPRETATION_sRGB,
	    NULL) != 0) {
		g_object_unref(in);
		return (vips_fail(out, NULL, "reason=frame"));
	}
	g_object_unref(in);

	if (vips_thumbnail_image(img, &thumb, DERIVE_THUMB_SIDE, "height",
	    DERIVE_THUMB_SIDE, "size", VIPS_SIZE_BOTH, NULL) != 0) {
		g_object_unref(img);
		return (vips_fail(out, NULL, "reason=thumbnail"));
	}
	g_object_unref(img);

	st = save_thumb(thumb, 1, deadline, out);
	g_object_unref(thumb);
	if (st == DERIVE_OK && mode == DERIVE_HASH_ONLY) {
		derive_result_free(out);
		if (!out->has_phash)
			return (vips_fail(out, NULL, "reason=hash"));
	}
	return (st);
}

/* A strip of n decoded RGB frames of w x h, each shown for delays[i]. */
enum derive_status
derive_encode_preview(const uint8_t *rgb, uint32_t w, uint32_t h, size_t n,
    const int *delays, int64_t deadline, struct derive_result *out)
{
	VipsImage		*in, *img;
	enum derive_status	 st;

	if ((in = vips_image_new_from_memory(rgb,
	    (size_t)w * h * RGB_BANDS * n, (int)w, (int)(h * n), RGB_BANDS,
	    VIPS_FORMAT_UCHAR)) == NULL)
		return (vips_fail(out, NULL, "reason=frames"));

	if (vips_copy(in, &img, "interpretation", VIPS_INTERPRETATION_sRGB,
	    NULL) != 0) {
		g_object_unref(in);
		return (vips_fail(out, NULL, "reason=frames"));
	}
	g_object_unref(in);

	st = save_preview(img, (int)h, n, delays, deadline, out);
	g_object_unref(img);
	return (st);
}

/* libvips' progress signal, as pixels are computed: past due, stop. */
static void
eval_check(VipsImage *image, VipsProgress *progress, void *arg)
{
	struct deadline	*dl = arg;

	(void)progress;

	if (derive_now_ms() > dl->at) {
		dl->hit = 1;
		vips_image_set_kill(image, TRUE);
	}
}

static void
watch(VipsImage *image, struct deadline *dl)
{
	vips_image_set_progress(image, TRUE);
	(void)g_signal_connect(image, "eval", G_CALLBACK(eval_check), dl);
}

enum derive_status
derive_image(const uint8_t *buf, size_t len, enum media_type type,
    enum derive_mode mode, int64_t deadline, struct derive_result *out)
{
	VipsImage		*in, *thumb;
	enum derive_status	 st;
	uint64_t		 pixels;
	int			*delays, ndelays, pages, page_h;
	int			 animated;

	animated = (type == MEDIA_GIF || type == MEDIA_WEBP);

	/* The header alone (every frame's for an animation): no pixels. */
	if (animated && mode != DERIVE_HASH_ONLY) {
		in = vips_image_new_from_buffer(buf, len, "", "access",
		    VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR,
		    "n", -1, NULL);
	} else {
		in = vips_image_new_from_buffer(buf, len, "", "access",
		    VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR,
		    NULL);
	}
	if (in == NULL)
		return (vips_fail(out, NULL, "reason=header"));

	pages = vips_image_get_n_pages(in);
	page_h = vips_image_get_page_height(in);
	pixels = (uint64_t)vips_image_get_width(in) * (uint64_t)page_h;
	if (pixels == 0 || pixels > DERIVE_PIXELS_MAX) {
		g_object_unref(in);
		return (derive_fail(out, DERIVE_REFUSED,
		    "reason=too_many_pixels pixels=%llu",
		    (unsigned long long)pixels));
	}
	out->width = (uint32_t)vips_image_get_width(in);
	out->height = (uint32_t)page_h;

	if (animated && pages > 1 && vips_image_get_typeof(in, "delay") != 0 &&
	    vips_image_get_array_int(in, "delay", &delays, &ndelays) == 0 &&
	    ndelays > 0)
		out->duration_ms = derive_duration_ms(delays, (size_t)ndelays);

	/*
	 * All an upload waits for: the hash, from a small copy. The queue
	 * takes it from the thumbnail instead (one decode, not two); the
	 * two differ by a bit or two at most, and an upload's is the one
	 * kept (derive.c).
	 */
	if (mode == DERIVE_HASH_ONLY) {
		g_object_unref(in);
		if (image_hash_buffer(buf, len, &out->phash) != 0)
			return (vips_fail(out, NULL, "reason=hash"));
		out->has_phash = 1;
		return (DERIVE_OK);
	}

	/* Page 0 only, shrunk while it loads where the format allows. */
	if (vips_thumbnail_buffer((void *)buf, len, &thumb, DERIVE_THUMB_SIDE,
	    "height", DERIVE_THUMB_SIDE, "size", VIPS_SIZE_BOTH,
	    "option_string", "fail_on=error", NULL) != 0) {
		g_object_unref(in);
		return (vips_fail(out, NULL, "reason=thumbnail"));
	}

	st = save_thumb(thumb, 1, deadline, out);
	g_object_unref(thumb);

	/* A preview that cannot be made leaves the thumbnail standing. */
	if (st == DERIVE_OK && mode == DERIVE_ALL && animated && pages > 1 &&
	    image_preview(buf, len, in, deadline, out) != DERIVE_OK)
		out->error[0] = '\0';

	g_object_unref(in);
	return (st);
}

/*
 * The preview of an animation: the frames derive_pick_frames() keeps of
 * the first ones, within the decoding budget, each shrunk as it loads.
 * A preview that cannot be made leaves the thumbnail standing.
 */
static enum derive_status
image_preview(const uint8_t *buf, size_t len, VipsImage *header,
    int64_t deadline, struct derive_result *out)
{
	VipsImage		*strip, *frames[DERIVE_PREVIEW_FRAMES_MAX];
	VipsImage		*joined;
	size_t			 picked[DERIVE_PREVIEW_FRAMES_MAX];
	int			 delays[DERIVE_PREVIEW_FRAMES_MAX];
	size_t			 count, decode, budget, i, made;
	enum derive_status	 st;
	char			 option[OPTION_MAX];
	int			*src_delays, nsrc, page_h;

	if (vips_image_get_array_int(header, "delay", &src_delays,
	    &nsrc) != 0 || nsrc <= 1)
		return (DERIVE_OK);

	count = derive_pick_frames(src_delays, (size_t)nsrc, picked, delays,
	    DERIVE_PREVIEW_FRAMES_MAX);

	/* Frames are decoded in order up to the last one kept. */
	budget = derive_frame_budget((uint64_t)vips_image_get_width(header) *
	    (uint64_t)vips_image_get_page_height(header),
	    count > 0 ? picked[count - 1] + 1 : 0);
	while (count > 0 && picked[count - 1] >= budget)
		count--;
	if (count < 2)
		return (DERIVE_OK);
	decode = picked[count - 1] + 1;

	(void)snprintf(option, sizeof(option), "n=%zu,fail_on=error", decode);
	if (vips_thumbnail_buffer((void *)buf, len, &strip,
	    DERIVE_PREVIEW_SIDE, "height", DERIVE_PREVIEW_SIDE, "size",
	    VIPS_SIZE_DOWN, "option_string", option, NULL) != 0)
		return (vips_fail(out, NULL, "reason=preview"));

	page_h = vips_image_get_page_height(strip);
	if (page_h <= 0 || vips_image_get_height(strip) < page_h * (int)decode) {
		g_object_unref(strip);
		return (DERIVE_OK);
	}

	made = 0;
	for (i = 0; i < count; i++) {
		if (vips_extract_area(strip, &frames[i], 0,
		    (int)picked[i] * page_h, vips_image_get_width(strip),
		    page_h, NULL) != 0)
			break;
		made++;
	}
	if (made != count || vips_arrayjoin(frames, &joined, (int)count,
	    "across", 1, NULL) != 0) {
		for (i = 0; i < made; i++)
			g_object_unref(frames[i]);
		g_object_unref(strip);
		return (vips_fail(out, NULL, "reason=preview"));
	}
	for (i = 0; i < made; i++)
		g_object_unref(frames[i]);

	st = save_preview(joined, page_h, count, delays, deadline, out);
	g_object_unref(joined);
	g_object_unref(strip);
	return (st);
}

/* Write the thumbnail, and take the hash from it when hash_it is set. */
static enum derive_status
save_thumb(VipsImage *thumb, int hash_it, int64_t deadline,
    struct derive_result *out)
{
	struct deadline	 dl;
	VipsImage	*mem;
	void		*webp;
	size_t		 len;

	dl.at = deadline;
	dl.hit = 0;

	/* Computed once: the hash and the WebP read the same pixels. */
	watch(thumb, &dl);
	if ((mem = vips_image_copy_memory(thumb)) == NULL)
		return (vips_fail(out, &dl, "reason=decode"));
	if (derive_now_ms() > deadline) {
		g_object_unref(mem);
		return (derive_fail(out, DERIVE_TIMEOUT, "reason=timeout"));
	}

	if (hash_it && image_hash(mem, &out->phash) == 0)
		out->has_phash = 1;

	if (vips_webpsave_buffer(mem, &webp, &len, "Q", THUMB_QUALITY,
	    "strip", TRUE, "effort", WEBP_EFFORT, NULL) != 0) {
		g_object_unref(mem);
		return (vips_fail(out, &dl, "reason=encode"));
	}

	out->thumb = webp;
	out->thumb_len = len;
	out->thumb_width = (uint32_t)vips_image_get_width(mem);
	out->thumb_height = (uint32_t)vips_image_get_height(mem);
	g_object_unref(mem);

	return (DERIVE_OK);
}

/*
 * Encode frames of page_h rows as an animated WebP under the size cap:
 * too large, and it is tried again with every other frame at a lower
 * quality; still too large, and there is no preview.
 */
static enum derive_status
save_preview(VipsImage *strip, int page_h, size_t count, const int *delays,
    int64_t deadline, struct derive_result *out)
{
	struct deadline	 dl;
	VipsImage	*img, *frames[DERIVE_PREVIEW_FRAMES_MAX], *joined;
	int		 d[DERIVE_PREVIEW_FRAMES_MAX];
	void		*webp;
	size_t		 len, i, n, made;
	int		 try, quality;

	if (count < 2 || count > DERIVE_PREVIEW_FRAMES_MAX)
		return (DERIVE_OK);

	dl.at = deadline;
	dl.hit = 0;

	g_object_ref(strip);
	img = strip;
	n = count;
	memcpy(d, delays, count * sizeof(d[0]));
	quality = PREVIEW_QUALITY;

	for (try = 0; try < PREVIEW_TRIES; try++) {
		if (try > 0) {
			/* Every other frame, each shown for the two. */
			made = 0;
			for (i = 0; i < n; i += 2) {
				if (vips_extract_area(strip, &frames[made], 0,
				    (int)i * page_h,
				    vips_image_get_width(strip), page_h,
				    NULL) != 0)
					break;
				d[made] = delays[i] +
				    (i + 1 < n ? delays[i + 1] : 0);
				made++;
			}
			g_object_unref(img);
			if (made < 2 || vips_arrayjoin(frames, &joined,
			    (int)made, "across", 1, NULL) != 0) {
				for (i = 0; i < made; i++)
					g_object_unref(frames[i]);
				return (DERIVE_OK);
			}
			for (i = 0; i < made; i++)
				g_object_unref(frames[i]);
			img = joined;
			n = made;
			quality = PREVIEW_QUALITY_LOW;
		}

		if (vips_copy(img, &joined, NULL) != 0) {
			g_object_unref(img);
			return (vips_fail(out, &dl, "reason=preview"));
		}
		g_object_unref(img);
		img = joined;
		vips_image_set_int(img, VIPS_META_PAGE_HEIGHT, page_h);
		vips_image_set_int(img, "loop", 0);
		vips_image_set_array_int(img, "delay", d, (int)n);

		watch(img, &dl);
		if (vips_webpsave_buffer(img, &webp, &len, "Q", quality,
		    "strip", TRUE, "effort", WEBP_EFFORT, NULL) != 0) {
			g_object_unref(img);
			return (vips_fail(out, &dl, "reason=preview"));
		}

		if (len <= DERIVE_PREVIEW_BYTES_MAX) {
			out->preview = webp;
			out->preview_len = len;
			out->preview_width = (uint32_t)vips_image_get_width(img);
			out->preview_height = (uint32_t)page_h;
			out->preview_frames = (int)n;
			g_object_unref(img);
			return (DERIVE_OK);
		}
		g_free(webp);
	}

	g_object_unref(img);
	return (DERIVE_OK);
}

/*
 * The difference hash of an image: flattened on white, grey, squeezed to
 * 9x8 whatever its aspect, then derive_dhash().
 */
static int
image_hash(VipsImage *img, uint64_t *hash)
{
	VipsImage	*t[4];
	VipsArrayDouble	*background;
	uint8_t		*grey;
	size_t		 len;
	int		 rc, i, n, flat;
	double		 white = WHITE;

	memset(t, 0, sizeof(t));
	n = 0;
	rc = -1;

	if (vips_image_hasalpha(img)) {
		/* The operation takes its own reference to the array. */
		background = vips_array_double_new(&white, 1);
		flat = vips_flatten(img, &t[n], "background", background,
		    NULL);
		vips_area_unref(VIPS_AREA(background));
		if (flat != 0)
			goto done;
		img = t[n++];
	}
	if (vips_colourspace(img, &t[n], VIPS_INTERPRETATION_B_W, NULL) != 0)
		goto done;
	img = t[n++];
	if (vips_thumbnail_image(img, &t[n], DERIVE_HASH_WIDTH, "height",
	    DERIVE_HASH_HEIGHT, "size", VIPS_SIZE_FORCE, NULL) != 0)
		goto done;
	img = t[n++];
	if (vips_cast_uchar(img, &t[n], NULL) != 0)
		goto done;
	img = t[n++];

	if (vips_image_get_width(img) != DERIVE_HASH_WIDTH ||
	    vips_image_get_height(img) != DERIVE_HASH_HEIGHT ||
	    vips_image_get_bands(img) != 1)
		goto done;

	if ((grey = vips_image_write_to_memory(img, &len)) == NULL)
		goto done;
	if (len == DERIVE_HASH_WIDTH * DERIVE_HASH_HEIGHT) {
		*hash = derive_dhash(grey);
		rc = 0;
	}
	g_free(grey);

done:
	for (i = 0; i < n; i++)
		g_object_unref(t[i]);
	return (rc);
}

/* An image's hash, from a copy shrunk to DERIVE_HASH_SOURCE as it loads. */
static int
image_hash_buffer(const uint8_t *buf, size_t len, uint64_t *hash)
{
	VipsImage	*small;
	int		 rc;

	if (vips_thumbnail_buffer((void *)buf, len, &small, DERIVE_HASH_SOURCE,
	    "height", DERIVE_HASH_SOURCE, "size", VIPS_SIZE_DOWN,
	    "option_string", "fail_on=error", NULL) != 0)
		return (-1);

	rc = image_hash(small, hash);
	g_object_unref(small);
	return (rc);
}

/* A libvips failure: its first line says why, or the deadline does. */
static enum derive_status
vips_fail(struct derive_result *out, const struct deadline *dl,
    const char *what)
{
	const char	*msg;
	size_t		 n;

	if ((dl != NULL && dl->hit) || derive_now_ms() > (dl != NULL ?
	    dl->at : INT64_MAX))
		return (derive_fail(out, DERIVE_TIMEOUT, "reason=timeout"));

	msg = vips_error_buffer();
	n = strcspn(msg, "\n\"");
	return (derive_fail(out, DERIVE_REFUSED, "%s detail=\"%.*s\"", what,
	    (int)(n > 80 ? 80 : n), msg));
}
