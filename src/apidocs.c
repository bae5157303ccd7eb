/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The API's own description: the OpenAPI document at
 * /api/v1/openapi.json and Swagger UI on it at /api/docs, all from files
 * kodev compiles in from assets/docs/ (Swagger UI's two files are copied
 * there from npm by tools/vendor-apidocs, and are not in git). Served as
 * the web app's files are (fileset.c): built once in the parent, gzip'd
 * once, revalidated by ETag; the page's files under the version of all
 * of them, cached for a year.
 */

#include "app.h"
#include "assets.h"
#include "log.h"

#define DOCUMENT_CONTENT_TYPE	"application/json"

/* The page's files: /api/docs/<version>/<name>. */
#define APIDOCS_ASSET_PREFIX	"/api/docs/"

/*
 * Swagger UI's script, style sheet and icons, and the page's own script
 * (no inline script: the policy allows none). Nothing comes from another
 * origin, and the page makes no request but for the document.
 */
#define APIDOCS_CSP							\
	"default-src 'none'; script-src 'self'; style-src 'self'; "	\
	"img-src 'self'; font-src 'self'; connect-src 'self'; "	\
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

/*
 * The style sheet's icons were data: URIs, which the policy refuses:
 * tools/openapi/vendor.mjs makes each a file the sheet names, and stops
 * when a Swagger UI has another count of them than this list. The page's
 * icon is the web app's.
 */
static const struct fileset_file apidocs_files[] = {
	FILESET_FILE("swagger-ui-bundle.js", swagger_ui_bundle_js),
	FILESET_FILE("swagger-ui.css", swagger_ui_css),
	FILESET_FILE("docs.js", docs_js),
	FILESET_FILE("icon.svg", icon_svg),
	FILESET_FILE("swagger-ui-img-1.svg", swagger_ui_img_1_svg),
	FILESET_FILE("swagger-ui-img-2.svg", swagger_ui_img_2_svg),
	FILESET_FILE("swagger-ui-img-3.svg", swagger_ui_img_3_svg),
	FILESET_FILE("swagger-ui-img-4.svg", swagger_ui_img_4_svg),
	FILESET_FILE("swagger-ui-img-5.svg", swagger_ui_img_5_svg),
	FILESET_FILE("swagger-ui-img-6.svg", swagger_ui_img_6_svg),
	FILESET_FILE("swagger-ui-img-7.svg", swagger_ui_img_7_svg),
	FILESET_FILE("swagger-ui-img-8.svg", swagger_ui_img_8_svg),
	FILESET_FILE("swagger-ui-img-9.svg", swagger_ui_img_9_svg),
	FILESET_FILE("swagger-ui-img-10.svg", swagger_ui_img_10_svg),
};

#define APIDOCS_FILES	(sizeof(apidocs_files) / sizeof(apidocs_files[0]))

/* Built once in the parent; the workers inherit it. */
static struct fileset_body	apidocs_bodies[APIDOCS_FILES];
static struct fileset		apidocs = {
	.what = "apidocs",
	.prefix = APIDOCS_ASSET_PREFIX,
	.files = apidocs_files,
	.nfiles = APIDOCS_FILES,
	.bodies = apidocs_bodies,
};
static struct fileset_body	apidocs_document;

int	openapi_document(struct http_request *);
int	apidocs_page(struct http_request *);
int	apidocs_asset(struct http_request *);

int
apidocs_init(void)
{
	struct webpage_var	var;

	if (fileset_init(&apidocs, asset_sha256_docs_html) == -1)
		return (-1);

	if (fileset_body_init(&apidocs_document, asset_openapi_json,
	    asset_len_openapi_json, asset_sha256_openapi_json) == -1) {
		log_error("event=apidocs_failed reason=gzip file=openapi.json");
		return (-1);
	}

	/* The page names its files by version. */
	var.name = "VERSION";
	var.value = apidocs.version;
	return (fileset_page(&apidocs, asset_docs_html, asset_len_docs_html,
	    &var, 1));
}

/* GET and HEAD of /api/v1/openapi.json: public, like the page. */
int
openapi_document(struct http_request *req)
{
	reply_common_headers(req);
	http_response_header(req, "content-type", DOCUMENT_CONTENT_TYPE);
	fileset_send(req, &apidocs_document, FILESET_REVALIDATE);
	return (KORE_RESULT_OK);
}

/* GET and HEAD of /api/docs. */
int
apidocs_page(struct http_request *req)
{
	fileset_send_page(req, &apidocs, APIDOCS_CSP);
	return (KORE_RESULT_OK);
}

/*
 * GET and HEAD of /api/docs/<version>/<name>; another version (a page of
 * another release) gets today's file, with no promise to keep it.
 */
int
apidocs_asset(struct http_request *req)
{
	fileset_send_file(req, &apidocs);
	return (KORE_RESULT_OK);
}
