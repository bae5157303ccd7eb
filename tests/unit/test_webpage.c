/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for webpage.c: the asset version, the page template, the
 * policy's origin and the asset paths.
 */

#include <stdlib.h>

#include <zlib.h>

#include "testutil.h"

#include "webpage.h"

static void
test_version(void **state)
{
	const char *const	one[] = { "\"aa\"", "\"bb\"" };
	const char *const	two[] = { "\"aa\"", "\"bc\"" };
	const char *const	joined[] = { "\"aa\"\"b", "b\"" };
	char			a[WEBPAGE_VERSION_LEN + 1];
	char			b[WEBPAGE_VERSION_LEN + 1];
	char			c[WEBPAGE_VERSION_LEN + 1];
	size_t			i;

	(void)state;
	assert_int_equal(webpage_version(one, 2, a, sizeof(a)), 0);
	assert_int_equal(strlen(a), WEBPAGE_VERSION_LEN);
	for (i = 0; i < WEBPAGE_VERSION_LEN; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));

	/* One file changed, or the same bytes split otherwise: new name. */
	assert_int_equal(webpage_version(two, 2, b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(webpage_version(joined, 2, c, sizeof(c)), 0);
	assert_string_not_equal(a, c);

	/* The same files: the same name, in every process. */
	assert_int_equal(webpage_version(one, 2, b, sizeof(b)), 0);
	assert_string_equal(a, b);

	assert_int_equal(webpage_version(one, 2, a, WEBPAGE_VERSION_LEN), -1);
}

static void
test_render(void **state)
{
	static const char		tmpl[] =
	    "<a href=/app/@V@/x.js>@V@@LIMIT@ me@host @V @@</a>";
	const struct webpage_var	vars[] = {
		{ "V", "0123" },
		{ "LIMIT", "42" },
	};
	char				*out;
	size_t				 len;

	(void)state;
	out = webpage_render(tmpl, sizeof(tmpl) - 1, vars, 2, &len);
	assert_non_null(out);
	assert_string_equal(out,
	    "<a href=/app/0123/x.js>012342 me@host @V @@</a>");
	assert_int_equal(len, strlen(out));
	free(out);

	/* A mark cut off at the end of the template is left alone. */
	out = webpage_render("x@V", 3, vars, 2, &len);
	assert_non_null(out);
	assert_string_equal(out, "x@V");
	free(out);

	out = webpage_render("", 0, vars, 2, &len);
	assert_non_null(out);
	assert_int_equal(len, 0);
	free(out);
}

static void
test_origin(void **state)
{
	char	o[WEBPAGE_ORIGIN_MAX];

	(void)state;
	assert_int_equal(webpage_origin("", o, sizeof(o)), 0);
	assert_string_equal(o, "");
	assert_int_equal(webpage_origin("https://Cdn.Example.com/r/base", o,
	    sizeof(o)), 0);
	assert_string_equal(o, "https://cdn.example.com");
	assert_int_equal(webpage_origin("http://127.0.0.1:8000", o,
	    sizeof(o)), 0);
	assert_string_equal(o, "http://127.0.0.1:8000");
	assert_int_equal(webpage_origin("http://[::1]:8000/x", o, sizeof(o)),
	    0);
	assert_string_equal(o, "http://[::1]:8000");

	assert_int_equal(webpage_origin("ftp://example.com", o, sizeof(o)), -1);
	assert_int_equal(webpage_origin("https://", o, sizeof(o)), -1);
	assert_int_equal(webpage_origin("https:///x", o, sizeof(o)), -1);
	/* Nothing that could end a directive or split the header. */
	assert_int_equal(webpage_origin("https://a;script-src *", o,
	    sizeof(o)), -1);
	assert_string_equal(o, "");
	assert_int_equal(webpage_origin("https://a\r\nx: y", o, sizeof(o)),
	    -1);
	assert_int_equal(webpage_origin("https://a'b", o, sizeof(o)), -1);
	assert_int_equal(webpage_origin("https://example.com", o, 8), -1);
}

static void
test_csp(void **state)
{
	char	csp[WEBPAGE_CSP_MAX];

	(void)state;
	assert_int_equal(webpage_csp("", csp, sizeof(csp)), 0);
	assert_string_equal(csp, "default-src 'none'; script-src 'self'; "
	    "style-src 'self'; img-src 'self' blob:; media-src 'self'; "
	    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
	    "form-action 'self'");

	assert_int_equal(webpage_csp("https://r.example.com/base/", csp,
	    sizeof(csp)), 0);
	assert_non_null(strstr(csp,
	    "img-src 'self' blob: https://r.example.com; "));
	assert_non_null(strstr(csp, "media-src 'self' https://r.example.com; "));
	assert_non_null(strstr(csp, "script-src 'self'; "));
	assert_null(strstr(csp, "/base"));

	assert_int_equal(webpage_csp("https://a b", csp, sizeof(csp)), -1);
	assert_int_equal(webpage_csp("", csp, 16), -1);
}

static void
test_asset_path(void **state)
{
	const char	*v = "0123456789abcdef";
	const char	*name;
	int		 current;

	(void)state;
	assert_int_equal(webpage_asset_path("/app/0123456789abcdef/main.js", v,
	    &name, &current), 0);
	assert_string_equal(name, "main.js");
	assert_int_equal(current, 1);

	assert_int_equal(webpage_asset_path("/app/fedcba9876543210/app.css", v,
	    &name, &current), 0);
	assert_string_equal(name, "app.css");
	assert_int_equal(current, 0);

	assert_int_equal(webpage_asset_path("/app/0123456789ABCDEF/main.js", v,
	    &name, &current), -1);
	assert_int_equal(webpage_asset_path("/app/0123456789abcde/main.js", v,
	    &name, &current), -1);
	assert_int_equal(webpage_asset_path("/app/0123456789abcdef/", v,
	    &name, &current), -1);
	assert_int_equal(webpage_asset_path("/app/0123456789abcdef/a/b.js", v,
	    &name, &current), -1);
	assert_int_equal(webpage_asset_path("/api/0123456789abcdef/main.js", v,
	    &name, &current), -1);
	assert_int_equal(webpage_asset_path("/app/", v, &name, &current), -1);
}

/* The API docs' files, under a prefix of their own. */
static void
test_asset_path_in(void **state)
{
	const char	*v = "0123456789abcdef";
	const char	*name;
	int		 current;

	(void)state;
	assert_int_equal(webpage_asset_path_in("/api/docs/",
	    "/api/docs/0123456789abcdef/swagger-ui.css", v, &name, &current), 0);
	assert_string_equal(name, "swagger-ui.css");
	assert_int_equal(current, 1);

	assert_int_equal(webpage_asset_path_in("/api/docs/",
	    "/api/docs/fedcba9876543210/docs.js", v, &name, &current), 0);
	assert_string_equal(name, "docs.js");
	assert_int_equal(current, 0);

	/* Another page's prefix, or none, is not this one's. */
	assert_int_equal(webpage_asset_path_in("/api/docs/",
	    "/app/0123456789abcdef/main.js", v, &name, &current), -1);
	assert_int_equal(webpage_asset_path_in("/api/docs/",
	    "/api/docs0123456789abcdef/docs.js", v, &name, &current), -1);
	assert_int_equal(webpage_asset_path_in("/api/docs/",
	    "/api/docs/0123456789abcdef/a/docs.js", v, &name, &current), -1);
	assert_int_equal(webpage_asset_path_in("/api/docs/", "/api/docs/", v,
	    &name, &current), -1);
}

static void
test_gzip(void **state)
{
	unsigned char	 text[4096], back[sizeof(text)];
	unsigned char	*gz;
	z_stream	 zs;
	size_t		 i, len;

	(void)state;
	for (i = 0; i < sizeof(text); i++)
		text[i] = "export const a = 1;\n"[i % 20];

	gz = webpage_gzip(text, sizeof(text), &len);
	assert_non_null(gz);
	assert_true(len < sizeof(text) / 4);
	/* RFC 1952: the gzip magic, then deflate. */
	assert_int_equal(gz[0], 0x1f);
	assert_int_equal(gz[1], 0x8b);

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = gz;
	zs.avail_in = (uInt)len;
	zs.next_out = back;
	zs.avail_out = sizeof(back);
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	assert_int_equal(zs.total_out, sizeof(text));
	assert_memory_equal(back, text, sizeof(text));
	(void)inflateEnd(&zs);
	free(gz);

	gz = webpage_gzip("", 0, &len);
	assert_non_null(gz);
	assert_true(len > 0);
	free(gz);
}

static void
test_accepts_gzip(void **state)
{
	(void)state;
	assert_int_equal(webpage_accepts_gzip(NULL), 0);
	assert_int_equal(webpage_accepts_gzip(""), 0);
	assert_int_equal(webpage_accepts_gzip("gzip"), 1);
	assert_int_equal(webpage_accepts_gzip("gzip, deflate, br, zstd"), 1);
	assert_int_equal(webpage_accepts_gzip("br,GZIP"), 1);
	assert_int_equal(webpage_accepts_gzip("deflate, br"), 0);
	assert_int_equal(webpage_accepts_gzip("identity"), 0);
	assert_int_equal(webpage_accepts_gzip("gzip;q=0.5"), 1);
	assert_int_equal(webpage_accepts_gzip("gzip ; q=1.0"), 1);
	assert_int_equal(webpage_accepts_gzip("gzip;q=0"), 0);
	assert_int_equal(webpage_accepts_gzip("gzip; q=0.000"), 0);
	assert_int_equal(webpage_accepts_gzip("*"), 1);
	assert_int_equal(webpage_accepts_gzip("*;q=0"), 0);
	/* An explicit refusal wins over the wildcard, either order. */
	assert_int_equal(webpage_accepts_gzip("gzip;q=0, *"), 0);
	assert_int_equal(webpage_accepts_gzip("*, gzip;q=0"), 0);
	/* Names that only start like gzip are other codings. */
	assert_int_equal(webpage_accepts_gzip("gzipx, x-gzip2"), 0);
	assert_int_equal(webpage_accepts_gzip(",,gzip,,"), 1);
	assert_int_equal(webpage_accepts_gzip("gzip;q=0.0000000001"), 1);
}

static void
test_content_type(void **state)
{
	(void)state;
	assert_string_equal(webpage_content_type("main.js"),
	    "text/javascript; charset=utf-8");
	assert_string_equal(webpage_content_type("app.css"),
	    "text/css; charset=utf-8");
	assert_string_equal(webpage_content_type("icon.svg"), "image/svg+xml");
	assert_null(webpage_content_type("index.html"));
	assert_null(webpage_content_type(".js"));
	assert_null(webpage_content_type("main.jsx"));
	assert_null(webpage_content_type(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_csp),
		cmocka_unit_test(test_asset_path),
		cmocka_unit_test(test_asset_path_in),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_accepts_gzip),
		cmocka_unit_test(test_content_type),
	};

	return (cmocka_run_group_tests_name("webpage", tests, NULL, NULL));
}
