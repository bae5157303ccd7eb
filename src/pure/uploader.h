/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * What a new API key comes with for screenshot tools (issue 12): a
 * ShareX custom uploader (.sxcu) and a Flameshot script, each made for
 * that key, since its secret is shown once and never stored. Both upload
 * the raw bytes to POST <base>/api/v1/reactions and take the answer's
 * file_url as the link. Pure: no Kore.
 */

#ifndef REACTBIN_UPLOADER_H
#define REACTBIN_UPLOADER_H

#include <stddef.h>

#include "json.h"

/* A base URL: API_BASE_URL, or "http://" and a Host header. */
#define UPLOADER_BASE_MAX	512

/*
 * The base both configurations are built on: api_base_url when it is set
 * (it has no trailing '/'), otherwise http:// and host, which must be a
 * host name or address with an optional port. 0, or -1 when there is
 * neither (or host is not one).
 */
int	uploader_base(const char *api_base_url, const char *host, char *out,
	    size_t outlen);

/*
 * The .sxcu object for ShareX 14 and later, as member key of out:
 * Version, Name, DestinationType, RequestMethod, RequestURL, Headers
 * (the key as a bearer), Body "Binary", URL "{json:file_url}" after
 * link_base ("" when file_url has a host, that is when API_BASE_URL is
 * set; else the base) and ErrorMessage "{json:error.message}".
 */
void	uploader_sharex(struct json_out *out, const char *key,
	    const char *name, const char *base, const char *link_base,
	    const char *secret);

/*
 * The Flameshot script, a NUL-terminated bash script in a fresh buffer
 * (free() it), or NULL when out of memory. Run, it takes a screenshot
 * with "flameshot gui --raw" (or uses the file REACTBIN_SCREENSHOT
 * names), uploads it, prints the link and puts it in the clipboard
 * (wl-copy, xclip or xsel, whichever there is).
 */
char	*uploader_flameshot(const char *name, const char *base,
	    const char *secret);

#endif
