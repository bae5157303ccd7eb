/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The decoders of the derivatives as the queue runs them (derive_media.h,
 * on one thread), timed: for tests/bench/derive.sh, which runs this and
 * Debian's vipsthumbnail on the same files.
 *
 *	derive_bench still|all ROUNDS FILE...
 *
 * prints, per file, "FILE SECONDS BYTES" (the time of ROUNDS derivations
 * and the thumbnail's size); exits 1 if one fails.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "derive_media.h"

#define FILE_MAX	(64 * 1024 * 1024)
#define BUDGET_MS	60000
#define MS_PER_S	1000.0

static enum media_type	type_of(const char *);

static enum media_type
type_of(const char *path)
{
	const char	*ext;

	if ((ext = strrchr(path, '.')) == NULL)
		return (MEDIA_PNG);
	if (!strcmp(ext, ".gif"))
		return (MEDIA_GIF);
	if (!strcmp(ext, ".jpg"))
		return (MEDIA_JPEG);
	if (!strcmp(ext, ".webp"))
		return (MEDIA_WEBP);
	if (!strcmp(ext, ".mp4"))
		return (MEDIA_MP4);
	if (!strcmp(ext, ".webm"))
		return (MEDIA_WEBM);
	return (MEDIA_PNG);
}

int
main(int argc, char **argv)
{
	struct derive_result	 r;
	enum derive_mode	 mode;
	uint8_t			*buf;
	size_t			 len;
	int64_t			 t0;
	FILE			*f;
	int			 rounds, i, n;

	if (argc < 4) {
		fprintf(stderr, "usage: derive_bench still|all ROUNDS FILE...\n");
		return (2);
	}
	mode = strcmp(argv[1], "all") ? DERIVE_STILL : DERIVE_ALL;
	rounds = atoi(argv[2]);
	if (rounds < 1 || derive_init(argv[0]) == -1 ||
	    (buf = malloc(FILE_MAX)) == NULL)
		return (1);

	for (i = 3; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL)
			return (1);
		len = fread(buf, 1, FILE_MAX, f);
		fclose(f);

		t0 = derive_now_ms();
		for (n = 0; n < rounds; n++) {
			if (derive_media(buf, len, type_of(argv[i]), mode,
			    BUDGET_MS, &r) != DERIVE_OK) {
				fprintf(stderr, "%s: %s\n", argv[i], r.error);
				return (1);
			}
			if (n + 1 < rounds)
				derive_result_free(&r);
		}
		printf("%s %.3f %zu\n", argv[i],
		    (double)(derive_now_ms() - t0) / MS_PER_S, r.thumb_len);
		derive_result_free(&r);
	}

	free(buf);
	return (0);
}
