/*
 * Shared includes for the cmocka unit tests. cmocka wants its system
 * headers in this order before its own.
 */
#ifndef REACTBIN_TESTUTIL_H
#define REACTBIN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#endif
