/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * ustar headers (tar.h).
 */

#include <stdio.h>
#include <string.h>

#include "tar.h"

/* Offsets and lengths of the header fields. */
#define OFF_NAME	0
#define OFF_MODE	100
#define LEN_MODE	8
#define OFF_UID		108
#define LEN_UID		8
#define OFF_GID		116
#define LEN_GID		8
#define OFF_SIZE	124
#define LEN_SIZE	12
#define OFF_MTIME	136
#define LEN_MTIME	12
#define OFF_CHKSUM	148
#define LEN_CHKSUM	8
#define OFF_TYPE	156
#define OFF_MAGIC	257
#define OFF_VERSION	263
#define OFF_UNAME	265
#define LEN_UNAME	32
#define OFF_GNAME	297
#define LEN_GNAME	32

#define TYPE_REGULAR	'0'
#define MAGIC		"ustar"		/* and its NUL */
#define VERSION		"00"
#define OWNER_NAME	"reactbin"
#define FILE_MODE	0644

/* mtime: 11 octal digits too; earlier than the epoch is the epoch. */
#define MTIME_MAX	077777777777LL

static void	octal(uint8_t *, size_t, unsigned long long);

int
tar_header(uint8_t block[TAR_BLOCK], const char *name, uint64_t size,
    time_t mtime)
{
	unsigned long	sum;
	size_t		len, i;
	long long	t;

	memset(block, 0, TAR_BLOCK);

	len = strlen(name);
	if (len == 0 || len > TAR_NAME_MAX || size > TAR_SIZE_MAX)
		return (-1);

	t = (long long)mtime;
	if (t < 0)
		t = 0;
	if (t > MTIME_MAX)
		t = MTIME_MAX;

	/* A name of exactly 100 bytes has no NUL: the format allows it. */
	memcpy(block + OFF_NAME, name, len);
	octal(block + OFF_MODE, LEN_MODE, FILE_MODE);
	octal(block + OFF_UID, LEN_UID, 0);
	octal(block + OFF_GID, LEN_GID, 0);
	octal(block + OFF_SIZE, LEN_SIZE, size);
	octal(block + OFF_MTIME, LEN_MTIME, (unsigned long long)t);
	block[OFF_TYPE] = TYPE_REGULAR;
	memcpy(block + OFF_MAGIC, MAGIC, sizeof(MAGIC));
	memcpy(block + OFF_VERSION, VERSION, strlen(VERSION));
	memcpy(block + OFF_UNAME, OWNER_NAME, strlen(OWNER_NAME));
	memcpy(block + OFF_GNAME, OWNER_NAME, strlen(OWNER_NAME));

	/* The sum is taken with its own field as eight spaces. */
	memset(block + OFF_CHKSUM, ' ', LEN_CHKSUM);
	for (sum = 0, i = 0; i < TAR_BLOCK; i++)
		sum += block[i];
	/* Six digits, a NUL and a space, as the historical tar writes it. */
	octal(block + OFF_CHKSUM, LEN_CHKSUM - 1, sum);
	block[OFF_CHKSUM + LEN_CHKSUM - 1] = ' ';

	return (0);
}

size_t
tar_padding(uint64_t size)
{
	return ((size_t)((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK));
}

uint64_t
tar_member_bytes(uint64_t size)
{
	return (TAR_BLOCK + size + tar_padding(size));
}

/* v as len - 1 octal digits, zero-filled, and a NUL. */
static void
octal(uint8_t *field, size_t len, unsigned long long v)
{
	size_t	i;

	field[len - 1] = '\0';
	for (i = len - 1; i > 0; i--) {
		field[i - 1] = (uint8_t)('0' + (v & 07));
		v >>= 3;
	}
}
