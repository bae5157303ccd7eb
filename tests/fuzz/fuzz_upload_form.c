/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for an upload's fields and faults (upload_form.h),
 * driven by events the input spells out, in any order a body reader
 * could send them and in orders it never would. The input is a query
 * string line, then events of one byte each (the low three bits pick
 * the event, the rest its argument) with, for field data, the bytes that
 * follow. Checked besides memory errors:
 *  - a fault always has a 4xx status, a code and a message, and a field
 *    only for 422;
 *  - once the reading is to stop it stays so, and the answer is a fault;
 *  - the answer does not change when asked twice, nor when a title or
 *    tags value comes in other pieces;
 *  - an accepted upload has a file within the limit and not empty, a
 *    valid title and a sorted, unique tag set.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "upload_form.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_FILE	1000
#define EVENT_BITS	3
#define EVENT_MASK	0x07

enum event {
	EV_PART,
	EV_FIELD_DATA,
	EV_FILE_DATA,
	EV_PART_END,
	EV_MALFORMED,
	EV_MEDIA,
	EV_RAW,
	EV_BOUNDARY
};

static const char *const	names[] = {
	UPLOAD_FILE_FIELD, UPLOAD_TITLE_FIELD, UPLOAD_TAGS_FIELD, "", "x",
};

static struct upload_form	a, b;

static void	fault_check(const struct upload_form *);
static void	apply(struct upload_form *, const uint8_t **, size_t *, int);

static void
fault_check(const struct upload_form *f)
{
	struct upload_fault	out, again;
	int			r;

	r = upload_form_verdict(f, &out);
	if (upload_form_verdict(f, &again) != r ||
	    memcmp(&out, &again, sizeof(out)) != 0)
		abort();
	if (upload_form_stopped(f) && r != -1)
		abort();
	if (r == -1) {
		if (out.status < 400 || out.status > 499 || out.code == NULL ||
		    out.message == NULL || out.message[0] == '\0')
			abort();
		if ((out.field != NULL) != (out.status == 422))
			abort();
		return;
	}
	if (!f->has_file || f->file_len == 0 || f->file_len > MAX_FILE ||
	    !tag_title_valid(f->title, strlen(f->title)))
		abort();
	fuzz_tag_set_check(&f->tags);
}

/*
 * One event. Field data goes to a in one piece and to b in pieces of
 * one byte (split set), which must not change anything.
 */
static void
apply(struct upload_form *f, const uint8_t **p, size_t *len, int split)
{
	struct form_part	part;
	struct media_info	info;
	uint8_t			ev, arg;
	size_t			n, i;
	int			stopped;

	ev = (*p)[0] & EVENT_MASK;
	arg = (*p)[0] >> EVENT_BITS;
	(*p)++;
	(*len)--;
	stopped = upload_form_stopped(f);

	switch (ev) {
	case EV_PART:
		memset(&part, 0, sizeof(part));
		(void)strcpy(part.name, names[arg % (sizeof(names) /
		    sizeof(names[0]))]);
		(void)upload_form_part_begin(f, &part);
		break;
	case EV_FIELD_DATA:
		n = arg < *len ? arg : *len;
		if (split) {
			for (i = 0; i < n; i++)
				upload_form_field_data(f, *p + i, 1);
		} else {
			upload_form_field_data(f, *p, n);
		}
		*p += n;
		*len -= n;
		break;
	case EV_FILE_DATA:
		(void)upload_form_file_data(f, (size_t)arg * arg * 4);
		break;
	case EV_PART_END:
		upload_form_part_end(f);
		break;
	case EV_MALFORMED:
		upload_form_malformed(f);
		break;
	case EV_MEDIA:
		memset(&info, 0, sizeof(info));
		info.type = MEDIA_PNG;
		info.has_dimensions = arg & 1;
		info.width = (arg & 2) ? 100000 : 10;
		info.height = (arg & 4) ? 0 : 10;
		upload_form_media(f, (enum media_status)((arg >> 3) % 3),
		    &info);
		break;
	case EV_RAW:
		upload_form_raw(f, (uint64_t)arg * 50);
		break;
	case EV_BOUNDARY:
	default:
		upload_form_bad_boundary(f);
		break;
	}

	if (stopped && !upload_form_stopped(f))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct upload_fault	 fa, fb;
	const uint8_t		*pa, *pb;
	char			*qs;
	size_t			 la, lb;
	int			 ra, rb;

	pa = data;
	la = size;
	qs = fuzz_line(&pa, &la, 0);
	pb = pa;
	lb = la;

	upload_form_init(&a, MAX_FILE);
	upload_form_init(&b, MAX_FILE);
	upload_form_query(&a, qs);
	upload_form_query(&b, qs);

	while (pa != NULL && la > 0) {
		apply(&a, &pa, &la, 0);
		apply(&b, &pb, &lb, 1);
		fault_check(&a);
	}
	upload_form_fields_done(&a);
	upload_form_fields_done(&b);
	fault_check(&a);
	fault_check(&b);

	ra = upload_form_verdict(&a, &fa);
	rb = upload_form_verdict(&b, &fb);
	if (ra != rb || memcmp(&fa, &fb, sizeof(fa)) != 0 ||
	    strcmp(a.title, b.title) != 0 ||
	    memcmp(&a.tags, &b.tags, sizeof(a.tags)) != 0)
		abort();

	free(qs);
	return (0);
}
