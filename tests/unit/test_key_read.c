/*
 * test_key_read.c - reading private key files (src/x509/key_read.c): the
 * fast path for PKCS#8 EC and EdDSA keys must give the same key as
 * OpenSSL's own decoder, everything else must still load through that
 * decoder, and what is not an unencrypted private key is refused without
 * ever prompting for a passphrase.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/util.h"
#include "x509/key_read.h"

/* The PEM text of a BIO, NUL-terminated, malloc'd. */
static char *
bio_text(BIO *b, size_t *len)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *out;

	assert_true(n > 0);
	out = malloc((size_t)n + 1);
	assert_non_null(out);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	*len = (size_t)n;
	return out;
}

/* An unencrypted PKCS#8 PEM of key ("PRIVATE KEY"). */
static char *
pkcs8_pem(EVP_PKEY *key, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *out;

	assert_non_null(b);
	assert_int_equal(PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL,
	    NULL), 1);
	out = bio_text(b, len);
	BIO_free(b);
	return out;
}

/* PEM armour "PRIVATE KEY" around arbitrary DER. */
static char *
armour(const unsigned char *der, long dlen, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *out;

	assert_non_null(b);
	assert_true(PEM_write_bio(b, PEM_STRING_PKCS8INF, "", der, dlen) > 0);
	out = bio_text(b, len);
	BIO_free(b);
	return out;
}

/* The DER PKCS#8 PrivateKeyInfo of key (OPENSSL_malloc'd). */
static int
pkcs8_der(EVP_PKEY *key, unsigned char **der)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
	int n;

	assert_non_null(p8);
	n = i2d_PKCS8_PRIV_KEY_INFO(p8, der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return n;
}

/* A signature by `signer` verifies with `verifier`'s public key. */
static void
assert_signs_for(EVP_PKEY *signer, EVP_PKEY *verifier)
{
	static const unsigned char msg[] = "certward key_read test";
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	const char *md = EVP_PKEY_is_a(signer, "ED25519") ||
	    EVP_PKEY_is_a(signer, "ED448") ? NULL : "SHA256";

	assert_non_null(c);
	assert_int_equal(EVP_DigestSignInit_ex(c, NULL, md, NULL, NULL, signer,
	    NULL), 1);
	assert_int_equal(EVP_DigestSign(c, sig, &siglen, msg, sizeof(msg)), 1);
	EVP_MD_CTX_free(c);
	c = EVP_MD_CTX_new();
	assert_non_null(c);
	assert_int_equal(EVP_DigestVerifyInit_ex(c, NULL, md, NULL, NULL,
	    verifier, NULL), 1);
	assert_int_equal(EVP_DigestVerify(c, sig, siglen, msg, sizeof(msg)),
	    1);
	EVP_MD_CTX_free(c);
}

/* Writes a new key of `type` (and `arg`) as PKCS#8 and reads it back. */
static void
roundtrip(const char *type, const char *arg, size_t bits)
{
	EVP_PKEY *key, *back = NULL;
	cw_err err = CW_ERR_INIT;
	char *pem;
	size_t len;

	if (arg != NULL)
		key = EVP_PKEY_Q_keygen(NULL, NULL, type, arg);
	else if (bits > 0)
		key = EVP_PKEY_Q_keygen(NULL, NULL, type, bits);
	else
		key = EVP_PKEY_Q_keygen(NULL, NULL, type);
	assert_non_null(key);
	pem = pkcs8_pem(key, &len);
	assert_int_equal(cw_key_read_pem((const uint8_t *)pem, len, &back,
	    &err), CW_OK);
	assert_non_null(back);
	/* the same public key, and the private half signs for it */
	assert_int_equal(EVP_PKEY_eq(key, back), 1);
	assert_signs_for(back, key);
	EVP_PKEY_free(back);
	EVP_PKEY_free(key);
	free(pem);
}

/* The keys certward writes on the curves it uses (fast path). */
static void
test_ec_curves(void **state)
{
	(void)state;
	roundtrip("EC", "P-256", 0);
	roundtrip("EC", "P-384", 0);
	roundtrip("EC", "P-521", 0);
}

/* Ed25519 and Ed448 (RFC 8410 CurvePrivateKey, fast path). */
static void
test_eddsa(void **state)
{
	(void)state;
	roundtrip("ED25519", NULL, 0);
	roundtrip("ED448", NULL, 0);
}

/* RSA and a curve outside the fast path go through OpenSSL's decoder. */
static void
test_generic_path(void **state)
{
	(void)state;
	roundtrip("RSA", NULL, 2048);
	roundtrip("EC", "secp256k1", 0);
}

/* A traditional SEC 1 "EC PRIVATE KEY" file still loads (generic). */
static void
test_traditional_ec(void **state)
{
	EVP_PKEY *key, *back = NULL;
	cw_err err = CW_ERR_INIT;
	BIO *b = BIO_new(BIO_s_mem());
	OSSL_ENCODER_CTX *ectx;
	char *pem;
	size_t len;

	(void)state;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(key);
	assert_non_null(b);
	ectx = OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, "PEM",
	    "type-specific", NULL);
	assert_non_null(ectx);
	assert_int_equal(OSSL_ENCODER_to_bio(ectx, b), 1);
	OSSL_ENCODER_CTX_free(ectx);
	pem = bio_text(b, &len);
	assert_non_null(strstr(pem, "BEGIN EC PRIVATE KEY"));
	assert_int_equal(cw_key_read_pem((const uint8_t *)pem, len, &back,
	    &err), CW_OK);
	assert_int_equal(EVP_PKEY_eq(key, back), 1);
	assert_signs_for(back, key);
	EVP_PKEY_free(back);
	EVP_PKEY_free(key);
	BIO_free(b);
	free(pem);
}

/* An encrypted key is refused at once: no passphrase prompt. */
static void
test_encrypted_refused(void **state)
{
	EVP_PKEY *key, *back = NULL;
	cw_err err = CW_ERR_INIT;
	BIO *b = BIO_new(BIO_s_mem());
	char *pem;
	size_t len;

	(void)state;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(key);
	assert_non_null(b);
	assert_int_equal(PEM_write_bio_PKCS8PrivateKey(b, key,
	    EVP_aes_256_cbc(), NULL, 0, NULL, (void *)"secret"), 1);
	pem = bio_text(b, &len);
	assert_int_equal(cw_key_read_pem((const uint8_t *)pem, len, &back,
	    &err), CW_ERR_INPUT);
	assert_null(back);
	assert_non_null(strstr(err.msg, "unencrypted"));
	EVP_PKEY_free(key);
	BIO_free(b);
	free(pem);
}

/* Not a key at all: empty, text, a certificate-like block. */
static void
test_not_a_key(void **state)
{
	static const char *const bad[] = {
		"",
		"hello\n",
		"-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
		"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
	};
	EVP_PKEY *back = NULL;
	cw_err err = CW_ERR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cw_key_read_pem((const uint8_t *)bad[i],
		    strlen(bad[i]), &back, &err), CW_ERR_INPUT);
		assert_null(back);
	}
}

/* Damaged DER in valid armour: truncated, or with bytes appended. */
static void
test_damaged_der(void **state)
{
	EVP_PKEY *key, *back = NULL;
	cw_err err = CW_ERR_INIT;
	unsigned char *der = NULL, *longer;
	char *pem;
	size_t len;
	int dlen;

	(void)state;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(key);
	dlen = pkcs8_der(key, &der);
	assert_true(dlen > 10);
	pem = armour(der, dlen - 5, &len);
	assert_int_equal(cw_key_read_pem((const uint8_t *)pem, len, &back,
	    &err), CW_ERR_INPUT);
	assert_null(back);
	free(pem);
	longer = malloc((size_t)dlen + 2);
	assert_non_null(longer);
	memcpy(longer, der, (size_t)dlen);
	longer[dlen] = 0x05;
	longer[dlen + 1] = 0x00;
	pem = armour(longer, dlen + 2, &len);
	/* the fast path refuses trailing bytes; whatever the generic
	 * decoder then makes of them, it is never a different key */
	if (cw_key_read_pem((const uint8_t *)pem, len, &back, &err) == CW_OK)
		assert_int_equal(EVP_PKEY_eq(key, back), 1);
	EVP_PKEY_free(back);
	free(pem);
	free(longer);
	OPENSSL_free(der);
	EVP_PKEY_free(key);
}

/* An Ed25519 seed of the wrong length is not a key. */
static void
test_eddsa_bad_seed(void **state)
{
	unsigned char seed[31] = {1}, *inner = NULL, *der = NULL;
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	PKCS8_PRIV_KEY_INFO *p8 = PKCS8_PRIV_KEY_INFO_new();
	EVP_PKEY *back = NULL;
	cw_err err = CW_ERR_INIT;
	int ilen, dlen;
	char *pem;
	size_t len;

	(void)state;
	assert_non_null(os);
	assert_non_null(p8);
	assert_int_equal(ASN1_OCTET_STRING_set(os, seed, sizeof(seed)), 1);
	ilen = i2d_ASN1_OCTET_STRING(os, &inner);
	assert_true(ilen > 0);
	/* p8 takes inner */
	assert_int_equal(PKCS8_pkey_set0(p8, OBJ_nid2obj(NID_ED25519), 0,
	    V_ASN1_UNDEF, NULL, inner, ilen), 1);
	dlen = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
	assert_true(dlen > 0);
	pem = armour(der, dlen, &len);
	assert_int_equal(cw_key_read_pem((const uint8_t *)pem, len, &back,
	    &err), CW_ERR_INPUT);
	assert_null(back);
	free(pem);
	OPENSSL_free(der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	ASN1_OCTET_STRING_free(os);
}

/*
 * An EC key file whose stored public point is another key's: the key read
 * carries that point, so the caller's comparison with the certificate
 * (X509_check_private_key in engine.c) sees the mismatch.
 */
static void
test_ec_foreign_point(void **state)
{
	EVP_PKEY *a, *b, *back = NULL;
	cw_err err = CW_ERR_INIT;
	unsigned char pa[65], pb[65], *der = NULL, *at;
	size_t la = 0, lb = 0, len;
	char *pem;
	int dlen;

	(void)state;
	a = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	b = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(EVP_PKEY_get_octet_string_param(a,
	    OSSL_PKEY_PARAM_PUB_KEY, pa, sizeof(pa), &la), 1);
	assert_int_equal(EVP_PKEY_get_octet_string_param(b,
	    OSSL_PKEY_PARAM_PUB_KEY, pb, sizeof(pb), &lb), 1);
	assert_int_equal(la, 65);
	assert_int_equal(lb, 65);
	dlen = pkcs8_der(a, &der);
	assert_true(dlen > 65);
	at = (unsigned char *)cw_memfind(der, (size_t)dlen, pa, la);
	assert_non_null(at);
	memcpy(at, pb, lb);
	pem = armour(der, dlen, &len);
	assert_int_equal(cw_key_read_pem((const uint8_t *)pem, len, &back,
	    &err), CW_OK);
	assert_int_equal(EVP_PKEY_eq(back, a), 0);
	assert_int_equal(EVP_PKEY_eq(back, b), 1);
	EVP_PKEY_free(back);
	free(pem);
	OPENSSL_free(der);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ec_curves),
		cmocka_unit_test(test_eddsa),
		cmocka_unit_test(test_generic_path),
		cmocka_unit_test(test_traditional_ec),
		cmocka_unit_test(test_encrypted_refused),
		cmocka_unit_test(test_not_a_key),
		cmocka_unit_test(test_damaged_der),
		cmocka_unit_test(test_eddsa_bad_seed),
		cmocka_unit_test(test_ec_foreign_point),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
