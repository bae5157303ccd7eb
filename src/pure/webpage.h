/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The web app's page, worked out once at start-up: the version that names
 * its asset URLs, the page itself from its template, its entity tag and
 * its Content-Security-Policy; and, per request, which asset a path asks
 * for. Pure: no Kore (webapp.c serves what this builds).
 */

#ifndef REACTBIN_WEBPAGE_H
#define REACTBIN_WEBPAGE_H

#include <stddef.h>

/* Hex digits of the version in /app/<version>/<name>. */
#define WEBPAGE_VERSION_LEN	16

/* The page's entity tag: the version of its bytes, quoted. */
#define WEBPAGE_ETAG_MAX	(WEBPAGE_VERSION_LEN + 3)

/* Room for the policy with the longest API_BASE_URL origin twice over. */
#define WEBPAGE_CSP_MAX		2048

/* "https://" and a host of at most 253 bytes, with a port. */
#define WEBPAGE_ORIGIN_MAX	320

/* Asset URLs: /app/<version>/<name>. */
#define WEBPAGE_ASSET_PREFIX	"/app/"

/* One @NAME@ of the page template and what it becomes. */
struct webpage_var {
	const char	*name;
	const char	*value;
};

/*
 * The version of a set of files from their SHA-256 entity tags (in a
 * fixed order): WEBPAGE_VERSION_LEN lowercase hex digits of a SHA-256
 * over all of them, so that a change to any file gives every URL a new
 * name. outlen > WEBPAGE_VERSION_LEN. Returns 0, or -1.
 */
int	webpage_version(const char *const *, size_t, char *, size_t);

/*
 * The page: the template with every @NAME@ of vars replaced by its
 * value (an @ that starts no known name stays as it is). Returns a
 * malloc'd, NUL-terminated text and its length, or NULL.
 */
char	*webpage_render(const char *, size_t, const struct webpage_var *,
	    size_t, size_t *);

/*
 * "scheme://host[:port]" of an http(s) URL, lower-cased, for a CSP
 * source; the empty string for an empty URL. -1 for anything else (a
 * character a policy could not carry included).
 */
int	webpage_origin(const char *, char *, size_t);

/*
 * The page's Content-Security-Policy: only its own origin, plus the
 * origin of API_BASE_URL (where the links the API hands out point) for
 * images and media. Returns 0, or -1 when the URL has no usable origin
 * or the policy does not fit.
 */
int	webpage_csp(const char *, char *, size_t);

/*
 * Which asset an /app/<version>/<name> path names: the name (a pointer
 * into path), and whether the version is the current one. Returns 0,
 * or -1 for a path of another shape.
 */
int	webpage_asset_path(const char *, const char *, const char **, int *);

/*
 * The same for the files of another page, under a prefix of its own
 * that ends in '/' (the API docs' /api/docs/<version>/<name>).
 */
int	webpage_asset_path_in(const char *, const char *, const char *,
	    const char **, int *);

/*
 * The gzip form of a text (RFC 1952), compressed once at start-up so
 * that the first load stays small without a byte of work per request.
 * Returns a malloc'd buffer and its length, or NULL.
 */
unsigned char	*webpage_gzip(const void *, size_t, size_t *);

/*
 * Does an Accept-Encoding value (NULL when absent) take gzip? "gzip" or
 * "*" with a q-value above zero, and "gzip;q=0" refuses it. 1 or 0.
 */
int	webpage_accepts_gzip(const char *);

/* The Content-Type of an asset by its extension; NULL when not served. */
const char	*webpage_content_type(const char *);

#endif
