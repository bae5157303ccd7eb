/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The owner's login check (OWNER_USERNAME / OWNER_PASSWORD), in constant
 * time. Pure: no Kore, no network.
 */

#ifndef REACTBIN_CREDENTIALS_H
#define REACTBIN_CREDENTIALS_H

#include <stddef.h>

/*
 * Compare the presented username/password with the owner's in constant
 * time: both are hashed with SHA-256 (so lengths do not leak through timing)
 * and compared with CRYPTO_memcmp; both must match. Returns 1 on match, 0
 * otherwise. Inputs are (pointer,len) so embedded NULs are compared as bytes;
 * want_user and want_pass are NUL-terminated.
 */
int	credentials_match(const char *want_user, const char *want_pass,
	    const char *user, size_t user_len, const char *pass,
	    size_t pass_len);

#endif
