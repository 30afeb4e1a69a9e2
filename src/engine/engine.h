/*
 * engine.h - the only place that changes certward's state.  The CLI (and,
 * later, REST, ACME and EST) are adapters that call these functions; every
 * function that changes state runs one store transaction that also appends
 * the audit event(s) describing the change.
 *
 * Ownership: strings passed in are borrowed; results are caller-owned
 * structures released with the matching *_cleanup.
 */
#ifndef CW_ENGINE_H
#define CW_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../common/err.h"
#include "../policy/policy.h"
#include "../policy/verdict.h"
#include "../store/store.h"
#include "../x509/ocsp_resp.h"

typedef struct cw_engine cw_engine;

/* Who is acting, from where. */
typedef struct cw_actor {
	const char *name;    /* a known user */
	const char *origin;  /* human | automation */
	const char *channel; /* cli | rest | acme | est | agent */
} cw_actor;

/* Opens an initialised data directory (config, policy, CA, database). */
cw_rc cw_engine_open(const char *data_dir, cw_engine **out, cw_err *err)
    CW_MUST_USE;
void cw_engine_close(cw_engine *e);

const cw_policy *cw_engine_policy(const cw_engine *e);
int64_t cw_engine_now(const cw_engine *e);

/* --- init (init.c) -------------------------------------------------------- */

typedef struct cw_init_opts {
	const char *data_dir;
	const char *policy_path;  /* NULL: the built-in example policy */
	const char *base_url;     /* NULL: http://localhost:8080 */
	const char *ca_alg;       /* NULL: ec:P-256 */
	const char *import_cert;  /* with import_key: use an existing CA */
	const char *import_key;
	const char *root_key_out; /* write the root key here, not in data */
	const char *admin;        /* first pki-admin user (default: OS user) */
	const char *org;          /* O of the CA names */
} cw_init_opts;

/* Creates the data directory; prints nothing; *summary (json) says what
 * was created.  CW_ERR_EXISTS when already initialised (nothing touched). */
cw_rc cw_engine_init(const cw_init_opts *o, json_t **summary, cw_err *err)
    CW_MUST_USE;

/* --- users (users.c) -------------------------------------------------------- */

cw_rc cw_user_add(cw_engine *e, const cw_actor *a, const char *name,
    const char *const *roles, size_t n_roles, cw_err *err) CW_MUST_USE;
cw_rc cw_user_remove(cw_engine *e, const cw_actor *a, const char *name,
    cw_err *err) CW_MUST_USE;
/* Checks that the actor is a known user; fills u if non-NULL. */
cw_rc cw_actor_check(cw_engine *e, const cw_actor *a, cw_user *u,
    cw_err *err) CW_MUST_USE;
bool cw_user_has_role(const cw_user *u, const char *role);

/* --- services (services.c) --------------------------------------------------- */

cw_rc cw_service_add(cw_engine *e, const cw_actor *a, const char *name,
    const char *owner, const char *contact, cw_err *err) CW_MUST_USE;
/* Re-attests ownership, then re-checks the service's held requests:
 * *released counts those that left `held`. */
cw_rc cw_service_verify(cw_engine *e, const cw_actor *a, const char *name,
    int *released, cw_err *err) CW_MUST_USE;
/* Offboards: refuses new requests, revokes every valid certificate with
 * cessationOfOperation; *revoked counts them. */
cw_rc cw_service_retire(cw_engine *e, const cw_actor *a, const char *name,
    int *revoked, cw_err *err) CW_MUST_USE;

/* --- requests (requests.c) ------------------------------------------------------ */

typedef struct cw_submit {
	const char *template_name;
	const char *service;
	const uint8_t *csr; /* as read from the file: PEM or DER */
	size_t csr_len;
	const char *renew_serial; /* or NULL */
} cw_submit;

typedef struct cw_outcome {
	int64_t id;
	char state[16];
	json_t *violations; /* array of {rule, message}, owned */
	char serial[48];    /* when issued */
	char reason[256];   /* why held/rejected beyond violations */
	json_t *exceptions; /* ids of exceptions applied, owned */
} cw_outcome;

void cw_outcome_cleanup(cw_outcome *o);
/* {id, state, violations, serial?, reason?, exceptions} (new reference, or
 * NULL without memory); the same object for the CLI and the API */
json_t *cw_outcome_json(const cw_outcome *o);
/* [{rule, message}...], with a last {rule: internal.incomplete} when the
 * list was cut short (new reference, or NULL without memory) */
json_t *cw_violations_json(const cw_violations *v);

/*
 * Runs the gate and the inventory checks and records the request.  A CSR
 * that cannot be read is CW_ERR_INPUT and records nothing.  Many requests
 * are committed in groups of `group` (1 = one transaction each).
 */
cw_rc cw_request_submit(cw_engine *e, const cw_actor *a, const cw_submit *s,
    cw_outcome *out, cw_err *err) CW_MUST_USE;
cw_rc cw_request_submit_many(cw_engine *e, const cw_actor *a,
    const cw_submit *s, size_t n, size_t group, cw_outcome *out,
    cw_err *err) CW_MUST_USE;
/*
 * Group commit of submissions by different actors (certward serve):
 * cw_request_prepare() checks the actor and does the work that needs no
 * lock, copying what it keeps; cw_request_commit_batch() decides and
 * records n of them in one write transaction and gives each its own
 * answer (rcs[i], errs[i]; out[i] when committed), retrying each alone
 * should the shared transaction fail.
 */
typedef struct cw_submit_prep cw_submit_prep;
cw_rc cw_request_prepare(cw_engine *e, const cw_actor *a, const cw_submit *s,
    cw_submit_prep **out, cw_err *err) CW_MUST_USE;
void cw_request_commit_batch(cw_engine *e, cw_submit_prep **x, size_t n,
    cw_outcome *out, cw_rc *rcs, cw_err *errs);
void cw_submit_prep_free(cw_submit_prep *x);
/* CW_ERR_NONCOMPLIANT when the actor may not decide (requester, wrong
 * role, twice, not pending/held). */
cw_rc cw_request_approve(cw_engine *e, const cw_actor *a, int64_t id,
    const char *comment, cw_outcome *out, cw_err *err) CW_MUST_USE;
cw_rc cw_request_reject(cw_engine *e, const cw_actor *a, int64_t id,
    const char *comment, cw_outcome *out, cw_err *err) CW_MUST_USE;
/* Full record as JSON: request, verdict, approvals, who may still approve. */
cw_rc cw_request_show(cw_engine *e, int64_t id, json_t **out, cw_err *err)
    CW_MUST_USE;

/* --- exceptions (exceptions.c) ------------------------------------------------- */

cw_rc cw_exception_add(cw_engine *e, const cw_actor *a, const char *tmpl,
    const char *service, const char *rule, int64_t until, const char *reason,
    int64_t *id, cw_err *err) CW_MUST_USE;
cw_rc cw_exception_revoke(cw_engine *e, const cw_actor *a, int64_t id,
    cw_err *err) CW_MUST_USE;
/* Rules an exception may never waive (structural defects, CA requests). */
bool cw_rule_waivable(const char *rule);

/* --- certificates (certs.c) ----------------------------------------------------- */

cw_rc cw_cert_revoke(cw_engine *e, const cw_actor *a, const char *serial,
    int reason, cw_err *err) CW_MUST_USE;
/* A fresh signed CRL of the issuing CA (DER in *der, OPENSSL_free). */
cw_rc cw_crl_generate(cw_engine *e, uint8_t **der, size_t *len, cw_err *err)
    CW_MUST_USE;
cw_rc cw_cert_show(cw_engine *e, const char *serial, json_t **out,
    cw_err *err) CW_MUST_USE;
/* PEM (or DER) of a certificate, optionally followed by the chain. */
cw_rc cw_cert_get(cw_engine *e, const char *serial, bool chain, bool der,
    uint8_t **out, size_t *len, cw_err *err) CW_MUST_USE;
/* PEM of the issuing chain (intermediate) or the root. */
cw_rc cw_ca_pem(cw_engine *e, bool root, char **pem, cw_err *err)
    CW_MUST_USE;
json_t *cw_cert_rec_json(const cw_cert_rec *c, int64_t now);

/* --- audit (audit_ops.c) -------------------------------------------------------- */

/* Writes a signed checkpoint of the whole log; *text is its text form. */
cw_rc cw_audit_checkpoint(cw_engine *e, const cw_actor *a, char **text,
    cw_err *err) CW_MUST_USE;
/* Verifies the whole log, against cp_text when given (else the newest
 * stored checkpoint).  CW_ERR_NONCOMPLIANT naming the first bad event. */
cw_rc cw_audit_verify_log(cw_engine *e, const char *cp_text, json_t **report,
    cw_err *err) CW_MUST_USE;
/* Inclusion proof of a certificate's issuance event against a checkpoint
 * (the newest stored one when cp_text is NULL). */
cw_rc cw_audit_prove(cw_engine *e, const char *serial, const char *cp_text,
    json_t **proof, cw_err *err) CW_MUST_USE;
/* Checks a proof offline: the event's leaf, the path, the checkpoint's
 * signature with the audit public key (PEM). */
cw_rc cw_audit_check_proof(const json_t *proof, const char *pubkey_pem,
    cw_err *err) CW_MUST_USE;

/* --- read-only views for adapters (queries.c) ------------------------------- */

cw_rc cw_user_list(cw_engine *e, json_t **out, cw_err *err) CW_MUST_USE;
/* With each service's staleness against every template's owner.max_age. */
cw_rc cw_service_list(cw_engine *e, json_t **out, cw_err *err) CW_MUST_USE;
cw_rc cw_request_list(cw_engine *e, const char *state, const char *service,
    json_t **out, cw_err *err) CW_MUST_USE;
cw_rc cw_exception_list(cw_engine *e, bool all, json_t **out, cw_err *err)
    CW_MUST_USE;
/* f->now is set to the engine's clock. */
cw_rc cw_cert_list(cw_engine *e, cw_cert_filter *f, json_t **out,
    cw_err *err) CW_MUST_USE;
/* The same rows one at a time, as the store returns them, so that a full
 * listing of a large inventory needs memory for one row only.  The row is
 * borrowed for the call; returning false stops the listing. */
typedef bool (*cw_cert_row_fn)(json_t *row, void *arg);
cw_rc cw_cert_each(cw_engine *e, cw_cert_filter *f, cw_cert_row_fn fn,
    void *arg, cw_err *err) CW_MUST_USE;
cw_rc cw_audit_log(cw_engine *e, const char *object, int64_t since,
    json_t **out, cw_err *err) CW_MUST_USE;

/* --- inventory figures for /metrics (counts.c) ------------------------------ */

/*
 * Counted in the store, never listed (a scrape of a million certificates
 * must not read them).  cw_cert_counts calls fn once per (status,
 * template) with certificates, status as the listings show it (valid,
 * expired, revoked, superseded); cw_request_counts once per request
 * state; the strings are borrowed for the call.  *n of
 * cw_cert_count_expiring: valid certificates whose notAfter falls within
 * `within` seconds from now.
 */
cw_rc cw_cert_counts(cw_engine *e, bool (*fn)(const char *status,
    const char *template_name, int64_t n, void *arg), void *arg, cw_err *err)
    CW_MUST_USE;
cw_rc cw_cert_count_expiring(cw_engine *e, int64_t within, int64_t *n,
    cw_err *err) CW_MUST_USE;
cw_rc cw_request_counts(cw_engine *e, bool (*fn)(const char *state,
    int64_t n, void *arg), void *arg, cw_err *err) CW_MUST_USE;

/* --- for the server (server_ca.c) -------------------------------------------- */

/*
 * The issuing CA certificate and the root (may be NULL), get1: the
 * caller frees both.  Never the key: OCSP responses are signed through
 * cw_engine_sign_ocsp (sign.h).
 */
cw_rc cw_engine_ca_get1(cw_engine *e, X509 **issuing, X509 **root,
    cw_err *err) CW_MUST_USE;

/* The configured CRL validity (config.yaml crl_next_update), seconds. */
int64_t cw_engine_crl_next_update(const cw_engine *e);

/* The OCSP status of one serial (lower-case hex) issued by this CA. */
cw_rc cw_engine_cert_status(cw_engine *e, const char *serial_hex,
    cw_ocsp_status *st, cw_err *err) CW_MUST_USE;

/* The server's own certificate in the inventory: service (created with
 * this owner on first use) and the built-in profile's name, which is not
 * a policy template (DESIGN 7.1; docs/cli.md, serve). */
#define CW_SERVER_CERT_SERVICE "certward"
#define CW_SERVER_CERT_OWNER "pki"
#define CW_SERVER_CERT_TEMPLATE CW_POLICY_RESERVED_TEMPLATE

/*
 * Issues the server's own TLS certificate from the issuing CA: a fresh
 * P-256 key (memory only), serverAuth, names `host` (IP or DNS) and
 * localhost, valid config.yaml's server_cert_lifetime (capped by the CA's
 * own validity).  Before returning it is recorded in the inventory
 * (service CW_SERVER_CERT_SERVICE, template CW_SERVER_CERT_TEMPLATE,
 * request 0) with a cert.issue audit event by "system", and earlier
 * server certificates still valid become superseded; all in one
 * transaction.  *cert_pem (the leaf then the issuing CA) and *key_pem
 * (PKCS#8) are malloc'd NUL-terminated PEM; the caller wipes *key_pem
 * with OPENSSL_cleanse before freeing.  *serial receives the serial
 * (hex), *renew_at when it is due for renewal.
 */
cw_rc cw_engine_server_cert(cw_engine *e, const char *host, char **cert_pem,
    char **key_pem, char serial[48], int64_t *renew_at, cw_err *err)
    CW_MUST_USE;

/*
 * When a server certificate valid from not_before to not_after is to be
 * renewed: two thirds into its lifetime (not_before when the interval
 * is empty or reversed).
 */
int64_t cw_server_cert_renew_at(int64_t not_before, int64_t not_after);

/* Records an event that goes with no state change (a failed sign-in) in a
 * transaction of its own. */
cw_rc cw_engine_audit_event(cw_engine *e, const cw_actor *a,
    const char *action, const char *object, json_t *details, cw_err *err)
    CW_MUST_USE;

/* Appends an audit event inside the current transaction. */
cw_rc cw_engine_audit(cw_engine *e, const cw_actor *a, const char *action,
    const char *object, json_t *details, cw_err *err) CW_MUST_USE;

/* --- API tokens (tokens.c) ---------------------------------------------------- */

/*
 * Token text: "cw_" ID "_" SECRET, ID the token's decimal id (no leading
 * zeros), SECRET 32 random bytes in unpadded base64url (RFC 4648 5), 43
 * characters.  Only SHA-256("certward-token-v1" || secret bytes) is stored.
 */
#define CW_TOKEN_TEXT_MAX 80         /* the longest token text, with NUL */
#define CW_TOKEN_PRESENTED_MAX 256   /* longer presented input is refused */
#define CW_TOKEN_DEFAULT_LIFE (90 * 86400)
#define CW_TOKEN_MAX_LIFE (365 * 86400)

/*
 * Creates an API token for `user` (pki-admin only), valid until
 * expires_at (0: CW_TOKEN_DEFAULT_LIFE from now; at most
 * CW_TOKEN_MAX_LIFE from now, and in the future, else CW_ERR_USAGE).
 * Audited as token.create (no secret in the details).  On success the
 * token text is written to token[token_len] (at least CW_TOKEN_TEXT_MAX;
 * the caller wipes it with OPENSSL_cleanse after use) and *id is set.
 * CW_ERR_NOT_FOUND for an unknown user, CW_ERR_NONCOMPLIANT for an actor
 * without the role.
 */
cw_rc cw_token_create(cw_engine *e, const cw_actor *a, const char *user,
    int64_t expires_at, char *token, size_t token_len, int64_t *id,
    cw_err *err) CW_MUST_USE;

/* Revokes a token now (pki-admin only); audited as token.revoke.
 * CW_ERR_NOT_FOUND for an unknown id, CW_ERR_NONCOMPLIANT when already
 * revoked or the actor lacks the role. */
cw_rc cw_token_revoke(cw_engine *e, const cw_actor *a, int64_t id,
    cw_err *err) CW_MUST_USE;

/* Every token as JSON (pki-admin only): id, user, created_by, created_at,
 * expires_at, last_used_at (null: never), revoked_at (null), status
 * (active | expired | revoked | user-removed).  Never the secret or hash. */
cw_rc cw_token_list(cw_engine *e, const cw_actor *a, json_t **out,
    cw_err *err) CW_MUST_USE;

/*
 * Authenticates a presented token (for the server's Bearer header).
 * CW_OK: *user_out (when not NULL) is the token's user with the roles it
 * holds now.
 * CW_ERR_NONCOMPLIANT, with one message for every cause, when the text is
 * malformed or longer than CW_TOKEN_PRESENTED_MAX, or the token is
 * unknown, wrong, revoked, expired, or its user was removed (or removed
 * and added again).  Other codes: storage failures.  The secret is
 * compared in constant time and every check runs whatever the outcome of
 * the others.  Records last use (to the minute) best-effort in its own
 * transaction: do not call it inside one.
 */
cw_rc cw_token_authenticate(cw_engine *e, const char *presented,
    cw_user *user_out, cw_err *err) CW_MUST_USE;

#endif
