/*
 * test_policy_eval.c - cw_policy_eval against the example policy
 * (tests/data/policy/example.yaml, the file DESIGN 6 promises means what its
 * comments say).  For every rule id both sides are checked: a compliant
 * request yields no violation, and a request that breaks one rule yields
 * exactly that rule id (and the message names the offending value).  Requests
 * are built at run time; each test starts from a compliant baseline and
 * changes one thing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "testutil.h"
#include "common/limits.h"
#include "policy/policy.h"
#include "policy/policy_eval.h"
#include "x509/csr.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* --- the policy and keys, loaded or generated once per binary ------------- */

static cw_policy *policy;

static EVP_PKEY *k_p256, *k_p384, *k_p521, *k_ed25519;

/* RSA keys are slow to make: one per (bits, exponent), made on first use. */
static struct {
	int bits;
	unsigned long e;
	EVP_PKEY *key;
} rsa_cache[] = {
	{2048, 65537, NULL},
	{3072, 65537, NULL},
	{3072, 3, NULL},
};

static EVP_PKEY *
ec_key(EVP_PKEY **slot, const char *curve)
{
	if (*slot == NULL)
		*slot = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
	assert_non_null(*slot);
	return *slot;
}

static EVP_PKEY *
key_p256(void)
{
	return ec_key(&k_p256, "P-256");
}

static EVP_PKEY *
key_p384(void)
{
	return ec_key(&k_p384, "P-384");
}

static EVP_PKEY *
key_p521(void)
{
	return ec_key(&k_p521, "P-521");
}

static EVP_PKEY *
key_ed25519(void)
{
	if (k_ed25519 == NULL)
		k_ed25519 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(k_ed25519);
	return k_ed25519;
}

static EVP_PKEY *k_pss, *k_3071;

/* An id-RSASSA-PSS key of 3072 bits (sizes fit web-server's rsa rule). */
static EVP_PKEY *
key_rsa_pss(void)
{
	EVP_PKEY_CTX *ctx;

	if (k_pss != NULL)
		return k_pss;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 3072), 1);
	assert_int_equal(EVP_PKEY_keygen(ctx, &k_pss), 1);
	EVP_PKEY_CTX_free(ctx);
	return k_pss;
}

/* A prime in [2^1535, 1.25 * 2^1535): two of them multiply to 3071 bits. */
static BIGNUM *
prime_1536_low(BN_CTX *bctx)
{
	BIGNUM *p = BN_new();

	assert_non_null(p);
	assert_int_equal(BN_rand(p, 1533, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ODD),
	    1);
	assert_int_equal(BN_set_bit(p, 1535), 1);
	while (BN_check_prime(p, bctx, NULL) != 1)
		assert_int_equal(BN_add_word(p, 2), 1);
	return p;
}

/*
 * A usable 3071-bit RSA key (e = 65537).  OpenSSL's generator rounds an odd
 * size down (3071 gives 3070 bits), so the key is put together from two
 * primes chosen so that their product has exactly 3071 bits.
 */
static EVP_PKEY *
key_rsa_3071(void)
{
	BN_CTX *bctx;
	BIGNUM *p, *q, *n, *e, *d, *p1, *q1, *phi, *dp, *dq, *qinv;
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx;

	if (k_3071 != NULL)
		return k_3071;
	bctx = BN_CTX_new();
	assert_non_null(bctx);
	p = prime_1536_low(bctx);
	q = prime_1536_low(bctx);
	n = BN_new();
	e = BN_new();
	d = BN_new();
	p1 = BN_new();
	q1 = BN_new();
	phi = BN_new();
	dp = BN_new();
	dq = BN_new();
	qinv = BN_new();
	bld = OSSL_PARAM_BLD_new();
	assert_true(n && e && d && p1 && q1 && phi && dp && dq && qinv && bld);
	assert_int_equal(BN_cmp(p, q) != 0, 1);
	assert_int_equal(BN_mul(n, p, q, bctx), 1);
	assert_int_equal(BN_num_bits(n), 3071);
	assert_int_equal(BN_set_word(e, 65537), 1);
	assert_non_null(BN_copy(p1, p));
	assert_non_null(BN_copy(q1, q));
	assert_int_equal(BN_sub_word(p1, 1), 1);
	assert_int_equal(BN_sub_word(q1, 1), 1);
	assert_int_equal(BN_mul(phi, p1, q1, bctx), 1);
	assert_non_null(BN_mod_inverse(d, e, phi, bctx));
	assert_int_equal(BN_mod(dp, d, p1, bctx), 1);
	assert_int_equal(BN_mod(dq, d, q1, bctx), 1);
	assert_non_null(BN_mod_inverse(qinv, q, p, bctx));
	assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	    qinv));
	params = OSSL_PARAM_BLD_to_param(bld);
	assert_non_null(params);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &k_3071, EVP_PKEY_KEYPAIR,
	    params), 1);
	assert_int_equal(EVP_PKEY_get_bits(k_3071), 3071);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(q);
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_free(p1);
	BN_free(q1);
	BN_free(phi);
	BN_clear_free(dp);
	BN_clear_free(dq);
	BN_free(qinv);
	BN_CTX_free(bctx);
	return k_3071;
}

static EVP_PKEY *
key_rsa(int bits, unsigned long e)
{
	EVP_PKEY_CTX *ctx;
	BIGNUM *bn;
	size_t i;

	for (i = 0; i < NELEM(rsa_cache); i++)
		if (rsa_cache[i].bits == bits && rsa_cache[i].e == e)
			break;
	assert_true(i < NELEM(rsa_cache));
	if (rsa_cache[i].key != NULL)
		return rsa_cache[i].key;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	bn = BN_new();
	assert_non_null(ctx);
	assert_non_null(bn);
	assert_int_equal(BN_set_word(bn, e), 1);
	assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits), 1);
	assert_int_equal(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, bn), 1);
	assert_int_equal(EVP_PKEY_keygen(ctx, &rsa_cache[i].key), 1);
	BN_free(bn);
	EVP_PKEY_CTX_free(ctx);
	return rsa_cache[i].key;
}

/*
 * A 3072-bit RSA public key (e = 65537) whose modulus is 3 * q: weak by its
 * small factor and nothing else the template checks.  There is no private
 * key, so a request for it is signed with another key (pop fails).
 */
static EVP_PKEY *k_weak;

static EVP_PKEY *
key_rsa_small_factor(void)
{
	EVP_PKEY *k = k_weak;
	BIGNUM *q = BN_new(), *n = BN_new(), *e = BN_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx;

	if (k != NULL)
		goto done;
	assert_non_null(q);
	assert_non_null(n);
	assert_non_null(e);
	assert_non_null(bld);
	/* q in [1.5 * 2^3069, 2^3070), odd: 3q has exactly 3072 bits */
	assert_int_equal(BN_rand(q, 3070, BN_RAND_TOP_TWO,
	    BN_RAND_BOTTOM_ODD), 1);
	assert_int_equal(BN_copy(n, q) != NULL, 1);
	assert_int_equal(BN_mul_word(n, 3), 1);
	assert_int_equal(BN_num_bits(n), 3072);
	assert_int_equal(BN_set_word(e, 65537), 1);
	assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n),
	    1);
	assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e),
	    1);
	params = OSSL_PARAM_BLD_to_param(bld);
	assert_non_null(params);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY,
	    params), 1);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	k_weak = k;
done:
	OSSL_PARAM_BLD_free(bld);
	BN_free(q);
	BN_free(n);
	BN_free(e);
	return k;
}

static int
setup(void **state)
{
	cw_err err = CW_ERR_INIT;

	(void)state;
	if (cw_policy_load_file(cw_test_path("tests/data/policy/example.yaml"),
	    &policy, NULL, &err) != CW_OK) {
		fprintf(stderr, "cannot load the example policy: %s\n",
		    err.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	cw_policy_free(policy);
	policy = NULL;
	EVP_PKEY_free(k_p256);
	EVP_PKEY_free(k_p384);
	EVP_PKEY_free(k_p521);
	EVP_PKEY_free(k_ed25519);
	EVP_PKEY_free(k_weak);
	EVP_PKEY_free(k_pss);
	EVP_PKEY_free(k_3071);
	k_weak = k_pss = k_3071 = NULL;
	for (i = 0; i < NELEM(rsa_cache); i++)
		EVP_PKEY_free(rsa_cache[i].key);
	return 0;
}

/* --- describing and building a request ------------------------------------ */

/* One subject attribute; nid 0 ends the list. */
struct attr {
	int nid;
	int type;        /* V_ASN1_UTF8STRING, V_ASN1_BMPSTRING, ... */
	const char *val;
	int len;         /* -1: strlen(val) */
	int set;         /* 0: a new RDN; -1: joins the previous RDN */
};

#define UTF8(nid, v) {(nid), V_ASN1_UTF8STRING, (v), -1, 0}

/* What to put in a request. */
struct spec {
	EVP_PKEY *key;        /* the public key requested */
	EVP_PKEY *signer;     /* signs the request; NULL: key */
	const char *md;       /* NULL for EdDSA */
	struct attr subj[8];
	/* "dns:NAME", "ip:ADDR", "uri:URI", "email:ADDR", "ip8" (an
	 * 8-octet address with mask), "other" (an otherName); NULL ends */
	const char *san[16];
	const char *bc, *ku, *eku; /* OpenSSL config syntax, or NULL */
	bool dup_san;         /* a second subjectAltName extension */
	const char *crit_oid; /* an unknown critical extension */
	/* bytes to replace inside the signed part after building (same
	 * length; the request is then signed again), for values OpenSSL
	 * refuses to encode */
	const char *patch_from, *patch_to;
	size_t patch_len;
	bool bad_sig;         /* flip a bit of the signature */
	bool off_curve;       /* move the EC public point off its curve */
};

/* A compliant web-server request. */
static struct spec
web_spec(void)
{
	struct spec s = {
		.md = "SHA256",
		.subj = {
			UTF8(NID_commonName, "www.example.com"),
			UTF8(NID_organizationName, "Example Corp"),
		},
		.san = {"dns:www.example.com", "dns:a.svc.example.internal",
		    "dns:x.y.apps.example.internal", "ip:10.1.2.3",
		    "ip:fd00::1"},
		.ku = "critical,digitalSignature",
		.eku = "serverAuth",
	};

	s.key = key_p256();
	return s;
}

/* A compliant workload-mtls request. */
static struct spec
workload_spec(void)
{
	struct spec s = {
		.md = "SHA256",
		.san = {"uri:spiffe://example.internal/ns/prod/sa/web"},
		.ku = "critical,digitalSignature",
		.eku = "serverAuth,clientAuth",
	};

	s.key = key_p256();
	return s;
}

/* A compliant code-signing request. */
static struct spec
codesign_spec(void)
{
	struct spec s = {
		.md = "SHA384",
		.subj = {
			UTF8(NID_commonName, "Widget Release Signing"),
			UTF8(NID_organizationName, "Example Corp"),
		},
		.ku = "critical,digitalSignature",
		.eku = "codeSigning",
	};

	s.key = key_p384();
	return s;
}

static void
clear_sans(struct spec *s)
{
	memset(s->san, 0, sizeof(s->san));
}

static GENERAL_NAME *
gn_bytes(int type, const void *v, size_t len)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_STRING *s = type == GEN_IPADD ? ASN1_OCTET_STRING_new() :
	    ASN1_IA5STRING_new();

	assert_non_null(g);
	assert_non_null(s);
	assert_int_equal(ASN1_STRING_set(s, v, (int)len), 1);
	GENERAL_NAME_set0_value(g, type, s);
	return g;
}

static GENERAL_NAME *
gn_parse(const char *item)
{
	static const uint8_t masked[] = {10, 0, 0, 0, 255, 0, 0, 0};
	uint8_t ip[16];
	GENERAL_NAME *g;
	ASN1_OBJECT *o;
	ASN1_TYPE *t;
	ASN1_UTF8STRING *u;

	if (strncmp(item, "dns:", 4) == 0)
		return gn_bytes(GEN_DNS, item + 4, strlen(item + 4));
	if (strncmp(item, "uri:", 4) == 0)
		return gn_bytes(GEN_URI, item + 4, strlen(item + 4));
	if (strncmp(item, "email:", 6) == 0)
		return gn_bytes(GEN_EMAIL, item + 6, strlen(item + 6));
	if (strcmp(item, "ip8") == 0)
		return gn_bytes(GEN_IPADD, masked, sizeof(masked));
	if (strncmp(item, "ip:", 3) == 0) {
		if (inet_pton(AF_INET, item + 3, ip) == 1)
			return gn_bytes(GEN_IPADD, ip, 4);
		assert_int_equal(inet_pton(AF_INET6, item + 3, ip), 1);
		return gn_bytes(GEN_IPADD, ip, 16);
	}
	assert_string_equal(item, "other");
	g = GENERAL_NAME_new();
	o = OBJ_txt2obj("1.3.6.1.4.1.311.20.2.3", 1);
	t = ASN1_TYPE_new();
	u = ASN1_UTF8STRING_new();
	assert_non_null(g);
	assert_non_null(o);
	assert_non_null(t);
	assert_non_null(u);
	assert_int_equal(ASN1_STRING_set(u, "admin@example.com", -1), 1);
	ASN1_TYPE_set(t, V_ASN1_UTF8STRING, u);
	assert_int_equal(GENERAL_NAME_set0_othername(g, o, t), 1);
	return g;
}

static void
push_ext(STACK_OF(X509_EXTENSION) *exts, X509_EXTENSION *e)
{
	assert_non_null(e);
	assert_true(sk_X509_EXTENSION_push(exts, e) > 0);
}

/* First occurrence of needle in hay, or NULL. */
static uint8_t *
find_bytes(uint8_t *hay, size_t n, const void *needle, size_t m)
{
	size_t i;

	for (i = 0; m <= n && i <= n - m; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return hay + i;
	return NULL;
}

/* Appends a DER length to buf at *off. */
static void
put_len(uint8_t *buf, size_t *off, size_t len)
{
	if (len < 0x80) {
		buf[(*off)++] = (uint8_t)len;
	} else if (len < 0x100) {
		buf[(*off)++] = 0x81;
		buf[(*off)++] = (uint8_t)len;
	} else {
		assert_true(len < 0x10000);
		buf[(*off)++] = 0x82;
		buf[(*off)++] = (uint8_t)(len >> 8);
		buf[(*off)++] = (uint8_t)len;
	}
}

/*
 * Replaces the one occurrence of `from` inside the CertificationRequestInfo
 * of *der with `to` and signs the edited part again with key, reassembling
 * the request by hand: OpenSSL itself refuses to encode (or decode) some of
 * the values this is used for, such as invalid UTF-8 in a name.
 */
static void
patch_resign(uint8_t **der, size_t *len, const char *from, const char *to,
    size_t n, EVP_PKEY *key, const char *md)
{
	const unsigned char *p = *der, *tbs, *tbs_end, *alg_end;
	long hlen;
	int tag, xclass;
	uint8_t *at, *out, *sig;
	size_t siglen = 0, body, off = 0;
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();

	assert_non_null(mctx);
	assert_int_equal(ASN1_get_object(&p, &hlen, &tag, &xclass,
	    (long)*len) & 0x80, 0);
	tbs = p;
	assert_int_equal(ASN1_get_object(&p, &hlen, &tag, &xclass,
	    (long)(*der + *len - p)) & 0x80, 0);
	tbs_end = p + hlen;
	p = tbs_end;
	assert_int_equal(ASN1_get_object(&p, &hlen, &tag, &xclass,
	    (long)(*der + *len - p)) & 0x80, 0);
	alg_end = p + hlen;
	at = find_bytes((uint8_t *)tbs, (size_t)(tbs_end - tbs), from, n);
	assert_non_null(at);
	memcpy(at, to, n);
	assert_int_equal(EVP_DigestSignInit_ex(mctx, NULL, md, NULL, NULL, key,
	    NULL), 1);
	assert_int_equal(EVP_DigestSign(mctx, NULL, &siglen, tbs,
	    (size_t)(tbs_end - tbs)), 1);
	sig = malloc(siglen);
	assert_non_null(sig);
	assert_int_equal(EVP_DigestSign(mctx, sig, &siglen, tbs,
	    (size_t)(tbs_end - tbs)), 1);
	body = (size_t)(alg_end - tbs) + 4 + siglen + 1;
	out = malloc(body + 8);
	assert_non_null(out);
	out[off++] = 0x30;
	put_len(out, &off, (size_t)(alg_end - tbs) + 1 +
	    (siglen + 1 < 0x80 ? 1 : siglen + 1 < 0x100 ? 2 : 3) + siglen + 1);
	memcpy(out + off, tbs, (size_t)(alg_end - tbs));
	off += (size_t)(alg_end - tbs);
	out[off++] = 0x03;
	put_len(out, &off, siglen + 1);
	out[off++] = 0x00; /* no unused bits */
	memcpy(out + off, sig, siglen);
	off += siglen;
	free(sig);
	free(*der);
	EVP_MD_CTX_free(mctx);
	*der = out;
	*len = off;
}

/* Builds and signs the request s describes; *len gets its DER length. */
static uint8_t *
build(const struct spec *s, size_t *len)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *nm;
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	uint8_t *out;
	size_t i;
	int n;

	assert_non_null(req);
	assert_non_null(exts);
	assert_non_null(gens);
	assert_non_null(mctx);
	assert_int_equal(X509_REQ_set_version(req, X509_REQ_VERSION_1), 1);
	assert_int_equal(X509_REQ_set_pubkey(req, s->key), 1);
	nm = X509_REQ_get_subject_name(req);
	for (i = 0; i < NELEM(s->subj) && s->subj[i].nid != 0; i++)
		assert_int_equal(X509_NAME_add_entry_by_NID(nm, s->subj[i].nid,
		    s->subj[i].type, (const unsigned char *)s->subj[i].val,
		    s->subj[i].len, -1, s->subj[i].set), 1);
	for (i = 0; i < NELEM(s->san) && s->san[i] != NULL; i++)
		assert_true(sk_GENERAL_NAME_push(gens,
		    gn_parse(s->san[i])) > 0);
	if (sk_GENERAL_NAME_num(gens) > 0)
		push_ext(exts, X509V3_EXT_i2d(NID_subject_alt_name, 0, gens));
	if (s->dup_san)
		push_ext(exts, X509V3_EXT_i2d(NID_subject_alt_name, 0, gens));
	if (s->bc != NULL)
		push_ext(exts, X509V3_EXT_conf_nid(NULL, NULL,
		    NID_basic_constraints, s->bc));
	if (s->ku != NULL)
		push_ext(exts, X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage,
		    s->ku));
	if (s->eku != NULL)
		push_ext(exts, X509V3_EXT_conf_nid(NULL, NULL,
		    NID_ext_key_usage, s->eku));
	if (s->crit_oid != NULL) {
		static const uint8_t null[] = {0x05, 0x00};
		ASN1_OBJECT *o = OBJ_txt2obj(s->crit_oid, 1);
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();

		assert_non_null(o);
		assert_non_null(os);
		assert_int_equal(ASN1_OCTET_STRING_set(os, null, 2), 1);
		push_ext(exts, X509_EXTENSION_create_by_OBJ(NULL, o, 1, os));
		ASN1_OBJECT_free(o);
		ASN1_OCTET_STRING_free(os);
	}
	if (sk_X509_EXTENSION_num(exts) > 0)
		assert_int_equal(X509_REQ_add_extensions(req, exts), 1);
	assert_int_equal(EVP_DigestSignInit_ex(mctx, NULL, s->md, NULL, NULL,
	    s->signer != NULL ? s->signer : s->key, NULL), 1);
	assert_true(X509_REQ_sign_ctx(req, mctx) > 0);
	n = i2d_X509_REQ(req, &der);
	assert_true(n > 0);
	out = malloc((size_t)n);
	assert_non_null(out);
	memcpy(out, der, (size_t)n);
	*len = (size_t)n;
	if (s->patch_from != NULL)
		patch_resign(&out, len, s->patch_from, s->patch_to,
		    s->patch_len, s->signer != NULL ? s->signer : s->key,
		    s->md);
	if (s->bad_sig)
		out[*len - 1] ^= 0x01; /* last octet of the signature */
	if (s->off_curve) {
		unsigned char *spki = NULL;
		int sl = i2d_PUBKEY(s->key, &spki);
		uint8_t *at;

		assert_true(sl > 0);
		at = find_bytes(out, *len, spki, (size_t)sl);
		assert_non_null(at);
		at[sl - 1] ^= 0x01; /* lowest bit of Y */
		OPENSSL_free(spki);
	}
	OPENSSL_free(der);
	EVP_MD_CTX_free(mctx);
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	return out;
}

/* --- evaluating ----------------------------------------------------------- */

static void
print_violations(const char *what, const cw_violations *v)
{
	size_t i;

	print_message("%s: %zu violation(s)\n", what, v->n);
	for (i = 0; i < v->n; i++)
		print_message("  %s: %s\n", v->items[i].rule, v->items[i].msg);
}

/*
 * Evaluates the request s describes against template tpl.  The violations
 * must be exactly the rule ids in want (a NULL-terminated multiset), and,
 * when sub is given, the message of the first wanted rule must contain sub.
 * `what` names the case in failure output.
 */
static void
expect_rules(const char *what, const char *tpl, const struct spec *s,
    const char *sub, const char *const *want)
{
	const cw_template *t = cw_policy_get0_template(policy, tpl);
	cw_err err = CW_ERR_INIT;
	cw_violations v;
	cw_csr *csr = NULL;
	uint8_t *der;
	size_t len, i, j, nwant = 0;
	bool used[CW_MAX_VIOLATIONS] = {false};
	bool ok = true, found_sub = sub == NULL;
	cw_rc rc;

	assert_non_null(t);
	der = build(s, &len);
	rc = cw_csr_parse(der, len, &csr, &err);
	if (rc != CW_OK)
		fail_msg("%s: cw_csr_parse: %s: %s", what, cw_rc_name(rc),
		    err.msg);
	cw_violations_init(&v);
	rc = cw_policy_eval(t, csr, &v, &err);
	if (rc != CW_OK)
		fail_msg("%s: cw_policy_eval: %s: %s", what, cw_rc_name(rc),
		    err.msg);
	assert_false(v.truncated);
	assert_false(v.oom);
	assert_true(v.n <= CW_MAX_VIOLATIONS);
	for (i = 0; want[i] != NULL; i++) {
		nwant++;
		for (j = 0; j < v.n; j++)
			if (!used[j] && strcmp(v.items[j].rule, want[i]) == 0)
				break;
		if (j == v.n) {
			print_message("%s: missing %s\n", what, want[i]);
			ok = false;
			continue;
		}
		used[j] = true;
		if (i == 0 && sub != NULL &&
		    strstr(v.items[j].msg, sub) != NULL)
			found_sub = true;
	}
	if (v.n != nwant)
		ok = false;
	if (!ok || !found_sub) {
		print_violations(what, &v);
		if (!found_sub)
			print_message("%s: no %s message names '%s'\n", what,
			    want[0], sub);
		fail_msg("%s: template %s: wrong violations", what, tpl);
	}
	assert_int_equal(cw_violations_any(&v), nwant > 0);
	cw_violations_cleanup(&v);
	cw_csr_free(csr);
	free(der);
}

#define EXPECT(what, tpl, s, sub, ...) \
	expect_rules((what), (tpl), (s), (sub), \
	    (const char *const[]){__VA_ARGS__, NULL})
#define COMPLIANT(what, tpl, s) \
	expect_rules((what), (tpl), (s), NULL, (const char *const[]){NULL})

/* --- compliant requests --------------------------------------------------- */

/* The web-server baseline (EC P-256, names covered by every pattern kind). */
static void
test_web_server_compliant(void **state)
{
	struct spec s = web_spec();

	(void)state;
	COMPLIANT("web baseline", "web-server", &s);
	s.key = key_p384();
	s.md = "SHA384";
	COMPLIANT("web P-384 SHA-384", "web-server", &s);
	s.md = "SHA512";
	COMPLIANT("web SHA-512", "web-server", &s);
	/* no CN at all is fine: common_name is not required */
	s = web_spec();
	memset(s.subj, 0, sizeof(s.subj));
	COMPLIANT("web without subject", "web-server", &s);
	/* no extensions besides SAN: nothing asked, nothing refused */
	s = web_spec();
	s.ku = s.eku = NULL;
	COMPLIANT("web without KU/EKU", "web-server", &s);
}

/* RSA 3072 with digitalSignature + keyEncipherment fits web-server. */
static void
test_web_server_rsa_compliant(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.key = key_rsa(3072, 65537);
	s.ku = "critical,digitalSignature,keyEncipherment";
	COMPLIANT("web RSA-3072", "web-server", &s);
}

/* The workload-mtls baseline with EC P-256 and with Ed25519. */
static void
test_workload_compliant(void **state)
{
	struct spec s = workload_spec();

	(void)state;
	COMPLIANT("workload P-256", "workload-mtls", &s);
	s.key = key_ed25519();
	s.md = NULL;
	COMPLIANT("workload Ed25519", "workload-mtls", &s);
}

/* The code-signing baseline (EC P-384, SHA-384, no SAN). */
static void
test_code_signing_compliant(void **state)
{
	struct spec s = codesign_spec();

	(void)state;
	COMPLIANT("code-signing P-384", "code-signing", &s);
	s.md = "SHA512";
	COMPLIANT("code-signing SHA-512", "code-signing", &s);
}

/* --- key ------------------------------------------------------------------ */

/* A key type the template does not name: key.algorithm. */
static void
test_key_algorithm(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.key = key_ed25519();
	s.md = NULL;
	EXPECT("Ed25519 on web-server", "web-server", &s, "ed25519",
	    "key.algorithm");
	s = workload_spec();
	s.key = key_rsa(3072, 65537);
	EXPECT("RSA on workload-mtls", "workload-mtls", &s, "RSA",
	    "key.algorithm");
	/* DESIGN 6.1: an RSA-PSS key is not an `rsa` key */
	s = web_spec();
	s.key = key_rsa_pss();
	EXPECT("RSA-PSS on web-server", "web-server", &s, "RSA-PSS",
	    "key.algorithm");
}

/* An RSA modulus below min_bits: key.size naming the size. */
static void
test_key_size(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.key = key_rsa(2048, 65537);
	EXPECT("RSA-2048 on web-server", "web-server", &s, "2048", "key.size");
	/* bits are counted exactly: 3071 is not 3072 */
	s.key = key_rsa_3071();
	EXPECT("RSA-3071 on web-server", "web-server", &s, "3071", "key.size");
}

/* An RSA exponent other than the template's: key.exponent. */
static void
test_key_exponent(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.key = key_rsa(3072, 3);
	EXPECT("RSA e=3 on web-server", "web-server", &s, "exponent 3",
	    "key.exponent");
}

/* An EC curve the template does not list: key.curve naming the curve. */
static void
test_key_curve(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.key = key_p521();
	EXPECT("P-521 on web-server", "web-server", &s, "P-521", "key.curve");
	s = workload_spec();
	s.key = key_p384();
	EXPECT("P-384 on workload-mtls", "workload-mtls", &s, "P-384",
	    "key.curve");
	s = codesign_spec();
	s.key = key_p256();
	EXPECT("P-256 on code-signing", "code-signing", &s, "P-256",
	    "key.curve");
}

/* An RSA modulus with the factor 3: key.weak (and no proof of possession). */
static void
test_key_weak_small_factor(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.key = key_rsa_small_factor();
	s.signer = key_p256();
	EXPECT("n = 3q on web-server", "web-server", &s, "factor 3", "key.weak",
	    "pop");
}

/* An EC point off its curve: key.weak (the signature cannot be checked). */
static void
test_key_weak_off_curve(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.off_curve = true;
	EXPECT("P-256 point off curve", "web-server", &s, "not on the curve",
	    "key.weak", "pop");
}

/* --- signature ------------------------------------------------------------ */

/* A hash outside signature_hashes: signature.hash naming the hash. */
static void
test_signature_hash(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.md = "SHA1";
	EXPECT("SHA-1 on web-server", "web-server", &s, "sha1",
	    "signature.hash");
	s.md = "SHA224";
	EXPECT("SHA-224 on web-server", "web-server", &s, "sha224",
	    "signature.hash");
	s = codesign_spec();
	s.md = "SHA256";
	EXPECT("SHA-256 on code-signing", "code-signing", &s, "sha256",
	    "signature.hash");
	s = web_spec();
	s.key = key_rsa(3072, 65537);
	s.md = "SHA1";
	EXPECT("RSA SHA-1 on web-server", "web-server", &s, "sha1",
	    "signature.hash");
}

/* A self-signature that does not verify: pop. */
static void
test_pop(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.bad_sig = true;
	EXPECT("flipped signature bit", "web-server", &s, "proof of possession",
	    "pop");
	s = web_spec();
	s.signer = key_p384(); /* not the key in the request */
	s.md = "SHA256";
	EXPECT("signed by another key", "web-server", &s, NULL, "pop");
	s = workload_spec();
	s.key = key_ed25519();
	s.md = NULL;
	s.bad_sig = true;
	EXPECT("Ed25519 flipped signature", "workload-mtls", &s, NULL, "pop");
}

/* --- subject -------------------------------------------------------------- */

/* in_san: a CN that is not one of the SANs is a subject.common_name. */
static void
test_cn_not_in_san(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.subj[0].val = "b.svc.example.internal";
	EXPECT("CN not a SAN", "web-server", &s, "b.svc.example.internal",
	    "subject.common_name");
	/* an IP-literal CN must be one of the IP SANs */
	s.subj[0].val = "10.1.2.4";
	EXPECT("IP CN not an IP SAN", "web-server", &s, "10.1.2.4",
	    "subject.common_name");
	/* an IP-literal CN is not matched against DNS SANs */
	s = web_spec();
	clear_sans(&s);
	s.san[0] = "dns:www.example.com";
	s.subj[0].val = "10.1.2.3";
	EXPECT("IP CN with DNS SANs only", "web-server", &s, "10.1.2.3",
	    "subject.common_name");
}

/* in_san: DNS compared case-insensitively; IP-literal CNs against IP SANs. */
static void
test_cn_in_san_accepted(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.subj[0].val = "WWW.Example.COM";
	COMPLIANT("CN in other case", "web-server", &s);
	s.subj[0].val = "10.1.2.3";
	COMPLIANT("IPv4 CN equal to an IP SAN", "web-server", &s);
	s.subj[0].val = "fd00::1";
	COMPLIANT("IPv6 CN equal to an IP SAN", "web-server", &s);
	s.subj[0].val = "fd00:0:0::0:1";
	COMPLIANT("IPv6 CN written differently", "web-server", &s);
}

/* value: the organization must be byte-equal to the template's. */
static void
test_organization_value(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.subj[1].val = "Other Corp";
	EXPECT("wrong O", "web-server", &s, "Other Corp",
	    "subject.organization");
	s.subj[1].val = "example corp";
	EXPECT("O in other case", "web-server", &s, "example corp",
	    "subject.organization");
	s.subj[1].val = "Example Corp.";
	EXPECT("O with extra dot", "web-server", &s, "Example Corp.",
	    "subject.organization");
}

/* Attributes without a rule under other_fields: deny. */
static void
test_other_fields(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.subj[2] = (struct attr)UTF8(NID_organizationalUnitName, "Ops");
	EXPECT("OU on web-server", "web-server", &s, "Ops",
	    "subject.other_fields");
	/* DESIGN 6.1: a CN where the template has no common_name rule */
	s = workload_spec();
	s.subj[0] = (struct attr)UTF8(NID_commonName, "web");
	EXPECT("CN on workload-mtls", "workload-mtls", &s, "web",
	    "subject.other_fields");
}

/* String types: BMPString refused; PrintableString accepted if valid. */
static void
test_subject_encoding_types(void **state)
{
	static const char bmp[] = "\0W\0i\0d\0g\0e\0t\0 \0R\0e\0l\0e\0a\0s\0e"
	    "\0 \0S\0i\0g\0n\0i\0n\0g";
	struct spec s = codesign_spec();

	(void)state;
	s.subj[1].type = V_ASN1_PRINTABLESTRING;
	COMPLIANT("PrintableString O", "code-signing", &s);
	/* '@' is outside the PrintableString set (X.680 41.4) */
	s = codesign_spec();
	s.subj[0].type = V_ASN1_PRINTABLESTRING;
	s.subj[0].val = "Widget@ Release Signing";
	EXPECT("PrintableString with @", "code-signing", &s, "Widget@",
	    "subject.encoding");
	s = codesign_spec();
	s.subj[0].type = V_ASN1_IA5STRING;
	EXPECT("IA5String CN", "code-signing", &s, "IA5String",
	    "subject.encoding");
	/* a BMPString's octets are not the UTF-8 the pattern is written
	 * in, so the pattern cannot match them either */
	s = codesign_spec();
	s.subj[0].type = V_ASN1_BMPSTRING;
	s.subj[0].val = bmp;
	s.subj[0].len = (int)sizeof(bmp) - 1;
	EXPECT("BMPString CN", "code-signing", &s, "BMPSTRING",
	    "subject.encoding", "subject.common_name");
	s = web_spec();
	s.subj[0].type = V_ASN1_BMPSTRING;
	s.subj[0].val = "\0w\0w\0w\0.\0e\0x\0a\0m\0p\0l\0e\0.\0c\0o\0m";
	s.subj[0].len = 30;
	EXPECT("BMPString CN on web-server", "web-server", &s, "BMPSTRING",
	    "subject.encoding", "subject.common_name");
}

/* Value hygiene: whitespace at either end, control characters, NUL. */
static void
test_subject_encoding_values(void **state)
{
	struct spec s = codesign_spec();

	(void)state;
	/* the pattern "* Release Signing" matches, only hygiene is wrong */
	s.subj[0].val = " Widget Release Signing";
	EXPECT("leading space", "code-signing", &s, "whitespace",
	    "subject.encoding");
	s.subj[0].val = "Widget Release Signing ";
	EXPECT("trailing space on CN", "code-signing", &s, NULL,
	    "subject.encoding", "subject.common_name");
	s = codesign_spec();
	s.subj[2] = (struct attr)UTF8(NID_organizationalUnitName, "Ops ");
	EXPECT("trailing space on OU", "code-signing", &s, "whitespace",
	    "subject.encoding", "subject.other_fields");
	s = codesign_spec();
	s.subj[2] = (struct attr)UTF8(NID_organizationalUnitName, "");
	EXPECT("empty OU", "code-signing", &s, "empty", "subject.encoding",
	    "subject.other_fields");
	s = codesign_spec();
	s.subj[0].val = "Wid\x01get Release Signing";
	EXPECT("control character", "code-signing", &s, "control",
	    "subject.encoding");
	s.subj[0].val = "Widget\0 Release Signing";
	s.subj[0].len = 23;
	EXPECT("NUL byte", "code-signing", &s, "NUL", "subject.encoding");
	/* OpenSSL will not encode invalid UTF-8: write a valid value and
	 * break its second octet afterwards */
	s.subj[0].val = "Wid\xc3\xa8 Release Signing";
	s.subj[0].len = -1;
	s.patch_from = "Wid\xc3\xa8";
	s.patch_to = "Wid\xc3\x28";
	s.patch_len = 5;
	EXPECT("invalid UTF-8", "code-signing", &s, "UTF-8",
	    "subject.encoding");
	s.patch_from = s.patch_to = NULL;
	COMPLIANT("the same value unbroken", "code-signing", &s);
	/* valid UTF-8 beyond ASCII is fine */
	s.subj[0].val = "Gr\xc3\xbc\xc3\x9f" "e Release Signing";
	COMPLIANT("UTF-8 CN", "code-signing", &s);
}

/* Each attribute at most once, one attribute per RDN: subject.shape. */
static void
test_subject_shape(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.subj[2] = (struct attr)UTF8(NID_commonName, "www.example.com");
	EXPECT("two CNs", "web-server", &s, "more than once", "subject.shape");
	s = web_spec();
	s.subj[1].set = -1; /* O joins the CN's RDN */
	EXPECT("multi-valued RDN", "web-server", &s, "RDN", "subject.shape");
}

/* code-signing: the CN must match "* Release Signing" and is required. */
static void
test_code_signing_cn(void **state)
{
	struct spec s = codesign_spec();

	(void)state;
	s.subj[0].val = " Release Signing";
	EXPECT("pattern matched by leading space only", "code-signing", &s,
	    NULL, "subject.encoding");
	s.subj[0].val = "Release Signing";
	EXPECT("no text before the space", "code-signing", &s,
	    "Release Signing", "subject.common_name");
	s.subj[0].val = "Widget Release Signing Key";
	EXPECT("text after the pattern", "code-signing", &s,
	    "Widget Release Signing Key", "subject.common_name");
	s.subj[0].val = "Widget release signing";
	EXPECT("pattern is case-sensitive", "code-signing", &s,
	    "Widget release signing", "subject.common_name");
	s.subj[0].val = "A B C Release Signing";
	COMPLIANT("* matches spaces", "code-signing", &s);
	/* required CN missing */
	s = codesign_spec();
	s.subj[0] = s.subj[1];
	memset(&s.subj[1], 0, sizeof(s.subj[1]));
	EXPECT("CN missing", "code-signing", &s, "missing",
	    "subject.common_name");
	/* required O missing */
	s = codesign_spec();
	memset(&s.subj[1], 0, sizeof(s.subj[1]));
	EXPECT("O missing", "code-signing", &s, "missing",
	    "subject.organization");
}

/* --- subjectAltName ------------------------------------------------------- */

/* san.required: no names at all. */
static void
test_san_required(void **state)
{
	struct spec s = web_spec();

	(void)state;
	clear_sans(&s);
	memset(s.subj, 0, sizeof(s.subj));
	EXPECT("no SAN", "web-server", &s, "web-server", "san.required");
	/* a CN alone is not a SAN (and then is not in the SANs) */
	s = web_spec();
	clear_sans(&s);
	EXPECT("CN but no SAN", "web-server", &s, NULL, "san.required",
	    "subject.common_name");
	s = workload_spec();
	clear_sans(&s);
	EXPECT("no SAN on workload-mtls", "workload-mtls", &s, NULL,
	    "san.required");
}

/* san.count: max names; max 0 means none. */
static void
test_san_count(void **state)
{
	static const char *const many[] = {"dns:a0.svc.example.internal",
	    "dns:a1.svc.example.internal", "dns:a2.svc.example.internal",
	    "dns:a3.svc.example.internal", "dns:a4.svc.example.internal",
	    "dns:a5.svc.example.internal", "dns:a6.svc.example.internal",
	    "dns:a7.svc.example.internal", "dns:a8.svc.example.internal",
	    "dns:a9.svc.example.internal"};
	struct spec s = web_spec();
	size_t i;

	(void)state;
	clear_sans(&s);
	memset(s.subj, 0, sizeof(s.subj));
	for (i = 0; i < NELEM(many); i++)
		s.san[i] = many[i];
	COMPLIANT("10 names on web-server", "web-server", &s);
	s.san[10] = "dns:www.example.com";
	EXPECT("11 names on web-server", "web-server", &s, "11", "san.count");
	s = workload_spec();
	s.san[1] = "uri:spiffe://example.internal/ns/prod/sa/db";
	EXPECT("2 URIs on workload-mtls", "workload-mtls", &s, "at most 1",
	    "san.count");
	/* code-signing: max 0 and no dns list, so a name breaks both */
	s = codesign_spec();
	s.san[0] = "dns:www.example.com";
	EXPECT("a name on code-signing", "code-signing", &s, "at most 0",
	    "san.count", "san.dns");
}

/* san.dns: suffix tricks and label counts are refused, by name. */
static void
test_san_dns_refused(void **state)
{
	static const char *const bad[] = {
		"svc.example.internal",               /* * needs one label */
		"a.b.svc.example.internal",           /* * is one label only */
		"evilsvc.example.internal",           /* not a label boundary */
		"a.svc.example.internal.evil.test",   /* not at the end */
		"a-svc.example.internal",
		"apps.example.internal",              /* ** needs one or more */
		"xapps.example.internal",
		"example.com",
		"wwww.example.com",
		"www.example.com.evil.test",
		"www.example.co",
		"a..svc.example.internal",            /* empty label */
		"a.svc.example.internal.",            /* trailing dot */
		"a_b.svc.example.internal",           /* not LDH */
		"-a.svc.example.internal",            /* hyphen at the start */
	};
	struct spec s;
	char label[64], item[320];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		s = web_spec();
		memset(s.subj, 0, sizeof(s.subj));
		snprintf(item, sizeof(item), "dns:%s", bad[i]);
		s.san[1] = item;
		snprintf(label, sizeof(label), "dns %.50s", bad[i]);
		EXPECT(label, "web-server", &s, bad[i], "san.dns");
	}
}

/* san.dns: names the patterns cover, in any case. */
static void
test_san_dns_accepted(void **state)
{
	static const char *const good[] = {
		"b.svc.example.internal",
		"B-1.SVC.Example.Internal",
		"x.apps.example.internal",
		"a.b.c.d.apps.example.internal",
		"WWW.EXAMPLE.COM",
	};
	struct spec s;
	char item[320];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good); i++) {
		s = web_spec();
		snprintf(item, sizeof(item), "dns:%s", good[i]);
		s.san[1] = item;
		COMPLIANT(good[i], "web-server", &s);
	}
}

/* san.wildcard: a wildcard name on a template without wildcards. */
static void
test_san_wildcard(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.san[1] = "dns:*.svc.example.internal";
	EXPECT("wildcard", "web-server", &s, "*.svc.example.internal",
	    "san.wildcard");
	s.san[1] = "dns:*.apps.example.internal";
	EXPECT("wildcard under **", "web-server", &s, "*.apps.example.internal",
	    "san.wildcard");
}

/* san.ip: 4 or 16 octets inside the template's blocks. */
static void
test_san_ip(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.san[3] = "ip:192.168.1.1";
	EXPECT("IPv4 outside 10/8", "web-server", &s, "192.168.1.1", "san.ip");
	s.san[3] = "ip:fe80::1";
	EXPECT("IPv6 outside fd00::/8", "web-server", &s, "fe80::1", "san.ip");
	s.san[3] = "ip:11.0.0.1";
	EXPECT("just past 10/8", "web-server", &s, "11.0.0.1", "san.ip");
	s.san[3] = "ip:::ffff:192.168.1.1";
	EXPECT("mapped IPv4 outside 10/8", "web-server", &s, "192.168.1.1",
	    "san.ip");
	/* docs/rules.md: an IP SAN that is not 4 or 16 octets is a
	 * structural defect, extension.malformed, not an address to match */
	s.san[3] = "ip8";
	EXPECT("8-octet IP", "web-server", &s, "8 octets",
	    "extension.malformed");
	/* accepted: edges of the blocks and a mapped address inside 10/8 */
	s.san[3] = "ip:10.255.255.255";
	COMPLIANT("last of 10/8", "web-server", &s);
	s.san[3] = "ip:fdff:ffff::1";
	COMPLIANT("inside fd00::/8", "web-server", &s);
	s.san[3] = "ip:::ffff:10.1.2.3";
	COMPLIANT("mapped IPv4 inside 10/8", "web-server", &s);
	/* workload-mtls has no ip list: no address is allowed */
	s = workload_spec();
	s.san[0] = "ip:10.1.2.3";
	EXPECT("IP on workload-mtls", "workload-mtls", &s, "10.1.2.3",
	    "san.ip");
}

/* san.uri: the SPIFFE pattern, one segment per *, no tricks. */
static void
test_san_uri(void **state)
{
	static const char *const bad[] = {
		"spiffe://example.internal/ns/prod/sa/../../admin",
		"spiffe://example.internal/ns/../sa/web",
		"spiffe://example.internal/ns/prod/sa/web/extra",
		"spiffe://example.internal/ns/prod/sa/",
		"spiffe://example.internal/ns/prod/sa/web?x=1",
		"spiffe://example.internal/ns/prod/sa/web#f",
		"spiffe://evil@example.internal/ns/prod/sa/web",
		"spiffe://example.internal:443/ns/prod/sa/web",
		"spiffe://example.internal/ns/a%2fb/sa/web",
		"spiffe://example.internal.evil/ns/prod/sa/web",
		"spiffe://example.internal/NS/prod/sa/web",
		"https://example.internal/ns/prod/sa/web",
	};
	struct spec s;
	char item[320], label[64];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		s = workload_spec();
		snprintf(item, sizeof(item), "uri:%s", bad[i]);
		s.san[0] = item;
		snprintf(label, sizeof(label), "uri %.50s", bad[i]);
		EXPECT(label, "workload-mtls", &s, bad[i], "san.uri");
	}
	s = workload_spec();
	s.san[0] = "uri:SPIFFE://EXAMPLE.internal/ns/prod/sa/web";
	COMPLIANT("scheme and host in other case", "workload-mtls", &s);
	/* web-server has `uri: []`: no URI is allowed */
	s = web_spec();
	s.san[4] = "uri:spiffe://example.internal/ns/prod/sa/web";
	EXPECT("URI on web-server", "web-server", &s, "spiffe://", "san.uri");
}

/* san.email: web-server has `email: []`. */
static void
test_san_email(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.san[4] = "email:ops@example.com";
	EXPECT("email on web-server", "web-server", &s, "ops@example.com",
	    "san.email");
}

/* san.other: otherName is never issued. */
static void
test_san_other(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.san[4] = "other";
	EXPECT("otherName on web-server", "web-server", &s, "otherName",
	    "san.other");
}

/* --- requested extensions ------------------------------------------------- */

/* basicConstraints CA:TRUE or a path length is refused; CA:FALSE is fine. */
static void
test_basic_constraints(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.bc = "critical,CA:TRUE";
	EXPECT("CA:TRUE", "web-server", &s, "CA:TRUE",
	    "extension.basic_constraints");
	s.bc = "CA:FALSE,pathlen:0";
	EXPECT("path length", "web-server", &s, "path length",
	    "extension.basic_constraints");
	s.bc = "critical,CA:FALSE";
	COMPLIANT("CA:FALSE", "web-server", &s);
}

/* keyUsage outside the template, or not fitting the key type. */
static void
test_key_usage(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.ku = "critical,digitalSignature,keyCertSign";
	EXPECT("keyCertSign", "web-server", &s, "keyCertSign",
	    "extension.key_usage");
	s.ku = "critical,digitalSignature,keyEncipherment";
	EXPECT("keyEncipherment with EC", "web-server", &s, "cannot encrypt",
	    "extension.key_usage");
	s = workload_spec();
	s.key = key_ed25519();
	s.md = NULL;
	s.ku = "critical,digitalSignature,keyEncipherment";
	EXPECT("keyEncipherment with Ed25519 (and not allowed)",
	    "workload-mtls", &s, NULL, "extension.key_usage",
	    "extension.key_usage");
	s = codesign_spec();
	s.ku = "critical,digitalSignature,nonRepudiation";
	EXPECT("nonRepudiation on code-signing", "code-signing", &s,
	    "nonRepudiation", "extension.key_usage");
}

/* extKeyUsage outside the template. */
static void
test_extended_key_usage(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.eku = "serverAuth,codeSigning";
	EXPECT("codeSigning on web-server", "web-server", &s, "codeSigning",
	    "extension.extended_key_usage");
	s.eku = "clientAuth";
	EXPECT("clientAuth on web-server", "web-server", &s, "clientAuth",
	    "extension.extended_key_usage");
	s.eku = "1.3.6.1.4.1.99999.7";
	EXPECT("unknown EKU", "web-server", &s, "1.3.6.1.4.1.99999.7",
	    "extension.extended_key_usage");
	s = codesign_spec();
	s.eku = "serverAuth";
	EXPECT("serverAuth on code-signing", "code-signing", &s, "serverAuth",
	    "extension.extended_key_usage");
}

/* The parser's structural findings reach the verdict. */
static void
test_findings_reported(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.dup_san = true;
	EXPECT("two SAN extensions", "web-server", &s, "more than once",
	    "extension.duplicate");
	s = web_spec();
	s.crit_oid = "1.3.6.1.4.1.99999.1";
	EXPECT("unknown critical extension", "web-server", &s,
	    "1.3.6.1.4.1.99999.1", "extension.critical");
}

/* A request breaking several rules gets every one of them. */
static void
test_many_rules(void **state)
{
	struct spec s = web_spec();

	(void)state;
	s.key = key_p521();
	s.md = "SHA1";
	s.subj[1].val = "Other Corp";
	s.subj[2] = (struct attr)UTF8(NID_organizationalUnitName, "Ops");
	s.san[1] = "dns:evil.example.org";
	s.san[2] = "dns:*.svc.example.internal";
	s.san[3] = "ip:192.168.1.1";
	s.san[4] = "email:ops@example.com";
	s.san[5] = "other";
	s.bc = "critical,CA:TRUE";
	s.ku = "critical,digitalSignature,keyCertSign";
	s.eku = "serverAuth,codeSigning";
	s.crit_oid = "1.3.6.1.4.1.99999.1";
	EXPECT("everything wrong", "web-server", &s, "P-521",
	    "key.curve", "signature.hash", "subject.organization",
	    "subject.other_fields", "san.dns", "san.wildcard", "san.ip",
	    "san.email", "san.other", "extension.basic_constraints",
	    "extension.key_usage", "extension.extended_key_usage",
	    "extension.critical");
	s.bad_sig = true;
	s.subj[0].val = "b.svc.example.internal";
	EXPECT("and more", "web-server", &s, NULL,
	    "key.curve", "signature.hash", "pop", "subject.common_name",
	    "subject.organization", "subject.other_fields", "san.dns",
	    "san.wildcard", "san.ip", "san.email", "san.other",
	    "extension.basic_constraints", "extension.key_usage",
	    "extension.extended_key_usage", "extension.critical");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_web_server_compliant),
		cmocka_unit_test(test_web_server_rsa_compliant),
		cmocka_unit_test(test_workload_compliant),
		cmocka_unit_test(test_code_signing_compliant),
		cmocka_unit_test(test_key_algorithm),
		cmocka_unit_test(test_key_size),
		cmocka_unit_test(test_key_exponent),
		cmocka_unit_test(test_key_curve),
		cmocka_unit_test(test_key_weak_small_factor),
		cmocka_unit_test(test_key_weak_off_curve),
		cmocka_unit_test(test_signature_hash),
		cmocka_unit_test(test_pop),
		cmocka_unit_test(test_cn_not_in_san),
		cmocka_unit_test(test_cn_in_san_accepted),
		cmocka_unit_test(test_organization_value),
		cmocka_unit_test(test_other_fields),
		cmocka_unit_test(test_subject_encoding_types),
		cmocka_unit_test(test_subject_encoding_values),
		cmocka_unit_test(test_subject_shape),
		cmocka_unit_test(test_code_signing_cn),
		cmocka_unit_test(test_san_required),
		cmocka_unit_test(test_san_count),
		cmocka_unit_test(test_san_dns_refused),
		cmocka_unit_test(test_san_dns_accepted),
		cmocka_unit_test(test_san_wildcard),
		cmocka_unit_test(test_san_ip),
		cmocka_unit_test(test_san_uri),
		cmocka_unit_test(test_san_email),
		cmocka_unit_test(test_san_other),
		cmocka_unit_test(test_basic_constraints),
		cmocka_unit_test(test_key_usage),
		cmocka_unit_test(test_extended_key_usage),
		cmocka_unit_test(test_findings_reported),
		cmocka_unit_test(test_many_rules),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
