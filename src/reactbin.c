/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The module's entry points: reading the environment before Kore opens a
 * port, preparing the database in the parent, and setting up each worker.
 */

#include <sys/resource.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "app.h"
#include "log.h"

/* How long start-up waits for a database that is still coming up. */
#define DB_STARTUP_WAIT_SECONDS		30
#define DB_STARTUP_RETRY_SECONDS	1

/*
 * Kore refuses a Content-Length above http_body_max itself, with a bare
 * 413, before any hook of ours runs. With room above the real limit, the
 * routes' header hooks see such requests first and answer with the API's
 * JSON 413; Kore's check stays as the backstop for absurd sizes.
 */
#define BODY_MAX_HEADROOM		2

#define CONFIG_ERROR_MAX		256

/* How long a worker's info lines may wait in its buffer. */
#define LOG_FLUSH_MS			100

/*
 * Descriptors a worker needs besides its clients' sockets: its database
 * and storage connections, the listeners, the log streams, and slack.
 */
#define FD_RESERVE			(DB_WORKER_CONNECTIONS + 64)

/*
 * Kore always writes a pid file and removes it at exit; the contract wants
 * no file written (the root may be read-only). The pid goes to /dev/null,
 * and before Kore's exit path runs the name is emptied so that it is not
 * /dev/null that gets unlinked. (kore.conf.in must not set "pidfile".)
 */
#define PIDFILE_DISCARD			"/dev/null"
#define PIDFILE_NONE			""

struct config	app_config;

static void	reactbin_preflight(void) __attribute__((constructor));
static const char	*reactbin_getenv(const char *);
static void	reactbin_log_flush(void *, u_int64_t);
static void	reactbin_fd_limit(void);

void	kore_parent_configure(int, char **);
void	kore_parent_teardown(void);
void	kore_worker_configure(void);

/*
 * Kore binds its listening sockets while it parses the configuration,
 * before any hook of ours runs, and the module is loaded by the first line
 * of that configuration. Its constructor is therefore the one place where
 * a bad environment can stop start-up before a port accepts a connection.
 */
static void
reactbin_preflight(void)
{
	char	err[CONFIG_ERROR_MAX];

	if (config_load(&app_config, reactbin_getenv, err, sizeof(err)) == -1) {
		log_error("event=config_invalid %s", err);
		exit(EXIT_FAILURE);
	}

	kore_pidfile = PIDFILE_DISCARD;

	if (app_config.jwt_secret_short) {
		log_warn("event=config_weak JWT_SECRET_KEY is shorter than "
		    "32 bytes; use a long random secret");
	}
}

void
kore_parent_configure(int argc, char **argv)
{
	char		err[CONFIG_ERROR_MAX];
	int		waited;

	(void)argc;
	(void)argv;

	http_body_max = BODY_MAX_HEADROOM *
	    (app_config.max_upload_bytes + UPLOAD_FRAMING_BYTES);
	drain_parent_init();
	reaper_parent_init();
	counters_parent_init();
	reactbin_fd_limit();

	if (webapp_init() == -1) {
		log_error("event=startup_failed reason=webapp");
		exit(EXIT_FAILURE);
	}
	if (apidocs_init() == -1) {
		log_error("event=startup_failed reason=apidocs");
		exit(EXIT_FAILURE);
	}

	for (waited = 0;; waited += DB_STARTUP_RETRY_SECONDS) {
		if (db_migrate(app_config.database_conninfo, err,
		    sizeof(err)) == 0)
			break;
		if (waited >= DB_STARTUP_WAIT_SECONDS) {
			log_error("event=startup_failed DATABASE_URL: %s", err);
			exit(EXIT_FAILURE);
		}
		log_warn("event=db_waiting reason=\"%s\"", err);
		(void)sleep(DB_STARTUP_RETRY_SECONDS);
	}
}

void
kore_parent_teardown(void)
{
	kore_pidfile = PIDFILE_NONE;
}

void
kore_worker_configure(void)
{
	/*
	 * Access lines go out in batches, at most LOG_FLUSH_MS late, and
	 * at exit by any path: Kore's fatal() exits too, and the lines just
	 * before a worker dies are the ones most wanted.
	 */
	log_buffer_info();
	(void)kore_timer_add(reactbin_log_flush, LOG_FLUSH_MS, NULL, 0);
	if (atexit(log_flush) != 0)
		log_warn("event=log_flush_at_exit_unavailable");

	counters_worker_init();
	db_worker_init();
	storage_init(&app_config);
	upload_worker_init();
	sweeper_init();
	derive_worker_init();
	drain_worker_init();
}

static void
reactbin_log_flush(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;

	log_flush();
}

/*
 * Each worker sets RLIMIT_NOFILE to worker_rlimit_nofiles and, where the
 * container's hard limit is lower, fails, logs an error and goes on with
 * what it inherited. Settled here in the parent instead (the workers'
 * seccomp policy has no prlimit64): ask no more than the hard limit
 * allows, and if that is short of a descriptor for every connection Kore
 * would accept, accept fewer: past the limit accept(2) fails with EMFILE
 * and a client that got in could not be served.
 */
static void
reactbin_fd_limit(void)
{
	struct rlimit	rl;
	rlim_t		want;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("event=fd_limit_unknown errno=%d", errno);
		return;
	}

	/* Kore adds the descriptors a worker has open when it starts. */
	if (rl.rlim_max != RLIM_INFINITY &&
	    worker_rlimit_nofiles + FD_RESERVE > rl.rlim_max)
		worker_rlimit_nofiles = rl.rlim_max > 2 * FD_RESERVE ?
		    (u_int32_t)(rl.rlim_max - FD_RESERVE) :
		    (u_int32_t)(rl.rlim_max / 2);

	want = (rlim_t)worker_max_connections + FD_RESERVE;
	if (worker_rlimit_nofiles >= want)
		return;

	worker_max_connections = worker_rlimit_nofiles > 2 * FD_RESERVE ?
	    worker_rlimit_nofiles - FD_RESERVE : worker_rlimit_nofiles / 2;
	log_warn("event=connections_limited max=%u open_files=%u",
	    worker_max_connections, worker_rlimit_nofiles);
}

static const char *
reactbin_getenv(const char *name)
{
	return (getenv(name));
}
