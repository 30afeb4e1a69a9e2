/*
 * cert_build.h - builds, lints and signs end-entity certificates, CA
 * certificates and CRLs.  Part of the x509 core: no I/O, no clock (times
 * are parameters), no policy types (the engine translates a template into
 * a cw_cert_profile).
 *
 * The certificate is built from the profile, never by copying the CSR's
 * extensions.  cw_cert_issue lints the finished TBS against the profile and
 * the RFC 5280 profile rules before signing; a certificate that fails is
 * never signed.
 */
#ifndef CW_CERT_BUILD_H
#define CW_CERT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../common/err.h"

/* A subject attribute to write: UTF8String unless the attribute is one
 * that X.520 requires as PrintableString (countryName). */
typedef struct cw_name_attr {
	int nid;
	const uint8_t *val;
	size_t len;
} cw_name_attr;

typedef enum cw_gn_type { CW_GN_DNS, CW_GN_IP, CW_GN_URI, CW_GN_EMAIL } cw_gn_type;

typedef struct cw_gen_name {
	cw_gn_type type;
	const uint8_t *val; /* DNS/URI/e-mail text or 4/16 IP octets */
	size_t len;
} cw_gen_name;

/* What goes into an end-entity certificate. */
typedef struct cw_cert_profile {
	const uint8_t *serial; /* two's complement big-endian, positive */
	size_t serial_len;
	int64_t not_before;    /* Unix seconds */
	int64_t not_after;
	const cw_name_attr *subject;
	size_t n_subject;
	const cw_gen_name *sans;
	size_t n_sans;
	uint32_t key_usage;    /* CW_KU_* bits (policy.h numbering = RFC bit) */
	const int *eku;        /* NIDs */
	size_t n_eku;
	const char *crl_url;   /* CRL distribution point, or NULL */
	const char *ocsp_url;  /* AIA OCSP, or NULL */
	const char *ca_issuers_url; /* AIA caIssuers, or NULL */
	const char *md;        /* signature digest name; NULL for EdDSA keys */
} cw_cert_profile;

/*
 * Builds the certificate for `pubkey` (the CSR's key) under `issuer` and
 * signs it with `issuer_key`.  Lints before signing (see cw_cert_lint);
 * CW_ERR_NONCOMPLIANT with the failed rule when the lint refuses.
 * *out receives the signed certificate (X509_free).
 */
cw_rc cw_cert_issue(const cw_cert_profile *p, EVP_PKEY *pubkey, X509 *issuer,
    EVP_PKEY *issuer_key, X509 **out, cw_err *err) CW_MUST_USE;

/*
 * Same, with the subject key given as DER SubjectPublicKeyInfo (the CSR's),
 * copied into the certificate byte for byte (a compressed EC point stays
 * compressed).  The key itself is not checked here: that is the gate's
 * work (cw_key_info_from_spki); CW_ERR_INPUT only when the SPKI does not
 * decode as one.
 *
 * Both refuse an issuer_key that is not the issuer certificate's key
 * (CW_ERR_INPUT), and input the profile cannot encode (CW_ERR_INPUT:
 * characters a string type cannot hold, IP addresses not 4 or 16 octets,
 * a digest other than SHA-256/384/512, times before 1950).
 *
 * Both functions write RSA, named-curve EC and EdDSA keys from their parts
 * without decoding them (X509_set_pubkey costs ~185 us on OpenSSL 3.0), so
 * X509_get0_pubkey(*out) returns NULL: use the caller's key, or re-parse
 * the DER (i2d_X509) where an EVP_PKEY of the certificate is needed.
 */
cw_rc cw_cert_issue_spki(const cw_cert_profile *p, const uint8_t *spki,
    size_t spki_len, X509 *issuer, EVP_PKEY *issuer_key, X509 **out,
    cw_err *err) CW_MUST_USE;

/*
 * Checks a built certificate (signed or not) against the profile and RFC
 * 5280: v3; serial positive and at most 20 octets; validity inside the
 * issuer's and not_before < not_after; issuer name = issuer's subject;
 * basicConstraints CA:FALSE present and critical; keyUsage critical and
 * equal to the profile's (no keyEncipherment/dataEncipherment for non-RSA
 * keys); EKU equal to the profile's; SAN equal to the profile's names and
 * critical when the subject is empty (4.2.1.6); SKI present; AKI equal to
 * the issuer's SKI; no extension twice; no other extensions than these plus
 * CRL DP and AIA.  CW_ERR_NONCOMPLIANT naming the first failure.
 */
cw_rc cw_cert_lint(X509 *cert, const cw_cert_profile *p, X509 *issuer,
    cw_err *err) CW_MUST_USE;

/* --- CA certificates ------------------------------------------------------ */

/*
 * Self-signed root (pathlen 1) or an intermediate signed by parent (pathlen
 * 0), basicConstraints CA:TRUE critical, keyUsage keyCertSign|cRLSign
 * critical, SKI, AKI.  subject_cn becomes the CN, org the O (may be NULL).
 */
cw_rc cw_ca_cert_make(EVP_PKEY *key, const char *subject_cn, const char *org,
    int64_t not_before, int64_t not_after, X509 *parent, EVP_PKEY *parent_key,
    X509 **out, cw_err *err) CW_MUST_USE;

/* --- CRLs -------------------------------------------------------------------- */

typedef struct cw_revoked {
	const uint8_t *serial;
	size_t serial_len;
	int64_t time;
	int reason; /* CRL_REASON_* (OCSP_REVOKED_STATUS_*), -1 for none */
} cw_revoked;

/*
 * A v2 CRL signed by the issuer: thisUpdate, nextUpdate, CRL number,
 * AKI, one entry per revoked certificate with its reason code (omitted for
 * unspecified, RFC 5280 5.3.1).  *out (X509_CRL_free).
 */
cw_rc cw_crl_make(X509 *issuer, EVP_PKEY *issuer_key, const cw_revoked *rev,
    size_t n_rev, int64_t this_update, int64_t next_update,
    const uint8_t *crl_number, size_t crl_number_len, X509_CRL **out,
    cw_err *err) CW_MUST_USE;

/* RFC 5280 5.3.1 reason names: "keyCompromise" -> 1; -1 if unknown. */
int cw_crl_reason_from_name(const char *name);
const char *cw_crl_reason_name(int reason);

#endif
