/*
 * store.h - certward's persistent state behind one interface: users,
 * services, requests and approvals, certificates, exceptions, the audit
 * log and the CRL number.  The SQLite backend (store_sqlite.c) is the
 * embedded default: one file, WAL, synchronous=FULL.
 *
 * Every state change happens inside cw_store_begin/commit; the engine
 * appends the matching audit event inside the same transaction, so there
 * is no state change without its record and no record without its change.
 * Only the engine calls this interface (STYLE: no adapter talks to the
 * store directly).
 */
#ifndef CW_STORE_H
#define CW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../audit/audit.h"
#include "../common/err.h"

typedef struct cw_store cw_store;

/* Opens (creating if asked) the database at path and applies migrations. */
cw_rc cw_store_open(const char *path, bool create, cw_store **out,
    cw_err *err) CW_MUST_USE;
void cw_store_close(cw_store *s);

/* One write transaction at a time (BEGIN IMMEDIATE); waits for other
 * processes up to the busy timeout. */
cw_rc cw_store_begin(cw_store *s, cw_err *err) CW_MUST_USE;
cw_rc cw_store_commit(cw_store *s, cw_err *err) CW_MUST_USE;
void cw_store_rollback(cw_store *s);

/* Key/value settings ("crl_number", "schema_version"). */
cw_rc cw_store_meta_get(cw_store *s, const char *key, char *buf,
    size_t len, bool *found, cw_err *err) CW_MUST_USE;
cw_rc cw_store_meta_set(cw_store *s, const char *key, const char *value,
    cw_err *err) CW_MUST_USE;

/* --- users ---------------------------------------------------------------- */

#define CW_MAX_ROLES 16
#define CW_NAME_MAX 128

typedef struct cw_user {
	char name[CW_NAME_MAX];
	char roles[CW_MAX_ROLES][64];
	size_t n_roles;
	int64_t created_at;
} cw_user;

cw_rc cw_store_user_put(cw_store *s, const cw_user *u, cw_err *err)
    CW_MUST_USE;
cw_rc cw_store_user_get(cw_store *s, const char *name, cw_user *u,
    bool *found, cw_err *err) CW_MUST_USE;
cw_rc cw_store_user_delete(cw_store *s, const char *name, bool *found,
    cw_err *err) CW_MUST_USE;
/* Calls fn for each user in name order; stop early by returning false. */
cw_rc cw_store_user_each(cw_store *s, bool (*fn)(const cw_user *, void *),
    void *arg, cw_err *err) CW_MUST_USE;

/* --- services ------------------------------------------------------------- */

typedef struct cw_service {
	char name[CW_NAME_MAX];
	char owner[CW_NAME_MAX];
	char contact[256];
	int64_t verified_at;
	int64_t created_at;
	bool retired;
} cw_service;

cw_rc cw_store_service_put(cw_store *s, const cw_service *svc, cw_err *err)
    CW_MUST_USE;
cw_rc cw_store_service_get(cw_store *s, const char *name, cw_service *svc,
    bool *found, cw_err *err) CW_MUST_USE;
cw_rc cw_store_service_each(cw_store *s,
    bool (*fn)(const cw_service *, void *), void *arg, cw_err *err)
    CW_MUST_USE;

/* --- requests ------------------------------------------------------------- */

typedef struct cw_request {
	int64_t id;           /* assigned by cw_store_request_insert */
	char template_name[CW_NAME_MAX];
	char service[CW_NAME_MAX];
	uint8_t *csr;         /* DER; owned by the record (cw_request_cleanup) */
	size_t csr_len;
	char requester[CW_NAME_MAX];
	char origin[16];      /* human | automation */
	char channel[16];     /* cli | rest | acme | est | agent */
	char state[16];       /* pending | approved | rejected | issued | held */
	char *violations;     /* JSON array text, owned */
	char *exceptions;     /* JSON array of exception ids applied, owned */
	char renew_of[48];    /* serial hex or "" */
	char serial[48];      /* issued certificate or "" */
	char reason[256];     /* why held / rejected beyond violations */
	int64_t created_at;
	int64_t updated_at;
} cw_request;

void cw_request_cleanup(cw_request *r);

cw_rc cw_store_request_insert(cw_store *s, cw_request *r, cw_err *err)
    CW_MUST_USE;
/* Updates state, violations, exceptions, serial, reason, updated_at. */
cw_rc cw_store_request_update(cw_store *s, const cw_request *r, cw_err *err)
    CW_MUST_USE;
cw_rc cw_store_request_get(cw_store *s, int64_t id, cw_request *r,
    bool *found, cw_err *err) CW_MUST_USE;
/* Filters may be NULL.  fn gets records without the CSR bytes. */
cw_rc cw_store_request_each(cw_store *s, const char *state,
    const char *service, bool (*fn)(const cw_request *, void *), void *arg,
    cw_err *err) CW_MUST_USE;

typedef struct cw_approval {
	int64_t request_id;
	char principal[CW_NAME_MAX];
	char role[64];
	char decision[16]; /* approve | reject */
	char comment[512];
	int64_t time;
} cw_approval;

cw_rc cw_store_approval_insert(cw_store *s, const cw_approval *a,
    cw_err *err) CW_MUST_USE;
cw_rc cw_store_approval_each(cw_store *s, int64_t request_id,
    bool (*fn)(const cw_approval *, void *), void *arg, cw_err *err)
    CW_MUST_USE;

/* --- certificates ------------------------------------------------------------ */

typedef struct cw_cert_rec {
	char serial[48];      /* lower-case hex, no leading zeros */
	char issuer[256];
	char subject[512];
	char *sans;           /* JSON array text, owned */
	char key_alg[32];     /* "ec:P-256", "rsa:3072", "ed25519" */
	uint8_t spki_sha256[32];
	int64_t not_before;
	int64_t not_after;
	int64_t renew_after;  /* when renewal becomes due (template renew_at) */
	char template_name[CW_NAME_MAX];
	char service[CW_NAME_MAX];
	int64_t request_id;
	char status[16];      /* valid | revoked | superseded (expired is derived) */
	int64_t revoked_at;
	int revocation_reason; /* -1 when not revoked */
	char renewed_by[48];
	char source[16];      /* issued | discovered */
	uint8_t *der;         /* owned */
	size_t der_len;
} cw_cert_rec;

void cw_cert_rec_cleanup(cw_cert_rec *c);

cw_rc cw_store_cert_insert(cw_store *s, const cw_cert_rec *c, cw_err *err)
    CW_MUST_USE;
/* Updates status, revoked_at, revocation_reason, renewed_by. */
cw_rc cw_store_cert_update(cw_store *s, const cw_cert_rec *c, cw_err *err)
    CW_MUST_USE;
cw_rc cw_store_cert_get(cw_store *s, const char *serial, cw_cert_rec *c,
    bool *found, cw_err *err) CW_MUST_USE;
/* Is this public key anywhere in the inventory (any status, service)? */
cw_rc cw_store_cert_key_known(cw_store *s, const uint8_t spki_sha256[32],
    char serial[48], bool *found, cw_err *err) CW_MUST_USE;

typedef struct cw_cert_filter {
	const char *service;
	const char *template_name;
	const char *status;      /* valid | revoked | expired | superseded */
	const char *key_alg;     /* prefix: "ec" matches "ec:P-256" */
	int64_t now;             /* for expired / expiring / due */
	int64_t expiring_within; /* seconds, 0 = no filter */
	bool due;                /* past renew_after, still valid */
	int64_t limit;           /* 0 = no limit */
	bool with_der;
} cw_cert_filter;

cw_rc cw_store_cert_each(cw_store *s, const cw_cert_filter *f,
    bool (*fn)(const cw_cert_rec *, void *), void *arg, cw_err *err)
    CW_MUST_USE;

/*
 * Counts without listing (for /metrics; each an index scan or range).
 * cert_count_each calls fn once per (status, template) that has
 * certificates, status as listings show it: valid, expired (a valid one
 * with not_after <= now), revoked, superseded; stop early by returning
 * false.  The strings are only valid during the call.
 */
cw_rc cw_store_cert_count_each(cw_store *s, int64_t now,
    bool (*fn)(const char *status, const char *template_name, int64_t n,
    void *arg), void *arg, cw_err *err) CW_MUST_USE;
/* Valid certificates with now < not_after <= now + within. */
cw_rc cw_store_cert_count_expiring(cw_store *s, int64_t now, int64_t within,
    int64_t *n, cw_err *err) CW_MUST_USE;
/* Calls fn once per request state that has requests, with their number. */
cw_rc cw_store_request_count_each(cw_store *s,
    bool (*fn)(const char *state, int64_t n, void *arg), void *arg,
    cw_err *err) CW_MUST_USE;

/* --- exceptions ------------------------------------------------------------ */

typedef struct cw_exception {
	int64_t id;
	char template_name[CW_NAME_MAX];
	char service[CW_NAME_MAX];
	char rule[48];
	char reason[512];
	char granted_by[CW_NAME_MAX];
	int64_t created_at;
	int64_t expires_at;
	int64_t revoked_at; /* 0 when in force */
} cw_exception;

cw_rc cw_store_exception_insert(cw_store *s, cw_exception *x, cw_err *err)
    CW_MUST_USE;
cw_rc cw_store_exception_get(cw_store *s, int64_t id, cw_exception *x,
    bool *found, cw_err *err) CW_MUST_USE;
cw_rc cw_store_exception_update(cw_store *s, const cw_exception *x,
    cw_err *err) CW_MUST_USE;
/* template/service NULL = all; active_at > 0 = only those in force then. */
cw_rc cw_store_exception_each(cw_store *s, const char *template_name,
    const char *service, int64_t active_at,
    bool (*fn)(const cw_exception *, void *), void *arg, cw_err *err)
    CW_MUST_USE;

/* --- audit ------------------------------------------------------------------ */

/*
 * Appends an event: fills seq, prev and hash from the current head (inside
 * the caller's transaction).
 */
cw_rc cw_store_audit_append(cw_store *s, cw_audit_event *e, cw_err *err)
    CW_MUST_USE;
/* Events in seq order with seq > after; object/since filters may be NULL/0.
 * The event's strings are only valid during the callback. */
cw_rc cw_store_audit_each(cw_store *s, int64_t after, const char *object,
    int64_t since, bool (*fn)(const cw_audit_event *, void *), void *arg,
    cw_err *err) CW_MUST_USE;
cw_rc cw_store_checkpoint_put(cw_store *s, int64_t size, const char *text,
    cw_err *err) CW_MUST_USE;
/* The newest stored checkpoint text (malloc'd) or NULL. */
cw_rc cw_store_checkpoint_latest(cw_store *s, char **text, cw_err *err)
    CW_MUST_USE;

/* --- API tokens ------------------------------------------------------------- */

#define CW_TOKEN_HASH_LEN 32

typedef struct cw_token_rec {
	int64_t id;              /* assigned by cw_store_token_insert */
	char user[CW_NAME_MAX];  /* whom the token authenticates */
	int64_t user_created_at; /* that user's created_at at creation */
	uint8_t hash[CW_TOKEN_HASH_LEN]; /* SHA-256 of the secret, never it */
	char created_by[CW_NAME_MAX];
	int64_t created_at;
	int64_t expires_at;
	int64_t last_used_at;    /* 0 = never */
	int64_t revoked_at;      /* 0 = in force */
} cw_token_rec;

/* Inserts t (t->id ignored) and sets t->id. */
cw_rc cw_store_token_insert(cw_store *s, cw_token_rec *t, cw_err *err)
    CW_MUST_USE;
/* A stored hash of the wrong length reads as all zeros (never matches). */
cw_rc cw_store_token_get(cw_store *s, int64_t id, cw_token_rec *t,
    bool *found, cw_err *err) CW_MUST_USE;
cw_rc cw_store_token_set_revoked(cw_store *s, int64_t id, int64_t when,
    cw_err *err) CW_MUST_USE;
cw_rc cw_store_token_set_used(cw_store *s, int64_t id, int64_t when,
    cw_err *err) CW_MUST_USE;
/* Calls fn for each token in id order; stop early by returning false. */
cw_rc cw_store_token_each(cw_store *s,
    bool (*fn)(const cw_token_rec *, void *), void *arg, cw_err *err)
    CW_MUST_USE;

#endif
