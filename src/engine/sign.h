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
 *
 * In serve: the processes that face the network open their engine with
 * cw_engine_open_remote (no private key is ever read there), the signer
 * process opens its own with cw_engine_open_keys and runs every request
 * through the *_checked functions (sign_check.c) before signing;
 * src/signer carries the calls between them (docs/security.md).
 */
#ifndef CW_SIGN_H
#define CW_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "../audit/audit.h"
#include "../common/err.h"
#include "../x509/cert_build.h"
#include "../x509/key_info.h"
#include "../x509/ocsp_resp.h"

typedef struct cw_engine cw_engine;

/* The operations a signer offers; ctx is passed back to each. */
typedef struct cw_signer {
	/* An end-entity certificate for template `tmpl` (cw_cert_issue_spki
	 * semantics), as DER: *der (OPENSSL_malloc'd), *der_len.  DER, not
	 * an X509: what receives it stores and sends the bytes, and decoding
	 * them again would decode the public key through OpenSSL's provider
	 * decoders (~90 us a certificate; docs/performance.md). */
	cw_rc (*sign_cert)(void *ctx, const char *tmpl,
	    const cw_cert_profile *p, const uint8_t *spki, size_t spki_len,
	    uint8_t **der, size_t *der_len, cw_err *err);
	/* A CRL (cw_crl_make semantics). */
	cw_rc (*sign_crl)(void *ctx, const cw_revoked *rev, size_t n_rev,
	    int64_t this_update, int64_t next_update, const uint8_t *number,
	    size_t number_len, X509_CRL **out, cw_err *err);
	/* An OCSP response (cw_ocsp_response_build semantics, the issuer
	 * signing itself). */
	cw_rc (*sign_ocsp)(void *ctx, const cw_ocsp_req *req,
	    const cw_ocsp_status *st, int64_t this_update,
	    int64_t next_update, uint8_t **der, size_t *len, cw_err *err);
	/* An audit checkpoint's signature, with the audit key
	 * (cw_checkpoint_sign semantics: fills cp->sig, cp->sig_len). */
	cw_rc (*sign_checkpoint)(void *ctx, cw_checkpoint *cp, cw_err *err);
	void *ctx;
} cw_signer;

/*
 * Opens a data directory like cw_engine_open without ever reading a
 * private key: signing goes through `s` (copied; s->ctx must outlive the
 * engine).  The root certificate and the audit public key are read at
 * once, so that the process can give up its file access afterwards.
 * For certward serve's processes that face the network.
 */
cw_rc cw_engine_open_remote(const char *data_dir, const cw_signer *s,
    cw_engine **out, cw_err *err) CW_MUST_USE;

/*
 * Opens what the key holder needs: config, policy, the issuing
 * certificate and key, the audit key; no database (only the signing
 * functions of this header may be called).  For the signer process.
 */
cw_rc cw_engine_open_keys(const char *data_dir, cw_engine **out,
    cw_err *err) CW_MUST_USE;

/*
 * Routes the engine's signing through `s` (copied; s->ctx must outlive
 * the engine) and frees the engine's own copy of the issuing key.  NULL
 * goes back to signing in process (only possible while the key is still
 * loaded).
 */
void cw_engine_set_signer(cw_engine *e, const cw_signer *s);

/* The signature digest for the issuing key (NULL for EdDSA). */
const char *cw_engine_sign_md(const cw_engine *e);

/* Signs through the attached signer, or in process.  A certificate comes
 * back as DER: *der (OPENSSL_free), *der_len. */
cw_rc cw_engine_sign_cert(cw_engine *e, const char *tmpl,
    const cw_cert_profile *p, const uint8_t *spki, size_t spki_len,
    uint8_t **der, size_t *der_len, cw_err *err) CW_MUST_USE;
cw_rc cw_engine_sign_crl(cw_engine *e, const cw_revoked *rev, size_t n_rev,
    int64_t this_update, int64_t next_update, const uint8_t *number,
    size_t number_len, X509_CRL **out, cw_err *err) CW_MUST_USE;
cw_rc cw_engine_sign_ocsp(cw_engine *e, const cw_ocsp_req *req,
    const cw_ocsp_status *st, int64_t this_update, int64_t next_update,
    uint8_t **der, size_t *len, cw_err *err) CW_MUST_USE;
cw_rc cw_engine_sign_checkpoint(cw_engine *e, cw_checkpoint *cp, cw_err *err)
    CW_MUST_USE;

/* --- what the key holder refuses (sign_check.c) ------------------------------ */

/*
 * Why a signer refused to sign; sent over the IPC (signer_msg.h), so the
 * values never change meaning.
 */
typedef enum cw_refusal {
	CW_REFUSE_NONE = 0,
	CW_REFUSE_MALFORMED = 1, /* the message did not decode */
	CW_REFUSE_ROLE = 2,      /* not what this channel may ask for */
	CW_REFUSE_TEMPLATE = 3,  /* no such template in the signer's policy */
	CW_REFUSE_VALIDITY = 4,  /* longer than allowed, or past the issuer */
	CW_REFUSE_TIME = 5,      /* times too far from the signer's clock */
	CW_REFUSE_CA = 6,        /* certificate or CRL signing usages */
	CW_REFUSE_KEY_USAGE = 7, /* not the template's key usage */
	CW_REFUSE_EKU = 8,       /* not the template's extended key usage */
	CW_REFUSE_NAMES = 9,     /* subject or SAN outside the template */
	CW_REFUSE_URL = 10,      /* not the configured CRL/OCSP/AIA URLs */
	CW_REFUSE_KEY = 11,      /* the public key does not decode */
	CW_REFUSE_LINT = 12,     /* the built certificate failed the lint */
	CW_REFUSE_INTERNAL = 13, /* the signer failed */
	CW_REFUSE_COUNT
} cw_refusal;

/* "validity", "names", ...; "unknown" outside the enum. */
const char *cw_refusal_name(cw_refusal r);

/* Which requests a signer client may make (the signer's own channels). */
typedef struct cw_sign_scope {
	/* true: only serve's own TLS certificate (CW_SERVER_CERT_TEMPLATE),
	 * for server_host; false: only the policy's templates, CRLs, OCSP
	 * responses and checkpoints */
	bool server_cert;
	const char *server_host; /* NULL: the server does not self-issue */
} cw_sign_scope;

/*
 * The key holder's side of sign_cert: before signing, re-checks the
 * request against what the engine itself loaded.  For a policy template:
 * the template exists; notBefore within CW_SIGN_CLOCK_SLACK of now; the
 * validity at most the template's and config's maximum (plus the
 * back-dating of CW_SIGN_BACKDATE) and not past the issuer's notAfter;
 * no keyCertSign or cRLSign; key usage equal to the template's fitted to
 * the key type, EKU equal to the template's; subject and SANs within the
 * template's rules (cw_policy_eval_names); CRL, OCSP and caIssuers URLs
 * the configured ones.  For CW_SERVER_CERT_TEMPLATE: exactly the profile
 * cw_engine_server_cert builds for scope->server_host.  Then
 * cw_cert_issue_spki, whose lint is the last word.  The digest is the
 * engine's (p->md is ignored).
 *
 * CW_ERR_NONCOMPLIANT (or the lint's code) with *why set on a refusal;
 * other codes for failures (*why CW_REFUSE_INTERNAL).  *der (OPENSSL_free),
 * *der_len.
 */
cw_rc cw_engine_sign_cert_checked(cw_engine *e, const cw_sign_scope *scope,
    const char *tmpl, const cw_cert_profile *p, const uint8_t *spki,
    size_t spki_len, uint8_t **der, size_t *der_len, cw_refusal *why,
    cw_err *err) CW_MUST_USE;

/* The CRL, OCSP and checkpoint operations for a worker: thisUpdate (the
 * checkpoint's time) within CW_SIGN_CLOCK_SLACK of now; a CRL's
 * validity at most config's crl_next_update (plus back-dating), an OCSP
 * response's at most CW_SIGN_OCSP_MAX_VALIDITY. */
cw_rc cw_engine_sign_crl_checked(cw_engine *e, const cw_sign_scope *scope,
    const cw_revoked *rev, size_t n_rev, int64_t this_update,
    int64_t next_update, const uint8_t *number, size_t number_len,
    X509_CRL **out, cw_refusal *why, cw_err *err) CW_MUST_USE;
cw_rc cw_engine_sign_ocsp_checked(cw_engine *e, const cw_sign_scope *scope,
    const cw_ocsp_req *req, const cw_ocsp_status *st, int64_t this_update,
    int64_t next_update, uint8_t **der, size_t *len, cw_refusal *why,
    cw_err *err) CW_MUST_USE;
cw_rc cw_engine_sign_checkpoint_checked(cw_engine *e,
    const cw_sign_scope *scope, cw_checkpoint *cp, cw_refusal *why,
    cw_err *err) CW_MUST_USE;

#define CW_SIGN_CLOCK_SLACK 300          /* seconds either way */
#define CW_SIGN_BACKDATE 60              /* notBefore/thisUpdate back-dating */
#define CW_SIGN_OCSP_MAX_VALIDITY (7 * 86400)

/*
 * Checks that der is one DER certificate (a SEQUENCE whose length covers
 * exactly der_len bytes, holding the TBSCertificate SEQUENCE, RFC 5280
 * 4.1) and writes its subject as X509_NAME_oneline does into subj (at
 * most subj_len bytes).  Reads only the subject: the rest, the public key
 * above all, is not decoded.  CW_ERR_INTERNAL when it is not (what a
 * signer returned is never user input).
 */
cw_rc cw_cert_der_subject(const uint8_t *der, size_t der_len, char *subj,
    size_t subj_len, cw_err *err) CW_MUST_USE;

/*
 * Key usages a key type can serve (RFC 5480 3, RFC 8410 5): the
 * encipherment bits only for RSA, key agreement only for EC.
 */
uint32_t cw_key_usage_fit(uint32_t ku, cw_key_type kt);

#endif
