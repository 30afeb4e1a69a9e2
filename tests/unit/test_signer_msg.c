/*
 * test_signer_msg.c - the signer's wire format (src/signer/signer_msg.c):
 * what the encoders write decodes to the same fields, and the decoders
 * and the fragment reassembler refuse every malformed, truncated,
 * oversized or out-of-range input, since a worker that sends them may be
 * compromised.  Truncation and trailing bytes are tried at every length.
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

#include <openssl/crypto.h>
#include <openssl/objects.h>

#include "src/signer/signer_msg.h"

/* --- helpers ------------------------------------------------------------------- */

static const uint8_t serial[] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab};
static const uint8_t spki[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a};
static const uint8_t ip4[] = {10, 1, 2, 3};

/* A profile like the one issue.c builds for web-server. */
static void
sample_profile(cw_cert_profile *p, cw_name_attr *subj, cw_gen_name *sans,
    int *eku)
{
	memset(p, 0, sizeof(*p));
	subj[0].nid = NID_commonName;
	subj[0].val = (const uint8_t *)"a.svc.example.internal";
	subj[0].len = strlen("a.svc.example.internal");
	sans[0].type = CW_GN_DNS;
	sans[0].val = (const uint8_t *)"a.svc.example.internal";
	sans[0].len = strlen("a.svc.example.internal");
	sans[1].type = CW_GN_IP;
	sans[1].val = ip4;
	sans[1].len = sizeof(ip4);
	eku[0] = NID_server_auth;
	p->serial = serial;
	p->serial_len = sizeof(serial);
	p->not_before = 1700000000;
	p->not_after = 1700000000 + 86400;
	p->subject = subj;
	p->n_subject = 1;
	p->sans = sans;
	p->n_sans = 2;
	p->key_usage = CW_KU_DIGITAL_SIGNATURE;
	p->eku = eku;
	p->n_eku = 1;
	p->crl_url = "http://pki.example.test/crl/issuing.crl";
	p->ocsp_url = "http://pki.example.test/ocsp";
	p->ca_issuers_url = NULL;
}

static void
encode_cert(cw_sig_wbuf *w)
{
	cw_cert_profile p;
	cw_name_attr subj[1];
	cw_gen_name sans[2];
	int eku[1];
	cw_err err = CW_ERR_INIT;

	sample_profile(&p, subj, sans, eku);
	cw_sig_wbuf_init(w, CW_SIG_CERT_MAX);
	assert_int_equal(cw_sig_cert_encode(w, "web-server", &p, spki,
	    sizeof(spki), &err), CW_OK);
}

/* Every proper prefix and one byte too many are refused. */
typedef cw_rc (*decode_fn)(const uint8_t *, size_t, void *, cw_err *);

static cw_rc
dec_cert(const uint8_t *b, size_t n, void *out, cw_err *err)
{
	cw_rc rc = cw_sig_cert_decode(b, n, out, err);

	cw_sig_cert_req_cleanup(out);
	return rc;
}

static cw_rc
dec_crl(const uint8_t *b, size_t n, void *out, cw_err *err)
{
	cw_rc rc = cw_sig_crl_decode(b, n, out, err);

	cw_sig_crl_req_cleanup(out);
	return rc;
}

static cw_rc
dec_ocsp(const uint8_t *b, size_t n, void *out, cw_err *err)
{
	return cw_sig_ocsp_decode(b, n, out, err);
}

static cw_rc
dec_cp(const uint8_t *b, size_t n, void *out, cw_err *err)
{
	return cw_sig_checkpoint_decode(b, n, out, err);
}

static void
refuses_truncation_and_trailer(const uint8_t *b, size_t len, decode_fn f,
    void *out)
{
	cw_err err = CW_ERR_INIT;
	uint8_t *big = malloc(len + 1);
	size_t i;

	assert_non_null(big);
	for (i = 0; i < len; i++)
		assert_int_equal(f(b, i, out, &err), CW_ERR_INPUT);
	memcpy(big, b, len);
	big[len] = 0;
	assert_int_equal(f(big, len + 1, out, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "trailing"));
	assert_int_equal(f(b, len, out, &err), CW_OK);
	free(big);
}

/* Offset in a CERT body of the first subject attribute's nid (after
 * str8 "web-server", bytes8 serial, two i64 and the u16 count). */
#define CERT_OFF_SUBJ (1 + 10 + 1 + sizeof(serial) + 16 + 2)

/* --- CERT -------------------------------------------------------------------- */

/* A certificate request decodes to the fields it was encoded from. */
static void
test_cert_round_trip(void **state)
{
	cw_sig_wbuf w;
	cw_sig_cert_req r;
	cw_err err = CW_ERR_INIT;

	(void)state;
	encode_cert(&w);
	assert_int_equal(cw_sig_cert_decode(w.b, w.len, &r, &err), CW_OK);
	assert_string_equal(r.tmpl, "web-server");
	assert_int_equal(r.p.serial_len, sizeof(serial));
	assert_memory_equal(r.p.serial, serial, sizeof(serial));
	assert_int_equal(r.p.not_before, 1700000000);
	assert_int_equal(r.p.not_after, 1700000000 + 86400);
	assert_int_equal(r.p.n_subject, 1);
	assert_int_equal(r.p.subject[0].nid, NID_commonName);
	assert_int_equal(r.p.n_sans, 2);
	assert_int_equal(r.p.sans[1].type, CW_GN_IP);
	assert_memory_equal(r.p.sans[1].val, ip4, 4);
	assert_int_equal(r.p.key_usage, CW_KU_DIGITAL_SIGNATURE);
	assert_int_equal(r.p.n_eku, 1);
	assert_int_equal(r.p.eku[0], NID_server_auth);
	assert_string_equal(r.p.crl_url, "http://pki.example.test/crl/issuing.crl");
	assert_string_equal(r.p.ocsp_url, "http://pki.example.test/ocsp");
	assert_null(r.p.ca_issuers_url);
	assert_null(r.p.md);
	assert_int_equal(r.spki_len, sizeof(spki));
	assert_memory_equal(r.spki, spki, sizeof(spki));
	cw_sig_cert_req_cleanup(&r);
	cw_sig_wbuf_cleanup(&w);
}

/* Every truncation of a certificate request, and a trailing byte, is
 * refused. */
static void
test_cert_truncated(void **state)
{
	cw_sig_wbuf w;
	cw_sig_cert_req r;

	(void)state;
	encode_cert(&w);
	refuses_truncation_and_trailer(w.b, w.len, dec_cert, &r);
	cw_sig_wbuf_cleanup(&w);
}

/* Out-of-range fields are refused, each naming the field. */
static void
test_cert_bad_fields(void **state)
{
	cw_sig_wbuf w;
	cw_sig_cert_req r;
	cw_err err = CW_ERR_INIT;
	uint8_t *b;
	size_t san_type_off;

	(void)state;
	encode_cert(&w);
	b = malloc(w.len);
	assert_non_null(b);

	/* a template name with a character the policy never allows */
	memcpy(b, w.b, w.len);
	b[1] = 'W';
	assert_int_equal(cw_sig_cert_decode(b, w.len, &r, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "template"));
	/* a control byte in it */
	memcpy(b, w.b, w.len);
	b[2] = 0x01;
	assert_int_equal(cw_sig_cert_decode(b, w.len, &r, &err), CW_ERR_INPUT);
	/* a serial of 0 octets: the length byte after the name */
	memcpy(b, w.b, w.len);
	b[11] = 0;
	assert_int_equal(cw_sig_cert_decode(b, w.len, &r, &err), CW_ERR_INPUT);
	/* a subject count over CW_MAX_SUBJECT_ATTRS */
	memcpy(b, w.b, w.len);
	b[CERT_OFF_SUBJ - 2] = 0xff;
	b[CERT_OFF_SUBJ - 1] = 0xff;
	assert_int_equal(cw_sig_cert_decode(b, w.len, &r, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "subject count"));
	/* an unknown SAN type; then an IP address of 5 octets */
	san_type_off = CERT_OFF_SUBJ + 4 + 2 + 22 + 2;
	memcpy(b, w.b, w.len);
	b[san_type_off] = 7;
	assert_int_equal(cw_sig_cert_decode(b, w.len, &r, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "SAN type"));
	memcpy(b, w.b, w.len);
	b[san_type_off] = CW_GN_IP; /* the DNS name read as an IP address */
	assert_int_equal(cw_sig_cert_decode(b, w.len, &r, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "IP"));
	cw_sig_cert_req_cleanup(&r);
	free(b);
	cw_sig_wbuf_cleanup(&w);
}

/* A key usage bit past decipherOnly and an EKU of NID 0 are refused. */
static void
test_cert_bad_usages(void **state)
{
	cw_cert_profile p;
	cw_name_attr subj[1];
	cw_gen_name sans[2];
	int eku[1];
	cw_sig_wbuf w;
	cw_sig_cert_req r;
	cw_err err = CW_ERR_INIT;

	(void)state;
	sample_profile(&p, subj, sans, eku);
	p.key_usage = 1u << 9;
	cw_sig_wbuf_init(&w, CW_SIG_CERT_MAX);
	assert_int_equal(cw_sig_cert_encode(&w, "web-server", &p, spki,
	    sizeof(spki), &err), CW_OK);
	assert_int_equal(cw_sig_cert_decode(w.b, w.len, &r, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "key usage"));
	cw_sig_wbuf_cleanup(&w);

	sample_profile(&p, subj, sans, eku);
	eku[0] = 0;
	cw_sig_wbuf_init(&w, CW_SIG_CERT_MAX);
	assert_int_equal(cw_sig_cert_encode(&w, "web-server", &p, spki,
	    sizeof(spki), &err), CW_OK);
	assert_int_equal(cw_sig_cert_decode(w.b, w.len, &r, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "EKU"));
	cw_sig_wbuf_cleanup(&w);
}

/* The encoder refuses what the decoder would: a template name over its
 * bound, a 21-octet serial, an SPKI over CW_SIG_SPKI_MAX, a body over the
 * writer's maximum. */
static void
test_cert_encoder_bounds(void **state)
{
	cw_cert_profile p;
	cw_name_attr subj[1];
	cw_gen_name sans[2];
	int eku[1];
	cw_sig_wbuf w;
	cw_err err = CW_ERR_INIT;
	char longname[CW_SIG_TEMPLATE_MAX + 2];
	uint8_t ser21[21] = {1}, *big;

	(void)state;
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	sample_profile(&p, subj, sans, eku);
	cw_sig_wbuf_init(&w, CW_SIG_CERT_MAX);
	assert_int_equal(cw_sig_cert_encode(&w, longname, &p, spki,
	    sizeof(spki), &err), CW_ERR_INPUT);
	cw_sig_wbuf_cleanup(&w);

	p.serial = ser21;
	p.serial_len = sizeof(ser21);
	cw_sig_wbuf_init(&w, CW_SIG_CERT_MAX);
	assert_int_equal(cw_sig_cert_encode(&w, "web-server", &p, spki,
	    sizeof(spki), &err), CW_ERR_INPUT);
	cw_sig_wbuf_cleanup(&w);

	sample_profile(&p, subj, sans, eku);
	big = calloc(1, CW_SIG_SPKI_MAX + 1);
	assert_non_null(big);
	cw_sig_wbuf_init(&w, CW_SIG_CERT_MAX);
	assert_int_equal(cw_sig_cert_encode(&w, "web-server", &p, big,
	    CW_SIG_SPKI_MAX + 1, &err), CW_ERR_INPUT);
	cw_sig_wbuf_cleanup(&w);
	free(big);

	cw_sig_wbuf_init(&w, 40); /* too small for the whole body */
	assert_int_equal(cw_sig_cert_encode(&w, "web-server", &p, spki,
	    sizeof(spki), &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "does not fit"));
	cw_sig_wbuf_cleanup(&w);
}

/* --- CRL ----------------------------------------------------------------------- */

static void
encode_crl(cw_sig_wbuf *w, int reason)
{
	cw_revoked rev[2];
	cw_err err = CW_ERR_INIT;
	static const uint8_t num[] = {0x05};

	rev[0].serial = serial;
	rev[0].serial_len = sizeof(serial);
	rev[0].time = 1700000000;
	rev[0].reason = 1;
	rev[1].serial = serial + 1;
	rev[1].serial_len = 2;
	rev[1].time = 1700000001;
	rev[1].reason = reason;
	cw_sig_wbuf_init(w, CW_SIG_CRL_MAX);
	assert_int_equal(cw_sig_crl_encode(w, rev, 2, 1700000000, 1700086400,
	    num, sizeof(num), &err), CW_OK);
}

/* A CRL request decodes to its entries; truncations are refused. */
static void
test_crl_round_trip(void **state)
{
	cw_sig_wbuf w;
	cw_sig_crl_req r;
	cw_err err = CW_ERR_INIT;

	(void)state;
	encode_crl(&w, -1);
	assert_int_equal(cw_sig_crl_decode(w.b, w.len, &r, &err), CW_OK);
	assert_int_equal(r.n_rev, 2);
	assert_int_equal(r.this_update, 1700000000);
	assert_int_equal(r.next_update, 1700086400);
	assert_int_equal(r.rev[0].reason, 1);
	assert_int_equal(r.rev[1].reason, -1);
	assert_int_equal(r.rev[1].serial_len, 2);
	assert_memory_equal(r.rev[0].serial, serial, sizeof(serial));
	cw_sig_crl_req_cleanup(&r);
	refuses_truncation_and_trailer(w.b, w.len, dec_crl, &r);
	cw_sig_wbuf_cleanup(&w);
}

/* Reason 7 (unused in RFC 5280 5.3.1) and 11 are refused; an entry count
 * larger than the body could hold is refused before any allocation. */
static void
test_crl_bad_fields(void **state)
{
	cw_sig_wbuf w;
	cw_sig_crl_req r;
	cw_err err = CW_ERR_INIT;

	(void)state;
	encode_crl(&w, 7);
	assert_int_equal(cw_sig_crl_decode(w.b, w.len, &r, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "reason"));
	cw_sig_wbuf_cleanup(&w);
	encode_crl(&w, 11);
	assert_int_equal(cw_sig_crl_decode(w.b, w.len, &r, &err), CW_ERR_INPUT);
	cw_sig_wbuf_cleanup(&w);
	encode_crl(&w, 0);
	/* the u32 count after two i64 and the 2-byte number */
	w.b[18] = 0x00;
	w.b[19] = 0x10;
	w.b[20] = 0x00;
	w.b[21] = 0x00;
	assert_int_equal(cw_sig_crl_decode(w.b, w.len, &r, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "entry count"));
	cw_sig_wbuf_cleanup(&w);
}

/* --- OCSP ------------------------------------------------------------------------ */

static void
sample_ocsp(cw_ocsp_req *q, cw_ocsp_status *st)
{
	memset(q, 0, sizeof(*q));
	q->n_single = 2;
	q->single[0].hash = CW_OCSP_SHA1;
	q->single[0].hash_len = 20;
	q->single[0].hash_params_null = true;
	memset(q->single[0].name_hash, 0x11, 20);
	memset(q->single[0].key_hash, 0x22, 20);
	q->single[0].serial[0] = 0x42;
	q->single[0].serial_len = 1;
	q->single[1].hash = CW_OCSP_SHA256;
	q->single[1].hash_len = 32;
	memset(q->single[1].name_hash, 0x33, 32);
	memset(q->single[1].key_hash, 0x44, 32);
	q->single[1].serial[0] = 0x7f;
	q->single[1].serial[1] = 0x01;
	q->single[1].serial_len = 2;
	q->has_nonce = true;
	memset(q->nonce, 0x55, 16);
	q->nonce_len = 16;
	st[0].status = CW_OCSP_REVOKED;
	st[0].revoked_at = 1690000000;
	st[0].reason = 1;
	st[1].status = CW_OCSP_GOOD;
	st[1].revoked_at = 0;
	st[1].reason = -1;
}

/* An OCSP request and its statuses survive the trip; truncations are
 * refused. */
static void
test_ocsp_round_trip(void **state)
{
	cw_ocsp_req q;
	cw_ocsp_status st[2];
	cw_sig_ocsp_req r;
	cw_sig_wbuf w;
	cw_err err = CW_ERR_INIT;

	(void)state;
	sample_ocsp(&q, st);
	cw_sig_wbuf_init(&w, CW_SIG_OCSP_MAX);
	assert_int_equal(cw_sig_ocsp_encode(&w, &q, st, 1700000000, 1700003600,
	    &err), CW_OK);
	assert_int_equal(cw_sig_ocsp_decode(w.b, w.len, &r, &err), CW_OK);
	assert_int_equal(r.req.n_single, 2);
	assert_true(r.req.single[0].hash_params_null);
	assert_int_equal(r.req.single[1].hash, CW_OCSP_SHA256);
	assert_memory_equal(r.req.single[1].key_hash, q.single[1].key_hash, 32);
	assert_int_equal(r.req.single[1].serial_len, 2);
	assert_true(r.req.has_nonce);
	assert_int_equal(r.req.nonce_len, 16);
	assert_int_equal(r.st[0].status, CW_OCSP_REVOKED);
	assert_int_equal(r.st[0].revoked_at, 1690000000);
	assert_int_equal(r.st[1].reason, -1);
	assert_int_equal(r.next_update, 1700003600);
	refuses_truncation_and_trailer(w.b, w.len, dec_ocsp, &r);
	cw_sig_wbuf_cleanup(&w);
}

/* A hash length that is not the algorithm's, an unknown status and a
 * CertID count of 0 or 17 are refused. */
static void
test_ocsp_bad_fields(void **state)
{
	cw_ocsp_req q;
	cw_ocsp_status st[2];
	cw_sig_ocsp_req r;
	cw_sig_wbuf w;
	cw_err err = CW_ERR_INIT;

	(void)state;
	sample_ocsp(&q, st);
	cw_sig_wbuf_init(&w, CW_SIG_OCSP_MAX);
	assert_int_equal(cw_sig_ocsp_encode(&w, &q, st, 1, 2, &err), CW_OK);
	/* first CertID: u8 hash, u8 params, u8 length at offset 17+2 */
	w.b[19] = 32;
	assert_int_equal(cw_sig_ocsp_decode(w.b, w.len, &r, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "hash length"));
	w.b[19] = 20;
	w.b[17] = 9; /* hash algorithm */
	assert_int_equal(cw_sig_ocsp_decode(w.b, w.len, &r, &err), CW_ERR_INPUT);
	w.b[17] = CW_OCSP_SHA1;
	w.b[16] = 0; /* count */
	assert_int_equal(cw_sig_ocsp_decode(w.b, w.len, &r, &err), CW_ERR_INPUT);
	w.b[16] = 17;
	assert_int_equal(cw_sig_ocsp_decode(w.b, w.len, &r, &err), CW_ERR_INPUT);
	w.b[16] = 2;
	assert_int_equal(cw_sig_ocsp_decode(w.b, w.len, &r, &err), CW_OK);
	/* the status of the first CertID: after 20+20 hashes and serial */
	w.b[20 + 40 + 2] = 3;
	assert_int_equal(cw_sig_ocsp_decode(w.b, w.len, &r, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "status"));
	cw_sig_wbuf_cleanup(&w);
}

/* --- the small ones --------------------------------------------------------------- */

/* A checkpoint survives the trip; a negative size is refused. */
static void
test_checkpoint(void **state)
{
	cw_checkpoint cp, out;
	cw_sig_wbuf w;
	cw_err err = CW_ERR_INIT;

	(void)state;
	memset(&cp, 0, sizeof(cp));
	cp.size = 42;
	memset(cp.head, 0xaa, sizeof(cp.head));
	memset(cp.root, 0xbb, sizeof(cp.root));
	cp.time = 1700000000;
	cw_sig_wbuf_init(&w, CW_SIG_SMALL_MAX);
	assert_int_equal(cw_sig_checkpoint_encode(&w, &cp, &err), CW_OK);
	assert_int_equal(cw_sig_checkpoint_decode(w.b, w.len, &out, &err),
	    CW_OK);
	assert_int_equal(out.size, 42);
	assert_memory_equal(out.root, cp.root, sizeof(cp.root));
	refuses_truncation_and_trailer(w.b, w.len, dec_cp, &out);
	w.b[0] = 0x80; /* size < 0 */
	assert_int_equal(cw_sig_checkpoint_decode(w.b, w.len, &out, &err),
	    CW_ERR_INPUT);
	cw_sig_wbuf_cleanup(&w);
}

/* A refusal decodes with its kind, code and message; non-printable bytes
 * in the message become '?'; unknown kinds and codes are refused. */
static void
test_error(void **state)
{
	cw_sig_wbuf w;
	cw_sig_error e;
	cw_err err = CW_ERR_INIT;

	(void)state;
	cw_sig_wbuf_init(&w, CW_SIG_SMALL_MAX);
	assert_int_equal(cw_sig_error_encode(&w, CW_REFUSE_VALIDITY,
	    CW_ERR_NONCOMPLIANT, "too long\n\x01", &err), CW_OK);
	assert_int_equal(cw_sig_error_decode(w.b, w.len, &e, &err), CW_OK);
	assert_int_equal(e.refusal, CW_REFUSE_VALIDITY);
	assert_int_equal(e.rc, CW_ERR_NONCOMPLIANT);
	assert_string_equal(e.msg, "too long??");
	w.b[1] = CW_REFUSE_COUNT;
	assert_int_equal(cw_sig_error_decode(w.b, w.len, &e, &err), CW_ERR_INPUT);
	w.b[1] = CW_REFUSE_NONE;
	assert_int_equal(cw_sig_error_decode(w.b, w.len, &e, &err), CW_ERR_INPUT);
	w.b[1] = CW_REFUSE_VALIDITY;
	w.b[3] = CW_OK;
	assert_int_equal(cw_sig_error_decode(w.b, w.len, &e, &err), CW_ERR_INPUT);
	w.b[3] = CW_ERR_INTERNAL + 1;
	assert_int_equal(cw_sig_error_decode(w.b, w.len, &e, &err), CW_ERR_INPUT);
	cw_sig_wbuf_cleanup(&w);
}

/* --- fragments ------------------------------------------------------------------------ */

static size_t
frag(uint8_t *out, uint16_t type, uint32_t id, uint32_t total,
    uint32_t offset, const uint8_t *payload, size_t n)
{
	cw_sig_hdr h = {type, id, total, offset};

	cw_sig_hdr_put(&h, out);
	if (n > 0)
		memcpy(out + CW_SIG_HDR_LEN, payload, n);
	return CW_SIG_HDR_LEN + n;
}

/* A body cut into fragments comes back whole, and the next message can
 * follow. */
static void
test_rx_reassembles(void **state)
{
	uint8_t body[100], d[CW_SIG_FRAG_MAX];
	cw_sig_rx rx;
	cw_err err = CW_ERR_INIT;
	size_t n, i;
	bool done;

	(void)state;
	for (i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)i;
	memset(&rx, 0, sizeof(rx));
	n = frag(d, CW_SIG_CERT, 7, 100, 0, body, 60);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_OK);
	assert_false(done);
	n = frag(d, CW_SIG_CERT, 7, 100, 60, body + 60, 40);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_OK);
	assert_true(done);
	assert_int_equal(rx.type, CW_SIG_CERT);
	assert_int_equal(rx.id, 7);
	assert_int_equal(rx.total, 100);
	assert_memory_equal(rx.buf, body, 100);
	/* an empty body is one fragment */
	n = frag(d, CW_SIG_RELOAD, 8, 0, 0, NULL, 0);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_OK);
	assert_true(done);
	assert_int_equal(rx.type, CW_SIG_RELOAD);
	cw_sig_rx_reset(&rx);
}

/* Each malformed fragment is refused and leaves the receiver ready for a
 * fresh message. */
static void
test_rx_refuses(void **state)
{
	uint8_t body[64] = {0}, d[CW_SIG_FRAG_MAX];
	cw_sig_rx rx;
	cw_err err = CW_ERR_INIT;
	size_t n;
	bool done;

	(void)state;
	memset(&rx, 0, sizeof(rx));
	/* shorter than a header */
	n = frag(d, CW_SIG_CERT, 1, 4, 0, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, CW_SIG_HDR_LEN - 1, &done,
	    &err), CW_ERR_INPUT);
	/* wrong magic, wrong version */
	d[0] ^= 1;
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "magic"));
	d[0] ^= 1;
	d[5] = 2;
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "version"));
	/* an unknown type; a reply sent to the signer */
	n = frag(d, 99, 1, 4, 0, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_ERR_INPUT);
	n = frag(d, CW_SIG_OK, 1, 4, 0, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_ERR_INPUT);
	/* a total over the type's bound (allocates nothing) */
	n = frag(d, CW_SIG_OCSP, 1, CW_SIG_OCSP_MAX + 1, 0, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_ERR_INPUT);
	assert_null(rx.buf);
	/* a continuation without a beginning */
	n = frag(d, CW_SIG_CERT, 1, 8, 4, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_ERR_INPUT);
	/* a gap, another id, another total in the middle of a message */
	n = frag(d, CW_SIG_CERT, 1, 8, 0, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_OK);
	n = frag(d, CW_SIG_CERT, 1, 8, 5, body, 3);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_ERR_INPUT);
	assert_false(rx.busy);
	n = frag(d, CW_SIG_CERT, 1, 8, 0, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_OK);
	n = frag(d, CW_SIG_CERT, 2, 8, 4, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_ERR_INPUT);
	n = frag(d, CW_SIG_CERT, 1, 8, 0, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_OK);
	n = frag(d, CW_SIG_CERT, 1, 9, 4, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_ERR_INPUT);
	/* a fragment past the total; an empty fragment of a longer body */
	n = frag(d, CW_SIG_CERT, 1, 8, 0, body, 9);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_ERR_INPUT);
	n = frag(d, CW_SIG_CERT, 1, 8, 0, NULL, 0);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_ERR_INPUT);
	/* a datagram over the fragment size */
	assert_int_equal(cw_sig_rx_feed(&rx, d, CW_SIG_FRAG_MAX + 1, &done,
	    &err), CW_ERR_INPUT);
	/* and a good message still goes through */
	n = frag(d, CW_SIG_CERT, 3, 4, 0, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_OK);
	assert_true(done);
	cw_sig_rx_reset(&rx);
}

/* A client's receiver takes answers and refuses requests. */
static void
test_rx_replies(void **state)
{
	uint8_t d[CW_SIG_FRAG_MAX], body[4] = {0};
	cw_sig_rx rx;
	cw_err err = CW_ERR_INIT;
	size_t n;
	bool done;

	(void)state;
	memset(&rx, 0, sizeof(rx));
	rx.replies = true;
	n = frag(d, CW_SIG_CERT, 1, 4, 0, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_ERR_INPUT);
	n = frag(d, CW_SIG_OK, 1, 4, 0, body, 4);
	assert_int_equal(cw_sig_rx_feed(&rx, d, n, &done, &err), CW_OK);
	assert_true(done);
	cw_sig_rx_reset(&rx);
	assert_true(rx.replies);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_round_trip),
		cmocka_unit_test(test_cert_truncated),
		cmocka_unit_test(test_cert_bad_fields),
		cmocka_unit_test(test_cert_bad_usages),
		cmocka_unit_test(test_cert_encoder_bounds),
		cmocka_unit_test(test_crl_round_trip),
		cmocka_unit_test(test_crl_bad_fields),
		cmocka_unit_test(test_ocsp_round_trip),
		cmocka_unit_test(test_ocsp_bad_fields),
		cmocka_unit_test(test_checkpoint),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_rx_reassembles),
		cmocka_unit_test(test_rx_refuses),
		cmocka_unit_test(test_rx_replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
