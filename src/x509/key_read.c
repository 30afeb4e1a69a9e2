/* key_read.c - see key_read.h. */
#include "key_read.h"

#include <limits.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "key_info.h"

/* RFC 5915 3: ECPrivateKey.  Only a namedCurve is accepted as parameters
 * (RFC 5480 2.1.1); anything else fails to decode and takes the generic
 * path. */
typedef struct {
	ASN1_INTEGER *version;
	ASN1_OCTET_STRING *priv;
	ASN1_OBJECT *curve;
	ASN1_BIT_STRING *pub;
} CW_ECPRIV;

ASN1_SEQUENCE(CW_ECPRIV) = {
	ASN1_SIMPLE(CW_ECPRIV, version, ASN1_INTEGER),
	ASN1_SIMPLE(CW_ECPRIV, priv, ASN1_OCTET_STRING),
	ASN1_EXP_OPT(CW_ECPRIV, curve, ASN1_OBJECT, 0),
	ASN1_EXP_OPT(CW_ECPRIV, pub, ASN1_BIT_STRING, 1),
} static_ASN1_SEQUENCE_END(CW_ECPRIV)

/* Frees a decoded ECPrivateKey, wiping the private scalar first. */
static void
ecpriv_free(CW_ECPRIV *ec)
{
	if (ec == NULL)
		return;
	ASN1_STRING_clear_free(ec->priv);
	ec->priv = NULL;
	ASN1_item_free((ASN1_VALUE *)ec, ASN1_ITEM_rptr(CW_ECPRIV));
}

/* Refuses every passphrase prompt: the key must be unencrypted. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/*
 * An EC key on a curve certward uses, from the PKCS#8 algorithm `alg` and
 * the ECPrivateKey in pk.  *out stays NULL when the key has another shape
 * (the caller then takes the generic path, which also reports keys that
 * are malformed); an error only when memory or the library fails.
 */
static cw_rc
ec_key(const X509_ALGOR *alg, const unsigned char *pk, int pklen,
    EVP_PKEY **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	const unsigned char *p = pk;
	const void *pval;
	int ptype, nid;
	int64_t version;
	CW_ECPRIV *ec = NULL;
	BIGNUM *priv = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	X509_ALGOR_get0(NULL, &ptype, &pval, alg);
	if (ptype != V_ASN1_OBJECT)
		goto out;
	nid = OBJ_obj2nid(pval);
	if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1 &&
	    nid != NID_secp521r1)
		goto out;
	ec = (CW_ECPRIV *)ASN1_item_d2i(NULL, &p, pklen,
	    ASN1_ITEM_rptr(CW_ECPRIV));
	/* RFC 5915 3: version 1; the public key is optional there, but
	 * every writer certward knows includes it and without it the key
	 * could not be compared with its certificate */
	if (ec == NULL || p != pk + pklen || ec->pub == NULL ||
	    !ASN1_INTEGER_get_int64(&version, ec->version) || version != 1 ||
	    (ec->curve != NULL && OBJ_obj2nid(ec->curve) != nid) ||
	    ASN1_STRING_length(ec->priv) < 1 ||
	    ASN1_STRING_length(ec->priv) > 66)
		goto out;
	priv = BN_secure_new();
	CW_ENSURE_MEM(priv);
	CW_ENSURE_OSSL(BN_bin2bn(ASN1_STRING_get0_data(ec->priv),
	    ASN1_STRING_length(ec->priv), priv) != NULL, "private key");
	bld = OSSL_PARAM_BLD_new();
	CW_ENSURE_MEM(bld);
	CW_ENSURE_OSSL(OSSL_PARAM_BLD_push_utf8_string(bld,
	    OSSL_PKEY_PARAM_GROUP_NAME, cw_curve_name(nid), 0) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    ASN1_STRING_get0_data(ec->pub),
	    (size_t)ASN1_STRING_length(ec->pub)), "EC key parameters");
	params = OSSL_PARAM_BLD_to_param(bld);
	CW_ENSURE_MEM(params);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	CW_ENSURE_OSSL(ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1,
	    "EC key import");
	if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1) {
		/* a point off the curve and the like: the generic path
		 * reports it */
		pkey = NULL;
		goto out;
	}
	*out = pkey;
	pkey = NULL;
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(priv);
	ecpriv_free(ec);
	return rc;
}

/*
 * An Ed25519 or Ed448 key: RFC 8410 7, the PKCS#8 privateKey holds a
 * CurvePrivateKey (OCTET STRING) and the algorithm has no parameters.  The
 * public key is derived from it.  *out stays NULL for another shape.
 */
static void
ed_key(int nid, const X509_ALGOR *alg, const unsigned char *pk, int pklen,
    EVP_PKEY **out)
{
	const unsigned char *p = pk;
	ASN1_OCTET_STRING *seed = NULL;
	int ptype, want = nid == NID_ED25519 ? 32 : 57;

	X509_ALGOR_get0(NULL, &ptype, NULL, alg);
	if (ptype != V_ASN1_UNDEF)
		goto out;
	seed = d2i_ASN1_OCTET_STRING(NULL, &p, pklen);
	if (seed == NULL || p != pk + pklen ||
	    ASN1_STRING_length(seed) != want)
		goto out;
	*out = EVP_PKEY_new_raw_private_key_ex(NULL,
	    nid == NID_ED25519 ? "ED25519" : "ED448", NULL,
	    ASN1_STRING_get0_data(seed), (size_t)want);
out:
	ASN1_STRING_clear_free(seed);
}

/* The fast path over a DER PKCS#8 PrivateKeyInfo (RFC 5208 5). */
static cw_rc
from_pkcs8(const unsigned char *der, long len, EVP_PKEY **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	const unsigned char *p = der, *pk;
	const ASN1_OBJECT *obj;
	const X509_ALGOR *alg;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	int pklen, nid;

	p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, len);
	if (p8 == NULL || p != der + len ||
	    !PKCS8_pkey_get0(&obj, &pk, &pklen, &alg, p8))
		goto out;
	switch ((nid = OBJ_obj2nid(obj))) {
	case NID_X9_62_id_ecPublicKey:
		CW_TRY(ec_key(alg, pk, pklen, out, err));
		break;
	case NID_ED25519:
	case NID_ED448:
		ed_key(nid, alg, pk, pklen, out);
		break;
	default:
		break;
	}
out:
	/* its free wipes the key octets */
	PKCS8_PRIV_KEY_INFO_free(p8);
	return rc;
}

cw_rc
cw_key_read_pem(const uint8_t *pem, size_t len, EVP_PKEY **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	BIO *b = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long dlen = 0;
	EVP_PKEY *pkey = NULL;

	*out = NULL;
	CW_ENSURE(len <= INT_MAX, CW_ERR_INPUT, "the key file is too large");
	b = BIO_new_mem_buf(pem, (int)len);
	CW_ENSURE_MEM(b);
	if (PEM_read_bio(b, &name, &header, &der, &dlen) == 1 &&
	    strcmp(name, PEM_STRING_PKCS8INF) == 0 && header[0] == '\0')
		CW_TRY(from_pkcs8(der, dlen, &pkey, err));
	if (pkey == NULL) {
		BIO_free(b);
		b = BIO_new_mem_buf(pem, (int)len);
		CW_ENSURE_MEM(b);
		pkey = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
		CW_ENSURE(pkey != NULL, CW_ERR_INPUT, "not an unencrypted PEM "
		    "private key");
	}
	*out = pkey;
	pkey = NULL;
out:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	OPENSSL_clear_free(der, der != NULL ? (size_t)dlen : 0);
	OPENSSL_free(name);
	OPENSSL_free(header);
	BIO_free(b);
	return rc;
}
