/*
 * test_ocsp_resp.c - the OCSP responder core (src/x509/ocsp_resp.c).
 *
 * A P-256 root, an issuing CA under it, leaves, a delegated OCSP responder
 * and an unrelated CA are made once with cert_build.  Requests come from
 * OpenSSL's own client code (OCSP_REQUEST_new, OCSP_cert_to_id) and our
 * responses are read back with OpenSSL's (d2i_OCSP_RESPONSE,
 * OCSP_basic_verify, OCSP_resp_find_status, OCSP_check_nonce), so an
 * encoding mistake fails here and not in a relying party.  Hostile
 * requests are put together byte by byte with a small DER writer.
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

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "src/common/util.h"
#include "src/policy/policy.h"
#include "src/x509/cert_build.h"
#include "src/x509/ocsp_resp.h"
#include "testutil.h"

#define T_2024 INT64_C(1704067200)
#define T_2034 INT64_C(2019686400)
#define T_2044 INT64_C(2335219200)
#define T_LEAF_NB INT64_C(1735689600) /* 2025-01-01 */
#define T_LEAF_NA INT64_C(1767225600) /* 2026-01-01 */
#define T_NOW INT64_C(1738368000)     /* 2025-02-01: thisUpdate */
#define T_NEXT (T_NOW + 86400)
#define T_REVOKED INT64_C(1737000000) /* 2025-01-16 */

static struct {
	EVP_PKEY *root_key, *ca_key, *other_key, *resp_key, *leaf_key;
	X509 *root, *ca, *other;       /* root, issuing CA, unrelated CA */
	X509 *leaf1, *leaf2, *other_leaf;
	X509 *responder;               /* delegated, id-kp-OCSPSigning */
	X509 *no_eku_responder;        /* under ca, serverAuth only */
	X509 *other_responder;         /* OCSPSigning, but under other */
} fx;

static const uint8_t serial1[16] = {
	0x5a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};
/* a sign octet before a set top bit: stored as 00 9a ..., hex "9a..." */
static const uint8_t serial2[17] = {
	0x00, 0x9a, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
static const uint8_t serial_r1[2] = {0x71, 0x01};
static const uint8_t serial_r2[2] = {0x71, 0x02};
static const uint8_t serial_r3[2] = {0x71, 0x03};

/* --- fixtures ------------------------------------------------------------- */

/* The DER of x parsed again, so that the key is decoded (cert_build
 * leaves it undecoded in the certificates it returns). */
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
	OPENSSL_free(der);
	X509_free(x);
	return y;
}

static X509 *
issue(const uint8_t *serial, size_t serial_len, const char *cn, uint32_t ku,
    int eku, X509 *issuer, EVP_PKEY *issuer_key)
{
	cw_name_attr subj[1];
	cw_gen_name san[1];
	cw_cert_profile p;
	cw_err err = CW_ERR_INIT;
	X509 *x = NULL;

	subj[0].nid = NID_commonName;
	subj[0].val = (const uint8_t *)cn;
	subj[0].len = strlen(cn);
	san[0].type = CW_GN_DNS;
	san[0].val = (const uint8_t *)cn;
	san[0].len = strlen(cn);
	memset(&p, 0, sizeof(p));
	p.serial = serial;
	p.serial_len = serial_len;
	p.not_before = T_LEAF_NB;
	p.not_after = T_LEAF_NA;
	p.subject = subj;
	p.n_subject = 1;
	p.sans = san;
	p.n_sans = 1;
	p.key_usage = ku;
	p.eku = &eku;
	p.n_eku = 1;
	p.md = "SHA256";
	if (cw_cert_issue(&p, fx.leaf_key, issuer, issuer_key, &x, &err) !=
	    CW_OK)
		fail_msg("cw_cert_issue %s: %s", cn, err.msg);
	return reparse(x);
}

static int
setup(void **state)
{
	cw_err err = CW_ERR_INIT;

	(void)state;
	fx.root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	fx.ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	fx.other_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	fx.resp_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	fx.leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (fx.root_key == NULL || fx.ca_key == NULL || fx.other_key == NULL ||
	    fx.resp_key == NULL || fx.leaf_key == NULL)
		return -1;
	if (cw_ca_cert_make(fx.root_key, "Example Root CA", "Example Org",
	    T_2024, T_2044, NULL, NULL, &fx.root, &err) != CW_OK ||
	    cw_ca_cert_make(fx.ca_key, "Example Issuing CA", "Example Org",
	    T_2024, T_2034, fx.root, fx.root_key, &fx.ca, &err) != CW_OK ||
	    cw_ca_cert_make(fx.other_key, "Other Root CA", NULL, T_2024,
	    T_2044, NULL, NULL, &fx.other, &err) != CW_OK) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	fx.root = reparse(fx.root);
	fx.ca = reparse(fx.ca);
	fx.other = reparse(fx.other);
	fx.leaf1 = issue(serial1, sizeof(serial1), "a.example.com",
	    CW_KU_DIGITAL_SIGNATURE, NID_server_auth, fx.ca, fx.ca_key);
	fx.leaf2 = issue(serial2, sizeof(serial2), "b.example.com",
	    CW_KU_DIGITAL_SIGNATURE, NID_server_auth, fx.ca, fx.ca_key);
	fx.other_leaf = issue(serial1, sizeof(serial1), "c.example.net",
	    CW_KU_DIGITAL_SIGNATURE, NID_server_auth, fx.other, fx.other_key);
	/* the responders' key is resp_key; issue() certifies leaf_key, so
	 * swap it in for these */
	{
		EVP_PKEY *k = fx.leaf_key;

		fx.leaf_key = fx.resp_key;
		fx.responder = issue(serial_r1, sizeof(serial_r1),
		    "ocsp.example.com", CW_KU_DIGITAL_SIGNATURE, NID_OCSP_sign,
		    fx.ca, fx.ca_key);
		fx.no_eku_responder = issue(serial_r2, sizeof(serial_r2),
		    "ocsp2.example.com", CW_KU_DIGITAL_SIGNATURE,
		    NID_server_auth, fx.ca, fx.ca_key);
		fx.other_responder = issue(serial_r3, sizeof(serial_r3),
		    "ocsp.example.net", CW_KU_DIGITAL_SIGNATURE, NID_OCSP_sign,
		    fx.other, fx.other_key);
		fx.leaf_key = k;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	X509_free(fx.root);
	X509_free(fx.ca);
	X509_free(fx.other);
	X509_free(fx.leaf1);
	X509_free(fx.leaf2);
	X509_free(fx.other_leaf);
	X509_free(fx.responder);
	X509_free(fx.no_eku_responder);
	X509_free(fx.other_responder);
	EVP_PKEY_free(fx.root_key);
	EVP_PKEY_free(fx.ca_key);
	EVP_PKEY_free(fx.other_key);
	EVP_PKEY_free(fx.resp_key);
	EVP_PKEY_free(fx.leaf_key);
	return 0;
}

/* --- requests from OpenSSL's client code ---------------------------------- */

/* A request for leaves[i] under issuers[i], hashed with md. */
static OCSP_REQUEST *
ossl_req(X509 *const *leaves, X509 *const *issuers, size_t n,
    const EVP_MD *md, int nonce_len)
{
	OCSP_REQUEST *r = OCSP_REQUEST_new();
	size_t i;

	assert_non_null(r);
	for (i = 0; i < n; i++) {
		OCSP_CERTID *id = OCSP_cert_to_id(md, leaves[i], issuers[i]);

		assert_non_null(id);
		assert_non_null(OCSP_request_add0_id(r, id));
	}
	if (nonce_len > 0)
		assert_int_equal(OCSP_request_add1_nonce(r, NULL, nonce_len),
		    1);
	return r;
}

static uint8_t *
req_der(OCSP_REQUEST *r, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_OCSP_REQUEST(r, &der);

	assert_true(n > 0);
	*len = (size_t)n;
	return der;
}

static cw_ocsp_req *
parse_ok(const uint8_t *der, size_t len)
{
	cw_err err = CW_ERR_INIT;
	cw_ocsp_req *q = NULL;

	if (cw_ocsp_request_parse(der, len, &q, &err) != CW_OK)
		fail_msg("cw_ocsp_request_parse: %s", err.msg);
	assert_non_null(q);
	return q;
}

static cw_ocsp_req *
parse_ossl(OCSP_REQUEST *r)
{
	size_t len;
	uint8_t *der = req_der(r, &len);
	cw_ocsp_req *q = parse_ok(der, len);

	OPENSSL_free(der);
	return q;
}

static void
assert_parse_refused(const uint8_t *der, size_t len, const char *needle)
{
	cw_err err = CW_ERR_INIT;
	cw_ocsp_req *q = (cw_ocsp_req *)1;
	cw_rc rc = cw_ocsp_request_parse(der, len, &q, &err);

	if (rc != CW_ERR_INPUT || strstr(err.msg, needle) == NULL)
		fail_msg("expected a refusal with '%s', got %s: %s", needle,
		    cw_rc_name(rc), err.msg);
	assert_null(q);
}

/* --- responses read with OpenSSL's client code ---------------------------- */

static uint8_t *
build_ok(const cw_ocsp_req *q, const cw_ocsp_status *st, EVP_PKEY *key,
    X509 *signer, size_t *len)
{
	cw_err err = CW_ERR_INIT;
	uint8_t *der = NULL;

	if (cw_ocsp_response_build(q, st, fx.ca, key, signer, T_NOW, T_NEXT,
	    &der, len, &err) != CW_OK)
		fail_msg("cw_ocsp_response_build: %s", err.msg);
	assert_non_null(der);
	return der;
}

/* DER OCSPResponse -> its BasicOCSPResponse; the encoding must be DER. */
static OCSP_BASICRESP *
read_basic(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	unsigned char *re = NULL;
	OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
	OCSP_BASICRESP *bs;
	int relen;

	assert_non_null(r);
	assert_ptr_equal(p, der + len);
	relen = i2d_OCSP_RESPONSE(r, &re);
	assert_int_equal(relen, (int)len);
	assert_memory_equal(re, der, len);
	assert_int_equal(OCSP_response_status(r),
	    OCSP_RESPONSE_STATUS_SUCCESSFUL);
	bs = OCSP_response_get1_basic(r);
	assert_non_null(bs);
	OPENSSL_free(re);
	OCSP_RESPONSE_free(r);
	return bs;
}

static OCSP_BASICRESP *
respond(const cw_ocsp_req *q, const cw_ocsp_status *st, EVP_PKEY *key,
    X509 *signer)
{
	size_t len;
	uint8_t *der = build_ok(q, st, key, signer, &len);
	OCSP_BASICRESP *bs = read_basic(der, len);

	OPENSSL_free(der);
	return bs;
}

/* OCSP_basic_verify with the root as the only trust anchor. */
static int
verify_bs(OCSP_BASICRESP *bs, unsigned long flags)
{
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *certs = sk_X509_new_null();
	int ok;

	assert_non_null(store);
	assert_non_null(certs);
	assert_true(X509_STORE_add_cert(store, fx.root));
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store),
	    (time_t)T_NOW);
	assert_true(sk_X509_push(certs, fx.ca) > 0);
	ok = OCSP_basic_verify(bs, certs, store, flags);
	sk_X509_free(certs);
	X509_STORE_free(store);
	ERR_clear_error();
	return ok;
}

static void
assert_time(const ASN1_GENERALIZEDTIME *t, int64_t when)
{
	ASN1_TIME *w = ASN1_TIME_set(NULL, (time_t)when);
	int day = -1, sec = -1;

	assert_non_null(t);
	assert_non_null(w);
	assert_int_equal(ASN1_STRING_type(t), V_ASN1_GENERALIZEDTIME);
	assert_true(ASN1_TIME_diff(&day, &sec, w, t));
	assert_int_equal(day, 0);
	assert_int_equal(sec, 0);
	ASN1_TIME_free(w);
}

/* OCSP_resp_find_status for leaf under issuer (CertID hashed with md). */
static void
assert_status(OCSP_BASICRESP *bs, X509 *leaf, X509 *issuer, const EVP_MD *md,
    int want, int want_reason, int64_t want_rev)
{
	OCSP_CERTID *id = OCSP_cert_to_id(md, leaf, issuer);
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	int status = -5, reason = -5;

	assert_non_null(id);
	assert_int_equal(OCSP_resp_find_status(bs, id, &status, &reason, &rev,
	    &thisupd, &nextupd), 1);
	assert_int_equal(status, want);
	assert_time(thisupd, T_NOW);
	assert_time(nextupd, T_NEXT);
	if (want == V_OCSP_CERTSTATUS_REVOKED) {
		assert_int_equal(reason, want_reason);
		assert_time(rev, want_rev);
	}
	OCSP_CERTID_free(id);
}

static const cw_ocsp_status st_good = {CW_OCSP_GOOD, 0, -1};
static const cw_ocsp_status st_unknown = {CW_OCSP_UNKNOWN, 0, -1};

/* --- a small DER writer for hand-made requests ---------------------------- */

typedef struct {
	uint8_t d[20 * 1024];
	size_t n;
} dbuf;

static void
put(dbuf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->d));
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

/* Appends tag, minimal length and the n bytes at p. */
static void
tlv(dbuf *b, uint8_t tag, const void *p, size_t n)
{
	uint8_t h[4];
	size_t hn = 0;

	h[hn++] = tag;
	if (n < 128) {
		h[hn++] = (uint8_t)n;
	} else if (n < 256) {
		h[hn++] = 0x81;
		h[hn++] = (uint8_t)n;
	} else {
		assert_true(n < 65536);
		h[hn++] = 0x82;
		h[hn++] = (uint8_t)(n >> 8);
		h[hn++] = (uint8_t)n;
	}
	put(b, h, hn);
	put(b, p, n);
}

static void
tlv_buf(dbuf *b, uint8_t tag, const dbuf *c)
{
	tlv(b, tag, c->d, c->n);
}

static const uint8_t OID_SHA1[] = {0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a};
static const uint8_t OID_SHA256[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x01};
static const uint8_t OID_SHA512[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x03};
static const uint8_t OID_MD5[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7,
	0x0d, 0x02, 0x05};
static const uint8_t OID_NONCE[] = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05,
	0x07, 0x30, 0x01, 0x02};
static const uint8_t OID_ACCEPT[] = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x05,
	0x05, 0x07, 0x30, 0x01, 0x04};
static const uint8_t OID_BASIC[] = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05,
	0x07, 0x30, 0x01, 0x01};
static const uint8_t OID_PRIVATE[] = {0x06, 0x03, 0x2a, 0x03, 0x04};
static const uint8_t OID_ECDSA_SHA256[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
	0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t DER_NULL[] = {0x05, 0x00};

/* What a hand-made request looks like; zeroes give a good SHA-1 one. */
typedef struct {
	const uint8_t *alg;       /* OID TLV; default SHA-1 */
	size_t alg_len;
	const uint8_t *params;    /* parameter TLV; default NULL; */
	size_t params_len;
	bool no_params;           /* leave parameters out */
	int name_hash_len;        /* 0: the algorithm's */
	int key_hash_len;
	const uint8_t *serial;    /* INTEGER content; default serial1 */
	size_t serial_len;
	size_t n_single;          /* default 1 */
	bool version;             /* write version v1 explicitly */
	const dbuf *top_exts;     /* Extension TLVs, or NULL */
	const dbuf *single_exts;
	bool signature;
} rq_spec;

/* The real hashes of fx.ca for alg (SHA-1 or SHA-256), else 0x11s. */
static void
ca_hashes(const uint8_t *alg, size_t alg_len, uint8_t *nh, uint8_t *kh)
{
	const EVP_MD *md = NULL;
	unsigned int n;

	memset(nh, 0x11, 64);
	memset(kh, 0x11, 64);
	if (alg_len == sizeof(OID_SHA1) && memcmp(alg, OID_SHA1, alg_len) == 0)
		md = EVP_sha1();
	if (alg_len == sizeof(OID_SHA256) &&
	    memcmp(alg, OID_SHA256, alg_len) == 0)
		md = EVP_sha256();
	if (alg_len == sizeof(OID_SHA512) &&
	    memcmp(alg, OID_SHA512, alg_len) == 0)
		md = EVP_sha512();
	if (md == NULL)
		return;
	assert_int_equal(X509_NAME_digest(X509_get_subject_name(fx.ca), md, nh,
	    &n), 1);
	assert_int_equal(X509_pubkey_digest(fx.ca, md, kh, &n), 1);
}

static void
rq_build(const rq_spec *s, dbuf *out)
{
	static dbuf algid, certid, one, list, tbs, tmp, sig, req;
	const uint8_t *alg = s->alg != NULL ? s->alg : OID_SHA1;
	size_t alg_len = s->alg != NULL ? s->alg_len : sizeof(OID_SHA1);
	size_t hlen = alg == OID_SHA256 ? 32 : alg == OID_SHA512 ? 64 : 20;
	uint8_t nh[64], kh[64];
	size_t i, n = s->n_single != 0 ? s->n_single : 1;

	ca_hashes(alg, alg_len, nh, kh);
	algid.n = certid.n = one.n = list.n = tbs.n = sig.n = req.n = 0;
	put(&algid, alg, alg_len);
	if (s->params != NULL)
		put(&algid, s->params, s->params_len);
	else if (!s->no_params)
		put(&algid, DER_NULL, sizeof(DER_NULL));
	tlv_buf(&certid, 0x30, &algid);
	tlv(&certid, 0x04, nh, s->name_hash_len != 0 ?
	    (size_t)s->name_hash_len : hlen);
	tlv(&certid, 0x04, kh, s->key_hash_len != 0 ?
	    (size_t)s->key_hash_len : hlen);
	if (s->serial != NULL)
		tlv(&certid, 0x02, s->serial, s->serial_len);
	else
		tlv(&certid, 0x02, serial1, sizeof(serial1));
	tlv_buf(&one, 0x30, &certid);
	if (s->single_exts != NULL) {
		tmp.n = 0;
		tlv_buf(&tmp, 0x30, s->single_exts);
		tlv_buf(&one, 0xa0, &tmp);
	}
	tmp.n = 0;
	tlv_buf(&tmp, 0x30, &one);
	for (i = 0; i < n; i++)
		put(&list, tmp.d, tmp.n);
	if (s->version) {
		static const uint8_t v1[] = {0xa0, 0x03, 0x02, 0x01, 0x00};

		put(&tbs, v1, sizeof(v1));
	}
	tlv_buf(&tbs, 0x30, &list);
	if (s->top_exts != NULL) {
		tmp.n = 0;
		tlv_buf(&tmp, 0x30, s->top_exts);
		tlv_buf(&tbs, 0xa2, &tmp);
	}
	tlv_buf(&req, 0x30, &tbs);
	if (s->signature) {
		static const uint8_t bits[] = {0x00, 0x30, 0x00};
		dbuf *a = &tmp;

		a->n = 0;
		tlv(a, 0x30, OID_ECDSA_SHA256, sizeof(OID_ECDSA_SHA256));
		tlv(a, 0x03, bits, sizeof(bits));
		sig.n = 0;
		tlv_buf(&sig, 0x30, a);
		a->n = 0;
		tlv_buf(a, 0xa0, &sig);
		put(&req, a->d, a->n);
	}
	out->n = 0;
	tlv_buf(out, 0x30, &req);
}

/* Appends an Extension TLV. */
static void
ext_add(dbuf *exts, const uint8_t *oid, size_t oid_len, bool critical,
    const void *val, size_t val_len)
{
	static const uint8_t t[] = {0x01, 0x01, 0xff};
	dbuf e;

	e.n = 0;
	put(&e, oid, oid_len);
	if (critical)
		put(&e, t, sizeof(t));
	tlv(&e, 0x04, val, val_len);
	tlv_buf(exts, 0x30, &e);
}

/* A nonce extension value: OCTET STRING of n bytes of v. */
static void
nonce_add(dbuf *exts, size_t n, uint8_t v)
{
	uint8_t raw[256];
	dbuf inner;

	assert_true(n <= sizeof(raw));
	memset(raw, v, n);
	inner.n = 0;
	tlv(&inner, 0x04, raw, n);
	ext_add(exts, OID_NONCE, sizeof(OID_NONCE), false, inner.d, inner.n);
}

static void
assert_spec_refused(const rq_spec *s, const char *needle)
{
	static dbuf b;

	rq_build(s, &b);
	assert_parse_refused(b.d, b.n, needle);
}

static cw_ocsp_req *
spec_ok(const rq_spec *s)
{
	static dbuf b;

	rq_build(s, &b);
	return parse_ok(b.d, b.n);
}

/* --- parsing -------------------------------------------------------------- */

/* A SHA-1 CertID from OpenSSL's client: every field copied out. */
static void
test_parse_sha1_certid(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha1(), 0);
	OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), fx.leaf1, fx.ca);
	ASN1_OCTET_STRING *nh, *kh;
	ASN1_OBJECT *md;
	ASN1_INTEGER *sn;
	cw_ocsp_req *q = parse_ossl(r);
	const cw_ocsp_single *s = &q->single[0];

	(void)state;
	assert_int_equal(OCSP_id_get0_info(&nh, &md, &kh, &sn, id), 1);
	assert_int_equal(q->n_single, 1);
	assert_int_equal(s->hash, CW_OCSP_SHA1);
	assert_int_equal(s->hash_len, 20);
	assert_true(s->hash_params_null);
	assert_memory_equal(s->name_hash, ASN1_STRING_get0_data(nh), 20);
	assert_memory_equal(s->key_hash, ASN1_STRING_get0_data(kh), 20);
	assert_int_equal(s->serial_len, sizeof(serial1));
	assert_memory_equal(s->serial, serial1, sizeof(serial1));
	assert_string_equal(s->serial_hex, "5a0102030405060708090a0b0c0d0e0f");
	assert_false(q->has_nonce);
	assert_false(q->is_signed);
	cw_ocsp_req_free(q);
	OCSP_CERTID_free(id);
	OCSP_REQUEST_free(r);
}

/* A SHA-256 CertID with a 32-octet nonce (what `openssl ocsp` sends). */
static void
test_parse_sha256_with_nonce(void **state)
{
	X509 *leaves[] = {fx.leaf2}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha256(), 32);
	int i = OCSP_REQUEST_get_ext_by_NID(r, NID_id_pkix_OCSP_Nonce, -1);
	const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(
	    OCSP_REQUEST_get_ext(r, i));
	cw_ocsp_req *q = parse_ossl(r);

	(void)state;
	assert_int_equal(q->single[0].hash, CW_OCSP_SHA256);
	assert_int_equal(q->single[0].hash_len, 32);
	/* serial2 keeps its sign octet; the store's hex has none */
	assert_int_equal(q->single[0].serial_len, sizeof(serial2));
	assert_memory_equal(q->single[0].serial, serial2, sizeof(serial2));
	assert_string_equal(q->single[0].serial_hex,
	    "9a1112131415161718191a1b1c1d1e1f");
	assert_true(q->has_nonce);
	assert_int_equal(q->nonce_len, 32);
	/* extnValue = 04 20 <32 octets> */
	assert_int_equal(ASN1_STRING_length(v), 34);
	assert_memory_equal(q->nonce, ASN1_STRING_get0_data(v) + 2, 32);
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* The hand-made request writer is right: its default request parses. */
static void
test_parse_handmade_baseline(void **state)
{
	rq_spec s;
	cw_ocsp_req *q;
	bool m = false;
	cw_err err = CW_ERR_INIT;

	(void)state;
	memset(&s, 0, sizeof(s));
	q = spec_ok(&s);
	assert_int_equal(q->n_single, 1);
	assert_int_equal(cw_ocsp_issuer_match(&q->single[0], fx.ca, &m, &err),
	    CW_OK);
	assert_true(m);
	cw_ocsp_req_free(q);
}

/* SHA-512 CertIDs and absent hash parameters are accepted. */
static void
test_parse_sha512_absent_params(void **state)
{
	rq_spec s;
	cw_ocsp_req *q;
	bool m = false;
	cw_err err = CW_ERR_INIT;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.alg = OID_SHA512;
	s.alg_len = sizeof(OID_SHA512);
	s.no_params = true;
	q = spec_ok(&s);
	assert_int_equal(q->single[0].hash, CW_OCSP_SHA512);
	assert_int_equal(q->single[0].hash_len, 64);
	assert_false(q->single[0].hash_params_null);
	assert_int_equal(cw_ocsp_issuer_match(&q->single[0], fx.ca, &m, &err),
	    CW_OK);
	assert_true(m);
	cw_ocsp_req_free(q);
}

/* 16 CertIDs are answered in one request, 17 are refused. */
static void
test_parse_single_count(void **state)
{
	rq_spec s;
	cw_ocsp_req *q;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.n_single = CW_OCSP_MAX_SINGLE;
	q = spec_ok(&s);
	assert_int_equal(q->n_single, CW_OCSP_MAX_SINGLE);
	cw_ocsp_req_free(q);
	s.n_single = CW_OCSP_MAX_SINGLE + 1;
	assert_spec_refused(&s, "at most 16");
}

/* An empty requestList is refused. */
static void
test_parse_empty_list(void **state)
{
	static const uint8_t der[] = {0x30, 0x04, 0x30, 0x02, 0x30, 0x00};

	(void)state;
	assert_parse_refused(der, sizeof(der), "no certificate");
}

/* Serials: zero, negative and 21 octets are kept but have no hex. */
static void
test_parse_serial_forms(void **state)
{
	static const uint8_t zero[] = {0x00};
	static const uint8_t neg[] = {0xff, 0x01};
	static const uint8_t short3[] = {0x0a, 0x0b, 0x0c};
	uint8_t long21[21], long32[32], long33[33];
	rq_spec s;
	cw_ocsp_req *q;

	(void)state;
	memset(long21, 0x21, sizeof(long21));
	memset(long32, 0x32, sizeof(long32));
	memset(long33, 0x33, sizeof(long33));
	memset(&s, 0, sizeof(s));
	s.serial = zero;
	s.serial_len = sizeof(zero);
	q = spec_ok(&s);
	assert_int_equal(q->single[0].serial_len, 1);
	assert_string_equal(q->single[0].serial_hex, "");
	cw_ocsp_req_free(q);
	s.serial = neg;
	s.serial_len = sizeof(neg);
	q = spec_ok(&s);
	assert_memory_equal(q->single[0].serial, neg, sizeof(neg));
	assert_string_equal(q->single[0].serial_hex, "");
	cw_ocsp_req_free(q);
	s.serial = short3;
	s.serial_len = sizeof(short3);
	q = spec_ok(&s);
	assert_string_equal(q->single[0].serial_hex, "a0b0c");
	cw_ocsp_req_free(q);
	s.serial = long21;
	s.serial_len = sizeof(long21);
	q = spec_ok(&s);
	assert_int_equal(q->single[0].serial_len, 21);
	assert_string_equal(q->single[0].serial_hex, "");
	cw_ocsp_req_free(q);
	s.serial = long32;
	s.serial_len = sizeof(long32);
	q = spec_ok(&s);
	assert_int_equal(q->single[0].serial_len, 32);
	cw_ocsp_req_free(q);
	s.serial = long33;
	s.serial_len = sizeof(long33);
	assert_spec_refused(&s, "more than 32 octets");
}

/* A hash algorithm outside SHA-1/SHA-2 (MD5) is refused. */
static void
test_parse_md5_refused(void **state)
{
	rq_spec s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.alg = OID_MD5;
	s.alg_len = sizeof(OID_MD5);
	s.name_hash_len = s.key_hash_len = 16;
	assert_spec_refused(&s, "is not one of SHA-1");
}

/* Hash algorithm parameters other than NULL are refused. */
static void
test_parse_hash_params_refused(void **state)
{
	static const uint8_t params[] = {0x04, 0x01, 0x00};
	rq_spec s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.params = params;
	s.params_len = sizeof(params);
	assert_spec_refused(&s, "has parameters");
}

/* Hashes of the wrong length for the algorithm are refused. */
static void
test_parse_hash_length_refused(void **state)
{
	rq_spec s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.name_hash_len = 32; /* SHA-1 CertID with a 32-octet name hash */
	assert_spec_refused(&s, "20-octet SHA-1");
	s.name_hash_len = 0;
	s.key_hash_len = 19;
	assert_spec_refused(&s, "20-octet SHA-1");
	s.alg = OID_SHA256;
	s.alg_len = sizeof(OID_SHA256);
	s.key_hash_len = 20;
	assert_spec_refused(&s, "32-octet SHA-256");
}

/* An explicit version field (v1 is the DEFAULT) is refused. */
static void
test_parse_version_refused(void **state)
{
	rq_spec s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.version = true;
	assert_spec_refused(&s, "version field");
}

/* A signed request is accepted; its signature is not checked. */
static void
test_parse_signed_accepted(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha1(), 16);
	cw_ocsp_req *q;
	rq_spec s;

	(void)state;
	/* a real signature with a certificate, from OpenSSL */
	assert_int_equal(OCSP_request_sign(r, fx.leaf1, fx.leaf_key,
	    EVP_sha256(), NULL, 0), 1);
	q = parse_ossl(r);
	assert_true(q->is_signed);
	assert_true(q->has_nonce);
	cw_ocsp_req_free(q);
	/* and a bogus one: still only ignored */
	memset(&s, 0, sizeof(s));
	s.signature = true;
	q = spec_ok(&s);
	assert_true(q->is_signed);
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* Nonce sizes: 1 and 128 octets accepted, 0 and 129 refused. */
static void
test_parse_nonce_sizes(void **state)
{
	static dbuf e;
	rq_spec s;
	cw_ocsp_req *q;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.top_exts = &e;
	e.n = 0;
	nonce_add(&e, 1, 0x42);
	q = spec_ok(&s);
	assert_true(q->has_nonce);
	assert_int_equal(q->nonce_len, 1);
	assert_int_equal(q->nonce[0], 0x42);
	cw_ocsp_req_free(q);
	e.n = 0;
	nonce_add(&e, 128, 0x43);
	q = spec_ok(&s);
	assert_int_equal(q->nonce_len, 128);
	assert_int_equal(q->nonce[127], 0x43);
	cw_ocsp_req_free(q);
	e.n = 0;
	nonce_add(&e, 0, 0);
	assert_spec_refused(&s, "the nonce has 0 octets");
	e.n = 0;
	nonce_add(&e, 129, 0x44);
	assert_spec_refused(&s, "the nonce has 129 octets");
}

/* A nonce that is not a DER OCTET STRING inside extnValue is refused. */
static void
test_parse_nonce_unwrapped_refused(void **state)
{
	static dbuf e;
	static const uint8_t raw[16] = {1, 2, 3};
	static const uint8_t ber[] = {0x04, 0x81, 0x02, 0xaa, 0xbb};
	rq_spec s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.top_exts = &e;
	e.n = 0;
	ext_add(&e, OID_NONCE, sizeof(OID_NONCE), false, raw, sizeof(raw));
	assert_spec_refused(&s, "DER OCTET STRING");
	e.n = 0;
	ext_add(&e, OID_NONCE, sizeof(OID_NONCE), false, ber, sizeof(ber));
	assert_spec_refused(&s, "DER OCTET STRING");
}

/* Unknown extensions: ignored when non-critical, refused when critical,
 * at both levels. */
static void
test_parse_unknown_extensions(void **state)
{
	static dbuf e;
	static const uint8_t val[] = {0x05, 0x00};
	rq_spec s;
	cw_ocsp_req *q;

	(void)state;
	memset(&s, 0, sizeof(s));
	e.n = 0;
	ext_add(&e, OID_PRIVATE, sizeof(OID_PRIVATE), false, val, sizeof(val));
	s.top_exts = &e;
	q = spec_ok(&s);
	cw_ocsp_req_free(q);
	s.top_exts = NULL;
	s.single_exts = &e;
	q = spec_ok(&s);
	cw_ocsp_req_free(q);

	e.n = 0;
	ext_add(&e, OID_PRIVATE, sizeof(OID_PRIVATE), true, val, sizeof(val));
	s.single_exts = NULL;
	s.top_exts = &e;
	assert_spec_refused(&s, "requestExtensions hold the critical "
	    "extension 1.2.3.4");
	s.top_exts = NULL;
	s.single_exts = &e;
	assert_spec_refused(&s, "the extensions of request 1 hold the "
	    "critical extension 1.2.3.4");
	/* a nonce is a request extension, not a single request's */
	e.n = 0;
	ext_add(&e, OID_NONCE, sizeof(OID_NONCE), true, val, sizeof(val));
	assert_spec_refused(&s, "critical extension 1.3.6.1.5.5.7.48.1.2");
}

/* The same extension twice is refused. */
static void
test_parse_duplicate_extension(void **state)
{
	static dbuf e;
	rq_spec s;

	(void)state;
	memset(&s, 0, sizeof(s));
	e.n = 0;
	nonce_add(&e, 16, 1);
	nonce_add(&e, 16, 2);
	s.top_exts = &e;
	assert_spec_refused(&s, "twice");
}

/* Acceptable responses: fine with id-pkix-ocsp-basic, refused without. */
static void
test_parse_acceptable_responses(void **state)
{
	static dbuf e, v;
	rq_spec s;
	cw_ocsp_req *q;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.top_exts = &e;
	v.n = 0;
	put(&v, OID_PRIVATE, sizeof(OID_PRIVATE));
	put(&v, OID_BASIC, sizeof(OID_BASIC));
	e.n = 0;
	{
		dbuf seq;

		seq.n = 0;
		tlv_buf(&seq, 0x30, &v);
		ext_add(&e, OID_ACCEPT, sizeof(OID_ACCEPT), false, seq.d,
		    seq.n);
	}
	q = spec_ok(&s);
	cw_ocsp_req_free(q);
	v.n = 0;
	put(&v, OID_PRIVATE, sizeof(OID_PRIVATE));
	e.n = 0;
	{
		dbuf seq;

		seq.n = 0;
		tlv_buf(&seq, 0x30, &v);
		ext_add(&e, OID_ACCEPT, sizeof(OID_ACCEPT), false, seq.d,
		    seq.n);
	}
	assert_spec_refused(&s, "id-pkix-ocsp-basic");
}

/* Garbage and empty input are refused. */
static void
test_parse_garbage_refused(void **state)
{
	static const uint8_t junk[] = "GET /ocsp HTTP/1.1\r\n";
	static const uint8_t cert_like[] = {0x30, 0x03, 0x02, 0x01, 0x05};
	cw_err err = CW_ERR_INIT;
	cw_ocsp_req *q = NULL;

	(void)state;
	assert_parse_refused(junk, sizeof(junk) - 1, "does not decode");
	assert_parse_refused(cert_like, sizeof(cert_like), "does not decode");
	assert_int_equal(cw_ocsp_request_parse(junk, 0, &q, &err),
	    CW_ERR_INPUT);
	assert_null(q);
}

/* Every truncation of a valid request is refused. */
static void
test_parse_truncated_refused(void **state)
{
	X509 *leaves[] = {fx.leaf1, fx.leaf2}, *issuers[] = {fx.ca, fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 2, EVP_sha256(), 32);
	size_t len, k;
	uint8_t *der = req_der(r, &len);
	cw_err err = CW_ERR_INIT;
	cw_ocsp_req *q = NULL;

	(void)state;
	for (k = 1; k < len; k++) {
		assert_int_equal(cw_ocsp_request_parse(der, k, &q, &err),
		    CW_ERR_INPUT);
		assert_null(q);
	}
	q = parse_ok(der, len);
	assert_int_equal(q->n_single, 2);
	cw_ocsp_req_free(q);
	OPENSSL_free(der);
	OCSP_REQUEST_free(r);
}

/* Bytes after the request are refused. */
static void
test_parse_trailing_garbage_refused(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha1(), 0);
	size_t len;
	uint8_t *der = req_der(r, &len);
	uint8_t *two = malloc(2 * len);

	(void)state;
	assert_non_null(two);
	memcpy(two, der, len);
	two[len] = 0x00;
	assert_parse_refused(two, len + 1, "1 bytes follow");
	memcpy(two + len, der, len);
	assert_parse_refused(two, 2 * len, "follow the OCSPRequest");
	free(two);
	OPENSSL_free(der);
	OCSP_REQUEST_free(r);
}

/* A request over CW_MAX_OCSP_REQUEST bytes is refused before decoding. */
static void
test_parse_oversized_refused(void **state)
{
	size_t n = CW_MAX_OCSP_REQUEST + 1;
	uint8_t *big = calloc(1, n);

	(void)state;
	assert_non_null(big);
	/* a plausible header announcing the whole length */
	big[0] = 0x30;
	big[1] = 0x82;
	big[2] = (uint8_t)((n - 4) >> 8);
	big[3] = (uint8_t)(n - 4);
	assert_parse_refused(big, n, "at most 16384");
	free(big);
}

/* A BER length (long form where short suffices) is refused. */
static void
test_parse_ber_refused(void **state)
{
	static dbuf b, ber;
	rq_spec s;

	(void)state;
	memset(&s, 0, sizeof(s));
	rq_build(&s, &b);
	assert_true(b.d[1] < 0x80); /* short form in the DER */
	ber.n = 0;
	{
		uint8_t h[3] = {0x30, 0x81, b.d[1]};

		put(&ber, h, sizeof(h));
	}
	put(&ber, b.d + 2, b.n - 2);
	assert_parse_refused(ber.d, ber.n, "not DER");
}

/* A critical FALSE written out (DER omits the DEFAULT), or TRUE not
 * written as 0xff, is refused. */
static void
test_parse_explicit_false_refused(void **state)
{
	static dbuf e, x;
	static const uint8_t f[] = {0x01, 0x01, 0x00};
	static const uint8_t t01[] = {0x01, 0x01, 0x01};
	static const uint8_t val[] = {0x05, 0x00};
	rq_spec s;

	(void)state;
	x.n = 0;
	put(&x, OID_PRIVATE, sizeof(OID_PRIVATE));
	put(&x, f, sizeof(f));
	tlv(&x, 0x04, val, sizeof(val));
	e.n = 0;
	tlv_buf(&e, 0x30, &x);
	memset(&s, 0, sizeof(s));
	s.top_exts = &e;
	assert_spec_refused(&s, "explicit critical FALSE");
	/* TRUE written as 0x01 rather than 0xff */
	x.n = 0;
	put(&x, OID_PRIVATE, sizeof(OID_PRIVATE));
	put(&x, t01, sizeof(t01));
	tlv(&x, 0x04, val, sizeof(val));
	e.n = 0;
	tlv_buf(&e, 0x30, &x);
	assert_spec_refused(&s, "not DER");
}

/* --- issuer matching ------------------------------------------------------ */

/* SHA-1 and SHA-256 CertIDs match their issuer and no other CA. */
static void
test_issuer_match(void **state)
{
	const EVP_MD *mds[2] = {EVP_sha1(), EVP_sha256()};
	X509 *leaves[] = {fx.leaf1, fx.other_leaf};
	X509 *issuers[] = {fx.ca, fx.other};
	cw_err err = CW_ERR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		OCSP_REQUEST *r = ossl_req(leaves, issuers, 2, mds[i], 0);
		cw_ocsp_req *q = parse_ossl(r);
		bool m;

		assert_int_equal(cw_ocsp_issuer_match(&q->single[0], fx.ca, &m,
		    &err), CW_OK);
		assert_true(m);
		assert_int_equal(cw_ocsp_issuer_match(&q->single[0], fx.root,
		    &m, &err), CW_OK);
		assert_false(m);
		assert_int_equal(cw_ocsp_issuer_match(&q->single[0], fx.other,
		    &m, &err), CW_OK);
		assert_false(m);
		assert_int_equal(cw_ocsp_issuer_match(&q->single[1], fx.other,
		    &m, &err), CW_OK);
		assert_true(m);
		assert_int_equal(cw_ocsp_issuer_match(&q->single[1], fx.ca, &m,
		    &err), CW_OK);
		assert_false(m);
		cw_ocsp_req_free(q);
		OCSP_REQUEST_free(r);
	}
}

/* The right name hash with another CA's key hash does not match. */
static void
test_issuer_match_needs_both_hashes(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha1(), 0);
	cw_ocsp_req *q = parse_ossl(r);
	cw_err err = CW_ERR_INIT;
	bool m = true;

	(void)state;
	q->single[0].key_hash[0] ^= 1;
	assert_int_equal(cw_ocsp_issuer_match(&q->single[0], fx.ca, &m, &err),
	    CW_OK);
	assert_false(m);
	q->single[0].key_hash[0] ^= 1;
	q->single[0].name_hash[19] ^= 1;
	assert_int_equal(cw_ocsp_issuer_match(&q->single[0], fx.ca, &m, &err),
	    CW_OK);
	assert_false(m);
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* --- responses ------------------------------------------------------------ */

/* Good: verifies against the root, byKey responder, times as given. */
static void
test_response_good_verifies(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha1(), 0);
	cw_ocsp_req *q = parse_ossl(r);
	OCSP_BASICRESP *bs = respond(q, &st_good, fx.ca_key, fx.ca);
	const ASN1_OCTET_STRING *pid = NULL;
	const X509_NAME *pname = NULL;
	unsigned char kh[20];
	unsigned int khlen;

	(void)state;
	assert_int_equal(verify_bs(bs, 0), 1);
	assert_status(bs, fx.leaf1, fx.ca, EVP_sha1(),
	    V_OCSP_CERTSTATUS_GOOD, 0, 0);
	assert_time(OCSP_resp_get0_produced_at(bs), T_NOW);
	assert_int_equal(OCSP_resp_get0_id(bs, &pid, &pname), 1);
	assert_null(pname);
	assert_non_null(pid);
	assert_int_equal(X509_pubkey_digest(fx.ca, EVP_sha1(), kh, &khlen), 1);
	assert_int_equal(ASN1_STRING_length(pid), 20);
	assert_memory_equal(ASN1_STRING_get0_data(pid), kh, 20);
	/* the issuer signs itself: no certs field at all */
	assert_null(OCSP_resp_get0_certs(bs));
	/* no nonce in either */
	assert_int_equal(OCSP_check_nonce(r, bs), 2);
	assert_int_equal(OCSP_resp_count(bs), 1);
	OCSP_BASICRESP_free(bs);
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* NULL signer_cert means the issuer. */
static void
test_response_null_signer_is_issuer(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha256(), 0);
	cw_ocsp_req *q = parse_ossl(r);
	OCSP_BASICRESP *bs = respond(q, &st_good, fx.ca_key, NULL);

	(void)state;
	assert_int_equal(verify_bs(bs, 0), 1);
	assert_status(bs, fx.leaf1, fx.ca, EVP_sha256(),
	    V_OCSP_CERTSTATUS_GOOD, 0, 0);
	OCSP_BASICRESP_free(bs);
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* Revoked carries its time and reason. */
static void
test_response_revoked(void **state)
{
	X509 *leaves[] = {fx.leaf2}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha256(), 0);
	cw_ocsp_req *q = parse_ossl(r);
	cw_ocsp_status st = {CW_OCSP_REVOKED, T_REVOKED,
	    OCSP_REVOKED_STATUS_KEYCOMPROMISE};
	OCSP_BASICRESP *bs = respond(q, &st, fx.ca_key, fx.ca);

	(void)state;
	assert_int_equal(verify_bs(bs, 0), 1);
	assert_status(bs, fx.leaf2, fx.ca, EVP_sha256(),
	    V_OCSP_CERTSTATUS_REVOKED, OCSP_REVOKED_STATUS_KEYCOMPROMISE,
	    T_REVOKED);
	OCSP_BASICRESP_free(bs);
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* Revoked without a reason, or "unspecified": revocationReason left out. */
static void
test_response_revoked_no_reason(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha1(), 0);
	cw_ocsp_req *q = parse_ossl(r);
	int reasons[2] = {-1, OCSP_REVOKED_STATUS_UNSPECIFIED};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		cw_ocsp_status st = {CW_OCSP_REVOKED, T_REVOKED, reasons[i]};
		OCSP_BASICRESP *bs = respond(q, &st, fx.ca_key, fx.ca);

		assert_int_equal(verify_bs(bs, 0), 1);
		assert_status(bs, fx.leaf1, fx.ca, EVP_sha1(),
		    V_OCSP_CERTSTATUS_REVOKED, OCSP_REVOKED_STATUS_NOSTATUS,
		    T_REVOKED);
		OCSP_BASICRESP_free(bs);
	}
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* Unknown is signed like the others. */
static void
test_response_unknown(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha1(), 0);
	cw_ocsp_req *q = parse_ossl(r);
	OCSP_BASICRESP *bs = respond(q, &st_unknown, fx.ca_key, fx.ca);

	(void)state;
	assert_int_equal(verify_bs(bs, 0), 1);
	assert_status(bs, fx.leaf1, fx.ca, EVP_sha1(),
	    V_OCSP_CERTSTATUS_UNKNOWN, 0, 0);
	OCSP_BASICRESP_free(bs);
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* The nonce is echoed (OCSP_check_nonce: 1 = present and equal). */
static void
test_response_nonce_echoed(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	int sizes[3] = {1, 32, 128};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha256(),
		    sizes[i]);
		OCSP_REQUEST *r2 = ossl_req(leaves, issuers, 1, EVP_sha256(),
		    0);
		unsigned char other[128];
		int at = OCSP_REQUEST_get_ext_by_NID(r, NID_id_pkix_OCSP_Nonce,
		    -1);
		ASN1_OCTET_STRING *mine;

		/*
		 * r2 carries r's nonce with its last byte changed: a random
		 * one-byte nonce would repeat one time in 256.
		 */
		assert_true(at >= 0);
		mine = X509_EXTENSION_get_data(OCSP_REQUEST_get_ext(r, at));
		assert_true(ASN1_STRING_length(mine) >= sizes[i]);
		memcpy(other, ASN1_STRING_get0_data(mine) +
		    ASN1_STRING_length(mine) - sizes[i], (size_t)sizes[i]);
		other[sizes[i] - 1] ^= 0x5a;
		assert_int_equal(OCSP_request_add1_nonce(r2, other, sizes[i]),
		    1);
		cw_ocsp_req *q = parse_ossl(r);
		OCSP_BASICRESP *bs = respond(q, &st_good, fx.ca_key, fx.ca);

		assert_int_equal(verify_bs(bs, 0), 1);
		assert_int_equal(OCSP_check_nonce(r, bs), 1);
		/* another request's nonce does not match */
		assert_int_equal(OCSP_check_nonce(r2, bs), 0);
		OCSP_BASICRESP_free(bs);
		cw_ocsp_req_free(q);
		OCSP_REQUEST_free(r);
		OCSP_REQUEST_free(r2);
	}
}

/* Several CertIDs: one SingleResponse each, each with its own status. */
static void
test_response_several(void **state)
{
	X509 *leaves[] = {fx.leaf1, fx.leaf2}, *issuers[] = {fx.ca, fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 2, EVP_sha1(), 16);
	cw_ocsp_req *q = parse_ossl(r);
	cw_ocsp_status st[2] = {
		{CW_OCSP_GOOD, 0, -1},
		{CW_OCSP_REVOKED, T_REVOKED, OCSP_REVOKED_STATUS_SUPERSEDED},
	};
	OCSP_BASICRESP *bs = respond(q, st, fx.ca_key, fx.ca);

	(void)state;
	assert_int_equal(verify_bs(bs, 0), 1);
	assert_int_equal(OCSP_resp_count(bs), 2);
	assert_status(bs, fx.leaf1, fx.ca, EVP_sha1(),
	    V_OCSP_CERTSTATUS_GOOD, 0, 0);
	assert_status(bs, fx.leaf2, fx.ca, EVP_sha1(),
	    V_OCSP_CERTSTATUS_REVOKED, OCSP_REVOKED_STATUS_SUPERSEDED,
	    T_REVOKED);
	assert_int_equal(OCSP_check_nonce(r, bs), 1);
	OCSP_BASICRESP_free(bs);
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* The CertID is echoed byte for byte: absent parameters stay absent,
 * odd serials (zero, negative, 32 octets) come back as sent. */
static void
test_response_echoes_certid(void **state)
{
	static const uint8_t zero[] = {0x00};
	static const uint8_t neg[] = {0xff, 0x01};
	static dbuf b;
	uint8_t long32[32];
	rq_spec specs[5];
	size_t i;

	(void)state;
	memset(long32, 0x32, sizeof(long32));
	memset(specs, 0, sizeof(specs));
	specs[0].alg = OID_SHA512;
	specs[0].alg_len = sizeof(OID_SHA512);
	specs[0].no_params = true;
	specs[1].alg = OID_SHA256;
	specs[1].alg_len = sizeof(OID_SHA256);
	specs[2].serial = zero;
	specs[2].serial_len = sizeof(zero);
	specs[3].serial = neg;
	specs[3].serial_len = sizeof(neg);
	specs[4].serial = long32;
	specs[4].serial_len = sizeof(long32);
	for (i = 0; i < CW_ARRAY_LEN(specs); i++) {
		cw_ocsp_req *q;
		OCSP_BASICRESP *bs;
		const OCSP_CERTID *got;
		unsigned char *d = NULL;
		int l;

		rq_build(&specs[i], &b);
		q = parse_ok(b.d, b.n);
		bs = respond(q, &st_unknown, fx.ca_key, fx.ca);
		assert_int_equal(verify_bs(bs, 0), 1);
		assert_int_equal(OCSP_resp_count(bs), 1);
		got = OCSP_SINGLERESP_get0_id(OCSP_resp_get0(bs, 0));
		l = i2d_OCSP_CERTID((OCSP_CERTID *)got, &d);
		assert_true(l > 0);
		/* the request holds exactly these bytes */
		if (cw_memfind(b.d, b.n, d, (size_t)l) == NULL)
			fail_msg("case %zu: the CertID is not echoed", i);
		OPENSSL_free(d);
		OCSP_BASICRESP_free(bs);
		cw_ocsp_req_free(q);
	}
}

/* A delegated responder signs; its certificate is in the response. */
static void
test_response_delegated(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha1(), 32);
	cw_ocsp_req *q = parse_ossl(r);
	OCSP_BASICRESP *bs = respond(q, &st_good, fx.resp_key, fx.responder);
	const STACK_OF(X509) *certs = OCSP_resp_get0_certs(bs);
	const ASN1_OCTET_STRING *pid = NULL;
	const X509_NAME *pname = NULL;
	unsigned char kh[20];
	unsigned int khlen;

	(void)state;
	assert_int_equal(verify_bs(bs, 0), 1);
	assert_int_equal(sk_X509_num(certs), 1);
	assert_int_equal(X509_cmp(sk_X509_value(certs, 0), fx.responder), 0);
	assert_int_equal(OCSP_resp_get0_id(bs, &pid, &pname), 1);
	assert_int_equal(X509_pubkey_digest(fx.responder, EVP_sha1(), kh,
	    &khlen), 1);
	assert_memory_equal(ASN1_STRING_get0_data(pid), kh, 20);
	assert_status(bs, fx.leaf1, fx.ca, EVP_sha1(),
	    V_OCSP_CERTSTATUS_GOOD, 0, 0);
	assert_int_equal(OCSP_check_nonce(r, bs), 1);
	OCSP_BASICRESP_free(bs);
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

static void
assert_build_refused(const cw_ocsp_req *q, const cw_ocsp_status *st,
    EVP_PKEY *key, X509 *signer, int64_t t1, int64_t t2, cw_rc want,
    const char *needle)
{
	cw_err err = CW_ERR_INIT;
	uint8_t *der = (uint8_t *)1;
	size_t len = 99;
	cw_rc rc = cw_ocsp_response_build(q, st, fx.ca, key, signer, t1, t2,
	    &der, &len, &err);

	if (rc != want || strstr(err.msg, needle) == NULL)
		fail_msg("expected %s with '%s', got %s: %s", cw_rc_name(want),
		    needle, cw_rc_name(rc), err.msg);
	assert_null(der);
	assert_int_equal(len, 0);
}

/* A delegate without id-kp-OCSPSigning, or of another CA, is refused. */
static void
test_response_bad_delegate_refused(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha1(), 0);
	cw_ocsp_req *q = parse_ossl(r);

	(void)state;
	assert_build_refused(q, &st_good, fx.resp_key, fx.no_eku_responder,
	    T_NOW, T_NEXT, CW_ERR_INPUT, "id-kp-OCSPSigning");
	assert_build_refused(q, &st_good, fx.resp_key, fx.other_responder,
	    T_NOW, T_NEXT, CW_ERR_INPUT, "not issued by the issuer");
	/* a leaf certificate of the CA is no delegate either */
	assert_build_refused(q, &st_good, fx.leaf_key, fx.leaf1, T_NOW,
	    T_NEXT, CW_ERR_INPUT, "id-kp-OCSPSigning");
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* A request naming only another CA: refused (answer unauthorized). */
static void
test_response_other_issuer_unauthorized(void **state)
{
	X509 *leaves[] = {fx.other_leaf}, *issuers[] = {fx.other};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha1(), 0);
	cw_ocsp_req *q = parse_ossl(r);

	(void)state;
	assert_build_refused(q, &st_unknown, fx.ca_key, fx.ca, T_NOW, T_NEXT,
	    CW_ERR_NOT_FOUND, "unauthorized");
	assert_build_refused(q, &st_good, fx.ca_key, fx.ca, T_NOW, T_NEXT,
	    CW_ERR_INTERNAL, "names another issuer");
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* Mixed issuers: ours answered, the foreign one only as unknown. */
static void
test_response_mixed_issuers(void **state)
{
	X509 *leaves[] = {fx.leaf1, fx.other_leaf};
	X509 *issuers[] = {fx.ca, fx.other};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 2, EVP_sha1(), 0);
	cw_ocsp_req *q = parse_ossl(r);
	cw_ocsp_status bad[2] = {{CW_OCSP_GOOD, 0, -1},
	    {CW_OCSP_REVOKED, T_REVOKED, 1}};
	cw_ocsp_status ok[2] = {{CW_OCSP_GOOD, 0, -1},
	    {CW_OCSP_UNKNOWN, 0, -1}};
	OCSP_BASICRESP *bs;

	(void)state;
	assert_build_refused(q, bad, fx.ca_key, fx.ca, T_NOW, T_NEXT,
	    CW_ERR_INTERNAL, "request 2 names another issuer");
	bs = respond(q, ok, fx.ca_key, fx.ca);
	/* OpenSSL wants one issuer per response, so only the signature is
	 * checked here */
	assert_int_equal(verify_bs(bs, OCSP_NOCHECKS), 1);
	assert_status(bs, fx.leaf1, fx.ca, EVP_sha1(),
	    V_OCSP_CERTSTATUS_GOOD, 0, 0);
	assert_status(bs, fx.other_leaf, fx.other, EVP_sha1(),
	    V_OCSP_CERTSTATUS_UNKNOWN, 0, 0);
	OCSP_BASICRESP_free(bs);
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* Statuses and times that cannot be encoded honestly are refused. */
static void
test_response_bad_input_refused(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha1(), 0);
	cw_ocsp_req *q = parse_ossl(r);
	cw_ocsp_status st = {CW_OCSP_REVOKED, T_REVOKED, 8};

	(void)state;
	assert_build_refused(q, &st, fx.ca_key, fx.ca, T_NOW, T_NEXT,
	    CW_ERR_INPUT, "reason 8");
	st.reason = 7;
	assert_build_refused(q, &st, fx.ca_key, fx.ca, T_NOW, T_NEXT,
	    CW_ERR_INPUT, "reason 7");
	st.reason = 11;
	assert_build_refused(q, &st, fx.ca_key, fx.ca, T_NOW, T_NEXT,
	    CW_ERR_INPUT, "reason 11");
	st.reason = -2;
	assert_build_refused(q, &st, fx.ca_key, fx.ca, T_NOW, T_NEXT,
	    CW_ERR_INPUT, "reason -2");
	st.reason = 1;
	st.revoked_at = INT64_C(-700000000);
	assert_build_refused(q, &st, fx.ca_key, fx.ca, T_NOW, T_NEXT,
	    CW_ERR_INPUT, "revocation time");
	assert_build_refused(q, &st_good, fx.ca_key, fx.ca, T_NOW, T_NOW,
	    CW_ERR_INPUT, "nextUpdate must be after");
	assert_build_refused(q, &st_good, fx.ca_key, fx.ca, T_NOW,
	    INT64_C(253402300800), CW_ERR_INPUT, "nextUpdate");
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* The wrong private key makes a response that does not verify. */
static void
test_response_wrong_key_fails_verify(void **state)
{
	X509 *leaves[] = {fx.leaf1}, *issuers[] = {fx.ca};
	OCSP_REQUEST *r = ossl_req(leaves, issuers, 1, EVP_sha1(), 0);
	cw_ocsp_req *q = parse_ossl(r);
	OCSP_BASICRESP *bs = respond(q, &st_good, fx.other_key, fx.ca);

	(void)state;
	/* documented: the pair is the caller's to check; a client notices */
	assert_int_not_equal(verify_bs(bs, 0), 1);
	OCSP_BASICRESP_free(bs);
	cw_ocsp_req_free(q);
	OCSP_REQUEST_free(r);
}

/* --- error responses ------------------------------------------------------ */

/* Each error status is a bare OCSPResponse, as OpenSSL encodes it. */
static void
test_error_responses(void **state)
{
	static const cw_ocsp_resp_status all[] = {
		CW_OCSP_RESP_MALFORMED_REQUEST, CW_OCSP_RESP_INTERNAL_ERROR,
		CW_OCSP_RESP_TRY_LATER, CW_OCSP_RESP_SIG_REQUIRED,
		CW_OCSP_RESP_UNAUTHORIZED,
	};
	size_t i, len;

	(void)state;
	for (i = 0; i < CW_ARRAY_LEN(all); i++) {
		const uint8_t *d = cw_ocsp_error_response(all[i], &len);
		const unsigned char *p = d;
		OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
		OCSP_RESPONSE *o = OCSP_response_create((int)all[i], NULL);
		unsigned char *od = NULL;
		int olen = i2d_OCSP_RESPONSE(o, &od);

		assert_non_null(r);
		assert_ptr_equal(p, d + len);
		assert_int_equal(OCSP_response_status(r), (int)all[i]);
		assert_null(OCSP_response_get1_basic(r));
		ERR_clear_error();
		assert_int_equal(olen, (int)len);
		assert_memory_equal(od, d, len);
		OPENSSL_free(od);
		OCSP_RESPONSE_free(o);
		OCSP_RESPONSE_free(r);
	}
	/* successful or out-of-range statuses are no error: internalError */
	assert_int_equal(cw_ocsp_error_response(CW_OCSP_RESP_SUCCESSFUL,
	    &len)[4], 2);
	assert_int_equal(cw_ocsp_error_response((cw_ocsp_resp_status)4,
	    &len)[4], 2);
}

/* --- GET ------------------------------------------------------------------ */

static void
assert_get(const char *text, const uint8_t *want, size_t want_len)
{
	cw_err err = CW_ERR_INIT;
	uint8_t *der = NULL;
	size_t len = 0;

	if (cw_ocsp_get_decode(text, strlen(text), &der, &len, &err) != CW_OK)
		fail_msg("cw_ocsp_get_decode '%s': %s", text, err.msg);
	assert_int_equal(len, want_len);
	assert_memory_equal(der, want, want_len);
	OPENSSL_free(der);
}

static void
assert_get_refused(const char *text, size_t len, const char *needle)
{
	cw_err err = CW_ERR_INIT;
	uint8_t *der = (uint8_t *)1;
	size_t dlen = 99;
	cw_rc rc = cw_ocsp_get_decode(text, len, &der, &dlen, &err);

	if (rc != CW_ERR_INPUT || strstr(err.msg, needle) == NULL)
		fail_msg("'%.*s': expected a refusal with '%s', got %s: %s",
		    (int)(len < 60 ? len : 60), text, needle, cw_rc_name(rc),
		    err.msg);
	assert_null(der);
	assert_int_equal(dlen, 0);
}

/* Small vectors: '+', '/', padding, escapes in either case. */
static void
test_get_vectors(void **state)
{
	static const uint8_t fbff[] = {0xfb, 0xff};
	static const uint8_t a[] = {'A'};
	static const uint8_t abc[] = {'a', 'b', 'c'};

	(void)state;
	assert_get("+/8=", fbff, 2);
	assert_get("%2B%2F8%3D", fbff, 2);
	assert_get("%2b%2f8%3d", fbff, 2);
	assert_get("+/8", fbff, 2);       /* padding may be left out */
	assert_get("QQ==", a, 1);
	assert_get("QQ%3D%3D", a, 1);
	assert_get("QQ", a, 1);
	assert_get("YWJj", abc, 3);
}

/* Malformed GET text is refused. */
static void
test_get_refusals(void **state)
{
	char *big;

	(void)state;
	assert_get_refused("", 0, "empty");
	assert_get_refused("QQ%3", 4, "bad %-escape");
	assert_get_refused("QQ%", 3, "bad %-escape");
	assert_get_refused("QQ%G0", 5, "bad %-escape");
	assert_get_refused("QQ%25", 5, "not base64");   /* %25 is '%' */
	assert_get_refused("Q Q=", 4, "not base64");
	assert_get_refused("Q-Q_", 4, "not base64");    /* base64url */
	assert_get_refused("Q\0QQ", 4, "not base64");
	assert_get_refused("Q", 1, "cannot be a whole encoding");
	assert_get_refused("QUJDQ", 5, "cannot be a whole encoding");
	assert_get_refused("QQ=", 3, "wrong '=' padding");
	assert_get_refused("QUI==", 5, "wrong '=' padding");
	assert_get_refused("QQ===", 5, "more than two");
	assert_get_refused("QQ=Q", 4, "after the '=' padding");
	assert_get_refused("QR==", 4, "non-zero pad bits");
	assert_get_refused("==", 2, "cannot be a whole encoding");
	big = malloc(CW_MAX_OCSP_GET_TEXT + 1);
	assert_non_null(big);
	memset(big, 'A', CW_MAX_OCSP_GET_TEXT + 1);
	assert_get_refused(big, CW_MAX_OCSP_GET_TEXT + 1, "characters; at "
	    "most");
	/* within the text bound, but decoding to more than a request */
	assert_get_refused(big, (CW_MAX_OCSP_REQUEST / 3 + 1) * 4,
	    "more than 16384 bytes");
	free(big);
}

/* Percent-escapes '+', '/' and '=' in text (fresh buffer). */
static char *
escape_b64(const char *b64)
{
	size_t i, n = strlen(b64);
	char *out = malloc(3 * n + 1), *o = out;

	assert_non_null(out);
	for (i = 0; i < n; i++) {
		const char *rep = b64[i] == '+' ? "%2B" : b64[i] == '/' ?
		    "%2f" : b64[i] == '=' ? "%3D" : NULL;

		if (rep != NULL) {
			memcpy(o, rep, 3);
			o += 3;
		} else {
			*o++ = b64[i];
		}
	}
	*o = '\0';
	return out;
}

/* A real request through GET: base64 with '+', '/' and '=', URL-escaped
 * and not, decodes to the DER and parses. */
static void
test_get_real_request(void **state)
{
	static dbuf b;
	static char b64[4 * sizeof(b.d) / 3 + 4];
	uint8_t ser[12];
	unsigned int k;
	rq_spec s;
	cw_ocsp_req *q;
	char *esc;

	(void)state;
	memset(&s, 0, sizeof(s));
	/* find a serial whose request's base64 has all three characters
	 * (deterministic: the first such k) */
	for (k = 0; k < 256; k++) {
		memset(ser, (int)k, sizeof(ser));
		ser[0] = 0x7f;
		s.serial = ser;
		s.serial_len = sizeof(ser);
		rq_build(&s, &b);
		EVP_EncodeBlock((unsigned char *)b64, b.d, (int)b.n);
		if (strchr(b64, '+') != NULL && strchr(b64, '/') != NULL &&
		    strchr(b64, '=') != NULL)
			break;
	}
	assert_true(k < 256);
	assert_get(b64, b.d, b.n);
	esc = escape_b64(b64);
	assert_non_null(strstr(esc, "%2B"));
	assert_non_null(strstr(esc, "%2f"));
	assert_non_null(strstr(esc, "%3D"));
	assert_get(esc, b.d, b.n);
	{
		cw_err err = CW_ERR_INIT;
		uint8_t *der = NULL;
		size_t len = 0;

		assert_int_equal(cw_ocsp_get_decode(esc, strlen(esc), &der,
		    &len, &err), CW_OK);
		q = parse_ok(der, len);
		assert_int_equal(q->single[0].serial_len, sizeof(ser));
		assert_memory_equal(q->single[0].serial, ser, sizeof(ser));
		cw_ocsp_req_free(q);
		OPENSSL_free(der);
	}
	free(esc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_sha1_certid),
		cmocka_unit_test(test_parse_sha256_with_nonce),
		cmocka_unit_test(test_parse_handmade_baseline),
		cmocka_unit_test(test_parse_sha512_absent_params),
		cmocka_unit_test(test_parse_single_count),
		cmocka_unit_test(test_parse_empty_list),
		cmocka_unit_test(test_parse_serial_forms),
		cmocka_unit_test(test_parse_md5_refused),
		cmocka_unit_test(test_parse_hash_params_refused),
		cmocka_unit_test(test_parse_hash_length_refused),
		cmocka_unit_test(test_parse_version_refused),
		cmocka_unit_test(test_parse_signed_accepted),
		cmocka_unit_test(test_parse_nonce_sizes),
		cmocka_unit_test(test_parse_nonce_unwrapped_refused),
		cmocka_unit_test(test_parse_unknown_extensions),
		cmocka_unit_test(test_parse_duplicate_extension),
		cmocka_unit_test(test_parse_acceptable_responses),
		cmocka_unit_test(test_parse_garbage_refused),
		cmocka_unit_test(test_parse_truncated_refused),
		cmocka_unit_test(test_parse_trailing_garbage_refused),
		cmocka_unit_test(test_parse_oversized_refused),
		cmocka_unit_test(test_parse_ber_refused),
		cmocka_unit_test(test_parse_explicit_false_refused),
		cmocka_unit_test(test_issuer_match),
		cmocka_unit_test(test_issuer_match_needs_both_hashes),
		cmocka_unit_test(test_response_good_verifies),
		cmocka_unit_test(test_response_null_signer_is_issuer),
		cmocka_unit_test(test_response_revoked),
		cmocka_unit_test(test_response_revoked_no_reason),
		cmocka_unit_test(test_response_unknown),
		cmocka_unit_test(test_response_nonce_echoed),
		cmocka_unit_test(test_response_several),
		cmocka_unit_test(test_response_echoes_certid),
		cmocka_unit_test(test_response_delegated),
		cmocka_unit_test(test_response_bad_delegate_refused),
		cmocka_unit_test(test_response_other_issuer_unauthorized),
		cmocka_unit_test(test_response_mixed_issuers),
		cmocka_unit_test(test_response_bad_input_refused),
		cmocka_unit_test(test_response_wrong_key_fails_verify),
		cmocka_unit_test(test_error_responses),
		cmocka_unit_test(test_get_vectors),
		cmocka_unit_test(test_get_refusals),
		cmocka_unit_test(test_get_real_request),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
