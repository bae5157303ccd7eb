/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Upload forms: the Content-Type that says which form a body is, the
 * parts of a multipart/form-data body, and query-string pairs. The
 * multipart reader follows RFC 2046 5.1.1 strictly where a guess could
 * change what is stored (delimiters, the close delimiter, truncation) and
 * is lenient only about what does not (a preamble, transport padding,
 * headers other than Content-Disposition, an epilogue).
 */

#include <string.h>
#include <strings.h>

#include "encoding.h"
#include "form.h"

#define MULTIPART_FORM_DATA	"multipart/form-data"
#define APPLICATION_JSON	"application/json"
#define CHARSET_PARAM		"charset"
#define CHARSET_UTF8		"utf-8"
#define BOUNDARY_PARAM		"boundary"
#define DISPOSITION_HEADER	"content-disposition"
#define DISPOSITION_FORM_DATA	"form-data"
#define NAME_PARAM		"name"
#define FILENAME_PARAM		"filename"
#define FILENAME_EXT_PARAM	"filename*"

#define DASH_DASH		"--"
#define DASH_DASH_LEN		2
#define CRLF			"\r\n"
#define CRLF_LEN		2

#define ASCII_DEL		0x7f
#define ASCII_CONTROL_LAST	0x1f

enum reader_state {
	READER_START,
	READER_PARTS,
	READER_DONE,
	READER_BROKEN
};

/* A parameter of a header value: name=token or name="quoted string". */
struct param {
	const char	*name;
	size_t		 name_len;
	char		 value[FORM_BOUNDARY_MAX + FORM_NAME_MAX + 1];
	size_t		 value_len;
	int		 too_long;
};

static int	is_tchar(unsigned char);
static int	is_bchar(unsigned char);
static int	is_ows(unsigned char);
static int	has_control(const char *, size_t);
static int	span_equals(const char *, size_t, const char *);
static size_t	skip_ows(const char *, size_t, size_t);
static size_t	token_len(const char *, size_t, size_t);
static int	param_next(const char *, size_t, size_t *, struct param *);
static int	boundary_valid(const char *, size_t);
static enum form_status	part_headers(struct form_reader *,
			    struct form_part *);
static int	disposition(const char *, size_t, struct form_part *);
static const uint8_t	*find(const uint8_t *, size_t, const void *, size_t);

enum form_body
form_content_type(const char *value, size_t len,
    char out[FORM_BOUNDARY_MAX + 1])
{
	struct param	p;
	size_t		pos, n;
	int		found;

	out[0] = '\0';
	if (value == NULL)
		return (FORM_RAW);

	pos = skip_ows(value, len, 0);
	n = strlen(MULTIPART_FORM_DATA);
	if (len - pos < n || strncasecmp(value + pos, MULTIPART_FORM_DATA, n))
		return (FORM_RAW);
	pos += n;

	/* "multipart/form-data-x" is another type, and not ours. */
	if (pos < len && !is_ows((unsigned char)value[pos]) &&
	    value[pos] != ';')
		return (FORM_RAW);

	found = 0;
	for (;;) {
		switch (param_next(value, len, &pos, &p)) {
		case 0:
			return (found ? FORM_MULTIPART : FORM_BAD_MULTIPART);
		case -1:
			return (FORM_BAD_MULTIPART);
		default:
			break;
		}

		if (!span_equals(p.name, p.name_len, BOUNDARY_PARAM))
			continue;

		/* Two boundaries: which one the client meant is a guess. */
		if (found || p.too_long || !boundary_valid(p.value,
		    p.value_len))
			return (FORM_BAD_MULTIPART);

		memcpy(out, p.value, p.value_len);
		out[p.value_len] = '\0';
		found = 1;
	}
}

int
form_content_is_json(const char *value, size_t len)
{
	struct param	p;
	size_t		pos, n;

	pos = skip_ows(value, len, 0);
	n = strlen(APPLICATION_JSON);
	if (len - pos < n || strncasecmp(value + pos, APPLICATION_JSON, n))
		return (0);
	pos += n;

	for (;;) {
		switch (param_next(value, len, &pos, &p)) {
		case 0:
			return (1);
		case -1:
			return (0);
		default:
			break;
		}

		if (span_equals(p.name, p.name_len, CHARSET_PARAM) &&
		    (p.too_long || strcasecmp(p.value, CHARSET_UTF8)))
			return (0);
	}
}

void
form_reader_init(struct form_reader *r, const void *body, size_t len,
    const char *boundary)
{
	size_t	blen;

	memset(r, 0, sizeof(*r));
	r->buf = body;
	r->len = body != NULL ? len : 0;
	r->state = READER_START;

	blen = strlen(boundary);
	if (blen == 0 || blen > FORM_BOUNDARY_MAX) {
		r->state = READER_BROKEN;
		return;
	}

	memcpy(r->delim, CRLF DASH_DASH, CRLF_LEN + DASH_DASH_LEN);
	memcpy(r->delim + CRLF_LEN + DASH_DASH_LEN, boundary, blen);
	r->delim_len = CRLF_LEN + DASH_DASH_LEN + blen;
}

enum form_status
form_next_part(struct form_reader *r, struct form_part *part)
{
	const uint8_t	*hit;
	size_t		 dash_len;
	enum form_status st;

	memset(part, 0, sizeof(*part));

	if (r->state == READER_START) {
		/* The first delimiter may open the body, without its CRLF. */
		dash_len = r->delim_len - CRLF_LEN;
		if (r->len >= dash_len &&
		    !memcmp(r->buf, r->delim + CRLF_LEN, dash_len)) {
			r->pos = dash_len;
		} else if ((hit = find(r->buf, r->len, r->delim,
		    r->delim_len)) != NULL) {
			r->pos = (size_t)(hit - r->buf) + r->delim_len;
		} else {
			r->state = READER_BROKEN;
			return (FORM_MALFORMED);
		}
		r->state = READER_PARTS;
	}

	if (r->state == READER_DONE)
		return (FORM_END);
	if (r->state == READER_BROKEN)
		return (FORM_MALFORMED);

	/* Right after a delimiter: "--" closes, else padding and CRLF. */
	if (r->len - r->pos >= DASH_DASH_LEN &&
	    !memcmp(r->buf + r->pos, DASH_DASH, DASH_DASH_LEN)) {
		r->state = READER_DONE;
		return (FORM_END);
	}

	while (r->pos < r->len && (r->buf[r->pos] == ' ' ||
	    r->buf[r->pos] == '\t'))
		r->pos++;

	if (r->len - r->pos < CRLF_LEN ||
	    memcmp(r->buf + r->pos, CRLF, CRLF_LEN)) {
		r->state = READER_BROKEN;
		return (FORM_MALFORMED);
	}
	r->pos += CRLF_LEN;

	if ((st = part_headers(r, part)) != FORM_ITEM) {
		memset(part, 0, sizeof(*part));
		r->state = READER_BROKEN;
		return (st);
	}

	/* The content runs to the next delimiter; none means truncated. */
	hit = find(r->buf + r->pos, r->len - r->pos, r->delim, r->delim_len);
	if (hit == NULL) {
		memset(part, 0, sizeof(*part));
		r->state = READER_BROKEN;
		return (FORM_MALFORMED);
	}

	part->data = r->buf + r->pos;
	part->len = (size_t)(hit - part->data);
	r->pos = (size_t)(hit - r->buf) + r->delim_len;

	return (FORM_ITEM);
}

enum form_status
form_query_next(char *qs, size_t len, size_t *pos, struct form_pair *pair)
{
	char	*piece, *eq, *amp;
	size_t	 piece_len, name_len, value_len;
	ssize_t	 decoded;
	int	 control;

	memset(pair, 0, sizeof(*pair));

	for (;;) {
		if (*pos >= len)
			return (FORM_END);

		piece = qs + *pos;
		amp = memchr(piece, '&', len - *pos);
		piece_len = amp != NULL ? (size_t)(amp - piece) : len - *pos;
		*pos += piece_len + (amp != NULL ? 1 : 0);

		if (piece_len > 0)
			break;
	}

	/*
	 * Decoding only ever shortens a span, so each one is decoded where
	 * it stands and its terminating NUL lands on the '=' or '&' (or the
	 * caller's NUL) that ended it.
	 */
	eq = memchr(piece, '=', piece_len);
	name_len = eq != NULL ? (size_t)(eq - piece) : piece_len;

	decoded = enc_url_decode(piece, name_len, piece, name_len, &control);
	if (decoded < 0 || control) {
		memset(pair, 0, sizeof(*pair));
		return (FORM_MALFORMED);
	}
	name_len = (size_t)decoded;

	if (eq == NULL) {
		piece[name_len] = '\0';
		pair->name = piece;
		pair->value = "";
		pair->value_len = 0;
		return (FORM_ITEM);
	}

	value_len = piece_len - (size_t)(eq - piece) - 1;
	decoded = enc_url_decode(eq + 1, value_len, eq + 1, value_len,
	    &control);
	if (decoded < 0) {
		memset(pair, 0, sizeof(*pair));
		return (FORM_MALFORMED);
	}
	value_len = (size_t)decoded;

	piece[name_len] = '\0';
	eq[1 + value_len] = '\0';
	pair->name = piece;
	pair->value = eq + 1;
	pair->value_len = value_len;

	return (FORM_ITEM);
}

/*
 * The part's header lines up to the empty line; the reader is left at the
 * first byte of the content.
 */
static enum form_status
part_headers(struct form_reader *r, struct form_part *part)
{
	const uint8_t	*eol;
	size_t		 line_len;
	int		 seen;

	seen = 0;
	for (;;) {
		eol = find(r->buf + r->pos, r->len - r->pos, CRLF, CRLF_LEN);
		if (eol == NULL)
			return (FORM_MALFORMED);

		line_len = (size_t)(eol - (r->buf + r->pos));
		if (form_header_line((const char *)r->buf + r->pos, line_len,
		    part, &seen) == -1)
			return (FORM_MALFORMED);
		r->pos += line_len + CRLF_LEN;

		if (line_len == 0)
			return (FORM_ITEM);
	}
}

int
form_header_line(const char *line, size_t line_len, struct form_part *part,
    int *seen)
{
	const char	*colon;
	size_t		 name_len, pos;

	if (line_len == 0)
		return (0);
	if (line_len > FORM_HEADER_LINE_MAX)
		return (-1);

	/* No folded lines (RFC 7578 4.8): a name starts each one. */
	if ((colon = memchr(line, ':', line_len)) == NULL)
		return (-1);
	name_len = (size_t)(colon - line);
	if (name_len == 0 || token_len(line, name_len, 0) != name_len)
		return (-1);

	if (!span_equals(line, name_len, DISPOSITION_HEADER))
		return (0);

	/* Two dispositions could name two fields: refuse to pick. */
	if (*seen)
		return (-1);
	*seen = 1;

	pos = name_len + 1;
	return (disposition(line + pos, line_len - pos, part));
}

/* "form-data; name=\"file\"; filename=\"x.gif\"" into the part. */
static int
disposition(const char *v, size_t len, struct form_part *part)
{
	struct param	p;
	size_t		pos, n;
	int		form_data, named, rc;

	pos = skip_ows(v, len, 0);
	n = token_len(v, len, pos);
	if (n == 0)
		return (-1);
	form_data = span_equals(v + pos, n, DISPOSITION_FORM_DATA);
	pos += n;

	named = 0;
	while ((rc = param_next(v, len, &pos, &p)) == 1) {
		if (span_equals(p.name, p.name_len, FILENAME_PARAM) ||
		    span_equals(p.name, p.name_len, FILENAME_EXT_PARAM)) {
			part->has_filename = 1;
			continue;
		}

		if (!span_equals(p.name, p.name_len, NAME_PARAM))
			continue;
		if (named)
			return (-1);
		named = 1;

		if (!form_data || p.too_long || p.value_len > FORM_NAME_MAX ||
		    has_control(p.value, p.value_len))
			continue;
		memcpy(part->name, p.value, p.value_len);
		part->name[p.value_len] = '\0';
	}

	return (rc);
}

/*
 * The next "; name=value" of a header value from *pos: 1 with *p filled,
 * 0 at the end, -1 for broken syntax. Quoted values are unescaped; a
 * value longer than p->value holds sets p->too_long instead.
 */
static int
param_next(const char *v, size_t len, size_t *pos, struct param *p)
{
	size_t		i, n;
	unsigned char	c;

	memset(p, 0, sizeof(*p));

	i = skip_ows(v, len, *pos);
	if (i == len) {
		*pos = i;
		return (0);
	}
	if (v[i] != ';')
		return (-1);
	i = skip_ows(v, len, i + 1);

	/* A trailing ";" is tolerated (some clients send one). */
	if (i == len) {
		*pos = i;
		return (0);
	}

	if ((n = token_len(v, len, i)) == 0)
		return (-1);
	p->name = v + i;
	p->name_len = n;
	i += n;

	i = skip_ows(v, len, i);
	if (i == len || v[i] != '=')
		return (-1);
	i = skip_ows(v, len, i + 1);

	if (i < len && v[i] == '"') {
		for (i++; i < len && v[i] != '"'; i++) {
			c = (unsigned char)v[i];
			if (c == '\\') {
				if (++i == len)
					return (-1);
				c = (unsigned char)v[i];
			}
			if (p->value_len + 1 >= sizeof(p->value)) {
				p->too_long = 1;
				continue;
			}
			p->value[p->value_len++] = (char)c;
		}
		if (i == len)
			return (-1);
		i++;
	} else {
		if ((n = token_len(v, len, i)) == 0)
			return (-1);
		if (n >= sizeof(p->value))
			p->too_long = 1;
		else {
			memcpy(p->value, v + i, n);
			p->value_len = n;
		}
		i += n;
	}

	p->value[p->value_len] = '\0';
	*pos = i;
	return (1);
}

/* RFC 2046 5.1.1: bchars, 1-70 of them, the last not a space. */
static int
boundary_valid(const char *b, size_t len)
{
	size_t	i;

	if (len == 0 || len > FORM_BOUNDARY_MAX || b[len - 1] == ' ')
		return (0);

	for (i = 0; i < len; i++) {
		if (!is_bchar((unsigned char)b[i]))
			return (0);
	}

	return (1);
}

/* memmem, named for what it does here. */
static const uint8_t *
find(const uint8_t *hay, size_t len, const void *needle, size_t nlen)
{
	if (len < nlen)
		return (NULL);

	return (memmem(hay, len, needle, nlen));
}

static int
span_equals(const char *s, size_t len, const char *lit)
{
	return (strlen(lit) == len && !strncasecmp(s, lit, len));
}

static size_t
skip_ows(const char *s, size_t len, size_t i)
{
	while (i < len && is_ows((unsigned char)s[i]))
		i++;

	return (i);
}

static size_t
token_len(const char *s, size_t len, size_t i)
{
	size_t	start = i;

	while (i < len && is_tchar((unsigned char)s[i]))
		i++;

	return (i - start);
}

static int
is_ows(unsigned char c)
{
	return (c == ' ' || c == '\t');
}

/* RFC 9110 5.6.2 token characters. */
static int
is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return (1);

	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
is_bchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return (1);

	return (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

static int
has_control(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] <= ASCII_CONTROL_LAST ||
		    (unsigned char)s[i] == ASCII_DEL)
			return (1);
	}

	return (0);
}

