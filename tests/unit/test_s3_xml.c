/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for s3_xml.c: answers as AWS documents them and as Ceph RGW
 * writes them (a declaration, a namespace, no whitespace or pretty
 * printed), errors, entities, and the CompleteMultipartUpload body.
 */

#include <stdlib.h>

#include "testutil.h"

#include "s3_xml.h"

#define LIT(s)		(s), (sizeof(s) - 1)

struct seen {
	int	count;
	char	keys[4][64];
	char	ids[4][64];
};

static void
collect(void *arg, const char *key, const char *id)
{
	struct seen	*s = arg;

	assert_true(s->count < 4);
	(void)strcpy(s->keys[s->count], key);
	(void)strcpy(s->ids[s->count], id);
	s->count++;
}

static void
test_upload_id(void **state)
{
	static const char aws[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<InitiateMultipartUploadResult "
	    "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
	    "  <Bucket>example-bucket</Bucket>\n"
	    "  <Key>example-object</Key>\n"
	    "  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"
	    "</UploadId>\n</InitiateMultipartUploadResult>";
	static const char rgw[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/"
	    "doc/2006-03-01/\"><Tenant></Tenant><Bucket>b</Bucket>"
	    "<Key>reactions/x</Key><UploadId>2~Gx7Q&amp;8&#x41;&#66;</UploadId>"
	    "</InitiateMultipartUploadResult>";
	char	id[S3_XML_ID_MAX + 1], small[8];

	(void)state;
	assert_int_equal(s3_xml_upload_id(LIT(aws), id, sizeof(id)), 0);
	assert_string_equal(id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5"
	    "tMnRzIHVwbG9hZA");
	assert_int_equal(s3_xml_upload_id(LIT(rgw), id, sizeof(id)), 0);
	assert_string_equal(id, "2~Gx7Q&8AB");
	assert_int_equal(s3_xml_upload_id(LIT(rgw), small, sizeof(small)), -1);

	assert_int_equal(s3_xml_upload_id(LIT("<Error><Code>AccessDenied"
	    "</Code><UploadId>x</UploadId></Error>"), id, sizeof(id)), -1);
	assert_int_equal(s3_xml_upload_id(LIT("<R><UploadId></UploadId></R>"),
	    id, sizeof(id)), -1);
	assert_int_equal(s3_xml_upload_id(LIT("<R><UploadId>a<b/></UploadId>"
	    "</R>"), id, sizeof(id)), -1);
	assert_int_equal(s3_xml_upload_id(LIT("<R><UploadId>a&#0;</UploadId>"
	    "</R>"), id, sizeof(id)), -1);
	assert_int_equal(s3_xml_upload_id(LIT("<R><UploadId>a&bogus;"
	    "</UploadId></R>"), id, sizeof(id)), -1);
	assert_int_equal(s3_xml_upload_id(LIT("<R><UploadId>abc"), id,
	    sizeof(id)), -1);
	assert_int_equal(s3_xml_upload_id(LIT(""), id, sizeof(id)), -1);
}

static void
test_is_error(void **state)
{
	(void)state;
	assert_int_equal(s3_xml_is_error(LIT("<?xml version=\"1.0\"?>\n"
	    "<!-- c --><Error><Code>InternalError</Code></Error>")), 1);
	assert_int_equal(s3_xml_is_error(LIT(
	    "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag>"
	    "</CompleteMultipartUploadResult>")), 0);
	assert_int_equal(s3_xml_is_error(LIT("not xml")), 1);
	assert_int_equal(s3_xml_is_error(LIT("")), 1);
	assert_int_equal(s3_xml_is_error(LIT("<Errors>")), 0);
}

static void
test_uploads(void **state)
{
	static const char list[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/"
	    "2006-03-01/\"><Bucket>b</Bucket><KeyMarker></KeyMarker>"
	    "<IsTruncated>false</IsTruncated>"
	    "<Upload><Key>reactions/a</Key><UploadId>2~one</UploadId>"
	    "<Initiated>2026-12-02T05:00:00.000Z</Initiated></Upload>"
	    "<Upload><UploadId>2~two</UploadId><Key>reactions/&lt;b&gt;</Key>"
	    "</Upload></ListMultipartUploadsResult>";
	struct seen	s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(s3_xml_uploads(LIT(list), collect, &s), 2);
	assert_string_equal(s.keys[0], "reactions/a");
	assert_string_equal(s.ids[0], "2~one");
	assert_string_equal(s.keys[1], "reactions/<b>");
	assert_string_equal(s.ids[1], "2~two");

	memset(&s, 0, sizeof(s));
	assert_int_equal(s3_xml_uploads(LIT("<ListMultipartUploadsResult>"
	    "</ListMultipartUploadsResult>"), collect, &s), 0);
	assert_int_equal(s3_xml_uploads(LIT("<Error><Upload><Key>k</Key>"
	    "<UploadId>i</UploadId></Upload></Error>"), collect, &s), -1);
	assert_int_equal(s3_xml_uploads(LIT("<ListMultipartUploadsResult>"
	    "<Upload><Key>k</Key></Upload></ListMultipartUploadsResult>"),
	    collect, &s), -1);
	assert_int_equal(s.count, 0);
}

static void
test_complete(void **state)
{
	static const char *const	etags[] = {
		"\"a54357aff0632cce46d942af68356b38\"", "\"x&<y>\"",
	};
	char				*body;
	const char			*bad[1];
	size_t				 len;

	(void)state;
	body = s3_xml_complete(etags, 2, &len);
	assert_non_null(body);
	assert_string_equal(body, "<CompleteMultipartUpload>"
	    "<Part><PartNumber>1</PartNumber>"
	    "<ETag>\"a54357aff0632cce46d942af68356b38\"</ETag></Part>"
	    "<Part><PartNumber>2</PartNumber>"
	    "<ETag>\"x&amp;&lt;y&gt;\"</ETag></Part>"
	    "</CompleteMultipartUpload>");
	assert_int_equal(len, strlen(body));
	free(body);

	assert_null(s3_xml_complete(etags, 0, &len));
	bad[0] = "";
	assert_null(s3_xml_complete(bad, 1, &len));
	bad[0] = "\"a\nb\"";
	assert_null(s3_xml_complete(bad, 1, &len));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upload_id),
		cmocka_unit_test(test_is_error),
		cmocka_unit_test(test_uploads),
		cmocka_unit_test(test_complete),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
