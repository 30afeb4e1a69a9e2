/* csr_build.c - see csr_build.h. */
#include "csr_build.h"

#include <arpa/inet.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static cw_rc
add_name(GENERAL_NAMES *gens, int type, const char *value, cw_err *err)
{
	cw_rc rc = CW_OK;
	GENERAL_NAME *g = NULL;
	ASN1_IA5STRING *s = NULL;
	ASN1_OCTET_STRING *ip = NULL;
	unsigned char addr[16];
	int alen = 0;

	g = GENERAL_NAME_new();
	CW_ENSURE_MEM(g);
	if (type == GEN_IPADD) {
		if (inet_pton(AF_INET, value, addr) == 1)
			alen = 4;
		else if (inet_pton(AF_INET6, value, addr) == 1)
			alen = 16;
		CW_ENSURE(alen > 0, CW_ERR_USAGE, "--ip '%s' is not an IPv4 or "
		    "IPv6 address", value);
		ip = ASN1_OCTET_STRING_new();
		CW_ENSURE_MEM(ip);
		CW_ENSURE_OSSL(ASN1_OCTET_STRING_set(ip, addr, alen),
		    "cannot encode an IP address");
		GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
		ip = NULL;
	} else {
		s = ASN1_IA5STRING_new();
		CW_ENSURE_MEM(s);
		CW_ENSURE_OSSL(ASN1_STRING_set(s, value, (int)strlen(value)),
		    "cannot encode a name");
		GENERAL_NAME_set0_value(g, type, s);
		s = NULL;
	}
	CW_ENSURE_OSSL(sk_GENERAL_NAME_push(gens, g) > 0, "out of memory");
	g = NULL;
out:
	GENERAL_NAME_free(g);
	ASN1_IA5STRING_free(s);
	ASN1_OCTET_STRING_free(ip);
	return rc;
}

cw_rc
cw_csr_build(EVP_PKEY *key, const cw_csr_spec *spec, uint8_t **der,
    size_t *der_len, cw_err *err)
{
	cw_rc rc = CW_OK;
	X509_REQ *req = NULL;
	X509_NAME *name = NULL;
	GENERAL_NAMES *gens = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_EXTENSION *ext = NULL;
	EVP_MD_CTX *mctx = NULL;
	unsigned char *out_der = NULL;
	int len;
	size_t i;

	req = X509_REQ_new();
	name = X509_NAME_new();
	gens = sk_GENERAL_NAME_new_null();
	exts = sk_X509_EXTENSION_new_null();
	mctx = EVP_MD_CTX_new();
	CW_ENSURE(req != NULL && name != NULL && gens != NULL && exts != NULL &&
	    mctx != NULL, CW_ERR_NOMEM, "out of memory");
	CW_ENSURE_OSSL(X509_REQ_set_version(req, X509_REQ_VERSION_1),
	    "cannot set the request version");
	for (i = 0; i < spec->n_subject; i++)
		CW_ENSURE_OSSL(X509_NAME_add_entry_by_NID(name,
		    spec->subject[i].nid, MBSTRING_UTF8,
		    (const unsigned char *)spec->subject[i].value, -1, -1, 0),
		    "cannot encode subject %s '%s'",
		    OBJ_nid2sn(spec->subject[i].nid), spec->subject[i].value);
	CW_ENSURE_OSSL(X509_REQ_set_subject_name(req, name),
	    "cannot set the subject");
	for (i = 0; i < spec->n_dns; i++)
		CW_TRY(add_name(gens, GEN_DNS, spec->dns[i], err));
	for (i = 0; i < spec->n_ip; i++)
		CW_TRY(add_name(gens, GEN_IPADD, spec->ip[i], err));
	for (i = 0; i < spec->n_uri; i++)
		CW_TRY(add_name(gens, GEN_URI, spec->uri[i], err));
	for (i = 0; i < spec->n_email; i++)
		CW_TRY(add_name(gens, GEN_EMAIL, spec->email[i], err));
	if (sk_GENERAL_NAME_num(gens) > 0) {
		ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, gens);
		CW_ENSURE_OSSL(ext != NULL && sk_X509_EXTENSION_push(exts, ext),
		    "cannot encode subjectAltName");
		ext = NULL;
		CW_ENSURE_OSSL(X509_REQ_add_extensions(req, exts),
		    "cannot add the extension request");
	}
	CW_ENSURE_OSSL(X509_REQ_set_pubkey(req, key), "cannot set the key");
	CW_ENSURE_OSSL(EVP_DigestSignInit_ex(mctx, NULL, spec->md, NULL, NULL,
	    key, NULL) == 1, "cannot start signing with %s",
	    spec->md ? spec->md : "the key's own hash");
	CW_ENSURE_OSSL(X509_REQ_sign_ctx(req, mctx) > 0,
	    "cannot sign the request");
	len = i2d_X509_REQ(req, &out_der);
	CW_ENSURE_OSSL(len > 0, "cannot encode the request");
	*der = out_der;
	out_der = NULL;
	*der_len = (size_t)len;
out:
	OPENSSL_free(out_der);
	X509_EXTENSION_free(ext);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	GENERAL_NAMES_free(gens);
	X509_NAME_free(name);
	X509_REQ_free(req);
	EVP_MD_CTX_free(mctx);
	return rc;
}
