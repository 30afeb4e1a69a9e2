/*
 * profile.h - what a certificate for a compliant request is built from
 * (DESIGN 8): the template decides, not the CSR.  The subject keeps only
 * the attributes the template has a rule for; the SANs are the validated
 * ones (DNS names in lower case, IPv4-mapped IPv6 as IPv4); the serial is
 * 128 random bits; the validity is the template's default capped by its
 * maximum, the configured maximum and the issuer's own notAfter, back-
 * dated one minute; key usage fits the key type; EKU from the template;
 * CRL, OCSP and caIssuers URLs under the base URL.  One definition for
 * the engine (issue.c) and the storage-off benchmark.
 */
#ifndef CW_ENGINE_PROFILE_H
#define CW_ENGINE_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "../common/err.h"
#include "../common/limits.h"
#include "../policy/policy.h"
#include "../x509/cert_build.h"
#include "../x509/csr.h"

typedef struct cw_issue_profile {
	cw_cert_profile p;  /* points into the fields below */
	cw_name_attr subj[CW_MAX_SUBJECT_ATTRS];
	cw_gen_name *sans;
	uint8_t **lowered;  /* DNS names in lower case */
	size_t n_lowered;
	uint8_t serial[17]; /* 0x00 and 128 random bits */
	char serial_hex[48];
	char crl[700], ocsp[700], aia[700];
	json_t *jsans;      /* the SANs as written, for the audit event */
} cw_issue_profile;

/* Fills *ip for csr under template t (md: the signature digest, NULL for
 * EdDSA); cw_issue_profile_cleanup afterwards, whatever the outcome. */
cw_rc cw_issue_profile_build(const cw_template *t, const cw_csr *csr,
    const char *base_url, int64_t max_validity, const X509 *issuer,
    const char *md, int64_t now, cw_issue_profile *ip, cw_err *err)
    CW_MUST_USE;
void cw_issue_profile_cleanup(cw_issue_profile *ip);

#endif
