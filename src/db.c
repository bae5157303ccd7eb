/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * PostgreSQL plumbing: schema migrations in the parent (plain, blocking
 * libpq, before any worker runs), the async pool in the workers, and the
 * repair of pooled connections that a server restart left dead.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "assets.h"
#include "log.h"

/*
 * The advisory lock that serialises migrations between replicas starting
 * together: an arbitrary constant, "rbmigrat" in ASCII.
 */
#define MIGRATION_LOCK_KEY	"7089636398364828020"

/* While the server is down, a worker re-dials at most this often. */
#define DB_RESET_INTERVAL_MS	1000

struct migration {
	int			 version;
	const char		*name;
	const u_int8_t		*sql;
};

/* Append-only: a released migration is never edited, only followed. */
static const struct migration migrations[] = {
	{ 1, "initial", asset_001_initial_sql },
	{ 2, "reactions", asset_002_reactions_sql },
	{ 3, "gin_fastupdate", asset_003_gin_fastupdate_sql },
	{ 4, "login_attempt", asset_004_login_attempt_sql },
	{ 6, "tag_counts", asset_006_tag_counts_sql },
	{ 7, "api_keys", asset_007_api_keys_sql },
};

#define MIGRATION_COUNT	(sizeof(migrations) / sizeof(migrations[0]))

static void	db_reset(PGconn *);
static int	db_exec(PGconn *, const char *, char *, size_t);
static int	db_apply(PGconn *, const struct migration *, char *, size_t);
static int	db_applied(PGconn *, int, int *, char *, size_t);

/* When re-dialling last failed; 0 while the server is known to answer. */
static u_int64_t	db_failed_at;

void
db_worker_init(void)
{
	pgsql_conn_max = DB_WORKER_CONNECTIONS;

	if (!kore_pgsql_register(DB_NAME, app_config.database_conninfo))
		fatalx("could not register the database");
}

/*
 * Kore returns a connection to its pool whatever state it is in, and a
 * connection the server dropped stays dead there forever. A connection
 * libpq reports as bad is re-dialled in place. PQreset blocks, so while
 * the server stays away (the last attempt failed moments ago) requests
 * fail fast with 503 instead; once an attempt succeeds, every other dead
 * connection is re-dialled the moment it is next used.
 */
void
db_connection_check(struct kore_pgsql *sql)
{
	u_int64_t	now;

	if (sql->conn == NULL || sql->conn->db == NULL)
		return;

	if (PQstatus(sql->conn->db) != CONNECTION_BAD)
		return;

	now = kore_time_ms();
	if (db_failed_at != 0 && now - db_failed_at < DB_RESET_INTERVAL_MS)
		return;

	db_reset(sql->conn->db);
}

/*
 * Before a pooled connection carries a query: has the server hung up on
 * it while it sat idle (a restart sends a goodbye and closes)? Such a
 * connection would fail the request it is given, and every other idle one
 * would fail one more, so it is re-dialled now instead.
 */
void
db_connection_ready(struct kore_pgsql *sql)
{
	PGconn		*db;
	ssize_t		 n;
	int		 fd;
	char		 byte;

	if (sql->conn == NULL || (db = sql->conn->db) == NULL)
		return;

	/* Known bad: the rate-limited path, as after a failed query. */
	if (PQstatus(db) == CONNECTION_BAD || (fd = PQsocket(db)) == -1) {
		db_connection_check(sql);
		return;
	}

	n = recv(fd, &byte, sizeof(byte), MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;

	/*
	 * EOF, an error, or the server talking to an idle connection, which
	 * it does to say goodbye ("terminating connection due to
	 * administrator command") just before it closes.
	 */
	db_reset(db);
}

static void
db_reset(PGconn *db)
{
	PQreset(db);

	if (PQstatus(db) == CONNECTION_OK) {
		db_failed_at = 0;
		log_info("event=db_reconnected");
		return;
	}

	db_failed_at = kore_time_ms();
	log_warn("event=db_reconnect_failed");
}

/*
 * Bring the schema up to date. Runs in the parent at start-up with its own
 * connection; concurrent replicas queue on the advisory lock and find the
 * work done. Returns 0, or -1 with a reason (never a secret) in err.
 */
int
db_migrate(const char *conninfo, char *err, size_t errlen)
{
	PGconn		*conn;
	size_t		 i;
	int		 applied, ret;

	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		(void)snprintf(err, errlen, "cannot connect to the database");
		PQfinish(conn);
		return (-1);
	}

	ret = -1;

	if (db_exec(conn, "SET client_min_messages TO warning",
	    err, errlen) == -1)
		goto out;

	if (db_exec(conn, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")",
	    err, errlen) == -1)
		goto out;

	if (db_exec(conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, name text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())",
	    err, errlen) == -1)
		goto unlock;

	for (i = 0; i < MIGRATION_COUNT; i++) {
		if (db_applied(conn, migrations[i].version, &applied,
		    err, errlen) == -1)
			goto unlock;
		if (applied)
			continue;
		if (db_apply(conn, &migrations[i], err, errlen) == -1)
			goto unlock;
		log_info("event=migration_applied version=%d name=%s",
		    migrations[i].version, migrations[i].name);
	}

	ret = 0;

unlock:
	/* Closing the session would release it too; this is explicit. */
	if (db_exec(conn, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")",
	    NULL, 0) == -1)
		ret = -1;
out:
	PQfinish(conn);
	return (ret);
}

static int
db_applied(PGconn *conn, int version, int *applied, char *err,
    size_t errlen)
{
	PGresult	*res;
	char		 text[16];
	const char	*params[1];

	(void)snprintf(text, sizeof(text), "%d", version);
	params[0] = text;

	res = PQexecParams(conn,
	    "SELECT 1 FROM schema_migrations WHERE version = $1",
	    1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		(void)snprintf(err, errlen, "reading schema_migrations: %s",
		    PQresultErrorMessage(res));
		PQclear(res);
		return (-1);
	}

	*applied = PQntuples(res) > 0;
	PQclear(res);
	return (0);
}

static int
db_apply(PGconn *conn, const struct migration *m, char *err, size_t errlen)
{
	PGresult	*res;
	char		 version[16];
	const char	*params[2];

	if (db_exec(conn, "BEGIN", err, errlen) == -1)
		return (-1);

	if (db_exec(conn, (const char *)m->sql, err, errlen) == -1)
		goto rollback;

	(void)snprintf(version, sizeof(version), "%d", m->version);
	params[0] = version;
	params[1] = m->name;

	res = PQexecParams(conn,
	    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
	    2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		(void)snprintf(err, errlen, "recording migration %d: %s",
		    m->version, PQresultErrorMessage(res));
		PQclear(res);
		goto rollback;
	}
	PQclear(res);

	return (db_exec(conn, "COMMIT", err, errlen));

rollback:
	(void)db_exec(conn, "ROLLBACK", NULL, 0);
	return (-1);
}

static int
db_exec(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult	*res;
	int		 status;

	res = PQexec(conn, sql);
	status = PQresultStatus(res);

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		if (err != NULL) {
			(void)snprintf(err, errlen, "%s",
			    PQresultErrorMessage(res));
		}
		PQclear(res);
		return (-1);
	}

	PQclear(res);
	return (0);
}
