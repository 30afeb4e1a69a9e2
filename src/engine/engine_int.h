/*
 * engine_int.h - what the engine's files share; not for adapters.
 */
#ifndef CW_ENGINE_INT_H
#define CW_ENGINE_INT_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../common/util.h"
#include "config.h"
#include "../x509/csr.h"
#include "engine.h"
#include "sign.h"

struct cw_engine {
	char *data_dir;
	cw_config cfg;
	cw_policy *policy;
	cw_store *store;
	X509 *issuing;        /* issuing CA certificate */
	EVP_PKEY *issuing_key; /* NULL once a signer is attached (sign.c) */
	cw_signer signer;      /* used when has_signer */
	bool has_signer;
	X509 *root;           /* root certificate (may equal issuing) */
	EVP_PKEY *audit_key;  /* NULL unless needed (checkpoint) */
	EVP_PKEY *audit_pub;  /* NULL unless needed (verify) */
	char issuing_name[512];
};

/* Joins data_dir and a relative name into buf. */
void cw_engine_path(const cw_engine *e, const char *rel, char *buf,
    size_t len);

/* The root certificate (borrowed), loaded on first use; NULL when the
 * issuing CA was imported without its chain. */
cw_rc cw_engine_root(cw_engine *e, X509 **root, cw_err *err) CW_MUST_USE;

/* Loads the audit signing key on first use. */
cw_rc cw_engine_audit_key(cw_engine *e, EVP_PKEY **key, cw_err *err)
    CW_MUST_USE;

/* The audit public key (borrowed), loaded on first use from
 * audit/audit.pub (from the private key when that file is missing). */
cw_rc cw_engine_audit_pub(cw_engine *e, EVP_PKEY **pub, cw_err *err)
    CW_MUST_USE;

/* Canonical JSON text for audit details (sorted keys, compact). */
char *cw_json_canonical(const json_t *j);

/* Lower-case hex serial without leading zeros from big-endian bytes. */
void cw_serial_hex(const uint8_t *b, size_t len, char out[48]);

/*
 * A certificate signed for a request and not yet stored (issue.c).  Made
 * by cw_engine_issue_sign, which needs no database and no lock; then
 * either stored by cw_engine_issue_store inside the write transaction or
 * wiped by cw_issued_discard, so that a signed certificate never leaves
 * the process without its records.  Zero it before first use.
 */
typedef struct cw_issued {
	bool ready;      /* signed, neither stored nor discarded */
	cw_cert_rec rec; /* all but the request's fields; der unset */
	unsigned char *der; /* the certificate (OPENSSL_malloc) */
	size_t der_len;
	json_t *sans;    /* the SANs as written, for the audit event */
} cw_issued;

/* Builds, lints and signs (cw_engine_sign_cert) the certificate for a
 * compliant request of template t.  *is must be empty; filled on
 * success, left empty on failure. */
cw_rc cw_engine_issue_sign(cw_engine *e, const cw_template *t,
    const cw_csr *csr, cw_issued *is, cw_err *err) CW_MUST_USE;

/* Inside the caller's transaction: stores the certificate of request r
 * (signed before in *is if is->ready and its serial is still unused,
 * otherwise signed here) with its audit event, supersedes the renewed
 * certificate, fills r->serial and sets r->state "issued".  Consumes *is
 * (empty afterwards, whatever the outcome). */
cw_rc cw_engine_issue_store(cw_engine *e, const cw_actor *a, cw_request *r,
    const cw_template *t, const cw_csr *csr, json_t *approvers,
    cw_issued *is, cw_err *err) CW_MUST_USE;

/* Wipes and frees an unstored certificate; NULL-safe; leaves *is empty. */
void cw_issued_discard(cw_issued *is);

/* cw_engine_issue_sign + cw_engine_issue_store inside the caller's
 * transaction (approvals, released held requests). */
cw_rc cw_engine_issue(cw_engine *e, const cw_actor *a, cw_request *r,
    const cw_template *t, const cw_csr *csr, json_t *approvers,
    cw_err *err) CW_MUST_USE;

/* Revokes one certificate inside the caller's transaction. */
cw_rc cw_engine_revoke_locked(cw_engine *e, const cw_actor *a,
    cw_cert_rec *c, int reason, cw_err *err) CW_MUST_USE;

/* The signer's check of serve's own TLS certificate (server_ca.c): p
 * must be exactly what cw_engine_server_cert builds for host now (serial
 * and digest aside).  CW_ERR_NONCOMPLIANT with *why on a mismatch. */
cw_rc cw_server_profile_check(cw_engine *e, const char *host,
    const cw_cert_profile *p, cw_refusal *why, cw_err *err) CW_MUST_USE;

/* Requires a role of the actor (already checked to exist). */
cw_rc cw_require_role(const cw_user *u, const char *const *roles, size_t n,
    const char *what, cw_err *err) CW_MUST_USE;

#endif
