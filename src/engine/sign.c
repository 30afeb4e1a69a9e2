/*
 * sign.c - the engine's signing operations, in process with the loaded
 * issuing key, or through an attached signer (sign.h).
 */
#include "engine_int.h"

#include <limits.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../x509/cert_build.h"

void
cw_engine_set_signer(cw_engine *e, const cw_signer *s)
{
	if (s == NULL) {
		e->has_signer = false;
		return;
	}
	e->signer = *s;
	e->has_signer = true;
	/* the key is now somebody else's: keep no copy in this process */
	EVP_PKEY_free(e->issuing_key);
	e->issuing_key = NULL;
	EVP_PKEY_free(e->audit_key);
	e->audit_key = NULL;
}

const char *
cw_engine_sign_md(const cw_engine *e)
{
	/* from the certificate, so that it is known without the key */
	EVP_PKEY *k = X509_get0_pubkey(e->issuing);
	int bits;

	if (k == NULL)
		return "SHA256";
	bits = EVP_PKEY_get_bits(k);
	if (EVP_PKEY_is_a(k, "ED25519") || EVP_PKEY_is_a(k, "ED448"))
		return NULL;
	if (EVP_PKEY_is_a(k, "EC"))
		return bits > 384 ? "SHA512" : bits > 256 ? "SHA384" : "SHA256";
	return bits >= 7680 ? "SHA384" : "SHA256";
}

static cw_rc
need_key(const cw_engine *e, cw_err *err)
{
	if (e->issuing_key == NULL)
		return cw_err_set(err, CW_ERR_INTERNAL, "the issuing key is "
		    "not loaded in this process and no signer is attached");
	return CW_OK;
}

cw_rc
cw_engine_sign_cert(cw_engine *e, const char *tmpl, const cw_cert_profile *p,
    const uint8_t *spki, size_t spki_len, uint8_t **der, size_t *der_len,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	X509 *cert = NULL;
	unsigned char *d = NULL;
	int n;

	*der = NULL;
	*der_len = 0;
	if (e->has_signer)
		return e->signer.sign_cert(e->signer.ctx, tmpl, p, spki,
		    spki_len, der, der_len, err);
	CW_TRY(need_key(e, err));
	CW_TRY(cw_cert_issue_spki(p, spki, spki_len, e->issuing,
	    e->issuing_key, &cert, err));
	n = i2d_X509(cert, &d);
	CW_ENSURE_OSSL(n > 0, "cannot encode the certificate");
	*der = d;
	*der_len = (size_t)n;
out:
	X509_free(cert);
	return rc;
}

/* Reads one DER header at *p (before end): its tag, class and content
 * length; *p moves to the content. */
static bool
der_next(const uint8_t **p, const uint8_t *end, int *tag, int *xclass,
    long *len)
{
	const unsigned char *q = *p;

	if (q >= end || (ASN1_get_object(&q, len, tag, xclass,
	    (long)(end - q)) & 0x80) != 0 || *len < 0 || *len > end - q)
		return false;
	*p = q;
	return true;
}

cw_rc
cw_cert_der_subject(const uint8_t *der, size_t der_len, char *subj,
    size_t subj_len, cw_err *err)
{
	cw_rc rc = CW_OK;
	const uint8_t *p = der, *end = der + der_len, *start;
	X509_NAME *name = NULL;
	const unsigned char *q;
	int tag, xclass, i;
	long len;

	/* Certificate ::= SEQUENCE { tbsCertificate, ... }, nothing after */
	CW_ENSURE(der_len > 0 && der_len <= LONG_MAX && der_next(&p, end,
	    &tag, &xclass, &len) && tag == V_ASN1_SEQUENCE && p + len == end,
	    CW_ERR_INTERNAL, "the signer answered with something that is not "
	    "one DER certificate");
	/* TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber,
	 * signature, issuer, validity, subject, ... } (RFC 5280 4.1) */
	CW_ENSURE(der_next(&p, end, &tag, &xclass, &len) &&
	    tag == V_ASN1_SEQUENCE, CW_ERR_INTERNAL, "the signer's "
	    "certificate has no TBSCertificate");
	end = p + len;
	start = p;
	CW_ENSURE(der_next(&p, end, &tag, &xclass, &len), CW_ERR_INTERNAL,
	    "the signer's certificate is truncated");
	/* no [0] version (v1): the first field was the serial number */
	if (xclass != V_ASN1_CONTEXT_SPECIFIC)
		p = start;
	else
		p += len;
	/* serialNumber, signature, issuer, validity */
	for (i = 0; i < 4; i++) {
		CW_ENSURE(der_next(&p, end, &tag, &xclass, &len),
		    CW_ERR_INTERNAL, "the signer's certificate is truncated");
		p += len;
	}
	start = p;
	CW_ENSURE(der_next(&p, end, &tag, &xclass, &len) &&
	    tag == V_ASN1_SEQUENCE, CW_ERR_INTERNAL, "the signer's "
	    "certificate has no subject");
	q = start;
	name = d2i_X509_NAME(NULL, &q, (long)(p + len - start));
	CW_ENSURE(name != NULL && q == p + len, CW_ERR_INTERNAL, "the "
	    "signer's certificate has a subject that does not decode");
	CW_ENSURE(subj_len <= INT_MAX && X509_NAME_oneline(name, subj,
	    (int)subj_len) != NULL, CW_ERR_INTERNAL, "cannot print the "
	    "subject");
out:
	X509_NAME_free(name);
	return rc;
}

cw_rc
cw_engine_sign_crl(cw_engine *e, const cw_revoked *rev, size_t n_rev,
    int64_t this_update, int64_t next_update, const uint8_t *number,
    size_t number_len, X509_CRL **out, cw_err *err)
{
	cw_rc rc;

	if (e->has_signer)
		return e->signer.sign_crl(e->signer.ctx, rev, n_rev,
		    this_update, next_update, number, number_len, out, err);
	if ((rc = need_key(e, err)) != CW_OK)
		return rc;
	return cw_crl_make(e->issuing, e->issuing_key, rev, n_rev,
	    this_update, next_update, number, number_len, out, err);
}

cw_rc
cw_engine_sign_ocsp(cw_engine *e, const cw_ocsp_req *req,
    const cw_ocsp_status *st, int64_t this_update, int64_t next_update,
    uint8_t **der, size_t *len, cw_err *err)
{
	cw_rc rc;

	if (e->has_signer)
		return e->signer.sign_ocsp(e->signer.ctx, req, st,
		    this_update, next_update, der, len, err);
	if ((rc = need_key(e, err)) != CW_OK)
		return rc;
	return cw_ocsp_response_build(req, st, e->issuing, e->issuing_key,
	    NULL, this_update, next_update, der, len, err);
}

cw_rc
cw_engine_sign_checkpoint(cw_engine *e, cw_checkpoint *cp, cw_err *err)
{
	cw_rc rc = CW_OK;
	EVP_PKEY *key;

	if (e->has_signer)
		return e->signer.sign_checkpoint(e->signer.ctx, cp, err);
	CW_TRY(cw_engine_audit_key(e, &key, err));
	CW_TRY(cw_checkpoint_sign(cp, key, err));
out:
	return rc;
}
