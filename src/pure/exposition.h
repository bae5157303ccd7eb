/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * A writer of Prometheus' text exposition format, version 0.0.4
 * (exposition.c). Pure: no Kore.
 *
 * Errors are sticky, as json_out's are: write a whole scrape, then look
 * at expo_failed() once. A metric or label name outside the format's
 * grammar is an error, not something quietly mended; label values and
 * help text are escaped as the format wants.
 */

#ifndef REACTBIN_EXPOSITION_H
#define REACTBIN_EXPOSITION_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* What a scrape's Content-Type says. */
#define EXPO_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* Longest metric name, with a histogram's suffix, the writer takes. */
#define EXPO_NAME_MAX		128

/* Labels one sample may have, besides a histogram bucket's "le". */
#define EXPO_LABELS_MAX		4

enum expo_type {
	EXPO_COUNTER,
	EXPO_GAUGE,
	EXPO_HISTOGRAM,
};

struct expo_label {
	const char	*name;
	const char	*value;
};

/* The text goes into out (buf.h), at most the limit given to expo_init. */
struct expo {
	struct buf	out;
	int		failed;		/* a name or value refused */
};

void	expo_init(struct expo *, size_t);
void	expo_free(struct expo *);
int	expo_failed(const struct expo *);

/* The text (malloc'd, the caller's) and its length; -1 if it failed. */
int	expo_finish(struct expo *, char **, size_t *);

/* # HELP and # TYPE: once per metric, before its samples. */
void	expo_family(struct expo *, const char *, enum expo_type,
	    const char *);

/* One sample: an integer, or a count of microseconds shown in seconds. */
void	expo_sample(struct expo *, const char *, const struct expo_label *,
	    size_t, uint64_t);
void	expo_sample_us(struct expo *, const char *,
	    const struct expo_label *, size_t, uint64_t);

/*
 * A histogram's samples: name_bucket for each bound (bounds_us, in
 * microseconds, rising) and +Inf, cumulative, from counts (nbounds + 1
 * of them, each bucket's own), then name_sum (sum_us) and name_count.
 */
void	expo_histogram(struct expo *, const char *,
	    const struct expo_label *, size_t, const uint64_t *,
	    const uint64_t *, size_t, uint64_t);

/* Decimal seconds of a count of microseconds, without trailing zeros. */
int	expo_seconds_text(uint64_t, char *, size_t);

#endif
