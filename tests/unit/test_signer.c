/*
 * test_signer.c - the signer process (src/signer/signer.c, the checks of
 * src/engine/sign_check.c): the real process, started the way `certward
 * serve` starts it (forked, locked down, seccomp), over a data directory
 * made by `certward init`'s code with the example policy.  A test plays a
 * worker on its own channel and sends it well-formed requests, requests
 * outside their template, requests for what the channel may not ask, and
 * bytes that are no message at all; each must be signed or refused with
 * its typed refusal.  What is signed is checked with OpenSSL against the
 * issuing CA and the audit key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "src/engine/engine.h"
#include "src/signer/signer.h"
#include "src/signer/signer_chan.h"
#include "testutil.h"

#define BASE "http://pki.example.test"
#define WS "web-server"

static struct {
	char dir[64];
	char data[128];
	cw_signer_proc sp;
	int worker;   /* a worker channel's client end */
	int server;   /* a server-certificate channel's */
	uint32_t id;
	cw_sig_rx rx;
	X509 *issuing;
	EVP_PKEY *key;   /* a subject key */
	uint8_t *spki;
	int spki_len;
} fx;

/* --- fixture ------------------------------------------------------------------- */

static void
path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", fx.data, rel);
}

static X509 *
read_cert(const char *rel)
{
	char p[256];
	FILE *f;
	X509 *x;

	path(p, sizeof(p), rel);
	f = fopen(p, "r");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

static int
setup(void **state)
{
	cw_init_opts o;
	cw_signer_opts so;
	cw_err err = CW_ERR_INIT;
	json_t *summary = NULL;
	unsigned char *p = NULL;

	(void)state;
	memset(&fx, 0, sizeof(fx));
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/cw_test_signer_XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	snprintf(fx.data, sizeof(fx.data), "%s/data", fx.dir);
	memset(&o, 0, sizeof(o));
	o.data_dir = fx.data;
	o.policy_path = cw_test_path("tests/data/policy/example.yaml");
	o.base_url = BASE;
	o.admin = "admin";
	if (cw_engine_init(&o, &summary, &err) != CW_OK)
		fail_msg("init: %s", err.msg);
	json_decref(summary);
	fx.issuing = read_cert("ca/issuing.crt");
	so.data_dir = fx.data;
	so.server_host = "127.0.0.1";
	if (cw_signer_start(&so, &fx.sp, &err) != CW_OK)
		fail_msg("signer: %s", err.msg);
	assert_int_equal(cw_signer_channel(&fx.sp, CW_SIG_ROLE_WORKER,
	    &fx.worker, &err), CW_OK);
	assert_int_equal(cw_signer_channel(&fx.sp, CW_SIG_ROLE_SERVER,
	    &fx.server, &err), CW_OK);
	fx.key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(fx.key);
	fx.spki_len = i2d_PUBKEY(fx.key, &p);
	assert_true(fx.spki_len > 0);
	fx.spki = p;
	fx.rx.replies = true;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	close(fx.worker);
	close(fx.server);
	cw_signer_stop(&fx.sp);
	cw_sig_rx_reset(&fx.rx);
	X509_free(fx.issuing);
	EVP_PKEY_free(fx.key);
	OPENSSL_free(fx.spki);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.dir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

/* --- requests ------------------------------------------------------------------- */

typedef struct prof {
	cw_cert_profile p;
	cw_name_attr subj[1];
	cw_gen_name sans[2];
	int eku[2];
	uint8_t serial[17];
	uint8_t ip[4];
} prof;

/* What issue.c builds for web-server, a P-256 key and one DNS name. */
static void
web_profile(prof *w)
{
	int64_t now = (int64_t)time(NULL);

	memset(w, 0, sizeof(*w));
	w->serial[1] = 0x42;
	w->serial[16] = 0x01;
	w->sans[0].type = CW_GN_DNS;
	w->sans[0].val = (const uint8_t *)"a.svc.example.internal";
	w->sans[0].len = strlen("a.svc.example.internal");
	w->eku[0] = NID_server_auth;
	w->p.serial = w->serial;
	w->p.serial_len = sizeof(w->serial);
	w->p.not_before = now - 60;
	w->p.not_after = now + 30 * 86400;
	w->p.sans = w->sans;
	w->p.n_sans = 1;
	w->p.key_usage = CW_KU_DIGITAL_SIGNATURE;
	w->p.eku = w->eku;
	w->p.n_eku = 1;
	w->p.crl_url = BASE "/crl/issuing.crl";
	w->p.ocsp_url = BASE "/ocsp";
	w->p.ca_issuers_url = BASE "/ca/issuing.crt";
}

/* What server_ca.c builds for serve on 127.0.0.1. */
static void
server_profile(prof *w)
{
	int64_t now = (int64_t)time(NULL);

	memset(w, 0, sizeof(*w));
	w->serial[0] = 0x11;
	w->ip[0] = 127;
	w->ip[3] = 1;
	w->subj[0].nid = NID_commonName;
	w->subj[0].val = (const uint8_t *)"127.0.0.1";
	w->subj[0].len = 9;
	w->sans[0].type = CW_GN_IP;
	w->sans[0].val = w->ip;
	w->sans[0].len = 4;
	w->sans[1].type = CW_GN_DNS;
	w->sans[1].val = (const uint8_t *)"localhost";
	w->sans[1].len = 9;
	w->eku[0] = NID_server_auth;
	w->p.serial = w->serial;
	w->p.serial_len = 16;
	w->p.not_before = now - 60;
	w->p.not_after = now + 7 * 86400;
	w->p.subject = w->subj;
	w->p.n_subject = 1;
	w->p.sans = w->sans;
	w->p.n_sans = 2;
	w->p.key_usage = CW_KU_DIGITAL_SIGNATURE;
	w->p.eku = w->eku;
	w->p.n_eku = 1;
}

/* One call on a channel: CW_OK with *data, or the refusal. */
static cw_rc
call(int fd, uint16_t type, const cw_sig_wbuf *w, const uint8_t **data,
    size_t *len, cw_refusal *why, cw_err *err)
{
	return cw_signer_call(fd, &fx.id, &fx.rx, type, w->b, w->len, -1,
	    10000, data, len, why, err);
}

/* Sends a certificate request for tmpl on fd; the refusal (or NONE). */
static cw_refusal
ask_cert(int fd, const char *tmpl, const cw_cert_profile *p, X509 **out,
    cw_err *err)
{
	cw_sig_wbuf w;
	const uint8_t *d, *q;
	size_t n;
	cw_refusal why;

	cw_sig_wbuf_init(&w, CW_SIG_CERT_MAX);
	assert_int_equal(cw_sig_cert_encode(&w, tmpl, p, fx.spki,
	    (size_t)fx.spki_len, err), CW_OK);
	if (call(fd, CW_SIG_CERT, &w, &d, &n, &why, err) == CW_OK) {
		q = d;
		*out = d2i_X509(NULL, &q, (long)n);
		assert_non_null(*out);
		assert_ptr_equal(q, d + n);
		why = CW_REFUSE_NONE;
	} else {
		*out = NULL;
		assert_int_not_equal(why, CW_REFUSE_NONE);
	}
	cw_sig_wbuf_cleanup(&w);
	return why;
}

static cw_refusal
refusal_of(int fd, const char *tmpl, const cw_cert_profile *p)
{
	cw_err err = CW_ERR_INIT;
	X509 *x = NULL;
	cw_refusal why = ask_cert(fd, tmpl, p, &x, &err);

	assert_null(x);
	assert_non_null(strstr(err.msg, "the signer refused"));
	return why;
}

/* --- certificates --------------------------------------------------------------------- */

/* A request within its template is signed by the issuing CA, with the
 * subject key given and the SAN asked for. */
static void
test_cert_signed(void **state)
{
	prof w;
	cw_err err = CW_ERR_INIT;
	X509 *x = NULL;
	EVP_PKEY *pub;

	(void)state;
	web_profile(&w);
	assert_int_equal(ask_cert(fx.worker, WS, &w.p, &x, &err),
	    CW_REFUSE_NONE);
	assert_int_equal(X509_verify(x, X509_get0_pubkey(fx.issuing)), 1);
	pub = X509_get_pubkey(x);
	assert_int_equal(EVP_PKEY_eq(pub, fx.key), 1);
	EVP_PKEY_free(pub);
	assert_int_equal(X509_check_host(x, "a.svc.example.internal", 0, 0,
	    NULL), 1);
	assert_int_equal(X509_check_ca(x), 0);
	X509_free(x);
}

/* What a worker reads of the signer's answer (cw_cert_der_subject): the
 * subject as OpenSSL's full decode prints it, a v1 certificate too, and
 * nothing that is not exactly one certificate. */
static void
test_cert_der_subject(void **state)
{
	prof w;
	cw_err err = CW_ERR_INIT;
	X509 *x = NULL;
	uint8_t *der = NULL, *bad;
	int n;
	size_t i;
	char subj[256], want[256];
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};

	(void)state;
	server_profile(&w);
	assert_int_equal(ask_cert(fx.server, CW_SERVER_CERT_TEMPLATE, &w.p, &x,
	    &err), CW_REFUSE_NONE);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	assert_int_equal(cw_cert_der_subject(der, (size_t)n, subj,
	    sizeof(subj), &err), CW_OK);
	X509_NAME_oneline(X509_get_subject_name(x), want, sizeof(want));
	assert_string_equal(subj, want);
	assert_string_equal(subj, "/CN=127.0.0.1");
	/* a v1 certificate has no [0] version: the serial comes first */
	OPENSSL_free(der);
	der = NULL;
	assert_int_equal(X509_set_version(x, X509_VERSION_1), 1);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	assert_int_equal(cw_cert_der_subject(der, (size_t)n, subj,
	    sizeof(subj), &err), CW_OK);
	assert_string_equal(subj, "/CN=127.0.0.1");
	/* a byte more or less, every truncation, junk, nothing */
	bad = malloc((size_t)n + 1);
	assert_non_null(bad);
	memcpy(bad, der, (size_t)n);
	bad[n] = 0;
	assert_int_equal(cw_cert_der_subject(bad, (size_t)n + 1, subj,
	    sizeof(subj), &err), CW_ERR_INTERNAL);
	for (i = 0; i < (size_t)n; i++)
		assert_int_equal(cw_cert_der_subject(der, i, subj,
		    sizeof(subj), &err), CW_ERR_INTERNAL);
	assert_int_equal(cw_cert_der_subject(junk, sizeof(junk), subj,
	    sizeof(subj), &err), CW_ERR_INTERNAL);
	/* the subject's SEQUENCE tag made a SET: not a Name.  Name (30 14)
	 * SET (31 12) SEQUENCE (30 10) OID (06 03 55 04 03) string (xx 09)
	 * "127.0.0.1", the only place that text is in the certificate */
	memcpy(bad, der, (size_t)n);
	for (i = 13; i + 9 <= (size_t)n; i++)
		if (memcmp(bad + i, "127.0.0.1", 9) == 0)
			break;
	assert_true(i + 9 <= (size_t)n);
	assert_int_equal(bad[i - 13], 0x30);
	assert_int_equal(bad[i - 12], 0x14);
	bad[i - 13] = 0x31;
	assert_int_equal(cw_cert_der_subject(bad, (size_t)n, subj,
	    sizeof(subj), &err), CW_ERR_INTERNAL);
	free(bad);
	OPENSSL_free(der);
	X509_free(x);
}

/* Validity past the template's 90 days is refused, one second too many
 * after the minute of back-dating included. */
static void
test_cert_validity_refused(void **state)
{
	prof w;

	(void)state;
	web_profile(&w);
	w.p.not_after = w.p.not_before + 60 + 90 * 86400 + 1;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_VALIDITY);
	w.p.not_after = w.p.not_before - 1;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_VALIDITY);
	/* workload-mtls allows 24h */
	web_profile(&w);
	w.p.not_after = w.p.not_before + 60 + 25 * 3600;
	assert_int_equal(refusal_of(fx.worker, "workload-mtls", &w.p),
	    CW_REFUSE_VALIDITY);
}

/* A notBefore a day ago (a back-dated certificate) is refused. */
static void
test_cert_time_refused(void **state)
{
	prof w;

	(void)state;
	web_profile(&w);
	w.p.not_before -= 86400;
	w.p.not_after -= 86400;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_TIME);
}

/* A template the signer's policy does not have is refused. */
static void
test_cert_unknown_template(void **state)
{
	prof w;

	(void)state;
	web_profile(&w);
	assert_int_equal(refusal_of(fx.worker, "no-such-template", &w.p),
	    CW_REFUSE_TEMPLATE);
}

/* A SAN the template does not allow, a wildcard, too many SANs, an IP
 * outside its blocks and a subject attribute it denies are refused by the
 * policy's own rules. */
static void
test_cert_names_refused(void **state)
{
	prof w;
	static const uint8_t pub_ip[4] = {8, 8, 8, 8};
	cw_gen_name many[11];
	size_t i;

	(void)state;
	web_profile(&w);
	w.sans[0].val = (const uint8_t *)"www.evil.example";
	w.sans[0].len = strlen("www.evil.example");
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_NAMES);
	web_profile(&w);
	w.sans[0].val = (const uint8_t *)"*.svc.example.internal";
	w.sans[0].len = strlen("*.svc.example.internal");
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_NAMES);
	web_profile(&w);
	w.sans[0].type = CW_GN_IP;
	w.sans[0].val = pub_ip;
	w.sans[0].len = 4;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_NAMES);
	web_profile(&w);
	for (i = 0; i < 11; i++)
		many[i] = w.sans[0];
	w.p.sans = many;
	w.p.n_sans = 11; /* template max 10 */
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_NAMES);
	web_profile(&w);
	w.p.n_sans = 0; /* required */
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_NAMES);
	web_profile(&w);
	w.subj[0].nid = NID_organizationalUnitName; /* other_fields: deny */
	w.subj[0].val = (const uint8_t *)"Ops";
	w.subj[0].len = 3;
	w.p.subject = w.subj;
	w.p.n_subject = 1;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_NAMES);
	web_profile(&w);
	w.subj[0].nid = NID_commonName; /* in_san: must be a SAN */
	w.subj[0].val = (const uint8_t *)"b.svc.example.internal";
	w.subj[0].len = strlen("b.svc.example.internal");
	w.p.subject = w.subj;
	w.p.n_subject = 1;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_NAMES);
}

/* CA usages, a key usage other than the template's fitted to the key,
 * and another EKU are refused. */
static void
test_cert_usages_refused(void **state)
{
	prof w;

	(void)state;
	web_profile(&w);
	w.p.key_usage |= CW_KU_KEY_CERT_SIGN;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_CA);
	web_profile(&w);
	w.p.key_usage |= CW_KU_CRL_SIGN;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_CA);
	web_profile(&w);
	/* keyEncipherment is the template's, but not for an EC key */
	w.p.key_usage |= CW_KU_KEY_ENCIPHERMENT;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_KEY_USAGE);
	web_profile(&w);
	w.p.key_usage = 0;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_KEY_USAGE);
	web_profile(&w);
	w.eku[0] = NID_client_auth;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_EKU);
	web_profile(&w);
	w.eku[1] = NID_client_auth;
	w.p.n_eku = 2;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_EKU);
}

/* CRL, OCSP and caIssuers URLs other than the configured ones are
 * refused. */
static void
test_cert_urls_refused(void **state)
{
	prof w;

	(void)state;
	web_profile(&w);
	w.p.crl_url = "http://attacker.example/crl";
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_URL);
	web_profile(&w);
	w.p.ocsp_url = NULL;
	assert_int_equal(refusal_of(fx.worker, WS, &w.p), CW_REFUSE_URL);
}

/* A public key that does not decode is refused before anything is
 * built. */
static void
test_cert_bad_key_refused(void **state)
{
	prof w;
	cw_sig_wbuf buf;
	cw_err err = CW_ERR_INIT;
	const uint8_t *d;
	size_t n;
	cw_refusal why;
	uint8_t junk[16];

	(void)state;
	memset(junk, 0x30, sizeof(junk));
	web_profile(&w);
	cw_sig_wbuf_init(&buf, CW_SIG_CERT_MAX);
	assert_int_equal(cw_sig_cert_encode(&buf, WS, &w.p, junk, sizeof(junk),
	    &err), CW_OK);
	assert_int_not_equal(call(fx.worker, CW_SIG_CERT, &buf, &d, &n, &why,
	    &err), CW_OK);
	assert_int_equal(why, CW_REFUSE_KEY);
	cw_sig_wbuf_cleanup(&buf);
}

/* --- roles ------------------------------------------------------------------------------- */

/* serve's own certificate: signed on the server channel, refused on a
 * worker's; a policy template, a CRL, a wrong name refused on the server
 * channel. */
static void
test_roles(void **state)
{
	prof w;
	cw_err err = CW_ERR_INIT;
	X509 *x = NULL;

	(void)state;
	server_profile(&w);
	assert_int_equal(ask_cert(fx.server, "certward-server", &w.p, &x, &err),
	    CW_REFUSE_NONE);
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	X509_free(x);
	assert_int_equal(refusal_of(fx.worker, "certward-server", &w.p),
	    CW_REFUSE_ROLE);
	server_profile(&w);
	w.sans[1].val = (const uint8_t *)"evil.test";
	assert_int_equal(refusal_of(fx.server, "certward-server", &w.p),
	    CW_REFUSE_NAMES);
	server_profile(&w);
	w.p.not_after += 86400; /* past server_cert_lifetime */
	assert_int_equal(refusal_of(fx.server, "certward-server", &w.p),
	    CW_REFUSE_VALIDITY);
	web_profile(&w);
	assert_int_equal(refusal_of(fx.server, WS, &w.p), CW_REFUSE_ROLE);
}

/* --- CRL, OCSP, checkpoints ----------------------------------------------------------------- */

static cw_refusal
ask_crl(int fd, int64_t tu, int64_t nu, X509_CRL **out)
{
	cw_revoked rev[1];
	static const uint8_t ser[] = {0x42, 0x01}, num[] = {0x07};
	cw_sig_wbuf w;
	cw_err err = CW_ERR_INIT;
	const uint8_t *d, *q;
	size_t n;
	cw_refusal why = CW_REFUSE_NONE;

	rev[0].serial = ser;
	rev[0].serial_len = sizeof(ser);
	rev[0].time = tu - 100;
	rev[0].reason = 1;
	cw_sig_wbuf_init(&w, CW_SIG_CRL_MAX);
	assert_int_equal(cw_sig_crl_encode(&w, rev, 1, tu, nu, num,
	    sizeof(num), &err), CW_OK);
	*out = NULL;
	if (call(fd, CW_SIG_CRL, &w, &d, &n, &why, &err) == CW_OK) {
		q = d;
		*out = d2i_X509_CRL(NULL, &q, (long)n);
		assert_non_null(*out);
	}
	cw_sig_wbuf_cleanup(&w);
	return why;
}

/* A CRL of the configured validity is signed by the issuing CA; one
 * valid longer than crl_next_update, or dated a day back, is refused; a
 * server channel may not ask for one. */
static void
test_crl(void **state)
{
	int64_t now = (int64_t)time(NULL);
	X509_CRL *crl;

	(void)state;
	assert_int_equal(ask_crl(fx.worker, now - 60, now + 7 * 86400, &crl),
	    CW_REFUSE_NONE);
	assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(fx.issuing)), 1);
	assert_int_equal(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 1);
	X509_CRL_free(crl);
	assert_int_equal(ask_crl(fx.worker, now - 60, now + 8 * 86400, &crl),
	    CW_REFUSE_VALIDITY);
	assert_int_equal(ask_crl(fx.worker, now - 86400, now, &crl),
	    CW_REFUSE_TIME);
	assert_int_equal(ask_crl(fx.server, now - 60, now + 3600, &crl),
	    CW_REFUSE_ROLE);
}

/* An OCSP request naming the issuing CA, as the responder parses it. */
static cw_ocsp_req *
ocsp_req(void)
{
	OCSP_REQUEST *r = OCSP_REQUEST_new();
	OCSP_CERTID *id;
	ASN1_INTEGER *sn = ASN1_INTEGER_new();
	unsigned char *der = NULL;
	cw_ocsp_req *q = NULL;
	cw_err err = CW_ERR_INIT;
	int n;

	assert_non_null(r);
	assert_int_equal(ASN1_INTEGER_set(sn, 0x4201), 1);
	id = OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(fx.issuing),
	    X509_get0_pubkey_bitstr(fx.issuing), sn);
	assert_non_null(id);
	assert_non_null(OCSP_request_add0_id(r, id));
	n = i2d_OCSP_REQUEST(r, &der);
	assert_true(n > 0);
	assert_int_equal(cw_ocsp_request_parse(der, (size_t)n, &q, &err), CW_OK);
	OPENSSL_free(der);
	OCSP_REQUEST_free(r);
	ASN1_INTEGER_free(sn);
	return q;
}

static cw_refusal
ask_ocsp(int fd, int64_t tu, int64_t nu, OCSP_RESPONSE **out)
{
	cw_ocsp_req *q = ocsp_req();
	cw_ocsp_status st[1] = {{CW_OCSP_REVOKED, 0, 1}};
	cw_sig_wbuf w;
	cw_err err = CW_ERR_INIT;
	const uint8_t *d, *p;
	size_t n;
	cw_refusal why = CW_REFUSE_NONE;

	st[0].revoked_at = tu - 1000;
	cw_sig_wbuf_init(&w, CW_SIG_OCSP_MAX);
	assert_int_equal(cw_sig_ocsp_encode(&w, q, st, tu, nu, &err), CW_OK);
	*out = NULL;
	if (call(fd, CW_SIG_OCSP, &w, &d, &n, &why, &err) == CW_OK) {
		p = d;
		*out = d2i_OCSP_RESPONSE(NULL, &p, (long)n);
		assert_non_null(*out);
	}
	cw_sig_wbuf_cleanup(&w);
	cw_ocsp_req_free(q);
	return why;
}

/* An OCSP response is signed by the issuing CA with the status given; one
 * valid for more than 7 days is refused. */
static void
test_ocsp(void **state)
{
	int64_t now = (int64_t)time(NULL);
	OCSP_RESPONSE *r;
	OCSP_BASICRESP *b;
	STACK_OF(X509) *certs = sk_X509_new_null();
	X509_STORE *store = X509_STORE_new();

	(void)state;
	assert_int_equal(ask_ocsp(fx.worker, now, now + 3600, &r),
	    CW_REFUSE_NONE);
	assert_int_equal(OCSP_response_status(r), OCSP_RESPONSE_STATUS_SUCCESSFUL);
	b = OCSP_response_get1_basic(r);
	assert_non_null(b);
	assert_int_equal(sk_X509_push(certs, fx.issuing), 1);
	assert_int_equal(OCSP_basic_verify(b, certs, store, OCSP_TRUSTOTHER |
	    OCSP_NOVERIFY), 1);
	OCSP_BASICRESP_free(b);
	OCSP_RESPONSE_free(r);
	sk_X509_free(certs);
	X509_STORE_free(store);
	assert_int_equal(ask_ocsp(fx.worker, now, now + 8 * 86400, &r),
	    CW_REFUSE_VALIDITY);
	assert_int_equal(ask_ocsp(fx.worker, now - 86400, now, &r),
	    CW_REFUSE_TIME);
}

/* A checkpoint is signed with the audit key (it verifies with
 * audit/audit.pub); one dated a day back is refused. */
static void
test_checkpoint(void **state)
{
	cw_checkpoint cp;
	cw_sig_wbuf w;
	cw_err err = CW_ERR_INIT;
	const uint8_t *d;
	size_t n;
	cw_refusal why;
	char p[256];
	FILE *f;
	EVP_PKEY *pub;

	(void)state;
	memset(&cp, 0, sizeof(cp));
	cp.size = 3;
	memset(cp.head, 1, sizeof(cp.head));
	memset(cp.root, 2, sizeof(cp.root));
	cp.time = (int64_t)time(NULL);
	cw_sig_wbuf_init(&w, CW_SIG_SMALL_MAX);
	assert_int_equal(cw_sig_checkpoint_encode(&w, &cp, &err), CW_OK);
	assert_int_equal(call(fx.worker, CW_SIG_CHECKPOINT, &w, &d, &n, &why,
	    &err), CW_OK);
	assert_true(n > 0 && n <= sizeof(cp.sig));
	memcpy(cp.sig, d, n);
	cp.sig_len = n;
	path(p, sizeof(p), "audit/audit.pub");
	f = fopen(p, "r");
	assert_non_null(f);
	pub = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(pub);
	assert_int_equal(cw_checkpoint_verify(&cp, pub, &err), CW_OK);
	cp.size = 4; /* the signature covers the fields */
	assert_int_not_equal(cw_checkpoint_verify(&cp, pub, &err), CW_OK);
	EVP_PKEY_free(pub);
	cw_sig_wbuf_cleanup(&w);

	cp.time -= 86400;
	cw_sig_wbuf_init(&w, CW_SIG_SMALL_MAX);
	assert_int_equal(cw_sig_checkpoint_encode(&w, &cp, &err), CW_OK);
	assert_int_not_equal(call(fx.worker, CW_SIG_CHECKPOINT, &w, &d, &n,
	    &why, &err), CW_OK);
	assert_int_equal(why, CW_REFUSE_TIME);
	cw_sig_wbuf_cleanup(&w);
}

/* --- malformed input --------------------------------------------------------------------------- */

/* Reads the signer's answer to raw bytes: its refusal. */
static cw_refusal
raw_refusal(int fd, uint32_t *id)
{
	cw_sig_rx rx;
	cw_sig_error e;
	cw_err err = CW_ERR_INIT;

	memset(&rx, 0, sizeof(rx));
	rx.replies = true;
	assert_int_equal(cw_sig_recv_msg(fd, &rx, NULL, 10000, &err), CW_OK);
	assert_int_equal(rx.type, CW_SIG_ERROR);
	assert_int_equal(cw_sig_error_decode(rx.buf, rx.total, &e, &err),
	    CW_OK);
	*id = rx.id;
	cw_sig_rx_reset(&rx);
	return e.refusal;
}

/* Bytes that are no fragment, a fragment of another version, a truncated
 * body, and a message type that is not for a client are refused; the
 * channel keeps working afterwards. */
static void
test_malformed(void **state)
{
	static const uint8_t junk[] = "GET / HTTP/1.1\r\n\r\n";
	uint8_t d[CW_SIG_FRAG_MAX];
	cw_sig_hdr h = {CW_SIG_CERT, 99, 4, 0};
	cw_sig_wbuf w;
	cw_err err = CW_ERR_INIT;
	const uint8_t *data;
	size_t n;
	cw_refusal why;
	uint32_t id;
	prof pr;
	X509 *x = NULL;

	(void)state;
	assert_int_equal(send(fx.worker, junk, sizeof(junk), 0),
	    (ssize_t)sizeof(junk));
	assert_int_equal(raw_refusal(fx.worker, &id), CW_REFUSE_MALFORMED);
	assert_int_equal(id, 0);
	cw_sig_hdr_put(&h, d);
	d[5] = 9; /* version 9 */
	memset(d + CW_SIG_HDR_LEN, 0, 4);
	assert_int_equal(send(fx.worker, d, CW_SIG_HDR_LEN + 4, 0),
	    CW_SIG_HDR_LEN + 4);
	assert_int_equal(raw_refusal(fx.worker, &id), CW_REFUSE_MALFORMED);

	/* a whole message whose body stops half-way */
	web_profile(&pr);
	cw_sig_wbuf_init(&w, CW_SIG_CERT_MAX);
	assert_int_equal(cw_sig_cert_encode(&w, WS, &pr.p, fx.spki,
	    (size_t)fx.spki_len, &err), CW_OK);
	w.len -= 5;
	assert_int_not_equal(call(fx.worker, CW_SIG_CERT, &w, &data, &n, &why,
	    &err), CW_OK);
	assert_int_equal(why, CW_REFUSE_MALFORMED);
	/* a malformed request is the sender's bug, never a user's error */
	assert_int_equal(err.rc, CW_ERR_INTERNAL);
	cw_sig_wbuf_cleanup(&w);

	/* the parent's messages on a worker channel */
	cw_sig_wbuf_init(&w, CW_SIG_SMALL_MAX);
	assert_int_not_equal(call(fx.worker, CW_SIG_RELOAD, &w, &data, &n,
	    &why, &err), CW_OK);
	assert_int_equal(why, CW_REFUSE_ROLE);
	cw_sig_wbuf_cleanup(&w);

	/* and the channel still serves a good request */
	web_profile(&pr);
	assert_int_equal(ask_cert(fx.worker, WS, &pr.p, &x, &err),
	    CW_REFUSE_NONE);
	X509_free(x);
}

/* A descriptor sent on a client channel is closed and refused. */
static void
test_descriptor_refused(void **state)
{
	cw_sig_wbuf w;
	cw_err err = CW_ERR_INIT;
	uint32_t id;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	cw_sig_wbuf_init(&w, CW_SIG_SMALL_MAX);
	assert_int_equal(cw_sig_u8_encode(&w, CW_SIG_ROLE_SERVER, &err), CW_OK);
	assert_int_equal(cw_sig_send(fx.worker, CW_SIG_ADD_CHANNEL, 5, w.b,
	    w.len, sv[1], 1000, &err), CW_OK);
	assert_int_equal(raw_refusal(fx.worker, &id), CW_REFUSE_ROLE);
	cw_sig_wbuf_cleanup(&w);
	close(sv[0]);
	close(sv[1]);
}

/* --- the process ------------------------------------------------------------------------------- */

/* The signer runs without capabilities, with no_new_privs and (where
 * the kernel has it) a seccomp filter. */
static void
test_locked_down(void **state)
{
	char p[64], line[256];
	FILE *f;
	bool nnp = false, sec = false, has_sec = false, caps = false;

	(void)state;
	snprintf(p, sizeof(p), "/proc/%d/status", (int)fx.sp.pid);
	f = fopen(p, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "NoNewPrivs:\t1", 13) == 0)
			nnp = true;
		if (strncmp(line, "Seccomp:", 8) == 0) {
			has_sec = true;
			sec = strncmp(line, "Seccomp:\t2", 10) == 0;
		}
		if (strcmp(line, "CapEff:\t0000000000000000\n") == 0)
			caps = true;
	}
	fclose(f);
	assert_true(nnp);
	assert_true(!has_sec || sec);
	assert_true(caps);
}

/* SIGHUP's reload: a good policy is taken; a broken one is refused with
 * the loader's file:line message, and the signer keeps signing with what
 * it had. */
static void
test_reload(void **state)
{
	cw_err err = CW_ERR_INIT;
	char p[256], saved[256];
	FILE *f;
	prof w;
	X509 *x = NULL;

	(void)state;
	assert_int_equal(cw_signer_reload(&fx.sp, &err), CW_OK);
	path(p, sizeof(p), "policy.yaml");
	snprintf(saved, sizeof(saved), "%s.saved", p);
	assert_int_equal(rename(p, saved), 0);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("version: 1\ntemplates:\n  - name: x\n    nonsense: 1\n", f);
	fclose(f);
	assert_int_not_equal(cw_signer_reload(&fx.sp, &err), CW_OK);
	assert_non_null(strstr(err.msg, "policy.yaml:"));
	web_profile(&w);
	assert_int_equal(ask_cert(fx.worker, WS, &w.p, &x, &err),
	    CW_REFUSE_NONE);
	X509_free(x);
	assert_int_equal(rename(saved, p), 0);
	assert_int_equal(cw_signer_reload(&fx.sp, &err), CW_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_signed),
		cmocka_unit_test(test_cert_der_subject),
		cmocka_unit_test(test_cert_validity_refused),
		cmocka_unit_test(test_cert_time_refused),
		cmocka_unit_test(test_cert_unknown_template),
		cmocka_unit_test(test_cert_names_refused),
		cmocka_unit_test(test_cert_usages_refused),
		cmocka_unit_test(test_cert_urls_refused),
		cmocka_unit_test(test_cert_bad_key_refused),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_crl),
		cmocka_unit_test(test_ocsp),
		cmocka_unit_test(test_checkpoint),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_descriptor_refused),
		cmocka_unit_test(test_locked_down),
		cmocka_unit_test(test_reload),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
