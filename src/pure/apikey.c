/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * API key form, generation and hashing (apikey.h).
 */

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <string.h>

#include "apikey.h"
#include "encoding.h"
#include "json.h"
#include "tags.h"

#define APIKEY_SEPARATOR	'_'
#define SHA256_BYTES		32
#define HEX_DIGITS		"0123456789abcdef"

#define MARK_LEN		(sizeof(APIKEY_MARK) - 1)

static int	hex_only(const char *, size_t);

int
apikey_is_key(const char *bearer)
{
	return (strncmp(bearer, APIKEY_MARK, MARK_LEN) == 0);
}

int
apikey_parse(const char *key, char prefix[APIKEY_PREFIX_LEN + 1])
{
	const char	*p;

	prefix[0] = '\0';
	if (strlen(key) != APIKEY_LEN || !apikey_is_key(key))
		return (-1);

	p = key + MARK_LEN;
	if (!hex_only(p, APIKEY_PREFIX_LEN) ||
	    p[APIKEY_PREFIX_LEN] != APIKEY_SEPARATOR ||
	    !hex_only(p + APIKEY_PREFIX_LEN + 1, APIKEY_SECRET_LEN))
		return (-1);

	memcpy(prefix, p, APIKEY_PREFIX_LEN);
	prefix[APIKEY_PREFIX_LEN] = '\0';
	return (0);
}

int
apikey_generate(char key[APIKEY_LEN + 1], char prefix[APIKEY_PREFIX_LEN + 1])
{
	unsigned char	raw[(APIKEY_PREFIX_LEN + APIKEY_SECRET_LEN) / 2];
	char		*p;

	key[0] = prefix[0] = '\0';
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return (-1);

	memcpy(key, APIKEY_MARK, MARK_LEN);
	p = key + MARK_LEN;
	/* Each encoding ends in a NUL: the separator replaces the first. */
	(void)enc_hex_encode(raw, APIKEY_PREFIX_LEN / 2, p);
	p[APIKEY_PREFIX_LEN] = APIKEY_SEPARATOR;
	(void)enc_hex_encode(raw + APIKEY_PREFIX_LEN / 2,
	    APIKEY_SECRET_LEN / 2, p + APIKEY_PREFIX_LEN + 1);
	key[APIKEY_LEN] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));

	memcpy(prefix, p, APIKEY_PREFIX_LEN);
	prefix[APIKEY_PREFIX_LEN] = '\0';
	return (0);
}

int
apikey_hash(const char *key, char hash[APIKEY_HASH_LEN + 1])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen;

	hash[0] = '\0';
	if (EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != SHA256_BYTES)
		return (-1);

	(void)enc_hex_encode(md, mdlen, hash);
	return (0);
}

int
apikey_hash_equal(const char *a, const char *b)
{
	/* Lengths are not secret: a stored hash always has 64 digits. */
	if (strlen(a) != APIKEY_HASH_LEN || strlen(b) != APIKEY_HASH_LEN)
		return (0);

	return (CRYPTO_memcmp(a, b, APIKEY_HASH_LEN) == 0);
}

int
apikey_request_parse(yajl_val body, struct apikey_request *r,
    const char **field, const char **message)
{
	const char	*key, *s;
	yajl_val	 value;
	size_t		 i, len;
	int		 has_name;

	memset(r, 0, sizeof(*r));
	has_name = 0;

	if (body == NULL || !YAJL_IS_OBJECT(body))
		return (json_refuse(field, message, "body",
		    "the body must be a JSON object"));

	for (i = 0; i < body->u.object.len; i++) {
		key = body->u.object.keys[i];
		value = body->u.object.values[i];

		if (!strcmp(key, "name")) {
			s = YAJL_IS_STRING(value) ? YAJL_GET_STRING(value) :
			    NULL;
			len = s != NULL ? strlen(s) : 0;
			if (s == NULL || len == 0 ||
			    len > APIKEY_NAME_MAX_BYTES ||
			    !tag_title_valid(s, len))
				return (json_refuse(field, message, "name",
				    "name must be 1-200 characters of UTF-8 "
				    "without control characters"));
			memcpy(r->name, s, len + 1);
			has_name = 1;
		} else if (!strcmp(key, "scope")) {
			s = YAJL_IS_STRING(value) ? YAJL_GET_STRING(value) :
			    "";
			if (!strcmp(s, APIKEY_SCOPE_UPLOAD))
				r->scope = APIKEY_SCOPE_UPLOAD;
			else if (!strcmp(s, APIKEY_SCOPE_FULL))
				r->scope = APIKEY_SCOPE_FULL;
			else
				return (json_refuse(field, message, "scope",
				    "scope must be \"upload\" or \"full\""));
		} else {
			return (json_refuse(field, message, key,
			    "unknown field; a key has a name and a scope"));
		}
	}

	if (!has_name)
		return (json_refuse(field, message, "name",
		    "name is required"));
	if (r->scope == NULL)
		return (json_refuse(field, message, "scope",
		    "scope is required: \"upload\" or \"full\""));

	return (0);
}

/* Lowercase hex digits only: what this module writes. */
static int
hex_only(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (strchr(HEX_DIGITS, s[i]) == NULL || s[i] == '\0')
			return (0);
	}

	return (1);
}
