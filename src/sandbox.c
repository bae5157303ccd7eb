/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * What the workers' seccomp policy allows beyond Kore's own (its worker,
 * curl and task filters): only what the decoders of derive_image.c and
 * derive_clip.c were seen to need under Kore's seccomp_tracing, every
 * type and the hostile samples of the tests included. Kore kills a thread
 * that makes any other call, so a call missing here shows in the tests as
 * a derivation that never ends.
 */

#include <sys/prctl.h>

#include "app.h"

#include <kore/seccomp.h>

KORE_SECCOMP_FILTER("reactbin",
	/* glib names the threads libvips starts for a pipeline. */
	KORE_SYSCALL_ALLOW_ARG(prctl, 0, PR_SET_NAME),
	/* glibc's realloc() of a large block, as a fetched body grows. */
	KORE_SYSCALL_ALLOW(mremap),
#if defined(__SANITIZE_ADDRESS__)
	/*
	 * The sanitizer build only (tests/sanitize): AddressSanitizer's
	 * runtime registers each new thread (the tasks', libvips') with its
	 * id and counts the CPUs it may run on. Production never needs them.
	 */
	KORE_SYSCALL_ALLOW(gettid),
	KORE_SYSCALL_ALLOW(sched_getaffinity),
#endif
)
