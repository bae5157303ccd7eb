/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The owner's web app, served from the files kodev compiles in from
 * assets/app/. The page (/ and the app's own paths) is rendered once in
 * the parent from its template, with the assets' version in every URL it
 * names, and is revalidated by the browser on each load; the assets live
 * under /app/<version>/ and are cached for a year, since any change to
 * any of them changes the version. The API stays under /api/.
 */

#include <stdio.h>

#include "app.h"
#include "assets.h"
#include "log.h"

/* Room for MAX_UPLOAD_BYTES as decimal text. */
#define NUMBER_TEXT_MAX		24

/* What /app/<version>/ serves; assets/app/ holds these and index.html. */
static const struct fileset_file webapp_files[] = {
	FILESET_FILE("app.css", app_css),
	FILESET_FILE("icon.svg", icon_svg),
	FILESET_FILE("main.js", main_js),
	FILESET_FILE("api.js", api_js),
	FILESET_FILE("dom.js", dom_js),
	FILESET_FILE("query.js", query_js),
	FILESET_FILE("tagbox.js", tagbox_js),
	FILESET_FILE("search.js", search_js),
	FILESET_FILE("grid.js", grid_js),
	FILESET_FILE("detail.js", detail_js),
	FILESET_FILE("uploads.js", uploads_js),
	FILESET_FILE("login.js", login_js),
	FILESET_FILE("terms.js", terms_js),
	FILESET_FILE("ui.js", ui_js),
	FILESET_FILE("select.js", select_js),
	FILESET_FILE("views.js", views_js),
	FILESET_FILE("tagsview.js", tagsview_js),
	FILESET_FILE("keysview.js", keysview_js),
	FILESET_FILE("exportview.js", exportview_js),
};

#define WEBAPP_FILES	(sizeof(webapp_files) / sizeof(webapp_files[0]))

/* Built once in the parent; the workers inherit it. */
static struct fileset_body	webapp_bodies[WEBAPP_FILES];
static struct fileset		webapp = {
	.what = "webapp",
	.prefix = WEBPAGE_ASSET_PREFIX,
	.files = webapp_files,
	.nfiles = WEBAPP_FILES,
	.bodies = webapp_bodies,
};
static char			webapp_csp[WEBPAGE_CSP_MAX];

int	webapp_page(struct http_request *);
int	webapp_asset(struct http_request *);

int
webapp_init(void)
{
	struct webpage_var	 vars[2];
	char			 limit[NUMBER_TEXT_MAX];
	int			 n;

	if (fileset_init(&webapp, asset_sha256_index_html) == -1)
		return (-1);

	/* The page names the files by version and holds the upload limit. */
	n = snprintf(limit, sizeof(limit), "%llu",
	    (unsigned long long)app_config.max_upload_bytes);
	if (n < 0 || (size_t)n >= sizeof(limit))
		return (-1);
	vars[0].name = "VERSION";
	vars[0].value = webapp.version;
	vars[1].name = "MAX_UPLOAD_BYTES";
	vars[1].value = limit;
	if (fileset_page(&webapp, asset_index_html, asset_len_index_html, vars,
	    sizeof(vars) / sizeof(vars[0])) == -1)
		return (-1);

	/* The API may be on another origin (API_BASE_URL): the policy says. */
	if (webpage_csp(app_config.api_base_url, webapp_csp,
	    sizeof(webapp_csp)) == -1) {
		log_error("event=webapp_failed reason=csp");
		return (-1);
	}

	return (0);
}

/* GET and HEAD of / and of the app's paths: the page, same for all. */
int
webapp_page(struct http_request *req)
{
	fileset_send_page(req, &webapp, webapp_csp);
	return (KORE_RESULT_OK);
}

/*
 * GET and HEAD of /app/<version>/<name>. A version other than ours is
 * a page of another release (a rolling update, a tab left open): it
 * gets our file, and no promise that the name will hold it forever.
 */
int
webapp_asset(struct http_request *req)
{
	fileset_send_file(req, &webapp);
	return (KORE_RESULT_OK);
}
