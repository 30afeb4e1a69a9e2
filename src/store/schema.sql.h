/*
 * schema.sql.h - the SQLite schema, as migrations applied in order.  Each
 * entry moves the database from version i to i+1 (PRAGMA user_version).
 * Indexes are kept lean (PERFORMANCE.md: every index costs on insert):
 * the key-reuse lookup, expiry and renewal scans, per-service listing,
 * the counts of /metrics.
 */
#ifndef CW_SCHEMA_SQL_H
#define CW_SCHEMA_SQL_H

static const char *const cw_migrations[] = {
	/* 1: initial schema */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE users(name TEXT PRIMARY KEY, roles TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE services(name TEXT PRIMARY KEY, owner TEXT NOT NULL,"
	"  contact TEXT NOT NULL, verified_at INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL, retired INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE requests(id INTEGER PRIMARY KEY, template TEXT NOT NULL,"
	"  service TEXT NOT NULL, csr BLOB NOT NULL, requester TEXT NOT NULL,"
	"  origin TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL,"
	"  violations TEXT NOT NULL, exceptions TEXT NOT NULL,"
	"  renew_of TEXT NOT NULL, serial TEXT NOT NULL, reason TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE INDEX requests_state ON requests(state, id);"
	"CREATE TABLE approvals(request_id INTEGER NOT NULL"
	"  REFERENCES requests(id), principal TEXT NOT NULL, role TEXT NOT NULL,"
	"  decision TEXT NOT NULL, comment TEXT NOT NULL, time INTEGER NOT NULL,"
	"  PRIMARY KEY(request_id, principal));"
	"CREATE TABLE certificates(serial TEXT PRIMARY KEY, issuer TEXT NOT NULL,"
	"  subject TEXT NOT NULL, sans TEXT NOT NULL, key_alg TEXT NOT NULL,"
	"  spki_sha256 BLOB NOT NULL, not_before INTEGER NOT NULL,"
	"  not_after INTEGER NOT NULL, renew_after INTEGER NOT NULL,"
	"  template TEXT NOT NULL, service TEXT NOT NULL,"
	"  request_id INTEGER NOT NULL, status TEXT NOT NULL,"
	"  revoked_at INTEGER NOT NULL DEFAULT 0,"
	"  revocation_reason INTEGER NOT NULL DEFAULT -1,"
	"  renewed_by TEXT NOT NULL DEFAULT '', source TEXT NOT NULL,"
	"  der BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX certificates_spki ON certificates(spki_sha256);"
	"CREATE INDEX certificates_not_after ON certificates(not_after);"
	"CREATE INDEX certificates_service ON certificates(service, not_after);"
	"CREATE TABLE exceptions(id INTEGER PRIMARY KEY, template TEXT NOT NULL,"
	"  service TEXT NOT NULL, rule TEXT NOT NULL, reason TEXT NOT NULL,"
	"  granted_by TEXT NOT NULL, created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE audit(seq INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
	"  actor TEXT NOT NULL, origin TEXT NOT NULL, channel TEXT NOT NULL,"
	"  action TEXT NOT NULL, object TEXT NOT NULL, details TEXT NOT NULL,"
	"  prev BLOB NOT NULL, hash BLOB NOT NULL);"
	"CREATE INDEX audit_object ON audit(object);"
	"CREATE TABLE checkpoints(size INTEGER PRIMARY KEY, text TEXT NOT NULL);",
	/*
	 * 2: API tokens (DESIGN 7.1).  Only a hash of the secret is kept.
	 * AUTOINCREMENT: a token id, part of the token text, is never
	 * reused.  user_created_at ties a token to the user as it existed
	 * when the token was made, so removing and re-adding a name does
	 * not revive old tokens.  No extra index: lookups are by id.
	 */
	"CREATE TABLE tokens(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  user TEXT NOT NULL, user_created_at INTEGER NOT NULL,"
	"  hash BLOB NOT NULL, created_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
	"  last_used_at INTEGER NOT NULL DEFAULT 0,"
	"  revoked_at INTEGER NOT NULL DEFAULT 0);",
	/* 3: revoked lists (CRLs) and renewal-due scans without a full
	 * scan of the inventory (measured on 1,000,000 certificates) */
	("CREATE INDEX certificates_status ON certificates(status, not_after);"
	"CREATE INDEX certificates_due ON certificates(status, renew_after);"),
	/* 4: certificates in insertion order (a rowid table) with a unique
	 * serial index: keyed by the random serial, every insert landed on a
	 * random page of the table itself, and a durable issuance wrote about
	 * 42 KiB to the WAL (bench/issue.sh) */
	("CREATE TABLE certificates_v4(id INTEGER PRIMARY KEY,"
	"  serial TEXT NOT NULL UNIQUE, issuer TEXT NOT NULL,"
	"  subject TEXT NOT NULL, sans TEXT NOT NULL, key_alg TEXT NOT NULL,"
	"  spki_sha256 BLOB NOT NULL, not_before INTEGER NOT NULL,"
	"  not_after INTEGER NOT NULL, renew_after INTEGER NOT NULL,"
	"  template TEXT NOT NULL, service TEXT NOT NULL,"
	"  request_id INTEGER NOT NULL, status TEXT NOT NULL,"
	"  revoked_at INTEGER NOT NULL DEFAULT 0,"
	"  revocation_reason INTEGER NOT NULL DEFAULT -1,"
	"  renewed_by TEXT NOT NULL DEFAULT '', source TEXT NOT NULL,"
	"  der BLOB NOT NULL);"
	"INSERT INTO certificates_v4(serial, issuer, subject, sans, key_alg, spki_sha256, not_before, not_after, renew_after, template, service, request_id, status, revoked_at, revocation_reason, renewed_by, source, der) SELECT serial, issuer, subject, sans, key_alg, spki_sha256, not_before, not_after, renew_after, template, service, request_id, status, revoked_at, revocation_reason, renewed_by, source, der FROM certificates"
	"  ORDER BY not_before, serial;"
	"DROP TABLE certificates;"
	"ALTER TABLE certificates_v4 RENAME TO certificates;"
	"CREATE INDEX certificates_spki ON certificates(spki_sha256);"
	"CREATE INDEX certificates_not_after ON certificates(not_after);"
	"CREATE INDEX certificates_service ON certificates(service, not_after);"
	"CREATE INDEX certificates_status ON certificates(status, not_after);"
	"CREATE INDEX certificates_due ON certificates(status, renew_after);"),
	/* 5: /metrics counts certificates by template and status (and
	 * expired by not_after) from this index alone, in its order; without
	 * it the count read every row of the table (docs/performance.md,
	 * "/metrics").  New certificates land at the end of their template's
	 * range, so an insert touches one hot page. */
	"CREATE INDEX certificates_template ON certificates(template, status,"
	"  not_after);",
};

#endif
