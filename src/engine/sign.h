/*
 * sign.h - the one way the engine and the server use the CA's private
 * key.  In the CLI the key is loaded into the process and the engine signs
 * itself (the local signer).  In `certward serve` the key lives only in a
 * separate signer process: the server attaches a cw_signer whose calls go
 * over a local IPC channel, and the engine never holds the key.
 *
 * Every operation receives typed fields, never DER to copy: the signer
 * builds what it signs itself and lints it before signing (cert_build.c),
 * so whoever holds the key decides the bytes that are signed.
 */
#ifndef CW_SIGN_H
#define CW_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "../common/err.h"
#include "../x509/cert_build.h"
#include "../x509/ocsp_resp.h"

typedef struct cw_engine cw_engine;

/* The operations a signer offers; ctx is passed back to each. */
typedef struct cw_signer {
	/* An end-entity certificate for template `tmpl` (cw_cert_issue_spki
	 * semantics). */
	cw_rc (*sign_cert)(void *ctx, const char *tmpl,
	    const cw_cert_profile *p, const uint8_t *spki, size_t spki_len,
	    X509 **out, cw_err *err);
	/* A CRL (cw_crl_make semantics). */
	cw_rc (*sign_crl)(void *ctx, const cw_revoked *rev, size_t n_rev,
	    int64_t this_update, int64_t next_update, const uint8_t *number,
	    size_t number_len, X509_CRL **out, cw_err *err);
	/* An OCSP response (cw_ocsp_response_build semantics, the issuer
	 * signing itself). */
	cw_rc (*sign_ocsp)(void *ctx, const cw_ocsp_req *req,
	    const cw_ocsp_status *st, int64_t this_update,
	    int64_t next_update, uint8_t **der, size_t *len, cw_err *err);
	void *ctx;
} cw_signer;

/*
 * Routes the engine's signing through `s` (copied; s->ctx must outlive
 * the engine) and frees the engine's own copy of the issuing key.  NULL
 * goes back to signing in process (only possible while the key is still
 * loaded).
 */
void cw_engine_set_signer(cw_engine *e, const cw_signer *s);

/* The signature digest for the issuing key (NULL for EdDSA). */
const char *cw_engine_sign_md(const cw_engine *e);

/* Signs through the attached signer, or in process. */
cw_rc cw_engine_sign_cert(cw_engine *e, const char *tmpl,
    const cw_cert_profile *p, const uint8_t *spki, size_t spki_len,
    X509 **out, cw_err *err) CW_MUST_USE;
cw_rc cw_engine_sign_crl(cw_engine *e, const cw_revoked *rev, size_t n_rev,
    int64_t this_update, int64_t next_update, const uint8_t *number,
    size_t number_len, X509_CRL **out, cw_err *err) CW_MUST_USE;
cw_rc cw_engine_sign_ocsp(cw_engine *e, const cw_ocsp_req *req,
    const cw_ocsp_status *st, int64_t this_update, int64_t next_update,
    uint8_t **der, size_t *len, cw_err *err) CW_MUST_USE;

#endif
