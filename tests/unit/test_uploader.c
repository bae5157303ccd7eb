/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for uploader.c: the base the configurations are built on
 * (API_BASE_URL, else a Host header that is a host), ShareX's fields,
 * and the Flameshot script's values, quoted for the shell.
 */

#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#include "json.h"
#include "uploader.h"

#define SECRET	"rb_0123456789ab_0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

static void
test_base(void **state)
{
	char	out[UPLOADER_BASE_MAX];

	(void)state;

	assert_int_equal(uploader_base("https://r.example", "ignored:1", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "https://r.example");
	assert_int_equal(uploader_base("", "r.example:8000", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "http://r.example:8000");
	assert_int_equal(uploader_base(NULL, "127.0.0.1", out, sizeof(out)),
	    0);
	assert_string_equal(out, "http://127.0.0.1");
	assert_int_equal(uploader_base("", "[::1]:8000", out, sizeof(out)),
	    0);
	assert_string_equal(out, "http://[::1]:8000");
	assert_int_equal(uploader_base("", "[::1]", out, sizeof(out)), 0);

	/* No host, or one that is no host name, makes no base. */
	assert_int_equal(uploader_base("", NULL, out, sizeof(out)), -1);
	assert_int_equal(uploader_base("", "", out, sizeof(out)), -1);
	assert_int_equal(uploader_base("", "a b", out, sizeof(out)), -1);
	assert_int_equal(uploader_base("", "x';rm -rf ~;'", out, sizeof(out)),
	    -1);
	assert_int_equal(uploader_base("", "host:", out, sizeof(out)), -1);
	assert_int_equal(uploader_base("", "host:123456", out, sizeof(out)),
	    -1);
	assert_int_equal(uploader_base("", "host:80x", out, sizeof(out)), -1);
	assert_int_equal(uploader_base("", "[::1", out, sizeof(out)), -1);
	assert_int_equal(uploader_base("", "[]", out, sizeof(out)), -1);
	assert_int_equal(uploader_base("", "[::1]x", out, sizeof(out)), -1);
	assert_int_equal(uploader_base("", "a/b", out, sizeof(out)), -1);
	assert_int_equal(uploader_base("https://r.example", NULL, out, 8), -1);
}

static const char *
member(yajl_val obj, const char *a, const char *b)
{
	const char	*path[] = { a, b, NULL };
	yajl_val	 v;

	v = yajl_tree_get(obj, path, yajl_t_string);
	return (v != NULL ? YAJL_GET_STRING(v) : NULL);
}

static void
test_sharex(void **state)
{
	struct json_out		 out;
	const unsigned char	*body;
	yajl_val		 tree, sx;
	size_t			 len;
	char			 err[128];

	(void)state;

	assert_int_equal(json_out_init(&out), 0);
	json_open(&out, NULL);
	uploader_sharex(&out, "sharex", "my \"laptop\"", "http://h:1",
	    "http://h:1", SECRET);
	json_close(&out);
	assert_int_equal(json_out_body(&out, &body, &len), 0);

	tree = json_parse_object(body, len, err, sizeof(err));
	assert_non_null(tree);
	sx = yajl_tree_get(tree, (const char *[]){ "sharex", NULL },
	    yajl_t_object);
	assert_non_null(sx);
	assert_string_equal(member(sx, "Version", NULL), "15.0.0");
	assert_string_equal(member(sx, "Name", NULL),
	    "reactbin (my \"laptop\")");
	assert_string_equal(member(sx, "DestinationType", NULL),
	    "ImageUploader, FileUploader");
	assert_string_equal(member(sx, "RequestMethod", NULL), "POST");
	assert_string_equal(member(sx, "RequestURL", NULL),
	    "http://h:1/api/v1/reactions");
	assert_string_equal(member(sx, "Headers", "Authorization"),
	    "Bearer " SECRET);
	assert_string_equal(member(sx, "Body", NULL), "Binary");
	assert_string_equal(member(sx, "URL", NULL), "http://h:1{json:file_url}");
	assert_string_equal(member(sx, "ErrorMessage", NULL),
	    "{json:error.message}");
	yajl_tree_free(tree);
	json_out_free(&out);

	/* With API_BASE_URL, file_url has its host already. */
	assert_int_equal(json_out_init(&out), 0);
	json_open(&out, NULL);
	uploader_sharex(&out, "sharex", "x", "https://r.example", "", SECRET);
	json_close(&out);
	assert_int_equal(json_out_body(&out, &body, &len), 0);
	tree = json_parse_object(body, len, err, sizeof(err));
	assert_non_null(tree);
	sx = yajl_tree_get(tree, (const char *[]){ "sharex", NULL },
	    yajl_t_object);
	assert_string_equal(member(sx, "URL", NULL), "{json:file_url}");
	yajl_tree_free(tree);
	json_out_free(&out);
}

static void
test_flameshot(void **state)
{
	char	*script;

	(void)state;

	script = uploader_flameshot("laptop", "http://h:1", SECRET);
	assert_non_null(script);
	assert_int_equal(strncmp(script, "#!/usr/bin/env bash\n",
	    strlen("#!/usr/bin/env bash\n")), 0);
	assert_non_null(strstr(script, "\nbase='http://h:1'\n"));
	assert_non_null(strstr(script, "\nkey='" SECRET "'\n"));
	assert_non_null(strstr(script, "flameshot gui --raw"));
	assert_non_null(strstr(script, "REACTBIN_SCREENSHOT"));
	assert_non_null(strstr(script, "\"$base/api/v1/reactions\""));
	assert_non_null(strstr(script, "-w '%{http_code}'"));
	assert_non_null(strstr(script, "wl-copy"));
	assert_non_null(strstr(script, "xclip -selection clipboard"));
	assert_non_null(strstr(script, "the API key \"laptop\""));
	free(script);

	/* A "'" in the base cannot end the shell word early. */
	script = uploader_flameshot("x", "https://r.example/it's", SECRET);
	assert_non_null(script);
	assert_non_null(strstr(script, "\nbase='https://r.example/it'\\''s'\n"));
	free(script);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_sharex),
		cmocka_unit_test(test_flameshot),
	};

	return (cmocka_run_group_tests_name("uploader", tests, NULL, NULL));
}
