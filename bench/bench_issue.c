/*
 * bench_issue.c - how fast is governed issuance?  Drives the engine the
 * way the CLI does (cw_engine_open, cw_request_submit_many) on data
 * directories made with `certward init`, over P-256 CSRs generated here
 * (unique keys, O + CN + two DNS SANs, SHA-256), outside the timed parts.
 *
 *   inproc N GROUP DIR...
 *       For each DIR (fresh, one per repeat): N new CSRs, then in blocks
 *       of 1,000 that alternate (the machines are shared and noisy):
 *         storage off: cw_csr_parse + cw_policy_eval + the certificate
 *           built as issue.c builds it (cw_cert_issue_spki, as the
 *           in-process signer of sign.c, same profile) + i2d_X509, no
 *           database;
 *         durable: cw_request_submit_many in groups of GROUP (gate,
 *           inventory and key-reuse checks, request, certificate and
 *           audit events committed, WAL synchronous=FULL).
 *       Prints certs/s of both per DIR, their ratio, the share of the
 *       durable run spent on the CPU and the bytes written per
 *       certificate, then the medians.
 *   submit DIR N GROUP TAG START
 *       N new CSRs, waits until the wall clock reaches START (Unix
 *       seconds, fractional), submits them durably; prints
 *       "TAG n start end" so a script can add up concurrent processes.
 *   csrs OUTDIR N TAG
 *       Writes N PEM CSRs OUTDIR/TAG-NNNNNN.pem (for per-process runs).
 *   fill DIR N GROUP CHUNK TAG REUSE_PEM SERVICE...
 *       Issues N certificates durably, CHUNK CSRs per submit_many call,
 *       the calls cycling over the services; writes the first CSR (whose
 *       key is then in the inventory) to REUSE_PEM.
 *
 * The data directory needs a user "bench" with role requester and the
 * services named (bench/issue.sh and bench/inventory.sh set them up with
 * the CLI); every request must end issued.  Template: web-server of the
 * example policy.  Usage errors exit 2, failures 3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "engine/config.h"
#include "engine/engine.h"
#include "engine/profile.h"
#include "policy/policy.h"
#include "policy/policy_eval.h"
#include "x509/cert_build.h"
#include "x509/csr.h"
#include "x509/csr_build.h"

#define TEMPLATE "web-server"
#define MAX_REPS 32
#define BLOCK 1000 /* certificates per alternation in `inproc` */

static const cw_actor bench_actor = {"bench", "automation", "cli"};

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Bytes this process has written (write/pwrite calls), from /proc. */
static double
written_bytes(void)
{
	char line[128];
	double v = 0;
	FILE *f = fopen("/proc/self/io", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "wchar: ", 7) == 0)
			v = strtod(line + 7, NULL);
	fclose(f);
	return v;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
die(const char *what, const cw_err *err)
{
	fprintf(stderr, "bench_issue: %s: %s\n", what, err != NULL ?
	    err->msg : "failed");
	exit(3);
}

static long
arg_long(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "bench_issue: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

/* --- CSRs ------------------------------------------------------------------ */

typedef struct corpus {
	uint8_t **der;
	size_t *len;
	size_t n;
} corpus;

/* n CSRs with fresh P-256 keys; names carry tag and index so that every
 * process and repeat asks for different names. */
static void
make_corpus(corpus *c, size_t n, const char *tag)
{
	char cn[128], alt[128];
	const char *dns[2] = {cn, alt};
	cw_csr_subject_field subj[2] = {
		{NID_organizationName, "Example Corp"},
		{NID_commonName, cn},
	};
	cw_csr_spec spec = {subj, 2, dns, 2, NULL, 0, NULL, 0, NULL, 0,
	    "sha256"};
	cw_err err = CW_ERR_INIT;
	size_t i;

	c->n = n;
	c->der = calloc(n, sizeof(*c->der));
	c->len = calloc(n, sizeof(*c->len));
	if (c->der == NULL || c->len == NULL)
		die("out of memory", NULL);
	for (i = 0; i < n; i++) {
		EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

		if (k == NULL)
			die("P-256 key generation", NULL);
		snprintf(cn, sizeof(cn), "h%s-%zu.svc.example.internal", tag, i);
		snprintf(alt, sizeof(alt), "h%s-%zu.apps.example.internal", tag,
		    i);
		if (cw_csr_build(k, &spec, &c->der[i], &c->len[i], &err) !=
		    CW_OK)
			die("building a CSR", &err);
		EVP_PKEY_free(k);
	}
}

static void
free_corpus(corpus *c)
{
	for (size_t i = 0; i < c->n; i++)
		OPENSSL_free(c->der[i]);
	free(c->der);
	free(c->len);
	memset(c, 0, sizeof(*c));
}

static void
write_pem(const char *path, const uint8_t *der, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || PEM_write(f, "CERTIFICATE REQUEST", "", der,
	    (long)len) <= 0 || fclose(f) != 0) {
		fprintf(stderr, "bench_issue: cannot write %s\n", path);
		exit(3);
	}
}

/* --- storage off: the pipeline of requests.c + issue.c without the store --- */

typedef struct issuer {
	X509 *cert;
	EVP_PKEY *key;
	cw_config cfg;
	const cw_template *tpl;
} issuer;

static void
load_issuer(const char *dir, const cw_engine *e, issuer *is)
{
	char path[1024];
	cw_err err = CW_ERR_INIT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/config.yaml", dir);
	if (cw_config_load(path, &is->cfg, &err) != CW_OK)
		die(path, &err);
	snprintf(path, sizeof(path), "%s/ca/issuing.crt", dir);
	if ((f = fopen(path, "r")) == NULL ||
	    (is->cert = PEM_read_X509(f, NULL, NULL, NULL)) == NULL)
		die(path, NULL);
	fclose(f);
	snprintf(path, sizeof(path), "%s/ca/issuing.key", dir);
	if ((f = fopen(path, "r")) == NULL ||
	    (is->key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
		die(path, NULL);
	fclose(f);
	is->tpl = cw_policy_get0_template(cw_engine_policy(e), TEMPLATE);
	if (is->tpl == NULL)
		die("the policy has no template " TEMPLATE, NULL);
}

static void
free_issuer(issuer *is)
{
	X509_free(is->cert);
	EVP_PKEY_free(is->key);
}

/* One CSR to DER certificate, as cw_request_submit + cw_engine_issue do it
 * apart from the store and the audit log. */
static size_t
issue_no_store(const issuer *is, const uint8_t *in, size_t in_len)
{
	const cw_template *t = is->tpl;
	cw_err err = CW_ERR_INIT;
	cw_csr *csr = NULL;
	cw_violations v;
	cw_issue_profile ip;
	X509 *cert = NULL;
	unsigned char *der = NULL;
	int der_len;

	cw_violations_init(&v);
	if (cw_csr_parse(in, in_len, &csr, &err) != CW_OK)
		die("cw_csr_parse", &err);
	if (cw_policy_eval(t, csr, &v, &err) != CW_OK)
		die("cw_policy_eval", &err);
	if (cw_violations_any(&v)) {
		fprintf(stderr, "bench CSR not compliant: [%s] %s\n",
		    v.items[0].rule, v.items[0].msg);
		exit(3);
	}
	/* the engine's profile (issue.c), with the digest
	 * cw_engine_sign_md picks for a P-256 issuing key */
	if (cw_issue_profile_build(t, csr, is->cfg.base_url,
	    is->cfg.max_validity, is->cert, "SHA256", (int64_t)time(NULL), &ip,
	    &err) != CW_OK)
		die("cw_issue_profile_build", &err);
	/* as the engine's in-process signer does (sign.c): the CSR's SPKI
	 * copied into the certificate */
	if (cw_cert_issue_spki(&ip.p, csr->spki, csr->spki_len, is->cert,
	    is->key, &cert, &err) != CW_OK)
		die("cw_cert_issue_spki", &err);
	der_len = i2d_X509(cert, &der);
	if (der_len <= 0)
		die("i2d_X509", NULL);
	OPENSSL_free(der);
	X509_free(cert);
	cw_issue_profile_cleanup(&ip);
	cw_violations_cleanup(&v);
	cw_csr_free(csr);
	return (size_t)der_len;
}

/* Seconds to issue c[from, from+n) with storage off. */
static double
run_storage_off(const issuer *is, const corpus *c, size_t from, size_t n)
{
	double t0 = now_mono();
	size_t bytes = 0;

	for (size_t i = from; i < from + n; i++)
		bytes += issue_no_store(is, c->der[i], c->len[i]);
	if (bytes == 0)
		die("no certificates", NULL);
	return now_mono() - t0;
}

/* --- durable: the engine ------------------------------------------------- */

static cw_engine *
open_engine(const char *dir)
{
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;

	if (cw_engine_open(dir, &e, &err) != CW_OK)
		die(dir, &err);
	return e;
}

/* Submits c[from, from+n) for service svc; returns the seconds taken.
 * Every request must end issued. */
static double
submit_durable(cw_engine *e, const corpus *c, size_t from, size_t n,
    size_t group, const char *svc)
{
	cw_submit *subs = calloc(n, sizeof(*subs));
	cw_outcome *outs = calloc(n, sizeof(*outs));
	cw_err err = CW_ERR_INIT;
	double t0, t;
	size_t i;

	if (subs == NULL || outs == NULL)
		die("out of memory", NULL);
	for (i = 0; i < n; i++) {
		subs[i].template_name = TEMPLATE;
		subs[i].service = svc;
		subs[i].csr = c->der[from + i];
		subs[i].csr_len = c->len[from + i];
	}
	t0 = now_mono();
	if (cw_request_submit_many(e, &bench_actor, subs, n, group, outs,
	    &err) != CW_OK)
		die("cw_request_submit_many", &err);
	t = now_mono() - t0;
	for (i = 0; i < n; i++) {
		if (strcmp(outs[i].state, "issued") != 0) {
			fprintf(stderr, "bench_issue: request %lld ended %s: %s\n",
			    (long long)outs[i].id, outs[i].state,
			    outs[i].reason);
			exit(3);
		}
		cw_outcome_cleanup(&outs[i]);
	}
	free(subs);
	free(outs);
	return t;
}

/* --- subcommands ------------------------------------------------------------ */

static int
cmd_inproc(int argc, char **argv)
{
	size_t n, group;
	int reps, r;
	double off[MAX_REPS], dur[MAX_REPS], cpu[MAX_REPS], wr[MAX_REPS];

	if (argc < 3)
		return 2;
	n = (size_t)arg_long(argv[0], 1, 10000000);
	group = (size_t)arg_long(argv[1], 1, 100000);
	reps = argc - 2;
	if (reps > MAX_REPS)
		return 2;
	printf("%-4s %7s %15s %12s %7s %9s %12s\n", "run", "certs",
	    "storage off /s", "durable /s", "ratio", "dur. CPU",
	    "KiB written");
	for (r = 0; r < reps; r++) {
		const char *dir = argv[2 + r];
		cw_engine *e = open_engine(dir);
		issuer is;
		corpus c;
		char tag[16];
		double c0, w0, t_off, t_dur, c_dur, w_dur;

		memset(&is, 0, sizeof(is));
		load_issuer(dir, e, &is);
		snprintf(tag, sizeof(tag), "r%d", r);
		make_corpus(&c, n, tag);
		/* warm-up: code and caches, a few certificates */
		for (size_t i = 0; i < 50 && i < n; i++)
			(void)issue_no_store(&is, c.der[i], c.len[i]);
		/* the machine is shared and noisy: alternate blocks of the
		 * two ways so that a slow spell hits both alike */
		t_off = t_dur = c_dur = w_dur = 0;
		for (size_t i = 0; i < n; i += BLOCK) {
			size_t k = n - i < BLOCK ? n - i : BLOCK;

			t_off += run_storage_off(&is, &c, i, k);
			c0 = cpu_time();
			w0 = written_bytes();
			t_dur += submit_durable(e, &c, i, k, group, "bench");
			c_dur += cpu_time() - c0;
			w_dur += written_bytes() - w0;
		}
		off[r] = (double)n / t_off;
		dur[r] = (double)n / t_dur;
		/* share of the durable run's wall time spent on the CPU (the
		 * rest is waiting: fsync, the disk) and bytes written per
		 * certificate (WAL frames and checkpoints) */
		cpu[r] = c_dur / t_dur;
		wr[r] = w_dur / (double)n / 1024;
		printf("%-4d %7zu %15.0f %12.0f %6.2fx %8.0f%% %12.1f\n", r + 1,
		    n, off[r], dur[r], dur[r] / off[r], 100 * cpu[r], wr[r]);
		fflush(stdout);
		free_corpus(&c);
		free_issuer(&is);
		cw_engine_close(e);
	}
	qsort(off, (size_t)reps, sizeof(double), cmp_double);
	qsort(dur, (size_t)reps, sizeof(double), cmp_double);
	qsort(cpu, (size_t)reps, sizeof(double), cmp_double);
	qsort(wr, (size_t)reps, sizeof(double), cmp_double);
	printf("%-4s %7zu %15.0f %12.0f %6.2fx %8.0f%% %12.1f\n", "med", n,
	    off[reps / 2], dur[reps / 2], dur[reps / 2] / off[reps / 2],
	    100 * cpu[reps / 2], wr[reps / 2]);
	return 0;
}

static int
cmd_submit(int argc, char **argv)
{
	cw_engine *e;
	corpus c;
	size_t n, group;
	double start, t0, t1;
	char *end;

	if (argc != 5)
		return 2;
	n = (size_t)arg_long(argv[1], 1, 10000000);
	group = (size_t)arg_long(argv[2], 1, 100000);
	start = strtod(argv[4], &end);
	if (end == argv[4] || *end != '\0')
		return 2;
	e = open_engine(argv[0]);
	make_corpus(&c, n, argv[3]);
	while (now_real() < start) {
		struct timespec ts = {0, 1000000};

		nanosleep(&ts, NULL);
	}
	t0 = now_real();
	(void)submit_durable(e, &c, 0, n, group, "bench");
	t1 = now_real();
	printf("%s %zu %.6f %.6f\n", argv[3], n, t0, t1);
	free_corpus(&c);
	cw_engine_close(e);
	return 0;
}

static int
cmd_csrs(int argc, char **argv)
{
	corpus c;
	char path[1024];

	if (argc != 3)
		return 2;
	make_corpus(&c, (size_t)arg_long(argv[1], 1, 10000000), argv[2]);
	for (size_t i = 0; i < c.n; i++) {
		snprintf(path, sizeof(path), "%s/%s-%06zu.pem", argv[0], argv[2],
		    i);
		write_pem(path, c.der[i], c.len[i]);
	}
	free_corpus(&c);
	return 0;
}

static int
cmd_fill(int argc, char **argv)
{
	cw_engine *e;
	size_t n, group, chunk, done = 0, call = 0, n_svc, last_n = 0;
	double t0 = now_mono(), busy = 0, last_busy = 0;
	char tag[64];

	if (argc < 7)
		return 2;
	n = (size_t)arg_long(argv[1], 1, 100000000);
	group = (size_t)arg_long(argv[2], 1, 100000);
	chunk = (size_t)arg_long(argv[3], 1, 1000000);
	n_svc = (size_t)argc - 6;
	e = open_engine(argv[0]);
	while (done < n) {
		size_t k = n - done < chunk ? n - done : chunk;
		corpus c;

		snprintf(tag, sizeof(tag), "%s%zu", argv[4], call);
		make_corpus(&c, k, tag);
		if (done == 0)
			write_pem(argv[5], c.der[0], c.len[0]);
		busy += submit_durable(e, &c, 0, k, group,
		    argv[6 + call % n_svc]);
		free_corpus(&c);
		done += k;
		call++;
		/* the rate of the last stretch shows how issuance slows
		 * down as the inventory grows */
		if (call % 10 == 0 || done == n) {
			fprintf(stderr, "fill: %zu certificates, %.0f s; last "
			    "%zu at %.0f certs/s in submit_many\n", done,
			    now_mono() - t0, done - last_n,
			    (double)(done - last_n) / (busy - last_busy));
			last_n = done;
			last_busy = busy;
		}
	}
	printf("issued %zu in %.1f s (%.0f certs/s in submit_many, %.0f/s "
	    "with CSR generation)\n", n, now_mono() - t0, (double)n / busy,
	    (double)n / (now_mono() - t0));
	cw_engine_close(e);
	return 0;
}

int
main(int argc, char **argv)
{
	int rc = 2;

	if (argc >= 2 && strcmp(argv[1], "inproc") == 0)
		rc = cmd_inproc(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "submit") == 0)
		rc = cmd_submit(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "csrs") == 0)
		rc = cmd_csrs(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "fill") == 0)
		rc = cmd_fill(argc - 2, argv + 2);
	if (rc == 2)
		fprintf(stderr, "usage: bench_issue inproc N GROUP DIR...\n"
		    "       bench_issue submit DIR N GROUP TAG START\n"
		    "       bench_issue csrs OUTDIR N TAG\n"
		    "       bench_issue fill DIR N GROUP CHUNK TAG REUSE_PEM "
		    "SERVICE...\n");
	return rc;
}
