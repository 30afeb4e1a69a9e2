/*
 * test_ocsp_cache.c - the OCSP response cache (src/http/ocsp_cache.c).
 *
 * Requests come from OpenSSL's client code (OCSP_cert_id_new,
 * OCSP_request_add1_nonce) through our parser (cw_ocsp_request_parse), and
 * the cached responses are real ones (cw_ocsp_response_build, signed by a
 * P-256 CA), read back with OpenSSL's d2i_OCSP_RESPONSE, so that a hit is
 * shown to return the very bytes a relying party would have been sent.
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

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "src/http/ocsp_cache.h"
#include "src/x509/cert_build.h"
#include "src/x509/ocsp_resp.h"
#include "testutil.h"

#define T_2024 INT64_C(1704067200)
#define T_2034 INT64_C(2019686400)
#define T_NOW INT64_C(1738368000) /* 2025-02-01: thisUpdate */
#define VALIDITY 3600
#define REFRESH 300
#define T_REVOKED INT64_C(1737000000)

static struct {
	EVP_PKEY *ca_key;
	X509 *ca;
} fx;

static const cw_ocsp_status good = {CW_OCSP_GOOD, 0, -1};
static const cw_ocsp_status revoked_kc = {CW_OCSP_REVOKED, T_REVOKED, 1};

static int
setup(void **state)
{
	cw_err err = CW_ERR_INIT;
	unsigned char *der = NULL;
	const unsigned char *p;
	int len;

	(void)state;
	fx.ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (fx.ca_key == NULL || cw_ca_cert_make(fx.ca_key, "Example CA",
	    NULL, T_2024, T_2034, NULL, NULL, &fx.ca, &err) != CW_OK)
		return -1;
	/* parsed again so that the public key is decoded */
	len = i2d_X509(fx.ca, &der);
	X509_free(fx.ca);
	p = der;
	fx.ca = len > 0 ? d2i_X509(NULL, &p, len) : NULL;
	OPENSSL_free(der);
	return fx.ca != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	X509_free(fx.ca);
	EVP_PKEY_free(fx.ca_key);
	return 0;
}

/* --- requests and responses ------------------------------------------------ */

/*
 * A parsed request, made by OpenSSL, for the serials given (n of them,
 * each a small number) under the CA, CertIDs hashed with md, with a nonce
 * of nonce_len octets when nonce_len > 0.
 */
static cw_ocsp_req *
request(const long *serials, size_t n, const EVP_MD *md, int nonce_len)
{
	OCSP_REQUEST *r = OCSP_REQUEST_new();
	cw_err err = CW_ERR_INIT;
	cw_ocsp_req *q = NULL;
	unsigned char *der = NULL;
	size_t i;
	int len;

	assert_non_null(r);
	for (i = 0; i < n; i++) {
		ASN1_INTEGER *s = ASN1_INTEGER_new();
		OCSP_CERTID *id;

		assert_non_null(s);
		assert_int_equal(ASN1_INTEGER_set(s, serials[i]), 1);
		id = OCSP_cert_id_new(md, X509_get_subject_name(fx.ca),
		    X509_get0_pubkey_bitstr(fx.ca), s);
		assert_non_null(id);
		assert_non_null(OCSP_request_add0_id(r, id));
		ASN1_INTEGER_free(s);
	}
	if (nonce_len > 0)
		assert_int_equal(OCSP_request_add1_nonce(r, NULL, nonce_len),
		    1);
	len = i2d_OCSP_REQUEST(r, &der);
	assert_true(len > 0);
	if (cw_ocsp_request_parse(der, (size_t)len, &q, &err) != CW_OK)
		fail_msg("cw_ocsp_request_parse: %s", err.msg);
	OPENSSL_free(der);
	OCSP_REQUEST_free(r);
	return q;
}

static void
key_for(long serial, const EVP_MD *md, cw_ocsp_cache_key *k)
{
	cw_ocsp_req *q = request(&serial, 1, md, 0);

	assert_true(cw_ocsp_cache_key_of(q, k));
	cw_ocsp_req_free(q);
}

/* A signed response for serial (SHA-1 CertID) with status st. */
static uint8_t *
response(long serial, const cw_ocsp_status *st, int64_t this_update,
    size_t *len)
{
	cw_ocsp_req *q = request(&serial, 1, EVP_sha1(), 0);
	cw_err err = CW_ERR_INIT;
	uint8_t *der = NULL;

	if (cw_ocsp_response_build(q, st, fx.ca, fx.ca_key, NULL, this_update,
	    this_update + VALIDITY, &der, len, &err) != CW_OK)
		fail_msg("cw_ocsp_response_build: %s", err.msg);
	cw_ocsp_req_free(q);
	return der;
}

/* The status OpenSSL reads from a DER response for serial. */
static int
ossl_status(const uint8_t *der, size_t len, long serial)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
	OCSP_BASICRESP *b;
	OCSP_CERTID *id;
	ASN1_INTEGER *s = ASN1_INTEGER_new();
	int status = -1, reason;

	assert_non_null(r);
	assert_ptr_equal(p, der + len);
	b = OCSP_response_get1_basic(r);
	assert_non_null(b);
	assert_int_equal(ASN1_INTEGER_set(s, serial), 1);
	id = OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(fx.ca),
	    X509_get0_pubkey_bitstr(fx.ca), s);
	assert_int_equal(OCSP_resp_find_status(b, id, &status, &reason, NULL,
	    NULL, NULL), 1);
	OCSP_CERTID_free(id);
	ASN1_INTEGER_free(s);
	OCSP_BASICRESP_free(b);
	OCSP_RESPONSE_free(r);
	return status;
}

static cw_ocsp_cache *
cache(size_t entries, size_t max_response, int64_t refresh)
{
	cw_err err = CW_ERR_INIT;
	cw_ocsp_cache *c = NULL;

	if (cw_ocsp_cache_new(entries, max_response, refresh, &c, &err) !=
	    CW_OK)
		fail_msg("cw_ocsp_cache_new: %s", err.msg);
	return c;
}

/* A key of the cache's own shape, for tests that need many of them. */
static void
synthetic_key(uint32_t i, cw_ocsp_cache_key *k)
{
	memset(k, 0, sizeof(*k));
	k->b[0] = CW_OCSP_SHA1;
	k->b[2] = 20;
	k->b[3] = 4;
	k->b[44] = (uint8_t)(i >> 24);
	k->b[45] = (uint8_t)(i >> 16);
	k->b[46] = (uint8_t)(i >> 8);
	k->b[47] = (uint8_t)i;
	k->len = 48;
}

/* --- cases ----------------------------------------------------------------- */

/* A stored response comes back byte for byte, with its times. */
static void
test_hit(void **state)
{
	cw_ocsp_cache *c = cache(64, 2048, REFRESH);
	cw_ocsp_cache_key k;
	cw_ocsp_cache_hit hit;
	cw_ocsp_cache_stats s;
	size_t len;
	uint8_t *der = response(1001, &good, T_NOW, &len);

	(void)state;
	key_for(1001, EVP_sha1(), &k);
	assert_true(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW + VALIDITY,
	    der, len));
	assert_true(cw_ocsp_cache_get(c, &k, &good, T_NOW + 10, &hit));
	assert_int_equal(hit.len, len);
	assert_memory_equal(hit.der, der, len);
	assert_int_equal(hit.this_update, T_NOW);
	assert_int_equal(hit.next_update, T_NOW + VALIDITY);
	assert_int_equal(ossl_status(hit.der, hit.len, 1001),
	    V_OCSP_CERTSTATUS_GOOD);
	/* a request made again (another OCSP_REQUEST) finds it too */
	key_for(1001, EVP_sha1(), &k);
	assert_true(cw_ocsp_cache_get(c, &k, &good, T_NOW + 20, &hit));
	cw_ocsp_cache_get_stats(c, &s);
	assert_int_equal(s.hits, 2);
	assert_int_equal(s.misses, 0);
	assert_int_equal(s.entries, 1);
	assert_int_equal(s.capacity, 64);
	OPENSSL_free(der);
	cw_ocsp_cache_free(c);
}

/* Another serial, or the same certificate asked with another CertID hash
 * (whose response echoes another CertID), is a miss. */
static void
test_miss(void **state)
{
	cw_ocsp_cache *c = cache(64, 2048, REFRESH);
	cw_ocsp_cache_key k, other, sha256;
	cw_ocsp_cache_hit hit;
	cw_ocsp_cache_stats s;
	size_t len;
	uint8_t *der = response(1001, &good, T_NOW, &len);

	(void)state;
	key_for(1001, EVP_sha1(), &k);
	key_for(1002, EVP_sha1(), &other);
	key_for(1001, EVP_sha256(), &sha256);
	assert_false(cw_ocsp_cache_get(c, &k, &good, T_NOW, &hit));
	assert_null(hit.der);
	assert_true(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW + VALIDITY,
	    der, len));
	assert_false(cw_ocsp_cache_get(c, &other, &good, T_NOW, &hit));
	assert_false(cw_ocsp_cache_get(c, &sha256, &good, T_NOW, &hit));
	assert_true(cw_ocsp_cache_get(c, &k, &good, T_NOW, &hit));
	cw_ocsp_cache_get_stats(c, &s);
	assert_int_equal(s.misses, 3);
	assert_int_equal(s.hits, 1);
	OPENSSL_free(der);
	cw_ocsp_cache_free(c);
}

/* A revocation after the response was made: never served, entry gone. */
static void
test_status_change_invalidates(void **state)
{
	cw_ocsp_cache *c = cache(64, 2048, REFRESH);
	cw_ocsp_cache_key k;
	cw_ocsp_cache_hit hit;
	cw_ocsp_cache_stats s;
	cw_ocsp_status other_reason = revoked_kc, other_time = revoked_kc;
	size_t len, rlen;
	uint8_t *der = response(1001, &good, T_NOW, &len);
	uint8_t *rder = response(1001, &revoked_kc, T_NOW + 60, &rlen);

	(void)state;
	key_for(1001, EVP_sha1(), &k);
	assert_true(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW + VALIDITY,
	    der, len));
	assert_false(cw_ocsp_cache_get(c, &k, &revoked_kc, T_NOW + 60, &hit));
	/* dropped: not even the old status finds it now */
	assert_false(cw_ocsp_cache_get(c, &k, &good, T_NOW + 61, &hit));
	cw_ocsp_cache_get_stats(c, &s);
	assert_int_equal(s.stale, 1);
	assert_int_equal(s.entries, 0);

	/* the revoked response, then another reason or time in the store */
	assert_true(cw_ocsp_cache_put(c, &k, &revoked_kc, T_NOW + 60,
	    T_NOW + 60 + VALIDITY, rder, rlen));
	assert_true(cw_ocsp_cache_get(c, &k, &revoked_kc, T_NOW + 70, &hit));
	assert_int_equal(ossl_status(hit.der, hit.len, 1001),
	    V_OCSP_CERTSTATUS_REVOKED);
	other_reason.reason = 4; /* superseded */
	assert_false(cw_ocsp_cache_get(c, &k, &other_reason, T_NOW + 71,
	    &hit));
	assert_true(cw_ocsp_cache_put(c, &k, &revoked_kc, T_NOW + 60,
	    T_NOW + 60 + VALIDITY, rder, rlen));
	other_time.revoked_at++;
	assert_false(cw_ocsp_cache_get(c, &k, &other_time, T_NOW + 72, &hit));
	/* and a status of unknown (the row is gone) is not "good" */
	assert_true(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW + VALIDITY,
	    der, len));
	{
		cw_ocsp_status unknown = {CW_OCSP_UNKNOWN, 0, -1};

		assert_false(cw_ocsp_cache_get(c, &k, &unknown, T_NOW + 73,
		    &hit));
	}
	cw_ocsp_cache_get_stats(c, &s);
	assert_int_equal(s.stale, 4);
	OPENSSL_free(der);
	OPENSSL_free(rder);
	cw_ocsp_cache_free(c);
}

/* Served while younger than the refresh age and before nextUpdate only. */
static void
test_expiry(void **state)
{
	cw_ocsp_cache *c = cache(64, 2048, REFRESH);
	cw_ocsp_cache *longer = cache(64, 2048, 2 * VALIDITY);
	cw_ocsp_cache_key k;
	cw_ocsp_cache_hit hit;
	cw_ocsp_cache_stats s;
	size_t len;
	uint8_t *der = response(1001, &good, T_NOW, &len);

	(void)state;
	key_for(1001, EVP_sha1(), &k);
	assert_true(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW + VALIDITY,
	    der, len));
	assert_true(cw_ocsp_cache_get(c, &k, &good, T_NOW + REFRESH - 1,
	    &hit));
	assert_false(cw_ocsp_cache_get(c, &k, &good, T_NOW + REFRESH, &hit));
	assert_false(cw_ocsp_cache_get(c, &k, &good, T_NOW + 1, &hit));

	/* a clock that went back: not served */
	assert_true(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW + VALIDITY,
	    der, len));
	assert_false(cw_ocsp_cache_get(c, &k, &good, T_NOW - 1, &hit));
	cw_ocsp_cache_get_stats(c, &s);
	assert_int_equal(s.expired, 2);

	/* a refresh age beyond the validity: nextUpdate still ends it */
	assert_true(cw_ocsp_cache_put(longer, &k, &good, T_NOW,
	    T_NOW + VALIDITY, der, len));
	assert_true(cw_ocsp_cache_get(longer, &k, &good, T_NOW + VALIDITY - 1,
	    &hit));
	assert_false(cw_ocsp_cache_get(longer, &k, &good, T_NOW + VALIDITY,
	    &hit));
	OPENSSL_free(der);
	cw_ocsp_cache_free(c);
	cw_ocsp_cache_free(longer);
}

/* A full set evicts its least recently used entry, and the cache never
 * holds more than its capacity. */
static void
test_eviction_at_bound(void **state)
{
	cw_ocsp_cache *one = cache(CW_OCSP_CACHE_WAYS, 64, REFRESH);
	cw_ocsp_cache *c = cache(64, 64, REFRESH);
	cw_ocsp_cache_key k;
	cw_ocsp_cache_hit hit;
	cw_ocsp_cache_stats s;
	uint8_t der[64];
	uint32_t i, found = 0;

	(void)state;
	memset(der, 0x30, sizeof(der));
	/* one set: every key lands in it */
	for (i = 0; i < CW_OCSP_CACHE_WAYS; i++) {
		synthetic_key(i, &k);
		der[1] = (uint8_t)i;
		assert_true(cw_ocsp_cache_put(one, &k, &good, T_NOW,
		    T_NOW + VALIDITY, der, sizeof(der)));
	}
	/* key 0 used again: key 1 is now the least recently used */
	synthetic_key(0, &k);
	assert_true(cw_ocsp_cache_get(one, &k, &good, T_NOW, &hit));
	synthetic_key(100, &k);
	der[1] = 100;
	assert_true(cw_ocsp_cache_put(one, &k, &good, T_NOW, T_NOW + VALIDITY,
	    der, sizeof(der)));
	assert_true(cw_ocsp_cache_get(one, &k, &good, T_NOW, &hit));
	assert_int_equal(hit.der[1], 100);
	synthetic_key(1, &k);
	assert_false(cw_ocsp_cache_get(one, &k, &good, T_NOW, &hit));
	for (i = 0; i < CW_OCSP_CACHE_WAYS; i++) {
		if (i == 1)
			continue;
		synthetic_key(i, &k);
		assert_true(cw_ocsp_cache_get(one, &k, &good, T_NOW, &hit));
		assert_int_equal(hit.der[1], i);
	}
	cw_ocsp_cache_get_stats(one, &s);
	assert_int_equal(s.evictions, 1);
	assert_int_equal(s.entries, CW_OCSP_CACHE_WAYS);

	/* 1,000 keys into 64 entries */
	for (i = 0; i < 1000; i++) {
		synthetic_key(i, &k);
		assert_true(cw_ocsp_cache_put(c, &k, &good, T_NOW,
		    T_NOW + VALIDITY, der, sizeof(der)));
		cw_ocsp_cache_get_stats(c, &s);
		assert_true(s.entries <= s.capacity);
	}
	for (i = 0; i < 1000; i++) {
		synthetic_key(i, &k);
		found += cw_ocsp_cache_get(c, &k, &good, T_NOW, &hit);
	}
	cw_ocsp_cache_get_stats(c, &s);
	assert_int_equal(s.capacity, 64);
	assert_int_equal(s.entries, 64);
	assert_int_equal(found, 64);
	assert_int_equal(s.evictions, 1000 - 64);
	/* the last key put is always there */
	synthetic_key(999, &k);
	assert_true(cw_ocsp_cache_get(c, &k, &good, T_NOW, &hit));
	cw_ocsp_cache_free(one);
	cw_ocsp_cache_free(c);
}

/* A put for a key already cached replaces it in place. */
static void
test_replace_and_clear(void **state)
{
	cw_ocsp_cache *c = cache(64, 2048, REFRESH);
	cw_ocsp_cache_key k;
	cw_ocsp_cache_hit hit;
	cw_ocsp_cache_stats s;
	size_t len1, len2;
	uint8_t *der1 = response(1001, &good, T_NOW, &len1);
	uint8_t *der2 = response(1001, &good, T_NOW + 100, &len2);

	(void)state;
	key_for(1001, EVP_sha1(), &k);
	assert_true(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW + VALIDITY,
	    der1, len1));
	assert_true(cw_ocsp_cache_put(c, &k, &good, T_NOW + 100,
	    T_NOW + 100 + VALIDITY, der2, len2));
	assert_true(cw_ocsp_cache_get(c, &k, &good, T_NOW + 100, &hit));
	assert_int_equal(hit.len, len2);
	assert_memory_equal(hit.der, der2, len2);
	assert_int_equal(hit.this_update, T_NOW + 100);
	cw_ocsp_cache_get_stats(c, &s);
	assert_int_equal(s.entries, 1);
	assert_int_equal(s.evictions, 0);
	cw_ocsp_cache_clear(c);
	assert_false(cw_ocsp_cache_get(c, &k, &good, T_NOW + 100, &hit));
	cw_ocsp_cache_get_stats(c, &s);
	assert_int_equal(s.entries, 0);
	OPENSSL_free(der1);
	OPENSSL_free(der2);
	cw_ocsp_cache_free(c);
}

/* Requests with a nonce (RFC 6960 4.4.1) or several CertIDs get no key. */
static void
test_nonce_bypass(void **state)
{
	long one = 1001, two[2] = {1001, 1002};
	cw_ocsp_req *q;
	cw_ocsp_cache_key k, plain;

	(void)state;
	key_for(1001, EVP_sha1(), &plain);
	q = request(&one, 1, EVP_sha1(), 16);
	assert_true(q->has_nonce);
	assert_false(cw_ocsp_cache_key_of(q, &k));
	assert_int_equal(k.len, 0);
	cw_ocsp_req_free(q);
	q = request(&one, 1, EVP_sha1(), 32);
	assert_false(cw_ocsp_cache_key_of(q, &k));
	cw_ocsp_req_free(q);
	q = request(two, 2, EVP_sha1(), 0);
	assert_false(cw_ocsp_cache_key_of(q, &k));
	cw_ocsp_req_free(q);
	/* the same CertID without the nonce has a key */
	q = request(&one, 1, EVP_sha1(), 0);
	assert_true(cw_ocsp_cache_key_of(q, &k));
	assert_int_equal(k.len, plain.len);
	assert_memory_equal(k.b, plain.b, k.len);
	cw_ocsp_req_free(q);
	assert_false(cw_ocsp_cache_key_of(NULL, &k));
}

/* Sizes and times out of range are refused, never stored or read past. */
static void
test_hostile_sizes(void **state)
{
	cw_err err = CW_ERR_INIT;
	cw_ocsp_cache *c = NULL, *bad = (cw_ocsp_cache *)1;
	cw_ocsp_cache_key k, big;
	cw_ocsp_cache_hit hit;
	cw_ocsp_cache_stats s;
	cw_ocsp_req q;
	cw_ocsp_status weird = {(cw_ocsp_cert_status)7, 0, -1};
	uint8_t der[600];
	size_t i;
	static const struct {
		size_t entries, max;
		int64_t refresh;
	} refused[] = {
		{0, 1024, 300},
		{CW_OCSP_CACHE_MAX_ENTRIES + 1, 1024, 300},
		{SIZE_MAX, 1024, 300},
		{64, 0, 300},
		{64, CW_OCSP_CACHE_MAX_RESPONSE + 1, 300},
		{64, SIZE_MAX, 300},
		{64, 1024, 0},
		{64, 1024, -1},
		{64, 1024, INT64_MAX},
		/* each within its bound, together over the memory bound */
		{CW_OCSP_CACHE_MAX_ENTRIES, CW_OCSP_CACHE_MAX_RESPONSE, 300},
	};

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		bad = (cw_ocsp_cache *)1;
		assert_int_equal(cw_ocsp_cache_new(refused[i].entries,
		    refused[i].max, refused[i].refresh, &bad, &err),
		    CW_ERR_USAGE);
		assert_null(bad);
	}
	assert_non_null(strstr(err.msg, "OCSP cache"));

	c = cache(16, 512, REFRESH);
	memset(der, 0x30, sizeof(der));
	synthetic_key(1, &k);
	/* a response over the entry size, an empty one, no bytes at all */
	assert_false(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW + VALIDITY,
	    der, 513));
	assert_false(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW + VALIDITY,
	    der, 0));
	assert_false(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW + VALIDITY,
	    NULL, 10));
	/* times: reversed, equal, outside 1950..9999 */
	assert_false(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW, der, 10));
	assert_false(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW - 1, der,
	    10));
	assert_false(cw_ocsp_cache_put(c, &k, &good, INT64_MIN, T_NOW, der,
	    10));
	assert_false(cw_ocsp_cache_put(c, &k, &good, T_NOW, INT64_MAX, der,
	    10));
	/* a status that does not exist */
	assert_false(cw_ocsp_cache_put(c, &k, &weird, T_NOW, T_NOW + VALIDITY,
	    der, 10));
	/* keys: empty, longer than any CertID */
	memset(&big, 0xff, sizeof(big));
	big.len = CW_OCSP_CACHE_KEY_MAX + 1;
	assert_false(cw_ocsp_cache_put(c, &big, &good, T_NOW,
	    T_NOW + VALIDITY, der, 10));
	assert_false(cw_ocsp_cache_get(c, &big, &good, T_NOW, &hit));
	big.len = 0;
	assert_false(cw_ocsp_cache_put(c, &big, &good, T_NOW,
	    T_NOW + VALIDITY, der, 10));
	assert_false(cw_ocsp_cache_get(c, &big, &good, T_NOW, &hit));
	cw_ocsp_cache_get_stats(c, &s);
	assert_int_equal(s.refused, 10);
	assert_int_equal(s.entries, 0);
	/* exactly the entry size fits; a key of the maximum length too */
	assert_true(cw_ocsp_cache_put(c, &k, &good, T_NOW, T_NOW + VALIDITY,
	    der, 512));
	big.len = CW_OCSP_CACHE_KEY_MAX;
	assert_true(cw_ocsp_cache_put(c, &big, &good, T_NOW, T_NOW + VALIDITY,
	    der, 1));
	assert_true(cw_ocsp_cache_get(c, &big, &good, T_NOW, &hit));
	assert_int_equal(hit.len, 1);
	/* a time near the end of 9999 does not overflow the age check */
	assert_false(cw_ocsp_cache_get(c, &big, &good, INT64_MAX, &hit));
	assert_false(cw_ocsp_cache_get(c, &k, &good, INT64_MIN, &hit));

	/* CertID fields beyond ocsp_resp.h's bounds get no key */
	memset(&q, 0, sizeof(q));
	q.n_single = 1;
	q.single[0].hash = CW_OCSP_SHA1;
	q.single[0].hash_len = 20;
	q.single[0].serial_len = 4;
	assert_true(cw_ocsp_cache_key_of(&q, &k));
	q.single[0].hash_len = CW_OCSP_HASH_MAX + 1;
	assert_false(cw_ocsp_cache_key_of(&q, &k));
	q.single[0].hash_len = 0;
	assert_false(cw_ocsp_cache_key_of(&q, &k));
	q.single[0].hash_len = 20;
	q.single[0].serial_len = CW_OCSP_SERIAL_MAX + 1;
	assert_false(cw_ocsp_cache_key_of(&q, &k));
	q.single[0].serial_len = 0;
	assert_false(cw_ocsp_cache_key_of(&q, &k));
	q.single[0].serial_len = CW_OCSP_SERIAL_MAX;
	q.single[0].hash_len = CW_OCSP_HASH_MAX;
	assert_true(cw_ocsp_cache_key_of(&q, &k));
	assert_int_equal(k.len, CW_OCSP_CACHE_KEY_MAX);
	q.n_single = 0;
	assert_false(cw_ocsp_cache_key_of(&q, &k));
	q.n_single = CW_OCSP_MAX_SINGLE;
	assert_false(cw_ocsp_cache_key_of(&q, &k));
	cw_ocsp_cache_free(c);
	cw_ocsp_cache_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit),
		cmocka_unit_test(test_miss),
		cmocka_unit_test(test_status_change_invalidates),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_eviction_at_bound),
		cmocka_unit_test(test_replace_and_clear),
		cmocka_unit_test(test_nonce_bypass),
		cmocka_unit_test(test_hostile_sizes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
