/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for the environment (config.h). The input's lines are
 * the values of the variables below, in order; a missing line, or one
 * holding only "\001", is an unset variable. Each value is an exact-size
 * heap string. Checked besides memory errors: a failure leaves the struct
 * zeroed and names a variable; the message does not change when only the
 * secrets do (so it cannot show them); an accepted DATABASE_URL becomes a
 * conninfo that libpq parses.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "config.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define ERR_LEN		256
#define UNSET_LINE	"\001"

static const char *const fuzz_names[] = {
	"JWT_SECRET_KEY",
	"OWNER_USERNAME",
	"OWNER_PASSWORD",
	"DATABASE_URL",
	"S3_ENDPOINT_URL",
	"S3_BUCKET_NAME",
	"S3_ACCESS_KEY_ID",
	"S3_SECRET_ACCESS_KEY",
	"S3_REGION",
	"JWT_EXPIRY_SECONDS",
	"MAX_UPLOAD_BYTES",
	"LOGIN_MAX_FAILURES",
	"LOGIN_WINDOW_SECONDS",
	"LOGIN_COOLDOWN_SECONDS",
	"LOGIN_TRUSTED_PROXY_IPS",
	"API_BASE_URL",
	"METRICS_ALLOWED_IPS",
	"REACTBIN_VERSION",
	"REACTBIN_REVISION",
};
#define FUZZ_VARS	(sizeof(fuzz_names) / sizeof(fuzz_names[0]))
#define VAR_JWT		0
#define VAR_PASSWORD	2
#define VAR_DATABASE	3
#define VAR_S3_SECRET	7

/* What the fake getenv answers; libFuzzer runs one input at a time. */
static char	*fuzz_env[FUZZ_VARS];

static const char	*fake_getenv(const char *);
static void		 check_err(const char *);
static void		 check_config(const struct config *);
static void		 mask_secret(size_t);
static int		 load(struct config *, char *);

static const char *
fake_getenv(const char *name)
{
	size_t	i;

	for (i = 0; i < FUZZ_VARS; i++)
		if (strcmp(name, fuzz_names[i]) == 0)
			return (fuzz_env[i]);
	return (NULL);
}

/* "NAME: reason" for one of the variables. */
static void
check_err(const char *err)
{
	size_t	i, n;

	if (strnlen(err, ERR_LEN) == ERR_LEN)
		abort();
	for (i = 0; i < FUZZ_VARS; i++) {
		n = strlen(fuzz_names[i]);
		if (strncmp(err, fuzz_names[i], n) == 0 &&
		    strncmp(err + n, ": ", 2) == 0 && err[n + 2] != '\0')
			return;
	}
	abort();
}

static void
check_config(const struct config *cfg)
{
	size_t	n;

	if (cfg->jwt_secret == NULL || cfg->owner_username == NULL ||
	    cfg->owner_password == NULL || cfg->database_conninfo == NULL ||
	    cfg->s3.scheme == NULL || cfg->s3.host == NULL ||
	    cfg->s3.hostname == NULL || cfg->s3.base_url == NULL ||
	    cfg->s3_bucket == NULL || cfg->s3_region == NULL ||
	    cfg->s3_access_key_id == NULL ||
	    cfg->s3_secret_access_key == NULL || cfg->api_base_url == NULL)
		abort();
	if (strlen(cfg->jwt_secret) != cfg->jwt_secret_len)
		abort();
	if (strcmp(cfg->s3.scheme, "http") != 0 &&
	    strcmp(cfg->s3.scheme, "https") != 0)
		abort();
	if (cfg->s3.port == 0 || cfg->s3.port > 65535)
		abort();
	n = strlen(cfg->s3.base_url);
	if (n == 0 || cfg->s3.base_url[n - 1] == '/')
		abort();
	n = strlen(cfg->api_base_url);
	if (n > 0 && cfg->api_base_url[n - 1] == '/')
		abort();
	if (cfg->trusted_proxies.count > CIDR_LIST_MAX ||
	    cfg->metrics_allowed.count > CIDR_LIST_MAX)
		abort();
	if (cfg->build_version == NULL || cfg->build_revision == NULL)
		abort();
}

/* Replace a set secret by as many 'Z's: as blank or not as before. */
static void
mask_secret(size_t i)
{
	size_t	n, k;
	int	blank;

	if (fuzz_env[i] == NULL)
		return;
	n = strlen(fuzz_env[i]);
	blank = 1;
	for (k = 0; k < n; k++)
		if (strchr(" \t\n\v\f\r", fuzz_env[i][k]) == NULL)
			blank = 0;
	if (!blank)
		memset(fuzz_env[i], 'Z', n);
}

static int
load(struct config *cfg, char *err)
{
	static const struct config	zero;
	int				ret;

	memset(cfg, 0xa5, sizeof(*cfg));
	memset(err, 'x', ERR_LEN);
	ret = config_load(cfg, fake_getenv, err, ERR_LEN);
	if (ret == 0) {
		check_config(cfg);
	} else if (ret == -1) {
		check_err(err);
		if (memcmp(cfg, &zero, sizeof(*cfg)) != 0)
			abort();
	} else
		abort();
	return (ret);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 cfg;
	char		 err[ERR_LEN], err2[ERR_LEN];
	char		*conninfo, *perr;
	PQconninfoOption *opts;
	size_t		 i;
	int		 ret;

	memset(fuzz_env, 0, sizeof(fuzz_env));
	for (i = 0; i < FUZZ_VARS && size > 0; i++) {
		fuzz_env[i] = fuzz_line(&data, &size, 0);
		if (strcmp(fuzz_env[i], UNSET_LINE) == 0) {
			free(fuzz_env[i]);
			fuzz_env[i] = NULL;
		}
	}

	if (fuzz_env[VAR_DATABASE] != NULL) {
		memset(err2, 'x', sizeof(err2));
		if (config_database_conninfo(fuzz_env[VAR_DATABASE],
		    &conninfo, err2, sizeof(err2)) == 0) {
			perr = NULL;
			if ((opts = PQconninfoParse(conninfo, &perr)) == NULL)
				abort();
			PQconninfoFree(opts);
			free(conninfo);
		} else
			check_err(err2);
	}

	ret = load(&cfg, err);
	config_free(&cfg);

	/* The same run with other secrets must say the same. */
	mask_secret(VAR_JWT);
	mask_secret(VAR_PASSWORD);
	mask_secret(VAR_S3_SECRET);
	if (load(&cfg, err2) != ret)
		abort();
	if (ret == -1 && strcmp(err, err2) != 0)
		abort();
	config_free(&cfg);

	for (i = 0; i < FUZZ_VARS; i++)
		free(fuzz_env[i]);
	return (0);
}
