/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for config.c: the environment of the container contract is
 * faked with a table, and every failure is checked to name its variable
 * without printing the value.
 */

#include <stdio.h>
#include <stdlib.h>

#include <libpq-fe.h>

#include "testutil.h"

#include "config.h"

#define ENV_MAX		32
#define ERR_LEN		256

#define SECRET_JWT	"jwt-Secret-0123456789abcdef-0123456789abcdef"
#define SECRET_OWNER	"Owner-Pa55word!"
#define SECRET_DB	"Db-Sup3rSecret"
#define SECRET_S3	"wJalrXUtnFEMI/K7MDENG"
#define VALID_DB_URL	"postgresql+asyncpg://reactbin:" SECRET_DB \
			"@db.internal:5432/reactbin"

struct env_var {
	const char	*name;
	const char	*value;
};

static struct env_var	env[ENV_MAX];
static size_t		env_count;

static const char *const required_vars[] = {
	"JWT_SECRET_KEY", "OWNER_USERNAME", "OWNER_PASSWORD", "DATABASE_URL",
	"S3_ENDPOINT_URL", "S3_BUCKET_NAME", "S3_ACCESS_KEY_ID",
	"S3_SECRET_ACCESS_KEY", "S3_REGION",
};

static const char *const secrets[] = {
	SECRET_JWT, SECRET_OWNER, SECRET_DB, SECRET_S3,
};

static const char *
fake_getenv(const char *name)
{
	size_t	i;

	for (i = 0; i < env_count; i++) {
		if (strcmp(env[i].name, name) == 0)
			return (env[i].value);
	}
	return (NULL);
}

/* Replace, add, or (value NULL) remove one variable. */
static void
env_set(const char *name, const char *value)
{
	size_t	i;

	for (i = 0; i < env_count; i++) {
		if (strcmp(env[i].name, name) == 0)
			break;
	}
	if (value == NULL) {
		if (i < env_count)
			env[i] = env[--env_count];
		return;
	}
	if (i == env_count) {
		assert_true(env_count < ENV_MAX);
		env_count++;
	}
	env[i].name = name;
	env[i].value = value;
}

static int
env_reset(void **state)
{
	(void)state;
	env_count = 0;
	env_set("JWT_SECRET_KEY", SECRET_JWT);
	env_set("OWNER_USERNAME", "owner");
	env_set("OWNER_PASSWORD", SECRET_OWNER);
	env_set("DATABASE_URL", VALID_DB_URL);
	env_set("S3_ENDPOINT_URL", "https://s3.amazonaws.com");
	env_set("S3_BUCKET_NAME", "reactbin-prod");
	env_set("S3_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
	env_set("S3_SECRET_ACCESS_KEY", SECRET_S3);
	env_set("S3_REGION", "us-east-1");
	return (0);
}

static void
assert_no_secret(const char *err)
{
	size_t	i;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		assert_null(strstr(err, secrets[i]));
}

static void
assert_zeroed(const struct config *cfg)
{
	struct config	zero;

	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(cfg, &zero, sizeof(zero));
}

static void
load_ok(struct config *cfg)
{
	char	err[ERR_LEN];

	err[0] = '\0';
	if (config_load(cfg, fake_getenv, err, sizeof(err)) != 0)
		fail_msg("config_load failed: %s", err);
}

/*
 * config_load must fail, err must start with want, must not contain the
 * forbidden text (the value) nor any secret, and cfg must come back empty.
 */
static void
load_fails(const char *want, const char *forbidden)
{
	struct config	cfg;
	char		err[ERR_LEN];

	memset(err, 'x', sizeof(err));
	memset(&cfg, 0xa5, sizeof(cfg));
	if (config_load(&cfg, fake_getenv, err, sizeof(err)) != -1) {
		config_free(&cfg);
		fail_msg("config_load accepted a config that must fail: %s",
		    want);
	}
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("err \"%s\" does not start with \"%s\"", err, want);
	assert_null(strchr(err, '\n'));
	if (forbidden != NULL && strstr(err, forbidden) != NULL)
		fail_msg("err \"%s\" leaks \"%s\"", err, forbidden);
	assert_no_secret(err);
	assert_zeroed(&cfg);
}

/* One keyword of a libpq connection string, or NULL; caller frees. */
static char *
conninfo_get(const char *conninfo, const char *key)
{
	PQconninfoOption	*opts, *o;
	char			*perr, *v;

	perr = NULL;
	opts = PQconninfoParse(conninfo, &perr);
	if (opts == NULL) {
		PQfreemem(perr);
		fail_msg("conninfo does not parse");
	}
	v = NULL;
	for (o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, key) == 0 && o->val != NULL) {
			v = strdup(o->val);
			assert_non_null(v);
		}
	}
	PQconninfoFree(opts);
	return (v);
}

static void
assert_conninfo(const char *conninfo, const char *key, const char *want)
{
	char	*v;

	v = conninfo_get(conninfo, key);
	if (want == NULL) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

/* Convert url, which must succeed; caller frees the result. */
static char *
db_ok(const char *url)
{
	char	*out, err[ERR_LEN];

	out = NULL;
	err[0] = '\0';
	if (config_database_conninfo(url, &out, err, sizeof(err)) != 0)
		fail_msg("%s rejected: %s", url, err);
	assert_non_null(out);
	assert_int_equal(strncmp(out, "postgresql://", 13), 0);
	return (out);
}

static void
db_fails(const char *url, const char *forbidden)
{
	char	*out, err[ERR_LEN];
	const char *want = "DATABASE_URL: not a valid postgresql:// URL";

	out = (char *)1;
	if (config_database_conninfo(url, &out, err, sizeof(err)) != -1) {
		free(out);
		fail_msg("%s accepted", url);
	}
	assert_null(out);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("err for %s is \"%s\"", url, err);
	if (forbidden != NULL)
		assert_null(strstr(err, forbidden));
}

static void
test_full_env(void **state)
{
	struct config	cfg;

	(void)state;
	load_ok(&cfg);

	assert_string_equal(cfg.jwt_secret, SECRET_JWT);
	assert_int_equal(cfg.jwt_secret_len, strlen(SECRET_JWT));
	assert_int_equal(cfg.jwt_secret_short, 0);
	assert_string_equal(cfg.owner_username, "owner");
	assert_string_equal(cfg.owner_password, SECRET_OWNER);
	assert_string_equal(cfg.s3_bucket, "reactbin-prod");
	assert_string_equal(cfg.s3_access_key_id, "AKIAIOSFODNN7EXAMPLE");
	assert_string_equal(cfg.s3_secret_access_key, SECRET_S3);
	assert_string_equal(cfg.s3_region, "us-east-1");

	assert_string_equal(cfg.s3.scheme, "https");
	assert_string_equal(cfg.s3.host, "s3.amazonaws.com");
	assert_string_equal(cfg.s3.hostname, "s3.amazonaws.com");
	assert_int_equal(cfg.s3.port, 443);
	assert_string_equal(cfg.s3.base_url, "https://s3.amazonaws.com");

	assert_int_equal(strncmp(cfg.database_conninfo, "postgresql://", 13),
	    0);
	assert_conninfo(cfg.database_conninfo, "user", "reactbin");
	assert_conninfo(cfg.database_conninfo, "password", SECRET_DB);
	assert_conninfo(cfg.database_conninfo, "host", "db.internal");
	assert_conninfo(cfg.database_conninfo, "port", "5432");
	assert_conninfo(cfg.database_conninfo, "dbname", "reactbin");
	assert_conninfo(cfg.database_conninfo, "connect_timeout", "5");

	config_free(&cfg);
	assert_zeroed(&cfg);
	/* A second free of the zeroed struct is harmless. */
	config_free(&cfg);
}

static void
test_defaults(void **state)
{
	struct config	cfg;

	(void)state;
	/* Blank counts as unset for optional variables too. */
	env_set("JWT_EXPIRY_SECONDS", "");
	env_set("LOGIN_WINDOW_SECONDS", "  ");
	env_set("LOGIN_TRUSTED_PROXY_IPS", "");
	load_ok(&cfg);
	assert_int_equal(cfg.jwt_expiry_seconds, 86400);
	assert_int_equal(cfg.max_upload_bytes, 52428800);
	assert_int_equal(cfg.login_max_failures, 5);
	assert_int_equal(cfg.login_window_seconds, 300);
	assert_int_equal(cfg.login_cooldown_seconds, 900);
	assert_int_equal(cfg.trusted_proxies.count, 0);
	assert_non_null(cfg.api_base_url);
	assert_string_equal(cfg.api_base_url, "");
	config_free(&cfg);
}

static void
test_numbers_set(void **state)
{
	struct config	cfg;

	(void)state;
	env_set("JWT_EXPIRY_SECONDS", "3600");
	env_set("MAX_UPLOAD_BYTES", "4294967296");
	env_set("LOGIN_MAX_FAILURES", "1000000");
	env_set("LOGIN_WINDOW_SECONDS", "1");
	env_set("LOGIN_COOLDOWN_SECONDS", "315360000");
	load_ok(&cfg);
	assert_int_equal(cfg.jwt_expiry_seconds, 3600);
	assert_true(cfg.max_upload_bytes == 4294967296ULL);
	assert_int_equal(cfg.login_max_failures, 1000000);
	assert_int_equal(cfg.login_window_seconds, 1);
	assert_int_equal(cfg.login_cooldown_seconds, 315360000);
	config_free(&cfg);

	/* Leading zeros are still a plain decimal number. */
	env_set("LOGIN_MAX_FAILURES", "007");
	load_ok(&cfg);
	assert_int_equal(cfg.login_max_failures, 7);
	config_free(&cfg);
}

static void
test_required_missing(void **state)
{
	size_t		i;
	char		want[ERR_LEN];
	const char	*saved;

	(void)state;
	for (i = 0; i < sizeof(required_vars) / sizeof(required_vars[0]);
	    i++) {
		saved = fake_getenv(required_vars[i]);
		(void)snprintf(want, sizeof(want), "%s: required but not set",
		    required_vars[i]);

		env_set(required_vars[i], NULL);
		load_fails(want, NULL);
		env_set(required_vars[i], "");
		load_fails(want, NULL);
		env_set(required_vars[i], " \t\r\n");
		load_fails(want, NULL);

		env_set(required_vars[i], saved);
	}
}

static void
test_required_message_exact(void **state)
{
	struct config	cfg;
	char		err[ERR_LEN];

	(void)state;
	env_set("JWT_SECRET_KEY", NULL);
	assert_int_equal(config_load(&cfg, fake_getenv, err, sizeof(err)), -1);
	assert_string_equal(err, "JWT_SECRET_KEY: required but not set");
}

static void
test_required_order(void **state)
{
	(void)state;
	/* The contract's table order decides, not the order of the checks. */
	env_set("S3_REGION", NULL);
	env_set("OWNER_PASSWORD", NULL);
	env_set("DATABASE_URL", "not a url at all");
	load_fails("OWNER_PASSWORD: required but not set", NULL);

	env_set("OWNER_PASSWORD", SECRET_OWNER);
	load_fails("S3_REGION: required but not set", NULL);
}

static void
test_bad_numbers(void **state)
{
	static const char *const names[] = {
		"JWT_EXPIRY_SECONDS", "MAX_UPLOAD_BYTES", "LOGIN_MAX_FAILURES",
		"LOGIN_WINDOW_SECONDS", "LOGIN_COOLDOWN_SECONDS",
	};
	static const char *const bad[] = {
		"-1", "0", "1e3", "12abc", "99999999999999999999", " 5", "5 ",
		"+5", "0x10", "1.5", "18446744073709551616", "3\n",
	};
	size_t	i, j;
	char	want[ERR_LEN];

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		(void)snprintf(want, sizeof(want),
		    "%s: not a whole number between 1 and ", names[i]);
		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
			env_set(names[i], bad[j]);
			load_fails(want, bad[j][0] != '0' ? bad[j] : NULL);
		}
		env_set(names[i], NULL);
	}
}

static void
test_number_bounds(void **state)
{
	struct config	cfg;
	char		err[ERR_LEN];

	(void)state;
	env_set("JWT_EXPIRY_SECONDS", "315360001");
	assert_int_equal(config_load(&cfg, fake_getenv, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "JWT_EXPIRY_SECONDS: not a whole number between 1 and 315360000");
	env_set("JWT_EXPIRY_SECONDS", NULL);

	env_set("MAX_UPLOAD_BYTES", "4294967297");
	assert_int_equal(config_load(&cfg, fake_getenv, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "MAX_UPLOAD_BYTES: not a whole number between 1 and 4294967296");
	env_set("MAX_UPLOAD_BYTES", NULL);

	env_set("LOGIN_MAX_FAILURES", "1000001");
	assert_int_equal(config_load(&cfg, fake_getenv, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "LOGIN_MAX_FAILURES: not a whole number between 1 and 1000000");
	env_set("LOGIN_MAX_FAILURES", NULL);

	env_set("LOGIN_WINDOW_SECONDS", "315360001");
	load_fails("LOGIN_WINDOW_SECONDS: not a whole number", NULL);
	env_set("LOGIN_WINDOW_SECONDS", NULL);
	env_set("LOGIN_COOLDOWN_SECONDS", "315360001");
	load_fails("LOGIN_COOLDOWN_SECONDS: not a whole number", NULL);
}

static void
test_db_schemes(void **state)
{
	static const char *const urls[] = {
		"postgresql://u:pw@db.example:6543/app",
		"postgres://u:pw@db.example:6543/app",
		"postgresql+asyncpg://u:pw@db.example:6543/app",
		"POSTGRESQL+ASYNCPG://u:pw@db.example:6543/app",
	};
	size_t	i;
	char	*c;

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		c = db_ok(urls[i]);
		assert_string_equal(c, "postgresql://u:pw@db.example:6543/app"
		    "?connect_timeout=5");
		assert_conninfo(c, "user", "u");
		assert_conninfo(c, "password", "pw");
		assert_conninfo(c, "host", "db.example");
		assert_conninfo(c, "port", "6543");
		assert_conninfo(c, "dbname", "app");
		free(c);
	}

	db_fails("mysql://u:pw@db/app", "pw@db");
	db_fails("postgresql+psycopg2://u:pw@db/app", "pw@db");
	db_fails("http://db/app", NULL);
	db_fails("postgresql:/db/app", NULL);
	db_fails("host=db user=u password=pw dbname=app", "password");
	db_fails(" postgresql://db/app", NULL);

	/* The same through config_load. */
	env_set("DATABASE_URL", "mysql://reactbin:" SECRET_DB "@db/app");
	load_fails("DATABASE_URL: not a valid postgresql:// URL", NULL);
}

static void
test_db_ssl(void **state)
{
	static const struct {
		const char	*given;
		const char	*sslmode;
	} map[] = {
		{ "require", "require" },
		{ "disable", "disable" },
		{ "prefer", "prefer" },
		{ "allow", "allow" },
		{ "verify-ca", "verify-ca" },
		{ "verify-full", "verify-full" },
		{ "true", "require" },
		{ "false", "disable" },
		{ "TRUE", "require" },
		{ "requir%65", "require" },
	};
	size_t	i;
	char	url[ERR_LEN], *c;

	(void)state;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		(void)snprintf(url, sizeof(url),
		    "postgresql+asyncpg://u:pw@db/app?ssl=%s", map[i].given);
		c = db_ok(url);
		assert_conninfo(c, "sslmode", map[i].sslmode);
		assert_conninfo(c, "connect_timeout", "5");
		assert_null(strstr(c, "ssl="));
		free(c);
	}

	/* Other parameters survive, in place, around the translated one. */
	c = db_ok("postgres://u@db/app?application_name=rb&ssl=verify-full"
	    "&target_session_attrs=read-write");
	assert_string_equal(c, "postgresql://u@db/app?application_name=rb"
	    "&sslmode=verify-full&target_session_attrs=read-write"
	    "&connect_timeout=5");
	free(c);

	/* libpq's own sslmode= passes through. */
	c = db_ok("postgresql://u@db/app?sslmode=verify-ca");
	assert_conninfo(c, "sslmode", "verify-ca");
	free(c);

	/* No ssl given: none invented. */
	c = db_ok("postgresql://u@db/app");
	assert_conninfo(c, "sslmode", NULL);
	free(c);

	db_fails("postgresql://u@db/app?ssl=yes-please", NULL);
	db_fails("postgresql://u@db/app?ssl=", NULL);
	db_fails("postgresql://u@db/app?sslmode=bogus", NULL);
	db_fails("postgresql://u@db/app?ssl=require&sslmode=disable", NULL);
	db_fails("postgresql://u@db/app?ssl=require&ssl=disable", NULL);
}

static void
test_db_connect_timeout(void **state)
{
	char	*c;

	(void)state;
	c = db_ok("postgresql://u@db/app?connect_timeout=12");
	assert_string_equal(c, "postgresql://u@db/app?connect_timeout=12");
	free(c);

	/* A trailing '?' or '&' does not produce an empty parameter. */
	c = db_ok("postgresql://u@db/app?");
	assert_string_equal(c, "postgresql://u@db/app?connect_timeout=5");
	free(c);
	c = db_ok("postgresql://u@db/app?application_name=x&");
	assert_conninfo(c, "application_name", "x");
	assert_conninfo(c, "connect_timeout", "5");
	free(c);

	/* Zero or garbage would mean waiting for ever on a dead host. */
	db_fails("postgresql://u@db/app?connect_timeout=0", NULL);
	db_fails("postgresql://u@db/app?connect_timeout=-1", NULL);
	db_fails("postgresql://u@db/app?connect_timeout=soon", NULL);
}

static void
test_db_password_encoding(void **state)
{
	char	*c;

	(void)state;
	/* p@ss:w/o?rd#%& with every special character percent-encoded. */
	c = db_ok("postgresql+asyncpg://user:p%40ss%3Aw%2Fo%3Frd%23%25%26"
	    "@db/app?ssl=require");
	assert_conninfo(c, "user", "user");
	assert_conninfo(c, "password", "p@ss:w/o?rd#%&");
	assert_conninfo(c, "host", "db");
	assert_conninfo(c, "sslmode", "require");
	free(c);

	/* A raw '?' in the password does not start the query (as in libpq). */
	c = db_ok("postgresql://user:a?b=c@db/app");
	assert_conninfo(c, "password", "a?b=c");
	assert_conninfo(c, "connect_timeout", "5");
	free(c);

	/* A password that looks like a parameter is not translated. */
	c = db_ok("postgresql://user:ssl=false@db/app");
	assert_conninfo(c, "password", "ssl=false");
	assert_conninfo(c, "sslmode", NULL);
	free(c);
}

static void
test_db_ipv6(void **state)
{
	char	*c;

	(void)state;
	c = db_ok("postgresql+asyncpg://u:pw@[::1]:5433/app");
	assert_conninfo(c, "host", "::1");
	assert_conninfo(c, "port", "5433");
	free(c);

	c = db_ok("postgres://u@[2001:db8::10]/app?ssl=true");
	assert_conninfo(c, "host", "2001:db8::10");
	assert_conninfo(c, "sslmode", "require");
	free(c);

	/* Several hosts, libpq's failover syntax. */
	c = db_ok("postgresql://u@h1:5432,h2:5433/app");
	assert_conninfo(c, "host", "h1,h2");
	free(c);
}

static void
test_db_malformed(void **state)
{
	(void)state;
	db_fails("postgresql://", NULL);
	db_fails("postgresql:///app", NULL);
	db_fails("postgresql://u:" SECRET_DB "@/app", SECRET_DB);
	db_fails("postgresql://u:" SECRET_DB "@/app?host=/var/run/postgresql",
	    SECRET_DB);
	db_fails("postgresql://u@%2Fvar%2Frun%2Fpostgresql/app", NULL);
	db_fails("postgresql://u@db/app?host=", NULL);
	db_fails("postgresql://u@h1,/app", NULL);
	db_fails("postgresql://u:" SECRET_DB "@db/app?nosuchoption=1",
	    SECRET_DB);
	db_fails("postgresql://u:" SECRET_DB "%zz@db/app", SECRET_DB);
	db_fails("postgresql://u:pw@db:abc/app", NULL);
	db_fails("postgresql://u:pw@db:0/app", NULL);
	db_fails("postgresql://u:pw@db:65536/app", NULL);
	db_fails("postgresql://u:pw@[::1/app", NULL);
	db_fails("postgresql://u@db/app?&x", NULL);

	/* Through config_load: the whole URL never reaches err. */
	env_set("DATABASE_URL", "postgresql://reactbin:" SECRET_DB
	    "@db/app?nosuchoption=" SECRET_OWNER);
	load_fails("DATABASE_URL: not a valid postgresql:// URL", "reactbin");
}

static void
s3_expect(const char *url, const char *scheme, const char *host,
    const char *hostname, unsigned int port, const char *base)
{
	struct config	cfg;

	env_set("S3_ENDPOINT_URL", url);
	load_ok(&cfg);
	assert_string_equal(cfg.s3.scheme, scheme);
	assert_string_equal(cfg.s3.host, host);
	assert_string_equal(cfg.s3.hostname, hostname);
	assert_int_equal(cfg.s3.port, port);
	assert_string_equal(cfg.s3.base_url, base);
	config_free(&cfg);
}

static void
test_s3_endpoint(void **state)
{
	(void)state;
	s3_expect("https://s3.eu-west-1.amazonaws.com/", "https",
	    "s3.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com", 443,
	    "https://s3.eu-west-1.amazonaws.com");
	s3_expect("http://minio:9000", "http", "minio:9000", "minio", 9000,
	    "http://minio:9000");
	s3_expect("https://storage.example:443", "https", "storage.example",
	    "storage.example", 443, "https://storage.example");
	s3_expect("http://storage.example:80/", "http", "storage.example",
	    "storage.example", 80, "http://storage.example");
	s3_expect("https://storage.example:80", "https", "storage.example:80",
	    "storage.example", 80, "https://storage.example:80");
	s3_expect("http://gw.example:8080/storage/v1//", "http",
	    "gw.example:8080", "gw.example", 8080,
	    "http://gw.example:8080/storage/v1");
	s3_expect("HTTPS://MinIO.Example.COM", "https", "minio.example.com",
	    "minio.example.com", 443, "https://minio.example.com");
	s3_expect("http://[::1]:9000", "http", "[::1]:9000", "::1", 9000,
	    "http://[::1]:9000");
	s3_expect("https://[2001:DB8::1]/s3", "https", "[2001:db8::1]",
	    "2001:db8::1", 443, "https://[2001:db8::1]/s3");
	s3_expect("http://127.0.0.1:9000", "http", "127.0.0.1:9000",
	    "127.0.0.1", 9000, "http://127.0.0.1:9000");
	s3_expect("http://minio_1:9000", "http", "minio_1:9000", "minio_1",
	    9000, "http://minio_1:9000");
}

static void
test_s3_endpoint_bad(void **state)
{
	static const char *const bad[] = {
		"ftp://s3.example", "s3.amazonaws.com", "https://",
		"https:///x",
		"https://host:", "https://host:0", "https://host:65536",
		"https://host:9x", "https://host:123456", "https://host?x=1",
		"https://host/#frag", "https://ho st", "https://[::1",
		"https://[zz::1]", "https://[]", "https://[::1]x",
		"https://[fe80::1%25eth0]", "https://a..b", "https://host.",
		"https://999.1.1.1", "https://host/a/../b",
		"https://host/a/./b",
		"https://host//x", "https://host/a b", "https://host/%2e",
		"https://host\t", "https:/host", "file:///etc/passwd",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		env_set("S3_ENDPOINT_URL", bad[i]);
		load_fails("S3_ENDPOINT_URL: not a valid http(s) URL", NULL);
	}

	env_set("S3_ENDPOINT_URL", "https://AKIA:" SECRET_S3 "@s3.example");
	load_fails("S3_ENDPOINT_URL: not a valid http(s) URL", "AKIA");
	env_set("S3_ENDPOINT_URL", "https://user@s3.example/x");
	load_fails("S3_ENDPOINT_URL: not a valid http(s) URL", "user");
}

static void
test_trusted_proxies(void **state)
{
	struct config	cfg;
	char		err[ERR_LEN];

	(void)state;
	env_set("LOGIN_TRUSTED_PROXY_IPS", "10.0.0.0/8, 192.168.1.1,"
	    "2001:db8::/32");
	load_ok(&cfg);
	assert_int_equal(cfg.trusted_proxies.count, 3);
	assert_int_equal(cidr_list_contains(&cfg.trusted_proxies,
	    "10.20.30.40"), 1);
	assert_int_equal(cidr_list_contains(&cfg.trusted_proxies,
	    "192.168.1.2"), 0);
	assert_int_equal(cidr_list_contains(&cfg.trusted_proxies,
	    "2001:db8::5"), 1);
	config_free(&cfg);

	env_set("LOGIN_TRUSTED_PROXY_IPS", "10.0.0.0/33");
	assert_int_equal(config_load(&cfg, fake_getenv, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "LOGIN_TRUSTED_PROXY_IPS: not a comma-separated list of CIDRs");
	assert_zeroed(&cfg);

	env_set("LOGIN_TRUSTED_PROXY_IPS", "proxy.internal");
	load_fails("LOGIN_TRUSTED_PROXY_IPS: not a comma-separated list of "
	    "CIDRs", "proxy.internal");
	env_set("LOGIN_TRUSTED_PROXY_IPS", "10.0.0.1; 10.0.0.2");
	load_fails("LOGIN_TRUSTED_PROXY_IPS: not a comma-separated list of "
	    "CIDRs", NULL);
}

static void
test_metrics_allowed(void **state)
{
	struct config	cfg;

	(void)state;

	/* Unset, or blank: loopback only, both families. */
	load_ok(&cfg);
	assert_int_equal(cfg.metrics_allowed.count, 2);
	assert_int_equal(cidr_list_contains(&cfg.metrics_allowed,
	    "127.0.0.1"), 1);
	assert_int_equal(cidr_list_contains(&cfg.metrics_allowed,
	    "127.255.0.9"), 1);
	assert_int_equal(cidr_list_contains(&cfg.metrics_allowed, "::1"), 1);
	assert_int_equal(cidr_list_contains(&cfg.metrics_allowed,
	    "::ffff:127.0.0.1"), 1);
	assert_int_equal(cidr_list_contains(&cfg.metrics_allowed,
	    "10.0.0.1"), 0);
	config_free(&cfg);
	env_set("METRICS_ALLOWED_IPS", "  ");
	load_ok(&cfg);
	assert_int_equal(cfg.metrics_allowed.count, 2);
	config_free(&cfg);

	/* A list replaces the default, loopback included. */
	env_set("METRICS_ALLOWED_IPS", "10.0.0.0/8, fd00::/8");
	load_ok(&cfg);
	assert_int_equal(cfg.metrics_allowed.count, 2);
	assert_int_equal(cidr_list_contains(&cfg.metrics_allowed,
	    "10.1.2.3"), 1);
	assert_int_equal(cidr_list_contains(&cfg.metrics_allowed,
	    "fd12::1"), 1);
	assert_int_equal(cidr_list_contains(&cfg.metrics_allowed,
	    "127.0.0.1"), 0);
	config_free(&cfg);

	env_set("METRICS_ALLOWED_IPS", "10.0.0.0/40");
	load_fails("METRICS_ALLOWED_IPS: not a comma-separated list of CIDRs",
	    "10.0.0.0/40");
	env_set("METRICS_ALLOWED_IPS", "prometheus.internal");
	load_fails("METRICS_ALLOWED_IPS: not a comma-separated list of CIDRs",
	    "prometheus.internal");
	env_set("METRICS_ALLOWED_IPS", "10.0.0.0/8;127.0.0.1");
	load_fails("METRICS_ALLOWED_IPS: not a comma-separated list of CIDRs",
	    NULL);
}

static void
test_build_info(void **state)
{
	struct config	cfg;

	(void)state;

	load_ok(&cfg);
	assert_string_equal(cfg.build_version, CONFIG_BUILD_UNKNOWN_VERSION);
	assert_string_equal(cfg.build_revision, CONFIG_BUILD_UNKNOWN_REVISION);
	config_free(&cfg);

	env_set("REACTBIN_VERSION", "1.4.0");
	env_set("REACTBIN_REVISION", "6d535be0");
	load_ok(&cfg);
	assert_string_equal(cfg.build_version, "1.4.0");
	assert_string_equal(cfg.build_revision, "6d535be0");
	config_free(&cfg);
	assert_zeroed(&cfg);
}

static void
test_api_base_url(void **state)
{
	static const struct {
		const char	*given;
		const char	*stored;
	} ok[] = {
		{ "https://rb.example.com/", "https://rb.example.com" },
		{ "https://rb.example.com", "https://rb.example.com" },
		{ "http://localhost:8000/api//", "http://localhost:8000/api" },
	};
	static const char *const bad[] = {
		"reactbin.example.com", "ftp://reactbin.example.com",
		"https://", "https://x.example/?q=1",
	};
	struct config	cfg;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		env_set("API_BASE_URL", ok[i].given);
		load_ok(&cfg);
		assert_string_equal(cfg.api_base_url, ok[i].stored);
		config_free(&cfg);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		env_set("API_BASE_URL", bad[i]);
		load_fails("API_BASE_URL: not a valid http(s) URL", NULL);
	}
}

/* On by default; only "true" or "false" otherwise, never guessed at. */
static void
test_derivatives_enabled(void **state)
{
	static const char *const bad[] = {
		"yes", "no", "1", "0", "TRUE", "False", "on", "true ", "truee",
	};
	struct config	cfg;
	size_t		i;

	(void)state;
	load_ok(&cfg);
	assert_int_equal(cfg.derivatives_enabled, 1);
	config_free(&cfg);

	env_set("DERIVATIVES_ENABLED", "false");
	load_ok(&cfg);
	assert_int_equal(cfg.derivatives_enabled, 0);
	config_free(&cfg);

	env_set("DERIVATIVES_ENABLED", "true");
	load_ok(&cfg);
	assert_int_equal(cfg.derivatives_enabled, 1);
	config_free(&cfg);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		env_set("DERIVATIVES_ENABLED", bad[i]);
		/* The message is fixed: it cannot quote the value. */
		load_fails("DERIVATIVES_ENABLED: must be true or false", NULL);
	}
}

static void
test_names_and_region(void **state)
{
	static const char *const good_buckets[] = {
		"abc", "reactbin.images-01", "0bucket9",
		"a2345678901234567890123456789012"
		    "3456789012345678901234567890123",
	};
	static const char *const bad_buckets[] = {
		"ab", "Reactbin", "-bucket", "bucket-", ".bucket", "bucket.",
		"re..act", "react_bin", "react bin", "192.168.1.10",
		"a2345678901234567890123456789012"
		    "34567890123456789012345678901234",
	};
	static const char *const bad_regions[] = {
		"US-EAST-1", "us_east_1", "us east", "eu-west-1\n",
		"r2345678901234567890123456789012"
		    "345678901234567890123456789012345",
	};
	struct config	cfg;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(good_buckets) / sizeof(good_buckets[0]); i++) {
		env_set("S3_BUCKET_NAME", good_buckets[i]);
		load_ok(&cfg);
		assert_string_equal(cfg.s3_bucket, good_buckets[i]);
		config_free(&cfg);
	}
	for (i = 0; i < sizeof(bad_buckets) / sizeof(bad_buckets[0]); i++) {
		env_set("S3_BUCKET_NAME", bad_buckets[i]);
		load_fails("S3_BUCKET_NAME: ", bad_buckets[i]);
	}
	env_set("S3_BUCKET_NAME", "reactbin-prod");

	env_set("S3_REGION", "auto");
	load_ok(&cfg);
	assert_string_equal(cfg.s3_region, "auto");
	config_free(&cfg);
	for (i = 0; i < sizeof(bad_regions) / sizeof(bad_regions[0]); i++) {
		env_set("S3_REGION", bad_regions[i]);
		load_fails("S3_REGION: ", bad_regions[i]);
	}
}

static void
test_owner_username(void **state)
{
	struct config	cfg;
	char		name[130];

	(void)state;
	memset(name, 'u', 128);
	name[128] = '\0';
	env_set("OWNER_USERNAME", name);
	load_ok(&cfg);
	assert_int_equal(strlen(cfg.owner_username), 128);
	config_free(&cfg);

	name[128] = 'u';
	name[129] = '\0';
	load_fails("OWNER_USERNAME: ", name);

	env_set("OWNER_USERNAME", "ow\nner");
	load_fails("OWNER_USERNAME: ", NULL);
	env_set("OWNER_USERNAME", "own\x7f");
	load_fails("OWNER_USERNAME: ", NULL);

	/* Non-ASCII UTF-8 is fine. */
	env_set("OWNER_USERNAME", "\xc3\xa9milie");
	load_ok(&cfg);
	assert_string_equal(cfg.owner_username, "\xc3\xa9milie");
	config_free(&cfg);
}

static void
test_secrets(void **state)
{
	struct config	cfg;

	(void)state;
	/* 31 bytes warns, 32 does not. */
	env_set("JWT_SECRET_KEY", "0123456789012345678901234567890");
	load_ok(&cfg);
	assert_int_equal(cfg.jwt_secret_len, 31);
	assert_int_equal(cfg.jwt_secret_short, 1);
	config_free(&cfg);

	env_set("JWT_SECRET_KEY", "01234567890123456789012345678901");
	load_ok(&cfg);
	assert_int_equal(cfg.jwt_secret_short, 0);
	config_free(&cfg);

	/* Secrets are taken byte for byte, blanks included. */
	env_set("OWNER_PASSWORD", " pass word ");
	env_set("S3_SECRET_ACCESS_KEY", "a/b+c=");
	load_ok(&cfg);
	assert_string_equal(cfg.owner_password, " pass word ");
	assert_string_equal(cfg.s3_secret_access_key, "a/b+c=");
	config_free(&cfg);
}

static void
test_err_buffer(void **state)
{
	struct config	cfg;
	char		err[8];

	(void)state;
	env_set("S3_REGION", NULL);
	memset(err, 'x', sizeof(err));
	assert_int_equal(config_load(&cfg, fake_getenv, err, sizeof(err)), -1);
	assert_string_equal(err, "S3_REGI");
	assert_int_equal(config_load(&cfg, fake_getenv, NULL, 0), -1);
	assert_zeroed(&cfg);
	assert_int_equal(config_load(&cfg, fake_getenv, err, 0), -1);
}

static void
test_free_zeroed(void **state)
{
	struct config	cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	config_free(&cfg);
	assert_zeroed(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_full_env, env_reset),
		cmocka_unit_test_setup(test_defaults, env_reset),
		cmocka_unit_test_setup(test_numbers_set, env_reset),
		cmocka_unit_test_setup(test_required_missing, env_reset),
		cmocka_unit_test_setup(test_required_message_exact, env_reset),
		cmocka_unit_test_setup(test_required_order, env_reset),
		cmocka_unit_test_setup(test_bad_numbers, env_reset),
		cmocka_unit_test_setup(test_number_bounds, env_reset),
		cmocka_unit_test_setup(test_db_schemes, env_reset),
		cmocka_unit_test_setup(test_db_ssl, env_reset),
		cmocka_unit_test_setup(test_db_connect_timeout, env_reset),
		cmocka_unit_test_setup(test_db_password_encoding, env_reset),
		cmocka_unit_test_setup(test_db_ipv6, env_reset),
		cmocka_unit_test_setup(test_db_malformed, env_reset),
		cmocka_unit_test_setup(test_s3_endpoint, env_reset),
		cmocka_unit_test_setup(test_s3_endpoint_bad, env_reset),
		cmocka_unit_test_setup(test_trusted_proxies, env_reset),
		cmocka_unit_test_setup(test_api_base_url, env_reset),
		cmocka_unit_test_setup(test_derivatives_enabled, env_reset),
		cmocka_unit_test_setup(test_names_and_region, env_reset),
		cmocka_unit_test_setup(test_owner_username, env_reset),
		cmocka_unit_test_setup(test_secrets, env_reset),
		cmocka_unit_test_setup(test_err_buffer, env_reset),
		cmocka_unit_test_setup(test_free_zeroed, env_reset),
		cmocka_unit_test_setup(test_metrics_allowed, env_reset),
		cmocka_unit_test_setup(test_build_info, env_reset),
	};

	return (cmocka_run_group_tests_name("config", tests, NULL, NULL));
}
