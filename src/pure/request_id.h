/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * X-Request-Id: keep a caller's sane id, otherwise make a fresh random one.
 * Pure: no Kore, no network.
 */

#ifndef REACTBIN_REQUEST_ID_H
#define REACTBIN_REQUEST_ID_H

#include <stddef.h>

#define REQUEST_ID_MAX			128
#define REQUEST_ID_GENERATED_LEN	32

/* A caller's X-Request-Id is kept when it is 1..128 chars of [A-Za-z0-9._-]. */
int	request_id_valid(const char *s);		/* 1 or 0; NULL → 0 */

/*
 * A fresh random id: 32 lowercase hex chars from OpenSSL RAND_bytes
 * (drawn ahead, a pool per process).
 * outlen >= 33. Returns 0 / -1 (out is then the empty string if outlen > 0).
 */
int	request_id_generate(char *out, size_t outlen);

#endif
