/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for the web app's page module (webpage.h). The first
 * byte picks what the rest is:
 *   0  an Accept-Encoding value: the answer is 0 or 1, and the same with
 *      ", identity" after it;
 *   1  an API_BASE_URL: an origin found is "http(s)://" and a host of
 *      the characters a policy may carry, with no path, and the policy
 *      made from it names it for images and media;
 *   2  a request path: an asset name found is the non-empty tail of the
 *      path, without a slash;
 *   3  a page template, then after a NUL a value for @A@ and @BB@: with
 *      no variables the page is the template, and with them it is as
 *      long as the marks found say.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webpage.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MODES		4
#define VERSION		"0123456789abcdef"

static void	fuzz_accept(const uint8_t *, size_t);
static void	fuzz_origin(const uint8_t *, size_t);
static void	fuzz_asset(const uint8_t *, size_t);
static void	fuzz_render(const uint8_t *, size_t);

static void
fuzz_accept(const uint8_t *data, size_t size)
{
	char	*v, *more;
	int	 a, b;

	v = fuzz_strdup(data, size);
	a = webpage_accepts_gzip(v);
	if (a != 0 && a != 1)
		abort();

	/* identity is no gzip: it changes nothing. */
	if ((more = malloc(size + sizeof(", identity"))) == NULL)
		abort();
	memcpy(more, v, size);
	memcpy(more + size, ", identity", sizeof(", identity"));
	b = webpage_accepts_gzip(more);
	if (strchr(v, '\0') == v + size && b != a)
		abort();

	free(more);
	free(v);
}

static void
fuzz_origin(const uint8_t *data, size_t size)
{
	char		 origin[WEBPAGE_ORIGIN_MAX], csp[WEBPAGE_CSP_MAX];
	char		 want[WEBPAGE_ORIGIN_MAX + 8];
	char		*url;
	const char	*host;
	size_t		 i;

	url = fuzz_strdup(data, size);
	if (webpage_origin(url, origin, sizeof(origin)) == 0 &&
	    origin[0] != '\0') {
		if (!strncmp(origin, "https://", strlen("https://")))
			host = origin + strlen("https://");
		else if (!strncmp(origin, "http://", strlen("http://")))
			host = origin + strlen("http://");
		else
			abort();
		if (*host == '\0' || strchr(host, '/') != NULL)
			abort();
		for (i = 0; origin[i] != '\0'; i++) {
			if (strchr(" ;,'\"\r\n\t", origin[i]) != NULL)
				abort();
		}
		if (webpage_csp(url, csp, sizeof(csp)) == 0) {
			memcpy(want, " ", 2);
			strcat(want, origin);
			strcat(want, ";");
			if (strstr(csp, want) == NULL)
				abort();
		}
	}
	free(url);
}

static void
fuzz_asset(const uint8_t *data, size_t size)
{
	const char	*name;
	char		*path;
	int		 current;

	path = fuzz_strdup(data, size);
	if (webpage_asset_path(path, VERSION, &name, &current) == 0) {
		if (name < path || name > path + strlen(path) ||
		    *name == '\0' || strchr(name, '/') != NULL ||
		    (current != 0 && current != 1))
			abort();
		(void)webpage_content_type(name);
	}
	/* The API docs' prefix: the same rules under another one. */
	if (webpage_asset_path_in("/api/docs/", path, VERSION, &name,
	    &current) == 0) {
		if (strncmp(path, "/api/docs/", strlen("/api/docs/")) ||
		    name < path || name > path + strlen(path) ||
		    *name == '\0' || strchr(name, '/') != NULL ||
		    (current != 0 && current != 1))
			abort();
	}
	free(path);
}

static void
fuzz_render(const uint8_t *data, size_t size)
{
	struct webpage_var	 vars[2];
	const uint8_t		*nul;
	char			*value, *out;
	size_t			 tlen, len, want, i;

	nul = memchr(data, '\0', size);
	tlen = nul != NULL ? (size_t)(nul - data) : size;
	value = nul != NULL ? fuzz_strdup(nul + 1, size - tlen - 1) :
	    fuzz_strdup((const uint8_t *)"", 0);

	if ((out = webpage_render((const char *)data, tlen, vars, 0,
	    &len)) == NULL)
		abort();
	if (len != tlen || memcmp(out, data, tlen) != 0)
		abort();
	free(out);

	vars[0].name = "A";
	vars[0].value = value;
	vars[1].name = "BB";
	vars[1].value = value;
	if ((out = webpage_render((const char *)data, tlen, vars, 2,
	    &len)) == NULL)
		abort();

	/* The marks, left to right as the renderer takes them. */
	want = 0;
	for (i = 0; i < tlen; i++) {
		if (tlen - i >= 3 && !memcmp(data + i, "@A@", 3)) {
			want += strlen(value);
			i += 2;
		} else if (tlen - i >= 4 && !memcmp(data + i, "@BB@", 4)) {
			want += strlen(value);
			i += 3;
		} else {
			want++;
		}
	}
	if (len != want || out[len] != '\0')
		abort();

	free(out);
	free(value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	switch (fuzz_mode_byte(&data, &size, MODES)) {
	case 0:
		fuzz_accept(data, size);
		break;
	case 1:
		fuzz_origin(data, size);
		break;
	case 2:
		fuzz_asset(data, size);
		break;
	case 3:
		fuzz_render(data, size);
		break;
	default:
		break;
	}
	return (0);
}
