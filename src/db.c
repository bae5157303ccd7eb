/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * PostgreSQL plumbing: schema migrations in the parent (plain, blocking
 * libpq, before any worker runs), and the connections a worker's queries
 * run on, which are dialled without ever blocking its event loop.
 *
 * Kore's pool dials with PQconnectdb, which holds the event loop (every
 * request of the worker) until the server answers or connect_timeout
 * passes, and keeps connections the server dropped. So the pool is
 * db.c's: DB_WORKER_CONNECTIONS slots handed to Kore's pool at start-up,
 * which Kore lends to queries as its own but never has to dial. A query
 * whose slot has no live connection takes an idle slot's, or else waits
 * for one that db.c dials with PQconnectStart/PQconnectPoll on the event
 * loop (so a worker holds as many connections as it has had queries at
 * once); while the server does not answer, one query at a time waits for
 * a dial and the others fail at once with 503. A query whose answer is
 * late has the server's liveness checked with a fresh dial, and when that
 * is not answered either, it is given up.
 *
 * This leans on Kore 4.3's pgsql.c as it is: releasing a connection puts
 * it in the pool (which is how the slots get there), conn->job is set
 * while a query holds one, KORE_PGSQL_SCHEDULED has release take the
 * socket out of the event loop and cancel an unfinished query, and the
 * pool dials only when no connection is free.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "assets.h"
#include "encoding.h"
#include "log.h"

/*
 * The advisory lock that serialises migrations between replicas starting
 * together: an arbitrary constant, "rbmigrat" in ASCII.
 */
#define MIGRATION_LOCK_KEY	"7089636398364828020"

/*
 * libpq applies connect_timeout only to the dials it drives itself, so a
 * worker's dials end after it here, and never later than this: requests
 * wait for them.
 */
#define DB_DIAL_MAX_MS		2000

/* An answer later than this has the server's liveness checked... */
#define DB_ANSWER_LATE_MS	1000

/* ...by a dial of its own, at most this often. */
#define DB_CHECK_INTERVAL_MS	1000

/* How often dials and queries are checked against their deadlines. */
#define DB_TICK_MS		100

/*
 * Kore's pool is registered with a connection string libpq rejects
 * before it touches the network: should Kore ever find the slots all
 * taken and dial one of its own, that fails at once instead of blocking.
 */
#define DB_POOL_CONNINFO	"reactbin_pool_never_dials=1"

/*
 * TCP settings of a worker's connections, unless DATABASE_URL has its
 * own. Keepalives find an idle connection whose peer vanished;
 * tcp_user_timeout ends one whose sent query nobody acknowledges (while
 * new dials may still succeed, so the liveness check passes).
 */
#define DB_KEEPALIVES_IDLE_S		"10"
#define DB_KEEPALIVES_INTERVAL_S	"5"
#define DB_KEEPALIVES_COUNT		"3"
#define DB_TCP_USER_TIMEOUT_MS		"20000"

/* What the query of a request gets told when its server is away. */
#define DB_UNAVAILABLE		"the database is not answering"

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
	{ 5, "derivatives", asset_005_derivatives_sql },
	{ 6, "tag_counts", asset_006_tag_counts_sql },
	{ 7, "api_keys", asset_007_api_keys_sql },
	{ 8, "reaction_hashes", asset_008_reaction_hashes_sql },
};

#define MIGRATION_COUNT	(sizeof(migrations) / sizeof(migrations[0]))

struct db_slot;

/* A connection being dialled, driven by its socket's events. */
struct db_dial {
	struct kore_event	 evt;	/* first: the event loop hands it back */
	PGconn			*db;	/* NULL while no dial is under way */
	u_int64_t		 started;
	struct db_slot		*slot;	/* whose it becomes; NULL: a check */
};

/* One of the worker's connections, and the query it carries. */
struct db_slot {
	struct pgsql_conn	*conn;	/* in Kore's pool for the worker's life */
	struct db_dial		 dial;
	struct kore_pgsql	*sql;
	u_int64_t		 sent_at;	/* 0: no query out */
	int			 parked;	/* the query waits for the dial */
	const char		*query;
	int			 nparams;
	const char		**values;
	int			*lengths;
};

enum db_dial_end {
	DB_DIAL_OK,
	DB_DIAL_FAILED,
	DB_DIAL_TIMEOUT,
};

static int		 db_exec(PGconn *, const char *, char *, size_t);
static int		 db_apply(PGconn *, const struct migration *, char *,
			    size_t);
static int		 db_applied(PGconn *, int, int *, char *, size_t);

static u_int64_t	 db_dial_limit(const char *);
static struct db_slot	*db_slot_of(struct pgsql_conn *);
static int		 db_usable(PGconn *);
static void		 db_borrow(struct db_slot *);
static int		 db_send(struct db_slot *);
static int		 db_waiting(const struct db_slot *);
static void		 db_unschedule(struct db_slot *, struct kore_pgsql *);
static void		 db_drop(struct db_slot *);
static void		 db_give_up(struct db_slot *, const char *);
static void		 db_fail(struct kore_pgsql *, const char *);
static void		 db_wake(struct kore_pgsql *);
static int		 db_dial_start(struct db_dial *);
static void		 db_dial_event(void *, int);
static void		 db_dial_finish(struct db_dial *, enum db_dial_end);
static int		 db_dialling(void);
static struct db_slot	*db_slot_parked(void);
static void		 db_answered(void);
static void		 db_unanswered(const char *);
static void		 db_silent(void);
static void		 db_conn_event(void *, int);
static void		 db_tick(void *, u_int64_t);

static struct db_slot	 db_slots[DB_WORKER_CONNECTIONS];
static struct db_dial	 db_check;

/*
 * A worker's dials: the TCP settings, then the connection string, whose
 * own settings come later and so win.
 */
#define DB_DIAL_DBNAME	4

static const char *const db_dial_keys[] = {
	"keepalives_idle", "keepalives_interval", "keepalives_count",
	"tcp_user_timeout", "dbname", NULL
};
static const char	*db_dial_values[] = {
	DB_KEEPALIVES_IDLE_S, DB_KEEPALIVES_INTERVAL_S, DB_KEEPALIVES_COUNT,
	DB_TCP_USER_TIMEOUT_MS, NULL, NULL
};

/* Did the server answer the last dial? At start-up, the parent's did. */
static int		 db_answering = 1;
static u_int64_t	 db_dial_ms;
static u_int64_t	 db_checked_at;

void
db_worker_init(void)
{
	struct kore_pgsql	 hand;
	struct db_slot		*slot;
	size_t			 i;

	pgsql_conn_max = DB_WORKER_CONNECTIONS;
	if (!kore_pgsql_register(DB_NAME, DB_POOL_CONNINFO))
		fatalx("could not register the database");

	db_dial_values[DB_DIAL_DBNAME] = app_config.database_conninfo;
	db_dial_ms = db_dial_limit(app_config.database_conninfo);
	db_check.evt.type = KORE_TYPE_PGSQL_CONN;
	db_check.evt.handle = db_dial_event;

	for (i = 0; i < DB_WORKER_CONNECTIONS; i++) {
		slot = &db_slots[i];
		slot->conn = kore_calloc(1, sizeof(*slot->conn));
		slot->conn->name = kore_strdup(DB_NAME);
		slot->conn->evt.type = KORE_TYPE_PGSQL_CONN;
		slot->conn->evt.handle = db_conn_event;
		slot->dial.evt.type = KORE_TYPE_PGSQL_CONN;
		slot->dial.evt.handle = db_dial_event;
		slot->dial.slot = slot;

		/* Releasing a connection is how Kore's pool takes one in. */
		kore_pgsql_init(&hand);
		hand.conn = slot->conn;
		kore_pgsql_cleanup(&hand);
	}

	(void)kore_timer_add(db_tick, DB_TICK_MS, NULL, 0);
}

/*
 * Send a query on the connection kore_pgsql_setup() gave sql, or have it
 * wait (state WAIT, the request asleep) for that connection's dial.
 * Returns KORE_RESULT_ERROR, sql in the error state, when it cannot go
 * out now: no connection and the server is not answering.
 */
int
db_query(struct kore_pgsql *sql, const char *query, int nparams,
    const char **values, int *lengths)
{
	struct db_slot	*slot;

	if ((slot = db_slot_of(sql->conn)) == NULL) {
		db_fail(sql, "not a connection of the pool");
		return (KORE_RESULT_ERROR);
	}

	slot->sql = sql;
	slot->sent_at = 0;
	slot->parked = 0;
	slot->query = query;
	slot->nparams = nparams;
	slot->values = values;
	slot->lengths = lengths;

	if (slot->conn->db != NULL && !db_usable(slot->conn->db))
		db_drop(slot);
	if (slot->conn->db == NULL)
		db_borrow(slot);

	if (slot->conn->db != NULL)
		return (db_send(slot));

	/*
	 * No connection: wait for its dial. While the server is not
	 * answering, one dial at a time asks it again; queries that find
	 * one under way elsewhere fail now rather than wait with it.
	 */
	if (slot->dial.db == NULL) {
		if (!db_answering && db_dialling()) {
			db_fail(sql, DB_UNAVAILABLE);
			return (KORE_RESULT_ERROR);
		}
		if (!db_dial_start(&slot->dial)) {
			db_fail(sql, DB_UNAVAILABLE);
			return (KORE_RESULT_ERROR);
		}
	}

	slot->parked = 1;
	sql->state = KORE_PGSQL_STATE_WAIT;
	if (sql->req != NULL)
		http_request_sleep(sql->req);

	return (KORE_RESULT_OK);
}

/*
 * Before kore_pgsql_cleanup() hands a connection whose query did not
 * complete back to Kore's pool. Kore would send a cancel (PQcancel dials
 * the server and blocks until it hangs up) and drain the rest of the
 * answer (PQgetResult blocks until it comes): neither happens here. A
 * connection that still owes part of an answer is closed instead.
 */
void
db_release(struct kore_pgsql *sql)
{
	struct db_slot	*slot;
	PGconn		*db;

	if (sql->conn == NULL || (slot = db_slot_of(sql->conn)) == NULL)
		return;

	db_unschedule(slot, sql);
	if (slot->sql == sql) {
		slot->sql = NULL;
		slot->sent_at = 0;
		slot->parked = 0;
	}

	if ((db = slot->conn->db) == NULL)
		return;

	if (PQstatus(db) == CONNECTION_OK && PQconsumeInput(db) &&
	    !PQisBusy(db))
		return;

	db_drop(slot);
}

/* connect_timeout in milliseconds, DB_DIAL_MAX_MS at most. */
static u_int64_t
db_dial_limit(const char *conninfo)
{
	PQconninfoOption	*opts, *o;
	uint64_t		 secs;
	u_int64_t		 ms;

	ms = DB_DIAL_MAX_MS;
	if ((opts = PQconninfoParse(conninfo, NULL)) == NULL)
		return (ms);

	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || strcmp(o->keyword, "connect_timeout"))
			continue;
		if (enc_decimal(o->val, strlen(o->val),
		    DB_DIAL_MAX_MS / 1000 - 1, &secs) == 0 && secs > 0)
			ms = secs * 1000;
	}

	PQconninfoFree(opts);
	return (ms);
}

static struct db_slot *
db_slot_of(struct pgsql_conn *conn)
{
	size_t		i;

	if (conn == NULL)
		return (NULL);

	for (i = 0; i < DB_WORKER_CONNECTIONS; i++) {
		if (db_slots[i].conn == conn)
			return (&db_slots[i]);
	}

	return (NULL);
}

/*
 * Can an idle connection carry a query? Not when libpq knows it is bad,
 * nor when the server has hung up on it or is talking to it unasked,
 * which it does to say goodbye ("terminating connection due to
 * administrator command") just before it closes: the query would fail.
 */
static int
db_usable(PGconn *db)
{
	ssize_t		n;
	int		fd;
	char		byte;

	if (PQstatus(db) != CONNECTION_OK || (fd = PQsocket(db)) == -1)
		return (0);

	n = recv(fd, &byte, sizeof(byte), MSG_PEEK | MSG_DONTWAIT);
	return (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

/*
 * Kore lends out slots in turn, whether they have a connection or not:
 * an idle slot's connection moves to this one rather than the query
 * waiting for a dial (or failing, while the server refuses new ones).
 * Dead ones found on the way are closed.
 */
static void
db_borrow(struct db_slot *slot)
{
	struct db_slot	*idle;
	size_t		 i;

	for (i = 0; i < DB_WORKER_CONNECTIONS; i++) {
		idle = &db_slots[i];
		if (idle == slot || idle->conn->job != NULL ||
		    idle->conn->db == NULL)
			continue;
		if (!db_usable(idle->conn->db)) {
			db_drop(idle);
			continue;
		}
		slot->conn->db = idle->conn->db;
		idle->conn->db = NULL;
		return;
	}
}

/* The slot's query goes out on its connection; Kore reads the answer. */
static int
db_send(struct db_slot *slot)
{
	slot->parked = 0;
	slot->sent_at = kore_time_ms();

	if (!kore_pgsql_query_param_fields(slot->sql, slot->query, 0,
	    slot->nparams, slot->values, slot->lengths, NULL)) {
		slot->sent_at = 0;
		return (KORE_RESULT_ERROR);
	}

	return (KORE_RESULT_OK);
}

/* Is the slot's query out, with no answer yet? */
static int
db_waiting(const struct db_slot *slot)
{
	/* A connection Kore took back has no query, whatever sql was. */
	return (slot->sent_at != 0 && slot->conn->job != NULL &&
	    slot->sql->state == KORE_PGSQL_STATE_WAIT);
}

/* Take the connection's socket out of the event loop for Kore. */
static void
db_unschedule(struct db_slot *slot, struct kore_pgsql *sql)
{
	int		fd;

	if (!(sql->flags & KORE_PGSQL_SCHEDULED))
		return;

	/* libpq closed a socket it found dead: it left the loop with it. */
	if (slot->conn->db != NULL && (fd = PQsocket(slot->conn->db)) != -1)
		kore_platform_disable_read(fd);

	/* So that Kore neither removes it again nor sends a cancel. */
	sql->flags &= ~KORE_PGSQL_SCHEDULED;
}

/* Close the slot's connection; its socket is in no event loop. */
static void
db_drop(struct db_slot *slot)
{
	PQfinish(slot->conn->db);
	slot->conn->db = NULL;
}

/* The slot's query, out or waiting for a dial, fails (503). */
static void
db_give_up(struct db_slot *slot, const char *why)
{
	struct kore_pgsql	*sql;

	sql = slot->sql;
	db_unschedule(slot, sql);

	/* An answer may still come; nobody would read it. */
	if (slot->sent_at != 0)
		db_drop(slot);

	slot->sent_at = 0;
	slot->parked = 0;
	db_fail(sql, why);
	db_wake(sql);
}

/* As Kore's own errors: the runner finds no SQLSTATE and answers 503. */
static void
db_fail(struct kore_pgsql *sql, const char *why)
{
	kore_free(sql->error);
	sql->error = kore_strdup(why);
	sql->state = KORE_PGSQL_STATE_ERROR;
}

/* As Kore wakes a query's owner when its state changes. */
static void
db_wake(struct kore_pgsql *sql)
{
	if (sql->req != NULL)
		http_request_wakeup(sql->req);
	if (sql->cb != NULL)
		sql->cb(sql, sql->arg);
}

/*
 * Start a dial; its socket's events drive it on. Returns 0 when it failed
 * at once (a refused connection on this host, an unknown name).
 */
static int
db_dial_start(struct db_dial *d)
{
	int		fd;

	d->db = PQconnectStartParams(db_dial_keys, db_dial_values, 1);
	if (d->db == NULL || PQstatus(d->db) == CONNECTION_BAD ||
	    (fd = PQsocket(d->db)) == -1) {
		PQfinish(d->db);
		d->db = NULL;
		db_unanswered("dial_failed");
		return (0);
	}

	d->started = kore_time_ms();

	/* libpq: after PQconnectStart, wait as if told to write. */
	kore_platform_schedule_write(fd, d);
	return (1);
}

static void
db_dial_event(void *arg, int err)
{
	struct db_dial	*d = arg;

	/* PQconnectPoll reads the socket's error itself. */
	(void)err;

	/* An event that was under way when the dial ended. */
	if (d->db == NULL)
		return;

	/* Its socket may change (another address): schedule it anew. */
	switch (PQconnectPoll(d->db)) {
	case PGRES_POLLING_READING:
		kore_platform_schedule_read(PQsocket(d->db), d);
		break;
	case PGRES_POLLING_WRITING:
		kore_platform_schedule_write(PQsocket(d->db), d);
		break;
	case PGRES_POLLING_OK:
		/* Kore schedules it again for each query it carries. */
		kore_platform_disable_read(PQsocket(d->db));
		db_dial_finish(d, DB_DIAL_OK);
		break;
	default:
		db_dial_finish(d, DB_DIAL_FAILED);
		break;
	}
}

/*
 * A dial has ended. A connection goes to its slot, or (a check's, or one
 * whose slot has borrowed another meanwhile) to a query waiting for a
 * dial, or away; the query waiting there goes out. A failure fails that
 * query, and one without an answer in time means every query out is
 * waiting for a server that does not answer.
 */
static void
db_dial_finish(struct db_dial *d, enum db_dial_end end)
{
	struct db_slot	*slot;
	PGconn		*db;

	db = d->db;
	d->db = NULL;
	slot = d->slot;

	if (end != DB_DIAL_OK) {
		PQfinish(db);
		db_unanswered(end == DB_DIAL_TIMEOUT ? "no_answer" :
		    "dial_failed");
		if (end == DB_DIAL_TIMEOUT)
			db_silent();
		if (slot != NULL && slot->parked)
			db_give_up(slot, DB_UNAVAILABLE);
		return;
	}

	db_answered();

	if (slot != NULL && slot->conn->db != NULL)
		slot = NULL;
	if (slot == NULL && (slot = db_slot_parked()) == NULL) {
		PQfinish(db);
		return;
	}

	slot->conn->db = db;

	/* Sending may run a job's next steps, which use slots too. */
	if (slot->parked && db_send(slot) != KORE_RESULT_OK) {
		slot->parked = 0;
		db_wake(slot->sql);
	}
}

static int
db_dialling(void)
{
	size_t		i;

	if (db_check.db != NULL)
		return (1);

	for (i = 0; i < DB_WORKER_CONNECTIONS; i++) {
		if (db_slots[i].dial.db != NULL)
			return (1);
	}

	return (0);
}

/* A query waiting for a dial, on a slot without a connection. */
static struct db_slot *
db_slot_parked(void)
{
	size_t		i;

	for (i = 0; i < DB_WORKER_CONNECTIONS; i++) {
		if (db_slots[i].parked && db_slots[i].conn->db == NULL)
			return (&db_slots[i]);
	}

	return (NULL);
}

static void
db_answered(void)
{
	if (db_answering)
		return;

	db_answering = 1;
	log_info("event=db_reconnected");
}

static void
db_unanswered(const char *why)
{
	if (!db_answering)
		return;

	db_answering = 0;
	log_warn("event=db_unavailable reason=%s", why);
}

/*
 * The server accepts connections and does not answer them. Its idle
 * connections are closed (they would take a query each to find out) and
 * every query out is given up: it would wait for as long as the server.
 */
static void
db_silent(void)
{
	size_t		i;
	int		given_up;

	for (i = 0; i < DB_WORKER_CONNECTIONS; i++) {
		if (db_slots[i].conn->job == NULL &&
		    db_slots[i].conn->db != NULL)
			db_drop(&db_slots[i]);
	}

	/* Owners wake as each is given up; they may take slots again. */
	given_up = 0;
	for (i = 0; i < DB_WORKER_CONNECTIONS; i++) {
		if (!db_waiting(&db_slots[i]))
			continue;
		db_give_up(&db_slots[i], DB_UNAVAILABLE);
		given_up++;
	}

	if (given_up > 0)
		log_warn("event=db_queries_given_up count=%d", given_up);
}

/*
 * Kore frees a connection whose socket reports an error; these are
 * db.c's for the worker's life, so the query reads the error instead and
 * fails as on any other broken connection.
 */
static void
db_conn_event(void *arg, int err)
{
	struct pgsql_conn	*conn = arg;
	struct db_slot		*slot;

	/* An event that was under way when its query was given up. */
	if ((slot = db_slot_of(conn)) == NULL || !db_waiting(slot) ||
	    conn->db == NULL)
		return;

	if (err)
		conn->evt.flags |= KORE_EVENT_READ;

	kore_pgsql_handle(conn, 0);
}

static void
db_tick(void *arg, u_int64_t now)
{
	struct db_dial	*d;
	size_t		 i;
	u_int64_t	 open;
	int		 late;

	(void)arg;

	for (i = 0; i <= DB_WORKER_CONNECTIONS; i++) {
		d = i < DB_WORKER_CONNECTIONS ? &db_slots[i].dial : &db_check;
		if (d->db != NULL && now >= d->started + db_dial_ms)
			db_dial_finish(d, DB_DIAL_TIMEOUT);
	}

	/* The pool as the metrics show it: connections held open. */
	open = 0;
	for (i = 0; i < DB_WORKER_CONNECTIONS; i++) {
		if (db_slots[i].conn != NULL && db_slots[i].conn->db != NULL)
			open++;
	}
	metrics_db_open(metrics_self(), open);

	late = 0;
	for (i = 0; i < DB_WORKER_CONNECTIONS; i++) {
		if (db_waiting(&db_slots[i]) &&
		    now >= db_slots[i].sent_at + DB_ANSWER_LATE_MS)
			late = 1;
	}

	/*
	 * A late answer: is the server there at all? A dial it answers
	 * says so (the query may just be slow, waiting for a lock, say);
	 * one without an answer in time gives up every query out.
	 */
	if (late && db_check.db == NULL &&
	    now >= db_checked_at + DB_CHECK_INTERVAL_MS) {
		db_checked_at = now;
		(void)db_dial_start(&db_check);
	}
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
