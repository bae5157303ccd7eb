/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The ShareX and Flameshot configurations of a new API key (uploader.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "uploader.h"

#define UPLOAD_PATH		"/api/v1/reactions"
#define HTTP_SCHEME		"http://"

/*
 * ShareX reads "{json:...}" in files of version 13.7.1 and later (older
 * ones are migrated from "$json:...$"); DestinationType lets a double
 * click on the file make it the image and file uploader at once.
 */
#define SHAREX_VERSION		"15.0.0"
#define SHAREX_DESTINATIONS	"ImageUploader, FileUploader"
#define SHAREX_URL		"{json:file_url}"
#define SHAREX_URL_FMT		"%s" SHAREX_URL
#define SHAREX_ERROR		"{json:error.message}"

/* Host names are at most 253 bytes; a port at most 5 digits. */
#define HOST_NAME_MAX_LEN	253
#define PORT_DIGITS_MAX		5

/* What a single-quoted shell word becomes for one "'" inside it. */
#define SHELL_QUOTE_ESCAPE	"'\\''"

/*
 * The script: a screenshot (or the file REACTBIN_SCREENSHOT names),
 * curl, the link. A 409 is the same picture stored before: its link is
 * in the answer too. Placeholders: the key's name, the quoted upload
 * URL, the key.
 */
static const char flameshot_template[] =
    "#!/usr/bin/env bash\n"
    "# reactbin uploader for Flameshot, made for the API key \"%s\".\n"
    "# Takes a screenshot, uploads it to reactbin, prints its link and puts\n"
    "# it in the clipboard (wl-copy, xclip or xsel). The key is in this file:\n"
    "# keep it private, and revoke the key in reactbin to disable it.\n"
    "#\n"
    "#   bash reactbin-flameshot.sh                  select a region\n"
    "#   REACTBIN_SCREENSHOT=a.png bash reactbin-flameshot.sh   upload a file\n"
    "set -euo pipefail\n"
    "\n"
    "base=%s\n"
    "key='%s'\n"
    "\n"
    "work=$(mktemp -d \"${TMPDIR:-/tmp}/reactbin.XXXXXX\")\n"
    "trap 'rm -rf \"$work\"' EXIT\n"
    "\n"
    "if [ -n \"${REACTBIN_SCREENSHOT:-}\" ]; then\n"
    "\tcp -- \"$REACTBIN_SCREENSHOT\" \"$work/shot\"\n"
    "else\n"
    "\tflameshot gui --raw >\"$work/shot\"\n"
    "fi\n"
    "if [ ! -s \"$work/shot\" ]; then\n"
    "\techo \"reactbin: no screenshot taken\" >&2\n"
    "\texit 1\n"
    "fi\n"
    "\n"
    "status=$(curl -sS -o \"$work/answer\" -w '%%{http_code}' \\\n"
    "    -H \"Authorization: Bearer $key\" \\\n"
    "    -H 'Content-Type: application/octet-stream' \\\n"
    "    --data-binary \"@$work/shot\" \"$base/api/v1/reactions\")\n"
    "case \"$status\" in\n"
    "201 | 409) ;;\n"
    "*)\n"
    "\techo \"reactbin: upload failed ($status):\" \\\n"
    "\t    \"$(cat \"$work/answer\")\" >&2\n"
    "\texit 1\n"
    "\t;;\n"
    "esac\n"
    "\n"
    "# The first file_url is the upload's own (a 201 may list similar ones).\n"
    "link=$(grep -o '\"file_url\":\"[^\"]*\"' \"$work/answer\" | head -n 1 |\n"
    "    sed 's/^\"file_url\":\"\\(.*\\)\"$/\\1/')\n"
    "if [ -z \"$link\" ]; then\n"
    "\techo \"reactbin: no link in the answer\" >&2\n"
    "\texit 1\n"
    "fi\n"
    "# Without API_BASE_URL the service gives links without a host.\n"
    "case \"$link\" in\n"
    "/*) link=$base$link ;;\n"
    "esac\n"
    "\n"
    "if [ -n \"${WAYLAND_DISPLAY:-}\" ] &&\n"
    "    command -v wl-copy >/dev/null; then\n"
    "\tprintf '%%s' \"$link\" | wl-copy\n"
    "elif [ -n \"${DISPLAY:-}\" ] && command -v xclip >/dev/null; then\n"
    "\tprintf '%%s' \"$link\" | xclip -selection clipboard\n"
    "elif [ -n \"${DISPLAY:-}\" ] && command -v xsel >/dev/null; then\n"
    "\tprintf '%%s' \"$link\" | xsel --clipboard --input\n"
    "fi\n"
    "printf '%%s\\n' \"$link\"\n";

static int	host_valid(const char *);
static char	*shell_quote(const char *);

int
uploader_base(const char *api_base_url, const char *host, char *out,
    size_t outlen)
{
	int	n;

	if (api_base_url != NULL && api_base_url[0] != '\0') {
		n = snprintf(out, outlen, "%s", api_base_url);
	} else {
		if (host == NULL || !host_valid(host))
			return (-1);
		n = snprintf(out, outlen, HTTP_SCHEME "%s", host);
	}

	if (n < 0 || (size_t)n >= outlen) {
		if (outlen > 0)
			out[0] = '\0';
		return (-1);
	}

	return (0);
}

void
uploader_sharex(struct json_out *out, const char *key, const char *name,
    const char *base, const char *link_base, const char *secret)
{
	char	*label, *url, *link, *bearer;

	/* A failed asprintf leaves its pointer undefined: NULL it. */
	label = url = link = bearer = NULL;
	if (asprintf(&label, "reactbin (%s)", name) == -1)
		label = NULL;
	if (asprintf(&url, "%s" UPLOAD_PATH, base) == -1)
		url = NULL;
	if (asprintf(&link, SHAREX_URL_FMT, link_base) == -1)
		link = NULL;
	if (asprintf(&bearer, "Bearer %s", secret) == -1)
		bearer = NULL;
	if (label == NULL || url == NULL || link == NULL || bearer == NULL) {
		out->failed = 1;
		goto done;
	}

	json_open(out, key);
	json_put_string(out, "Version", SHAREX_VERSION);
	json_put_string(out, "Name", label);
	json_put_string(out, "DestinationType", SHAREX_DESTINATIONS);
	json_put_string(out, "RequestMethod", "POST");
	json_put_string(out, "RequestURL", url);
	json_open(out, "Headers");
	json_put_string(out, "Authorization", bearer);
	json_close(out);
	json_put_string(out, "Body", "Binary");
	json_put_string(out, "URL", link);
	json_put_string(out, "ErrorMessage", SHAREX_ERROR);
	json_close(out);

done:
	free(label);
	free(url);
	free(link);
	if (bearer != NULL)
		explicit_bzero(bearer, strlen(bearer));
	free(bearer);
}

char *
uploader_flameshot(const char *name, const char *base, const char *secret)
{
	char	*quoted, *script;

	if ((quoted = shell_quote(base)) == NULL)
		return (NULL);

	if (asprintf(&script, flameshot_template, name, quoted, secret) == -1)
		script = NULL;
	free(quoted);

	return (script);
}

/*
 * A host as a Host header may carry it, strictly: a name or IPv4
 * address of letters, digits, '.' and '-', or an IPv6 address in
 * brackets, then an optional ":port". Anything else could make the
 * script's URL mean something else.
 */
static int
host_valid(const char *host)
{
	const char	*p, *colon;
	size_t		 len, digits;

	if (host[0] == '[') {
		if ((p = strchr(host, ']')) == NULL || p == host + 1)
			return (0);
		if (strspn(host + 1, "0123456789abcdefABCDEF:.") !=
		    (size_t)(p - host - 1))
			return (0);
		colon = p[1] == ':' ? p + 1 : NULL;
		if (colon == NULL && p[1] != '\0')
			return (0);
	} else {
		colon = strchr(host, ':');
		len = colon != NULL ? (size_t)(colon - host) : strlen(host);
		if (len == 0 || len > HOST_NAME_MAX_LEN)
			return (0);
		if (strspn(host, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != len)
			return (0);
	}

	if (colon == NULL)
		return (1);

	digits = strlen(colon + 1);
	return (digits > 0 && digits <= PORT_DIGITS_MAX &&
	    strspn(colon + 1, "0123456789") == digits);
}

/* s as one single-quoted shell word, in a fresh buffer. */
static char *
shell_quote(const char *s)
{
	char	*out;
	size_t	 len, n;

	len = 3;
	for (n = 0; s[n] != '\0'; n++)
		len += s[n] == '\'' ? strlen(SHELL_QUOTE_ESCAPE) : 1;

	if ((out = malloc(len)) == NULL)
		return (NULL);

	n = 0;
	out[n++] = '\'';
	for (; *s != '\0'; s++) {
		if (*s == '\'') {
			memcpy(out + n, SHELL_QUOTE_ESCAPE,
			    strlen(SHELL_QUOTE_ESCAPE));
			n += strlen(SHELL_QUOTE_ESCAPE);
		} else {
			out[n++] = *s;
		}
	}
	out[n++] = '\'';
	out[n] = '\0';

	return (out);
}
