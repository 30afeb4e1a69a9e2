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

/* Canonical JSON text for audit details (sorted keys, compact). */
char *cw_json_canonical(const json_t *j);

/* Lower-case hex serial without leading zeros from big-endian bytes. */
void cw_serial_hex(const uint8_t *b, size_t len, char out[48]);

/* Issues the certificate for a compliant request inside the caller's
 * transaction (issue.c): builds, lints, signs, stores, audits; supersedes
 * the renewed certificate.  Fills r->serial and sets r->state "issued". */
cw_rc cw_engine_issue(cw_engine *e, const cw_actor *a, cw_request *r,
    const cw_template *t, const cw_csr *csr, json_t *approvers,
    cw_err *err) CW_MUST_USE;

/* Revokes one certificate inside the caller's transaction. */
cw_rc cw_engine_revoke_locked(cw_engine *e, const cw_actor *a,
    cw_cert_rec *c, int reason, cw_err *err) CW_MUST_USE;

/* Requires a role of the actor (already checked to exist). */
cw_rc cw_require_role(const cw_user *u, const char *const *roles, size_t n,
    const char *what, cw_err *err) CW_MUST_USE;

#endif
