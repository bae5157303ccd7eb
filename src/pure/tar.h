/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The POSIX ustar format (pax interchange format's base, IEEE Std
 * 1003.1, "ustar Interchange Format") for the export: regular files
 * only, names of at most TAR_NAME_MAX bytes. Every length is known
 * before a byte is written, so an archive's size is. Pure: no Kore.
 */

#ifndef REACTBIN_TAR_H
#define REACTBIN_TAR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TAR_BLOCK		512
#define TAR_NAME_MAX		100
/* The size field holds 11 octal digits. */
#define TAR_SIZE_MAX		077777777777ULL
/* Two zero blocks end an archive. */
#define TAR_END_BYTES		(2 * TAR_BLOCK)

/*
 * The header block of a regular file (mode 0644, owner 0:0, names
 * "reactbin"). 0, or -1 when the name is empty or too long, or size too
 * large.
 */
int		tar_header(uint8_t block[TAR_BLOCK], const char *name,
		    uint64_t size, time_t mtime);

/* The zero bytes after size bytes of data, to the end of their block. */
size_t		tar_padding(uint64_t size);

/* A member's bytes in all: header, data, padding. */
uint64_t	tar_member_bytes(uint64_t size);

#endif
