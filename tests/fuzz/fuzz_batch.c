/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for the bodies of the bulk edit and of a new API key
 * (batch.h, apikey.h), and for bearers (apikey_parse). The first byte
 * picks which; the rest is a request body, or a bearer (an exact-size
 * heap copy). Checked besides memory errors: a refusal names a field and
 * says why; an accepted bulk edit has 1 to 500 canonical ids, each once,
 * tag sets as tags.h promises them, and exactly one of delete and tag
 * changes, and its ids join into their buffer; an accepted key request
 * has a valid name and one of the two scopes; a bearer taken as a key
 * has the key's exact form and its prefix.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apikey.h"
#include "batch.h"
#include "json.h"
#include "tags.h"
#include "uuid.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum fuzz_op {
	OP_BATCH,
	OP_KEY_REQUEST,
	OP_BEARER,
	OP_COUNT
};

#define ERR_MAX		128

static void	check_batch(const struct batch_request *);

static void
check_batch(const struct batch_request *r)
{
	uint8_t	raw[UUID_BYTES];
	char	again[UUID_TEXT_LEN + 1], *joined;
	size_t	i, k;

	if (r->nids < 1 || r->nids > BATCH_IDS_MAX)
		abort();
	for (i = 0; i < r->nids; i++) {
		if (uuid_from_text(r->ids[i], strlen(r->ids[i]), raw) != 0)
			abort();
		uuid_to_text(raw, again);
		if (strcmp(again, r->ids[i]) != 0)
			abort();
		for (k = 0; k < i; k++)
			if (!strcmp(r->ids[k], r->ids[i]))
				abort();
	}
	fuzz_tag_set_check(&r->add);
	fuzz_tag_set_check(&r->remove);
	if (r->delete == (r->add.count > 0 || r->remove.count > 0))
		abort();

	if ((joined = malloc(BATCH_IDS_JOINED_MAX)) == NULL)
		abort();
	if (batch_ids_join(r, joined, BATCH_IDS_JOINED_MAX) != 0 ||
	    strlen(joined) != r->nids * (UUID_TEXT_LEN + 1) - 1)
		abort();
	free(joined);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct batch_request	*r;
	struct apikey_request	 kr;
	yajl_val		 tree;
	const char		*field, *message;
	char			 err[ERR_MAX], prefix[APIKEY_PREFIX_LEN + 1];
	char			*s;
	int			 op, ret;

	if ((op = fuzz_mode_byte(&data, &size, OP_COUNT)) == -1)
		return (0);

	if (op == OP_BEARER) {
		s = fuzz_strdup(data, size);
		if (apikey_parse(s, prefix) == 0) {
			if (strlen(s) != APIKEY_LEN || !apikey_is_key(s) ||
			    strlen(prefix) != APIKEY_PREFIX_LEN ||
			    memcmp(s + 3, prefix, APIKEY_PREFIX_LEN) != 0)
				abort();
		} else if (prefix[0] != '\0')
			abort();
		free(s);
		return (0);
	}

	if ((tree = json_parse_object(data, size, err, sizeof(err))) == NULL)
		return (0);

	field = message = NULL;
	if (op == OP_BATCH) {
		if ((r = malloc(sizeof(*r))) == NULL)
			abort();
		ret = batch_parse(tree, r, &field, &message);
		if (ret == 0)
			check_batch(r);
		free(r);
	} else {
		ret = apikey_request_parse(tree, &kr, &field, &message);
		if (ret == 0 && (kr.scope == NULL ||
		    (strcmp(kr.scope, APIKEY_SCOPE_UPLOAD) &&
		    strcmp(kr.scope, APIKEY_SCOPE_FULL)) ||
		    kr.name[0] == '\0' ||
		    !tag_title_valid(kr.name, strlen(kr.name))))
			abort();
	}
	if (ret != 0 && (field == NULL || message == NULL ||
	    message[0] == '\0'))
		abort();

	yajl_tree_free(tree);
	return (0);
}
