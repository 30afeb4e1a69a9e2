/*
 * bench_csr_check.c - how fast is the policy gate compared with the bare
 * OpenSSL path over the same CSRs?
 *
 *   bare: d2i_X509_REQ + X509_REQ_verify (what any CA must at least do)
 *   full: cw_csr_parse (strict DER, key facts, extensions, signature) +
 *         cw_policy_eval against a template with 10 SAN patterns
 *
 * One core, in process, no storage.  Each measurement is repeated and the
 * median printed; bare and full alternate so machine noise hits both.
 * Usage: bench_csr_check [seconds-per-run (default 1.0)] [repeats (5)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "policy/policy.h"
#include "policy/policy_eval.h"
#include "x509/csr.h"
#include "x509/csr_build.h"
#include "x509/keygen.h"

#define N_CSRS 64

static const char policy_yaml[] =
    "version: 1\n"
    "templates:\n"
    "  - name: bench\n"
    "    key:\n"
    "      rsa: { min_bits: 2048, max_bits: 4096 }\n"
    "      ec: { curves: [P-256, P-384] }\n"
    "    signature_hashes: [sha256, sha384]\n"
    "    subject:\n"
    "      common_name: { required: true, in_san: true }\n"
    "      organization: { value: \"Example Corp\" }\n"
    "      other_fields: deny\n"
    "    san:\n"
    "      required: true\n"
    "      max: 10\n"
    "      dns: [\"*.svc.example.internal\", \"**.apps.example.internal\",\n"
    "            \"www.example.com\", \"api.example.com\", \"*.a.example.com\",\n"
    "            \"*.b.example.com\", \"**.c.example.com\", \"d.example.com\",\n"
    "            \"*.e.example.com\"]\n"
    "      ip: [\"10.0.0.0/8\"]\n"
    "    key_usage: [digitalSignature, keyEncipherment]\n"
    "    extended_key_usage: [serverAuth]\n"
    "    validity: { default: 30d, max: 90d }\n"
    "    owner: { required: false }\n";

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

typedef struct {
	uint8_t *der[N_CSRS];
	size_t len[N_CSRS];
} corpus;

static void
make_corpus(corpus *c, const char *alg)
{
	static const cw_csr_subject_field subj[] = {
		{NID_organizationName, "Example Corp"},
		{NID_commonName, "api.svc.example.internal"},
	};
	static const char *const dns[] = {"api.svc.example.internal",
	    "x.y.apps.example.internal", "www.example.com"};
	static const char *const ip[] = {"10.1.2.3"};
	cw_csr_spec spec = {subj, 2, dns, 3, ip, 1, NULL, 0, NULL, 0,
	    "SHA256"};
	cw_keyspec ks;
	cw_err err = CW_ERR_INIT;
	EVP_PKEY *k = NULL;
	int i;

	if (cw_keyspec_parse(alg, &ks, &err) != CW_OK)
		abort();
	for (i = 0; i < N_CSRS; i++) {
		/* RSA key generation is slow: reuse a few keys */
		if (k == NULL || ks.type != CW_KEYT_RSA || i % 16 == 0) {
			EVP_PKEY_free(k);
			k = NULL;
			if (cw_keygen(&ks, &k, &err) != CW_OK)
				abort();
		}
		if (cw_csr_build(k, &spec, &c->der[i], &c->len[i], &err) !=
		    CW_OK) {
			fprintf(stderr, "%s\n", err.msg);
			abort();
		}
	}
	EVP_PKEY_free(k);
}

static double
run_bare(const corpus *c, double secs)
{
	double t0 = now(), t;
	long n = 0;

	do {
		for (int i = 0; i < N_CSRS; i++) {
			const unsigned char *p = c->der[i];
			X509_REQ *r = d2i_X509_REQ(NULL, &p, (long)c->len[i]);

			if (r == NULL || X509_REQ_verify(r,
			    X509_REQ_get0_pubkey(r)) != 1)
				abort();
			X509_REQ_free(r);
		}
		n += N_CSRS;
	} while ((t = now() - t0) < secs);
	return (double)n / t;
}

static double
run_full(const corpus *c, const cw_template *tpl, double secs)
{
	double t0 = now(), t;
	cw_err err = CW_ERR_INIT;
	long n = 0;

	do {
		for (int i = 0; i < N_CSRS; i++) {
			cw_csr *csr = NULL;
			cw_violations v;

			cw_violations_init(&v);
			if (cw_csr_parse(c->der[i], c->len[i], &csr, &err) !=
			    CW_OK || cw_policy_eval(tpl, csr, &v, &err) != CW_OK)
				abort();
			if (cw_violations_any(&v)) {
				fprintf(stderr, "bench CSR not compliant: [%s] %s\n",
				    v.items[0].rule, v.items[0].msg);
				abort();
			}
			cw_violations_cleanup(&v);
			cw_csr_free(csr);
		}
		n += N_CSRS;
	} while ((t = now() - t0) < secs);
	return (double)n / t;
}

int
main(int argc, char **argv)
{
	static const char *algs[] = {"ec:P-256", "rsa:3072"};
	double secs = argc > 1 ? strtod(argv[1], NULL) : 1.0;
	int reps = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
	cw_policy_errors errs;
	cw_policy *pol = NULL;
	cw_err err = CW_ERR_INIT;
	double bare[32], full[32];

	if (reps < 1 || reps > 32 || secs <= 0)
		return 2;
	if (cw_policy_load_mem("bench.yaml", policy_yaml, sizeof(policy_yaml) - 1,
	    &pol, &errs, &err) != CW_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 3;
	}
	printf("%-9s %14s %14s %7s\n", "csr", "bare CSRs/s", "full CSRs/s",
	    "ratio");
	for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		corpus c;

		make_corpus(&c, algs[a]);
		run_full(&c, &pol->templates[0], 0.2); /* warm up */
		for (int r = 0; r < reps; r++) {
			bare[r] = run_bare(&c, secs);
			full[r] = run_full(&c, &pol->templates[0], secs);
		}
		qsort(bare, (size_t)reps, sizeof(double), cmp_double);
		qsort(full, (size_t)reps, sizeof(double), cmp_double);
		printf("%-9s %14.0f %14.0f %6.2fx\n", algs[a], bare[reps / 2],
		    full[reps / 2], full[reps / 2] / bare[reps / 2]);
		for (int i = 0; i < N_CSRS; i++)
			OPENSSL_free(c.der[i]);
	}
	cw_policy_free(pol);
	return 0;
}
