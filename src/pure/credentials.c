/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Constant-time owner credential check, see credentials.h.
 *
 * Comparing the strings directly would leak, through timing, how long the
 * owner's username and password are and how many leading bytes a guess got
 * right. Both sides are hashed first so the comparison always covers the
 * same number of bytes, and both fields are always compared so the answer
 * takes as long whichever one is wrong.
 */

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "credentials.h"

static int	credentials_digest(const char *, size_t,
		    unsigned char [SHA256_DIGEST_LENGTH]);

int
credentials_match(const char *want_user, const char *want_pass,
    const char *user, size_t user_len, const char *pass, size_t pass_len)
{
	unsigned char	wu[SHA256_DIGEST_LENGTH], wp[SHA256_DIGEST_LENGTH];
	unsigned char	pu[SHA256_DIGEST_LENGTH], pp[SHA256_DIGEST_LENGTH];
	int		diff;

	if (want_user == NULL || want_pass == NULL)
		return (0);
	if ((user == NULL && user_len != 0) || (pass == NULL && pass_len != 0))
		return (0);

	if (credentials_digest(want_user, strlen(want_user), wu) == -1 ||
	    credentials_digest(want_pass, strlen(want_pass), wp) == -1 ||
	    credentials_digest(user, user_len, pu) == -1 ||
	    credentials_digest(pass, pass_len, pp) == -1)
		return (0);

	/* Both comparisons always run: no short-circuit on the username. */
	diff = CRYPTO_memcmp(wu, pu, sizeof(wu));
	diff |= CRYPTO_memcmp(wp, pp, sizeof(wp));

	OPENSSL_cleanse(wp, sizeof(wp));
	OPENSSL_cleanse(pp, sizeof(pp));

	return (diff == 0);
}

static int
credentials_digest(const char *data, size_t len,
    unsigned char md[SHA256_DIGEST_LENGTH])
{
	static const char	empty[1] = { '\0' };
	unsigned int		mdlen;

	/* EVP_Digest wants a valid pointer even for zero bytes. */
	if (data == NULL)
		data = empty;

	mdlen = 0;
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return (-1);
	if (mdlen != SHA256_DIGEST_LENGTH)
		return (-1);

	return (0);
}
