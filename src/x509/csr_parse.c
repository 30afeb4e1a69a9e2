/*
 * csr_parse.c - hostile bytes to a cw_csr (see csr.h).
 *
 * The request is decoded with certward's own ASN.1 templates rather than
 * X509_REQ for two reasons: X509_REQ and X509_NAME keep the received
 * encoding and re-emit it, so re-encoding them cannot prove the input was
 * DER; and X509_REQ decodes the public key through the provider decoder,
 * which refuses an invalid key outright (we want to report it as a policy
 * violation) and costs most of the parsing time on OpenSSL 3.0.
 */
#include "csr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "../common/limits.h"
#include "../common/util.h"
#include "../policy/policy.h"

/* --- ASN.1 templates (RFC 2986 4) ---------------------------------------- */

/* RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue */
ASN1_ITEM_TEMPLATE(CW_RDN) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SET_OF, 0, CW_RDN, X509_NAME_ENTRY)
static_ASN1_ITEM_TEMPLATE_END(CW_RDN)

/* RDNSequence ::= SEQUENCE OF RelativeDistinguishedName, without the
 * cached encoding that X509_NAME keeps */
ASN1_ITEM_TEMPLATE(CW_NAME) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, CW_NAME, CW_RDN)
static_ASN1_ITEM_TEMPLATE_END(CW_NAME)

/* SubjectPublicKeyInfo as an opaque SEQUENCE: we re-decode it ourselves */
typedef struct {
	X509_ALGOR *alg;
	ASN1_BIT_STRING *key;
} CW_RAW_SPKI;

ASN1_SEQUENCE(CW_RAW_SPKI) = {
	ASN1_SIMPLE(CW_RAW_SPKI, alg, X509_ALGOR),
	ASN1_SIMPLE(CW_RAW_SPKI, key, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(CW_RAW_SPKI)

typedef struct {
	ASN1_INTEGER *version;
	OPENSSL_STACK *subject;
	CW_RAW_SPKI *spki;
	STACK_OF(X509_ATTRIBUTE) *attributes;
} CW_REQINFO;

ASN1_SEQUENCE(CW_REQINFO) = {
	ASN1_SIMPLE(CW_REQINFO, version, ASN1_INTEGER),
	ASN1_SIMPLE(CW_REQINFO, subject, CW_NAME),
	ASN1_SIMPLE(CW_REQINFO, spki, CW_RAW_SPKI),
	/* RFC 2986 requires [0] attributes; some old tools omit it, which
	 * is harmless, so it is optional here (an empty set re-encodes) */
	ASN1_IMP_SET_OF_OPT(CW_REQINFO, attributes, X509_ATTRIBUTE, 0),
} static_ASN1_SEQUENCE_END(CW_REQINFO)

typedef struct {
	CW_REQINFO *info;
	X509_ALGOR *sig_alg;
	ASN1_BIT_STRING *sig;
} CW_REQ;

ASN1_SEQUENCE(CW_REQ) = {
	ASN1_SIMPLE(CW_REQ, info, CW_REQINFO),
	ASN1_SIMPLE(CW_REQ, sig_alg, X509_ALGOR),
	ASN1_SIMPLE(CW_REQ, sig, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(CW_REQ)

/* Extension as in RFC 5280 4.1, with the raw BOOLEAN kept so that an
 * explicitly encoded DEFAULT FALSE or a non-DER TRUE can be refused
 * (X509_EXTENSION normalises both away) */
typedef struct {
	ASN1_OBJECT *object;
	ASN1_BOOLEAN critical; /* -1 absent, else the encoded octet */
	ASN1_OCTET_STRING *value;
} CW_EXT;

ASN1_SEQUENCE(CW_EXT) = {
	ASN1_SIMPLE(CW_EXT, object, ASN1_OBJECT),
	ASN1_OPT(CW_EXT, critical, ASN1_BOOLEAN),
	ASN1_SIMPLE(CW_EXT, value, ASN1_OCTET_STRING),
} static_ASN1_SEQUENCE_END(CW_EXT)

ASN1_ITEM_TEMPLATE(CW_EXTS) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, CW_EXTS, CW_EXT)
static_ASN1_ITEM_TEMPLATE_END(CW_EXTS)

#define I2D(type, v, out) \
	ASN1_item_i2d((const ASN1_VALUE *)(v), (out), ASN1_ITEM_rptr(type))

/* --- small helpers -------------------------------------------------------- */

const char *
cw_san_type_name(cw_san_type t)
{
	switch (t) {
	case CW_SAN_DNS: return "dns";
	case CW_SAN_IP: return "ip";
	case CW_SAN_URI: return "uri";
	case CW_SAN_EMAIL: return "email";
	default: return "other";
	}
}

const char *
cw_md_name(int md_nid)
{
	switch (md_nid) {
	case NID_md5: return "md5";
	case NID_sha1: return "sha1";
	case NID_sha224: return "sha224";
	case NID_sha256: return "sha256";
	case NID_sha384: return "sha384";
	case NID_sha512: return "sha512";
	case NID_sha3_256: return "sha3-256";
	case NID_sha3_384: return "sha3-384";
	case NID_sha3_512: return "sha3-512";
	default: return NULL;
	}
}

static void
obj_text(const ASN1_OBJECT *o, char *buf, size_t len)
{
	if (OBJ_obj2txt(buf, (int)len, o, 1) <= 0)
		snprintf(buf, len, "?");
}

/* Copies an ASN1_STRING's octets into a new buffer (+NUL, not counted). */
static uint8_t *
dup_octets(const ASN1_STRING *s, size_t *len)
{
	int n = ASN1_STRING_length(s);
	uint8_t *b;

	if (n < 0)
		return NULL;
	b = malloc((size_t)n + 1);
	if (b == NULL)
		return NULL;
	memcpy(b, ASN1_STRING_get0_data(s), (size_t)n);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

void
cw_csr_free(cw_csr *csr)
{
	size_t i;

	if (csr == NULL)
		return;
	free(csr->der);
	cw_key_info_cleanup(&csr->key);
	for (i = 0; i < csr->n_subject; i++) {
		free(csr->subject[i].val);
		free(csr->subject[i].text);
	}
	free(csr->subject);
	free(csr->subject_text);
	free(csr->exts);
	for (i = 0; i < csr->n_sans; i++)
		free(csr->sans[i].val);
	free(csr->sans);
	free(csr->eku);
	free(csr->eku_oid);
	cw_violations_cleanup(&csr->findings);
	free(csr);
}

/* --- input framing: PEM or DER ------------------------------------------- */

/* DER when the input is exactly one SEQUENCE; text that merely starts
 * with '0' (0x30) before a PEM block is PEM. */
static bool
looks_like_der(const uint8_t *in, size_t len)
{
	const unsigned char *p = in;
	long clen;
	int tag, xclass, r;

	if (in[0] != 0x30)
		return false;
	r = ASN1_get_object(&p, &clen, &tag, &xclass, (long)len);
	ERR_clear_error();
	if ((r & 0x80) != 0 || (r & V_ASN1_CONSTRUCTED) == 0 ||
	    tag != V_ASN1_SEQUENCE)
		return cw_memfind(in, len, "-----BEGIN ", 11) == NULL;
	return (size_t)(p - in) + (size_t)clen == len ||
	    cw_memfind(in, len, "-----BEGIN ", 11) == NULL;
}

static cw_rc
unwrap_input(const uint8_t *in, size_t len, uint8_t **der, size_t *der_len,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	BIO *bio = NULL;
	char *name = NULL, *header = NULL, *name2 = NULL, *hdr2 = NULL;
	unsigned char *data = NULL, *data2 = NULL;
	long dlen = 0, dlen2 = 0;

	CW_ENSURE(len > 0, CW_ERR_INPUT, "the input is empty");
	CW_ENSURE(len <= CW_MAX_CSR_BYTES, CW_ERR_INPUT,
	    "the input is %zu bytes; a CSR may be at most %d bytes", len,
	    CW_MAX_CSR_BYTES);
	if (looks_like_der(in, len)) {
		*der = malloc(len);
		CW_ENSURE_MEM(*der);
		memcpy(*der, in, len);
		*der_len = len;
		goto out;
	}
	CW_ENSURE(memchr(in, '\0', len) == NULL, CW_ERR_INPUT,
	    "the input is neither DER nor PEM text (it contains a NUL byte)");
	bio = BIO_new_mem_buf(in, (int)len);
	CW_ENSURE_MEM(bio);
	CW_ENSURE(PEM_read_bio(bio, &name, &header, &data, &dlen) == 1,
	    CW_ERR_INPUT, "the input is neither DER nor a PEM "
	    "'CERTIFICATE REQUEST' block");
	CW_ENSURE(strcmp(name, "CERTIFICATE REQUEST") == 0 ||
	    strcmp(name, "NEW CERTIFICATE REQUEST") == 0, CW_ERR_INPUT,
	    "the PEM block is a '%.64s', not a 'CERTIFICATE REQUEST'%s", name,
	    strcmp(name, "CERTIFICATE") == 0 ?
	    " (this is a certificate, not a signing request)" : "");
	CW_ENSURE(header == NULL || header[0] == '\0', CW_ERR_INPUT,
	    "the PEM block has headers; a CSR block has none");
	ERR_clear_error();
	CW_ENSURE(PEM_read_bio(bio, &name2, &hdr2, &data2, &dlen2) != 1,
	    CW_ERR_INPUT, "the input holds more than one PEM block; give one "
	    "CSR per file");
	ERR_clear_error();
	CW_ENSURE(dlen > 0, CW_ERR_INPUT, "the PEM block is empty");
	*der = malloc((size_t)dlen);
	CW_ENSURE_MEM(*der);
	memcpy(*der, data, (size_t)dlen);
	*der_len = (size_t)dlen;
out:
	ERR_clear_error();
	BIO_free(bio);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	OPENSSL_free(name2);
	OPENSSL_free(hdr2);
	OPENSSL_free(data2);
	return rc;
}

/* --- subject -------------------------------------------------------------- */

/* Display text of a subject value: other string types converted to UTF-8,
 * then anything unprintable escaped.  NULL on allocation failure. */
static char *
attr_display(const ASN1_STRING *v)
{
	unsigned char *utf = NULL;
	const uint8_t *src = ASN1_STRING_get0_data(v);
	int n = ASN1_STRING_length(v), t = ASN1_STRING_type(v);
	char *out;
	size_t cap;

	if (t == V_ASN1_BMPSTRING || t == V_ASN1_UNIVERSALSTRING ||
	    t == V_ASN1_T61STRING) {
		n = ASN1_STRING_to_UTF8(&utf, v);
		if (n < 0) {
			ERR_clear_error();
			n = ASN1_STRING_length(v);
		} else {
			src = utf;
		}
	}
	cap = (size_t)n * 4 + 8;
	out = malloc(cap);
	if (out != NULL)
		cw_escape_utf8(src, (size_t)n, out, cap);
	OPENSSL_free(utf);
	return out;
}

static cw_rc
parse_subject(const CW_REQINFO *info, cw_csr *csr, cw_err *err)
{
	cw_rc rc = CW_OK;
	int r, e, nr, ne;
	size_t total = 0;

	nr = OPENSSL_sk_num(info->subject);
	for (r = 0; r < nr; r++)
		total += (size_t)OPENSSL_sk_num(OPENSSL_sk_value(info->subject,
		    r));
	CW_ENSURE(total <= CW_MAX_SUBJECT_ATTRS, CW_ERR_INPUT,
	    "the subject has %zu attributes; at most %d are accepted", total,
	    CW_MAX_SUBJECT_ATTRS);
	csr->n_rdns = (size_t)nr;
	if (total == 0)
		goto out;
	csr->subject = calloc(total, sizeof(*csr->subject));
	CW_ENSURE_MEM(csr->subject);
	for (r = 0; r < nr; r++) {
		const OPENSSL_STACK *rdn = OPENSSL_sk_value(info->subject, r);

		ne = OPENSSL_sk_num(rdn);
		for (e = 0; e < ne; e++) {
			X509_NAME_ENTRY *ent = OPENSSL_sk_value(rdn, e);
			const ASN1_OBJECT *o = X509_NAME_ENTRY_get_object(ent);
			const ASN1_STRING *v = X509_NAME_ENTRY_get_data(ent);
			cw_subject_attr *a = &csr->subject[csr->n_subject];

			a->nid = OBJ_obj2nid(o);
			obj_text(o, a->oid, sizeof(a->oid));
			a->str_type = ASN1_STRING_type(v);
			a->rdn_index = r;
			a->val = dup_octets(v, &a->len);
			a->text = attr_display(v);
			csr->n_subject++;
			CW_ENSURE_MEM(a->val);
			CW_ENSURE_MEM(a->text);
		}
	}
out:
	return rc;
}

/* Display form: "CN=a, O=b" (RFC 4514 order reversed as OpenSSL's
 * oneline does not; we print in encoded order), values escaped. */
static cw_rc
subject_text(cw_csr *csr, cw_err *err)
{
	cw_rc rc = CW_OK;
	size_t i, cap = 1, off = 0;

	for (i = 0; i < csr->n_subject; i++)
		cap += strlen(csr->subject[i].text) + 96;
	csr->subject_text = malloc(cap);
	CW_ENSURE_MEM(csr->subject_text);
	csr->subject_text[0] = '\0';
	for (i = 0; i < csr->n_subject; i++) {
		const cw_subject_attr *a = &csr->subject[i];
		const char *sn = a->nid != NID_undef ? OBJ_nid2sn(a->nid) : a->oid;
		int n;

		n = snprintf(csr->subject_text + off, cap - off, "%s%s%s=%s",
		    i == 0 ? "" : ", ",
		    i > 0 && a->rdn_index == csr->subject[i - 1].rdn_index ?
		    "+" : "", sn, a->text);
		if (n < 0 || (size_t)n >= cap - off)
			break;
		off += (size_t)n;
	}
out:
	return rc;
}

/* --- requested extensions ------------------------------------------------ */

/*
 * Decodes an extension value with `it`, requiring the whole octet string to
 * be consumed and the value to be DER (it re-encodes to the same bytes).
 */
static void *
ext_decode(const CW_EXT *ext, const ASN1_ITEM *it)
{
	const ASN1_OCTET_STRING *os = ext->value;
	const unsigned char *p = ASN1_STRING_get0_data(os);
	long len = ASN1_STRING_length(os);
	unsigned char *re = NULL;
	void *v;
	int relen;

	v = ASN1_item_d2i(NULL, &p, len, it);
	if (v == NULL)
		return NULL;
	if (p != ASN1_STRING_get0_data(os) + len) {
		ASN1_item_free(v, it);
		return NULL;
	}
	relen = ASN1_item_i2d(v, &re, it);
	if (relen != len || memcmp(re, ASN1_STRING_get0_data(os),
	    (size_t)len) != 0) {
		ASN1_item_free(v, it);
		v = NULL;
	}
	OPENSSL_free(re);
	return v;
}

static cw_rc
parse_san(const CW_EXT *ext, cw_csr *csr, cw_err *err)
{
	cw_rc rc = CW_OK;
	GENERAL_NAMES *gens = NULL;
	int i, n;

	gens = ext_decode(ext, ASN1_ITEM_rptr(GENERAL_NAMES));
	if (gens == NULL) {
		cw_violations_add(&csr->findings, "extension.malformed",
		    "the subjectAltName extension does not decode as DER "
		    "GeneralNames (RFC 5280 4.2.1.6)");
		goto out;
	}
	n = sk_GENERAL_NAME_num(gens);
	if (n == 0) {
		/* RFC 5280 4.2.1.6: SEQUENCE SIZE (1..MAX) */
		cw_violations_add(&csr->findings, "extension.malformed",
		    "the subjectAltName extension holds no names (RFC 5280 "
		    "4.2.1.6 requires at least one)");
		goto out;
	}
	if (n > CW_MAX_SANS) {
		cw_violations_add(&csr->findings, "san.count",
		    "the CSR asks for %d names; certward accepts at most %d", n,
		    CW_MAX_SANS);
		goto out;
	}
	csr->sans = calloc((size_t)n, sizeof(*csr->sans));
	CW_ENSURE_MEM(csr->sans);
	for (i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		cw_san *s = &csr->sans[csr->n_sans];
		const ASN1_STRING *str = NULL;

		switch (g->type) {
		case GEN_DNS:
			s->type = CW_SAN_DNS;
			str = g->d.dNSName;
			break;
		case GEN_URI:
			s->type = CW_SAN_URI;
			str = g->d.uniformResourceIdentifier;
			break;
		case GEN_EMAIL:
			s->type = CW_SAN_EMAIL;
			str = g->d.rfc822Name;
			break;
		case GEN_IPADD:
			s->type = CW_SAN_IP;
			str = g->d.iPAddress;
			break;
		default:
			s->type = CW_SAN_OTHER;
			snprintf(s->other, sizeof(s->other), "%s",
			    g->type == GEN_OTHERNAME ? "otherName" :
			    g->type == GEN_X400 ? "x400Address" :
			    g->type == GEN_DIRNAME ? "directoryName" :
			    g->type == GEN_EDIPARTY ? "ediPartyName" :
			    g->type == GEN_RID ? "registeredID" : "unknown");
			break;
		}
		if (str != NULL) {
			if (ASN1_STRING_length(str) > CW_MAX_NAME_BYTES) {
				cw_violations_add(&csr->findings,
				    "extension.malformed", "a %s name of %d "
				    "bytes exceeds the limit of %d",
				    cw_san_type_name(s->type),
				    ASN1_STRING_length(str), CW_MAX_NAME_BYTES);
				continue;
			}
			s->val = dup_octets(str, &s->len);
			CW_ENSURE_MEM(s->val);
		}
		csr->n_sans++;
	}
out:
	GENERAL_NAMES_free(gens);
	return rc;
}

static void
parse_bc(const CW_EXT *ext, cw_csr *csr)
{
	BASIC_CONSTRAINTS *bc = ext_decode(ext,
	    ASN1_ITEM_rptr(BASIC_CONSTRAINTS));

	if (bc == NULL) {
		cw_violations_add(&csr->findings, "extension.malformed",
		    "the basicConstraints extension does not decode as DER");
		return;
	}
	csr->has_bc = true;
	csr->bc_ca = bc->ca != 0;
	csr->bc_pathlen = bc->pathlen != NULL;
	BASIC_CONSTRAINTS_free(bc);
}

static void
parse_ku(const CW_EXT *ext, cw_csr *csr)
{
	/* RFC 5280 4.2.1.3 bit order; CW_KU_* follow the same order */
	ASN1_BIT_STRING *ku = ext_decode(ext, ASN1_ITEM_rptr(ASN1_BIT_STRING));
	int bit, n;

	if (ku == NULL) {
		cw_violations_add(&csr->findings, "extension.malformed",
		    "the keyUsage extension does not decode as a DER BIT STRING");
		return;
	}
	/* X.690 11.2.2: a named bit list has no trailing 0 bits in DER;
	 * OpenSSL keeps the received unused-bits count, so check it here */
	n = ASN1_STRING_length(ku);
	if (n > 0) {
		uint8_t last = ASN1_STRING_get0_data(ku)[n - 1];
		int unused = (int)(ku->flags & 0x07), tz = 0;

		while (tz < 8 && (last & (1u << tz)) == 0)
			tz++;
		if (last == 0 || tz != unused) {
			cw_violations_add(&csr->findings, "extension.malformed",
			    "the keyUsage BIT STRING is not DER (trailing zero "
			    "bits, X.690 11.2.2)");
			ASN1_BIT_STRING_free(ku);
			return;
		}
	}
	csr->has_ku = true;
	for (bit = 0; bit < ASN1_STRING_length(ku) * 8; bit++) {
		if (!ASN1_BIT_STRING_get_bit(ku, bit))
			continue;
		if (bit > 8)
			csr->ku |= 1u << 31; /* undefined bit: never allowed */
		else
			csr->ku |= 1u << bit;
	}
	ASN1_BIT_STRING_free(ku);
}

static cw_rc
parse_eku(const CW_EXT *ext, cw_csr *csr, cw_err *err)
{
	cw_rc rc = CW_OK;
	EXTENDED_KEY_USAGE *eku = ext_decode(ext,
	    ASN1_ITEM_rptr(EXTENDED_KEY_USAGE));
	int i, n;

	if (eku == NULL) {
		cw_violations_add(&csr->findings, "extension.malformed",
		    "the extKeyUsage extension does not decode as DER");
		goto out;
	}
	n = sk_ASN1_OBJECT_num(eku);
	if (n == 0 || n > CW_MAX_EXTENSIONS) {
		cw_violations_add(&csr->findings, "extension.malformed",
		    "the extKeyUsage extension holds %d purposes", n);
		goto out;
	}
	csr->has_eku = true;
	csr->eku = calloc((size_t)n, sizeof(*csr->eku));
	csr->eku_oid = calloc((size_t)n, sizeof(*csr->eku_oid));
	CW_ENSURE_MEM(csr->eku);
	CW_ENSURE_MEM(csr->eku_oid);
	for (i = 0; i < n; i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);

		csr->eku[i] = OBJ_obj2nid(o);
		obj_text(o, csr->eku_oid[i], sizeof(csr->eku_oid[i]));
	}
	csr->n_eku = (size_t)n;
out:
	EXTENDED_KEY_USAGE_free(eku);
	return rc;
}

static cw_rc
parse_extensions(const ASN1_TYPE *val, cw_csr *csr, cw_err *err)
{
	cw_rc rc = CW_OK;
	OPENSSL_STACK *exts = NULL;
	const unsigned char *p;
	unsigned char *re = NULL;
	long len;
	int i, j, n, relen;
	char oid[80];

	/* one extensionRequest per CSR (parse_attributes ensures it); a
	 * second call would overrun csr->exts */
	CW_ENSURE(csr->exts == NULL && csr->n_exts == 0, CW_ERR_INTERNAL,
	    "extensions parsed twice");
	if (val->type != V_ASN1_SEQUENCE) {
		cw_violations_add(&csr->findings, "extension.malformed",
		    "the extensionRequest attribute does not hold a SEQUENCE "
		    "of extensions (RFC 2985 5.4.2)");
		goto out;
	}
	p = ASN1_STRING_get0_data(val->value.sequence);
	len = ASN1_STRING_length(val->value.sequence);
	exts = (OPENSSL_STACK *)ASN1_item_d2i(NULL, &p, len,
	    ASN1_ITEM_rptr(CW_EXTS));
	CW_ENSURE(exts != NULL && p == ASN1_STRING_get0_data(
	    val->value.sequence) + len, CW_ERR_INPUT,
	    "the extensionRequest attribute does not decode as Extensions");
	/* DESIGN 6.1: the request must be DER throughout */
	relen = ASN1_item_i2d((ASN1_VALUE *)exts, &re,
	    ASN1_ITEM_rptr(CW_EXTS));
	CW_ENSURE(relen == len && memcmp(re, ASN1_STRING_get0_data(
	    val->value.sequence), (size_t)len) == 0, CW_ERR_INPUT,
	    "the extensionRequest attribute is not DER encoded");
	n = OPENSSL_sk_num(exts);
	CW_ENSURE(n <= CW_MAX_EXTENSIONS, CW_ERR_INPUT,
	    "the CSR requests %d extensions; at most %d are accepted", n,
	    CW_MAX_EXTENSIONS);
	if (n == 0)
		goto out;
	csr->exts = calloc((size_t)n, sizeof(*csr->exts));
	CW_ENSURE_MEM(csr->exts);
	for (i = 0; i < n; i++) {
		const CW_EXT *ext = OPENSSL_sk_value(exts, i);
		const ASN1_OBJECT *o = ext->object;
		int nid = OBJ_obj2nid(o);
		cw_req_ext *re1 = &csr->exts[csr->n_exts++];
		bool dup = false;

		obj_text(o, oid, sizeof(oid));
		re1->nid = nid;
		/* X.690 11.1 and 11.5: TRUE is 0xff and a DEFAULT value
		 * (critical FALSE) is never encoded */
		CW_ENSURE(ext->critical == -1 || ext->critical == 0xff,
		    CW_ERR_INPUT, "the request is not DER encoded: extension %s "
		    "has %s", oid, ext->critical == 0 ? "an explicit critical "
		    "FALSE, which DER omits" : "a BOOLEAN that is not 0xff");
		re1->critical = ext->critical == 0xff;
		memcpy(re1->oid, oid, sizeof(re1->oid));
		for (j = 0; j < i; j++)
			if (OBJ_cmp(o, ((const CW_EXT *)OPENSSL_sk_value(exts,
			    j))->object) == 0)
				dup = true;
		if (dup) {
			/* RFC 5280 4.2: a certificate MUST NOT include more
			 * than one instance of an extension; parsers disagree
			 * on which copy wins, so we refuse the request */
			cw_violations_add(&csr->findings, "extension.duplicate",
			    "extension %s (%s) is requested more than once",
			    nid != NID_undef ? OBJ_nid2ln(nid) : "unknown", oid);
			continue;
		}
		switch (nid) {
		case NID_subject_alt_name:
			csr->has_san = true;
			CW_TRY(parse_san(ext, csr, err));
			break;
		case NID_basic_constraints:
			parse_bc(ext, csr);
			break;
		case NID_key_usage:
			parse_ku(ext, csr);
			break;
		case NID_ext_key_usage:
			CW_TRY(parse_eku(ext, csr, err));
			break;
		default:
			if (re1->critical)
				cw_violations_add(&csr->findings,
				    "extension.critical", "the CSR requests "
				    "the critical extension %s (%s), which "
				    "certward does not issue; unknown critical "
				    "extensions are refused (RFC 5280 4.2)",
				    nid != NID_undef ? OBJ_nid2ln(nid) :
				    "unknown", oid);
			/* non-critical: ignored, never copied */
			break;
		}
	}
out:
	OPENSSL_free(re);
	ASN1_item_free((ASN1_VALUE *)exts, ASN1_ITEM_rptr(CW_EXTS));
	return rc;
}

static cw_rc
parse_attributes(const CW_REQINFO *info, cw_csr *csr, cw_err *err)
{
	cw_rc rc = CW_OK;
	int i, n, n_extreq = 0;
	char oid[80];

	n = sk_X509_ATTRIBUTE_num(info->attributes);
	CW_ENSURE(n <= CW_MAX_ATTRIBUTES, CW_ERR_INPUT,
	    "the CSR has %d attributes; at most %d are accepted", n,
	    CW_MAX_ATTRIBUTES);
	for (i = 0; i < n; i++) {
		X509_ATTRIBUTE *a = sk_X509_ATTRIBUTE_value(info->attributes,
		    i);
		ASN1_OBJECT *o = X509_ATTRIBUTE_get0_object(a);
		int nid = OBJ_obj2nid(o);

		obj_text(o, oid, sizeof(oid));
		switch (nid) {
		case NID_ext_req:
			if (++n_extreq > 1) {
				cw_violations_add(&csr->findings,
				    "extension.duplicate", "the CSR carries "
				    "more than one extensionRequest attribute");
				continue;
			}
			if (X509_ATTRIBUTE_count(a) != 1) {
				/* RFC 2985 5.4.2: SINGLE VALUE TRUE */
				cw_violations_add(&csr->findings,
				    "extension.duplicate", "the "
				    "extensionRequest attribute holds %d "
				    "values; it must hold exactly one",
				    X509_ATTRIBUTE_count(a));
				continue;
			}
			CW_TRY(parse_extensions(X509_ATTRIBUTE_get0_type(a, 0),
			    csr, err));
			break;
		case NID_pkcs9_challengePassword:
		case NID_pkcs9_unstructuredName:
			/* known, harmless here, never copied or logged */
			break;
		default:
			cw_violations_add(&csr->findings, "extension.attribute",
			    "the CSR carries the attribute %s (%s); only "
			    "extensionRequest carries extensions and other "
			    "attributes are refused",
			    nid != NID_undef ? OBJ_nid2ln(nid) : "unknown", oid);
			break;
		}
	}
out:
	return rc;
}

/* --- signature ------------------------------------------------------------ */

static bool
sig_fits_key(int sig_nid, int pk_nid, cw_key_type kt)
{
	if (sig_nid == NID_rsassaPss)
		return kt == CW_KEYT_RSA || kt == CW_KEYT_RSA_PSS;
	switch (pk_nid) {
	case NID_rsaEncryption: return kt == CW_KEYT_RSA;
	case NID_X9_62_id_ecPublicKey: return kt == CW_KEYT_EC;
	case NID_ED25519: return kt == CW_KEYT_ED25519;
	case NID_ED448: return kt == CW_KEYT_ED448;
	default: return false;
	}
}

static void
verify_pop(const CW_REQ *req, const uint8_t *tbs, size_t tbs_len,
    cw_csr *csr)
{
	const ASN1_OBJECT *aobj;
	const void *pval;
	int ptype, pk_nid = NID_undef;
	EVP_MD_CTX *mctx = NULL;
	const char *mdname = NULL;
	int ok;

	X509_ALGOR_get0(&aobj, &ptype, &pval, req->sig_alg);
	csr->sig_nid = OBJ_obj2nid(aobj);
	csr->sig_md_nid = NID_undef;
	obj_text(aobj, csr->sig_oid, sizeof(csr->sig_oid));
	if (csr->sig_nid == NID_rsassaPss) {
		RSA_PSS_PARAMS *pss = NULL;

		if (ptype == V_ASN1_SEQUENCE) {
			const ASN1_STRING *s = pval;
			const unsigned char *p = ASN1_STRING_get0_data(s);

			pss = d2i_RSA_PSS_PARAMS(NULL, &p,
			    ASN1_STRING_length(s));
		}
		if (pss != NULL)
			/* RFC 4055 3.1: absent hashAlgorithm means SHA-1 */
			csr->sig_md_nid = pss->hashAlgorithm == NULL ?
			    NID_sha1 : OBJ_obj2nid(pss->hashAlgorithm->algorithm);
		RSA_PSS_PARAMS_free(pss);
	} else if (!OBJ_find_sigid_algs(csr->sig_nid, &csr->sig_md_nid,
	    &pk_nid)) {
		snprintf(csr->pop_msg, sizeof(csr->pop_msg),
		    "unknown signature algorithm %s", csr->sig_oid);
		goto out;
	}
	if (csr->key.pkey == NULL) {
		snprintf(csr->pop_msg, sizeof(csr->pop_msg),
		    "the signature cannot be checked: %s", csr->key.problem_msg);
		goto out;
	}
	/* the algorithm must belong to the key: EVP would otherwise verify
	 * an ECDSA signature labelled sha256WithRSAEncryption or Ed25519,
	 * and a relabelled signature would dodge the signature.hash rule */
	if (!sig_fits_key(csr->sig_nid, pk_nid, csr->key.type)) {
		snprintf(csr->pop_msg, sizeof(csr->pop_msg),
		    "the signature algorithm %s does not belong to the CSR's "
		    "%s key", csr->sig_oid, cw_key_type_name(csr->key.type));
		goto out;
	}
	if ((req->sig->flags & 0x07) != 0) {
		snprintf(csr->pop_msg, sizeof(csr->pop_msg),
		    "the signature BIT STRING has unused bits");
		goto out;
	}
	if (csr->sig_nid == NID_rsassaPss) {
		ok = ASN1_item_verify_ex(ASN1_ITEM_rptr(CW_REQINFO),
		    req->sig_alg, req->sig, req->info, NULL, csr->key.pkey,
		    NULL, NULL);
	} else {
		if (csr->sig_md_nid != NID_undef)
			mdname = OBJ_nid2sn(csr->sig_md_nid);
		mctx = EVP_MD_CTX_new();
		ok = mctx != NULL && EVP_DigestVerifyInit_ex(mctx, NULL, mdname,
		    NULL, NULL, csr->key.pkey, NULL) == 1 &&
		    EVP_DigestVerify(mctx, ASN1_STRING_get0_data(req->sig),
		    (size_t)ASN1_STRING_length(req->sig), tbs, tbs_len) == 1;
	}
	if (ok == 1)
		csr->pop_ok = true;
	else
		snprintf(csr->pop_msg, sizeof(csr->pop_msg),
		    "the CSR's self-signature (%s) does not verify with its "
		    "public key: no proof of possession of the private key",
		    OBJ_nid2ln(csr->sig_nid) != NULL && csr->sig_nid !=
		    NID_undef ? OBJ_nid2ln(csr->sig_nid) : csr->sig_oid);
out:
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
}

/*
 * Points csr->spki at the SubjectPublicKeyInfo inside the received bytes:
 * the third element of the CertificationRequestInfo content [info, end)
 * (RFC 2986 4.1: version, subject, subjectPKInfo).  The request re-encoded
 * to the same bytes, so the slice is the DER of the key that was decoded.
 */
static cw_rc
spki_slice(const unsigned char *info, const unsigned char *end, cw_csr *csr,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	const unsigned char *p = info, *start = info;
	long len = 0;
	int i, tag = -1, xclass = -1, r = 0;

	for (i = 0; i < 3; i++) {
		start = p;
		r = ASN1_get_object(&p, &len, &tag, &xclass, (long)(end - p));
		CW_ENSURE((r & 0x80) == 0, CW_ERR_INPUT, "element %d of the "
		    "request info does not decode (RFC 2986 4.1)", i + 1);
		if (i < 2)
			p += len;
	}
	CW_ENSURE(tag == V_ASN1_SEQUENCE && xclass == V_ASN1_UNIVERSAL &&
	    (r & V_ASN1_CONSTRUCTED) != 0, CW_ERR_INPUT, "the request's "
	    "subjectPKInfo is not a SEQUENCE (RFC 2986 4.1)");
	csr->spki = start;
	csr->spki_len = (size_t)(p - start) + (size_t)len;
out:
	return rc;
}

/* --- entry point ---------------------------------------------------------- */

cw_rc
cw_csr_parse(const uint8_t *in, size_t len, cw_csr **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_csr *csr = NULL;
	CW_REQ *req = NULL;
	const unsigned char *p;
	unsigned char *re = NULL;
	int relen, tag, xclass;
	long hlen;
	const unsigned char *tbs;

	csr = calloc(1, sizeof(*csr));
	CW_ENSURE_MEM(csr);
	cw_violations_init(&csr->findings);
	CW_TRY(unwrap_input(in, len, &csr->der, &csr->der_len, err));

	p = csr->der;
	req = (CW_REQ *)ASN1_item_d2i(NULL, &p, (long)csr->der_len,
	    ASN1_ITEM_rptr(CW_REQ));
	CW_ENSURE(req != NULL, CW_ERR_INPUT,
	    "the input is not a PKCS#10 certificate signing request "
	    "(RFC 2986 4.2)");
	CW_ENSURE(p == csr->der + csr->der_len, CW_ERR_INPUT,
	    "%zu bytes follow the end of the request",
	    (size_t)(csr->der + csr->der_len - p));
	/* DESIGN 6.1: re-encoding what was parsed must give the same bytes
	 * (catches BER lengths, unsorted SETs, non-minimal integers) */
	relen = I2D(CW_REQ, req, &re);
	CW_ENSURE(relen > 0 && (size_t)relen == csr->der_len &&
	    memcmp(re, csr->der, csr->der_len) == 0, CW_ERR_INPUT,
	    "the request is not DER encoded (re-encoding it gives different "
	    "bytes); it must be strict DER (X.690 10)");
	/* RFC 2986 4.1: version is 0 for this version of the standard */
	CW_ENSURE(ASN1_STRING_type(req->info->version) == V_ASN1_INTEGER &&
	    ASN1_INTEGER_get(req->info->version) == 0, CW_ERR_INPUT,
	    "the request version is not 0 (v1), the only version defined by "
	    "RFC 2986 4.1");

	/* the CertificationRequestInfo bytes, for the signature */
	p = csr->der;
	CW_ENSURE((ASN1_get_object(&p, &hlen, &tag, &xclass,
	    (long)csr->der_len) & 0x80) == 0, CW_ERR_INPUT,
	    "the request header does not decode");
	tbs = p;
	CW_ENSURE((ASN1_get_object(&p, &hlen, &tag, &xclass,
	    (long)(csr->der + csr->der_len - p)) & 0x80) == 0, CW_ERR_INPUT,
	    "the request info header does not decode");

	CW_TRY(spki_slice(p, p + hlen, csr, err));
	CW_TRY(cw_key_info_from_spki(csr->spki, csr->spki_len, &csr->key,
	    err));
	CW_TRY(parse_subject(req->info, csr, err));
	CW_TRY(subject_text(csr, err));
	CW_TRY(parse_attributes(req->info, csr, err));
	verify_pop(req, tbs, (size_t)(p - tbs) + (size_t)hlen, csr);

	*out = csr;
	csr = NULL;
out:
	ERR_clear_error();
	OPENSSL_free(re);
	ASN1_item_free((ASN1_VALUE *)req, ASN1_ITEM_rptr(CW_REQ));
	cw_csr_free(csr);
	return rc;
}
