/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for the media sniffer of a stream (media_stream.h)
 * against media_sniff() on the whole file (media.h). The input is two
 * bytes of seed for the sizes of the pieces (fuzz_util.h), then the file.
 * Checked besides memory errors:
 *  - the walk alone, fed in pieces, gives exactly media_sniff()'s status
 *    and media_info (type and dimensions);
 *  - a verdict the walk gives before the end is that same status, and
 *    stays once given;
 *  - the stream (with its look-ahead, so media_sniff() itself for inputs
 *    this short) gives the same, and refuses early only with that status.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media.h"
#include "media_stream.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SEED_LEN	2

static struct media_stream	stream;

static void	walk_check(const uint8_t *, size_t, uint32_t,
		    enum media_status, const struct media_info *);
static void	stream_check(const uint8_t *, size_t, uint32_t,
		    enum media_status, const struct media_info *);

static void
walk_check(const uint8_t *file, size_t len, uint32_t seed,
    enum media_status want, const struct media_info *want_info)
{
	struct media_walk	w;
	struct media_info	info;
	struct fuzz_pieces	fp;
	size_t			pos, n;
	int			decided;

	fuzz_pieces_init(&fp, seed);
	media_walk_init(&w);
	decided = 0;
	for (pos = 0; pos < len; pos += n) {
		n = fuzz_piece(&fp, len - pos);
		if (media_walk_feed(&w, file + pos, n)) {
			if (w.status != want)
				abort();
			decided = 1;
		} else if (decided) {
			abort();
		}
	}

	memset(&info, 0xa5, sizeof(info));
	if (media_walk_end(&w, &info) != want ||
	    memcmp(&info, want_info, sizeof(info)) != 0)
		abort();
}

static void
stream_check(const uint8_t *file, size_t len, uint32_t seed,
    enum media_status want, const struct media_info *want_info)
{
	struct media_info	info;
	struct fuzz_pieces	fp;
	enum media_type		type;
	size_t			pos, n;

	fuzz_pieces_init(&fp, seed);
	media_stream_init(&stream);
	for (pos = 0; pos < len; pos += n) {
		n = fuzz_piece(&fp, len - pos);
		if (media_stream_feed(&stream, file + pos, n) &&
		    media_stream_refusal(&stream) != want)
			abort();
	}

	/* A type once told is the one media_sniff() reports. */
	if (media_stream_type(&stream, &type) == 0 && want != MEDIA_UNSUPPORTED &&
	    type != want_info->type)
		abort();

	memset(&info, 0x5a, sizeof(info));
	if (media_stream_end(&stream, &info) != want ||
	    memcmp(&info, want_info, sizeof(info)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct media_info	want_info;
	enum media_status	want;
	const uint8_t		*file;
	size_t			 len;
	uint32_t		 seed;

	if (size < SEED_LEN)
		return (0);
	seed = (uint32_t)fuzz_be(data, SEED_LEN);
	file = data + SEED_LEN;
	len = size - SEED_LEN;

	memset(&want_info, 0, sizeof(want_info));
	want = media_sniff(len > 0 ? file : NULL, len, &want_info);

	walk_check(file, len, seed, want, &want_info);
	walk_check(file, len, 0, want, &want_info);
	stream_check(file, len, seed, want, &want_info);

	return (0);
}
