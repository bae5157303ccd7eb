/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * S3's multipart XML (s3_xml.h): no general XML parser, only what these
 * flat documents need. An element's text is what lies between its start
 * and end tags, with no markup inside; the five predefined entities and
 * character references are decoded; a comment, CDATA or a nested element
 * where text should be makes the document unreadable, not guessed at.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3_xml.h"

#define ROOT_ERROR		"Error"
#define ROOT_LIST		"ListMultipartUploadsResult"
#define EL_UPLOAD		"Upload"
#define EL_UPLOAD_ID		"UploadId"
#define EL_KEY			"Key"

#define COMMENT_OPEN		"<!--"
#define COMMENT_CLOSE		"-->"
#define PI_CLOSE		"?>"
#define TAG_NAME_MAX		64

#define COMPLETE_OPEN		"<CompleteMultipartUpload>"
#define COMPLETE_CLOSE		"</CompleteMultipartUpload>"
#define PART_FMT		"<Part><PartNumber>%zu</PartNumber><ETag>"
#define PART_CLOSE		"</ETag></Part>"

/* Room for one part's markup around its ETag, number included. */
#define PART_MARKUP_MAX		96
/* An escaped byte is at most "&amp;". */
#define ESCAPED_MAX		5

#define UTF8_1_MAX		0x7f
#define UTF8_2_MAX		0x7ff
#define UTF8_3_MAX		0xffff
#define UTF8_LEAD_2		0xc0
#define UTF8_LEAD_3		0xe0
#define UTF8_LEAD_4		0xf0
#define UTF8_CONT		0x80
#define UTF8_CONT_MASK		0x3f
#define UTF8_CONT_BITS		6
#define UTF8_BYTES_MAX		4

#define CHAR_REF_MAX		0x10ffff
#define SURROGATE_FIRST		0xd800
#define SURROGATE_LAST		0xdfff
#define ASCII_CONTROL_LAST	0x1f
#define ASCII_DEL		0x7f
#define DECIMAL_BASE		10
#define HEX_BASE		16

/* The predefined entities; the first three are escaped on the way out. */
struct entity {
	const char	*text;
	char		 c;
};

static const struct entity	entities[] = {
	{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
	{ "&quot;", '"' }, { "&apos;", '\'' },
};

#define ESCAPED_ENTITIES	3

struct span {
	const char	*p;
	size_t		 len;
};

static int	root(const char *, size_t, struct span *);
static int	element(const char *, size_t, const char *, struct span *,
		    size_t *);
static int	decode(const struct span *, char *, size_t);
static int	char_ref(const char *, size_t, unsigned long *);
static size_t	utf8_put(unsigned long, char *);
static size_t	escape(char, char *);
static const char	*find(const char *, size_t, const char *);

int
s3_xml_upload_id(const char *doc, size_t len, char *out, size_t outlen)
{
	struct span	text;
	size_t		after;

	if (s3_xml_is_error(doc, len))
		return (-1);
	if (element(doc, len, EL_UPLOAD_ID, &text, &after) == -1)
		return (-1);
	if (decode(&text, out, outlen) == -1 || out[0] == '\0')
		return (-1);

	return (0);
}

int
s3_xml_is_error(const char *doc, size_t len)
{
	struct span	name;

	if (root(doc, len, &name) == -1)
		return (1);

	return (name.len == strlen(ROOT_ERROR) &&
	    !memcmp(name.p, ROOT_ERROR, name.len));
}

int
s3_xml_uploads(const char *doc, size_t len,
    void (*fn)(void *, const char *, const char *), void *arg)
{
	struct span	name, upload, text;
	char		key[S3_XML_KEY_MAX + 1], id[S3_XML_ID_MAX + 1];
	size_t		pos, after, skip;
	int		count;

	if (root(doc, len, &name) == -1 || name.len != strlen(ROOT_LIST) ||
	    memcmp(name.p, ROOT_LIST, name.len))
		return (-1);

	count = 0;
	pos = (size_t)(name.p - doc) + name.len;
	while (element(doc + pos, len - pos, EL_UPLOAD, &upload, &after) == 0) {
		if (element(upload.p, upload.len, EL_KEY, &text, &skip) == -1 ||
		    decode(&text, key, sizeof(key)) == -1 ||
		    element(upload.p, upload.len, EL_UPLOAD_ID, &text,
		    &skip) == -1 || decode(&text, id, sizeof(id)) == -1 ||
		    id[0] == '\0')
			return (-1);
		fn(arg, key, id);
		count++;
		pos += after;
	}

	return (count);
}

char *
s3_xml_complete(const char *const *etags, size_t count, size_t *len)
{
	char	*out, *o;
	size_t	 i, j, cap, n;
	int	 w;

	if (count == 0 || count > S3_XML_PARTS_MAX)
		return (NULL);

	cap = strlen(COMPLETE_OPEN) + strlen(COMPLETE_CLOSE) + 1;
	for (i = 0; i < count; i++) {
		n = strlen(etags[i]);
		if (n == 0 || n > S3_XML_ETAG_MAX)
			return (NULL);
		for (j = 0; j < n; j++) {
			if ((unsigned char)etags[i][j] <= ASCII_CONTROL_LAST ||
			    (unsigned char)etags[i][j] == ASCII_DEL)
				return (NULL);
		}
		cap += PART_MARKUP_MAX + n * ESCAPED_MAX;
	}

	if ((out = malloc(cap)) == NULL)
		return (NULL);

	o = out;
	memcpy(o, COMPLETE_OPEN, strlen(COMPLETE_OPEN));
	o += strlen(COMPLETE_OPEN);
	for (i = 0; i < count; i++) {
		w = snprintf(o, cap - (size_t)(o - out), PART_FMT, i + 1);
		if (w < 0 || (size_t)w >= cap - (size_t)(o - out)) {
			free(out);
			return (NULL);
		}
		o += w;
		for (j = 0; etags[i][j] != '\0'; j++)
			o += escape(etags[i][j], o);
		memcpy(o, PART_CLOSE, strlen(PART_CLOSE));
		o += strlen(PART_CLOSE);
	}
	memcpy(o, COMPLETE_CLOSE, strlen(COMPLETE_CLOSE));
	o += strlen(COMPLETE_CLOSE);
	*o = '\0';

	*len = (size_t)(o - out);
	return (out);
}

/*
 * The name of the document's root element: past an XML declaration,
 * whitespace and comments. -1 when there is none.
 */
static int
root(const char *doc, size_t len, struct span *name)
{
	const char	*end;
	size_t		 pos, n;

	pos = 0;
	for (;;) {
		while (pos < len && (doc[pos] == ' ' || doc[pos] == '\t' ||
		    doc[pos] == '\r' || doc[pos] == '\n'))
			pos++;
		if (pos == len || doc[pos] != '<')
			return (-1);

		if (len - pos >= 2 && doc[pos + 1] == '?') {
			end = find(doc + pos, len - pos, PI_CLOSE);
			if (end == NULL)
				return (-1);
			pos = (size_t)(end - doc) + strlen(PI_CLOSE);
			continue;
		}
		if (len - pos >= strlen(COMMENT_OPEN) &&
		    !memcmp(doc + pos, COMMENT_OPEN, strlen(COMMENT_OPEN))) {
			end = find(doc + pos, len - pos, COMMENT_CLOSE);
			if (end == NULL)
				return (-1);
			pos = (size_t)(end - doc) + strlen(COMMENT_CLOSE);
			continue;
		}
		break;
	}

	pos++;
	for (n = 0; pos + n < len; n++) {
		if (doc[pos + n] == '>' || doc[pos + n] == '/' ||
		    doc[pos + n] == ' ' || doc[pos + n] == '\t' ||
		    doc[pos + n] == '\r' || doc[pos + n] == '\n')
			break;
		if (doc[pos + n] == '<' || doc[pos + n] == '!' ||
		    doc[pos + n] == '?')
			return (-1);
	}
	if (n == 0 || pos + n == len)
		return (-1);

	name->p = doc + pos;
	name->len = n;
	return (0);
}

/*
 * The first <name>...</name> in doc: its content in *text and in *after
 * the offset just past its end tag. The start tag carries no attributes
 * (S3 writes none on these). -1 when there is none.
 */
static int
element(const char *doc, size_t len, const char *name, struct span *text,
    size_t *after)
{
	char		 open[TAG_NAME_MAX], close[TAG_NAME_MAX];
	const char	*start, *end;
	int		 n;

	n = snprintf(open, sizeof(open), "<%s>", name);
	if (n < 0 || (size_t)n >= sizeof(open))
		return (-1);
	n = snprintf(close, sizeof(close), "</%s>", name);
	if (n < 0 || (size_t)n >= sizeof(close))
		return (-1);

	if ((start = find(doc, len, open)) == NULL)
		return (-1);
	start += strlen(open);
	if ((end = find(start, len - (size_t)(start - doc), close)) == NULL)
		return (-1);

	text->p = start;
	text->len = (size_t)(end - start);
	*after = (size_t)(end - doc) + strlen(close);
	return (0);
}

/* Text with entities decoded into out; markup or a NUL in it is -1. */
static int
decode(const struct span *text, char *out, size_t outlen)
{
	const char	*semi;
	unsigned long	 cp;
	size_t		 i, o, n, k;
	char		 utf8[UTF8_BYTES_MAX];

	o = 0;
	for (i = 0; i < text->len; i++) {
		if (text->p[i] == '<' || text->p[i] == '\0')
			return (-1);
		if (text->p[i] != '&') {
			if (o + 1 >= outlen)
				return (-1);
			out[o++] = text->p[i];
			continue;
		}

		semi = memchr(text->p + i, ';', text->len - i);
		if (semi == NULL)
			return (-1);
		n = (size_t)(semi - (text->p + i)) + 1;
		for (k = 0; k < sizeof(entities) / sizeof(entities[0]); k++) {
			if (strlen(entities[k].text) == n &&
			    !memcmp(text->p + i, entities[k].text, n))
				break;
		}
		if (k < sizeof(entities) / sizeof(entities[0]))
			cp = (unsigned char)entities[k].c;
		else if (char_ref(text->p + i, n, &cp) == -1)
			return (-1);

		n--;
		i += n;
		n = utf8_put(cp, utf8);
		if (o + n >= outlen)
			return (-1);
		memcpy(out + o, utf8, n);
		o += n;
	}

	if (o >= outlen)
		return (-1);
	out[o] = '\0';
	return (0);
}

/* "&#65;" or "&#x41;": a code point other than NUL or a surrogate. */
static int
char_ref(const char *s, size_t n, unsigned long *cp)
{
	size_t		i, digits;
	unsigned long	base, v;
	int		d;

	if (n < 4 || s[1] != '#')
		return (-1);

	i = 2;
	base = DECIMAL_BASE;
	if (s[i] == 'x') {
		base = HEX_BASE;
		i++;
	}

	v = 0;
	digits = 0;
	for (; i < n - 1; i++, digits++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (base == HEX_BASE && s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + DECIMAL_BASE;
		else if (base == HEX_BASE && s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + DECIMAL_BASE;
		else
			return (-1);
		v = v * base + (unsigned long)d;
		if (v > CHAR_REF_MAX)
			return (-1);
	}
	if (digits == 0 || v == 0 ||
	    (v >= SURROGATE_FIRST && v <= SURROGATE_LAST))
		return (-1);

	*cp = v;
	return (0);
}

static size_t
utf8_put(unsigned long cp, char *out)
{
	if (cp <= UTF8_1_MAX) {
		out[0] = (char)cp;
		return (1);
	}
	if (cp <= UTF8_2_MAX) {
		out[0] = (char)(UTF8_LEAD_2 | (cp >> UTF8_CONT_BITS));
		out[1] = (char)(UTF8_CONT | (cp & UTF8_CONT_MASK));
		return (2);
	}
	if (cp <= UTF8_3_MAX) {
		out[0] = (char)(UTF8_LEAD_3 | (cp >> (2 * UTF8_CONT_BITS)));
		out[1] = (char)(UTF8_CONT |
		    ((cp >> UTF8_CONT_BITS) & UTF8_CONT_MASK));
		out[2] = (char)(UTF8_CONT | (cp & UTF8_CONT_MASK));
		return (3);
	}
	out[0] = (char)(UTF8_LEAD_4 | (cp >> (3 * UTF8_CONT_BITS)));
	out[1] = (char)(UTF8_CONT |
	    ((cp >> (2 * UTF8_CONT_BITS)) & UTF8_CONT_MASK));
	out[2] = (char)(UTF8_CONT | ((cp >> UTF8_CONT_BITS) & UTF8_CONT_MASK));
	out[3] = (char)(UTF8_CONT | (cp & UTF8_CONT_MASK));
	return (4);
}

/* c as XML text into out: itself, or its entity. */
static size_t
escape(char c, char *out)
{
	size_t	k, n;

	for (k = 0; k < ESCAPED_ENTITIES; k++) {
		if (entities[k].c == c) {
			n = strlen(entities[k].text);
			memcpy(out, entities[k].text, n);
			return (n);
		}
	}

	out[0] = c;
	return (1);
}

static const char *
find(const char *hay, size_t len, const char *needle)
{
	size_t	n = strlen(needle);

	if (len < n)
		return (NULL);
	return (memmem(hay, len, needle, n));
}
