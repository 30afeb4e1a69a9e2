/*
 * test_csr_parse.c - cw_csr_parse (DESIGN 6.1 Input and Requested
 * extensions): which inputs are refused as input errors, which facts a good
 * request yields, and which structural findings a request carries.  Every
 * request is built here at run time with OpenSSL; malformed ones are made by
 * editing the DER of a good one.
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

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "testutil.h"
#include "common/limits.h"
#include "policy/policy.h"
#include "x509/csr.h"
#include "x509/csr_build.h"

/* --- keys, generated once per binary -------------------------------------- */

static EVP_PKEY *k_p256, *k_p384, *k_rsa, *k_ed25519;

static EVP_PKEY *
key_p256(void)
{
	if (k_p256 == NULL)
		k_p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(k_p256);
	return k_p256;
}

static EVP_PKEY *
key_p384(void)
{
	if (k_p384 == NULL)
		k_p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	assert_non_null(k_p384);
	return k_p384;
}

static EVP_PKEY *
key_rsa(void)
{
	if (k_rsa == NULL)
		k_rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	assert_non_null(k_rsa);
	return k_rsa;
}

static EVP_PKEY *
key_ed25519(void)
{
	if (k_ed25519 == NULL)
		k_ed25519 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(k_ed25519);
	return k_ed25519;
}

static int
teardown_keys(void **state)
{
	(void)state;
	EVP_PKEY_free(k_p256);
	EVP_PKEY_free(k_p384);
	EVP_PKEY_free(k_rsa);
	EVP_PKEY_free(k_ed25519);
	k_p256 = k_p384 = k_rsa = k_ed25519 = NULL;
	return 0;
}

/* --- building requests ---------------------------------------------------- */

/* A byte buffer owned by the test (malloc). */
typedef struct blob {
	uint8_t *p;
	size_t n;
} blob;

static void
blob_free(blob *b)
{
	free(b->p);
	b->p = NULL;
	b->n = 0;
}

static blob
blob_dup(const void *p, size_t n)
{
	blob b;

	b.p = malloc(n + 1);
	assert_non_null(b.p);
	memcpy(b.p, p, n);
	b.p[n] = '\0';
	b.n = n;
	return b;
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

/* A version-0 request for key with an empty subject and no attributes. */
static X509_REQ *
req_new(EVP_PKEY *key)
{
	X509_REQ *req = X509_REQ_new();

	assert_non_null(req);
	assert_int_equal(X509_REQ_set_version(req, X509_REQ_VERSION_1), 1);
	assert_int_equal(X509_REQ_set_pubkey(req, key), 1);
	return req;
}

/* Appends a subject attribute; set = 0 starts a new RDN, -1 joins the last. */
static void
req_subject(X509_REQ *req, int nid, int type, const void *val, int len,
    int set)
{
	X509_NAME *nm = X509_REQ_get_subject_name(req);

	assert_int_equal(X509_NAME_add_entry_by_NID(nm, nid, type,
	    (const unsigned char *)val, len, -1, set), 1);
}

/* Adds one extensionRequest attribute holding exts (consumed). */
static void
req_exts(X509_REQ *req, STACK_OF(X509_EXTENSION) *exts)
{
	assert_int_equal(X509_REQ_add_extensions(req, exts), 1);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

/* Adds one extensionRequest attribute holding the one extension ext. */
static void
req_ext1(X509_REQ *req, X509_EXTENSION *ext)
{
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();

	assert_non_null(ext);
	assert_non_null(exts);
	assert_true(sk_X509_EXTENSION_push(exts, ext) > 0);
	req_exts(req, exts);
}

/*
 * Adds an attribute of type nid whose one value is Extensions holding ext
 * (consumed), without X509_REQ_add_extensions' checks.
 */
static void
req_extreq_raw(X509_REQ *req, int nid, X509_EXTENSION *ext)
{
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	unsigned char *enc = NULL;
	int len;

	assert_non_null(ext);
	assert_non_null(exts);
	assert_true(sk_X509_EXTENSION_push(exts, ext) > 0);
	len = ASN1_item_i2d((ASN1_VALUE *)exts, &enc,
	    ASN1_ITEM_rptr(X509_EXTENSIONS));
	assert_true(len > 0);
	assert_int_equal(X509_REQ_add1_attr_by_NID(req, nid, V_ASN1_SEQUENCE,
	    enc, len), 1);
	OPENSSL_free(enc);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

/* An extension from OpenSSL's config syntax ("critical,CA:TRUE"). */
static X509_EXTENSION *
ext_conf(int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, nid, value);

	assert_non_null(e);
	return e;
}

/* An extension with an arbitrary OID and DER value. */
static X509_EXTENSION *
ext_raw(const char *oid, int critical, const uint8_t *der, size_t len)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e;

	assert_non_null(o);
	assert_non_null(os);
	assert_int_equal(ASN1_OCTET_STRING_set(os, der, (int)len), 1);
	e = X509_EXTENSION_create_by_OBJ(NULL, o, critical, os);
	assert_non_null(e);
	ASN1_OBJECT_free(o);
	ASN1_OCTET_STRING_free(os);
	return e;
}

static GENERAL_NAME *
gn_str(int type, const char *s)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_IA5STRING *v = ASN1_IA5STRING_new();

	assert_non_null(g);
	assert_non_null(v);
	assert_int_equal(ASN1_STRING_set(v, s, (int)strlen(s)), 1);
	GENERAL_NAME_set0_value(g, type, v);
	return g;
}

static GENERAL_NAME *
gn_ip(const uint8_t *a, int len)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();

	assert_non_null(g);
	assert_non_null(v);
	assert_int_equal(ASN1_OCTET_STRING_set(v, a, len), 1);
	GENERAL_NAME_set0_value(g, GEN_IPADD, v);
	return g;
}

/* otherName: Microsoft UPN (1.3.6.1.4.1.311.20.2.3) as a UTF8String. */
static GENERAL_NAME *
gn_other(const char *upn)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_OBJECT *o = OBJ_txt2obj("1.3.6.1.4.1.311.20.2.3", 1);
	ASN1_TYPE *t = ASN1_TYPE_new();
	ASN1_UTF8STRING *s = ASN1_UTF8STRING_new();

	assert_non_null(g);
	assert_non_null(o);
	assert_non_null(t);
	assert_non_null(s);
	assert_int_equal(ASN1_STRING_set(s, upn, (int)strlen(upn)), 1);
	ASN1_TYPE_set(t, V_ASN1_UTF8STRING, s);
	assert_int_equal(GENERAL_NAME_set0_othername(g, o, t), 1);
	return g;
}

/* subjectAltName extension from names (consumed; may be empty). */
static X509_EXTENSION *
ext_san(GENERAL_NAMES *gens)
{
	X509_EXTENSION *e = X509V3_EXT_i2d(NID_subject_alt_name, 0, gens);

	assert_non_null(e);
	GENERAL_NAMES_free(gens);
	return e;
}

static X509_EXTENSION *
ext_san_dns(const char *dns)
{
	GENERAL_NAMES *g = sk_GENERAL_NAME_new_null();

	assert_non_null(g);
	assert_true(sk_GENERAL_NAME_push(g, gn_str(GEN_DNS, dns)) > 0);
	return ext_san(g);
}

/* Signs req with key (md NULL for EdDSA), frees req, returns the DER. */
static blob
req_sign(X509_REQ *req, EVP_PKEY *key, const char *md)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	int len;
	blob b;

	assert_non_null(mctx);
	assert_int_equal(EVP_DigestSignInit_ex(mctx, NULL, md, NULL, NULL, key,
	    NULL), 1);
	assert_true(X509_REQ_sign_ctx(req, mctx) > 0);
	len = i2d_X509_REQ(req, &der);
	assert_true(len > 0);
	b = blob_dup(der, (size_t)len);
	OPENSSL_free(der);
	EVP_MD_CTX_free(mctx);
	X509_REQ_free(req);
	return b;
}

/*
 * Replaces the one occurrence of `from` in the request with `to` (same
 * length), then signs the result again with key so that only the edit
 * differs from a good request.
 */
static void
resign_patched(blob *der, const uint8_t *from, const uint8_t *to, size_t n,
    EVP_PKEY *key, const char *md)
{
	const unsigned char *p;
	uint8_t *at;
	X509_REQ *req;

	at = find_bytes(der->p, der->n, from, n);
	assert_non_null(at);
	assert_null(find_bytes(at + 1, der->n - (size_t)(at + 1 - der->p),
	    from, n));
	memcpy(at, to, n);
	p = der->p;
	req = d2i_X509_REQ(NULL, &p, (long)der->n);
	assert_non_null(req);
	blob_free(der);
	*der = req_sign(req, key, md);
}

/* The usual good request, made by certward's own builder. */
static blob
good_csr(EVP_PKEY *key, const char *md)
{
	static const cw_csr_subject_field subj[] = {
		{NID_commonName, "www.example.com"},
		{NID_organizationName, "Example Corp"},
	};
	static const char *const dns[] = {"www.example.com"};
	static const char *const ip[] = {"10.1.2.3"};
	cw_csr_spec spec;
	cw_err err = CW_ERR_INIT;
	uint8_t *der = NULL;
	size_t len = 0;
	blob b;

	memset(&spec, 0, sizeof(spec));
	spec.subject = subj;
	spec.n_subject = 2;
	spec.dns = dns;
	spec.n_dns = 1;
	spec.ip = ip;
	spec.n_ip = 1;
	spec.md = md;
	if (cw_csr_build(key, &spec, &der, &len, &err) != CW_OK)
		fail_msg("cw_csr_build: %s", err.msg);
	b = blob_dup(der, len);
	OPENSSL_free(der);
	return b;
}

/* The same request under a PEM label. */
static blob
pem_of(const blob *der, const char *label)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;
	blob b;

	assert_non_null(bio);
	assert_true(PEM_write_bio(bio, label, "", der->p, (long)der->n) > 0);
	n = BIO_get_mem_data(bio, &p);
	assert_true(n > 0);
	b = blob_dup(p, (size_t)n);
	BIO_free(bio);
	return b;
}

/* a followed by b */
static blob
concat(const void *a, size_t an, const void *b, size_t bn)
{
	blob r;

	r.p = malloc(an + bn + 1);
	assert_non_null(r.p);
	memcpy(r.p, a, an);
	memcpy(r.p + an, b, bn);
	r.p[an + bn] = '\0';
	r.n = an + bn;
	return r;
}

/* --- parsing -------------------------------------------------------------- */

static cw_csr *
parse_ok(const blob *b)
{
	cw_err err = CW_ERR_INIT;
	cw_csr *csr = NULL;
	cw_rc rc;

	rc = cw_csr_parse(b->p, b->n, &csr, &err);
	if (rc != CW_OK)
		fail_msg("cw_csr_parse: %s: %s", cw_rc_name(rc), err.msg);
	assert_non_null(csr);
	return csr;
}

/* The input must be refused as CW_ERR_INPUT with a message containing want. */
static void
parse_fails(const void *p, size_t n, const char *want)
{
	cw_err err = CW_ERR_INIT;
	cw_csr *csr = NULL;
	cw_rc rc;

	rc = cw_csr_parse(p, n, &csr, &err);
	if (rc != CW_ERR_INPUT)
		fail_msg("expected CW_ERR_INPUT, got %s: %s", cw_rc_name(rc),
		    err.msg);
	assert_null(csr);
	assert_int_equal(err.rc, CW_ERR_INPUT);
	if (strstr(err.msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", err.msg, want);
}

/* Exactly one finding, with rule id `rule`. */
static void
assert_one_finding(const cw_csr *csr, const char *rule)
{
	size_t i;

	if (csr->findings.n != 1 || strcmp(csr->findings.items[0].rule,
	    rule) != 0) {
		for (i = 0; i < csr->findings.n; i++)
			print_message("finding %s: %s\n",
			    csr->findings.items[i].rule,
			    csr->findings.items[i].msg);
		fail_msg("expected exactly one finding '%s', got %zu", rule,
		    csr->findings.n);
	}
}

static void
assert_no_findings(const cw_csr *csr)
{
	size_t i;

	for (i = 0; i < csr->findings.n; i++)
		print_message("finding %s: %s\n", csr->findings.items[i].rule,
		    csr->findings.items[i].msg);
	assert_int_equal(csr->findings.n, 0);
	assert_false(cw_violations_any(&csr->findings));
}

/* Offset of the content of CertificationRequestInfo inside der. */
static size_t
info_content_offset(const blob *der)
{
	const unsigned char *p = der->p;
	long len;
	int tag, xclass;

	assert_int_equal(ASN1_get_object(&p, &len, &tag, &xclass,
	    (long)der->n) & 0x80, 0);
	assert_int_equal(ASN1_get_object(&p, &len, &tag, &xclass,
	    (long)(der->p + der->n - p)) & 0x80, 0);
	assert_int_equal(tag, V_ASN1_SEQUENCE);
	return (size_t)(p - der->p);
}

/* --- input framing -------------------------------------------------------- */

/* DER is accepted and the request is kept byte for byte. */
static void
test_der_accepted(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	cw_csr *csr = parse_ok(&der);

	(void)state;
	assert_int_equal(csr->der_len, der.n);
	assert_memory_equal(csr->der, der.p, der.n);
	assert_int_equal(csr->sig_nid, NID_ecdsa_with_SHA256);
	assert_int_equal(csr->sig_md_nid, NID_sha256);
	assert_string_equal(csr->sig_oid, "1.2.840.10045.4.3.2");
	assert_true(csr->pop_ok);
	assert_non_null(strstr(csr->subject_text, "CN=www.example.com"));
	assert_non_null(strstr(csr->subject_text, "O=Example Corp"));
	assert_true(csr->has_san);
	assert_int_equal(csr->n_sans, 2);
	assert_false(csr->has_bc);
	assert_false(csr->has_ku);
	assert_false(csr->has_eku);
	assert_no_findings(csr);
	cw_csr_free(csr);
	blob_free(&der);
}

/* PEM and DER of the same request give identical facts. */
static void
test_pem_same_facts_as_der(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	blob pem = pem_of(&der, "CERTIFICATE REQUEST");
	cw_csr *a = parse_ok(&der), *b = parse_ok(&pem);
	size_t i;

	(void)state;
	assert_int_equal(b->der_len, a->der_len);
	assert_memory_equal(b->der, a->der, a->der_len);
	assert_int_equal(b->key.type, a->key.type);
	assert_int_equal(b->key.bits, a->key.bits);
	assert_int_equal(b->key.curve_nid, a->key.curve_nid);
	assert_memory_equal(b->key.spki_sha256, a->key.spki_sha256, 32);
	assert_int_equal(b->sig_nid, a->sig_nid);
	assert_int_equal(b->sig_md_nid, a->sig_md_nid);
	assert_int_equal(b->pop_ok, a->pop_ok);
	assert_true(b->pop_ok);
	assert_string_equal(b->subject_text, a->subject_text);
	assert_int_equal(b->n_subject, a->n_subject);
	for (i = 0; i < a->n_subject; i++) {
		assert_int_equal(b->subject[i].nid, a->subject[i].nid);
		assert_int_equal(b->subject[i].str_type,
		    a->subject[i].str_type);
		assert_int_equal(b->subject[i].len, a->subject[i].len);
		assert_memory_equal(b->subject[i].val, a->subject[i].val,
		    a->subject[i].len);
	}
	assert_int_equal(b->n_sans, a->n_sans);
	for (i = 0; i < a->n_sans; i++) {
		assert_int_equal(b->sans[i].type, a->sans[i].type);
		assert_int_equal(b->sans[i].len, a->sans[i].len);
		assert_memory_equal(b->sans[i].val, a->sans[i].val,
		    a->sans[i].len);
	}
	assert_int_equal(b->findings.n, a->findings.n);
	cw_csr_free(a);
	cw_csr_free(b);
	blob_free(&der);
	blob_free(&pem);
}

/* PEM with text before and after it, as `openssl req -text` writes. */
static void
test_pem_with_text_around(void **state)
{
	static const char before[] =
	    "Certificate Request:\n"
	    "    Data:\n"
	    "        Version: 1 (0x0)\n"
	    "        Subject: CN = www.example.com, O = Example Corp\n"
	    "    Signature Algorithm: ecdsa-with-SHA256\n"
	    "         30:45:02:21:00:c3\n";
	static const char after[] = "\nthat was the request\n";
	blob der = good_csr(key_p256(), "SHA256");
	blob pem = pem_of(&der, "CERTIFICATE REQUEST");
	blob t1 = concat(before, sizeof(before) - 1, pem.p, pem.n);
	blob t2 = concat(t1.p, t1.n, after, sizeof(after) - 1);
	cw_csr *csr = parse_ok(&t2);

	(void)state;
	assert_int_equal(csr->der_len, der.n);
	assert_memory_equal(csr->der, der.p, der.n);
	assert_true(csr->pop_ok);
	cw_csr_free(csr);
	blob_free(&der);
	blob_free(&pem);
	blob_free(&t1);
	blob_free(&t2);
}

/* The older "NEW CERTIFICATE REQUEST" label is accepted. */
static void
test_pem_new_label(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	blob pem = pem_of(&der, "NEW CERTIFICATE REQUEST");
	cw_csr *csr = parse_ok(&pem);

	(void)state;
	assert_int_equal(csr->der_len, der.n);
	assert_memory_equal(csr->der, der.p, der.n);
	cw_csr_free(csr);
	blob_free(&der);
	blob_free(&pem);
}

/* CRLF line ends and a UTF-8 byte order mark, as Windows tools write. */
static void
test_pem_crlf_bom(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	blob pem = pem_of(&der, "CERTIFICATE REQUEST");
	uint8_t *crlf = malloc(3 + 2 * pem.n);
	size_t i, n = 0;
	blob in;
	cw_csr *csr;

	(void)state;
	assert_non_null(crlf);
	crlf[n++] = 0xef;
	crlf[n++] = 0xbb;
	crlf[n++] = 0xbf;
	for (i = 0; i < pem.n; i++) {
		if (pem.p[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = pem.p[i];
	}
	in = blob_dup(crlf, n);
	csr = parse_ok(&in);
	assert_int_equal(csr->der_len, der.n);
	assert_memory_equal(csr->der, der.p, der.n);
	cw_csr_free(csr);
	free(crlf);
	blob_free(&in);
	blob_free(&der);
	blob_free(&pem);
}

/* Empty input is an input error that says so. */
static void
test_empty_input(void **state)
{
	static const uint8_t nothing[1] = {0};

	(void)state;
	parse_fails(nothing, 0, "empty");
}

/* Text that is neither PEM nor DER is refused. */
static void
test_garbage(void **state)
{
	static const char text[] = "hello, this is not a CSR\n";
	static const uint8_t bin[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01};

	(void)state;
	parse_fails(text, sizeof(text) - 1, "neither DER nor");
	parse_fails(bin, sizeof(bin), "neither DER nor");
}

/* A PEM CERTIFICATE REQUEST block whose content is not PKCS#10 is refused. */
static void
test_pem_label_wrong_content(void **state)
{
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
	blob der = blob_dup(junk, sizeof(junk));
	blob pem = pem_of(&der, "CERTIFICATE REQUEST");

	(void)state;
	parse_fails(pem.p, pem.n, "not a PKCS#10");
	blob_free(&der);
	blob_free(&pem);
}

/* DER cut short is refused (at several cut points). */
static void
test_truncated_der(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	size_t cut[] = {1, 2, 10, der.n / 2, der.n - 1};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
		parse_fails(der.p, cut[i], "not a PKCS#10");
	blob_free(&der);
}

/* One byte after the request is refused, and the message counts it. */
static void
test_trailing_byte(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	blob more = concat(der.p, der.n, "\0", 1);

	(void)state;
	parse_fails(more.p, more.n, "1 bytes follow");
	blob_free(&der);
	blob_free(&more);
}

/* Two PEM blocks (even of the same request) are refused. */
static void
test_two_pem_blocks(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	blob pem = pem_of(&der, "CERTIFICATE REQUEST");
	blob two = concat(pem.p, pem.n, pem.p, pem.n);

	(void)state;
	parse_fails(two.p, two.n, "more than one PEM block");
	blob_free(&der);
	blob_free(&pem);
	blob_free(&two);
}

/* A self-signed certificate, PEM or DER, is not a signing request. */
static void
test_certificate_refused(void **state)
{
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();
	unsigned char *d = NULL;
	int len;
	blob der, pem;

	(void)state;
	assert_non_null(x);
	assert_non_null(nm);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 7), 1);
	assert_int_equal(X509_NAME_add_entry_by_NID(nm, NID_commonName,
	    MBSTRING_UTF8, (const unsigned char *)"test", -1, -1, 0), 1);
	assert_int_equal(X509_set_subject_name(x, nm), 1);
	assert_int_equal(X509_set_issuer_name(x, nm), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
	assert_int_equal(X509_set_pubkey(x, key_p256()), 1);
	assert_true(X509_sign(x, key_p256(), EVP_sha256()) > 0);
	len = i2d_X509(x, &d);
	assert_true(len > 0);
	der = blob_dup(d, (size_t)len);
	pem = pem_of(&der, "CERTIFICATE");
	parse_fails(pem.p, pem.n, "this is a certificate");
	parse_fails(der.p, der.n, "not a PKCS#10");
	OPENSSL_free(d);
	X509_NAME_free(nm);
	X509_free(x);
	blob_free(&der);
	blob_free(&pem);
}

/* Input of 64 KiB + 1 is refused; exactly 64 KiB is still read. */
static void
test_size_limit(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	blob pem = pem_of(&der, "CERTIFICATE REQUEST");
	size_t total = CW_MAX_CSR_BYTES;
	uint8_t *buf = malloc(total + 1);
	cw_csr *csr;
	blob at;

	(void)state;
	assert_non_null(buf);
	assert_true(pem.n < total);
	memcpy(buf, pem.p, pem.n);
	memset(buf + pem.n, 'x', total + 1 - pem.n);
	buf[pem.n] = '\n';
	parse_fails(buf, total + 1, "at most 65536 bytes");
	at = blob_dup(buf, total);
	csr = parse_ok(&at);
	assert_int_equal(csr->der_len, der.n);
	cw_csr_free(csr);
	blob_free(&at);
	free(buf);
	blob_free(&der);
	blob_free(&pem);
}

/* A PEM block with RFC 1421 headers is refused. */
static void
test_pem_headers_refused(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	BIO *bio = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;

	(void)state;
	assert_non_null(bio);
	assert_true(PEM_write_bio(bio, "CERTIFICATE REQUEST",
	    "Comment: hello\n", der.p, (long)der.n) > 0);
	n = BIO_get_mem_data(bio, &p);
	assert_true(n > 0);
	parse_fails(p, (size_t)n, "headers");
	BIO_free(bio);
	blob_free(&der);
}

/* --- strict DER, version -------------------------------------------------- */

/* A non-minimal (BER) length on the outer SEQUENCE is refused as not DER. */
static void
test_ber_outer_length(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	size_t body, hdr;
	uint8_t *ber;

	(void)state;
	/* DER: 30 81 LL or 30 82 HH LL; rewrite as 30 84 00 00 HH LL */
	assert_int_equal(der.p[0], 0x30);
	assert_true(der.p[1] == 0x81 || der.p[1] == 0x82);
	hdr = der.p[1] == 0x81 ? 3 : 4;
	body = der.n - hdr;
	ber = malloc(body + 6);
	assert_non_null(ber);
	ber[0] = 0x30;
	ber[1] = 0x84;
	ber[2] = 0;
	ber[3] = 0;
	ber[4] = (uint8_t)(body >> 8);
	ber[5] = (uint8_t)(body & 0xff);
	memcpy(ber + 6, der.p + hdr, body);
	parse_fails(ber, body + 6, "not DER");
	free(ber);
	blob_free(&der);
}

/* A version other than 0 is refused even though the rest is well formed. */
static void
test_version_1(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	size_t off = info_content_offset(&der);

	(void)state;
	/* version INTEGER 0 -> 1 */
	assert_int_equal(der.p[off], 0x02);
	assert_int_equal(der.p[off + 1], 0x01);
	assert_int_equal(der.p[off + 2], 0x00);
	der.p[off + 2] = 0x01;
	parse_fails(der.p, der.n, "version");
	der.p[off + 2] = 0x02;
	parse_fails(der.p, der.n, "version");
	blob_free(&der);
}

/* A SET OF (multi-valued RDN) in non-DER order is refused as not DER. */
static void
test_unsorted_set(void **state)
{
	/* DER sorts SET OF by encoding (X.690 11.6): the shorter OU
	 * AttributeTypeAndValue comes first; put it second */
	static const uint8_t ou[] = {0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x0b,
	    0x0c, 0x03, 'O', 'p', 's'};
	static const uint8_t cn[] = {0x30, 0x0c, 0x06, 0x03, 0x55, 0x04, 0x03,
	    0x0c, 0x05, 'h', 'e', 'l', 'l', 'o'};
	uint8_t sorted[sizeof(ou) + sizeof(cn)], swapped[sizeof(sorted)];
	X509_REQ *req = req_new(key_p256());
	uint8_t *at;
	blob der;
	cw_csr *csr;

	(void)state;
	memcpy(sorted, ou, sizeof(ou));
	memcpy(sorted + sizeof(ou), cn, sizeof(cn));
	memcpy(swapped, cn, sizeof(cn));
	memcpy(swapped + sizeof(cn), ou, sizeof(ou));
	req_subject(req, NID_commonName, V_ASN1_UTF8STRING, "hello", -1, 0);
	req_subject(req, NID_organizationalUnitName, V_ASN1_UTF8STRING, "Ops",
	    -1, -1);
	der = req_sign(req, key_p256(), "SHA256");
	/* as built, it is DER and accepted */
	csr = parse_ok(&der);
	assert_int_equal(csr->n_rdns, 1);
	cw_csr_free(csr);
	at = find_bytes(der.p, der.n, sorted, sizeof(sorted));
	assert_non_null(at);
	memcpy(at, swapped, sizeof(swapped));
	parse_fails(der.p, der.n, "not DER");
	blob_free(&der);
}

/* At most 64 subject attributes: 64 are read, 65 are an input error. */
static void
test_subject_attr_limit(void **state)
{
	X509_REQ *req;
	blob der;
	cw_csr *csr;
	int i;

	(void)state;
	req = req_new(key_p256());
	for (i = 0; i < CW_MAX_SUBJECT_ATTRS; i++)
		req_subject(req, NID_organizationalUnitName, V_ASN1_UTF8STRING,
		    "Ops", -1, 0);
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_int_equal(csr->n_subject, CW_MAX_SUBJECT_ATTRS);
	cw_csr_free(csr);
	blob_free(&der);

	req = req_new(key_p256());
	for (i = 0; i <= CW_MAX_SUBJECT_ATTRS; i++)
		req_subject(req, NID_organizationalUnitName, V_ASN1_UTF8STRING,
		    "Ops", -1, 0);
	der = req_sign(req, key_p256(), "SHA256");
	parse_fails(der.p, der.n, "65 attributes");
	blob_free(&der);
}

/* Adds n attributes with distinct private OIDs (1.3.6.1.4.1.99999.9.i). */
static void
add_private_attrs(X509_REQ *req, int n)
{
	char oid[64];
	ASN1_OBJECT *o;
	int i;

	for (i = 0; i < n; i++) {
		snprintf(oid, sizeof(oid), "1.3.6.1.4.1.99999.9.%d", i);
		o = OBJ_txt2obj(oid, 1);
		assert_non_null(o);
		assert_int_equal(X509_REQ_add1_attr_by_OBJ(req, o,
		    V_ASN1_UTF8STRING, (const unsigned char *)"x", 1), 1);
		ASN1_OBJECT_free(o);
	}
}

/* At most 32 attributes: 32 are read (each a finding), 33 are refused. */
static void
test_attribute_limit(void **state)
{
	X509_REQ *req;
	blob der;
	cw_csr *csr;
	size_t i;

	(void)state;
	req = req_new(key_p256());
	add_private_attrs(req, CW_MAX_ATTRIBUTES);
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_int_equal(csr->findings.n, CW_MAX_ATTRIBUTES);
	for (i = 0; i < csr->findings.n; i++)
		assert_string_equal(csr->findings.items[i].rule,
		    "extension.attribute");
	cw_csr_free(csr);
	blob_free(&der);

	req = req_new(key_p256());
	add_private_attrs(req, CW_MAX_ATTRIBUTES + 1);
	der = req_sign(req, key_p256(), "SHA256");
	parse_fails(der.p, der.n, "33 attributes");
	blob_free(&der);
}

/* At most 64 requested extensions: 64 are read, 65 are refused. */
static void
test_extension_limit(void **state)
{
	static const uint8_t null[] = {0x05, 0x00};
	STACK_OF(X509_EXTENSION) *exts;
	X509_REQ *req;
	char oid[64];
	blob der;
	cw_csr *csr;
	int i, round;

	(void)state;
	for (round = 0; round < 2; round++) {
		req = req_new(key_p256());
		exts = sk_X509_EXTENSION_new_null();
		assert_non_null(exts);
		for (i = 0; i < CW_MAX_EXTENSIONS + round; i++) {
			snprintf(oid, sizeof(oid), "1.3.6.1.4.1.99999.8.%d", i);
			assert_true(sk_X509_EXTENSION_push(exts, ext_raw(oid, 0,
			    null, sizeof(null))) > 0);
		}
		req_exts(req, exts);
		der = req_sign(req, key_p256(), "SHA256");
		if (round == 0) {
			csr = parse_ok(&der);
			assert_int_equal(csr->n_exts, CW_MAX_EXTENSIONS);
			assert_no_findings(csr);
			cw_csr_free(csr);
		} else {
			parse_fails(der.p, der.n, "65 extensions");
		}
		blob_free(&der);
	}
}

/* --- key facts ------------------------------------------------------------ */

/* An EC P-256 key: curve NID, 256 bits, usable pkey. */
static void
test_key_ec_p256(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	cw_csr *csr = parse_ok(&der);

	(void)state;
	assert_int_equal(csr->key.type, CW_KEYT_EC);
	assert_int_equal(csr->key.curve_nid, NID_X9_62_prime256v1);
	assert_int_equal(csr->key.bits, 256);
	assert_string_equal(csr->key.alg_oid, "1.2.840.10045.2.1");
	assert_int_equal(csr->key.problem, CW_KEYP_NONE);
	assert_non_null(csr->key.pkey);
	assert_int_equal(EVP_PKEY_eq(csr->key.pkey, key_p256()), 1);
	assert_null(csr->key.rsa_n);
	cw_csr_free(csr);
	blob_free(&der);
}

/* An EC P-384 key: curve NID, 384 bits; SHA-384 signature facts. */
static void
test_key_ec_p384(void **state)
{
	blob der = good_csr(key_p384(), "SHA384");
	cw_csr *csr = parse_ok(&der);

	(void)state;
	assert_int_equal(csr->key.type, CW_KEYT_EC);
	assert_int_equal(csr->key.curve_nid, NID_secp384r1);
	assert_int_equal(csr->key.bits, 384);
	assert_int_equal(csr->sig_nid, NID_ecdsa_with_SHA384);
	assert_int_equal(csr->sig_md_nid, NID_sha384);
	assert_true(csr->pop_ok);
	cw_csr_free(csr);
	blob_free(&der);
}

/* An RSA key: bits, modulus and exponent equal the generated key's. */
static void
test_key_rsa(void **state)
{
	blob der = good_csr(key_rsa(), "SHA256");
	cw_csr *csr = parse_ok(&der);
	BIGNUM *n = NULL, *e = NULL;

	(void)state;
	assert_int_equal(EVP_PKEY_get_bn_param(key_rsa(),
	    OSSL_PKEY_PARAM_RSA_N, &n), 1);
	assert_int_equal(EVP_PKEY_get_bn_param(key_rsa(),
	    OSSL_PKEY_PARAM_RSA_E, &e), 1);
	assert_int_equal(csr->key.type, CW_KEYT_RSA);
	assert_int_equal(csr->key.bits, 2048);
	assert_int_equal(csr->key.curve_nid, NID_undef);
	assert_non_null(csr->key.rsa_n);
	assert_non_null(csr->key.rsa_e);
	assert_int_equal(BN_cmp(csr->key.rsa_n, n), 0);
	assert_int_equal(BN_cmp(csr->key.rsa_e, e), 0);
	assert_true(BN_is_word(csr->key.rsa_e, 65537));
	assert_non_null(csr->key.pkey);
	assert_int_equal(csr->sig_nid, NID_sha256WithRSAEncryption);
	assert_int_equal(csr->sig_md_nid, NID_sha256);
	assert_true(csr->pop_ok);
	BN_free(n);
	BN_free(e);
	cw_csr_free(csr);
	blob_free(&der);
}

/* An Ed25519 key: 255 bits, signature without a separate hash. */
static void
test_key_ed25519(void **state)
{
	blob der = good_csr(key_ed25519(), NULL);
	cw_csr *csr = parse_ok(&der);

	(void)state;
	assert_int_equal(csr->key.type, CW_KEYT_ED25519);
	assert_int_equal(csr->key.bits, 255);
	assert_string_equal(csr->key.alg_oid, "1.3.101.112");
	assert_int_equal(csr->key.curve_nid, NID_undef);
	assert_non_null(csr->key.pkey);
	assert_int_equal(csr->sig_nid, NID_ED25519);
	assert_int_equal(csr->sig_md_nid, NID_undef);
	assert_true(csr->pop_ok);
	cw_csr_free(csr);
	blob_free(&der);
}

/* The SPKI fingerprint is SHA-256 over i2d_PUBKEY of the key. */
static void
test_spki_sha256(void **state)
{
	EVP_PKEY *keys[3];
	unsigned char *spki = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t i;
	int len;

	(void)state;
	keys[0] = key_p256();
	keys[1] = key_rsa();
	keys[2] = key_ed25519();
	for (i = 0; i < 3; i++) {
		blob der = good_csr(keys[i], i == 2 ? NULL : "SHA256");
		cw_csr *csr = parse_ok(&der);

		len = i2d_PUBKEY(keys[i], &spki);
		assert_true(len > 0);
		assert_int_equal(EVP_Digest(spki, (size_t)len, md, &mdlen,
		    EVP_sha256(), NULL), 1);
		assert_int_equal(mdlen, 32);
		assert_memory_equal(csr->key.spki_sha256, md, 32);
		OPENSSL_free(spki);
		spki = NULL;
		cw_csr_free(csr);
		blob_free(&der);
	}
}

/* Asserts that csr->spki is a slice of csr->der holding exactly want. */
static void
assert_spki_slice(const cw_csr *csr, const unsigned char *want, size_t len)
{
	assert_non_null(csr->spki);
	assert_true(csr->spki >= csr->der);
	assert_true(csr->spki + csr->spki_len <= csr->der + csr->der_len);
	assert_int_equal(csr->spki_len, len);
	assert_memory_equal(csr->spki, want, len);
}

/* csr->spki is the request's SubjectPublicKeyInfo inside the received
 * bytes, exactly i2d_PUBKEY of the key: for every key type, with an empty
 * subject and with a subject long enough for a two-octet length. */
static void
test_spki_slice(void **state)
{
	EVP_PKEY *keys[4];
	unsigned char *spki = NULL;
	char longcn[300];
	X509_REQ *req;
	cw_csr *csr;
	blob der;
	size_t i;
	int len;

	(void)state;
	keys[0] = key_p256();
	keys[1] = key_p384();
	keys[2] = key_rsa();
	keys[3] = key_ed25519();
	for (i = 0; i < 4; i++) {
		der = good_csr(keys[i], i == 3 ? NULL : "SHA256");
		csr = parse_ok(&der);
		len = i2d_PUBKEY(keys[i], &spki);
		assert_true(len > 0);
		assert_spki_slice(csr, spki, (size_t)len);
		OPENSSL_free(spki);
		spki = NULL;
		cw_csr_free(csr);
		blob_free(&der);
	}

	len = i2d_PUBKEY(key_p256(), &spki);
	assert_true(len > 0);
	/* empty subject: the SPKI follows an empty SEQUENCE */
	req = req_new(key_p256());
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_spki_slice(csr, spki, (size_t)len);
	cw_csr_free(csr);
	blob_free(&der);
	/* a subject over 255 octets (long-form length) */
	memset(longcn, 'a', sizeof(longcn));
	req = req_new(key_p256());
	req_subject(req, NID_organizationName, V_ASN1_UTF8STRING, longcn,
	    (int)sizeof(longcn), 0);
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_spki_slice(csr, spki, (size_t)len);
	cw_csr_free(csr);
	blob_free(&der);
	OPENSSL_free(spki);
}

/* --- proof of possession -------------------------------------------------- */

/* A good self-signature verifies for every key type. */
static void
test_pop_ok(void **state)
{
	EVP_PKEY *keys[4];
	size_t i;

	(void)state;
	keys[0] = key_p256();
	keys[1] = key_p384();
	keys[2] = key_rsa();
	keys[3] = key_ed25519();
	for (i = 0; i < 4; i++) {
		blob der = good_csr(keys[i], i == 3 ? NULL : "SHA256");
		cw_csr *csr = parse_ok(&der);

		assert_true(csr->pop_ok);
		cw_csr_free(csr);
		blob_free(&der);
	}
}

/* A flipped signature bit still parses (CW_OK) but pop_ok is false. */
static void
test_pop_bad_signature(void **state)
{
	EVP_PKEY *keys[3];
	size_t i;

	(void)state;
	keys[0] = key_p256();
	keys[1] = key_rsa();
	keys[2] = key_ed25519();
	for (i = 0; i < 3; i++) {
		blob der = good_csr(keys[i], i == 2 ? NULL : "SHA256");
		cw_csr *csr;

		der.p[der.n - 1] ^= 0x01; /* last octet of the signature */
		csr = parse_ok(&der);
		assert_false(csr->pop_ok);
		assert_non_null(strstr(csr->pop_msg, "does not verify"));
		assert_int_equal(csr->key.problem, CW_KEYP_NONE);
		cw_csr_free(csr);
		blob_free(&der);
	}
}

/* An EC point moved off its curve parses; the key is recorded as invalid. */
static void
test_ec_point_off_curve(void **state)
{
	blob der = good_csr(key_p256(), "SHA256");
	unsigned char *spki = NULL;
	uint8_t *at;
	int len;
	cw_csr *csr;

	(void)state;
	len = i2d_PUBKEY(key_p256(), &spki);
	assert_int_equal(len, 91);
	at = find_bytes(der.p, der.n, spki, (size_t)len);
	assert_non_null(at);
	at[len - 1] ^= 0x01; /* lowest bit of Y */
	csr = parse_ok(&der);
	assert_int_equal(csr->key.type, CW_KEYT_EC);
	assert_int_equal(csr->key.curve_nid, NID_X9_62_prime256v1);
	assert_int_equal(csr->key.problem, CW_KEYP_INVALID);
	assert_null(csr->key.pkey);
	assert_false(csr->pop_ok);
	assert_true(csr->pop_msg[0] != '\0');
	OPENSSL_free(spki);
	cw_csr_free(csr);
	blob_free(&der);
}

/* --- subject -------------------------------------------------------------- */

/* Attributes come out in encoded order with their string types. */
static void
test_subject_order_and_types(void **state)
{
	static const uint8_t bmp[] = {0, 'W', 0, 'e', 0, 'b'};
	X509_REQ *req = req_new(key_p256());
	blob der;
	cw_csr *csr;

	(void)state;
	req_subject(req, NID_countryName, V_ASN1_PRINTABLESTRING, "US", 2, 0);
	req_subject(req, NID_organizationName, V_ASN1_UTF8STRING,
	    "Example Corp", 12, 0);
	req_subject(req, NID_commonName, V_ASN1_BMPSTRING, bmp, sizeof(bmp), 0);
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_int_equal(csr->n_subject, 3);
	assert_int_equal(csr->n_rdns, 3);
	assert_int_equal(csr->subject[0].nid, NID_countryName);
	assert_string_equal(csr->subject[0].oid, "2.5.4.6");
	assert_int_equal(csr->subject[0].str_type, V_ASN1_PRINTABLESTRING);
	assert_int_equal(csr->subject[0].len, 2);
	assert_memory_equal(csr->subject[0].val, "US", 2);
	assert_int_equal(csr->subject[0].rdn_index, 0);
	assert_int_equal(csr->subject[1].nid, NID_organizationName);
	assert_int_equal(csr->subject[1].str_type, V_ASN1_UTF8STRING);
	assert_int_equal(csr->subject[1].len, 12);
	assert_memory_equal(csr->subject[1].val, "Example Corp", 12);
	assert_int_equal(csr->subject[1].rdn_index, 1);
	assert_int_equal(csr->subject[2].nid, NID_commonName);
	assert_int_equal(csr->subject[2].str_type, V_ASN1_BMPSTRING);
	assert_int_equal(csr->subject[2].len, sizeof(bmp));
	assert_memory_equal(csr->subject[2].val, bmp, sizeof(bmp));
	assert_int_equal(csr->subject[2].rdn_index, 2);
	assert_no_findings(csr);
	cw_csr_free(csr);
	blob_free(&der);
}

/* An unknown attribute OID is kept with NID_undef and its dotted OID. */
static void
test_subject_unknown_oid(void **state)
{
	X509_REQ *req = req_new(key_p256());
	X509_NAME *nm = X509_REQ_get_subject_name(req);
	ASN1_OBJECT *o = OBJ_txt2obj("1.2.3.4.5.6.7", 1);
	blob der;
	cw_csr *csr;

	(void)state;
	assert_non_null(o);
	assert_int_equal(X509_NAME_add_entry_by_OBJ(nm, o, V_ASN1_UTF8STRING,
	    (const unsigned char *)"x", 1, -1, 0), 1);
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_int_equal(csr->n_subject, 1);
	assert_int_equal(csr->subject[0].nid, NID_undef);
	assert_string_equal(csr->subject[0].oid, "1.2.3.4.5.6.7");
	ASN1_OBJECT_free(o);
	cw_csr_free(csr);
	blob_free(&der);
}

/* A multi-valued RDN gives fewer RDNs than attributes. */
static void
test_multi_valued_rdn(void **state)
{
	X509_REQ *req = req_new(key_p256());
	blob der;
	cw_csr *csr;

	(void)state;
	req_subject(req, NID_organizationName, V_ASN1_UTF8STRING,
	    "Example Corp", -1, 0);
	req_subject(req, NID_commonName, V_ASN1_UTF8STRING, "www.example.com",
	    -1, 0);
	req_subject(req, NID_organizationalUnitName, V_ASN1_UTF8STRING, "Ops",
	    -1, -1);
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_int_equal(csr->n_subject, 3);
	assert_int_equal(csr->n_rdns, 2);
	assert_true(csr->n_rdns < csr->n_subject);
	assert_int_equal(csr->subject[0].rdn_index, 0);
	assert_int_equal(csr->subject[1].rdn_index, 1);
	assert_int_equal(csr->subject[2].rdn_index, 1);
	assert_non_null(strstr(csr->subject_text, "+"));
	cw_csr_free(csr);
	blob_free(&der);
}

/* --- subjectAltName ------------------------------------------------------- */

/* Every SAN type is kept in order; an 8-octet IP keeps its 8 octets. */
static void
test_san_types(void **state)
{
	static const uint8_t v4[] = {10, 1, 2, 3};
	static const uint8_t v6[] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 1};
	static const uint8_t masked[] = {10, 0, 0, 0, 255, 0, 0, 0};
	X509_REQ *req = req_new(key_p256());
	GENERAL_NAMES *g = sk_GENERAL_NAME_new_null();
	blob der;
	cw_csr *csr;

	(void)state;
	assert_non_null(g);
	assert_true(sk_GENERAL_NAME_push(g, gn_str(GEN_DNS,
	    "a.svc.example.internal")) > 0);
	assert_true(sk_GENERAL_NAME_push(g, gn_ip(v4, 4)) > 0);
	assert_true(sk_GENERAL_NAME_push(g, gn_ip(v6, 16)) > 0);
	assert_true(sk_GENERAL_NAME_push(g, gn_str(GEN_URI,
	    "spiffe://example.internal/ns/a/sa/b")) > 0);
	assert_true(sk_GENERAL_NAME_push(g, gn_str(GEN_EMAIL,
	    "ops@example.com")) > 0);
	assert_true(sk_GENERAL_NAME_push(g, gn_ip(masked, 8)) > 0);
	assert_true(sk_GENERAL_NAME_push(g, gn_other("u@example.com")) > 0);
	req_ext1(req, ext_san(g));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_true(csr->has_san);
	assert_int_equal(csr->n_sans, 7);
	assert_int_equal(csr->sans[0].type, CW_SAN_DNS);
	assert_int_equal(csr->sans[0].len, 22);
	assert_memory_equal(csr->sans[0].val, "a.svc.example.internal", 22);
	assert_int_equal(csr->sans[1].type, CW_SAN_IP);
	assert_int_equal(csr->sans[1].len, 4);
	assert_memory_equal(csr->sans[1].val, v4, 4);
	assert_int_equal(csr->sans[2].type, CW_SAN_IP);
	assert_int_equal(csr->sans[2].len, 16);
	assert_memory_equal(csr->sans[2].val, v6, 16);
	assert_int_equal(csr->sans[3].type, CW_SAN_URI);
	assert_int_equal(csr->sans[3].len, 35);
	assert_memory_equal(csr->sans[3].val,
	    "spiffe://example.internal/ns/a/sa/b", 35);
	assert_int_equal(csr->sans[4].type, CW_SAN_EMAIL);
	assert_int_equal(csr->sans[4].len, 15);
	assert_memory_equal(csr->sans[4].val, "ops@example.com", 15);
	assert_int_equal(csr->sans[5].type, CW_SAN_IP);
	assert_int_equal(csr->sans[5].len, 8);
	assert_memory_equal(csr->sans[5].val, masked, 8);
	assert_int_equal(csr->sans[6].type, CW_SAN_OTHER);
	assert_string_equal(csr->sans[6].other, "otherName");
	assert_string_equal(cw_san_type_name(csr->sans[6].type), "other");
	assert_int_equal(csr->n_exts, 1);
	assert_int_equal(csr->exts[0].nid, NID_subject_alt_name);
	assert_false(csr->exts[0].critical);
	assert_no_findings(csr);
	cw_csr_free(csr);
	blob_free(&der);
}

/* A SAN value with an embedded NUL keeps every byte and its length. */
static void
test_san_embedded_nul(void **state)
{
	static const char name[] = "www.example.com\0.evil.test";
	X509_REQ *req = req_new(key_p256());
	GENERAL_NAMES *g = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *v = ASN1_IA5STRING_new();
	blob der;
	cw_csr *csr;

	(void)state;
	assert_non_null(g);
	assert_non_null(gn);
	assert_non_null(v);
	assert_int_equal(ASN1_STRING_set(v, name, (int)sizeof(name) - 1), 1);
	GENERAL_NAME_set0_value(gn, GEN_DNS, v);
	assert_true(sk_GENERAL_NAME_push(g, gn) > 0);
	req_ext1(req, ext_san(g));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_int_equal(csr->n_sans, 1);
	assert_int_equal(csr->sans[0].len, sizeof(name) - 1);
	assert_memory_equal(csr->sans[0].val, name, sizeof(name) - 1);
	cw_csr_free(csr);
	blob_free(&der);
}

/* Two subjectAltName extensions in one request: extension.duplicate. */
static void
test_duplicate_san_extension(void **state)
{
	X509_REQ *req = req_new(key_p256());
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	blob der;
	cw_csr *csr;

	(void)state;
	assert_non_null(exts);
	assert_true(sk_X509_EXTENSION_push(exts,
	    ext_san_dns("www.example.com")) > 0);
	assert_true(sk_X509_EXTENSION_push(exts,
	    ext_san_dns("evil.example.org")) > 0);
	req_exts(req, exts);
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_one_finding(csr, "extension.duplicate");
	assert_non_null(strstr(csr->findings.items[0].msg, "2.5.29.17"));
	cw_csr_free(csr);
	blob_free(&der);
}

/* Two extensionRequest attributes: extension.duplicate. */
static void
test_two_extension_requests(void **state)
{
	/* OpenSSL refuses to add an attribute twice, so the second one is
	 * added as smimeCapabilities (1.2.840.113549.1.9.15) and its OID's
	 * last octet is then turned into extensionRequest's (...9.14);
	 * equal-length names keep the SET OF in DER order */
	static const uint8_t smime[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	    0xf7, 0x0d, 0x01, 0x09, 0x0f};
	static const uint8_t extreq[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	    0xf7, 0x0d, 0x01, 0x09, 0x0e};
	X509_REQ *req = req_new(key_p256());
	blob der;
	cw_csr *csr;

	(void)state;
	req_ext1(req, ext_san_dns("aaa.example.com"));
	req_extreq_raw(req, NID_SMIMECapabilities,
	    ext_san_dns("bbb.example.com"));
	assert_int_equal(X509_REQ_get_attr_count(req), 2);
	der = req_sign(req, key_p256(), "SHA256");
	resign_patched(&der, smime, extreq, sizeof(smime), key_p256(),
	    "SHA256");
	csr = parse_ok(&der);
	assert_one_finding(csr, "extension.duplicate");
	assert_non_null(strstr(csr->findings.items[0].msg, "extensionRequest"));
	assert_true(csr->pop_ok);
	/* the first one counts; the second is never read */
	assert_int_equal(csr->n_sans, 1);
	assert_memory_equal(csr->sans[0].val, "aaa.example.com", 15);
	cw_csr_free(csr);
	blob_free(&der);
}

/* A subjectAltName extension with no names: extension.malformed. */
static void
test_empty_san(void **state)
{
	X509_REQ *req = req_new(key_p256());
	GENERAL_NAMES *g = sk_GENERAL_NAME_new_null();
	blob der;
	cw_csr *csr;

	(void)state;
	assert_non_null(g);
	req_ext1(req, ext_san(g));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_one_finding(csr, "extension.malformed");
	assert_int_equal(csr->n_sans, 0);
	cw_csr_free(csr);
	blob_free(&der);
}

/* A SAN extension whose value is not GeneralNames: extension.malformed. */
static void
test_san_undecodable(void **state)
{
	static const uint8_t notnames[] = {0x04, 0x01, 0x00};
	X509_REQ *req = req_new(key_p256());
	blob der;
	cw_csr *csr;

	(void)state;
	req_ext1(req, ext_raw("2.5.29.17", 0, notnames, sizeof(notnames)));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_one_finding(csr, "extension.malformed");
	assert_int_equal(csr->n_sans, 0);
	cw_csr_free(csr);
	blob_free(&der);
}

/* --- other extensions and attributes -------------------------------------- */

/* An unknown critical extension: extension.critical naming its OID. */
static void
test_unknown_critical_extension(void **state)
{
	static const uint8_t null[] = {0x05, 0x00};
	X509_REQ *req = req_new(key_p256());
	blob der;
	cw_csr *csr;

	(void)state;
	req_ext1(req, ext_raw("1.3.6.1.4.1.99999.1", 1, null, sizeof(null)));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_one_finding(csr, "extension.critical");
	assert_non_null(strstr(csr->findings.items[0].msg,
	    "1.3.6.1.4.1.99999.1"));
	assert_int_equal(csr->n_exts, 1);
	assert_true(csr->exts[0].critical);
	cw_csr_free(csr);
	blob_free(&der);
}

/* An unknown non-critical extension is recorded but not a finding. */
static void
test_unknown_noncritical_extension(void **state)
{
	static const uint8_t null[] = {0x05, 0x00};
	X509_REQ *req = req_new(key_p256());
	blob der;
	cw_csr *csr;

	(void)state;
	req_ext1(req, ext_raw("1.3.6.1.4.1.99999.1", 0, null, sizeof(null)));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_no_findings(csr);
	assert_int_equal(csr->n_exts, 1);
	assert_int_equal(csr->exts[0].nid, NID_undef);
	assert_string_equal(csr->exts[0].oid, "1.3.6.1.4.1.99999.1");
	assert_false(csr->exts[0].critical);
	cw_csr_free(csr);
	blob_free(&der);
}

/* Microsoft's certificate-extensions attribute: extension.attribute. */
static void
test_ms_extension_attribute(void **state)
{
	X509_REQ *req = req_new(key_p256());
	blob der;
	cw_csr *csr;

	(void)state;
	assert_int_equal(OBJ_txt2nid("1.3.6.1.4.1.311.2.1.14"), NID_ms_ext_req);
	req_extreq_raw(req, NID_ms_ext_req, ext_san_dns("evil.example.org"));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_one_finding(csr, "extension.attribute");
	assert_non_null(strstr(csr->findings.items[0].msg,
	    "1.3.6.1.4.1.311.2.1.14"));
	/* the extensions it carries are never taken as requested */
	assert_false(csr->has_san);
	assert_int_equal(csr->n_sans, 0);
	cw_csr_free(csr);
	blob_free(&der);
}

/* A challengePassword attribute is known and harmless: no finding. */
static void
test_challenge_password(void **state)
{
	X509_REQ *req = req_new(key_p256());
	blob der;
	cw_csr *csr;

	(void)state;
	assert_int_equal(X509_REQ_add1_attr_by_NID(req,
	    NID_pkcs9_challengePassword, MBSTRING_ASC,
	    (const unsigned char *)"secret", -1), 1);
	req_ext1(req, ext_san_dns("www.example.com"));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_no_findings(csr);
	assert_int_equal(csr->n_sans, 1);
	cw_csr_free(csr);
	blob_free(&der);
}

/* basicConstraints CA:TRUE is recorded; CA:FALSE is recorded as such. */
static void
test_basic_constraints(void **state)
{
	X509_REQ *req = req_new(key_p256());
	blob der;
	cw_csr *csr;

	(void)state;
	req_ext1(req, ext_conf(NID_basic_constraints, "critical,CA:TRUE"));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_true(csr->has_bc);
	assert_true(csr->bc_ca);
	assert_false(csr->bc_pathlen);
	assert_no_findings(csr);
	cw_csr_free(csr);
	blob_free(&der);

	req = req_new(key_p256());
	req_ext1(req, ext_conf(NID_basic_constraints, "CA:FALSE"));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_true(csr->has_bc);
	assert_false(csr->bc_ca);
	assert_false(csr->bc_pathlen);
	cw_csr_free(csr);
	blob_free(&der);
}

/* keyUsage bits map to CW_KU_* in RFC 5280 4.2.1.3 order. */
static void
test_key_usage_bits(void **state)
{
	X509_REQ *req = req_new(key_p256());
	blob der;
	cw_csr *csr;

	(void)state;
	req_ext1(req, ext_conf(NID_key_usage,
	    "critical,digitalSignature,keyEncipherment,keyCertSign"));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_true(csr->has_ku);
	assert_int_equal(csr->ku, CW_KU_DIGITAL_SIGNATURE |
	    CW_KU_KEY_ENCIPHERMENT | CW_KU_KEY_CERT_SIGN);
	assert_int_equal(CW_KU_DIGITAL_SIGNATURE, 1u << 0);
	assert_int_equal(CW_KU_KEY_ENCIPHERMENT, 1u << 2);
	assert_int_equal(CW_KU_KEY_CERT_SIGN, 1u << 5);
	assert_no_findings(csr);
	cw_csr_free(csr);
	blob_free(&der);

	/* the last named bit (8, decipherOnly) sits in a second octet */
	req = req_new(key_p256());
	req_ext1(req, ext_conf(NID_key_usage,
	    "nonRepudiation,keyAgreement,decipherOnly"));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_int_equal(csr->ku, CW_KU_NON_REPUDIATION | CW_KU_KEY_AGREEMENT |
	    CW_KU_DECIPHER_ONLY);
	cw_csr_free(csr);
	blob_free(&der);
}

/* extKeyUsage purposes come out as NIDs; unknown OIDs as NID_undef. */
static void
test_eku_nids(void **state)
{
	X509_REQ *req = req_new(key_p256());
	blob der;
	cw_csr *csr;

	(void)state;
	req_ext1(req, ext_conf(NID_ext_key_usage,
	    "serverAuth,clientAuth,codeSigning,1.3.6.1.4.1.99999.7"));
	der = req_sign(req, key_p256(), "SHA256");
	csr = parse_ok(&der);
	assert_true(csr->has_eku);
	assert_int_equal(csr->n_eku, 4);
	assert_int_equal(csr->eku[0], NID_server_auth);
	assert_int_equal(csr->eku[1], NID_client_auth);
	assert_int_equal(csr->eku[2], NID_code_sign);
	assert_int_equal(csr->eku[3], NID_undef);
	assert_string_equal(csr->eku_oid[0], "1.3.6.1.5.5.7.3.1");
	assert_string_equal(csr->eku_oid[3], "1.3.6.1.4.1.99999.7");
	assert_no_findings(csr);
	cw_csr_free(csr);
	blob_free(&der);
}

/* A SHA-1 signature is recorded as such (the policy judges it). */
static void
test_sha1_signature_facts(void **state)
{
	blob der = good_csr(key_p256(), "SHA1");
	cw_csr *csr = parse_ok(&der);

	(void)state;
	assert_int_equal(csr->sig_nid, NID_ecdsa_with_SHA1);
	assert_int_equal(csr->sig_md_nid, NID_sha1);
	assert_string_equal(cw_md_name(csr->sig_md_nid), "sha1");
	assert_true(csr->pop_ok);
	cw_csr_free(csr);
	blob_free(&der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_der_accepted),
		cmocka_unit_test(test_pem_same_facts_as_der),
		cmocka_unit_test(test_pem_with_text_around),
		cmocka_unit_test(test_pem_new_label),
		cmocka_unit_test(test_pem_crlf_bom),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_pem_label_wrong_content),
		cmocka_unit_test(test_truncated_der),
		cmocka_unit_test(test_trailing_byte),
		cmocka_unit_test(test_two_pem_blocks),
		cmocka_unit_test(test_certificate_refused),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_pem_headers_refused),
		cmocka_unit_test(test_ber_outer_length),
		cmocka_unit_test(test_version_1),
		cmocka_unit_test(test_unsorted_set),
		cmocka_unit_test(test_subject_attr_limit),
		cmocka_unit_test(test_attribute_limit),
		cmocka_unit_test(test_extension_limit),
		cmocka_unit_test(test_key_ec_p256),
		cmocka_unit_test(test_key_ec_p384),
		cmocka_unit_test(test_key_rsa),
		cmocka_unit_test(test_key_ed25519),
		cmocka_unit_test(test_spki_sha256),
		cmocka_unit_test(test_spki_slice),
		cmocka_unit_test(test_pop_ok),
		cmocka_unit_test(test_pop_bad_signature),
		cmocka_unit_test(test_ec_point_off_curve),
		cmocka_unit_test(test_subject_order_and_types),
		cmocka_unit_test(test_subject_unknown_oid),
		cmocka_unit_test(test_multi_valued_rdn),
		cmocka_unit_test(test_san_types),
		cmocka_unit_test(test_san_embedded_nul),
		cmocka_unit_test(test_duplicate_san_extension),
		cmocka_unit_test(test_two_extension_requests),
		cmocka_unit_test(test_empty_san),
		cmocka_unit_test(test_san_undecodable),
		cmocka_unit_test(test_unknown_critical_extension),
		cmocka_unit_test(test_unknown_noncritical_extension),
		cmocka_unit_test(test_ms_extension_attribute),
		cmocka_unit_test(test_challenge_password),
		cmocka_unit_test(test_basic_constraints),
		cmocka_unit_test(test_key_usage_bits),
		cmocka_unit_test(test_eku_nids),
		cmocka_unit_test(test_sha1_signature_facts),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_keys);
}
