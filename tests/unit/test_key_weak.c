/*
 * test_key_weak.c - weak RSA key checks (src/x509/key_weak.c).
 *
 * Every bad key is built here, at run time, with the structure of the real
 * flaw: products with small primes, primes a few bits apart, ROCA primes
 * p = k * M + (65537^a mod M).  Good keys come from OpenSSL's own key
 * generator, so a false positive on an honest key fails the suite too.
 * The const tables of key_weak.c are verified through the public functions:
 * every small prime is planted in a modulus, every residue modulo every ROCA
 * prime is tried, every square class passes Fermat's filters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "src/x509/key_weak.h"
#include "testutil.h"

#define NKEYS 3
#define WHY 256
#define ROCA_GEN 65537

/* Shared material, made once by the group setup (key generation is slow). */
static struct {
	BIGNUM *n[NKEYS];	/* honest RSA-2048 moduli */
	BIGNUM *e[NKEYS];
	BIGNUM *p[NKEYS];	/* their primes: random, 1024 bits */
	BIGNUM *q[NKEYS];
	BN_CTX *ctx;
	unsigned char sieve[CW_WEAK_SMALL_PRIME + 100];	/* 1 = prime */
} fx;

/*
 * Allocation failure injection for libcrypto: after `alloc_budget`
 * successful allocations every further one fails.  Installed before
 * libcrypto allocates anything (first thing in main).
 */
static int alloc_hook_installed;
static long alloc_budget = -1;	/* < 0: never fail */
static int alloc_failed;

static void *
hook_malloc(size_t num, const char *file, int line)
{
	(void)file;
	(void)line;
	if (alloc_budget == 0) {
		alloc_failed = 1;
		return NULL;
	}
	if (alloc_budget > 0)
		alloc_budget--;
	return malloc(num);
}

static void *
hook_realloc(void *addr, size_t num, const char *file, int line)
{
	(void)file;
	(void)line;
	if (alloc_budget == 0) {
		alloc_failed = 1;
		return NULL;
	}
	if (alloc_budget > 0)
		alloc_budget--;
	return realloc(addr, num);
}

static void
hook_free(void *addr, const char *file, int line)
{
	(void)file;
	(void)line;
	free(addr);
}

/* ---- helpers ---- */

static BIGNUM *
bn_word(BN_ULONG w)
{
	BIGNUM *b = BN_new();

	assert_non_null(b);
	assert_int_equal(BN_set_word(b, w), 1);
	return b;
}

static BIGNUM *
bn_mul2(const BIGNUM *a, const BIGNUM *b)
{
	BIGNUM *r = BN_new();

	assert_non_null(r);
	assert_int_equal(BN_mul(r, a, b, fx.ctx), 1);
	return r;
}

static BIGNUM *
bn_mulw(const BIGNUM *a, BN_ULONG w)
{
	BIGNUM *r = BN_dup(a);

	assert_non_null(r);
	assert_int_equal(BN_mul_word(r, w), 1);
	return r;
}

/* out = the smallest prime >= start. */
static void
next_prime(BIGNUM *out, const BIGNUM *start)
{
	int rc;

	assert_non_null(BN_copy(out, start));
	if (!BN_is_odd(out))
		assert_int_equal(BN_add_word(out, 1), 1);
	while ((rc = BN_check_prime(out, fx.ctx, NULL)) == 0)
		assert_int_equal(BN_add_word(out, 2), 1);
	assert_int_equal(rc, 1);
}

/* floor(sqrt(x)) by bisection on the bits: slow, obviously right. */
static void
slow_isqrt(BIGNUM *r, const BIGNUM *x)
{
	BIGNUM *t = BN_new(), *sq = BN_new();
	int bit;

	assert_true(t != NULL && sq != NULL);
	BN_zero(r);
	for (bit = BN_num_bits(x) / 2 + 1; bit >= 0; bit--) {
		assert_non_null(BN_copy(t, r));
		assert_int_equal(BN_set_bit(t, bit), 1);
		assert_int_equal(BN_sqr(sq, t, fx.ctx), 1);
		if (BN_cmp(sq, x) <= 0)
			assert_non_null(BN_copy(r, t));
	}
	BN_free(t);
	BN_free(sq);
}

/* Whether `why` holds the decimal number v as a whole word. */
static int
names_number(const char *why, unsigned long v)
{
	char num[32];
	const char *s = why;
	size_t len;

	(void)snprintf(num, sizeof(num), "%lu", v);
	len = strlen(num);
	while ((s = strstr(s, num)) != NULL) {
		if ((s == why || s[-1] < '0' || s[-1] > '9') &&
		    (s[len] < '0' || s[len] > '9'))
			return 1;
		s++;
	}
	return 0;
}

/* A random odd number of exactly `bits` bits. */
static BIGNUM *
random_odd(int bits)
{
	BIGNUM *r = BN_new();

	assert_non_null(r);
	assert_int_equal(BN_rand(r, bits, BN_RAND_TOP_ONE,
	    BN_RAND_BOTTOM_ODD), 1);
	return r;
}

/*
 * A ROCA-structured prime of about `bits` bits: p = k * M + (65537^a mod M)
 * with M the product of the first 39 primes (2 ... 167), random k and a.
 */
static BIGNUM *
roca_prime(int bits)
{
	BIGNUM *m = bn_word(1), *g = bn_word(ROCA_GEN), *a = BN_new();
	BIGNUM *ga = BN_new(), *k = BN_new(), *p = BN_new();
	unsigned i;
	int rc;

	assert_true(a != NULL && ga != NULL && k != NULL && p != NULL);
	for (i = 2; i <= 167; i++)
		if (fx.sieve[i])
			assert_int_equal(BN_mul_word(m, i), 1);
	assert_int_equal(BN_rand(a, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY),
	    1);
	assert_int_equal(BN_mod_exp(ga, g, a, m, fx.ctx), 1);
	do {
		assert_int_equal(BN_rand(k, bits - BN_num_bits(m),
		    BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY), 1);
		assert_int_equal(BN_mul(p, k, m, fx.ctx), 1);
		assert_int_equal(BN_add(p, p, ga), 1);
	} while ((rc = BN_check_prime(p, fx.ctx, NULL)) == 0);
	assert_int_equal(rc, 1);
	BN_free(m);
	BN_free(g);
	BN_free(a);
	BN_free(ga);
	BN_free(k);
	return p;
}

/* Whether x is in the subgroup of Z_p^* generated by 65537, by brute force. */
static int
in_roca_subgroup(unsigned p, unsigned x)
{
	unsigned g = ROCA_GEN % p, y = 1;

	do {
		if (y == x % p)
			return 1;
		y = y * g % p;
	} while (y != 1);
	return 0;
}

/* ---- fixtures ---- */

static int
setup(void **state)
{
	EVP_PKEY *pk;
	unsigned i, j;
	int k;

	(void)state;
	fx.ctx = BN_CTX_new();
	if (fx.ctx == NULL)
		return -1;
	memset(fx.sieve, 1, sizeof(fx.sieve));
	fx.sieve[0] = fx.sieve[1] = 0;
	for (i = 2; i * i < sizeof(fx.sieve); i++)
		if (fx.sieve[i])
			for (j = i * i; j < sizeof(fx.sieve); j += i)
				fx.sieve[j] = 0;
	for (k = 0; k < NKEYS; k++) {
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		if (pk == NULL ||
		    !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N,
		    &fx.n[k]) ||
		    !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E,
		    &fx.e[k]) ||
		    !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR1,
		    &fx.p[k]) ||
		    !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR2,
		    &fx.q[k])) {
			EVP_PKEY_free(pk);
			return -1;
		}
		EVP_PKEY_free(pk);
	}
	return 0;
}

static int
teardown(void **state)
{
	int k;

	(void)state;
	for (k = 0; k < NKEYS; k++) {
		BN_free(fx.n[k]);
		BN_free(fx.e[k]);
		BN_free(fx.p[k]);
		BN_free(fx.q[k]);
	}
	BN_CTX_free(fx.ctx);
	return 0;
}

/* ---- exponent ---- */

/* e = 3, 65537, a large odd e below n: not weak by this check. */
static void
test_exponent_accepts_odd_between_3_and_n(void **state)
{
	BIGNUM *e3 = bn_word(3), *e65537 = bn_word(65537);
	BIGNUM *big = BN_dup(fx.n[0]);
	char why[WHY] = "stale";

	(void)state;
	assert_int_equal(BN_sub_word(big, 2), 1);	/* n - 2, odd */
	assert_int_equal(cw_rsa_exponent_weak(fx.n[0], e3, why, sizeof(why)),
	    CW_KEY_OK);
	assert_string_equal(why, "");
	assert_int_equal(cw_rsa_exponent_weak(fx.n[0], e65537, why,
	    sizeof(why)), CW_KEY_OK);
	assert_int_equal(cw_rsa_exponent_weak(fx.n[0], big, why, sizeof(why)),
	    CW_KEY_OK);
	BN_free(e3);
	BN_free(e65537);
	BN_free(big);
}

/* e = 0, 1, 2 and negative exponents are weak, and the value is named. */
static void
test_exponent_rejects_below_3(void **state)
{
	static const BN_ULONG small[] = {0, 1, 2};
	BIGNUM *e;
	char why[WHY];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		e = bn_word(small[i]);
		assert_int_equal(cw_rsa_exponent_weak(fx.n[0], e, why,
		    sizeof(why)), CW_KEY_WEAK);
		assert_non_null(strstr(why, "below 3"));
		assert_true(names_number(why, small[i]));
		BN_free(e);
	}
	e = bn_word(65537);
	BN_set_negative(e, 1);
	assert_int_equal(cw_rsa_exponent_weak(fx.n[0], e, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_non_null(strstr(why, "-65537"));
	BN_free(e);
}

/* Even exponents (4, 65536, a huge even one) are weak. */
static void
test_exponent_rejects_even(void **state)
{
	BIGNUM *e4 = bn_word(4), *e65536 = bn_word(65536);
	BIGNUM *huge = BN_dup(fx.p[0]);
	char why[WHY];

	(void)state;
	assert_int_equal(cw_rsa_exponent_weak(fx.n[0], e4, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_non_null(strstr(why, "even"));
	assert_true(names_number(why, 4));
	assert_int_equal(cw_rsa_exponent_weak(fx.n[0], e65536, why,
	    sizeof(why)), CW_KEY_WEAK);
	assert_true(names_number(why, 65536));
	assert_int_equal(BN_add_word(huge, 1), 1);	/* p + 1, even */
	assert_int_equal(cw_rsa_exponent_weak(fx.n[0], huge, why,
	    sizeof(why)), CW_KEY_WEAK);
	assert_non_null(strstr(why, "even"));
	assert_non_null(strstr(why, "1024 bits"));
	BN_free(e4);
	BN_free(e65536);
	BN_free(huge);
}

/* e = n and e > n are weak (e >= n). */
static void
test_exponent_rejects_not_below_n(void **state)
{
	BIGNUM *above = BN_dup(fx.n[0]);
	char why[WHY];

	(void)state;
	assert_int_equal(BN_add_word(above, 2), 1);
	assert_int_equal(cw_rsa_exponent_weak(fx.n[0], fx.n[0], why,
	    sizeof(why)), CW_KEY_WEAK);
	assert_non_null(strstr(why, "not below the modulus"));
	assert_int_equal(cw_rsa_exponent_weak(fx.n[0], above, why,
	    sizeof(why)), CW_KEY_WEAK);
	assert_non_null(strstr(why, "not below the modulus"));
	BN_free(above);
}

/* A missing, zero or negative modulus, or a missing exponent, is weak. */
static void
test_exponent_rejects_bad_modulus(void **state)
{
	BIGNUM *zero = bn_word(0), *neg = BN_dup(fx.n[0]);
	BIGNUM *e = bn_word(65537);
	char why[WHY];

	(void)state;
	BN_set_negative(neg, 1);
	assert_int_equal(cw_rsa_exponent_weak(zero, e, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_int_equal(cw_rsa_exponent_weak(neg, e, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_non_null(strstr(why, "not positive"));
	assert_int_equal(cw_rsa_exponent_weak(NULL, e, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_int_equal(cw_rsa_exponent_weak(fx.n[0], NULL, why,
	    sizeof(why)), CW_KEY_WEAK);
	BN_free(zero);
	BN_free(neg);
	BN_free(e);
}

/* ---- small factors ---- */

/* Honest RSA-2048 moduli have no prime factor below 20000. */
static void
test_small_factor_accepts_good_keys(void **state)
{
	char why[WHY] = "stale";
	int k;

	(void)state;
	for (k = 0; k < NKEYS; k++) {
		assert_int_equal(cw_rsa_small_factor(fx.n[k], fx.ctx, why,
		    sizeof(why)), CW_KEY_OK);
		assert_string_equal(why, "");
	}
	/* ctx is optional */
	assert_int_equal(cw_rsa_small_factor(fx.n[0], NULL, why, sizeof(why)),
	    CW_KEY_OK);
}

/* 13 * q and 19997 * q (q a 1024-bit prime) are weak and name the factor. */
static void
test_small_factor_names_factor(void **state)
{
	static const BN_ULONG f[] = {13, 19997};
	BIGNUM *n;
	char why[WHY];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		n = bn_mulw(fx.q[0], f[i]);
		assert_int_equal(cw_rsa_small_factor(n, fx.ctx, why,
		    sizeof(why)), CW_KEY_WEAK);
		assert_true(names_number(why, f[i]));
		assert_non_null(strstr(why, "small prime factor"));
		BN_free(n);
	}
}

/* Every prime below CW_WEAK_SMALL_PRIME is found, on 1024- and 2048-bit n. */
static void
test_small_factor_finds_every_prime(void **state)
{
	BIGNUM *n, *big = bn_mul2(fx.p[1], fx.q[1]);
	char why[WHY];
	unsigned p;
	int found = 0;

	(void)state;
	for (p = 2; p < CW_WEAK_SMALL_PRIME; p++) {
		if (!fx.sieve[p])
			continue;
		n = bn_mulw(fx.q[0], p);
		assert_int_equal(cw_rsa_small_factor(n, NULL, why,
		    sizeof(why)), CW_KEY_WEAK);
		if (!names_number(why, p))
			fail_msg("factor %u: got \"%s\"", p, why);
		BN_free(n);
		n = bn_mulw(big, p);
		assert_int_equal(cw_rsa_small_factor(n, NULL, why,
		    sizeof(why)), CW_KEY_WEAK);
		if (!names_number(why, p))
			fail_msg("factor %u: got \"%s\"", p, why);
		BN_free(n);
		found++;
	}
	assert_int_equal(found, 2262);	/* pi(20000) */
	BN_free(big);
}

/* With several small factors, the smallest one is named. */
static void
test_small_factor_names_smallest(void **state)
{
	BIGNUM *n1 = bn_mulw(fx.q[0], 19997), *n2, *n3;
	char why[WHY];

	(void)state;
	n2 = bn_mulw(n1, 13);
	assert_int_equal(cw_rsa_small_factor(n2, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_true(names_number(why, 13));
	assert_false(names_number(why, 19997));
	n3 = bn_mulw(n1, 19993);	/* both in the last group */
	assert_int_equal(cw_rsa_small_factor(n3, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_true(names_number(why, 19993));
	BN_free(n1);
	BN_free(n2);
	BN_free(n3);
}

/* Primes at or above the bound are not small factors. */
static void
test_small_factor_bound_is_exclusive(void **state)
{
	unsigned first = CW_WEAK_SMALL_PRIME;
	BIGNUM *n1, *n2;
	char why[WHY];

	(void)state;
	while (!fx.sieve[first])
		first++;
	assert_int_equal(first, 20011);
	n1 = bn_mulw(fx.q[0], first);
	assert_int_equal(cw_rsa_small_factor(n1, NULL, why, sizeof(why)),
	    CW_KEY_OK);
	n2 = bn_word((BN_ULONG)first * 20021u);	/* 20021 is prime too */
	assert_int_equal(cw_rsa_small_factor(n2, NULL, why, sizeof(why)),
	    CW_KEY_OK);
	BN_free(n1);
	BN_free(n2);
}

/* Even moduli, 1, 0 and negative moduli are weak. */
static void
test_small_factor_rejects_even_and_degenerate(void **state)
{
	BIGNUM *even = bn_mulw(fx.q[0], 2), *r = random_odd(2048);
	BIGNUM *one = bn_word(1), *zero = bn_word(0), *neg = BN_dup(fx.n[0]);
	char why[WHY];

	(void)state;
	assert_int_equal(cw_rsa_small_factor(even, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_non_null(strstr(why, "even"));
	assert_true(names_number(why, 2));
	assert_int_equal(BN_add_word(r, 1), 1);
	assert_int_equal(cw_rsa_small_factor(r, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_int_equal(cw_rsa_small_factor(one, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_int_equal(cw_rsa_small_factor(zero, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	BN_set_negative(neg, 1);
	assert_int_equal(cw_rsa_small_factor(neg, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_int_equal(cw_rsa_small_factor(NULL, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	BN_free(even);
	BN_free(r);
	BN_free(one);
	BN_free(zero);
	BN_free(neg);
}

/* Moduli above CW_MAX_RSA_BITS (heap path) are checked the same way. */
static void
test_small_factor_huge_modulus(void **state)
{
	BIGNUM *huge = BN_dup(fx.q[0]), *n;
	char why[WHY];
	int i;

	(void)state;
	for (i = 0; i < 19; i++)	/* q^20: 20480 bits, no small factor */
		assert_int_equal(BN_mul(huge, huge, fx.q[0], fx.ctx), 1);
	assert_true(BN_num_bits(huge) > 16384);
	assert_int_equal(cw_rsa_small_factor(huge, NULL, why, sizeof(why)),
	    CW_KEY_OK);
	n = bn_mulw(huge, 19997);
	assert_int_equal(cw_rsa_small_factor(n, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_true(names_number(why, 19997));
	BN_free(huge);
	BN_free(n);
}

/* ---- Fermat ---- */

/* Honest keys and products of independent random primes are not weak. */
static void
test_fermat_accepts_independent_primes(void **state)
{
	BIGNUM *n;
	char why[WHY] = "stale";
	int k;

	(void)state;
	for (k = 0; k < NKEYS; k++) {
		assert_int_equal(cw_rsa_fermat(fx.n[k], fx.ctx, why,
		    sizeof(why)), CW_KEY_OK);
		assert_string_equal(why, "");
	}
	n = bn_mul2(fx.p[0], fx.p[1]);
	assert_int_equal(cw_rsa_fermat(n, NULL, why, sizeof(why)), CW_KEY_OK);
	BN_free(n);
}

/* n = p * q with q the next prime after p + 2^delta_bits. */
static BIGNUM *
close_modulus(int delta_bits)
{
	BIGNUM *start = BN_dup(fx.p[0]), *d = bn_word(0), *q = BN_new(), *n;

	assert_true(start != NULL && q != NULL);
	assert_int_equal(BN_set_bit(d, delta_bits), 1);
	assert_int_equal(BN_add(start, start, d), 1);
	next_prime(q, start);
	n = bn_mul2(fx.p[0], q);
	BN_free(start);
	BN_free(d);
	BN_free(q);
	return n;
}

/* Primes 2^500 apart (of 1024 bits) fall to Fermat in the first round. */
static void
test_fermat_rejects_close_primes(void **state)
{
	BIGNUM *n = close_modulus(500);
	char why[WHY];

	(void)state;
	assert_int_equal(cw_rsa_fermat(n, fx.ctx, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_non_null(strstr(why, "Fermat"));
	assert_non_null(strstr(why, "in 1 round:"));
	assert_non_null(strstr(why, "differ by only 501 bits"));
	BN_free(n);
}

/* Primes 2^515 apart need several rounds, still within the budget. */
static void
test_fermat_rejects_close_primes_in_later_round(void **state)
{
	BIGNUM *n = close_modulus(515);
	char why[WHY];

	(void)state;
	assert_int_equal(cw_rsa_fermat(n, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_non_null(strstr(why, "rounds:"));
	assert_null(strstr(why, "in 1 round"));
	BN_free(n);
}

/* Primes 2^530 apart need ~2^30 rounds: not weak by this check. */
static void
test_fermat_accepts_primes_far_enough(void **state)
{
	BIGNUM *n = close_modulus(530);
	char why[WHY];

	(void)state;
	assert_int_equal(cw_rsa_fermat(n, NULL, why, sizeof(why)), CW_KEY_OK);
	BN_free(n);
}

/* p == q (a perfect-square modulus) is weak. */
static void
test_fermat_rejects_perfect_square(void **state)
{
	BIGNUM *n = bn_mul2(fx.p[0], fx.p[0]);
	char why[WHY];

	(void)state;
	assert_int_equal(cw_rsa_fermat(n, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_non_null(strstr(why, "perfect square"));
	BN_free(n);
}

/*
 * n = a^2 - b^2 built so that ceil(sqrt(n)) = c and a = c + j: Fermat finds
 * it in round j + 1, so weak exactly for j < CW_WEAK_FERMAT_ROUNDS.
 */
static void
test_fermat_round_budget_is_exact(void **state)
{
	BIGNUM *c = random_odd(600), *a = BN_new(), *t = BN_new();
	BIGNUM *b = BN_new(), *n = BN_new(), *c2 = BN_new(), *u = BN_new();
	char why[WHY], want[64];
	int j;

	(void)state;
	assert_true(a && t && b && n && c2 && u);
	assert_int_equal(BN_sqr(c2, c, fx.ctx), 1);
	for (j = 0; j <= CW_WEAK_FERMAT_ROUNDS + 1; j++) {
		/* b = ceil(sqrt(a^2 - c^2)), so c^2 >= n > (c - 1)^2 */
		assert_non_null(BN_copy(a, c));
		assert_int_equal(BN_add_word(a, (BN_ULONG)j), 1);
		assert_int_equal(BN_sqr(t, a, fx.ctx), 1);
		assert_int_equal(BN_sub(t, t, c2), 1);
		slow_isqrt(b, t);
		assert_int_equal(BN_sqr(u, b, fx.ctx), 1);
		if (BN_cmp(u, t) < 0)
			assert_int_equal(BN_add_word(b, 1), 1);
		assert_int_equal(BN_sqr(u, b, fx.ctx), 1);
		assert_int_equal(BN_sqr(n, a, fx.ctx), 1);
		assert_int_equal(BN_sub(n, n, u), 1);
		/* ceil(sqrt(n)) == c */
		assert_true(BN_cmp(n, c2) <= 0);
		assert_non_null(BN_copy(t, c));
		assert_int_equal(BN_sub_word(t, 1), 1);
		assert_int_equal(BN_sqr(t, t, fx.ctx), 1);
		assert_true(BN_cmp(n, t) > 0);

		if (j < CW_WEAK_FERMAT_ROUNDS) {
			assert_int_equal(cw_rsa_fermat(n, fx.ctx, why,
			    sizeof(why)), CW_KEY_WEAK);
			if (j == 0)	/* b = 0: n = c^2 */
				(void)snprintf(want, sizeof(want),
				    "perfect square");
			else
				(void)snprintf(want, sizeof(want),
				    "in %d rounds:", j + 1);
			if (strstr(why, want) == NULL)
				fail_msg("j=%d: \"%s\"", j, why);
		} else
			assert_int_equal(cw_rsa_fermat(n, fx.ctx, why,
			    sizeof(why)), CW_KEY_OK);
	}
	BN_free(c);
	BN_free(a);
	BN_free(t);
	BN_free(b);
	BN_free(n);
	BN_free(c2);
	BN_free(u);
}

/*
 * n = c^2 - b^2 for b = 0 ... 1023 (b^2 < 2c - 1, so round 1 finds b^2):
 * every residue class of b modulo each filter modulus occurs, so a square
 * wrongly filtered out would show up as a miss.
 */
static void
test_fermat_filters_pass_every_square(void **state)
{
	BIGNUM *c = random_odd(600), *c2 = BN_new(), *n = BN_new();
	BIGNUM *b = BN_new();
	char why[WHY];
	BN_ULONG i;

	(void)state;
	assert_true(c2 && n && b);
	assert_int_equal(BN_sqr(c2, c, fx.ctx), 1);
	for (i = 0; i < 1024; i++) {
		assert_int_equal(BN_set_word(b, i * i), 1);
		assert_int_equal(BN_sub(n, c2, b), 1);
		if (cw_rsa_fermat(n, fx.ctx, why, sizeof(why)) != CW_KEY_WEAK)
			fail_msg("b=%lu missed", (unsigned long)i);
		assert_non_null(strstr(why, i == 0 ? "perfect square" :
		    "in 1 round:"));
	}
	BN_free(c);
	BN_free(c2);
	BN_free(n);
	BN_free(b);
}

/* Tiny moduli, including 1, 3 and 15, are weak; 0 and negatives too. */
static void
test_fermat_degenerate_moduli(void **state)
{
	static const BN_ULONG tiny[] = {1, 3, 15, 35};
	BIGNUM *x, *neg = BN_dup(fx.n[0]);
	char why[WHY];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tiny) / sizeof(tiny[0]); i++) {
		x = bn_word(tiny[i]);
		assert_int_equal(cw_rsa_fermat(x, NULL, why, sizeof(why)),
		    CW_KEY_WEAK);
		BN_free(x);
	}
	x = bn_word(0);
	assert_int_equal(cw_rsa_fermat(x, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	BN_set_negative(neg, 1);
	assert_int_equal(cw_rsa_fermat(neg, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_int_equal(cw_rsa_fermat(NULL, NULL, why, sizeof(why)),
	    CW_KEY_WEAK);
	BN_free(x);
	BN_free(neg);
}

/* ---- ROCA ---- */

/* A modulus of two ROCA-structured primes (1024 and 2048 bits) is weak. */
static void
test_roca_rejects_structured_primes(void **state)
{
	static const int bits[] = {512, 1024};
	BIGNUM *p, *q, *n;
	char why[WHY];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		p = roca_prime(bits[i]);
		q = roca_prime(bits[i]);
		n = bn_mul2(p, q);
		assert_int_equal(cw_rsa_roca(n, why, sizeof(why)),
		    CW_KEY_WEAK);
		assert_non_null(strstr(why, "CVE-2017-15361"));
		/* The other checks do not see it: only ROCA does. */
		assert_int_equal(cw_rsa_small_factor(n, NULL, why,
		    sizeof(why)), CW_KEY_OK);
		assert_int_equal(cw_rsa_fermat(n, NULL, why, sizeof(why)),
		    CW_KEY_OK);
		BN_free(p);
		BN_free(q);
		BN_free(n);
	}
}

/* Honest keys and 300 random odd 2048-bit numbers lack the fingerprint. */
static void
test_roca_accepts_random_moduli(void **state)
{
	BIGNUM *r;
	char why[WHY] = "stale";
	int k;

	(void)state;
	for (k = 0; k < NKEYS; k++) {
		assert_int_equal(cw_rsa_roca(fx.n[k], why, sizeof(why)),
		    CW_KEY_OK);
		assert_string_equal(why, "");
	}
	for (k = 0; k < 300; k++) {
		r = random_odd(2048);
		assert_int_equal(cw_rsa_roca(r, why, sizeof(why)), CW_KEY_OK);
		BN_free(r);
	}
}

/*
 * For each detector prime p (3 ... 167) and each residue x mod p, the
 * number congruent to x mod p and to 1 mod the other primes is weak iff x
 * is a power of 65537 mod p (brute force here): checks the whole table.
 */
static void
test_roca_subgroup_membership_exhaustive(void **state)
{
	BIGNUM *all = bn_word(1), *rest = BN_new(), *n = BN_new();
	char why[WHY];
	unsigned p, x, t, inv;
	BN_ULONG rest_mod_p;
	int nprimes = 0;

	(void)state;
	assert_true(rest && n);
	for (p = 3; p <= 167; p++)
		if (fx.sieve[p])
			assert_int_equal(BN_mul_word(all, p), 1);
	for (p = 3; p <= 167; p++) {
		if (!fx.sieve[p])
			continue;
		nprimes++;
		assert_non_null(BN_copy(rest, all));
		assert_int_equal(BN_div_word(rest, p), 0);
		rest_mod_p = BN_mod_word(rest, p);
		for (inv = 1; inv < p && inv * rest_mod_p % p != 1; inv++)
			;
		for (x = 0; x < p; x++) {
			/* n = 1 + rest * t with t = (x - 1) / rest mod p */
			t = (x + p - 1) % p * inv % p;
			assert_non_null(BN_copy(n, rest));
			assert_int_equal(BN_mul_word(n, t), 1);
			assert_int_equal(BN_add_word(n, 1), 1);
			assert_int_equal(BN_mod_word(n, p), x);
			if (cw_rsa_roca(n, why, sizeof(why)) !=
			    (in_roca_subgroup(p, x) ? CW_KEY_WEAK : CW_KEY_OK))
				fail_msg("p=%u x=%u", p, x);
		}
	}
	assert_int_equal(nprimes, 38);
	BN_free(all);
	BN_free(rest);
	BN_free(n);
}

/* Published detector masks for the first primes agree with the check. */
static void
test_roca_matches_published_masks(void **state)
{
	/* crocs-muni/roca "prints" for 3, 5, 7, 11, 13: bit r = residue r */
	static const struct {
		unsigned p;
		unsigned long mask;
	} pub[] = {{3, 6}, {5, 30}, {7, 126}, {11, 1026}, {13, 5658}};
	size_t i;
	unsigned x;

	(void)state;
	for (i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
		for (x = 0; x < pub[i].p; x++)
			assert_int_equal(in_roca_subgroup(pub[i].p, x),
			    (int)(pub[i].mask >> x & 1));
}

/* ROCA on a non-positive modulus is weak (no silent pass). */
static void
test_roca_rejects_bad_modulus(void **state)
{
	BIGNUM *zero = bn_word(0);
	char why[WHY];

	(void)state;
	assert_int_equal(cw_rsa_roca(zero, why, sizeof(why)), CW_KEY_WEAK);
	assert_int_equal(cw_rsa_roca(NULL, why, sizeof(why)), CW_KEY_WEAK);
	BN_free(zero);
}

/* ---- all checks ---- */

/* Honest keys pass every check; the reason is left empty. */
static void
test_key_weak_accepts_good_keys(void **state)
{
	char why[WHY] = "stale";
	int k;

	(void)state;
	for (k = 0; k < NKEYS; k++) {
		assert_int_equal(cw_rsa_key_weak(fx.n[k], fx.e[k], why,
		    sizeof(why)), CW_KEY_OK);
		assert_string_equal(why, "");
	}
}

/* Each weakness surfaces through cw_rsa_key_weak with its own reason. */
static void
test_key_weak_reports_each_weakness(void **state)
{
	BIGNUM *e1 = bn_word(1), *sf = bn_mulw(fx.q[0], 19997);
	BIGNUM *close = close_modulus(400), *p, *q, *roca;
	char why[WHY];

	(void)state;
	assert_int_equal(cw_rsa_key_weak(fx.n[0], e1, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_non_null(strstr(why, "exponent 1 "));
	assert_int_equal(cw_rsa_key_weak(sf, fx.e[0], why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_true(names_number(why, 19997));
	assert_int_equal(cw_rsa_key_weak(close, fx.e[0], why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_non_null(strstr(why, "Fermat"));
	p = roca_prime(512);
	q = roca_prime(512);
	roca = bn_mul2(p, q);
	assert_int_equal(cw_rsa_key_weak(roca, fx.e[0], why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_non_null(strstr(why, "ROCA"));
	BN_free(e1);
	BN_free(sf);
	BN_free(close);
	BN_free(p);
	BN_free(q);
	BN_free(roca);
}

/* With several weaknesses the cheapest check's reason wins. */
static void
test_key_weak_cheapest_first(void **state)
{
	BIGNUM *e2 = bn_word(2), *sf = bn_mulw(fx.q[0], 13), *sq;
	char why[WHY];

	(void)state;
	/* even exponent and small factor: the exponent is reported */
	assert_int_equal(cw_rsa_key_weak(sf, e2, why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_non_null(strstr(why, "exponent"));
	/* (13 q)^2: small factor before Fermat's perfect square */
	sq = bn_mul2(sf, sf);
	assert_int_equal(cw_rsa_key_weak(sq, fx.e[0], why, sizeof(why)),
	    CW_KEY_WEAK);
	assert_true(names_number(why, 13));
	assert_null(strstr(why, "square"));
	BN_free(e2);
	BN_free(sf);
	BN_free(sq);
}

/* Allocation failure at any point is reported weak, never OK. */
static void
test_key_weak_fails_closed_on_allocation_failure(void **state)
{
	BIGNUM *huge = BN_dup(fx.q[0]);
	BN_CTX *fresh;
	char why[WHY];
	cw_weak v;
	long budget;
	int i, injected = 0;

	(void)state;
	if (!alloc_hook_installed)
		skip();
	for (i = 0; i < 19; i++)
		assert_int_equal(BN_mul(huge, huge, fx.q[0], fx.ctx), 1);
	for (budget = 0; budget < 1000; budget++) {
		alloc_failed = 0;
		alloc_budget = budget;
		v = cw_rsa_key_weak(fx.n[0], fx.e[0], why, sizeof(why));
		alloc_budget = -1;
		ERR_clear_error();
		if (!alloc_failed) {
			assert_int_equal(v, CW_KEY_OK);
			break;
		}
		injected++;
		assert_int_equal(v, CW_KEY_WEAK);
		assert_non_null(strstr(why, "internal error"));
	}
	assert_true(injected > 0);
	assert_true(budget < 1000);
	/* the heap path of the small-factor check */
	alloc_failed = 0;
	alloc_budget = 0;
	v = cw_rsa_small_factor(huge, NULL, why, sizeof(why));
	alloc_budget = -1;
	ERR_clear_error();
	assert_true(alloc_failed);
	assert_int_equal(v, CW_KEY_WEAK);
	assert_non_null(strstr(why, "internal error"));
	/* a caller's fresh BN_CTX in Fermat, which cannot grow */
	fresh = BN_CTX_new();
	assert_non_null(fresh);
	alloc_failed = 0;
	alloc_budget = 0;
	v = cw_rsa_fermat(fx.n[0], fresh, why, sizeof(why));
	alloc_budget = -1;
	ERR_clear_error();
	BN_CTX_free(fresh);
	assert_true(alloc_failed);
	assert_int_equal(v, CW_KEY_WEAK);
	assert_non_null(strstr(why, "internal error"));
	BN_free(huge);
}

/* why may be NULL or short: verdicts are unchanged, text is truncated. */
static void
test_reason_buffer_is_optional(void **state)
{
	BIGNUM *sf = bn_mulw(fx.q[0], 19997);
	char small[8];

	(void)state;
	assert_int_equal(cw_rsa_key_weak(sf, fx.e[0], NULL, 0), CW_KEY_WEAK);
	assert_int_equal(cw_rsa_key_weak(fx.n[0], fx.e[0], NULL, 0),
	    CW_KEY_OK);
	assert_int_equal(cw_rsa_small_factor(sf, NULL, small, 0), CW_KEY_WEAK);
	memset(small, 'x', sizeof(small));
	assert_int_equal(cw_rsa_small_factor(sf, NULL, small, sizeof(small)),
	    CW_KEY_WEAK);
	assert_int_equal(small[sizeof(small) - 1], '\0');
	assert_int_equal(strlen(small), sizeof(small) - 1);
	BN_free(sf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exponent_accepts_odd_between_3_and_n),
		cmocka_unit_test(test_exponent_rejects_below_3),
		cmocka_unit_test(test_exponent_rejects_even),
		cmocka_unit_test(test_exponent_rejects_not_below_n),
		cmocka_unit_test(test_exponent_rejects_bad_modulus),
		cmocka_unit_test(test_small_factor_accepts_good_keys),
		cmocka_unit_test(test_small_factor_names_factor),
		cmocka_unit_test(test_small_factor_finds_every_prime),
		cmocka_unit_test(test_small_factor_names_smallest),
		cmocka_unit_test(test_small_factor_bound_is_exclusive),
		cmocka_unit_test(test_small_factor_rejects_even_and_degenerate),
		cmocka_unit_test(test_small_factor_huge_modulus),
		cmocka_unit_test(test_fermat_accepts_independent_primes),
		cmocka_unit_test(test_fermat_rejects_close_primes),
		cmocka_unit_test(
		    test_fermat_rejects_close_primes_in_later_round),
		cmocka_unit_test(test_fermat_accepts_primes_far_enough),
		cmocka_unit_test(test_fermat_rejects_perfect_square),
		cmocka_unit_test(test_fermat_round_budget_is_exact),
		cmocka_unit_test(test_fermat_filters_pass_every_square),
		cmocka_unit_test(test_fermat_degenerate_moduli),
		cmocka_unit_test(test_roca_rejects_structured_primes),
		cmocka_unit_test(test_roca_accepts_random_moduli),
		cmocka_unit_test(test_roca_subgroup_membership_exhaustive),
		cmocka_unit_test(test_roca_matches_published_masks),
		cmocka_unit_test(test_roca_rejects_bad_modulus),
		cmocka_unit_test(test_key_weak_accepts_good_keys),
		cmocka_unit_test(test_key_weak_reports_each_weakness),
		cmocka_unit_test(test_key_weak_cheapest_first),
		cmocka_unit_test(
		    test_key_weak_fails_closed_on_allocation_failure),
		cmocka_unit_test(test_reason_buffer_is_optional),
	};

	/* Must precede any libcrypto allocation to take effect. */
	alloc_hook_installed = CRYPTO_set_mem_functions(hook_malloc,
	    hook_realloc, hook_free);
	return cmocka_run_group_tests(tests, setup, teardown);
}
