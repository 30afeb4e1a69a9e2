/*
 * test_cert_build.c - certificate, CA certificate and CRL building
 * (src/x509/cert_build.c).
 *
 * A P-256 root and intermediate (and an Ed25519 intermediate) are made
 * once; leaf certificates for EC, RSA and Ed25519 keys are issued under
 * them and then read back through OpenSSL's own parsers and verified with
 * X509_verify_cert, so a wrong encoding fails here and not in a client.
 * Lint refusals are issued with a public-only issuer key: had the lint let
 * the certificate through, signing would fail with CW_ERR_CRYPTO instead
 * of CW_ERR_NONCOMPLIANT, which proves that nothing was signed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "src/policy/policy.h"
#include "src/x509/cert_build.h"
#include "src/x509/key_info.h"
#include "testutil.h"

#define T_2024 INT64_C(1704067200)
#define T_2034 INT64_C(2019686400)
#define T_2044 INT64_C(2335219200)
#define T_LEAF_NB INT64_C(1735689600) /* 2025-01-01 */
#define T_LEAF_NA INT64_C(1743465600) /* 2025-04-01 */
#define T_CHECK INT64_C(1738368000)   /* 2025-02-01: verification time */

#define B(s) ((const uint8_t *)(s)), (sizeof(s) - 1)

static struct {
	EVP_PKEY *root_key, *int_key, *int_pub, *ed_ca_key;
	X509 *root, *inter, *ed_inter;
	EVP_PKEY *ec_key, *rsa_key, *ed_key;
} fx;

static const uint8_t serial16[16] = {
	0x5a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};
static const uint8_t ip4[4] = {192, 0, 2, 10};
static const uint8_t ip6[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
};
static const cw_name_attr subj[] = {
	{NID_countryName, B("DE")},
	{NID_organizationName, B("Beispiel GmbH \xc3\x9c")},
	{NID_commonName, B("www.example.com")},
};
static const cw_gen_name sans[] = {
	{CW_GN_DNS, B("www.example.com")},
	{CW_GN_IP, ip4, sizeof(ip4)},
	{CW_GN_IP, ip6, sizeof(ip6)},
	{CW_GN_URI, B("https://www.example.com/svc")},
	{CW_GN_EMAIL, B("ops@example.com")},
};
static const int ekus[] = {NID_server_auth, NID_client_auth};

#define CRL_URL "http://pki.example.com/crl/issuing.crl"
#define OCSP_URL "http://pki.example.com/ocsp"
#define CAI_URL "http://pki.example.com/ca/issuing.crt"

static cw_cert_profile
profile(uint32_t ku)
{
	cw_cert_profile p;

	memset(&p, 0, sizeof(p));
	p.serial = serial16;
	p.serial_len = sizeof(serial16);
	p.not_before = T_LEAF_NB;
	p.not_after = T_LEAF_NA;
	p.subject = subj;
	p.n_subject = 3;
	p.sans = sans;
	p.n_sans = 5;
	p.key_usage = ku;
	p.eku = ekus;
	p.n_eku = 2;
	p.crl_url = CRL_URL;
	p.ocsp_url = OCSP_URL;
	p.ca_issuers_url = CAI_URL;
	p.md = "SHA256";
	return p;
}

static EVP_PKEY *
public_only(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	int len = i2d_PUBKEY(k, &der);
	EVP_PKEY *pub;

	assert_true(len > 0);
	p = der;
	pub = d2i_PUBKEY(NULL, &p, len);
	assert_non_null(pub);
	OPENSSL_free(der);
	return pub;
}

static X509 *
issue_ok(const cw_cert_profile *p, EVP_PKEY *key, X509 *issuer,
    EVP_PKEY *ikey)
{
	cw_err err = CW_ERR_INIT;
	X509 *x = NULL;
	cw_rc rc = cw_cert_issue(p, key, issuer, ikey, &x, &err);

	if (rc != CW_OK)
		fail_msg("cw_cert_issue: %s", err.msg);
	assert_non_null(x);
	return x;
}

/* The DER of x parsed again, all bytes consumed. */
static X509 *
reparse(X509 *x)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	int len = i2d_X509(x, &der);
	X509 *y;

	assert_true(len > 0);
	p = der;
	y = d2i_X509(NULL, &p, len);
	assert_non_null(y);
	assert_ptr_equal(p, der + len);
	OPENSSL_free(der);
	return y;
}

/* X509_verify_cert of leaf over inter to the root, at T_CHECK. */
static int
verify_at(X509 *leaf, X509 *inter, X509 *root, X509_CRL *crl, int purpose,
    int64_t when)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509_VERIFY_PARAM *vp;
	int ok, code;

	assert_non_null(store);
	assert_non_null(ctx);
	assert_non_null(chain);
	assert_true(X509_STORE_add_cert(store, root));
	if (crl != NULL) {
		assert_true(X509_STORE_add_crl(store, crl));
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	}
	if (inter != NULL)
		assert_true(sk_X509_push(chain, inter) > 0);
	assert_true(X509_STORE_CTX_init(ctx, store, leaf, chain));
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(vp, (time_t)when);
	if (purpose != 0)
		assert_true(X509_STORE_CTX_set_purpose(ctx, purpose));
	ok = X509_verify_cert(ctx);
	code = X509_STORE_CTX_get_error(ctx);
	if (ok != 1 && code == X509_V_OK)
		code = -1;
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_free(chain);
	ERR_clear_error();
	return code;
}

static int
verify(X509 *leaf, X509 *inter)
{
	return verify_at(leaf, inter, fx.root, NULL, X509_PURPOSE_SSL_SERVER,
	    T_CHECK);
}

/* The decoded extension `nid` of x, its criticality in *crit. */
static void *
ext_d2i(X509 *x, int nid, int *crit)
{
	void *v = X509_get_ext_d2i(x, nid, crit, NULL);

	assert_non_null(v);
	return v;
}

/* Issuing with a public-only key: refusal must come from the lint. */
static void
assert_refused(const cw_cert_profile *p, EVP_PKEY *key, X509 *issuer,
    const char *needle)
{
	cw_err err = CW_ERR_INIT;
	X509 *x = NULL;
	EVP_PKEY *pub = public_only(issuer == fx.ed_inter ? fx.ed_ca_key :
	    fx.int_key);
	cw_rc rc = cw_cert_issue(p, key, issuer, pub, &x, &err);

	if (rc != CW_ERR_NONCOMPLIANT || strstr(err.msg, needle) == NULL)
		fail_msg("expected a lint refusal with '%s', got %s: %s",
		    needle, cw_rc_name(rc), err.msg);
	assert_null(x);
	assert_non_null(strstr(err.msg, "lint: "));
	EVP_PKEY_free(pub);
}

static void
assert_input_error(const cw_cert_profile *p, EVP_PKEY *key,
    const char *needle)
{
	cw_err err = CW_ERR_INIT;
	X509 *x = NULL;
	cw_rc rc = cw_cert_issue(p, key, fx.inter, fx.int_key, &x, &err);

	if (rc != CW_ERR_INPUT || strstr(err.msg, needle) == NULL)
		fail_msg("expected an input error with '%s', got %s: %s",
		    needle, cw_rc_name(rc), err.msg);
	assert_null(x);
}

static int
setup(void **state)
{
	cw_err err = CW_ERR_INIT;

	(void)state;
	fx.root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	fx.int_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	fx.ed_ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	fx.ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	fx.rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	fx.ed_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (fx.root_key == NULL || fx.int_key == NULL || fx.ed_ca_key == NULL ||
	    fx.ec_key == NULL || fx.rsa_key == NULL || fx.ed_key == NULL)
		return -1;
	fx.int_pub = public_only(fx.int_key);
	if (cw_ca_cert_make(fx.root_key, "Example Root CA", "Example Org",
	    T_2024, T_2044, NULL, NULL, &fx.root, &err) != CW_OK ||
	    cw_ca_cert_make(fx.int_key, "Example Issuing CA", "Example Org",
	    T_2024, T_2034, fx.root, fx.root_key, &fx.inter, &err) != CW_OK ||
	    cw_ca_cert_make(fx.ed_ca_key, "Example Ed25519 CA", NULL, T_2024,
	    T_2034, fx.root, fx.root_key, &fx.ed_inter, &err) != CW_OK) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	X509_free(fx.root);
	X509_free(fx.inter);
	X509_free(fx.ed_inter);
	EVP_PKEY_free(fx.root_key);
	EVP_PKEY_free(fx.int_key);
	EVP_PKEY_free(fx.int_pub);
	EVP_PKEY_free(fx.ed_ca_key);
	EVP_PKEY_free(fx.ec_key);
	EVP_PKEY_free(fx.rsa_key);
	EVP_PKEY_free(fx.ed_key);
	return 0;
}

/* --- EC public keys (key_info.c) ------------------------------------------- */

/*
 * EC keys of every named curve the gate knows, uncompressed and
 * compressed, import into keys equal to the original that verify its
 * signatures; the same point off its curve is refused.  (key_info.c
 * imports them into a copy of a per-curve parameters-only key.)
 */
static void
test_ec_spki_import(void **state)
{
	static const char *const curves[] = {"P-256", "P-384", "P-521"};
	static const char *const forms[] = {"uncompressed", "compressed"};
	static const unsigned char msg[] = "certward";
	size_t c, f;

	(void)state;
	for (c = 0; c < 3; c++) {
		EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curves[c]);
		unsigned char sig[160];
		size_t sig_len = sizeof(sig);
		EVP_MD_CTX *m = EVP_MD_CTX_new();

		assert_non_null(k);
		assert_non_null(m);
		assert_int_equal(EVP_DigestSignInit_ex(m, NULL, "SHA256", NULL,
		    NULL, k, NULL), 1);
		assert_int_equal(EVP_DigestSign(m, sig, &sig_len, msg,
		    sizeof(msg)), 1);
		EVP_MD_CTX_free(m);
		for (f = 0; f < 2; f++) {
			unsigned char *spki = NULL;
			int len;
			cw_key_info ki;
			cw_err err = CW_ERR_INIT;

			assert_int_equal(EVP_PKEY_set_utf8_string_param(k,
			    OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
			    forms[f]), 1);
			len = i2d_PUBKEY(k, &spki);
			assert_true(len > 0);
			assert_int_equal(cw_key_info_from_spki(spki,
			    (size_t)len, &ki, &err), CW_OK);
			assert_int_equal(ki.problem, CW_KEYP_NONE);
			assert_non_null(ki.pkey);
			assert_int_equal(EVP_PKEY_eq(ki.pkey, k), 1);
			m = EVP_MD_CTX_new();
			assert_int_equal(EVP_DigestVerifyInit_ex(m, NULL,
			    "SHA256", NULL, NULL, ki.pkey, NULL), 1);
			assert_int_equal(EVP_DigestVerify(m, sig, sig_len, msg,
			    sizeof(msg)), 1);
			EVP_MD_CTX_free(m);
			cw_key_info_cleanup(&ki);
			/* the last octet of the point changed: off the
			 * curve (uncompressed) or no such x (compressed,
			 * for most x); either way not the key */
			spki[len - 1] ^= 0x01;
			assert_int_equal(cw_key_info_from_spki(spki,
			    (size_t)len, &ki, &err), CW_OK);
			if (f == 0)
				assert_int_equal(ki.problem, CW_KEYP_INVALID);
			if (ki.pkey != NULL)
				assert_int_equal(EVP_PKEY_eq(ki.pkey, k), 0);
			cw_key_info_cleanup(&ki);
			OPENSSL_free(spki);
		}
		EVP_PKEY_free(k);
	}
}

/* --- issuance that works ------------------------------------------------ */

/* An EC leaf from a gate-decoded public key verifies for serverAuth. */
static void
test_ec_leaf_verifies(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	unsigned char *spki = NULL;
	int len = i2d_PUBKEY(fx.ec_key, &spki);
	cw_key_info ki;
	cw_err err = CW_ERR_INIT;
	X509 *x, *y;

	(void)state;
	assert_true(len > 0);
	assert_int_equal(cw_key_info_from_spki(spki, (size_t)len, &ki, &err),
	    CW_OK);
	assert_non_null(ki.pkey);
	x = issue_ok(&p, ki.pkey, fx.inter, fx.int_key);
	/* documented: the key is written without being decoded, so the
	 * in-memory certificate has no EVP_PKEY; its DER has one */
	assert_null(X509_get0_pubkey(x));
	ERR_clear_error();
	y = reparse(x);
	assert_int_equal(verify(y, fx.inter), X509_V_OK);
	assert_int_equal(X509_verify(y, X509_get0_pubkey(fx.inter)), 1);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(y), fx.ec_key), 1);
	X509_free(x);
	X509_free(y);
	cw_key_info_cleanup(&ki);
	OPENSSL_free(spki);
}

/* An RSA leaf (digitalSignature + keyEncipherment) verifies. */
static void
test_rsa_leaf_verifies(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE |
	    CW_KU_KEY_ENCIPHERMENT);
	X509 *x, *y;

	(void)state;
	x = issue_ok(&p, fx.rsa_key, fx.inter, fx.int_key);
	y = reparse(x);
	assert_int_equal(verify(y, fx.inter), X509_V_OK);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(y), fx.rsa_key), 1);
	X509_free(x);
	X509_free(y);
}

/* An Ed25519 leaf verifies. */
static void
test_ed25519_leaf_verifies(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	X509 *x, *y;

	(void)state;
	x = issue_ok(&p, fx.ed_key, fx.inter, fx.int_key);
	y = reparse(x);
	assert_int_equal(verify(y, fx.inter), X509_V_OK);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(y), fx.ed_key), 1);
	X509_free(x);
	X509_free(y);
}

/* The SPKI written from key parts equals OpenSSL's own encoding. */
static void
test_spki_equals_openssl_encoding(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	EVP_PKEY *keys[3];
	unsigned char *a = NULL, *b = NULL;
	int alen, blen;
	size_t i;
	X509 *x;

	(void)state;
	keys[0] = fx.ec_key;
	keys[1] = fx.rsa_key;
	keys[2] = fx.ed_key;
	for (i = 0; i < 3; i++) {
		x = issue_ok(&p, keys[i], fx.inter, fx.int_key);
		alen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &a);
		blen = i2d_PUBKEY(keys[i], &b);
		assert_true(alen > 0);
		assert_int_equal(alen, blen);
		assert_memory_equal(a, b, (size_t)alen);
		OPENSSL_free(a);
		OPENSSL_free(b);
		a = b = NULL;
		X509_free(x);
	}
}

/* Every field and extension is what the profile says. */
static void
test_fields_and_extensions(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	X509 *x0, *x;
	int crit, type;
	BASIC_CONSTRAINTS *bc;
	ASN1_BIT_STRING *ku;
	EXTENDED_KEY_USAGE *eku;
	GENERAL_NAMES *gens;
	ASN1_OCTET_STRING *ski;
	AUTHORITY_KEYID *aki;
	CRL_DIST_POINTS *dps;
	AUTHORITY_INFO_ACCESS *aia;
	const ASN1_STRING *v;
	const ASN1_OCTET_STRING *iski;
	const X509_NAME *name;
	DIST_POINT *dp;
	ACCESS_DESCRIPTION *ad;
	BIGNUM *bn;
	unsigned char buf[32], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t i;

	(void)state;
	x0 = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	x = reparse(x0);
	X509_free(x0);

	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	assert_int_equal(BN_num_bytes(bn), 16);
	BN_bn2bin(bn, buf);
	assert_memory_equal(buf, serial16, 16);
	BN_free(bn);
	assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(fx.inter)), 0);
	assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);

	/* subject: C PrintableString, O and CN UTF8String, in order */
	name = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_entry_count(name), 3);
	for (i = 0; i < 3; i++) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(name, (int)i);

		v = X509_NAME_ENTRY_get_data(ne);
		assert_int_equal(OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne)),
		    subj[i].nid);
		assert_int_equal(ASN1_STRING_length(v), (int)subj[i].len);
		assert_memory_equal(ASN1_STRING_get0_data(v), subj[i].val,
		    subj[i].len);
		assert_int_equal(ASN1_STRING_type(v), i == 0 ?
		    V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING);
	}

	assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notBefore(x),
	    (time_t)T_LEAF_NB), 0);
	assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notAfter(x),
	    (time_t)T_LEAF_NA), 0);
	assert_int_equal(ASN1_STRING_type(X509_get0_notAfter(x)),
	    V_ASN1_UTCTIME);
	assert_int_equal(X509_get_ext_count(x), 8);

	bc = ext_d2i(x, NID_basic_constraints, &crit);
	assert_int_equal(crit, 1);
	assert_int_equal(bc->ca, 0);
	assert_null(bc->pathlen);
	BASIC_CONSTRAINTS_free(bc);

	ku = ext_d2i(x, NID_key_usage, &crit);
	assert_int_equal(crit, 1);
	assert_true(ASN1_BIT_STRING_get_bit(ku, 0));
	for (i = 1; i < 9; i++)
		assert_false(ASN1_BIT_STRING_get_bit(ku, (int)i));
	ASN1_BIT_STRING_free(ku);
	assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);

	eku = ext_d2i(x, NID_ext_key_usage, &crit);
	assert_int_equal(crit, 0);
	assert_int_equal(sk_ASN1_OBJECT_num(eku), 2);
	assert_int_equal(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)),
	    NID_server_auth);
	assert_int_equal(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 1)),
	    NID_client_auth);
	EXTENDED_KEY_USAGE_free(eku);

	gens = ext_d2i(x, NID_subject_alt_name, &crit);
	assert_int_equal(crit, 0);
	assert_int_equal(sk_GENERAL_NAME_num(gens), 5);
	{
		static const int want[5] = {GEN_DNS, GEN_IPADD, GEN_IPADD,
		    GEN_URI, GEN_EMAIL};

		for (i = 0; i < 5; i++) {
			v = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(gens,
			    (int)i), &type);
			assert_int_equal(type, want[i]);
			assert_int_equal(ASN1_STRING_length(v),
			    (int)sans[i].len);
			assert_memory_equal(ASN1_STRING_get0_data(v),
			    sans[i].val, sans[i].len);
		}
	}
	GENERAL_NAMES_free(gens);

	/* RFC 5280 4.2.1.2 method 1, computed by OpenSSL */
	ski = ext_d2i(x, NID_subject_key_identifier, &crit);
	assert_int_equal(crit, 0);
	assert_true(X509_pubkey_digest(x, EVP_sha1(), md, &mdlen));
	assert_int_equal(ASN1_STRING_length(ski), (int)mdlen);
	assert_memory_equal(ASN1_STRING_get0_data(ski), md, mdlen);
	ASN1_OCTET_STRING_free(ski);

	aki = ext_d2i(x, NID_authority_key_identifier, &crit);
	assert_int_equal(crit, 0);
	iski = X509_get0_subject_key_id(fx.inter);
	assert_non_null(iski);
	assert_non_null(aki->keyid);
	assert_int_equal(ASN1_OCTET_STRING_cmp(aki->keyid, iski), 0);
	assert_null(aki->issuer);
	assert_null(aki->serial);
	AUTHORITY_KEYID_free(aki);

	dps = ext_d2i(x, NID_crl_distribution_points, &crit);
	assert_int_equal(crit, 0);
	assert_int_equal(sk_DIST_POINT_num(dps), 1);
	dp = sk_DIST_POINT_value(dps, 0);
	assert_int_equal(dp->distpoint->type, 0);
	assert_int_equal(sk_GENERAL_NAME_num(dp->distpoint->name.fullname), 1);
	v = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(
	    dp->distpoint->name.fullname, 0), &type);
	assert_int_equal(type, GEN_URI);
	assert_string_equal((const char *)ASN1_STRING_get0_data(v), CRL_URL);
	CRL_DIST_POINTS_free(dps);

	aia = ext_d2i(x, NID_info_access, &crit);
	assert_int_equal(crit, 0);
	assert_int_equal(sk_ACCESS_DESCRIPTION_num(aia), 2);
	ad = sk_ACCESS_DESCRIPTION_value(aia, 0);
	assert_int_equal(OBJ_obj2nid(ad->method), NID_ad_OCSP);
	v = GENERAL_NAME_get0_value(ad->location, &type);
	assert_int_equal(type, GEN_URI);
	assert_string_equal((const char *)ASN1_STRING_get0_data(v), OCSP_URL);
	ad = sk_ACCESS_DESCRIPTION_value(aia, 1);
	assert_int_equal(OBJ_obj2nid(ad->method), NID_ad_ca_issuers);
	v = GENERAL_NAME_get0_value(ad->location, &type);
	assert_string_equal((const char *)ASN1_STRING_get0_data(v), CAI_URL);
	AUTHORITY_INFO_ACCESS_free(aia);

	/* OpenSSL's own reading agrees: an end entity, not a CA */
	assert_int_equal(X509_check_ca(x), 0);
	X509_free(x);
}

/* Optional parts absent from the profile are absent from the certificate. */
static void
test_minimal_profile(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	X509 *x;

	(void)state;
	p.n_eku = 0;
	p.crl_url = NULL;
	p.ocsp_url = NULL;
	p.ca_issuers_url = NULL;
	p.n_sans = 1;
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	assert_int_equal(X509_get_ext_count(x), 5);
	assert_int_equal(X509_get_ext_by_NID(x, NID_ext_key_usage, -1), -1);
	assert_int_equal(X509_get_ext_by_NID(x, NID_info_access, -1), -1);
	assert_int_equal(X509_get_ext_by_NID(x, NID_crl_distribution_points,
	    -1), -1);
	X509_free(x);
}

/* Only caIssuers in AIA, no OCSP. */
static void
test_aia_ca_issuers_only(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	AUTHORITY_INFO_ACCESS *aia;
	X509 *x;
	int crit;

	(void)state;
	p.ocsp_url = NULL;
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	aia = ext_d2i(x, NID_info_access, &crit);
	assert_int_equal(sk_ACCESS_DESCRIPTION_num(aia), 1);
	assert_int_equal(OBJ_obj2nid(sk_ACCESS_DESCRIPTION_value(aia,
	    0)->method), NID_ad_ca_issuers);
	AUTHORITY_INFO_ACCESS_free(aia);
	X509_free(x);
}

/* Empty subject: SAN critical (RFC 5280 4.2.1.6), and it verifies. */
static void
test_san_critical_when_subject_empty(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	GENERAL_NAMES *gens;
	X509 *x, *y;
	int crit;

	(void)state;
	p.n_subject = 0;
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(x)), 0);
	gens = ext_d2i(x, NID_subject_alt_name, &crit);
	assert_int_equal(crit, 1);
	GENERAL_NAMES_free(gens);
	y = reparse(x);
	assert_int_equal(verify(y, fx.inter), X509_V_OK);
	X509_free(x);
	X509_free(y);
}

/* UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
static void
test_generalized_time_from_2050(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	cw_err err = CW_ERR_INIT;
	EVP_PKEY *rk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *ik = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *root = NULL, *inter = NULL, *x, *y;

	(void)state;
	assert_int_equal(cw_ca_cert_make(rk, "Long Root", NULL, T_2024,
	    INT64_C(3155760000), NULL, NULL, &root, &err), CW_OK);
	assert_int_equal(cw_ca_cert_make(ik, "Long CA", NULL, T_2024,
	    INT64_C(2840140800), root, rk, &inter, &err), CW_OK);
	assert_int_equal(ASN1_STRING_type(X509_get0_notAfter(root)),
	    V_ASN1_GENERALIZEDTIME);
	p.not_before = INT64_C(2506118400); /* 2049-06-01 */
	p.not_after = INT64_C(2537654400);  /* 2050-06-01 */
	x = issue_ok(&p, fx.ec_key, inter, ik);
	y = reparse(x);
	assert_int_equal(ASN1_STRING_type(X509_get0_notBefore(y)),
	    V_ASN1_UTCTIME);
	assert_int_equal(ASN1_STRING_type(X509_get0_notAfter(y)),
	    V_ASN1_GENERALIZEDTIME);
	assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notAfter(y),
	    (time_t)p.not_after), 0);
	assert_int_equal(verify_at(y, inter, root, NULL,
	    X509_PURPOSE_SSL_SERVER, INT64_C(2530000000)), X509_V_OK);
	X509_free(x);
	X509_free(y);
	X509_free(inter);
	X509_free(root);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
}

/* Raw SPKI is copied byte for byte, a compressed EC point included. */
static void
test_spki_variant_copies_bytes(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	cw_err err = CW_ERR_INIT;
	EVP_PKEY *k = EVP_PKEY_dup(fx.ec_key);
	unsigned char *spki = NULL, *got = NULL;
	int len, glen;
	X509 *x = NULL, *y;

	(void)state;
	assert_non_null(k);
	assert_true(EVP_PKEY_set_utf8_string_param(k,
	    OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"));
	len = i2d_PUBKEY(k, &spki);
	assert_int_equal(len, 26 + 33); /* 0x02/0x03 || X */
	assert_int_equal(cw_cert_issue_spki(&p, spki, (size_t)len, fx.inter,
	    fx.int_key, &x, &err), CW_OK);
	glen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &got);
	assert_int_equal(glen, len);
	assert_memory_equal(got, spki, (size_t)len);
	y = reparse(x);
	assert_int_equal(verify(y, fx.inter), X509_V_OK);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(y), fx.ec_key), 1);
	X509_free(x);
	X509_free(y);
	OPENSSL_free(got);
	OPENSSL_free(spki);
	EVP_PKEY_free(k);
}

/* Raw SPKI that does not decode, or has trailing bytes, is refused. */
static void
test_spki_variant_refuses_garbage(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	cw_err err = CW_ERR_INIT;
	unsigned char *spki = NULL, *longer;
	int len = i2d_PUBKEY(fx.ec_key, &spki);
	X509 *x = NULL;

	(void)state;
	longer = malloc((size_t)len + 1);
	assert_non_null(longer);
	memcpy(longer, spki, (size_t)len);
	longer[len] = 0;
	assert_int_equal(cw_cert_issue_spki(&p, longer, (size_t)len + 1,
	    fx.inter, fx.int_key, &x, &err), CW_ERR_INPUT);
	assert_null(x);
	assert_int_equal(cw_cert_issue_spki(&p, spki, (size_t)len - 1,
	    fx.inter, fx.int_key, &x, &err), CW_ERR_INPUT);
	assert_null(x);
	free(longer);
	OPENSSL_free(spki);
}

/* An Ed25519 issuing CA signs PureEdDSA; a requested digest is ignored. */
static void
test_ed25519_issuer(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	X509 *x, *y;

	(void)state;
	x = issue_ok(&p, fx.ec_key, fx.ed_inter, fx.ed_ca_key);
	y = reparse(x);
	assert_int_equal(X509_get_signature_nid(y), NID_ED25519);
	assert_int_equal(verify(y, fx.ed_inter), X509_V_OK);
	assert_int_equal(X509_verify(y, X509_get0_pubkey(fx.ed_inter)), 1);
	X509_free(x);
	X509_free(y);
}

/* The profile's digest is used: SHA-384, whatever its spelling. */
static void
test_md_choice(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	X509 *x;

	(void)state;
	p.md = "sha384";
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA384);
	X509_free(x);
	p.md = NULL;
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	X509_free(x);
}

/* Serial numbers at the limits: 20 octets, and 16 with a sign octet. */
static void
test_serial_limits_accepted(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	uint8_t s20[20], s17[17];
	X509 *x;

	(void)state;
	memset(s20, 0x7f, sizeof(s20));
	p.serial = s20;
	p.serial_len = sizeof(s20);
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	X509_free(x);
	/* 128 random bits with the top bit set take a leading 00 */
	s17[0] = 0x00;
	memset(s17 + 1, 0xa5, 16);
	p.serial = s17;
	p.serial_len = sizeof(s17);
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	assert_int_equal(i2d_ASN1_INTEGER(X509_get0_serialNumber(x), NULL),
	    2 + 17);
	X509_free(x);
}

/* --- lint refusals: nothing is signed ------------------------------------ */

/* Control: a compliant profile with a public-only key fails at signing. */
static void
test_public_only_key_fails_at_signing(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	cw_err err = CW_ERR_INIT;
	X509 *x = NULL;

	(void)state;
	assert_int_equal(cw_cert_issue(&p, fx.ec_key, fx.inter, fx.int_pub,
	    &x, &err), CW_ERR_CRYPTO);
	assert_null(x);
}

/* keyEncipherment on an EC key (RFC 8813). */
static void
test_lint_ke_on_ec(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE |
	    CW_KU_KEY_ENCIPHERMENT);

	(void)state;
	assert_refused(&p, fx.ec_key, fx.inter,
	    "keyUsage keyEncipherment on an EC key (RFC 5480 3");
}

/* dataEncipherment on an Ed25519 key (RFC 9295). */
static void
test_lint_de_on_ed25519(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE |
	    CW_KU_DATA_ENCIPHERMENT);

	(void)state;
	assert_refused(&p, fx.ed_key, fx.inter,
	    "keyUsage dataEncipherment on an Ed25519 key");
}

/* keyAgreement on an RSA key (RFC 3279 2.3.1). */
static void
test_lint_ka_on_rsa(void **state)
{
	cw_cert_profile p = profile(CW_KU_KEY_AGREEMENT);

	(void)state;
	assert_refused(&p, fx.rsa_key, fx.inter,
	    "keyUsage keyAgreement on an RSA key");
}

/* keyCertSign in an end-entity certificate. */
static void
test_lint_key_cert_sign(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE |
	    CW_KU_KEY_CERT_SIGN);

	(void)state;
	assert_refused(&p, fx.ec_key, fx.inter, "keyCertSign without cA");
}

/* An empty key usage. */
static void
test_lint_empty_key_usage(void **state)
{
	cw_cert_profile p = profile(0);

	(void)state;
	assert_refused(&p, fx.ec_key, fx.inter, "keyUsage has no bit set");
}

/* encipherOnly without keyAgreement; accepted with it. */
static void
test_lint_encipher_only(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE |
	    CW_KU_ENCIPHER_ONLY);
	X509 *x;

	(void)state;
	assert_refused(&p, fx.ec_key, fx.inter,
	    "encipherOnly or decipherOnly without keyAgreement");
	p.key_usage |= CW_KU_KEY_AGREEMENT;
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	X509_free(x);
}

/* notAfter beyond the issuer's notAfter. */
static void
test_lint_not_after_beyond_issuer(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);

	(void)state;
	p.not_after = T_2034 + 1;
	assert_refused(&p, fx.ec_key, fx.inter,
	    "notAfter 2034-01-01T00:00:01Z is after the issuer's notAfter");
}

/* notBefore before the issuer's notBefore. */
static void
test_lint_not_before_before_issuer(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);

	(void)state;
	p.not_before = T_2024 - 1;
	assert_refused(&p, fx.ec_key, fx.inter,
	    "is before the issuer's notBefore");
}

/* notBefore not before notAfter. */
static void
test_lint_inverted_validity(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);

	(void)state;
	p.not_after = p.not_before;
	assert_refused(&p, fx.ec_key, fx.inter, "is not before notAfter");
}

/* Serial number zero. */
static void
test_lint_serial_zero(void **state)
{
	static const uint8_t zero[2] = {0, 0};
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);

	(void)state;
	p.serial = zero;
	p.serial_len = sizeof(zero);
	assert_refused(&p, fx.ec_key, fx.inter, "serial number is zero");
}

/* Negative serial number (top bit set, two's complement). */
static void
test_lint_serial_negative(void **state)
{
	static const uint8_t neg[3] = {0x80, 0x12, 0x34};
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);

	(void)state;
	p.serial = neg;
	p.serial_len = sizeof(neg);
	assert_refused(&p, fx.ec_key, fx.inter, "serial number is negative");
}

/* Serial numbers of 21 octets, also when made so by the sign octet. */
static void
test_lint_serial_21_octets(void **state)
{
	uint8_t s21[21], s20[21];
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);

	(void)state;
	memset(s21, 0x11, sizeof(s21));
	p.serial = s21;
	p.serial_len = sizeof(s21);
	assert_refused(&p, fx.ec_key, fx.inter, "longer than 20 octets");
	s20[0] = 0x00;
	memset(s20 + 1, 0x99, 20);
	p.serial = s20;
	assert_refused(&p, fx.ec_key, fx.inter, "longer than 20 octets");
}

/* Empty subject and no subjectAltName. */
static void
test_lint_empty_subject_no_san(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);

	(void)state;
	p.n_subject = 0;
	p.n_sans = 0;
	assert_refused(&p, fx.ec_key, fx.inter,
	    "empty subject and no subjectAltName (RFC 5280 4.1.2.6)");
}

/* An empty name in subjectAltName. */
static void
test_lint_empty_san(void **state)
{
	cw_gen_name g[2] = {{CW_GN_DNS, B("a.example")}, {CW_GN_DNS,
	    (const uint8_t *)"", 0}};
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);

	(void)state;
	p.sans = g;
	p.n_sans = 2;
	assert_refused(&p, fx.ec_key, fx.inter,
	    "subjectAltName 1 is an empty dNSName");
}

/* The same extended key usage twice. */
static void
test_lint_eku_twice(void **state)
{
	static const int twice[2] = {NID_server_auth, NID_server_auth};
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);

	(void)state;
	p.eku = twice;
	assert_refused(&p, fx.ec_key, fx.inter,
	    "extKeyUsage lists serverAuth twice");
}

/* An issuer key that is not the issuer certificate's is refused. */
static void
test_issuer_key_mismatch(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	cw_err err = CW_ERR_INIT;
	X509 *x = NULL;

	(void)state;
	assert_int_equal(cw_cert_issue(&p, fx.ec_key, fx.inter, fx.root_key,
	    &x, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "issuer key does not belong"));
	assert_null(x);
}

/* An end-entity certificate as issuer. */
static void
test_lint_issuer_not_ca(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	cw_err err = CW_ERR_INIT;
	X509 *leaf, *x = NULL;

	(void)state;
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	leaf = reparse(x);
	X509_free(x);
	x = NULL;
	assert_int_equal(cw_cert_issue(&p, fx.rsa_key, leaf, fx.ec_key, &x,
	    &err), CW_ERR_NONCOMPLIANT);
	assert_non_null(strstr(err.msg, "issuer is not a CA"));
	assert_null(x);
	X509_free(leaf);
}

/* --- cw_cert_lint on finished certificates ------------------------------ */

/* A certificate issued from a profile passes the lint for that profile. */
static void
test_lint_accepts_issued(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	cw_err err = CW_ERR_INIT;
	X509 *x, *y;

	(void)state;
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	y = reparse(x);
	assert_int_equal(cw_cert_lint(x, &p, fx.inter, &err), CW_OK);
	assert_int_equal(cw_cert_lint(y, &p, fx.inter, &err), CW_OK);
	X509_free(x);
	X509_free(y);
}

static void
assert_lint_fails(X509 *x, const cw_cert_profile *p, X509 *issuer,
    const char *needle)
{
	cw_err err = CW_ERR_INIT;
	cw_rc rc = cw_cert_lint(x, p, issuer, &err);

	if (rc != CW_ERR_NONCOMPLIANT || strstr(err.msg, needle) == NULL)
		fail_msg("expected lint failure '%s', got %s: %s", needle,
		    cw_rc_name(rc), err.msg);
}

/* The lint compares with the profile: other names, key usage, serial. */
static void
test_lint_detects_profile_mismatch(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE), q;
	static const uint8_t other[1] = {0x42};
	cw_gen_name g[5];
	X509 *x;

	(void)state;
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	memcpy(g, sans, sizeof(g));
	g[4].val = (const uint8_t *)"dev@example.com";
	q = p;
	q.sans = g;
	assert_lint_fails(x, &q, fx.inter, "subjectAltName 4 differs");
	q = p;
	q.key_usage |= CW_KU_KEY_AGREEMENT;
	assert_lint_fails(x, &q, fx.inter, "keyUsage 0x001 differs");
	q = p;
	q.serial = other;
	q.serial_len = 1;
	assert_lint_fails(x, &q, fx.inter, "serial number differs");
	q = p;
	q.n_eku = 1;
	assert_lint_fails(x, &q, fx.inter, "extKeyUsage has 2 purposes");
	q = p;
	q.crl_url = "http://other.example/crl";
	assert_lint_fails(x, &q, fx.inter, "cRLDistributionPoints differs");
	q = p;
	q.ocsp_url = NULL;
	assert_lint_fails(x, &q, fx.inter, "authorityInfoAccess has 2");
	q = p;
	q.not_after -= 1;
	assert_lint_fails(x, &q, fx.inter, "notAfter");
	q = p;
	q.n_subject = 2;
	assert_lint_fails(x, &q, fx.inter, "subject has 3 attributes");
	/* another issuer: the name and the key identifier differ */
	assert_lint_fails(x, &p, fx.root, "issuer name is not");
	X509_free(x);
}

/* An added, a duplicated and a weakened extension are caught. */
static void
test_lint_detects_extension_changes(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *gone;
	X509 *x;

	(void)state;
	assert_true(ASN1_STRING_set(s, "hello", 5));
	assert_true(ASN1_OCTET_STRING_set(os, (const unsigned char *)"id",
	    2));

	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	assert_int_equal(X509_add1_ext_i2d(x, NID_netscape_comment, s, 0,
	    X509V3_ADD_APPEND), 1);
	assert_lint_fails(x, &p, fx.inter,
	    "extension Netscape Comment is not in the end-entity profile");
	X509_free(x);

	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_key_identifier, os,
	    0, X509V3_ADD_APPEND), 1);
	assert_lint_fails(x, &p, fx.inter,
	    "extension subjectKeyIdentifier appears twice");
	X509_free(x);

	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	assert_int_equal(X509_add1_ext_i2d(x, NID_basic_constraints, bc, 0,
	    X509V3_ADD_REPLACE), 1);
	assert_lint_fails(x, &p, fx.inter, "basicConstraints is not critical");
	X509_free(x);

	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_key_identifier, os,
	    0, X509V3_ADD_REPLACE), 1);
	assert_lint_fails(x, &p, fx.inter,
	    "subjectKeyIdentifier is not the SHA-1");
	X509_free(x);

	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	bc->ca = 0xff;
	assert_int_equal(X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1,
	    X509V3_ADD_REPLACE), 1);
	assert_lint_fails(x, &p, fx.inter, "cA TRUE");
	X509_free(x);

	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	gone = X509_delete_ext(x, X509_get_ext_by_NID(x,
	    NID_authority_key_identifier, -1));
	assert_non_null(gone);
	X509_EXTENSION_free(gone);
	assert_lint_fails(x, &p, fx.inter, "authorityKeyIdentifier is "
	    "missing");
	X509_free(x);

	ASN1_IA5STRING_free(s);
	BASIC_CONSTRAINTS_free(bc);
	ASN1_OCTET_STRING_free(os);
	ERR_clear_error();
}

/* --- input that cannot be encoded ---------------------------------------- */

/* Profile values that have no correct encoding are input errors. */
static void
test_bad_input(void **state)
{
	static const uint8_t ip5[5] = {1, 2, 3, 4, 5};
	static const int bad_eku[1] = {NID_undef};
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE), q;
	cw_gen_name g[1];
	cw_name_attr a[1];

	(void)state;
	q = p;
	g[0].type = CW_GN_IP;
	g[0].val = ip5;
	g[0].len = sizeof(ip5);
	q.sans = g;
	q.n_sans = 1;
	assert_input_error(&q, fx.ec_key, "4 or 16 octets");
	g[0].type = CW_GN_DNS;
	g[0].val = (const uint8_t *)"a b.example";
	g[0].len = 11;
	assert_input_error(&q, fx.ec_key, "printable ASCII");
	g[0].val = (const uint8_t *)"\xc3\xa9.example";
	g[0].len = 10;
	assert_input_error(&q, fx.ec_key, "printable ASCII");

	q = p;
	a[0].nid = NID_countryName;
	a[0].val = (const uint8_t *)"DEU";
	a[0].len = 3;
	q.subject = a;
	q.n_subject = 1;
	assert_input_error(&q, fx.ec_key, "longer than 2 characters");
	a[0].val = (const uint8_t *)"de";
	a[0].len = 2;
	assert_input_error(&q, fx.ec_key, "two-letter upper-case");
	a[0].nid = NID_commonName;
	a[0].val = (const uint8_t *)"bad \xc3\x28 utf8";
	a[0].len = strlen((const char *)a[0].val);
	assert_input_error(&q, fx.ec_key, "cannot hold");
	a[0].val = (const uint8_t *)"nul\0inside";
	a[0].len = 10;
	assert_input_error(&q, fx.ec_key, "cannot hold");
	a[0].val = (const uint8_t *)"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxx";
	a[0].len = 65;
	assert_input_error(&q, fx.ec_key, "longer than 64 characters");
	a[0].len = 0;
	assert_input_error(&q, fx.ec_key, "must be 1 to");

	q = p;
	q.md = "MD5";
	assert_input_error(&q, fx.ec_key, "not one of SHA256");
	q = p;
	q.eku = bad_eku;
	q.n_eku = 1;
	assert_input_error(&q, fx.ec_key, "unknown NID");
	q = p;
	q.not_before = INT64_C(-700000000);
	assert_input_error(&q, fx.ec_key, "outside 1950-01-01");
	q = p;
	q.crl_url = "http://a b/crl";
	assert_input_error(&q, fx.ec_key, "absolute URI");
	q = p;
	q.key_usage = 1u << 9;
	assert_input_error(&q, fx.ec_key, "unknown bits");
	q = p;
	q.serial_len = 0;
	assert_input_error(&q, fx.ec_key, "serial number must be 1 to");
}

/* A value that fits the X.520 type is written with it: e-mail is IA5. */
static void
test_email_attribute_ia5(void **state)
{
	cw_name_attr a[2] = {{NID_commonName, B("svc")},
	    {NID_pkcs9_emailAddress, B("ops@example.com")}};
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	const X509_NAME_ENTRY *ne;
	X509 *x;

	(void)state;
	p.subject = a;
	p.n_subject = 2;
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	ne = X509_NAME_get_entry(X509_get_subject_name(x), 1);
	assert_int_equal(ASN1_STRING_type(X509_NAME_ENTRY_get_data(ne)),
	    V_ASN1_IA5STRING);
	X509_free(x);
}

/* --- CA certificates ------------------------------------------------------ */

static void
check_ca(X509 *ca, X509 *issuer, long pathlen)
{
	BASIC_CONSTRAINTS *bc;
	ASN1_BIT_STRING *ku;
	AUTHORITY_KEYID *aki;
	const ASN1_OCTET_STRING *ski;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int crit, i;

	assert_int_equal(X509_get_version(ca), X509_VERSION_3);
	assert_int_equal(X509_verify(ca, X509_get0_pubkey(issuer)), 1);
	assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(ca),
	    X509_get_subject_name(issuer)), 0);
	bc = ext_d2i(ca, NID_basic_constraints, &crit);
	assert_int_equal(crit, 1);
	assert_true(bc->ca);
	assert_non_null(bc->pathlen);
	assert_int_equal(ASN1_INTEGER_get(bc->pathlen), pathlen);
	BASIC_CONSTRAINTS_free(bc);
	ku = ext_d2i(ca, NID_key_usage, &crit);
	assert_int_equal(crit, 1);
	for (i = 0; i < 9; i++)
		assert_int_equal(ASN1_BIT_STRING_get_bit(ku, i), i == 5 ||
		    i == 6);
	ASN1_BIT_STRING_free(ku);
	ski = X509_get0_subject_key_id(ca);
	assert_non_null(ski);
	assert_true(X509_pubkey_digest(ca, EVP_sha1(), md, &mdlen));
	assert_int_equal(ASN1_STRING_length(ski), (int)mdlen);
	assert_memory_equal(ASN1_STRING_get0_data(ski), md, mdlen);
	aki = ext_d2i(ca, NID_authority_key_identifier, &crit);
	assert_int_equal(crit, 0);
	assert_int_equal(ASN1_OCTET_STRING_cmp(aki->keyid,
	    X509_get0_subject_key_id(issuer)), 0);
	AUTHORITY_KEYID_free(aki);
	assert_int_equal(X509_check_ca(ca), 1);
	assert_int_equal(X509_get_ext_count(ca), 4);
	/* positive serial of 16 octets */
	assert_int_equal(ASN1_STRING_type(X509_get0_serialNumber(ca)),
	    V_ASN1_INTEGER);
	assert_int_equal(ASN1_STRING_length(X509_get0_serialNumber(ca)), 16);
}

/* The root is self-signed with pathlen 1, O then CN. */
static void
test_root_ca(void **state)
{
	const X509_NAME *n = X509_get_subject_name(fx.root);

	(void)state;
	check_ca(fx.root, fx.root, 1);
	assert_int_equal(X509_NAME_entry_count(n), 2);
	assert_int_equal(OBJ_obj2nid(X509_NAME_ENTRY_get_object(
	    X509_NAME_get_entry(n, 0))), NID_organizationName);
	assert_int_equal(OBJ_obj2nid(X509_NAME_ENTRY_get_object(
	    X509_NAME_get_entry(n, 1))), NID_commonName);
	assert_int_equal(X509_get_signature_nid(fx.root),
	    NID_ecdsa_with_SHA256);
	assert_int_equal(X509_check_issued(fx.root, fx.root), X509_V_OK);
}

/* The intermediate has pathlen 0 and chains to the root. */
static void
test_intermediate_ca(void **state)
{
	(void)state;
	check_ca(fx.inter, fx.root, 0);
	check_ca(fx.ed_inter, fx.root, 0);
	assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(
	    fx.ed_inter)), 1);
	assert_int_equal(verify_at(fx.inter, NULL, fx.root, NULL, 0, T_CHECK),
	    X509_V_OK);
}

/* An Ed25519 root signs itself with PureEdDSA. */
static void
test_ed25519_root(void **state)
{
	cw_err err = CW_ERR_INIT;
	X509 *r = NULL;

	(void)state;
	assert_int_equal(cw_ca_cert_make(fx.ed_ca_key, "Ed Root", NULL,
	    T_2024, T_2044, NULL, NULL, &r, &err), CW_OK);
	assert_int_equal(X509_get_signature_nid(r), NID_ED25519);
	check_ca(r, r, 1);
	X509_free(r);
}

/* A P-384 CA signs with SHA-384. */
static void
test_p384_ca_uses_sha384(void **state)
{
	cw_err err = CW_ERR_INIT;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	X509 *r = NULL;

	(void)state;
	assert_int_equal(cw_ca_cert_make(k, "P-384 Root", NULL, T_2024,
	    T_2044, NULL, NULL, &r, &err), CW_OK);
	assert_int_equal(X509_get_signature_nid(r), NID_ecdsa_with_SHA384);
	X509_free(r);
	EVP_PKEY_free(k);
}

/* Bad CA requests are refused. */
static void
test_ca_refusals(void **state)
{
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	cw_err err = CW_ERR_INIT;
	X509 *x = NULL, *leaf;

	(void)state;
	assert_int_equal(cw_ca_cert_make(fx.ec_key, "X", NULL, T_2034, T_2024,
	    NULL, NULL, &x, &err), CW_ERR_INPUT);
	assert_int_equal(cw_ca_cert_make(fx.ec_key, "X", NULL, T_2024,
	    T_2044, fx.inter, fx.int_key, &x, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "not inside the parent"));
	assert_int_equal(cw_ca_cert_make(fx.ec_key, "X", NULL, T_2024,
	    T_2034, fx.root, fx.int_key, &x, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "does not belong"));
	assert_int_equal(cw_ca_cert_make(fx.ec_key, "", NULL, T_2024,
	    T_2034, NULL, NULL, &x, &err), CW_ERR_INPUT);
	assert_int_equal(cw_ca_cert_make(fx.ec_key, "X", NULL, T_2024,
	    T_2034, fx.root, NULL, &x, &err), CW_ERR_INTERNAL);
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	leaf = reparse(x);
	X509_free(x);
	x = NULL;
	assert_int_equal(cw_ca_cert_make(fx.rsa_key, "X", NULL, T_LEAF_NB,
	    T_LEAF_NA, leaf, fx.ec_key, &x, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "not a CA"));
	assert_null(x);
	X509_free(leaf);
}

/* --- CRLs -------------------------------------------------------------------- */

static const uint8_t rs1[] = {0x01, 0x23, 0x45};
static const uint8_t rs2[] = {0x7e, 0xee};
static const uint8_t rs3[] = {0x00, 0xff, 0x10};
static const uint8_t crlnum[] = {0x01, 0x00};

static int
entry_reason(X509_REVOKED *r)
{
	int crit = 0;
	ASN1_ENUMERATED *e = X509_REVOKED_get_ext_d2i(r, NID_crl_reason,
	    &crit, NULL);
	long v;

	if (e == NULL) {
		assert_int_equal(crit, -1); /* absent, not broken */
		return -1;
	}
	assert_int_equal(crit, 0);
	v = ASN1_ENUMERATED_get(e);
	ASN1_ENUMERATED_free(e);
	return (int)v;
}

/* Finds the entry with serial s in crl. */
static X509_REVOKED *
find_entry(X509_CRL *crl, const uint8_t *s, size_t len)
{
	STACK_OF(X509_REVOKED) *revs = X509_CRL_get_REVOKED(crl);
	BIGNUM *want = BN_bin2bn(s, (int)len, NULL), *got;
	X509_REVOKED *hit = NULL;
	int i;

	for (i = 0; i < sk_X509_REVOKED_num(revs); i++) {
		got = ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(
		    sk_X509_REVOKED_value(revs, i)), NULL);
		if (BN_cmp(got, want) == 0)
			hit = sk_X509_REVOKED_value(revs, i);
		BN_free(got);
	}
	BN_free(want);
	assert_non_null(hit);
	return hit;
}

/* A v2 CRL with number, AKI and reasons, signed by the issuer. */
static void
test_crl_contents(void **state)
{
	cw_revoked rev[4] = {
		{rs1, sizeof(rs1), T_LEAF_NB + 10, CRL_REASON_KEY_COMPROMISE},
		{rs2, sizeof(rs2), T_LEAF_NB + 20, CRL_REASON_SUPERSEDED},
		{rs3, sizeof(rs3), T_LEAF_NB + 30, CRL_REASON_UNSPECIFIED},
		{serial16, sizeof(serial16), T_LEAF_NB + 40, -1},
	};
	cw_err err = CW_ERR_INIT;
	X509_CRL *c0 = NULL, *crl;
	unsigned char *der = NULL;
	const unsigned char *pp;
	ASN1_INTEGER *num;
	AUTHORITY_KEYID *aki;
	BIGNUM *bn;
	int len, crit;

	(void)state;
	assert_int_equal(cw_crl_make(fx.inter, fx.int_key, rev, 4, T_CHECK,
	    T_CHECK + 7 * 86400, crlnum, sizeof(crlnum), &c0, &err), CW_OK);
	len = i2d_X509_CRL(c0, &der);
	assert_true(len > 0);
	pp = der;
	crl = d2i_X509_CRL(NULL, &pp, len);
	assert_non_null(crl);
	assert_ptr_equal(pp, der + len);

	assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(fx.inter)), 1);
	assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(fx.root)), 0);
	assert_int_equal(X509_CRL_get_version(crl), X509_CRL_VERSION_2);
	assert_int_equal(X509_NAME_cmp(X509_CRL_get_issuer(crl),
	    X509_get_subject_name(fx.inter)), 0);
	assert_int_equal(X509_CRL_get_signature_nid(crl),
	    NID_ecdsa_with_SHA256);
	assert_int_equal(ASN1_TIME_cmp_time_t(X509_CRL_get0_lastUpdate(crl),
	    (time_t)T_CHECK), 0);
	assert_int_equal(ASN1_TIME_cmp_time_t(X509_CRL_get0_nextUpdate(crl),
	    (time_t)(T_CHECK + 7 * 86400)), 0);

	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, &crit, NULL);
	assert_non_null(num);
	assert_int_equal(crit, 0);
	assert_int_equal(ASN1_INTEGER_get(num), 256);
	ASN1_INTEGER_free(num);
	aki = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, &crit,
	    NULL);
	assert_non_null(aki);
	assert_int_equal(crit, 0);
	assert_int_equal(ASN1_OCTET_STRING_cmp(aki->keyid,
	    X509_get0_subject_key_id(fx.inter)), 0);
	AUTHORITY_KEYID_free(aki);

	assert_int_equal(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 4);
	assert_int_equal(entry_reason(find_entry(crl, rs1, sizeof(rs1))),
	    CRL_REASON_KEY_COMPROMISE);
	assert_int_equal(entry_reason(find_entry(crl, rs2, sizeof(rs2))),
	    CRL_REASON_SUPERSEDED);
	/* RFC 5280 5.3.1: unspecified is written as no reason at all */
	assert_int_equal(entry_reason(find_entry(crl, rs3, sizeof(rs3))), -1);
	assert_int_equal(entry_reason(find_entry(crl, serial16,
	    sizeof(serial16))), -1);
	assert_int_equal(ASN1_TIME_cmp_time_t(X509_REVOKED_get0_revocationDate(
	    find_entry(crl, rs2, sizeof(rs2))), (time_t)(T_LEAF_NB + 20)), 0);
	bn = ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(find_entry(crl,
	    rs3, sizeof(rs3))), NULL);
	assert_int_equal(BN_get_word(bn), 0xff10);
	BN_free(bn);
	OPENSSL_free(der);
	X509_CRL_free(c0);
	X509_CRL_free(crl);
}

/* X509_verify_cert with CRL checking refuses the revoked leaf only. */
static void
test_crl_in_path_validation(void **state)
{
	static const uint8_t s2[2] = {0x33, 0x44};
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	cw_revoked rev[1] = {{serial16, sizeof(serial16), T_LEAF_NB + 60,
	    CRL_REASON_KEY_COMPROMISE}};
	cw_err err = CW_ERR_INIT;
	X509_CRL *crl = NULL;
	X509 *revoked, *good, *x;

	(void)state;
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	revoked = reparse(x);
	X509_free(x);
	p.serial = s2;
	p.serial_len = sizeof(s2);
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	good = reparse(x);
	X509_free(x);
	assert_int_equal(cw_crl_make(fx.inter, fx.int_key, rev, 1,
	    T_CHECK - 86400, T_CHECK + 86400, crlnum, sizeof(crlnum), &crl,
	    &err), CW_OK);
	assert_int_equal(verify_at(revoked, fx.inter, fx.root, crl,
	    X509_PURPOSE_SSL_SERVER, T_CHECK), X509_V_ERR_CERT_REVOKED);
	assert_int_equal(verify_at(good, fx.inter, fx.root, crl,
	    X509_PURPOSE_SSL_SERVER, T_CHECK), X509_V_OK);
	X509_free(revoked);
	X509_free(good);
	X509_CRL_free(crl);
}

/* An empty CRL, CRL number 0 and an Ed25519 issuer all work. */
static void
test_crl_empty_and_ed25519(void **state)
{
	static const uint8_t zero[1] = {0};
	cw_revoked rev[1] = {{rs1, sizeof(rs1), T_LEAF_NB,
	    CRL_REASON_CESSATION_OF_OPERATION}};
	cw_err err = CW_ERR_INIT;
	X509_CRL *crl = NULL;

	(void)state;
	assert_int_equal(cw_crl_make(fx.inter, fx.int_key, NULL, 0, T_CHECK,
	    T_CHECK + 1, zero, sizeof(zero), &crl, &err), CW_OK);
	assert_null(X509_CRL_get_REVOKED(crl));
	assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(fx.inter)), 1);
	X509_CRL_free(crl);
	crl = NULL;
	assert_int_equal(cw_crl_make(fx.ed_inter, fx.ed_ca_key, rev, 1,
	    T_CHECK, T_CHECK + 3600, crlnum, sizeof(crlnum), &crl, &err),
	    CW_OK);
	assert_int_equal(X509_CRL_get_signature_nid(crl), NID_ED25519);
	assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(fx.ed_inter)),
	    1);
	X509_CRL_free(crl);
}

static void
assert_crl_refused(X509 *issuer, EVP_PKEY *key, const cw_revoked *rev,
    size_t n, int64_t tu, int64_t nu, const uint8_t *num, size_t num_len,
    const char *needle)
{
	cw_err err = CW_ERR_INIT;
	X509_CRL *crl = NULL;
	cw_rc rc = cw_crl_make(issuer, key, rev, n, tu, nu, num, num_len, &crl,
	    &err);

	if (rc != CW_ERR_INPUT || strstr(err.msg, needle) == NULL)
		fail_msg("expected CRL refusal '%s', got %s: %s", needle,
		    cw_rc_name(rc), err.msg);
	assert_null(crl);
}

/* Bad CRL requests are refused. */
static void
test_crl_refusals(void **state)
{
	static const uint8_t neg[1] = {0x80};
	static const uint8_t zero[1] = {0};
	uint8_t big[21];
	cw_revoked r7[1] = {{rs1, sizeof(rs1), T_LEAF_NB, 7}};
	cw_revoked r8[1] = {{rs1, sizeof(rs1), T_LEAF_NB,
	    CRL_REASON_REMOVE_FROM_CRL}};
	cw_revoked r11[1] = {{rs1, sizeof(rs1), T_LEAF_NB, 11}};
	cw_revoked rz[1] = {{zero, sizeof(zero), T_LEAF_NB, 1}};
	cw_cert_profile p = profile(CW_KU_DIGITAL_SIGNATURE);
	X509 *leaf, *x;

	(void)state;
	memset(big, 0x22, sizeof(big));
	assert_crl_refused(fx.inter, fx.int_key, NULL, 0, T_CHECK, T_CHECK,
	    crlnum, sizeof(crlnum), "nextUpdate must be after");
	assert_crl_refused(fx.inter, fx.int_key, r7, 1, T_CHECK, T_CHECK + 1,
	    crlnum, sizeof(crlnum), "reason code 7");
	assert_crl_refused(fx.inter, fx.int_key, r8, 1, T_CHECK, T_CHECK + 1,
	    crlnum, sizeof(crlnum), "reason code 8");
	assert_crl_refused(fx.inter, fx.int_key, r11, 1, T_CHECK, T_CHECK + 1,
	    crlnum, sizeof(crlnum), "reason code 11");
	assert_crl_refused(fx.inter, fx.int_key, rz, 1, T_CHECK, T_CHECK + 1,
	    crlnum, sizeof(crlnum), "serial number is zero");
	assert_crl_refused(fx.inter, fx.int_key, NULL, 0, T_CHECK, T_CHECK + 1,
	    neg, sizeof(neg), "CRL number is negative");
	assert_crl_refused(fx.inter, fx.int_key, NULL, 0, T_CHECK, T_CHECK + 1,
	    big, sizeof(big), "CRL number is longer than 20 octets");
	assert_crl_refused(fx.inter, fx.root_key, NULL, 0, T_CHECK,
	    T_CHECK + 1, crlnum, sizeof(crlnum), "does not belong");
	x = issue_ok(&p, fx.ec_key, fx.inter, fx.int_key);
	leaf = reparse(x);
	X509_free(x);
	assert_crl_refused(leaf, fx.ec_key, NULL, 0, T_CHECK, T_CHECK + 1,
	    crlnum, sizeof(crlnum), "not a CA");
	X509_free(leaf);
}

/* RFC 5280 5.3.1 names map to codes and back, exactly spelled. */
static void
test_crl_reason_names(void **state)
{
	static const char *const names[] = {"unspecified", "keyCompromise",
	    "cACompromise", "affiliationChanged", "superseded",
	    "cessationOfOperation", "certificateHold", NULL, "removeFromCRL",
	    "privilegeWithdrawn", "aACompromise"};
	int i;

	(void)state;
	for (i = 0; i <= 10; i++) {
		if (names[i] == NULL) {
			assert_null(cw_crl_reason_name(i));
			continue;
		}
		assert_int_equal(cw_crl_reason_from_name(names[i]), i);
		assert_string_equal(cw_crl_reason_name(i), names[i]);
	}
	assert_int_equal(cw_crl_reason_from_name("KeyCompromise"), -1);
	assert_int_equal(cw_crl_reason_from_name("keycompromise"), -1);
	assert_int_equal(cw_crl_reason_from_name(""), -1);
	assert_int_equal(cw_crl_reason_from_name(NULL), -1);
	assert_null(cw_crl_reason_name(-1));
	assert_null(cw_crl_reason_name(11));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ec_spki_import),
		cmocka_unit_test(test_ec_leaf_verifies),
		cmocka_unit_test(test_rsa_leaf_verifies),
		cmocka_unit_test(test_ed25519_leaf_verifies),
		cmocka_unit_test(test_spki_equals_openssl_encoding),
		cmocka_unit_test(test_fields_and_extensions),
		cmocka_unit_test(test_minimal_profile),
		cmocka_unit_test(test_aia_ca_issuers_only),
		cmocka_unit_test(test_san_critical_when_subject_empty),
		cmocka_unit_test(test_generalized_time_from_2050),
		cmocka_unit_test(test_spki_variant_copies_bytes),
		cmocka_unit_test(test_spki_variant_refuses_garbage),
		cmocka_unit_test(test_ed25519_issuer),
		cmocka_unit_test(test_md_choice),
		cmocka_unit_test(test_serial_limits_accepted),
		cmocka_unit_test(test_public_only_key_fails_at_signing),
		cmocka_unit_test(test_lint_ke_on_ec),
		cmocka_unit_test(test_lint_de_on_ed25519),
		cmocka_unit_test(test_lint_ka_on_rsa),
		cmocka_unit_test(test_lint_key_cert_sign),
		cmocka_unit_test(test_lint_empty_key_usage),
		cmocka_unit_test(test_lint_encipher_only),
		cmocka_unit_test(test_lint_not_after_beyond_issuer),
		cmocka_unit_test(test_lint_not_before_before_issuer),
		cmocka_unit_test(test_lint_inverted_validity),
		cmocka_unit_test(test_lint_serial_zero),
		cmocka_unit_test(test_lint_serial_negative),
		cmocka_unit_test(test_lint_serial_21_octets),
		cmocka_unit_test(test_lint_empty_subject_no_san),
		cmocka_unit_test(test_lint_empty_san),
		cmocka_unit_test(test_lint_eku_twice),
		cmocka_unit_test(test_issuer_key_mismatch),
		cmocka_unit_test(test_lint_issuer_not_ca),
		cmocka_unit_test(test_lint_accepts_issued),
		cmocka_unit_test(test_lint_detects_profile_mismatch),
		cmocka_unit_test(test_lint_detects_extension_changes),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_email_attribute_ia5),
		cmocka_unit_test(test_root_ca),
		cmocka_unit_test(test_intermediate_ca),
		cmocka_unit_test(test_ed25519_root),
		cmocka_unit_test(test_p384_ca_uses_sha384),
		cmocka_unit_test(test_ca_refusals),
		cmocka_unit_test(test_crl_contents),
		cmocka_unit_test(test_crl_in_path_validation),
		cmocka_unit_test(test_crl_empty_and_ed25519),
		cmocka_unit_test(test_crl_refusals),
		cmocka_unit_test(test_crl_reason_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
