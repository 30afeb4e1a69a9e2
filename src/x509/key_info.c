/* key_info.c - see key_info.h. */
#include "key_info.h"

#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "../common/limits.h"

/* SubjectPublicKeyInfo without the provider decoding of X509_PUBKEY. */
typedef struct {
	X509_ALGOR *alg;
	ASN1_BIT_STRING *key;
} CW_SPKI;

ASN1_SEQUENCE(CW_SPKI) = {
	ASN1_SIMPLE(CW_SPKI, alg, X509_ALGOR),
	ASN1_SIMPLE(CW_SPKI, key, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(CW_SPKI)

/* RFC 8017 A.1.1 RSAPublicKey */
typedef struct {
	ASN1_INTEGER *n;
	ASN1_INTEGER *e;
} CW_RSAPUB;

ASN1_SEQUENCE(CW_RSAPUB) = {
	ASN1_SIMPLE(CW_RSAPUB, n, ASN1_INTEGER),
	ASN1_SIMPLE(CW_RSAPUB, e, ASN1_INTEGER),
} static_ASN1_SEQUENCE_END(CW_RSAPUB)

#define D2I(type, p, len) \
	((type *)ASN1_item_d2i(NULL, (p), (len), ASN1_ITEM_rptr(type)))
#define FREE(type, v) ASN1_item_free((ASN1_VALUE *)(v), ASN1_ITEM_rptr(type))

static const struct {
	int nid;
	const char *name;
	int bits;
} curves[] = {
	{NID_X9_62_prime256v1, "P-256", 256},
	{NID_secp384r1, "P-384", 384},
	{NID_secp521r1, "P-521", 521},
};

const char *
cw_curve_name(int nid)
{
	size_t i;
	const char *sn;

	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (curves[i].nid == nid)
			return curves[i].name;
	sn = OBJ_nid2sn(nid);
	return nid != NID_undef && sn != NULL ? sn : "unknown";
}

const char *
cw_key_type_name(cw_key_type t)
{
	switch (t) {
	case CW_KEYT_RSA: return "rsa";
	case CW_KEYT_RSA_PSS: return "rsa-pss";
	case CW_KEYT_EC: return "ec";
	case CW_KEYT_ED25519: return "ed25519";
	case CW_KEYT_ED448: return "ed448";
	default: return "unknown";
	}
}

static void
set_problem(cw_key_info *ki, cw_key_problem p, const char *msg)
{
	ki->problem = p;
	snprintf(ki->problem_msg, sizeof(ki->problem_msg), "%s", msg);
	EVP_PKEY_free(ki->pkey);
	ki->pkey = NULL;
	ERR_clear_error();
}

/* Builds an EVP_PKEY of keymgmt `type` from params, or NULL. */
static EVP_PKEY *
pkey_fromdata(const char *type, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/*
 * Per named curve, a key holding only the domain parameters, made once.
 * Importing a point with EVP_PKEY_fromdata builds the curve's group anew
 * every time (~20 us on OpenSSL 3.0: its Montgomery constants and
 * generator); a copy of this key with the point set into it shares that
 * work (~4 us) and checks the point the same way.
 */
static EVP_PKEY *ec_params[sizeof(curves) / sizeof(curves[0])];
static CRYPTO_ONCE ec_params_once = CRYPTO_ONCE_STATIC_INIT;

static void
ec_params_init(void)
{
	size_t i;

	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		OSSL_PARAM params[2];
		EVP_PKEY_CTX *ctx;

		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_GROUP_NAME, (char *)curves[i].name, 0);
		params[1] = OSSL_PARAM_construct_end();
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
		    EVP_PKEY_fromdata(ctx, &ec_params[i],
		    EVP_PKEY_KEY_PARAMETERS, params) <= 0)
			ec_params[i] = NULL; /* ec_pkey() imports instead */
		EVP_PKEY_CTX_free(ctx);
	}
	ERR_clear_error();
}

/* The EC public key pt on curves[curve], or NULL if it is not valid. */
static EVP_PKEY *
ec_pkey(int curve, const char *gname, const unsigned char *pt, size_t len)
{
	OSSL_PARAM params[3];
	EVP_PKEY *pkey = NULL;

	if (CRYPTO_THREAD_run_once(&ec_params_once, ec_params_init) &&
	    ec_params[curve] != NULL) {
		pkey = EVP_PKEY_dup(ec_params[curve]);
		if (pkey != NULL &&
		    EVP_PKEY_set1_encoded_public_key(pkey, pt, len) != 1) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		return pkey;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	    (char *)gname, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    (void *)pt, len);
	params[2] = OSSL_PARAM_construct_end();
	return pkey_fromdata("EC", params);
}

static cw_rc
decode_rsa(const ASN1_BIT_STRING *bits, cw_key_info *ki, bool pss,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	const unsigned char *p = ASN1_STRING_get0_data(bits);
	long len = ASN1_STRING_length(bits);
	const unsigned char *end = p + len;
	CW_RSAPUB *rp = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;

	rp = D2I(CW_RSAPUB, &p, len);
	if (rp == NULL || p != end) {
		set_problem(ki, CW_KEYP_MALFORMED,
		    "RSA public key is not a DER RSAPublicKey (RFC 8017 A.1.1)");
		goto out;
	}
	if (ASN1_STRING_type(rp->n) != V_ASN1_INTEGER ||
	    ASN1_STRING_type(rp->e) != V_ASN1_INTEGER) {
		set_problem(ki, CW_KEYP_INVALID,
		    "RSA modulus or exponent is negative");
		goto out;
	}
	if (ASN1_STRING_length(rp->n) > CW_MAX_RSA_BITS / 8 + 1 ||
	    ASN1_STRING_length(rp->e) > CW_MAX_RSA_BITS / 8 + 1) {
		set_problem(ki, CW_KEYP_UNSUPPORTED,
		    "RSA modulus or exponent larger than 16384 bits");
		goto out;
	}
	ki->rsa_n = ASN1_INTEGER_to_BN(rp->n, NULL);
	ki->rsa_e = ASN1_INTEGER_to_BN(rp->e, NULL);
	CW_ENSURE_OSSL(ki->rsa_n != NULL && ki->rsa_e != NULL,
	    "cannot convert RSA numbers");
	ki->bits = BN_num_bits(ki->rsa_n);
	if (BN_is_zero(ki->rsa_n) || BN_is_zero(ki->rsa_e)) {
		set_problem(ki, CW_KEYP_INVALID, "RSA modulus or exponent is 0");
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	CW_ENSURE_MEM(bld);
	CW_ENSURE_OSSL(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N,
	    ki->rsa_n) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E,
	    ki->rsa_e), "cannot build RSA parameters");
	params = OSSL_PARAM_BLD_to_param(bld);
	CW_ENSURE_MEM(params);
	ki->pkey = pkey_fromdata(pss ? "RSA-PSS" : "RSA", params);
	if (ki->pkey == NULL)
		set_problem(ki, CW_KEYP_INVALID, "RSA key rejected by OpenSSL");
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	FREE(CW_RSAPUB, rp);
	return rc;
}

static void
decode_ec(const X509_ALGOR *alg, const ASN1_BIT_STRING *bits,
    const uint8_t *spki, size_t spki_len, cw_key_info *ki)
{
	const ASN1_OBJECT *aobj;
	const void *pval;
	int ptype, i;
	const unsigned char *pt = ASN1_STRING_get0_data(bits);
	size_t ptlen = (size_t)ASN1_STRING_length(bits), flen;
	const char *gname = NULL;
	const unsigned char *p = spki;
	int curve = 0;

	X509_ALGOR_get0(&aobj, &ptype, &pval, alg);
	if (ptype != V_ASN1_OBJECT) {
		/* RFC 5480 2.1.1: namedCurve only; implicitCurve and
		 * specifiedCurve MUST NOT be used */
		set_problem(ki, CW_KEYP_UNSUPPORTED, ptype == V_ASN1_SEQUENCE ?
		    "EC key with explicit curve parameters (RFC 5480 2.1.1 "
		    "requires a named curve)" :
		    "EC key without a named curve (RFC 5480 2.1.1)");
		return;
	}
	ki->curve_nid = OBJ_obj2nid(pval);
	for (i = 0; i < (int)(sizeof(curves) / sizeof(curves[0])); i++)
		if (curves[i].nid == ki->curve_nid) {
			gname = curves[i].name;
			ki->bits = curves[i].bits;
			curve = i;
		}
	if (gname == NULL) {
		/* some other named curve: let the generic decoder judge it */
		ki->pkey = d2i_PUBKEY(NULL, &p, (long)spki_len);
		if (ki->pkey == NULL)
			set_problem(ki, CW_KEYP_INVALID,
			    "EC public key is not valid on its curve");
		else
			ki->bits = EVP_PKEY_get_bits(ki->pkey);
		ERR_clear_error();
		return;
	}
	flen = ((size_t)ki->bits + 7) / 8;
	/* SEC 1 2.3.3: 04||X||Y or 02/03||X; the point at infinity (00) and
	 * wrong lengths are invalid public keys */
	if (!((ptlen == 1 + 2 * flen && pt[0] == 0x04) ||
	    (ptlen == 1 + flen && (pt[0] == 0x02 || pt[0] == 0x03)))) {
		set_problem(ki, CW_KEYP_INVALID,
		    "EC public point has the wrong encoding or length for its "
		    "curve");
		return;
	}
	/* OpenSSL 3 checks that the point lies on the curve and that its
	 * coordinates are reduced while importing it */
	ki->pkey = ec_pkey(curve, gname, pt, ptlen);
	if (ki->pkey == NULL)
		set_problem(ki, CW_KEYP_INVALID,
		    "EC public point is not on the curve");
}

cw_rc
cw_key_info_from_spki(const uint8_t *spki, size_t len, cw_key_info *ki,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	const unsigned char *p = spki;
	CW_SPKI *s = NULL;
	const ASN1_OBJECT *aobj;
	const void *pval;
	int ptype, nid;
	const unsigned char *kb;
	int klen;

	memset(ki, 0, sizeof(*ki));
	ki->curve_nid = NID_undef;
	SHA256(spki, len, ki->spki_sha256);
	s = D2I(CW_SPKI, &p, (long)len);
	if (s == NULL || p != spki + len) {
		set_problem(ki, CW_KEYP_MALFORMED,
		    "SubjectPublicKeyInfo does not decode");
		goto out;
	}
	X509_ALGOR_get0(&aobj, &ptype, &pval, s->alg);
	OBJ_obj2txt(ki->alg_oid, sizeof(ki->alg_oid), aobj, 1);
	nid = OBJ_obj2nid(aobj);
	kb = ASN1_STRING_get0_data(s->key);
	klen = ASN1_STRING_length(s->key);
	if ((s->key->flags & 0x07) != 0) {
		set_problem(ki, CW_KEYP_MALFORMED,
		    "public key BIT STRING has unused bits");
		goto out;
	}
	switch (nid) {
	case NID_rsaEncryption:
		ki->type = CW_KEYT_RSA;
		/* RFC 3279 2.3.1: the parameters field MUST be NULL */
		if (ptype != V_ASN1_NULL) {
			set_problem(ki, CW_KEYP_MALFORMED, "RSA key algorithm "
			    "parameters must be NULL (RFC 3279 2.3.1)");
			goto out;
		}
		CW_TRY(decode_rsa(s->key, ki, false, err));
		break;
	case NID_rsassaPss:
		ki->type = CW_KEYT_RSA_PSS;
		CW_TRY(decode_rsa(s->key, ki, true, err));
		if (ki->pkey != NULL && ptype != V_ASN1_UNDEF) {
			/* restricted PSS keys: let the full decoder take the
			 * parameters into account */
			EVP_PKEY_free(ki->pkey);
			p = spki;
			ki->pkey = d2i_PUBKEY(NULL, &p, (long)len);
			if (ki->pkey == NULL)
				set_problem(ki, CW_KEYP_INVALID,
				    "RSA-PSS key parameters are invalid");
		}
		break;
	case NID_X9_62_id_ecPublicKey:
		ki->type = CW_KEYT_EC;
		decode_ec(s->alg, s->key, spki, len, ki);
		break;
	case NID_ED25519:
	case NID_ED448:
		ki->type = nid == NID_ED25519 ? CW_KEYT_ED25519 : CW_KEYT_ED448;
		ki->bits = nid == NID_ED25519 ? 255 : 448;
		/* RFC 8410 3: parameters MUST be absent */
		if (ptype != V_ASN1_UNDEF) {
			set_problem(ki, CW_KEYP_MALFORMED, "EdDSA key algorithm "
			    "parameters must be absent (RFC 8410 3)");
			goto out;
		}
		if (klen != (nid == NID_ED25519 ? 32 : 57)) {
			set_problem(ki, CW_KEYP_MALFORMED,
			    "EdDSA public key has the wrong length");
			goto out;
		}
		ki->pkey = EVP_PKEY_new_raw_public_key_ex(NULL,
		    nid == NID_ED25519 ? "ED25519" : "ED448", NULL, kb,
		    (size_t)klen);
		if (ki->pkey == NULL)
			set_problem(ki, CW_KEYP_INVALID,
			    "EdDSA public key rejected by OpenSSL");
		break;
	default:
		ki->type = CW_KEYT_UNKNOWN;
		set_problem(ki, CW_KEYP_UNSUPPORTED,
		    "unsupported public key algorithm");
		break;
	}
out:
	ERR_clear_error();
	FREE(CW_SPKI, s);
	return rc;
}

cw_rc
cw_key_info_from_pkey(EVP_PKEY *pkey, cw_key_info *ki, cw_err *err)
{
	cw_rc rc = CW_OK;
	unsigned char *der = NULL;
	int len;

	len = i2d_PUBKEY(pkey, &der);
	CW_ENSURE_OSSL(len > 0, "cannot encode public key");
	CW_TRY(cw_key_info_from_spki(der, (size_t)len, ki, err));
out:
	OPENSSL_free(der);
	return rc;
}

void
cw_key_info_cleanup(cw_key_info *ki)
{
	if (ki == NULL)
		return;
	EVP_PKEY_free(ki->pkey);
	BN_free(ki->rsa_n);
	BN_free(ki->rsa_e);
	memset(ki, 0, sizeof(*ki));
}
