/*
 * store_sqlite.c - the embedded SQLite backend of store.h.
 *
 * WAL with synchronous=FULL: a committed issuance survives power loss.
 * Writers take the lock up front (BEGIN IMMEDIATE) so that two processes
 * never deadlock upgrading read locks; busy_wait makes them queue.
 * Statements are prepared once per connection and reused.
 *
 * The WAL file is kept from one process to the next.  By default the last
 * connection to close checkpoints the WAL into the database, fsyncs it and
 * deletes the WAL and shm files, and the next process creates them again
 * (with a header fsync and a directory fsync): five fsyncs and two file
 * creations for every one-certificate `request submit`, more than the
 * whole issuance costs.  Here a connection closes without checkpointing
 * (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE), so a short process fsyncs its commit
 * and, once, the unchanged directory (SQLite's unix VFS does that for
 * every WAL it opens); the process that finds the WAL longer than
 * WAL_KEEP_FRAMES at close checkpoints it and truncates it to zero
 * (cw_store_close).
 *
 * Why that is as safe as before: a transaction is durable when COMMIT
 * returns, because synchronous=FULL fsyncs its WAL frames then, whether
 * or not they are ever checkpointed.  A WAL left by a closed process is in
 * the same state as one left by a killed process, and the first
 * connection to open the database rebuilds its index from the WAL frames
 * whose checksums hold up to the last commit: SQLite's ordinary crash
 * recovery, which now also runs after clean exits.  The WAL stays bounded:
 * after each commit a WAL of WAL_AUTOCHECKPOINT frames or more is
 * checkpointed (SQLite's default automatic checkpoint, kept by wal_hook),
 * and a closing connection truncates a WAL of WAL_KEEP_FRAMES frames or
 * more.  The cost is that reading the remaining frames (about 5,000
 * instructions each) moves to the next process's open, and that while the
 * WAL holds frames certward.db alone is not a complete copy of the data:
 * back it up with SQLite's backup API (`sqlite3 certward.db ".backup
 * FILE"`), never by copying certward.db alone.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/file.h>

#include <sqlite3.h>

#include "../common/util.h"
#include "schema.sql.h"

enum stmt_id {
	ST_META_GET, ST_META_SET,
	ST_USER_PUT, ST_USER_GET, ST_USER_DEL, ST_USER_ALL,
	ST_SVC_PUT, ST_SVC_GET, ST_SVC_ALL,
	ST_REQ_INS, ST_REQ_UPD, ST_REQ_GET,
	ST_APPR_INS, ST_APPR_ALL,
	ST_CERT_INS, ST_CERT_UPD, ST_CERT_GET, ST_CERT_KEY,
	ST_EXC_INS, ST_EXC_GET, ST_EXC_UPD,
	ST_AUDIT_HEAD, ST_AUDIT_INS,
	ST_CP_PUT, ST_CP_LATEST,
	ST_TOKEN_GET,
	ST_COUNT
};

#define TOKEN_COLS "id, user, user_created_at, hash, created_by, " \
	"created_at, expires_at, last_used_at, revoked_at"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[ST_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[ST_USER_PUT] = "INSERT INTO users(name, roles, created_at) "
	    "VALUES(?1, ?2, ?3) ON CONFLICT(name) DO UPDATE SET "
	    "roles = excluded.roles",
	[ST_USER_GET] = "SELECT name, roles, created_at FROM users "
	    "WHERE name = ?1",
	[ST_USER_DEL] = "DELETE FROM users WHERE name = ?1",
	[ST_USER_ALL] = "SELECT name, roles, created_at FROM users ORDER BY name",
	[ST_SVC_PUT] = "INSERT INTO services(name, owner, contact, verified_at,"
	    " created_at, retired) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, "
	    "contact = excluded.contact, verified_at = excluded.verified_at, "
	    "retired = excluded.retired",
	[ST_SVC_GET] = "SELECT name, owner, contact, verified_at, created_at, "
	    "retired FROM services WHERE name = ?1",
	[ST_SVC_ALL] = "SELECT name, owner, contact, verified_at, created_at, "
	    "retired FROM services ORDER BY name",
	[ST_REQ_INS] = "INSERT INTO requests(template, service, csr, requester,"
	    " origin, channel, state, violations, exceptions, renew_of, serial,"
	    " reason, created_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[ST_REQ_UPD] = "UPDATE requests SET state = ?2, violations = ?3, "
	    "exceptions = ?4, serial = ?5, reason = ?6, updated_at = ?7 "
	    "WHERE id = ?1",
	[ST_REQ_GET] = "SELECT id, template, service, csr, requester, origin, "
	    "channel, state, violations, exceptions, renew_of, serial, reason, "
	    "created_at, updated_at FROM requests WHERE id = ?1",
	[ST_APPR_INS] = "INSERT INTO approvals(request_id, principal, role, "
	    "decision, comment, time) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_APPR_ALL] = "SELECT request_id, principal, role, decision, comment,"
	    " time FROM approvals WHERE request_id = ?1 ORDER BY time, rowid",
	[ST_CERT_INS] = "INSERT INTO certificates(serial, issuer, subject, sans,"
	    " key_alg, spki_sha256, not_before, not_after, renew_after, "
	    "template, service, request_id, status, revoked_at, "
	    "revocation_reason, renewed_by, source, der) VALUES(?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
	    "?18)",
	[ST_CERT_UPD] = "UPDATE certificates SET status = ?2, revoked_at = ?3, "
	    "revocation_reason = ?4, renewed_by = ?5 WHERE serial = ?1",
	[ST_CERT_GET] = "SELECT serial, issuer, subject, sans, key_alg, "
	    "spki_sha256, not_before, not_after, renew_after, template, "
	    "service, request_id, status, revoked_at, revocation_reason, "
	    "renewed_by, source, der FROM certificates WHERE serial = ?1",
	[ST_CERT_KEY] = "SELECT serial FROM certificates WHERE spki_sha256 = ?1 "
	    "LIMIT 1",
	[ST_EXC_INS] = "INSERT INTO exceptions(template, service, rule, reason,"
	    " granted_by, created_at, expires_at, revoked_at) VALUES(?1, ?2, "
	    "?3, ?4, ?5, ?6, ?7, 0)",
	[ST_EXC_GET] = "SELECT id, template, service, rule, reason, granted_by,"
	    " created_at, expires_at, revoked_at FROM exceptions WHERE id = ?1",
	[ST_EXC_UPD] = "UPDATE exceptions SET revoked_at = ?2 WHERE id = ?1",
	[ST_AUDIT_HEAD] = "SELECT seq, hash FROM audit ORDER BY seq DESC "
	    "LIMIT 1",
	[ST_AUDIT_INS] = "INSERT INTO audit(seq, time, actor, origin, channel,"
	    " action, object, details, prev, hash) VALUES(?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?10)",
	[ST_CP_PUT] = "INSERT OR REPLACE INTO checkpoints(size, text) "
	    "VALUES(?1, ?2)",
	[ST_CP_LATEST] = "SELECT text FROM checkpoints ORDER BY size DESC "
	    "LIMIT 1",
	/* every API request checks its token: kept prepared */
	[ST_TOKEN_GET] = "SELECT " TOKEN_COLS " FROM tokens WHERE id = ?1",
};

/* SQLite's default automatic checkpoint (wal_autocheckpoint) */
#define WAL_AUTOCHECKPOINT 1000
/* a closing connection truncates a WAL this long (512 KiB of 4 KiB pages:
 * reading it back costs the next process about 0.2 ms; each truncation,
 * three fsyncs) */
#define WAL_KEEP_FRAMES 128

struct cw_store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	bool in_tx;
	int wal_frames; /* WAL length after this connection's last commit */
	int writer_fd;  /* the writers' queue (see cw_store_begin), or -1 */
	bool writing;   /* holds it: a checkpoint waits for its release */
	bool ckpt_due;
};

static cw_rc
db_fail(cw_store *s, cw_err *err, const char *what)
{
	return cw_err_set(err, CW_ERR_INTERNAL, "database: %s: %s", what,
	    sqlite3_errmsg(s->db));
}

/* The prepared statement `id`, reset and with bindings cleared. */
static sqlite3_stmt *
stmt(cw_store *s, enum stmt_id id)
{
	if (s->st[id] == NULL &&
	    sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
	    SQLITE_PREPARE_PERSISTENT, &s->st[id], NULL) != SQLITE_OK)
		return NULL;
	sqlite3_reset(s->st[id]);
	sqlite3_clear_bindings(s->st[id]);
	return s->st[id];
}

/*
 * Ends the use of a cached statement.  A statement left on a row keeps a
 * read transaction open, and SQLite then answers a later BEGIN IMMEDIATE
 * with SQLITE_BUSY at once instead of waiting for the other writer.
 */
static void
stmt_release(sqlite3_stmt *st)
{
	if (st != NULL)
		sqlite3_reset(st);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

/*
 * Text of an audit column for hashing.  A value with an embedded NUL can
 * only come from editing the database by hand; read as a C string it would
 * hash like its prefix and hide the edit, so it is replaced by text that
 * can never match the recorded hash.
 */
static const char *
audit_text(sqlite3_stmt *st, int i)
{
	const char *t = col_text(st, i);

	if ((size_t)sqlite3_column_bytes(st, i) != strlen(t))
		return "\x01(value with an embedded NUL byte: edited)";
	return t;
}

static void
copy_col(sqlite3_stmt *st, int i, char *buf, size_t len)
{
	snprintf(buf, len, "%s", col_text(st, i));
}

static char *
dup_col(sqlite3_stmt *st, int i)
{
	return strdup(col_text(st, i));
}

static uint8_t *
dup_blob(sqlite3_stmt *st, int i, size_t *len)
{
	const void *b = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);
	uint8_t *o = malloc(n > 0 ? (size_t)n : 1);

	if (o == NULL)
		return NULL;
	if (n > 0)
		memcpy(o, b, (size_t)n);
	*len = (size_t)n;
	return o;
}

/*
 * Waits while another connection holds the write lock (BEGIN IMMEDIATE).
 * sqlite3_busy_timeout sleeps 1, 2, 5, 10, ... up to 100 ms between
 * tries, so a queued writer often sleeps on long after a short
 * transaction has committed; these sleeps start at 50 us and double up to
 * 2 ms, so a waiter notices a commit within about 2 ms.  Gives up
 * (SQLITE_BUSY) once the sleeps add up to 30 s, as the timeout did.
 */
#define BUSY_FIRST_US 50L
#define BUSY_DOUBLINGS 6 /* 50, 100, ... 1600 us, then the cap */
#define BUSY_STEP_MAX_US 2000L
#define BUSY_TOTAL_US 30000000L

static int
busy_wait(void *arg, int count)
{
	struct timespec ts;
	long step, slept;

	(void)arg;
	/* what the tries before this one slept (count is SQLite's) */
	if (count <= BUSY_DOUBLINGS)
		slept = BUSY_FIRST_US * ((1L << count) - 1);
	else
		slept = BUSY_FIRST_US * ((1L << BUSY_DOUBLINGS) - 1) +
		    (long)(count - BUSY_DOUBLINGS) * BUSY_STEP_MAX_US;
	if (slept >= BUSY_TOTAL_US)
		return 0;
	step = count < BUSY_DOUBLINGS ? BUSY_FIRST_US << count :
	    BUSY_STEP_MAX_US;
	ts.tv_sec = 0;
	ts.tv_nsec = step * 1000;
	(void)nanosleep(&ts, NULL);
	return 1;
}

static cw_rc
exec(cw_store *s, const char *sql, cw_err *err)
{
	char *msg = NULL;
	cw_rc rc = CW_OK;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK)
		rc = cw_err_set(err, CW_ERR_INTERNAL, "database: %s",
		    msg != NULL ? msg : sqlite3_errmsg(s->db));
	sqlite3_free(msg);
	return rc;
}

/* The schema version (PRAGMA user_version, in the database header). */
static cw_rc
schema_version(cw_store *s, int *version, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		rc = db_fail(s, err, "reading the schema version");
	else
		*version = sqlite3_column_int(st, 0);
	/* an open statement would keep DROP TABLE in a migration from
	 * running ("database table is locked") */
	sqlite3_finalize(st);
	return rc;
}

/*
 * Brings the schema up to date.  The version is read first without a
 * lock: opening a current database (every open but the first after an
 * upgrade) costs one read of the header and never queues behind a writer.
 * Migrations run under BEGIN IMMEDIATE, after reading the version again
 * in case another process migrated meanwhile.
 */
static cw_rc
migrate(cw_store *s, cw_err *err)
{
	cw_rc rc = CW_OK;
	int version = 0, i, n = (int)CW_ARRAY_LEN(cw_migrations);
	char sql[64];
	bool in_tx = false;

	CW_TRY(schema_version(s, &version, err));
	if (version == n)
		goto out;
	CW_TRY(exec(s, "BEGIN IMMEDIATE", err));
	in_tx = true;
	CW_TRY(schema_version(s, &version, err));
	CW_ENSURE(version <= n, CW_ERR_CONFIG, "the database has schema "
	    "version %d, newer than this certward (%d); upgrade certward",
	    version, n);
	for (i = version; i < n; i++) {
		CW_TRY(exec(s, cw_migrations[i], err));
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		CW_TRY(exec(s, sql, err));
	}
	CW_TRY(exec(s, "COMMIT", err));
	in_tx = false;
out:
	if (in_tx)
		(void)exec(s, "ROLLBACK", NULL);
	return rc;
}

/*
 * Runs after every commit of this connection, with the WAL's length in
 * frames: notes it for cw_store_close and checkpoints as SQLite's own
 * automatic checkpoint would (a hook of our own replaces that one).
 */
static int
wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	cw_store *s = arg;

	s->wal_frames = frames;
	if (frames >= WAL_AUTOCHECKPOINT) {
		if (s->writing)
			s->ckpt_due = true; /* cw_store_commit, after release */
		else
			(void)sqlite3_wal_checkpoint_v2(db, name,
			    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}
	return SQLITE_OK;
}

/* The writers' queue of certward.db: a file lock next to it. */
static void
writer_open(cw_store *s, const char *path)
{
	char lock[4096];

	s->writer_fd = -1;
	if ((size_t)snprintf(lock, sizeof(lock), "%s-writer", path) >=
	    sizeof(lock))
		return;
	/* without it (say a directory made by root, a server running as
	 * another user), writers queue in busy_wait() as before */
	s->writer_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
}

static void
writer_release(cw_store *s)
{
	if (!s->writing)
		return;
	(void)flock(s->writer_fd, LOCK_UN);
	s->writing = false;
	if (s->ckpt_due) {
		s->ckpt_due = false;
		(void)sqlite3_wal_checkpoint_v2(s->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}
}

cw_rc
cw_store_open(const char *path, bool create, cw_store **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_store *s = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);

	s = calloc(1, sizeof(*s));
	CW_ENSURE_MEM(s);
	s->writer_fd = -1;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		rc = cw_err_set(err, create ? CW_ERR_IO : CW_ERR_NOT_FOUND,
		    "cannot open the database %s: %s%s", path,
		    s->db ? sqlite3_errmsg(s->db) : "out of memory",
		    create ? "" : " (run 'certward init' first)");
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_handler(s->db, busy_wait, NULL);
	/* keep the WAL when closing (the top of this file says why) */
	CW_ENSURE(sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
	    NULL) == SQLITE_OK, CW_ERR_INTERNAL, "database: cannot configure "
	    "the connection: %s", sqlite3_errmsg(s->db));
	sqlite3_wal_hook(s->db, wal_hook, s);
	/* none of these writes to the database once it is in WAL mode */
	CW_TRY(exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
	    "PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF", err));
	CW_TRY(migrate(s, err));
	writer_open(s, path);
	*out = s;
	s = NULL;
out:
	cw_store_close(s);
	return rc;
}

void
cw_store_close(cw_store *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->in_tx)
		cw_store_rollback(s);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db != NULL && s->wal_frames >= WAL_KEEP_FRAMES) {
		/* bound the WAL the next process reads back: checkpoint it
		 * and truncate it to zero.  Without waiting: while another
		 * connection reads or writes, this returns SQLITE_BUSY
		 * (possibly having checkpointed part of it), and a later
		 * close truncates it. */
		sqlite3_busy_handler(s->db, NULL, NULL);
		(void)sqlite3_wal_checkpoint_v2(s->db, NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	}
	sqlite3_close(s->db);
	if (s->writer_fd >= 0)
		close(s->writer_fd);
	free(s);
}

/*
 * Writers queue on a file lock (flock on certward.db-writer) before BEGIN
 * IMMEDIATE: the kernel wakes the next writer the moment the lock is
 * released, where SQLite's own lock only lets a waiter poll
 * (busy_wait()), and two server workers committing in turn spent much of
 * their time asleep past the other's commit.  The lock goes with the
 * process (a killed writer frees it); writers that do not take it (the
 * sqlite3 tool, a store that could not open the file) still meet SQLite's
 * lock and busy_wait().  The automatic checkpoint runs after the release,
 * so that the next writer does not wait for it.
 */
cw_rc
cw_store_begin(cw_store *s, cw_err *err)
{
	cw_rc rc;

	if (s->writer_fd >= 0) {
		int r;

		while ((r = flock(s->writer_fd, LOCK_EX)) != 0 &&
		    errno == EINTR)
			;
		s->writing = r == 0; /* if not, busy_wait() queues alone */
	}
	rc = exec(s, "BEGIN IMMEDIATE", err);
	if (rc == CW_OK)
		s->in_tx = true;
	else
		writer_release(s);
	return rc;
}

cw_rc
cw_store_commit(cw_store *s, cw_err *err)
{
	cw_rc rc = exec(s, "COMMIT", err);

	if (rc == CW_OK) {
		s->in_tx = false;
		writer_release(s);
	} else {
		cw_store_rollback(s);
	}
	return rc;
}

void
cw_store_rollback(cw_store *s)
{
	(void)exec(s, "ROLLBACK", NULL);
	s->in_tx = false;
	writer_release(s);
}

/* Runs a statement that returns no rows. */
static cw_rc
step_done(cw_store *s, sqlite3_stmt *st, const char *what, cw_err *err)
{
	int r = sqlite3_step(st);

	if (r == SQLITE_DONE)
		return CW_OK;
	if ((r & 0xff) == SQLITE_CONSTRAINT)
		return cw_err_set(err, CW_ERR_EXISTS, "database: %s: %s", what,
		    sqlite3_errmsg(s->db));
	return db_fail(s, err, what);
}

#define PREP(var, id)                                                          \
	do {                                                                   \
		if ((var = stmt(s, id)) == NULL) {                             \
			rc = db_fail(s, err, "preparing a statement");         \
			goto out;                                              \
		}                                                              \
	} while (0)

/* --- meta ----------------------------------------------------------------- */

cw_rc
cw_store_meta_get(cw_store *s, const char *key, char *buf, size_t len,
    bool *found, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	int r;

	PREP(st, ST_META_GET);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	*found = r == SQLITE_ROW;
	if (r == SQLITE_ROW)
		copy_col(st, 0, buf, len);
	else if (r != SQLITE_DONE)
		rc = db_fail(s, err, "reading a setting");
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_meta_set(cw_store *s, const char *key, const char *value,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	PREP(st, ST_META_SET);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = step_done(s, st, "writing a setting", err);
out:
	stmt_release(st);
	return rc;
}

/* --- users ---------------------------------------------------------------- */

static void
roles_join(const cw_user *u, char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < u->n_roles && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%s", i ? "," : "",
		    u->roles[i]);
		if (n > 0)
			off += (size_t)n;
	}
}

static void
user_from_row(sqlite3_stmt *st, cw_user *u)
{
	const char *roles = col_text(st, 1), *p = roles, *c;

	memset(u, 0, sizeof(*u));
	copy_col(st, 0, u->name, sizeof(u->name));
	u->created_at = sqlite3_column_int64(st, 2);
	while (*p != '\0' && u->n_roles < CW_MAX_ROLES) {
		c = strchr(p, ',');
		snprintf(u->roles[u->n_roles++], sizeof(u->roles[0]), "%.*s",
		    (int)(c ? (size_t)(c - p) : strlen(p)), p);
		if (c == NULL)
			break;
		p = c + 1;
	}
}

cw_rc
cw_store_user_put(cw_store *s, const cw_user *u, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	char roles[CW_MAX_ROLES * 65];

	roles_join(u, roles, sizeof(roles));
	PREP(st, ST_USER_PUT);
	sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, roles, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, u->created_at);
	rc = step_done(s, st, "writing a user", err);
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_user_get(cw_store *s, const char *name, cw_user *u, bool *found,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	int r;

	PREP(st, ST_USER_GET);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	*found = r == SQLITE_ROW;
	if (r == SQLITE_ROW)
		user_from_row(st, u);
	else if (r != SQLITE_DONE)
		rc = db_fail(s, err, "reading a user");
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_user_delete(cw_store *s, const char *name, bool *found,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	PREP(st, ST_USER_DEL);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	CW_TRY(step_done(s, st, "removing a user", err));
	*found = sqlite3_changes(s->db) > 0;
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_user_each(cw_store *s, bool (*fn)(const cw_user *, void *),
    void *arg, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	cw_user u;
	int r;

	PREP(st, ST_USER_ALL);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		user_from_row(st, &u);
		if (!fn(&u, arg))
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = db_fail(s, err, "listing users");
out:
	stmt_release(st);
	return rc;
}

/* --- services -------------------------------------------------------------- */

static void
svc_from_row(sqlite3_stmt *st, cw_service *v)
{
	memset(v, 0, sizeof(*v));
	copy_col(st, 0, v->name, sizeof(v->name));
	copy_col(st, 1, v->owner, sizeof(v->owner));
	copy_col(st, 2, v->contact, sizeof(v->contact));
	v->verified_at = sqlite3_column_int64(st, 3);
	v->created_at = sqlite3_column_int64(st, 4);
	v->retired = sqlite3_column_int(st, 5) != 0;
}

cw_rc
cw_store_service_put(cw_store *s, const cw_service *v, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	PREP(st, ST_SVC_PUT);
	sqlite3_bind_text(st, 1, v->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v->owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, v->contact, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, v->verified_at);
	sqlite3_bind_int64(st, 5, v->created_at);
	sqlite3_bind_int(st, 6, v->retired);
	rc = step_done(s, st, "writing a service", err);
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_service_get(cw_store *s, const char *name, cw_service *v,
    bool *found, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	int r;

	PREP(st, ST_SVC_GET);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	*found = r == SQLITE_ROW;
	if (r == SQLITE_ROW)
		svc_from_row(st, v);
	else if (r != SQLITE_DONE)
		rc = db_fail(s, err, "reading a service");
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_service_each(cw_store *s, bool (*fn)(const cw_service *, void *),
    void *arg, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	cw_service v;
	int r;

	PREP(st, ST_SVC_ALL);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		svc_from_row(st, &v);
		if (!fn(&v, arg))
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = db_fail(s, err, "listing services");
out:
	stmt_release(st);
	return rc;
}

/* --- requests ------------------------------------------------------------- */

void
cw_request_cleanup(cw_request *r)
{
	if (r == NULL)
		return;
	free(r->csr);
	free(r->violations);
	free(r->exceptions);
	memset(r, 0, sizeof(*r));
}

cw_rc
cw_store_request_insert(cw_store *s, cw_request *r, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	PREP(st, ST_REQ_INS);
	sqlite3_bind_text(st, 1, r->template_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->service, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, r->csr, (int)r->csr_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->requester, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r->violations ? r->violations : "[]", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 9, r->exceptions ? r->exceptions : "[]", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 10, r->renew_of, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, r->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, r->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, r->created_at);
	sqlite3_bind_int64(st, 14, r->updated_at);
	CW_TRY(step_done(s, st, "recording a request", err));
	r->id = sqlite3_last_insert_rowid(s->db);
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_request_update(cw_store *s, const cw_request *r, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	PREP(st, ST_REQ_UPD);
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, r->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->violations ? r->violations : "[]", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->exceptions ? r->exceptions : "[]", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, r->updated_at);
	rc = step_done(s, st, "updating a request", err);
out:
	stmt_release(st);
	return rc;
}

static cw_rc
req_from_row(sqlite3_stmt *st, cw_request *r, bool with_csr, cw_err *err)
{
	cw_rc rc = CW_OK;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	copy_col(st, 1, r->template_name, sizeof(r->template_name));
	copy_col(st, 2, r->service, sizeof(r->service));
	if (with_csr) {
		r->csr = dup_blob(st, 3, &r->csr_len);
		CW_ENSURE_MEM(r->csr);
	}
	copy_col(st, 4, r->requester, sizeof(r->requester));
	copy_col(st, 5, r->origin, sizeof(r->origin));
	copy_col(st, 6, r->channel, sizeof(r->channel));
	copy_col(st, 7, r->state, sizeof(r->state));
	r->violations = dup_col(st, 8);
	r->exceptions = dup_col(st, 9);
	CW_ENSURE_MEM(r->violations);
	CW_ENSURE_MEM(r->exceptions);
	copy_col(st, 10, r->renew_of, sizeof(r->renew_of));
	copy_col(st, 11, r->serial, sizeof(r->serial));
	copy_col(st, 12, r->reason, sizeof(r->reason));
	r->created_at = sqlite3_column_int64(st, 13);
	r->updated_at = sqlite3_column_int64(st, 14);
out:
	return rc;
}

cw_rc
cw_store_request_get(cw_store *s, int64_t id, cw_request *r, bool *found,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	int res;

	PREP(st, ST_REQ_GET);
	sqlite3_bind_int64(st, 1, id);
	res = sqlite3_step(st);
	*found = res == SQLITE_ROW;
	if (res == SQLITE_ROW)
		rc = req_from_row(st, r, true, err);
	else if (res != SQLITE_DONE)
		rc = db_fail(s, err, "reading a request");
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_request_each(cw_store *s, const char *state, const char *service,
    bool (*fn)(const cw_request *, void *), void *arg, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	cw_request r;
	int res;
	bool go = true;

	if (sqlite3_prepare_v2(s->db, "SELECT id, template, service, NULL, "
	    "requester, origin, channel, state, violations, exceptions, "
	    "renew_of, serial, reason, created_at, updated_at FROM requests "
	    "WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR service = ?2)"
	    " ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(s, err, "listing requests");
		goto out;
	}
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	while (go && (res = sqlite3_step(st)) == SQLITE_ROW) {
		CW_TRY(req_from_row(st, &r, false, err));
		go = fn(&r, arg);
		cw_request_cleanup(&r);
	}
	if (go && res != SQLITE_DONE)
		rc = db_fail(s, err, "listing requests");
out:
	sqlite3_finalize(st);
	return rc;
}

cw_rc
cw_store_approval_insert(cw_store *s, const cw_approval *a, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	PREP(st, ST_APPR_INS);
	sqlite3_bind_int64(st, 1, a->request_id);
	sqlite3_bind_text(st, 2, a->principal, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->decision, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->comment, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, a->time);
	rc = step_done(s, st, "recording a decision", err);
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_approval_each(cw_store *s, int64_t request_id,
    bool (*fn)(const cw_approval *, void *), void *arg, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	cw_approval a;
	int r;

	PREP(st, ST_APPR_ALL);
	sqlite3_bind_int64(st, 1, request_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		a.request_id = sqlite3_column_int64(st, 0);
		copy_col(st, 1, a.principal, sizeof(a.principal));
		copy_col(st, 2, a.role, sizeof(a.role));
		copy_col(st, 3, a.decision, sizeof(a.decision));
		copy_col(st, 4, a.comment, sizeof(a.comment));
		a.time = sqlite3_column_int64(st, 5);
		if (!fn(&a, arg))
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = db_fail(s, err, "listing decisions");
out:
	stmt_release(st);
	return rc;
}

/* --- certificates ---------------------------------------------------------- */

void
cw_cert_rec_cleanup(cw_cert_rec *c)
{
	if (c == NULL)
		return;
	free(c->sans);
	free(c->der);
	memset(c, 0, sizeof(*c));
}

cw_rc
cw_store_cert_insert(cw_store *s, const cw_cert_rec *c, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	PREP(st, ST_CERT_INS);
	sqlite3_bind_text(st, 1, c->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->issuer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->sans ? c->sans : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->key_alg, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, c->spki_sha256, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, c->not_before);
	sqlite3_bind_int64(st, 8, c->not_after);
	sqlite3_bind_int64(st, 9, c->renew_after);
	sqlite3_bind_text(st, 10, c->template_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, c->service, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, c->request_id);
	sqlite3_bind_text(st, 13, c->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, c->revoked_at);
	sqlite3_bind_int(st, 15, c->revocation_reason);
	sqlite3_bind_text(st, 16, c->renewed_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 17, c->source, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 18, c->der, (int)c->der_len, SQLITE_STATIC);
	rc = step_done(s, st, "recording a certificate", err);
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_cert_update(cw_store *s, const cw_cert_rec *c, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	PREP(st, ST_CERT_UPD);
	sqlite3_bind_text(st, 1, c->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->revoked_at);
	sqlite3_bind_int(st, 4, c->revocation_reason);
	sqlite3_bind_text(st, 5, c->renewed_by, -1, SQLITE_STATIC);
	rc = step_done(s, st, "updating a certificate", err);
out:
	stmt_release(st);
	return rc;
}

static cw_rc
cert_from_row(sqlite3_stmt *st, cw_cert_rec *c, bool with_der, cw_err *err)
{
	cw_rc rc = CW_OK;
	const void *b;

	memset(c, 0, sizeof(*c));
	copy_col(st, 0, c->serial, sizeof(c->serial));
	copy_col(st, 1, c->issuer, sizeof(c->issuer));
	copy_col(st, 2, c->subject, sizeof(c->subject));
	c->sans = dup_col(st, 3);
	CW_ENSURE_MEM(c->sans);
	copy_col(st, 4, c->key_alg, sizeof(c->key_alg));
	b = sqlite3_column_blob(st, 5);
	if (b != NULL && sqlite3_column_bytes(st, 5) == 32)
		memcpy(c->spki_sha256, b, 32);
	c->not_before = sqlite3_column_int64(st, 6);
	c->not_after = sqlite3_column_int64(st, 7);
	c->renew_after = sqlite3_column_int64(st, 8);
	copy_col(st, 9, c->template_name, sizeof(c->template_name));
	copy_col(st, 10, c->service, sizeof(c->service));
	c->request_id = sqlite3_column_int64(st, 11);
	copy_col(st, 12, c->status, sizeof(c->status));
	c->revoked_at = sqlite3_column_int64(st, 13);
	c->revocation_reason = sqlite3_column_int(st, 14);
	copy_col(st, 15, c->renewed_by, sizeof(c->renewed_by));
	copy_col(st, 16, c->source, sizeof(c->source));
	if (with_der) {
		c->der = dup_blob(st, 17, &c->der_len);
		CW_ENSURE_MEM(c->der);
	}
out:
	return rc;
}

cw_rc
cw_store_cert_get(cw_store *s, const char *serial, cw_cert_rec *c,
    bool *found, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	int r;

	PREP(st, ST_CERT_GET);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	*found = r == SQLITE_ROW;
	if (r == SQLITE_ROW)
		rc = cert_from_row(st, c, true, err);
	else if (r != SQLITE_DONE)
		rc = db_fail(s, err, "reading a certificate");
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_cert_key_known(cw_store *s, const uint8_t spki_sha256[32],
    char serial[48], bool *found, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	int r;

	PREP(st, ST_CERT_KEY);
	sqlite3_bind_blob(st, 1, spki_sha256, 32, SQLITE_STATIC);
	r = sqlite3_step(st);
	*found = r == SQLITE_ROW;
	if (r == SQLITE_ROW)
		copy_col(st, 0, serial, 48);
	else if (r != SQLITE_DONE)
		rc = db_fail(s, err, "looking up a public key");
out:
	stmt_release(st);
	return rc;
}

/* Appends " AND clause" (or " WHERE clause") to a bounded SQL buffer. */
static void
sql_and(char *sql, size_t len, bool *first, const char *clause)
{
	size_t used = strlen(sql);

	snprintf(sql + used, len - used, "%s%s", *first ? " WHERE " : " AND ",
	    clause);
	*first = false;
}

static void
bind_named_text(sqlite3_stmt *st, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void
bind_named_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_int64(st, i, v);
}

cw_rc
cw_store_cert_each(cw_store *s, const cw_cert_filter *f,
    bool (*fn)(const cw_cert_rec *, void *), void *arg, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	cw_cert_rec c;
	char like[40], sql[1536];
	int r;
	bool go = true, first = true;
	int64_t until;

	/*
	 * Only the filters in use become SQL (all values are bound), so that
	 * SQLite can use the not_after and (service, not_after) indexes: a
	 * generic "(?1 IS NULL OR ...)" query scans the whole inventory.
	 * "expired" is derived from not_after, never stored, so that the
	 * inventory cannot drift from the clock.
	 */
	snprintf(sql, sizeof(sql), "SELECT serial, issuer, subject, sans, "
	    "key_alg, spki_sha256, not_before, not_after, renew_after, "
	    "template, service, request_id, status, revoked_at, "
	    "revocation_reason, renewed_by, source, %s FROM certificates",
	    f->with_der ? "der" : "NULL");
	if (f->service != NULL)
		sql_and(sql, sizeof(sql), &first, "service = :svc");
	if (f->template_name != NULL)
		sql_and(sql, sizeof(sql), &first, "template = :tpl");
	if (f->status != NULL && strcmp(f->status, "valid") == 0)
		sql_and(sql, sizeof(sql), &first, "status = 'valid' AND "
		    "not_after > :now");
	else if (f->status != NULL && strcmp(f->status, "expired") == 0)
		sql_and(sql, sizeof(sql), &first, "status = 'valid' AND "
		    "not_after <= :now");
	else if (f->status != NULL)
		sql_and(sql, sizeof(sql), &first, "status = :status");
	if (f->key_alg != NULL)
		sql_and(sql, sizeof(sql), &first, "(key_alg = :alg OR key_alg "
		    "LIKE :like)");
	if (f->expiring_within > 0)
		sql_and(sql, sizeof(sql), &first, "not_after > :now AND "
		    "not_after <= :until AND status = 'valid'");
	if (f->due)
		/* unary + keeps not_after out of the index choice: the
		 * (status, renew_after) range holds only the due ones */
		sql_and(sql, sizeof(sql), &first, "renew_after <= :now AND "
		    "+not_after > :now AND status = 'valid'");
	snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
	    " ORDER BY not_after, serial LIMIT :limit");
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(s, err, "listing certificates");
		goto out;
	}
	bind_named_text(st, ":svc", f->service);
	bind_named_text(st, ":tpl", f->template_name);
	bind_named_text(st, ":status", f->status);
	bind_named_text(st, ":alg", f->key_alg);
	if (f->key_alg != NULL) {
		snprintf(like, sizeof(like), "%.30s:%%", f->key_alg);
		bind_named_text(st, ":like", like);
	}
	bind_named_int(st, ":now", f->now);
	if (__builtin_add_overflow(f->now, f->expiring_within, &until))
		until = INT64_MAX;
	bind_named_int(st, ":until", until);
	bind_named_int(st, ":limit", f->limit > 0 ? f->limit : -1);
	while (go && (r = sqlite3_step(st)) == SQLITE_ROW) {
		CW_TRY(cert_from_row(st, &c, f->with_der, err));
		go = fn(&c, arg);
		cw_cert_rec_cleanup(&c);
	}
	if (go && r != SQLITE_DONE)
		rc = db_fail(s, err, "listing certificates");
out:
	sqlite3_finalize(st);
	return rc;
}

/* --- exceptions ----------------------------------------------------------- */

static void
exc_from_row(sqlite3_stmt *st, cw_exception *x)
{
	memset(x, 0, sizeof(*x));
	x->id = sqlite3_column_int64(st, 0);
	copy_col(st, 1, x->template_name, sizeof(x->template_name));
	copy_col(st, 2, x->service, sizeof(x->service));
	copy_col(st, 3, x->rule, sizeof(x->rule));
	copy_col(st, 4, x->reason, sizeof(x->reason));
	copy_col(st, 5, x->granted_by, sizeof(x->granted_by));
	x->created_at = sqlite3_column_int64(st, 6);
	x->expires_at = sqlite3_column_int64(st, 7);
	x->revoked_at = sqlite3_column_int64(st, 8);
}

cw_rc
cw_store_exception_insert(cw_store *s, cw_exception *x, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	PREP(st, ST_EXC_INS);
	sqlite3_bind_text(st, 1, x->template_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, x->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, x->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, x->granted_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, x->created_at);
	sqlite3_bind_int64(st, 7, x->expires_at);
	CW_TRY(step_done(s, st, "recording an exception", err));
	x->id = sqlite3_last_insert_rowid(s->db);
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_exception_get(cw_store *s, int64_t id, cw_exception *x,
    bool *found, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	int r;

	PREP(st, ST_EXC_GET);
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	*found = r == SQLITE_ROW;
	if (r == SQLITE_ROW)
		exc_from_row(st, x);
	else if (r != SQLITE_DONE)
		rc = db_fail(s, err, "reading an exception");
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_exception_update(cw_store *s, const cw_exception *x, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	PREP(st, ST_EXC_UPD);
	sqlite3_bind_int64(st, 1, x->id);
	sqlite3_bind_int64(st, 2, x->revoked_at);
	rc = step_done(s, st, "updating an exception", err);
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_exception_each(cw_store *s, const char *template_name,
    const char *service, int64_t active_at,
    bool (*fn)(const cw_exception *, void *), void *arg, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	cw_exception x;
	int r;

	if (sqlite3_prepare_v2(s->db, "SELECT id, template, service, rule, "
	    "reason, granted_by, created_at, expires_at, revoked_at FROM "
	    "exceptions WHERE (?1 IS NULL OR template = ?1) AND (?2 IS NULL OR "
	    "service = ?2) AND (?3 = 0 OR (revoked_at = 0 AND expires_at > ?3))"
	    " ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(s, err, "listing exceptions");
		goto out;
	}
	sqlite3_bind_text(st, 1, template_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, active_at);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		exc_from_row(st, &x);
		if (!fn(&x, arg))
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = db_fail(s, err, "listing exceptions");
out:
	sqlite3_finalize(st);
	return rc;
}

/* --- audit ---------------------------------------------------------------- */

cw_rc
cw_store_audit_append(cw_store *s, cw_audit_event *e, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	uint8_t leaf[CW_HASH_LEN];
	int r;

	PREP(st, ST_AUDIT_HEAD);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		e->seq = sqlite3_column_int64(st, 0) + 1;
		CW_ENSURE(sqlite3_column_bytes(st, 1) == CW_HASH_LEN,
		    CW_ERR_INTERNAL, "audit log head hash is damaged");
		memcpy(e->prev, sqlite3_column_blob(st, 1), CW_HASH_LEN);
	} else if (r == SQLITE_DONE) {
		e->seq = 1;
		memset(e->prev, 0, CW_HASH_LEN);
	} else {
		rc = db_fail(s, err, "reading the audit head");
		goto out;
	}
	sqlite3_reset(st);
	cw_audit_leaf_hash(e, leaf);
	cw_audit_chain_hash(e->prev, leaf, e->hash);
	PREP(st, ST_AUDIT_INS);
	sqlite3_bind_int64(st, 1, e->seq);
	sqlite3_bind_int64(st, 2, e->time);
	sqlite3_bind_text(st, 3, e->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, e->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, e->object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, e->details, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, e->prev, CW_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 10, e->hash, CW_HASH_LEN, SQLITE_STATIC);
	rc = step_done(s, st, "appending an audit event", err);
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_audit_each(cw_store *s, int64_t after, const char *object,
    int64_t since, bool (*fn)(const cw_audit_event *, void *), void *arg,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	cw_audit_event e;
	int r;

	if (sqlite3_prepare_v2(s->db, "SELECT seq, time, actor, origin, "
	    "channel, action, object, details, prev, hash FROM audit "
	    "WHERE seq > ?1 AND (?2 IS NULL OR object = ?2) AND time >= ?3 "
	    "ORDER BY seq", -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(s, err, "reading the audit log");
		goto out;
	}
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_text(st, 2, object, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, since);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.seq = sqlite3_column_int64(st, 0);
		e.time = sqlite3_column_int64(st, 1);
		e.actor = audit_text(st, 2);
		e.origin = audit_text(st, 3);
		e.channel = audit_text(st, 4);
		e.action = audit_text(st, 5);
		e.object = audit_text(st, 6);
		e.details = audit_text(st, 7);
		if (sqlite3_column_bytes(st, 8) == CW_HASH_LEN)
			memcpy(e.prev, sqlite3_column_blob(st, 8), CW_HASH_LEN);
		if (sqlite3_column_bytes(st, 9) == CW_HASH_LEN)
			memcpy(e.hash, sqlite3_column_blob(st, 9), CW_HASH_LEN);
		if (!fn(&e, arg))
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = db_fail(s, err, "reading the audit log");
out:
	sqlite3_finalize(st);
	return rc;
}

cw_rc
cw_store_checkpoint_put(cw_store *s, int64_t size, const char *text,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	PREP(st, ST_CP_PUT);
	sqlite3_bind_int64(st, 1, size);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	rc = step_done(s, st, "storing a checkpoint", err);
out:
	stmt_release(st);
	return rc;
}

cw_rc
cw_store_checkpoint_latest(cw_store *s, char **text, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	int r;

	*text = NULL;
	PREP(st, ST_CP_LATEST);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*text = dup_col(st, 0);
		CW_ENSURE_MEM(*text);
	} else if (r != SQLITE_DONE) {
		rc = db_fail(s, err, "reading checkpoints");
	}
out:
	stmt_release(st);
	return rc;
}

/* --- API tokens ------------------------------------------------------------- */

/*
 * Token statements are prepared per call rather than kept in stmt_sql[]:
 * they are few and off the issuance path, and this keeps the token code in
 * one block.
 */
static cw_rc
token_prepare(cw_store *s, const char *sql, sqlite3_stmt **st, cw_err *err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(s, err, "preparing a token statement");
	return CW_OK;
}

static void
token_from_row(sqlite3_stmt *st, cw_token_rec *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	copy_col(st, 1, t->user, sizeof(t->user));
	t->user_created_at = sqlite3_column_int64(st, 2);
	if (sqlite3_column_bytes(st, 3) == CW_TOKEN_HASH_LEN)
		memcpy(t->hash, sqlite3_column_blob(st, 3), CW_TOKEN_HASH_LEN);
	copy_col(st, 4, t->created_by, sizeof(t->created_by));
	t->created_at = sqlite3_column_int64(st, 5);
	t->expires_at = sqlite3_column_int64(st, 6);
	t->last_used_at = sqlite3_column_int64(st, 7);
	t->revoked_at = sqlite3_column_int64(st, 8);
}

cw_rc
cw_store_token_insert(cw_store *s, cw_token_rec *t, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	CW_TRY(token_prepare(s, "INSERT INTO tokens(user, user_created_at, "
	    "hash, created_by, created_at, expires_at, last_used_at, "
	    "revoked_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, 0, 0)", &st, err));
	sqlite3_bind_text(st, 1, t->user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, t->user_created_at);
	sqlite3_bind_blob(st, 3, t->hash, CW_TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->created_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, t->created_at);
	sqlite3_bind_int64(st, 6, t->expires_at);
	CW_TRY(step_done(s, st, "recording a token", err));
	t->id = sqlite3_last_insert_rowid(s->db);
out:
	sqlite3_finalize(st);
	return rc;
}

cw_rc
cw_store_token_get(cw_store *s, int64_t id, cw_token_rec *t, bool *found,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	int r;

	*found = false;
	PREP(st, ST_TOKEN_GET);
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	*found = r == SQLITE_ROW;
	if (r == SQLITE_ROW)
		token_from_row(st, t);
	else if (r != SQLITE_DONE)
		rc = db_fail(s, err, "reading a token");
out:
	stmt_release(st);
	return rc;
}

static cw_rc
token_set(cw_store *s, const char *sql, int64_t id, int64_t when,
    const char *what, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;

	CW_TRY(token_prepare(s, sql, &st, err));
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, when);
	rc = step_done(s, st, what, err);
out:
	sqlite3_finalize(st);
	return rc;
}

cw_rc
cw_store_token_set_revoked(cw_store *s, int64_t id, int64_t when,
    cw_err *err)
{
	return token_set(s, "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1",
	    id, when, "revoking a token", err);
}

cw_rc
cw_store_token_set_used(cw_store *s, int64_t id, int64_t when, cw_err *err)
{
	return token_set(s, "UPDATE tokens SET last_used_at = ?2 WHERE id = ?1",
	    id, when, "recording a token's use", err);
}

cw_rc
cw_store_token_each(cw_store *s, bool (*fn)(const cw_token_rec *, void *),
    void *arg, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	cw_token_rec t;
	int r;

	CW_TRY(token_prepare(s, "SELECT " TOKEN_COLS " FROM tokens "
	    "ORDER BY id", &st, err));
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		token_from_row(st, &t);
		if (!fn(&t, arg))
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = db_fail(s, err, "listing tokens");
out:
	sqlite3_finalize(st);
	return rc;
}

/* --- counts (/metrics) ----------------------------------------------------- */

/*
 * The figures of /metrics as aggregates in SQL, never a listing: each
 * query is answered from an index alone (certificates_template,
 * certificates_status, requests_state), so a scrape reads a few bytes per
 * certificate and holds nothing per certificate in memory.
 */
static cw_rc
count_prepare(cw_store *s, const char *sql, sqlite3_stmt **st,
    const char *what, cw_err *err)
{
	*st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_fail(s, err, what);
	return CW_OK;
}

cw_rc
cw_store_cert_count_each(cw_store *s, int64_t now,
    bool (*fn)(const char *status, const char *template_name, int64_t n,
    void *arg), void *arg, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	int64_t n, expired;
	const char *status, *tpl;
	bool go = true;
	int r = SQLITE_DONE;

	/* grouped in the order of certificates_template (template, status,
	 * not_after): no sort, no table row read */
	CW_TRY(count_prepare(s, "SELECT template, status, "
	    "sum(not_after <= ?1), count(*) FROM certificates "
	    "GROUP BY template, status", &st, "counting certificates", err));
	sqlite3_bind_int64(st, 1, now);
	while (go && (r = sqlite3_step(st)) == SQLITE_ROW) {
		tpl = col_text(st, 0);
		status = col_text(st, 1);
		expired = sqlite3_column_int64(st, 2);
		n = sqlite3_column_int64(st, 3);
		/* "expired" is a valid certificate past not_after, as in
		 * the listings (cw_store_cert_each) */
		if (strcmp(status, "valid") != 0) {
			go = fn(status, tpl, n, arg);
			continue;
		}
		if (n - expired > 0)
			go = fn("valid", tpl, n - expired, arg);
		if (go && expired > 0)
			go = fn("expired", tpl, expired, arg);
	}
	if (go && r != SQLITE_DONE)
		rc = db_fail(s, err, "counting certificates");
out:
	sqlite3_finalize(st);
	return rc;
}

cw_rc
cw_store_cert_count_expiring(cw_store *s, int64_t now, int64_t within,
    int64_t *n, cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	int64_t until;

	*n = 0;
	if (__builtin_add_overflow(now, within, &until))
		until = INT64_MAX;
	/* a range of certificates_status (status, not_after) */
	CW_TRY(count_prepare(s, "SELECT count(*) FROM certificates "
	    "WHERE status = 'valid' AND not_after > ?1 AND not_after <= ?2",
	    &st, "counting expiring certificates", err));
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, until);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = db_fail(s, err, "counting expiring certificates");
		goto out;
	}
	*n = sqlite3_column_int64(st, 0);
out:
	sqlite3_finalize(st);
	return rc;
}

cw_rc
cw_store_request_count_each(cw_store *s,
    bool (*fn)(const char *state, int64_t n, void *arg), void *arg,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	sqlite3_stmt *st = NULL;
	bool go = true;
	int r = SQLITE_DONE;

	/* requests_state (state, id) holds every state in order */
	CW_TRY(count_prepare(s, "SELECT state, count(*) FROM requests "
	    "GROUP BY state", &st, "counting requests", err));
	while (go && (r = sqlite3_step(st)) == SQLITE_ROW)
		go = fn(col_text(st, 0), sqlite3_column_int64(st, 1), arg);
	if (go && r != SQLITE_DONE)
		rc = db_fail(s, err, "counting requests");
out:
	sqlite3_finalize(st);
	return rc;
}
