/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Environment -> struct config. Every variable of the production container
 * contract is read here, once, and checked hard enough that a typo stops
 * start-up with a line naming the variable instead of failing later on the
 * first request. Error lines never carry a value: most of them are secrets
 * or URLs with passwords in them.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* explicit_bzero */
#endif

#include <arpa/inet.h>
#include <netinet/in.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "buf.h"
#include "config.h"
#include "encoding.h"

#define TEN_YEARS_SECONDS	(10ULL * 365 * 24 * 60 * 60)
#define FOUR_GIB		(4ULL * 1024 * 1024 * 1024)
#define LOGIN_FAILURES_MAX	1000000ULL

#define USERNAME_MAX		128
#define REGION_MAX		64
#define BUCKET_MIN		3
#define BUCKET_MAX		63
#define HOSTNAME_MAX		253
#define LABEL_MAX		63
#define PORT_MAX		65535U
#define PORT_TEXT_MAX		8	/* ":65535" and its NUL */
#define HTTP_PORT		80U
#define HTTPS_PORT		443U
#define ASCII_SPACE		0x20	/* below it: control characters */
#define ASCII_DEL		0x7f

/* Enough for any IPv6 literal; longer bracketed text is not an address. */
#define V6_TEXT_MAX		64

/* 0 or less would let a dead database host hang a worker for good. */
#define DB_TIMEOUT_MAX		INT_MAX
#define DB_SCHEME_OUT		"postgresql://"
#define DB_BAD			"not a valid postgresql:// URL"
#define URL_BAD			"not a valid http(s) URL"

struct config_number {
	const char	*name;
	uint64_t	def;
	uint64_t	max;
};

struct config_ssl_map {
	const char	*asyncpg;
	const char	*libpq;
};

static int	config_blank(const char *);
static const char *config_value(config_getenv_fn, const char *);
static void	config_err(char *, size_t, const char *, const char *);
static void	config_wipe_free(char *);
static char	*config_strdup(const char *);

static char	*config_take(struct buf *);

static int	config_uint(const char *, uint64_t, uint64_t, uint64_t *);
static int	config_number(config_getenv_fn, const struct config_number *,
		    uint64_t *, char *, size_t);

static int	config_pct_eq(const char *, size_t, const char *, int);
static int	config_prefix_icase(const char *, const char *);
static const char *config_ssl_lookup(const char *, size_t);
static int	config_sslmode_valid(const char *);
static int	config_db_hosts_ok(const char *, const char *);
static int	config_db_ports_ok(const char *);
static int	config_db_rewrite(const char *, struct buf *,
		    const char **);

static int	config_hostname_valid(const char *, size_t);
static int	config_path_valid(const char *, size_t);
static int	config_port(const char *, size_t, unsigned int *);
static int	config_http_url(struct s3_endpoint *, const char *,
		    const char **);
static void	config_endpoint_free(struct s3_endpoint *);

static int	config_bucket_valid(const char *);
static int	config_region_valid(const char *);
static int	config_username_valid(const char *);

/* The contract's table order: the first missing variable is the one named. */
static const char *const config_required[] = {
	"JWT_SECRET_KEY",
	"OWNER_USERNAME",
	"OWNER_PASSWORD",
	"DATABASE_URL",
	"S3_ENDPOINT_URL",
	"S3_BUCKET_NAME",
	"S3_ACCESS_KEY_ID",
	"S3_SECRET_ACCESS_KEY",
	"S3_REGION",
};

enum config_numbers {
	NUM_JWT_EXPIRY,
	NUM_MAX_UPLOAD,
	NUM_LOGIN_FAILURES,
	NUM_LOGIN_WINDOW,
	NUM_LOGIN_COOLDOWN,
	NUM_COUNT
};

static const struct config_number config_numbers[NUM_COUNT] = {
	{ "JWT_EXPIRY_SECONDS", CONFIG_JWT_EXPIRY_DEFAULT, TEN_YEARS_SECONDS },
	{ "MAX_UPLOAD_BYTES", CONFIG_MAX_UPLOAD_DEFAULT, FOUR_GIB },
	{ "LOGIN_MAX_FAILURES", CONFIG_LOGIN_FAILURES_DEFAULT,
	    LOGIN_FAILURES_MAX },
	{ "LOGIN_WINDOW_SECONDS", CONFIG_LOGIN_WINDOW_DEFAULT,
	    TEN_YEARS_SECONDS },
	{ "LOGIN_COOLDOWN_SECONDS", CONFIG_LOGIN_COOLDOWN_DEFAULT,
	    TEN_YEARS_SECONDS },
};

/* asyncpg's ssl= values; libpq only knows sslmode= (and ssl=true). */
static const struct config_ssl_map config_ssl_modes[] = {
	{ "disable",		"disable" },
	{ "allow",		"allow" },
	{ "prefer",		"prefer" },
	{ "require",		"require" },
	{ "verify-ca",		"verify-ca" },
	{ "verify-full",	"verify-full" },
	{ "true",		"require" },
	{ "false",		"disable" },
};

static const char *const config_db_schemes[] = {
	"postgresql+asyncpg://",
	"postgresql://",
	"postgres://",
};

const char *
config_getenv(const char *name)
{
	return (getenv(name));
}

int
config_load(struct config *cfg, config_getenv_fn get, char *err,
    size_t errlen)
{
	size_t		i;
	uint64_t	num[NUM_COUNT];
	const char	*v, *why;

	memset(cfg, 0, sizeof(*cfg));
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	for (i = 0; i < sizeof(config_required) / sizeof(config_required[0]);
	    i++) {
		if (config_value(get, config_required[i]) == NULL) {
			config_err(err, errlen, config_required[i],
			    "required but not set");
			return (-1);
		}
	}

	v = config_value(get, "JWT_SECRET_KEY");
	if ((cfg->jwt_secret = config_strdup(v)) == NULL) {
		config_err(err, errlen, "JWT_SECRET_KEY", "out of memory");
		goto fail;
	}
	cfg->jwt_secret_len = strlen(cfg->jwt_secret);
	cfg->jwt_secret_short = cfg->jwt_secret_len < CONFIG_JWT_SECRET_MIN;

	v = config_value(get, "OWNER_USERNAME");
	if (!config_username_valid(v)) {
		config_err(err, errlen, "OWNER_USERNAME",
		    "must be 1-128 bytes without control characters");
		goto fail;
	}
	if ((cfg->owner_username = config_strdup(v)) == NULL) {
		config_err(err, errlen, "OWNER_USERNAME", "out of memory");
		goto fail;
	}

	v = config_value(get, "OWNER_PASSWORD");
	if ((cfg->owner_password = config_strdup(v)) == NULL) {
		config_err(err, errlen, "OWNER_PASSWORD", "out of memory");
		goto fail;
	}

	v = config_value(get, "DATABASE_URL");
	if (config_database_conninfo(v, &cfg->database_conninfo,
	    err, errlen) == -1)
		goto fail;

	v = config_value(get, "S3_ENDPOINT_URL");
	if (config_http_url(&cfg->s3, v, &why) == -1) {
		config_err(err, errlen, "S3_ENDPOINT_URL", why);
		goto fail;
	}

	v = config_value(get, "S3_BUCKET_NAME");
	if (!config_bucket_valid(v)) {
		config_err(err, errlen, "S3_BUCKET_NAME",
		    "not a valid S3 bucket name (3-63 of a-z 0-9 . -, "
		    "starting and ending with a letter or digit)");
		goto fail;
	}
	if ((cfg->s3_bucket = config_strdup(v)) == NULL) {
		config_err(err, errlen, "S3_BUCKET_NAME", "out of memory");
		goto fail;
	}

	v = config_value(get, "S3_ACCESS_KEY_ID");
	if ((cfg->s3_access_key_id = config_strdup(v)) == NULL) {
		config_err(err, errlen, "S3_ACCESS_KEY_ID", "out of memory");
		goto fail;
	}

	v = config_value(get, "S3_SECRET_ACCESS_KEY");
	if ((cfg->s3_secret_access_key = config_strdup(v)) == NULL) {
		config_err(err, errlen, "S3_SECRET_ACCESS_KEY",
		    "out of memory");
		goto fail;
	}

	v = config_value(get, "S3_REGION");
	if (!config_region_valid(v)) {
		config_err(err, errlen, "S3_REGION",
		    "not a valid region (1-64 of a-z 0-9 -)");
		goto fail;
	}
	if ((cfg->s3_region = config_strdup(v)) == NULL) {
		config_err(err, errlen, "S3_REGION", "out of memory");
		goto fail;
	}

	for (i = 0; i < NUM_COUNT; i++) {
		if (config_number(get, &config_numbers[i], &num[i],
		    err, errlen) == -1)
			goto fail;
	}
	cfg->jwt_expiry_seconds = (long)num[NUM_JWT_EXPIRY];
	cfg->max_upload_bytes = num[NUM_MAX_UPLOAD];
	cfg->login_max_failures = (long)num[NUM_LOGIN_FAILURES];
	cfg->login_window_seconds = (long)num[NUM_LOGIN_WINDOW];
	cfg->login_cooldown_seconds = (long)num[NUM_LOGIN_COOLDOWN];

	v = config_value(get, "LOGIN_TRUSTED_PROXY_IPS");
	if (v != NULL && cidr_list_parse(&cfg->trusted_proxies, v) == -1) {
		config_err(err, errlen, "LOGIN_TRUSTED_PROXY_IPS",
		    "not a comma-separated list of CIDRs");
		goto fail;
	}

	v = config_value(get, "API_BASE_URL");
	if (v == NULL) {
		cfg->api_base_url = config_strdup("");
	} else {
		struct s3_endpoint	probe;

		/* Same rules as the S3 endpoint; only the text is kept. */
		if (config_http_url(&probe, v, &why) == -1) {
			config_err(err, errlen, "API_BASE_URL", why);
			goto fail;
		}
		config_endpoint_free(&probe);
		if ((cfg->api_base_url = config_strdup(v)) != NULL) {
			i = strlen(cfg->api_base_url);
			while (i > 0 && cfg->api_base_url[i - 1] == '/')
				cfg->api_base_url[--i] = '\0';
		}
	}
	if (cfg->api_base_url == NULL) {
		config_err(err, errlen, "API_BASE_URL", "out of memory");
		goto fail;
	}

	/* Thumbnails and previews: on unless a small host turns them off. */
	v = config_value(get, "DERIVATIVES_ENABLED");
	if (v == NULL || strcmp(v, "true") == 0) {
		cfg->derivatives_enabled = 1;
	} else if (strcmp(v, "false") == 0) {
		cfg->derivatives_enabled = 0;
	} else {
		config_err(err, errlen, "DERIVATIVES_ENABLED",
		    "must be true or false");
		goto fail;
	}

	/* Who may scrape GET /metrics: loopback unless told otherwise. */
	v = config_value(get, "METRICS_ALLOWED_IPS");
	if (cidr_list_parse(&cfg->metrics_allowed,
	    v != NULL ? v : CONFIG_METRICS_ALLOWED_DEFAULT) == -1) {
		config_err(err, errlen, "METRICS_ALLOWED_IPS",
		    "not a comma-separated list of CIDRs");
		goto fail;
	}

	/* What the image was built from (Dockerfile); any text. */
	v = config_value(get, "REACTBIN_VERSION");
	cfg->build_version = config_strdup(v != NULL ? v :
	    CONFIG_BUILD_UNKNOWN_VERSION);
	v = config_value(get, "REACTBIN_REVISION");
	cfg->build_revision = config_strdup(v != NULL ? v :
	    CONFIG_BUILD_UNKNOWN_REVISION);
	if (cfg->build_version == NULL || cfg->build_revision == NULL) {
		config_err(err, errlen, "REACTBIN_VERSION", "out of memory");
		goto fail;
	}

	return (0);

fail:
	config_free(cfg);
	return (-1);
}

void
config_free(struct config *cfg)
{
	config_wipe_free(cfg->jwt_secret);
	free(cfg->owner_username);
	config_wipe_free(cfg->owner_password);
	config_wipe_free(cfg->database_conninfo);
	config_endpoint_free(&cfg->s3);
	free(cfg->s3_bucket);
	free(cfg->s3_access_key_id);
	config_wipe_free(cfg->s3_secret_access_key);
	free(cfg->s3_region);
	free(cfg->api_base_url);
	free(cfg->build_version);
	free(cfg->build_revision);
	memset(cfg, 0, sizeof(*cfg));
}

int
config_database_conninfo(const char *url, char **out, char *err,
    size_t errlen)
{
	struct buf		buf;
	PQconninfoOption	*opts, *o;
	char			*perr, *conninfo;
	const char		*why, *host, *hostaddr, *port, *sslmode;
	const char		*timeout;
	uint64_t		secs;

	*out = NULL;
	/* The URL may hold a password. */
	buf_init(&buf, 0, 1);

	if (url == NULL) {
		config_err(err, errlen, "DATABASE_URL",
		    "required but not set");
		return (-1);
	}

	why = NULL;
	if (config_db_rewrite(url, &buf, &why) == -1) {
		buf_free(&buf);
		config_err(err, errlen, "DATABASE_URL", why);
		return (-1);
	}
	if ((conninfo = config_take(&buf)) == NULL) {
		config_err(err, errlen, "DATABASE_URL", "out of memory");
		return (-1);
	}

	/* libpq's message may quote the password: it is never shown. */
	perr = NULL;
	if ((opts = PQconninfoParse(conninfo, &perr)) == NULL) {
		if (perr != NULL)
			PQfreemem(perr);
		config_wipe_free(conninfo);
		config_err(err, errlen, "DATABASE_URL",
		    DB_BAD " (does not parse)");
		return (-1);
	}

	host = hostaddr = port = sslmode = timeout = NULL;
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL)
			continue;
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			hostaddr = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "sslmode") == 0)
			sslmode = o->val;
		else if (strcmp(o->keyword, "connect_timeout") == 0)
			timeout = o->val;
	}

	why = NULL;
	if (!config_db_hosts_ok(host, hostaddr))
		why = DB_BAD " (must name a TCP host, not a Unix socket)";
	else if (port != NULL && !config_db_ports_ok(port))
		why = DB_BAD " (port must be 1-65535)";
	else if (sslmode != NULL && !config_sslmode_valid(sslmode))
		why = DB_BAD " (unknown sslmode value)";
	else if (timeout != NULL &&
	    config_uint(timeout, 1, DB_TIMEOUT_MAX, &secs) == -1)
		why = DB_BAD " (connect_timeout must be a whole number of "
		    "seconds, at least 1)";
	PQconninfoFree(opts);

	if (why != NULL) {
		config_wipe_free(conninfo);
		config_err(err, errlen, "DATABASE_URL", why);
		return (-1);
	}

	*out = conninfo;
	return (0);
}

/* A value that is only whitespace is a deployment slip, not a setting. */
static int
config_blank(const char *v)
{
	if (v == NULL)
		return (1);
	for (; *v != '\0'; v++) {
		if (strchr(" \t\r\n\v\f", *v) == NULL)
			return (0);
	}
	return (1);
}

static const char *
config_value(config_getenv_fn get, const char *name)
{
	const char	*v;

	v = get(name);
	if (config_blank(v))
		return (NULL);
	return (v);
}

static void
config_err(char *err, size_t errlen, const char *name, const char *reason)
{
	if (err == NULL || errlen == 0)
		return;
	(void)snprintf(err, errlen, "%s: %s", name, reason);
}

static void
config_wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static char *
config_strdup(const char *s)
{
	size_t	len;
	char	*p;

	len = strlen(s);
	if ((p = malloc(len + 1)) == NULL)
		return (NULL);
	memcpy(p, s, len + 1);
	return (p);
}

/* The string built, or NULL if an append failed (the buffer is freed). */
static char *
config_take(struct buf *b)
{
	char	*s;

	if (buf_finish(b, &s, NULL) == -1)
		return (NULL);
	return (s);
}

/* Plain decimal only: strtoull would take signs, blanks and 0x. */
static int
config_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t	v;

	if (enc_decimal(s, strlen(s), max, &v) == -1 || v < min)
		return (-1);

	*out = v;
	return (0);
}

static int
config_number(config_getenv_fn get, const struct config_number *n,
    uint64_t *out, char *err, size_t errlen)
{
	const char	*v;
	char		reason[96];

	if ((v = config_value(get, n->name)) == NULL) {
		*out = n->def;
		return (0);
	}
	if (config_uint(v, 1, n->max, out) == -1) {
		(void)snprintf(reason, sizeof(reason),
		    "not a whole number between 1 and %llu",
		    (unsigned long long)n->max);
		config_err(err, errlen, n->name, reason);
		return (-1);
	}
	return (0);
}

/* Does s[0..len), percent-decoded as libpq would, equal want? */
static int
config_pct_eq(const char *s, size_t len, const char *want, int icase)
{
	size_t	i;
	int	c, hi, lo;

	for (i = 0; i < len; i++, want++) {
		c = (unsigned char)s[i];
		if (c == '%' && i + 2 < len &&
		    (hi = enc_hex_digit(s[i + 1])) != -1 &&
		    (lo = enc_hex_digit(s[i + 2])) != -1) {
			c = hi * 16 + lo;
			i += 2;
		}
		if (*want == '\0')
			return (0);
		if (icase) {
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
		}
		if (c != (unsigned char)*want)
			return (0);
	}
	return (*want == '\0');
}

static int
config_prefix_icase(const char *s, const char *prefix)
{
	size_t	len;

	len = strlen(prefix);
	return (strncasecmp(s, prefix, len) == 0);
}

static const char *
config_ssl_lookup(const char *v, size_t len)
{
	size_t	i;

	for (i = 0; i < sizeof(config_ssl_modes) / sizeof(config_ssl_modes[0]);
	    i++) {
		if (config_pct_eq(v, len, config_ssl_modes[i].asyncpg, 1))
			return (config_ssl_modes[i].libpq);
	}
	return (NULL);
}

static int
config_sslmode_valid(const char *v)
{
	size_t	i;

	/* libpq would only notice at connect time, in a worker. */
	for (i = 0; i < sizeof(config_ssl_modes) / sizeof(config_ssl_modes[0]);
	    i++) {
		if (strcmp(v, config_ssl_modes[i].asyncpg) == 0 &&
		    strcmp(v, config_ssl_modes[i].libpq) == 0)
			return (1);
	}
	return (0);
}

/*
 * An empty host, or one starting with '/' or '@', is a Unix socket: a
 * container has none, and libpq would fall back to one silently.
 */
static int
config_db_hosts_ok(const char *host, const char *hostaddr)
{
	const char	*p, *end;

	if (host == NULL || *host == '\0')
		return (hostaddr != NULL && *hostaddr != '\0');

	for (p = host;; p = end + 1) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		if (end == p || *p == '/' || *p == '@')
			return (0);
		if (*end == '\0')
			break;
	}
	return (1);
}

/* libpq only checks ports when it connects; empty means 5432. */
static int
config_db_ports_ok(const char *ports)
{
	const char	*p, *end;
	unsigned int	port;

	for (p = ports;; p = end + 1) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		if (end != p && config_port(p, (size_t)(end - p), &port) == -1)
			return (0);
		if (*end == '\0')
			break;
	}
	return (1);
}

/*
 * Scheme -> postgresql://, asyncpg's ssl= -> sslmode=, connect_timeout
 * added. The split between authority and query follows libpq's own URI
 * parser so a '?' inside a password does not start the query.
 */
static int
config_db_rewrite(const char *url, struct buf *b, const char **why)
{
	const char	*rest, *p, *q, *param, *amp, *eq, *mode;
	size_t		i, plen, klen;
	int		have_ssl, have_sslmode, have_timeout, first;

	rest = NULL;
	for (i = 0; i < sizeof(config_db_schemes) /
	    sizeof(config_db_schemes[0]); i++) {
		if (config_prefix_icase(url, config_db_schemes[i])) {
			rest = url + strlen(config_db_schemes[i]);
			break;
		}
	}
	if (rest == NULL) {
		*why = DB_BAD " (scheme must be postgresql://, postgres:// "
		    "or postgresql+asyncpg://)";
		return (-1);
	}

	for (p = rest; *p != '\0' && *p != '@' && *p != '/'; p++)
		;
	p = (*p == '@') ? p + 1 : rest;
	q = strchr(p, '?');

	buf_appends(b, DB_SCHEME_OUT);
	buf_append(b, rest, q != NULL ? (size_t)(q - rest) : strlen(rest));

	have_ssl = have_sslmode = have_timeout = 0;
	first = 1;
	for (param = q != NULL ? q + 1 : NULL; param != NULL && *param != '\0';
	    param = amp != NULL ? amp + 1 : NULL) {
		amp = strchr(param, '&');
		plen = amp != NULL ? (size_t)(amp - param) : strlen(param);
		eq = memchr(param, '=', plen);
		klen = eq != NULL ? (size_t)(eq - param) : plen;

		buf_appends(b, first ? "?" : "&");
		first = 0;

		if (eq != NULL && config_pct_eq(param, klen, "ssl", 0)) {
			mode = config_ssl_lookup(eq + 1, plen - klen - 1);
			if (mode == NULL) {
				*why = DB_BAD " (unknown ssl value)";
				return (-1);
			}
			have_ssl++;
			buf_appends(b, "sslmode=");
			buf_appends(b, mode);
			continue;
		}
		if (config_pct_eq(param, klen, "sslmode", 0))
			have_sslmode++;
		else if (config_pct_eq(param, klen, "connect_timeout", 0))
			have_timeout = 1;
		buf_append(b, param, plen);
	}

	if (have_ssl + have_sslmode > 1) {
		*why = DB_BAD " (ssl / sslmode given more than once)";
		return (-1);
	}

	/*
	 * The parent's blocking dials (migrations) need an end; db.c ends
	 * the workers' non-blocking ones after it too (capped lower).
	 */
	if (!have_timeout) {
		buf_appends(b, first ? "?" : "&");
		buf_appends(b, "connect_timeout=" CONFIG_DB_CONNECT_TIMEOUT);
	}
	if (b->failed) {
		*why = "out of memory";
		return (-1);
	}
	return (0);
}

/* DNS names (with '_' for compose service names) or dotted IPv4. */
static int
config_hostname_valid(const char *h, size_t len)
{
	size_t		i, label;
	int		numeric;
	char		v4[INET_ADDRSTRLEN];
	struct in_addr	a4;

	if (len == 0 || len > HOSTNAME_MAX)
		return (0);
	label = 0;
	numeric = 1;
	for (i = 0; i < len; i++) {
		if (h[i] == '.') {
			if (label == 0)
				return (0);
			label = 0;
			continue;
		}
		if (!((h[i] >= 'a' && h[i] <= 'z') ||
		    (h[i] >= 'A' && h[i] <= 'Z') ||
		    (h[i] >= '0' && h[i] <= '9') ||
		    h[i] == '-' || h[i] == '_'))
			return (0);
		if (h[i] < '0' || h[i] > '9')
			numeric = 0;
		if (++label > LABEL_MAX)
			return (0);
	}
	if (label == 0)
		return (0);

	/* All digits and dots: it had better be a real IPv4 address. */
	if (numeric) {
		if (len >= sizeof(v4))
			return (0);
		memcpy(v4, h, len);
		v4[len] = '\0';
		return (inet_pton(AF_INET, v4, &a4) == 1);
	}
	return (1);
}

/*
 * The path prefix is put in front of every S3 object path and signed;
 * only unreserved characters keep it free of encoding questions, and
 * empty or dot segments would be rewritten by the HTTP client.
 */
static int
config_path_valid(const char *p, size_t len)
{
	size_t	i, seg;

	if (len == 0)
		return (1);
	if (p[0] != '/')
		return (0);
	seg = 0;
	for (i = 1; i <= len; i++) {
		if (i == len || p[i] == '/') {
			if (seg == 0)
				return (0);
			if ((seg == 1 && p[i - 1] == '.') ||
			    (seg == 2 && p[i - 1] == '.' && p[i - 2] == '.'))
				return (0);
			seg = 0;
			continue;
		}
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') ||
		    p[i] == '-' || p[i] == '.' || p[i] == '_' || p[i] == '~'))
			return (0);
		seg++;
	}
	return (1);
}

static int
config_port(const char *s, size_t len, unsigned int *port)
{
	uint64_t	v;

	if (enc_decimal(s, len, PORT_MAX, &v) == -1 || v == 0)
		return (-1);

	*port = (unsigned int)v;
	return (0);
}

static int
config_http_url(struct s3_endpoint *ep, const char *url, const char **why)
{
	const char	*rest, *auth_end, *host, *port_s;
	size_t		host_len, port_len, path_len, i;
	unsigned int	port, defport;
	int		v6, explicit_port;
	char		v6buf[V6_TEXT_MAX];
	char		portbuf[PORT_TEXT_MAX];
	struct in6_addr	a6;
	struct buf	b;

	memset(ep, 0, sizeof(*ep));
	buf_init(&b, 0, 0);

	if (config_prefix_icase(url, "https://")) {
		rest = url + strlen("https://");
		defport = HTTPS_PORT;
	} else if (config_prefix_icase(url, "http://")) {
		rest = url + strlen("http://");
		defport = HTTP_PORT;
	} else {
		*why = URL_BAD " (scheme must be http:// or https://)";
		return (-1);
	}

	if (strpbrk(rest, "?#") != NULL) {
		*why = URL_BAD " (no query or fragment allowed)";
		return (-1);
	}
	if ((auth_end = strchr(rest, '/')) == NULL)
		auth_end = rest + strlen(rest);
	if (memchr(rest, '@', (size_t)(auth_end - rest)) != NULL) {
		*why = URL_BAD " (credentials in the URL are not allowed)";
		return (-1);
	}

	v6 = 0;
	port_s = NULL;
	if (*rest == '[') {
		host = rest + 1;
		port_s = memchr(host, ']', (size_t)(auth_end - host));
		if (port_s == NULL) {
			*why = URL_BAD " (unterminated IPv6 address)";
			return (-1);
		}
		host_len = (size_t)(port_s - host);
		port_s++;
		if (host_len == 0 || host_len >= sizeof(v6buf)) {
			*why = URL_BAD " (bad IPv6 address)";
			return (-1);
		}
		memcpy(v6buf, host, host_len);
		v6buf[host_len] = '\0';
		if (inet_pton(AF_INET6, v6buf, &a6) != 1) {
			*why = URL_BAD " (bad IPv6 address)";
			return (-1);
		}
		if (port_s != auth_end && *port_s != ':') {
			*why = URL_BAD " (bad host)";
			return (-1);
		}
		v6 = 1;
	} else {
		host = rest;
		port_s = memchr(rest, ':', (size_t)(auth_end - rest));
		if (port_s == NULL)
			port_s = auth_end;
		host_len = (size_t)(port_s - host);
		if (!config_hostname_valid(host, host_len)) {
			*why = URL_BAD " (bad host)";
			return (-1);
		}
	}

	explicit_port = 0;
	port = defport;
	if (port_s != auth_end) {
		/* port_s points at ':' here. */
		port_len = (size_t)(auth_end - port_s - 1);
		if (config_port(port_s + 1, port_len, &port) == -1) {
			*why = URL_BAD " (port must be 1-65535)";
			return (-1);
		}
		explicit_port = port != defport;
	}

	path_len = strlen(auth_end);
	while (path_len > 0 && auth_end[path_len - 1] == '/')
		path_len--;
	if (!config_path_valid(auth_end, path_len)) {
		*why = URL_BAD " (path may only hold a-z A-Z 0-9 - . _ ~ "
		    "segments)";
		return (-1);
	}

	ep->port = port;
	ep->scheme = config_strdup(defport == HTTPS_PORT ? "https" : "http");
	if ((ep->hostname = malloc(host_len + 1)) != NULL) {
		for (i = 0; i < host_len; i++) {
			ep->hostname[i] = host[i];
			if (host[i] >= 'A' && host[i] <= 'Z')
				ep->hostname[i] += 'a' - 'A';
		}
		ep->hostname[host_len] = '\0';

		if (v6)
			buf_appends(&b, "[");
		buf_appends(&b, ep->hostname);
		if (v6)
			buf_appends(&b, "]");
		if (explicit_port) {
			(void)snprintf(portbuf, sizeof(portbuf), ":%u", port);
			buf_appends(&b, portbuf);
		}
		ep->host = config_take(&b);
	}
	if (ep->scheme != NULL && ep->host != NULL) {
		buf_appends(&b, ep->scheme);
		buf_appends(&b, "://");
		buf_appends(&b, ep->host);
		buf_append(&b, auth_end, path_len);
		ep->base_url = config_take(&b);
	}
	if (ep->base_url == NULL) {
		config_endpoint_free(ep);
		*why = "out of memory";
		return (-1);
	}
	return (0);
}

static void
config_endpoint_free(struct s3_endpoint *ep)
{
	free(ep->scheme);
	free(ep->host);
	free(ep->hostname);
	free(ep->base_url);
	memset(ep, 0, sizeof(*ep));
}

/* S3's naming rules, so a typo fails here and not as a signed 400. */
static int
config_bucket_valid(const char *s)
{
	size_t		i, len;
	struct in_addr	a4;

	len = strlen(s);
	if (len < BUCKET_MIN || len > BUCKET_MAX)
		return (0);
	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '-'))
			return (0);
		if (s[i] == '.' && i > 0 && s[i - 1] == '.')
			return (0);
	}
	if (s[0] == '.' || s[0] == '-' || s[len - 1] == '.' ||
	    s[len - 1] == '-')
		return (0);
	if (inet_pton(AF_INET, s, &a4) == 1)
		return (0);
	return (1);
}

static int
config_region_valid(const char *s)
{
	size_t	len;

	len = strlen(s);
	if (len == 0 || len > REGION_MAX)
		return (0);
	return (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len);
}

static int
config_username_valid(const char *s)
{
	size_t	len;

	len = strlen(s);
	if (len == 0 || len > USERNAME_MAX)
		return (0);
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < ASCII_SPACE ||
		    (unsigned char)*s == ASCII_DEL)
			return (0);
	}
	return (1);
}
