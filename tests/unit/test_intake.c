/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for intake.c: real files in raw and multipart bodies, cut
 * into pieces of several sizes, give the same file bytes, hash, type,
 * dimensions, fields and answer; refusals come as early as the rules say
 * (the headers, the first bytes of a file none of ours, the limit) and
 * no earlier. Run from tests/unit.
 */

#include <openssl/evp.h>

#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#include "encoding.h"
#include "intake.h"

#define SAMPLE_DIR	"data/media/"
#define SAMPLE_MAX	(64 * 1024)
#define MAX_FILE	(50 * 1024 * 1024)
#define BOUNDARY	"----reactbinTestBoundary"
#define CT_MULTIPART	"multipart/form-data; boundary=" BOUNDARY
#define KORE_PIECE	8192

struct bytes {
	uint8_t	*data;
	size_t	 len;
};

/* What one run of the intake gave. */
struct outcome {
	enum intake_status	st;
	size_t			fed;	/* bytes given when it stopped */
	struct bytes		file;
	struct upload_fault	fault;
	int			accepted;
	char			title[UPLOAD_TITLE_BYTES_MAX + 1];
	size_t			ntags;
	char			sha256[INTAKE_SHA256_HEX_LEN + 1];
	struct media_info	info;
};

static struct intake	in;

static uint8_t	*load(const char *, size_t *);
static void	put(struct bytes *, const void *, size_t);
static void	put_str(struct bytes *, const char *);
static void	on_file(void *, const uint8_t *, size_t);
static void	run(const char *, const char *, const struct bytes *, uint64_t,
		    size_t, struct outcome *);
static void	outcome_free(struct outcome *);
static void	sha_hex(const uint8_t *, size_t, char *);
static void	multipart_file(struct bytes *, const char *, const uint8_t *,
		    size_t);

static uint8_t *
load(const char *name, size_t *len)
{
	char	 path[256];
	FILE	*fp;
	uint8_t	*buf;

	(void)snprintf(path, sizeof(path), "%s%s", SAMPLE_DIR, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	buf = malloc(SAMPLE_MAX);
	assert_non_null(buf);
	*len = fread(buf, 1, SAMPLE_MAX, fp);
	assert_true(*len > 0 && *len < SAMPLE_MAX);
	fclose(fp);
	return (buf);
}

static void
put(struct bytes *b, const void *p, size_t n)
{
	b->data = realloc(b->data, b->len + n + 1);
	assert_non_null(b->data);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void
put_str(struct bytes *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
on_file(void *arg, const uint8_t *p, size_t n)
{
	put(arg, p, n);
}

static void
sha_hex(const uint8_t *p, size_t n, char *out)
{
	uint8_t		md[EVP_MAX_MD_SIZE];
	unsigned int	len;

	assert_int_equal(EVP_Digest(p, n, md, &len, EVP_sha256(), NULL), 1);
	(void)enc_hex_encode(md, len, out);
}

/* The body in pieces of piece bytes, to the end or to a stop. */
static void
run(const char *ctype, const char *query, const struct bytes *body,
    uint64_t max, size_t piece, struct outcome *o)
{
	struct intake_args	args;
	size_t			pos, n;

	memset(o, 0, sizeof(*o));
	memset(&args, 0, sizeof(args));
	args.content_type = ctype;
	args.query = query;
	args.body_len = body->len;
	args.max_file = max;
	args.on_file = on_file;
	args.arg = &o->file;

	assert_int_equal(intake_init(&in, &args, &o->st), 0);
	for (pos = 0; o->st == INTAKE_MORE && pos < body->len; pos += n) {
		n = body->len - pos < piece ? body->len - pos : piece;
		o->st = intake_feed(&in, body->data + pos, n);
		o->fed = pos + n;
	}
	if (o->st == INTAKE_MORE)
		o->st = intake_end(&in, NULL);

	o->accepted = (intake_verdict(&in, &o->fault) == 0);
	if (o->accepted) {
		(void)strcpy(o->title, in.form.title);
		o->ntags = in.form.tags.count;
		(void)strcpy(o->sha256, in.sha256);
		o->info = in.info;
	}
	intake_free(&in);
}

static void
outcome_free(struct outcome *o)
{
	free(o->file.data);
	o->file.data = NULL;
}

/* A form of a title, the file, and tags after it. */
static void
multipart_file(struct bytes *b, const char *filename, const uint8_t *p,
    size_t n)
{
	put_str(b, "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
	    "Annoyed\r\n--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"file\"; filename=\"");
	put_str(b, filename);
	put_str(b, "\"\r\nContent-Type: text/plain\r\n\r\n");
	put(b, p, n);
	put_str(b, "\r\n--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"tags\"\r\n\r\n"
	    "a b,c\r\n--" BOUNDARY "--\r\n");
}

static void
test_accepted(void **state)
{
	static const char *const	files[] = {
		"3x2.gif", "7x5.png", "9x4-exif.jpg", "13x9-alpha.webp",
		"16x16.mp4", "16x16.webm",
	};
	static const size_t		pieces[] = { 1, 5, 64, KORE_PIECE };
	struct bytes			raw, form;
	struct outcome			o;
	struct media_info		want;
	char				sha[INTAKE_SHA256_HEX_LEN + 1];
	uint8_t				*buf;
	size_t				i, j, len;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		buf = load(files[i], &len);
		assert_int_equal(media_sniff(buf, len, &want), MEDIA_OK);
		sha_hex(buf, len, sha);
		raw.data = NULL;
		raw.len = 0;
		put(&raw, buf, len);
		form.data = NULL;
		form.len = 0;
		multipart_file(&form, files[i], buf, len);

		for (j = 0; j < sizeof(pieces) / sizeof(pieces[0]); j++) {
			run("image/gif", "title=raw&tags=x,y", &raw, MAX_FILE,
			    pieces[j], &o);
			assert_true(o.accepted);
			assert_string_equal(o.title, "raw");
			assert_int_equal(o.ntags, 2);
			assert_string_equal(o.sha256, sha);
			assert_memory_equal(&o.info, &want, sizeof(want));
			assert_int_equal(o.file.len, len);
			assert_memory_equal(o.file.data, buf, len);
			outcome_free(&o);

			run(CT_MULTIPART, "tags=q", &form, MAX_FILE, pieces[j],
			    &o);
			assert_true(o.accepted);
			assert_string_equal(o.title, "Annoyed");
			assert_int_equal(o.ntags, 4);
			assert_string_equal(o.sha256, sha);
			assert_memory_equal(&o.info, &want, sizeof(want));
			assert_int_equal(o.file.len, len);
			assert_memory_equal(o.file.data, buf, len);
			outcome_free(&o);
		}
		free(raw.data);
		free(form.data);
		free(buf);
	}
}

/* A raw body's hash is Kore's when the caller says it gives it. */
static void
test_raw_digest(void **state)
{
	struct intake_args	args;
	enum intake_status	st;
	struct upload_fault	fault;
	struct bytes		file = { NULL, 0 };
	uint8_t			*buf, digest[INTAKE_SHA256_BYTES];
	size_t			len;
	char			hex[INTAKE_SHA256_HEX_LEN + 1];

	(void)state;
	buf = load("3x2.gif", &len);
	memset(digest, 0xab, sizeof(digest));
	(void)enc_hex_encode(digest, sizeof(digest), hex);

	memset(&args, 0, sizeof(args));
	args.body_len = len;
	args.max_file = MAX_FILE;
	args.raw_digest = 1;
	args.on_file = on_file;
	args.arg = &file;
	assert_int_equal(intake_init(&in, &args, &st), 0);
	assert_int_equal(st, INTAKE_MORE);
	assert_int_equal(intake_feed(&in, buf, len), INTAKE_MORE);
	assert_int_equal(intake_end(&in, digest), INTAKE_MORE);
	assert_int_equal(intake_verdict(&in, &fault), 0);
	assert_string_equal(in.sha256, hex);
	intake_free(&in);
	free(file.data);
	free(buf);
}

/* What the headers alone refuse: the body is not read at all. */
static void
test_refused_at_headers(void **state)
{
	struct bytes	body = { NULL, 0 };
	struct outcome	o;

	(void)state;
	put_str(&body, "GIF89a...");

	run("multipart/form-data", NULL, &body, MAX_FILE, KORE_PIECE, &o);
	assert_int_equal(o.st, INTAKE_STOP);
	assert_int_equal(o.fed, 0);
	assert_int_equal(o.fault.status, 400);
	outcome_free(&o);

	run("image/gif", "title=%zz", &body, MAX_FILE, KORE_PIECE, &o);
	assert_int_equal(o.fed, 0);
	assert_int_equal(o.fault.status, 400);
	outcome_free(&o);

	run("image/gif", "tags=-x", &body, MAX_FILE, KORE_PIECE, &o);
	assert_int_equal(o.fed, 0);
	assert_int_equal(o.fault.status, 422);
	assert_string_equal(o.fault.field, "tags");
	outcome_free(&o);

	run("image/gif", NULL, &body, body.len - 1, KORE_PIECE, &o);
	assert_int_equal(o.fed, 0);
	assert_int_equal(o.fault.status, 413);
	outcome_free(&o);

	free(body.data);
	body.data = NULL;
	body.len = 0;
	run("image/gif", NULL, &body, MAX_FILE, KORE_PIECE, &o);
	assert_int_equal(o.st, INTAKE_STOP);
	assert_int_equal(o.fault.status, 422);
	assert_string_equal(o.fault.message, "the file is empty");
	outcome_free(&o);
}

/* A megabyte of text: refused on its first bytes, in either form. */
static void
test_refused_early(void **state)
{
	struct bytes	text = { NULL, 0 }, form = { NULL, 0 };
	struct outcome	o;
	uint8_t		*mb;

	(void)state;
	mb = malloc(1024 * 1024);
	assert_non_null(mb);
	memset(mb, 'a', 1024 * 1024);
	put(&text, mb, 1024 * 1024);
	multipart_file(&form, "x.txt", mb, 1024 * 1024);

	run("text/plain", NULL, &text, MAX_FILE, KORE_PIECE, &o);
	assert_int_equal(o.st, INTAKE_STOP);
	assert_int_equal(o.fed, KORE_PIECE);
	assert_int_equal(o.fault.status, 415);
	assert_int_equal(o.file.len, 0);
	outcome_free(&o);

	run(CT_MULTIPART, NULL, &form, MAX_FILE, KORE_PIECE, &o);
	assert_int_equal(o.st, INTAKE_STOP);
	assert_int_equal(o.fed, KORE_PIECE);
	assert_int_equal(o.fault.status, 415);
	outcome_free(&o);

	free(text.data);
	free(form.data);
	free(mb);
}

/*
 * The limit and a refused type in the same file: the one earlier in the
 * file is the answer, however the body is cut.
 */
static void
test_limit(void **state)
{
	static const size_t	pieces[] = { 1000, KORE_PIECE, 300000 };
	struct bytes		png = { NULL, 0 }, form;
	struct outcome		o;
	uint8_t			*buf, *filler;
	size_t			len, i, max = 100000;

	(void)state;
	filler = calloc(1, 200000);
	assert_non_null(filler);
	buf = load("7x5.png", &len);
	put(&png, buf, len);
	put(&png, filler, 200000);

	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		/* Past its IEND the rest is ignored: the limit answers. */
		form.data = NULL;
		form.len = 0;
		multipart_file(&form, "big.png", png.data, png.len);
		run(CT_MULTIPART, NULL, &form, max, pieces[i], &o);
		assert_int_equal(o.st, INTAKE_STOP);
		assert_int_equal(o.fault.status, 413);
		assert_true(o.file.len <= max);
		outcome_free(&o);
		free(form.data);
	}

	/*
	 * A broken IHDR. Within a body that may hold a file past the limit
	 * the size is the answer (it outranks the type); within one that
	 * cannot, the type, as soon as the look-ahead is past.
	 */
	png.data[8 + 24] ^= 0xff;
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		form.data = NULL;
		form.len = 0;
		multipart_file(&form, "big.png", png.data, png.len);
		run(CT_MULTIPART, NULL, &form, max, pieces[i], &o);
		assert_int_equal(o.st, INTAKE_STOP);
		assert_int_equal(o.fault.status, 413);
		assert_true(o.file.len <= MEDIA_LOOKAHEAD + pieces[i]);
		outcome_free(&o);

		run(CT_MULTIPART, NULL, &form, 3 * max, pieces[i], &o);
		assert_int_equal(o.st, INTAKE_STOP);
		assert_int_equal(o.fault.status, 415);
		assert_true(o.fed < 2 * MEDIA_LOOKAHEAD + pieces[i]);
		outcome_free(&o);
		free(form.data);
	}

	free(png.data);
	free(filler);
	free(buf);
}

static void
test_second_file(void **state)
{
	struct bytes	form = { NULL, 0 };
	struct outcome	o;
	uint8_t		*gif;
	size_t		len;

	(void)state;
	gif = load("3x2.gif", &len);
	put_str(&form, "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"file\"\r\n\r\n");
	put(&form, gif, len);
	put_str(&form, "\r\n--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"file\"\r\n\r\n"
	    "second");
	/* Cut inside the second file: malformed, as form.c says. */
	run(CT_MULTIPART, NULL, &form, MAX_FILE, 3, &o);
	assert_int_equal(o.fault.status, 400);
	outcome_free(&o);

	put_str(&form, "\r\n--" BOUNDARY "--");
	run(CT_MULTIPART, NULL, &form, MAX_FILE, 3, &o);
	assert_int_equal(o.fault.status, 422);
	assert_string_equal(o.fault.message, "send one file per upload");
	outcome_free(&o);

	/* A file none of ours is refused as soon as its part ends. */
	form.len = 0;
	put_str(&form, "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"file\"\r\n\r\n"
	    "GIF89a\r\n--" BOUNDARY "\r\ntruncated");
	run(CT_MULTIPART, NULL, &form, MAX_FILE, 3, &o);
	assert_int_equal(o.fault.status, 415);
	outcome_free(&o);
	free(form.data);
	free(gif);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_raw_digest),
		cmocka_unit_test(test_refused_at_headers),
		cmocka_unit_test(test_refused_early),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_second_file),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
