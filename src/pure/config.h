/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * reactbin's configuration: the environment variables of the production
 * container contract, read once at start-up, validated and turned into a
 * struct config. Pure: no Kore, no network (libpq is used only to parse
 * the database URL, never to connect).
 */

#ifndef REACTBIN_CONFIG_H
#define REACTBIN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "cidr.h"

/* Defaults of the optional variables, as the container contract states. */
#define CONFIG_JWT_EXPIRY_DEFAULT	86400
#define CONFIG_MAX_UPLOAD_DEFAULT	52428800
#define CONFIG_LOGIN_FAILURES_DEFAULT	5
#define CONFIG_LOGIN_WINDOW_DEFAULT	300
#define CONFIG_LOGIN_COOLDOWN_DEFAULT	900

/* Below this many bytes a JWT_SECRET_KEY is accepted with a warning. */
#define CONFIG_JWT_SECRET_MIN		32

/* Added to DATABASE_URL unless it sets its own connect_timeout. */
#define CONFIG_DB_CONNECT_TIMEOUT	"5"

struct s3_endpoint {
	char		*scheme;	/* "http" or "https" */
	char		*host;		/* host[:port] for a Host header;
					   port only if not the default,
					   IPv6 literals in brackets */
	char		*hostname;	/* lowercased, IPv6 without brackets */
	unsigned int	port;		/* explicit, or 80 / 443 */
	char		*base_url;	/* scheme://host + path prefix, no
					   trailing slash */
};

struct config {
	char		*jwt_secret;
	size_t		jwt_secret_len;
	int		jwt_secret_short;	/* < 32 bytes: caller warns */

	char		*owner_username;
	char		*owner_password;

	char		*database_conninfo;	/* libpq URI for PQconnectdb */

	struct s3_endpoint	s3;
	char		*s3_bucket;
	char		*s3_access_key_id;
	char		*s3_secret_access_key;
	char		*s3_region;

	long		jwt_expiry_seconds;
	uint64_t	max_upload_bytes;
	long		login_max_failures;
	long		login_window_seconds;
	long		login_cooldown_seconds;
	struct cidr_list	trusted_proxies;	/* empty by default */

	char		*api_base_url;		/* "" when unset; no trailing
						   slash */

	int		derivatives_enabled;	/* DERIVATIVES_ENABLED, 1 by
						   default */

	struct cidr_list	metrics_allowed;	/* METRICS_ALLOWED_IPS */

	/* REACTBIN_VERSION, REACTBIN_REVISION: the image's build args. */
	char		*build_version;
	char		*build_revision;
};

/* Who may scrape GET /metrics when METRICS_ALLOWED_IPS is not set. */
#define CONFIG_METRICS_ALLOWED_DEFAULT	"127.0.0.0/8, ::1"

/* The build info of a module not built by the Dockerfile. */
#define CONFIG_BUILD_UNKNOWN_VERSION	"dev"
#define CONFIG_BUILD_UNKNOWN_REVISION	"unknown"

/* Looks up one environment variable; NULL when it is not set. */
typedef const char *(*config_getenv_fn)(const char *name);

/*
 * Fill cfg (overwritten, not freed) from the environment via get: getenv
 * in production (see config_getenv), a table in tests. A blank value
 * (empty or only whitespace) counts as unset. On error writes one line
 * "NAME: reason" into err, never the variable's value, leaves cfg zeroed
 * with nothing allocated and returns -1; returns 0 on success.
 */
int	config_load(struct config *cfg, config_getenv_fn get, char *err,
	    size_t errlen);

/* Free and wipe everything in cfg; safe on a zeroed or partial struct. */
void	config_free(struct config *cfg);

/*
 * Turn a DATABASE_URL (postgresql://, postgres:// or postgresql+asyncpg://)
 * into a libpq URI in *out (caller frees): asyncpg's ssl= becomes sslmode=,
 * connect_timeout is added unless given, and the result must parse and
 * name a TCP host. Returns 0, or -1 with a value-free message in err.
 */
int	config_database_conninfo(const char *url, char **out, char *err,
	    size_t errlen);

/* getenv(3) with the config_getenv_fn signature, for production use. */
const char	*config_getenv(const char *name);

#endif
