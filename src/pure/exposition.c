/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Prometheus' text exposition format 0.0.4, see exposition.h. The format:
 *
 *	# HELP name text        (text: \ and newline escaped)
 *	# TYPE name counter|gauge|histogram
 *	name{label="value",...} 42
 *
 * Label values escape \, " and newline. Names match
 * [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* and may not
 * begin with "__" (reserved). Values here are integers, or seconds
 * written from whole microseconds, so no float formatting is involved
 * and a sum reads back exactly.
 */

#include <stdio.h>
#include <string.h>

#include "exposition.h"

#define US_PER_S		1000000
#define US_DIGITS		6
#define DECIMAL_BASE		10

/* Room for a uint64_t in decimal, or seconds with six decimals. */
#define NUMBER_TEXT_MAX		32

#define RESERVED_PREFIX		"__"

static void	expo_put(struct expo *, const char *, size_t);
static void	expo_puts(struct expo *, const char *);
static int	expo_name_ok(const char *, int);
static void	expo_escaped(struct expo *, const char *, int);
static void	expo_line(struct expo *, const char *, const char *,
		    const struct expo_label *, size_t, const char *,
		    const char *);

void
expo_init(struct expo *e, size_t limit)
{
	memset(e, 0, sizeof(*e));
	buf_init(&e->out, limit, 0);
}

void
expo_free(struct expo *e)
{
	buf_free(&e->out);
	memset(e, 0, sizeof(*e));
}

int
expo_failed(const struct expo *e)
{
	return (e->failed || e->out.failed != BUF_OK);
}

int
expo_finish(struct expo *e, char **out, size_t *len)
{
	if (e->failed) {
		*out = NULL;
		if (len != NULL)
			*len = 0;
		expo_free(e);
		return (-1);
	}
	return (buf_finish(&e->out, out, len));
}

void
expo_family(struct expo *e, const char *name, enum expo_type type,
    const char *help)
{
	const char	*t;

	if (!expo_name_ok(name, 1)) {
		e->failed = 1;
		return;
	}

	switch (type) {
	case EXPO_COUNTER:
		t = "counter";
		break;
	case EXPO_GAUGE:
		t = "gauge";
		break;
	case EXPO_HISTOGRAM:
		t = "histogram";
		break;
	default:
		e->failed = 1;
		return;
	}

	expo_puts(e, "# HELP ");
	expo_puts(e, name);
	expo_puts(e, " ");
	expo_escaped(e, help, 0);
	expo_puts(e, "\n# TYPE ");
	expo_puts(e, name);
	expo_puts(e, " ");
	expo_puts(e, t);
	expo_puts(e, "\n");
}

void
expo_sample(struct expo *e, const char *name, const struct expo_label *labels,
    size_t nlabels, uint64_t value)
{
	char	text[NUMBER_TEXT_MAX];

	(void)snprintf(text, sizeof(text), "%llu", (unsigned long long)value);
	expo_line(e, name, NULL, labels, nlabels, NULL, text);
}

void
expo_sample_us(struct expo *e, const char *name,
    const struct expo_label *labels, size_t nlabels, uint64_t us)
{
	char	text[NUMBER_TEXT_MAX];

	if (expo_seconds_text(us, text, sizeof(text)) == -1) {
		e->failed = 1;
		return;
	}
	expo_line(e, name, NULL, labels, nlabels, NULL, text);
}

void
expo_histogram(struct expo *e, const char *name,
    const struct expo_label *labels, size_t nlabels, const uint64_t *counts,
    const uint64_t *bounds_us, size_t nbounds, uint64_t sum_us)
{
	char		le[NUMBER_TEXT_MAX], text[NUMBER_TEXT_MAX];
	uint64_t	cumulative;
	size_t		i;

	cumulative = 0;
	for (i = 0; i <= nbounds; i++) {
		if (i > 0 && i < nbounds && bounds_us[i] <= bounds_us[i - 1]) {
			e->failed = 1;
			return;
		}
		if (i == nbounds) {
			(void)snprintf(le, sizeof(le), "+Inf");
		} else if (expo_seconds_text(bounds_us[i], le,
		    sizeof(le)) == -1) {
			e->failed = 1;
			return;
		}
		cumulative += counts[i];
		(void)snprintf(text, sizeof(text), "%llu",
		    (unsigned long long)cumulative);
		expo_line(e, name, "_bucket", labels, nlabels, le, text);
	}

	if (expo_seconds_text(sum_us, text, sizeof(text)) == -1) {
		e->failed = 1;
		return;
	}
	expo_line(e, name, "_sum", labels, nlabels, NULL, text);
	(void)snprintf(text, sizeof(text), "%llu",
	    (unsigned long long)cumulative);
	expo_line(e, name, "_count", labels, nlabels, NULL, text);
}

/* 1500000 is "1.5", 5000 "0.005", 2000000 "2". */
int
expo_seconds_text(uint64_t us, char *out, size_t outlen)
{
	char		frac[US_DIGITS + 1];
	uint64_t	rest;
	int		i, n;

	rest = us % US_PER_S;
	for (i = US_DIGITS - 1; i >= 0; i--) {
		frac[i] = (char)('0' + rest % DECIMAL_BASE);
		rest /= DECIMAL_BASE;
	}
	frac[US_DIGITS] = '\0';
	for (i = US_DIGITS; i > 0 && frac[i - 1] == '0'; i--)
		frac[i - 1] = '\0';

	n = snprintf(out, outlen, "%llu%s%s",
	    (unsigned long long)(us / US_PER_S), frac[0] != '\0' ? "." : "",
	    frac);
	if (n < 0 || (size_t)n >= outlen)
		return (-1);
	return (0);
}

/* name[suffix]{labels[,le="x"]} value */
static void
expo_line(struct expo *e, const char *name, const char *suffix,
    const struct expo_label *labels, size_t nlabels, const char *le,
    const char *value)
{
	char	full[EXPO_NAME_MAX];
	size_t	i;
	int	n;

	n = snprintf(full, sizeof(full), "%s%s", name,
	    suffix != NULL ? suffix : "");
	if (n < 0 || (size_t)n >= sizeof(full) || !expo_name_ok(full, 1) ||
	    nlabels > EXPO_LABELS_MAX) {
		e->failed = 1;
		return;
	}

	expo_puts(e, full);
	if (nlabels > 0 || le != NULL)
		expo_puts(e, "{");
	for (i = 0; i < nlabels; i++) {
		if (!expo_name_ok(labels[i].name, 0) ||
		    !strcmp(labels[i].name, "le") || labels[i].value == NULL) {
			e->failed = 1;
			return;
		}
		if (i > 0)
			expo_puts(e, ",");
		expo_puts(e, labels[i].name);
		expo_puts(e, "=\"");
		expo_escaped(e, labels[i].value, 1);
		expo_puts(e, "\"");
	}
	if (le != NULL) {
		if (nlabels > 0)
			expo_puts(e, ",");
		expo_puts(e, "le=\"");
		expo_puts(e, le);
		expo_puts(e, "\"");
	}
	if (nlabels > 0 || le != NULL)
		expo_puts(e, "}");
	expo_puts(e, " ");
	expo_puts(e, value);
	expo_puts(e, "\n");
}

/*
 * A metric name (colons allowed) or a label name (no colon, not
 * reserved). Checked by hand: isalpha() would follow the locale.
 */
static int
expo_name_ok(const char *name, int metric)
{
	const char	*p;
	char		 c;

	if (name == NULL || name[0] == '\0')
		return (0);
	if (!metric && !strncmp(name, RESERVED_PREFIX,
	    sizeof(RESERVED_PREFIX) - 1))
		return (0);

	for (p = name; *p != '\0'; p++) {
		c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || (metric && c == ':'))
			continue;
		if (c >= '0' && c <= '9' && p != name)
			continue;
		return (0);
	}

	return (1);
}

/* Help text escapes \ and newline; a label value also ". */
static void
expo_escaped(struct expo *e, const char *s, int quote)
{
	const char	*p, *run;

	for (run = p = s; *p != '\0'; p++) {
		if (*p != '\\' && *p != '\n' && !(quote && *p == '"'))
			continue;
		expo_put(e, run, (size_t)(p - run));
		if (*p == '\\')
			expo_puts(e, "\\\\");
		else if (*p == '\n')
			expo_puts(e, "\\n");
		else
			expo_puts(e, "\\\"");
		run = p + 1;
	}
	expo_put(e, run, (size_t)(p - run));
}

static void
expo_puts(struct expo *e, const char *s)
{
	expo_put(e, s, strlen(s));
}

static void
expo_put(struct expo *e, const char *s, size_t len)
{
	if (e->failed)
		return;
	buf_append(&e->out, s, len);
}
