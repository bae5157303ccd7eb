/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Derivatives of clips (derive_media.h): libavformat demuxes the file
 * from memory (a custom AVIOContext, no file, no protocol), libavcodec
 * decodes its first video stream on the calling thread alone, libswscale
 * scales each frame wanted straight to its derivative's size as RGB, and
 * derive_image.c encodes those. Only the MP4 and Matroska/WebM demuxers
 * and the usual video decoders are used; frames above the pixel cap are
 * refused by the decoder itself, and the demuxer, the decoder loop and
 * the frame count all stop at the deadline or the frame budget.
 */

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include <stdlib.h>
#include <string.h>

#include "derive_media.h"
#include "derive_plan.h"

#define IO_BUFFER_SIZE		(64 * 1024)
#define RGB_BANDS		3
#define MS_PER_S		1000

/* The demuxers a clip may go through, by the type its bytes showed. */
#define DEMUX_MP4		"mp4"
#define DEMUX_WEBM		"webm"
#define DEMUX_WHITELIST		"mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"

struct memory_io {
	const uint8_t	*buf;
	size_t		 len;
	size_t		 pos;
};

struct clip {
	AVFormatContext		*fmt;
	AVIOContext		*io;
	AVCodecContext		*dec;
	AVPacket		*pkt;
	AVFrame			*frame;
	struct memory_io	 mem;
	int			 stream;
	AVRational		 tb;
	int64_t			 deadline;
	size_t			 decoded;
	int			 eof;
};

static int	io_read(void *, uint8_t *, int);
static int64_t	io_seek(void *, int64_t, int);
static int	io_interrupt(void *);
static int	codec_allowed(enum AVCodecID);
static enum derive_status	clip_open(struct clip *, const uint8_t *,
				    size_t, enum media_type,
				    struct derive_result *);
static void	clip_close(struct clip *);
static int	clip_seek(struct clip *, int64_t);
static int	clip_next_frame(struct clip *, struct derive_result *,
		    enum derive_status *);
static int64_t	clip_frame_ms(const struct clip *);
static int	clip_scale(const AVFrame *, uint32_t, uint32_t, uint8_t *);
static enum derive_status	clip_still(struct clip *, enum derive_mode,
				    struct derive_result *);
static enum derive_status	clip_preview(struct clip *,
				    struct derive_result *);

static const enum AVCodecID	allowed_codecs[] = {
	AV_CODEC_ID_H264,
	AV_CODEC_ID_HEVC,
	AV_CODEC_ID_VP8,
	AV_CODEC_ID_VP9,
	AV_CODEC_ID_AV1,
	AV_CODEC_ID_MPEG4,
};

enum derive_status
derive_clip(const uint8_t *buf, size_t len, enum media_type type,
    enum derive_mode mode, int64_t deadline, struct derive_result *out)
{
	struct clip		clip;
	enum derive_status	st;

	memset(&clip, 0, sizeof(clip));
	clip.deadline = deadline;

	if ((st = clip_open(&clip, buf, len, type, out)) != DERIVE_OK) {
		clip_close(&clip);
		return (st);
	}

	/* A preview that cannot be made leaves the thumbnail standing. */
	st = clip_still(&clip, mode, out);
	if (st == DERIVE_OK && mode == DERIVE_ALL &&
	    clip_preview(&clip, out) != DERIVE_OK)
		out->error[0] = '\0';

	clip_close(&clip);
	return (st);
}

static int
io_read(void *arg, uint8_t *dst, int size)
{
	struct memory_io	*m = arg;
	size_t			 n;

	if (m->pos >= m->len)
		return (AVERROR_EOF);

	n = m->len - m->pos;
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(dst, m->buf + m->pos, n);
	m->pos += n;

	return ((int)n);
}

static int64_t
io_seek(void *arg, int64_t offset, int whence)
{
	struct memory_io	*m = arg;
	int64_t			 to;

	switch (whence & ~AVSEEK_FORCE) {
	case AVSEEK_SIZE:
		return ((int64_t)m->len);
	case SEEK_SET:
		to = offset;
		break;
	case SEEK_CUR:
		to = (int64_t)m->pos + offset;
		break;
	case SEEK_END:
		to = (int64_t)m->len + offset;
		break;
	default:
		return (-1);
	}

	if (to < 0 || to > (int64_t)m->len)
		return (-1);
	m->pos = (size_t)to;

	return (to);
}

/* libavformat asks, in every loop that could run long: past due? */
static int
io_interrupt(void *arg)
{
	const struct clip	*clip = arg;

	return (derive_now_ms() > clip->deadline);
}

static int
codec_allowed(enum AVCodecID id)
{
	size_t	i;

	for (i = 0; i < sizeof(allowed_codecs) / sizeof(allowed_codecs[0]);
	    i++) {
		if (allowed_codecs[i] == id)
			return (1);
	}

	return (0);
}

static enum derive_status
clip_open(struct clip *clip, const uint8_t *buf, size_t len,
    enum media_type type, struct derive_result *out)
{
	const AVInputFormat	*ifmt;
	const AVCodec		*codec;
	AVDictionary		*opts;
	AVStream		*st;
	uint8_t			*iobuf;
	int			 rc;

	clip->mem.buf = buf;
	clip->mem.len = len;

	ifmt = av_find_input_format(type == MEDIA_MP4 ? DEMUX_MP4 : DEMUX_WEBM);
	if (ifmt == NULL)
		return (derive_fail(out, DERIVE_REFUSED, "reason=no_demuxer"));

	if ((iobuf = av_malloc(IO_BUFFER_SIZE)) == NULL)
		return (derive_fail(out, DERIVE_REFUSED, "reason=memory"));
	if ((clip->io = avio_alloc_context(iobuf, IO_BUFFER_SIZE, 0,
	    &clip->mem, io_read, NULL, io_seek)) == NULL) {
		av_free(iobuf);
		return (derive_fail(out, DERIVE_REFUSED, "reason=memory"));
	}

	if ((clip->fmt = avformat_alloc_context()) == NULL)
		return (derive_fail(out, DERIVE_REFUSED, "reason=memory"));
	clip->fmt->pb = clip->io;
	clip->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
	clip->fmt->interrupt_callback.callback = io_interrupt;
	clip->fmt->interrupt_callback.opaque = clip;

	opts = NULL;
	(void)av_dict_set(&opts, "format_whitelist", DEMUX_WHITELIST, 0);
	rc = avformat_open_input(&clip->fmt, NULL, ifmt, &opts);
	av_dict_free(&opts);
	if (rc < 0) {
		/* avformat_open_input() freed the context on failure. */
		clip->fmt = NULL;
		return (derive_fail(out, io_interrupt(clip) ? DERIVE_TIMEOUT :
		    DERIVE_REFUSED, "reason=demux error=%d", rc));
	}

	codec = NULL;
	clip->stream = av_find_best_stream(clip->fmt, AVMEDIA_TYPE_VIDEO, -1,
	    -1, &codec, 0);
	if (clip->stream < 0 || codec == NULL)
		return (derive_fail(out, DERIVE_REFUSED, "reason=no_video"));

	st = clip->fmt->streams[clip->stream];
	clip->tb = st->time_base;
	if (!codec_allowed(st->codecpar->codec_id))
		return (derive_fail(out, DERIVE_REFUSED,
		    "reason=codec codec=%s", avcodec_get_name(
		    st->codecpar->codec_id)));

	if (clip->fmt->duration > 0)
		out->duration_ms = clip->fmt->duration / (AV_TIME_BASE /
		    MS_PER_S);
	else if (st->duration > 0)
		out->duration_ms = av_rescale_q(st->duration, clip->tb,
		    (AVRational){ 1, MS_PER_S });

	if ((clip->dec = avcodec_alloc_context3(codec)) == NULL ||
	    avcodec_parameters_to_context(clip->dec, st->codecpar) < 0)
		return (derive_fail(out, DERIVE_REFUSED, "reason=decoder"));

	/* This thread alone, and no frame larger than the cap. */
	clip->dec->thread_count = 1;
	clip->dec->max_pixels = DERIVE_PIXELS_MAX;

	if ((rc = avcodec_open2(clip->dec, codec, NULL)) < 0)
		return (derive_fail(out, DERIVE_REFUSED,
		    "reason=decoder error=%d", rc));

	if ((clip->pkt = av_packet_alloc()) == NULL ||
	    (clip->frame = av_frame_alloc()) == NULL)
		return (derive_fail(out, DERIVE_REFUSED, "reason=memory"));

	return (DERIVE_OK);
}

static void
clip_close(struct clip *clip)
{
	av_frame_free(&clip->frame);
	av_packet_free(&clip->pkt);
	avcodec_free_context(&clip->dec);
	if (clip->fmt != NULL)
		avformat_close_input(&clip->fmt);
	if (clip->io != NULL) {
		av_freep(&clip->io->buffer);
		avio_context_free(&clip->io);
	}
}

/* To the key frame at or before ms; the decoder starts afresh. */
static int
clip_seek(struct clip *clip, int64_t ms)
{
	int64_t		ts;

	ts = av_rescale_q(ms, (AVRational){ 1, MS_PER_S }, clip->tb);
	if (av_seek_frame(clip->fmt, clip->stream, ts, AVSEEK_FLAG_BACKWARD) < 0)
		return (-1);

	avcodec_flush_buffers(clip->dec);
	clip->eof = 0;
	return (0);
}

/*
 * The next decoded frame into clip->frame: 1, or 0 at the end of the
 * stream, or -1 on an error, the deadline or the frame budget (*st says
 * which).
 */
static int
clip_next_frame(struct clip *clip, struct derive_result *out,
    enum derive_status *st)
{
	int	rc;

	for (;;) {
		if (derive_now_ms() > clip->deadline) {
			*st = derive_fail(out, DERIVE_TIMEOUT, "reason=timeout");
			return (-1);
		}

		rc = avcodec_receive_frame(clip->dec, clip->frame);
		if (rc == 0) {
			if (++clip->decoded > DERIVE_DECODE_FRAMES_MAX) {
				*st = derive_fail(out, DERIVE_REFUSED,
				    "reason=frame_budget");
				return (-1);
			}
			return (1);
		}
		if (rc == AVERROR_EOF)
			return (0);
		if (rc != AVERROR(EAGAIN)) {
			*st = derive_fail(out, DERIVE_REFUSED,
			    "reason=decode error=%d", rc);
			return (-1);
		}

		if (clip->eof)
			return (0);

		rc = av_read_frame(clip->fmt, clip->pkt);
		if (rc < 0) {
			/* The end: drain what the decoder holds. */
			clip->eof = 1;
			(void)avcodec_send_packet(clip->dec, NULL);
			continue;
		}
		if (clip->pkt->stream_index != clip->stream) {
			av_packet_unref(clip->pkt);
			continue;
		}
		rc = avcodec_send_packet(clip->dec, clip->pkt);
		av_packet_unref(clip->pkt);
		if (rc < 0 && rc != AVERROR(EAGAIN)) {
			*st = derive_fail(out, DERIVE_REFUSED,
			    "reason=decode error=%d", rc);
			return (-1);
		}
	}
}

static int64_t
clip_frame_ms(const struct clip *clip)
{
	int64_t		pts;

	pts = clip->frame->best_effort_timestamp;
	if (pts == AV_NOPTS_VALUE)
		return (0);

	return (av_rescale_q(pts, clip->tb, (AVRational){ 1, MS_PER_S }));
}

/* The frame as RGB of w x h, scaled by area (or bicubic when growing). */
static int
clip_scale(const AVFrame *frame, uint32_t w, uint32_t h, uint8_t *rgb)
{
	struct SwsContext	*sws;
	uint8_t			*dst[4] = { rgb, NULL, NULL, NULL };
	int			 stride[4] = { (int)w * RGB_BANDS, 0, 0, 0 };
	int			 flags, rows;

	flags = ((int)w < frame->width) ? SWS_AREA : SWS_BICUBIC;
	if ((sws = sws_getContext(frame->width, frame->height, frame->format,
	    (int)w, (int)h, AV_PIX_FMT_RGB24, flags, NULL, NULL, NULL)) == NULL)
		return (-1);

	rows = sws_scale(sws, (const uint8_t * const *)frame->data,
	    frame->linesize, 0, frame->height, dst, stride);
	sws_freeContext(sws);

	return (rows == (int)h ? 0 : -1);
}

/* The frame that stands for the clip: ~30 % in, or the first. */
static enum derive_status
clip_still(struct clip *clip, enum derive_mode mode, struct derive_result *out)
{
	enum derive_status	 st;
	int64_t			 want;
	uint32_t		 w, h;
	uint8_t			*rgb;
	int			 rc, have;

	want = derive_still_time_ms(out->duration_ms);
	if (want > 0 && clip_seek(clip, want) == -1)
		want = 0;

	have = 0;
	st = DERIVE_OK;
	while ((rc = clip_next_frame(clip, out, &st)) == 1) {
		have = 1;
		if (clip_frame_ms(clip) >= want)
			break;
	}
	if (rc == -1)
		return (st);

	/* A clip that ends before the time: the last frame it has. */
	if (!have)
		return (derive_fail(out, DERIVE_REFUSED, "reason=no_frame"));

	out->width = (uint32_t)clip->frame->width;
	out->height = (uint32_t)clip->frame->height;
	if (derive_fit(out->width, out->height, DERIVE_THUMB_SIDE, 1, &w,
	    &h) == -1)
		return (derive_fail(out, DERIVE_REFUSED, "reason=size"));

	if ((rgb = malloc((size_t)w * h * RGB_BANDS)) == NULL)
		return (derive_fail(out, DERIVE_REFUSED, "reason=memory"));
	if (clip_scale(clip->frame, w, h, rgb) == -1) {
		free(rgb);
		return (derive_fail(out, DERIVE_REFUSED, "reason=scale"));
	}

	st = derive_encode_still(rgb, w, h, mode, clip->deadline, out);
	free(rgb);
	return (st);
}

/* The first seconds at DERIVE_PREVIEW_FPS, scaled as they decode. */
static enum derive_status
clip_preview(struct clip *clip, struct derive_result *out)
{
	int64_t			 times[DERIVE_PREVIEW_FRAMES_MAX];
	int			 delays[DERIVE_PREVIEW_FRAMES_MAX];
	enum derive_status	 st;
	size_t			 slots, slot, filled, frame_bytes;
	uint32_t		 w, h;
	uint8_t			*strip;
	int			 rc;

	slots = derive_clip_times(out->duration_ms, times,
	    DERIVE_PREVIEW_FRAMES_MAX);
	if (slots < 2 || derive_fit(out->width, out->height,
	    DERIVE_PREVIEW_SIDE, 0, &w, &h) == -1)
		return (DERIVE_OK);

	if (clip_seek(clip, 0) == -1)
		return (DERIVE_OK);

	frame_bytes = (size_t)w * h * RGB_BANDS;
	if ((strip = malloc(frame_bytes * slots)) == NULL)
		return (DERIVE_OK);

	filled = 0;
	st = DERIVE_OK;
	slot = 0;
	while (slot < slots && (rc = clip_next_frame(clip, out, &st)) == 1) {
		if (clip_frame_ms(clip) < times[slot])
			continue;
		/* A frame of another size mid-stream is not ours to mix. */
		if ((uint32_t)clip->frame->width != out->width ||
		    (uint32_t)clip->frame->height != out->height)
			break;
		if (clip_scale(clip->frame, w, h, strip +
		    filled * frame_bytes) == -1)
			break;
		delays[filled] = (int)(MS_PER_S / DERIVE_PREVIEW_FPS);
		/* A slow clip's frame is shown for every slot it covers. */
		while (slot + 1 < slots && times[slot + 1] <= clip_frame_ms(clip)) {
			delays[filled] += (int)(MS_PER_S / DERIVE_PREVIEW_FPS);
			slot++;
		}
		slot++;
		filled++;
	}

	/* The thumbnail stands; a preview cut short is no preview. */
	if (st != DERIVE_OK || filled < 2) {
		free(strip);
		out->error[0] = '\0';
		return (DERIVE_OK);
	}

	st = derive_encode_preview(strip, w, h, filled, delays, clip->deadline,
	    out);
	free(strip);
	return (st);
}
