/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for an upload's body read as it arrives (intake.h)
 * and the rules of its fields and faults (upload_form.h). The input is
 * two bytes of seed for the sizes of the pieces (fuzz_util.h), a byte
 * that picks MAX_UPLOAD_BYTES, a query string line, a Content-Type line,
 * then the body. Checked besides memory errors:
 *  - the body in random pieces gives what it gives in one piece: the same
 *    answer (status, code, field, message), and when accepted the same
 *    title, tags, hash, type and dimensions and the same file bytes; when
 *    refused, the bytes handed on are a start of the file;
 *  - for a body form.c reads to its close delimiter (or a raw one), the
 *    same as a reading by form.c's whole-body reader with the same rules,
 *    media_sniff() for the verdict and EVP for the hash;
 *  - an accepted upload's file is at most the limit, its tags a tag set,
 *    its title valid.
 */

#include <openssl/evp.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "form.h"
#include "intake.h"
#include "tags.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SEED_LEN	2

struct bytes {
	uint8_t	*data;
	size_t	 len;
};

/* What one reading gave. */
struct reading {
	int			accepted;
	struct upload_fault	fault;
	struct bytes		file;
	char			title[UPLOAD_TITLE_BYTES_MAX + 1];
	struct tag_set		tags;
	char			sha256[INTAKE_SHA256_HEX_LEN + 1];
	struct media_info	info;
};

static const uint64_t	limits[] = { 0, 1, 16, 100, 1000, 70000, 1u << 30 };

static struct intake		in;
static struct upload_form	ref;
static struct media_stream	ref_media;

static void	on_file(void *, const uint8_t *, size_t);
static void	stream_read(const char *, const char *, const uint8_t *,
		    size_t, uint64_t, uint32_t, int, struct reading *);
static int	whole_read(const char *, const char *, const uint8_t *,
		    size_t, uint64_t, struct reading *);
static void	ref_file(const uint8_t *, size_t, int, uint64_t,
		    struct reading *);
static void	same(const struct reading *, const struct reading *);
static void	same_fault(const struct upload_fault *,
		    const struct upload_fault *);
static int	str_same(const char *, const char *);

static void
on_file(void *arg, const uint8_t *p, size_t n)
{
	struct bytes	*b = arg;

	b->data = realloc(b->data, b->len + n + 1);
	if (b->data == NULL)
		abort();
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* The intake, in pieces (or in one, when whole is set). */
static void
stream_read(const char *qs, const char *ct, const uint8_t *body, size_t len,
    uint64_t max, uint32_t seed, int whole, struct reading *r)
{
	struct intake_args	args;
	struct fuzz_pieces	fp;
	enum intake_status	st;
	size_t			pos, n;

	memset(r, 0, sizeof(*r));
	memset(&args, 0, sizeof(args));
	args.content_type = ct;
	args.query = qs;
	args.body_len = len;
	args.max_file = max;
	args.on_file = on_file;
	args.arg = &r->file;

	if (intake_init(&in, &args, &st) == -1)
		abort();
	fuzz_pieces_init(&fp, seed);
	for (pos = 0; st == INTAKE_MORE && pos < len; pos += n) {
		n = whole ? len - pos : fuzz_piece(&fp, len - pos);
		st = intake_feed(&in, body + pos, n);
	}
	if (st == INTAKE_MORE)
		(void)intake_end(&in, NULL);

	r->accepted = (intake_verdict(&in, &r->fault) == 0);
	if (r->accepted) {
		memcpy(r->title, in.form.title, sizeof(r->title));
		r->tags = in.form.tags;
		memcpy(r->sha256, in.sha256, sizeof(r->sha256));
		r->info = in.info;
	}
	intake_free(&in);
}

/*
 * The same rules over form.c's parts. Returns 0 when the body is one
 * form.c reads to its end (or a raw one), -1 when the comparison does
 * not hold: a body cut short may be refused by the stream before the
 * cut, for a reason the whole reader never gets to.
 */
static int
whole_read(const char *qs, const char *ct, const uint8_t *body, size_t len,
    uint64_t max, struct reading *r)
{
	struct form_reader	reader;
	struct form_part	part;
	enum form_status	st;
	char			boundary[FORM_BOUNDARY_MAX + 1];

	memset(r, 0, sizeof(*r));
	st = FORM_END;
	upload_form_init(&ref, max);
	upload_form_query(&ref, qs);

	switch (form_content_type(ct, ct != NULL ? strlen(ct) : 0, boundary)) {
	case FORM_BAD_MULTIPART:
		upload_form_bad_boundary(&ref);
		upload_form_fields_done(&ref);
		break;
	case FORM_RAW:
		upload_form_raw(&ref, len);
		upload_form_fields_done(&ref);
		if (!upload_form_stopped(&ref) &&
		    upload_form_verdict(&ref, &r->fault) == 0)
			ref_file(body, len, 1, len, r);
		break;
	case FORM_MULTIPART:
	default:
		form_reader_init(&reader, body, len, boundary);
		while (!upload_form_stopped(&ref) &&
		    (st = form_next_part(&reader, &part)) == FORM_ITEM) {
			if (upload_form_part_begin(&ref, &part) ==
			    UPLOAD_PART_FILE)
				ref_file(part.data, part.len, 0, len,
				    r);
			else
				upload_form_field_data(&ref, part.data,
				    part.len);
			if (!upload_form_stopped(&ref))
				upload_form_part_end(&ref);
		}
		if (!upload_form_stopped(&ref) && st != FORM_END)
			return (-1);
		upload_form_fields_done(&ref);
		break;
	}

	r->accepted = (upload_form_verdict(&ref, &r->fault) == 0);
	if (r->accepted) {
		memcpy(r->title, ref.title, sizeof(r->title));
		r->tags = ref.tags;
	}
	return (0);
}

/* The file's bytes: the limit, the media, the hash, as intake.c does. */
static void
ref_file(const uint8_t *p, size_t n, int raw, uint64_t body_len,
    struct reading *r)
{
	uint8_t			md[EVP_MAX_MD_SIZE];
	unsigned int		mdlen;
	enum media_status	ms;
	size_t			k;
	int			refused;

	k = n;
	if (!raw && n > ref.max_file)
		k = (size_t)ref.max_file;

	media_stream_init(&ref_media);
	refused = 0;
	if (k > 0) {
		if (!raw)
			(void)upload_form_file_data(&ref, k);
		refused = media_stream_feed(&ref_media, p, k);
	}
	/* A file that may pass the limit is judged by its size first. */
	if (refused && (raw || body_len <= ref.max_file)) {
		upload_form_media(&ref, media_stream_refusal(&ref_media), NULL);
		return;
	}
	if (k < n) {
		(void)upload_form_file_data(&ref, n - k);
		return;
	}
	if (refused) {
		upload_form_media(&ref, media_stream_refusal(&ref_media), NULL);
		return;
	}

	on_file(&r->file, p, n);
	if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1)
		abort();
	(void)enc_hex_encode(md, mdlen, r->sha256);
	if (n == 0)
		return;
	ms = media_stream_end(&ref_media, &r->info);
	upload_form_media(&ref, ms, &r->info);
}

static int
str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

static void
same_fault(const struct upload_fault *a, const struct upload_fault *b)
{
	if (a->status != b->status || !str_same(a->code, b->code) ||
	    !str_same(a->field, b->field) || !str_same(a->message, b->message))
		abort();
}

static void
same(const struct reading *a, const struct reading *b)
{
	if (a->accepted != b->accepted)
		abort();
	if (!a->accepted) {
		same_fault(&a->fault, &b->fault);
		return;
	}
	if (strcmp(a->title, b->title) != 0 ||
	    memcmp(&a->tags, &b->tags, sizeof(a->tags)) != 0 ||
	    strcmp(a->sha256, b->sha256) != 0 ||
	    memcmp(&a->info, &b->info, sizeof(a->info)) != 0 ||
	    a->file.len != b->file.len ||
	    (a->file.len > 0 && memcmp(a->file.data, b->file.data,
	    a->file.len) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reading	 one, pieces, whole;
	const uint8_t	*rest;
	char		*qs, *ct;
	size_t		 rest_len;
	uint64_t	 max;
	uint32_t	 seed;

	if (size < SEED_LEN + 1)
		return (0);
	seed = (uint32_t)fuzz_be(data, SEED_LEN);
	max = limits[data[SEED_LEN] % (sizeof(limits) / sizeof(limits[0]))];
	rest = data + SEED_LEN + 1;
	rest_len = size - SEED_LEN - 1;

	qs = fuzz_line(&rest, &rest_len, 0);
	ct = fuzz_line(&rest, &rest_len, 0);
	if (rest == NULL) {
		rest = (const uint8_t *)"";
		rest_len = 0;
	}

	stream_read(qs[0] != '\0' ? qs : NULL, ct[0] != '\0' ? ct : NULL,
	    rest, rest_len, max, seed, 1, &one);
	stream_read(qs[0] != '\0' ? qs : NULL, ct[0] != '\0' ? ct : NULL,
	    rest, rest_len, max, seed, 0, &pieces);
	same(&one, &pieces);
	if (!pieces.accepted && (pieces.file.len > rest_len ||
	    (pieces.file.len > 0 && memmem(rest, rest_len, pieces.file.data,
	    pieces.file.len) == NULL)))
		abort();

	if (one.accepted) {
		if (one.file.len > max || !tag_title_valid(one.title,
		    strlen(one.title)))
			abort();
		fuzz_tag_set_check(&one.tags);
	}

	if (whole_read(qs[0] != '\0' ? qs : NULL, ct[0] != '\0' ? ct : NULL,
	    rest, rest_len, max, &whole) == 0)
		same(&one, &whole);

	free(one.file.data);
	free(pieces.file.data);
	free(whole.file.data);
	free(qs);
	free(ct);
	return (0);
}
