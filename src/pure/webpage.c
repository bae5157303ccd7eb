/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The web app's page and asset names, see webpage.h. Assets are served
 * under a version computed from their contents, so they can be cached
 * for a year and never asked for again; the page that names them is the
 * one thing the browser revalidates.
 */

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "webpage.h"

#define TEMPLATE_MARK		'@'

/* deflateInit2(): 15 bits of window, plus 16 for the gzip wrapper. */
#define GZIP_WINDOW_BITS	(15 + 16)
#define GZIP_MEM_LEVEL		9

/* A q-value is at most "1.000": more text than that is no number. */
#define QVALUE_MAX		8

/* Each directive names only what the app uses; the rest is 'none'. */
#define CSP_FORMAT							\
	"default-src 'none'; script-src 'self'; style-src 'self'; "	\
	"img-src 'self' blob:%s%s; media-src 'self'%s%s; "		\
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "	\
	"form-action 'self'"

static const struct {
	const char	*extension;
	const char	*type;
} content_types[] = {
	{ ".js",	"text/javascript; charset=utf-8" },
	{ ".css",	"text/css; charset=utf-8" },
	{ ".svg",	"image/svg+xml" },
};

static const char	*webpage_var_at(const char *, size_t,
			    const struct webpage_var *, size_t, size_t *);
static int	webpage_origin_char(int);
static int	webpage_coding(const char *, size_t, const char *, int *);

int
webpage_version(const char *const *etags, size_t n, char *out, size_t outlen)
{
	static const char	hex[] = "0123456789abcdef";
	EVP_MD_CTX		*md;
	unsigned char		digest[EVP_MAX_MD_SIZE];
	unsigned int		dlen;
	size_t			i;
	int			ok;

	if (outlen <= WEBPAGE_VERSION_LEN)
		return (-1);
	if ((md = EVP_MD_CTX_new()) == NULL)
		return (-1);

	/* The NUL after each tag keeps "ab","c" apart from "a","bc". */
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	for (i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(md, etags[i], strlen(etags[i]) + 1);
	if (ok)
		ok = EVP_DigestFinal_ex(md, digest, &dlen);
	EVP_MD_CTX_free(md);
	if (!ok || dlen * 2 < WEBPAGE_VERSION_LEN)
		return (-1);

	for (i = 0; i < WEBPAGE_VERSION_LEN / 2; i++) {
		out[i * 2] = hex[digest[i] >> 4];
		out[i * 2 + 1] = hex[digest[i] & 0x0f];
	}
	out[WEBPAGE_VERSION_LEN] = '\0';
	return (0);
}

char *
webpage_render(const char *tmpl, size_t len, const struct webpage_var *vars,
    size_t nvars, size_t *outlen)
{
	const char	*value;
	char		*out;
	size_t		 i, skip, total, pos, vlen;

	/* Measure first, then write: one allocation of the exact size. */
	total = 0;
	for (i = 0; i < len; i++) {
		value = webpage_var_at(tmpl + i, len - i, vars, nvars, &skip);
		if (value == NULL) {
			total++;
			continue;
		}
		total += strlen(value);
		i += skip - 1;
	}

	if ((out = malloc(total + 1)) == NULL)
		return (NULL);

	pos = 0;
	for (i = 0; i < len; i++) {
		value = webpage_var_at(tmpl + i, len - i, vars, nvars, &skip);
		if (value == NULL) {
			out[pos++] = tmpl[i];
			continue;
		}
		vlen = strlen(value);
		memcpy(out + pos, value, vlen);
		pos += vlen;
		i += skip - 1;
	}
	out[pos] = '\0';

	*outlen = pos;
	return (out);
}

int
webpage_origin(const char *url, char *out, size_t outlen)
{
	const char	*rest, *end;
	size_t		 len, i;

	if (outlen == 0)
		return (-1);
	out[0] = '\0';
	if (url[0] == '\0')
		return (0);

	if (!strncasecmp(url, "https://", strlen("https://")))
		rest = url + strlen("https://");
	else if (!strncasecmp(url, "http://", strlen("http://")))
		rest = url + strlen("http://");
	else
		return (-1);

	if ((end = strchr(rest, '/')) == NULL)
		end = rest + strlen(rest);
	len = (size_t)(end - url);
	if (end == rest || len >= outlen)
		return (-1);

	for (i = 0; i < len; i++) {
		if (!webpage_origin_char((unsigned char)url[i])) {
			out[0] = '\0';
			return (-1);
		}
		out[i] = (char)tolower((unsigned char)url[i]);
	}
	out[len] = '\0';
	return (0);
}

int
webpage_csp(const char *api_base_url, char *out, size_t outlen)
{
	char		origin[WEBPAGE_ORIGIN_MAX];
	const char	*sep;
	int		 n;

	if (webpage_origin(api_base_url, origin, sizeof(origin)) == -1)
		return (-1);

	sep = origin[0] != '\0' ? " " : "";
	n = snprintf(out, outlen, CSP_FORMAT, sep, origin, sep, origin);
	if (n < 0 || (size_t)n >= outlen)
		return (-1);
	return (0);
}

int
webpage_asset_path(const char *path, const char *version, const char **name,
    int *current)
{
	return (webpage_asset_path_in(WEBPAGE_ASSET_PREFIX, path, version,
	    name, current));
}

int
webpage_asset_path_in(const char *prefix, const char *path,
    const char *version, const char **name, int *current)
{
	const char	*v, *n;
	size_t		 i;

	if (strncmp(path, prefix, strlen(prefix)))
		return (-1);
	v = path + strlen(prefix);

	for (i = 0; i < WEBPAGE_VERSION_LEN; i++) {
		if (!isxdigit((unsigned char)v[i]) ||
		    isupper((unsigned char)v[i]))
			return (-1);
	}
	if (v[WEBPAGE_VERSION_LEN] != '/')
		return (-1);

	n = v + WEBPAGE_VERSION_LEN + 1;
	if (*n == '\0' || strchr(n, '/') != NULL)
		return (-1);

	*name = n;
	*current = !strncmp(v, version, WEBPAGE_VERSION_LEN);
	return (0);
}

unsigned char *
webpage_gzip(const void *data, size_t len, size_t *outlen)
{
	z_stream	 zs;
	unsigned char	*out;
	uLong		 bound;
	int		 rc;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, GZIP_WINDOW_BITS,
	    GZIP_MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
		return (NULL);

	/* deflateBound() leaves room for the gzip header and trailer. */
	bound = deflateBound(&zs, (uLong)len);
	if ((out = malloc(bound)) == NULL) {
		(void)deflateEnd(&zs);
		return (NULL);
	}

	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)bound;
	rc = deflate(&zs, Z_FINISH);
	*outlen = zs.total_out;
	(void)deflateEnd(&zs);

	if (rc != Z_STREAM_END) {
		free(out);
		return (NULL);
	}
	return (out);
}

int
webpage_accepts_gzip(const char *value)
{
	const char	*p, *end;
	int		 gzip, any, ok;

	if (value == NULL)
		return (0);

	gzip = -1;
	any = -1;
	for (p = value; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		if (webpage_coding(p, (size_t)(end - p), "gzip", &ok))
			gzip = ok;
		else if (webpage_coding(p, (size_t)(end - p), "*", &ok))
			any = ok;
	}

	/* An explicit gzip entry wins over the wildcard. */
	if (gzip != -1)
		return (gzip);
	return (any == 1);
}

const char *
webpage_content_type(const char *name)
{
	size_t	i, nlen, elen;

	nlen = strlen(name);
	for (i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++) {
		elen = strlen(content_types[i].extension);
		if (nlen > elen &&
		    !strcmp(name + nlen - elen, content_types[i].extension))
			return (content_types[i].type);
	}
	return (NULL);
}

/* The value of the @NAME@ that starts at p, and how long that mark is. */
static const char *
webpage_var_at(const char *p, size_t left, const struct webpage_var *vars,
    size_t nvars, size_t *skip)
{
	size_t	i, nlen;

	if (p[0] != TEMPLATE_MARK)
		return (NULL);

	for (i = 0; i < nvars; i++) {
		nlen = strlen(vars[i].name);
		if (left < nlen + 2 || strncmp(p + 1, vars[i].name, nlen) ||
		    p[nlen + 1] != TEMPLATE_MARK)
			continue;
		*skip = nlen + 2;
		return (vars[i].value);
	}
	return (NULL);
}

/*
 * Is the list element p (len bytes, "coding[;q=x]") the coding name?
 * If so, *ok says whether its q-value lets it be used.
 */
static int
webpage_coding(const char *p, size_t len, const char *name, int *ok)
{
	const char	*end, *q;
	char		 num[QVALUE_MAX + 1];
	size_t		 nlen, qlen;

	end = p + len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	nlen = strlen(name);
	if ((size_t)(end - p) < nlen || strncasecmp(p, name, nlen))
		return (0);
	p += nlen;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p != end && *p != ';')
		return (0);

	*ok = 1;
	if (p == end)
		return (1);

	/* ";q=0", ";q=0.0", ";q=0.000": refused; any other weight takes it. */
	for (q = p + 1; q < end && (*q == ' ' || *q == '\t'); q++)
		;
	if (end - q < 2 || (q[0] != 'q' && q[0] != 'Q') || q[1] != '=')
		return (1);
	q += 2;
	qlen = (size_t)(end - q);
	while (qlen > 0 && (q[qlen - 1] == ' ' || q[qlen - 1] == '\t'))
		qlen--;
	if (qlen == 0 || qlen > QVALUE_MAX)
		return (1);
	memcpy(num, q, qlen);
	num[qlen] = '\0';
	*ok = strtod(num, NULL) > 0;
	return (1);
}

/* What a scheme, host and port may hold in a policy header. */
static int
webpage_origin_char(int c)
{
	return (isalnum(c) || c == '.' || c == '-' || c == ':' || c == '/' ||
	    c == '[' || c == ']');
}
