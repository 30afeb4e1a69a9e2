/*
 * ocsp_resp.c - see ocsp_resp.h.
 *
 * Requests and responses are decoded and encoded with our own ASN.1
 * templates, written from the RFC 6960 module (4.1.1, 4.2.1), rather than
 * with OCSP_REQUEST and OCSP_BASICRESP: those hide the version field that
 * DER must leave out, the CertID's algorithm parameters that we echo, and
 * OCSP_basic_sign takes producedAt from the clock.  The request is copied
 * into a plain struct and nothing of the decoded tree is kept; the
 * response's CertIDs are rebuilt from that copy, byte for byte as received.
 *
 * OpenSSL's own OCSP code is the independent check: the unit tests build
 * requests with OCSP_request_new and read our responses with
 * OCSP_basic_verify and OCSP_resp_find_status.
 */
#include "ocsp_resp.h"

#include <string.h>
#include <time.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "../common/limits.h"
#include "../common/util.h"

#define OR_TIME_MIN INT64_C(-631152000)   /* 1950-01-01T00:00:00Z */
#define OR_TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

/* --- ASN.1 (RFC 6960 4.1.1 and 4.2.1; the module has EXPLICIT TAGS) ------ */

/* Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE,
 * extnValue OCTET STRING } (RFC 5280 4.1), with the BOOLEAN as received:
 * X509_EXTENSION reads an explicit FALSE and writes it back, so DER's
 * rule against encoding the DEFAULT needs a look at the octet itself. */
typedef struct {
	ASN1_OBJECT *object;
	ASN1_BOOLEAN critical; /* -1 absent, else the content octet */
	ASN1_OCTET_STRING *value;
} OR_EXT;

ASN1_SEQUENCE(OR_EXT) = {
	ASN1_SIMPLE(OR_EXT, object, ASN1_OBJECT),
	ASN1_OPT(OR_EXT, critical, ASN1_BOOLEAN),
	ASN1_SIMPLE(OR_EXT, value, ASN1_OCTET_STRING),
} static_ASN1_SEQUENCE_END(OR_EXT)

DEFINE_STACK_OF(OR_EXT)

/* CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash,
 * serialNumber } */
typedef struct {
	X509_ALGOR *alg;
	ASN1_OCTET_STRING *name_hash;
	ASN1_OCTET_STRING *key_hash;
	ASN1_INTEGER *serial;
} OR_CERTID;

ASN1_SEQUENCE(OR_CERTID) = {
	ASN1_SIMPLE(OR_CERTID, alg, X509_ALGOR),
	ASN1_SIMPLE(OR_CERTID, name_hash, ASN1_OCTET_STRING),
	ASN1_SIMPLE(OR_CERTID, key_hash, ASN1_OCTET_STRING),
	ASN1_SIMPLE(OR_CERTID, serial, ASN1_INTEGER),
} static_ASN1_SEQUENCE_END(OR_CERTID)

/* Request ::= SEQUENCE { reqCert CertID,
 *     singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL } */
typedef struct {
	OR_CERTID *id;
	STACK_OF(OR_EXT) *exts;
} OR_ONEREQ;

ASN1_SEQUENCE(OR_ONEREQ) = {
	ASN1_SIMPLE(OR_ONEREQ, id, OR_CERTID),
	ASN1_EXP_SEQUENCE_OF_OPT(OR_ONEREQ, exts, OR_EXT, 0),
} static_ASN1_SEQUENCE_END(OR_ONEREQ)

DEFINE_STACK_OF(OR_ONEREQ)

/* TBSRequest ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1,
 *     requestorName [1] EXPLICIT GeneralName OPTIONAL,
 *     requestList SEQUENCE OF Request,
 *     requestExtensions [2] EXPLICIT Extensions OPTIONAL } */
typedef struct {
	ASN1_INTEGER *version;
	GENERAL_NAME *requestor;
	STACK_OF(OR_ONEREQ) *list;
	STACK_OF(OR_EXT) *exts;
} OR_TBSREQ;

ASN1_SEQUENCE(OR_TBSREQ) = {
	ASN1_EXP_OPT(OR_TBSREQ, version, ASN1_INTEGER, 0),
	ASN1_EXP_OPT(OR_TBSREQ, requestor, GENERAL_NAME, 1),
	ASN1_SEQUENCE_OF(OR_TBSREQ, list, OR_ONEREQ),
	ASN1_EXP_SEQUENCE_OF_OPT(OR_TBSREQ, exts, OR_EXT, 2),
} static_ASN1_SEQUENCE_END(OR_TBSREQ)

/* Signature ::= SEQUENCE { signatureAlgorithm, signature BIT STRING,
 *     certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
 * The signature is ignored, so its certificates are kept as undecoded
 * values: nobody pays for decoding keys we never use. */
typedef struct {
	X509_ALGOR *alg;
	ASN1_BIT_STRING *sig;
	STACK_OF(ASN1_TYPE) *certs;
} OR_REQSIG;

ASN1_SEQUENCE(OR_REQSIG) = {
	ASN1_SIMPLE(OR_REQSIG, alg, X509_ALGOR),
	ASN1_SIMPLE(OR_REQSIG, sig, ASN1_BIT_STRING),
	ASN1_EXP_SEQUENCE_OF_OPT(OR_REQSIG, certs, ASN1_ANY, 0),
} static_ASN1_SEQUENCE_END(OR_REQSIG)

/* OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest,
 *     optionalSignature [0] EXPLICIT Signature OPTIONAL } */
typedef struct {
	OR_TBSREQ *tbs;
	OR_REQSIG *sig;
} OR_REQUEST;

ASN1_SEQUENCE(OR_REQUEST) = {
	ASN1_SIMPLE(OR_REQUEST, tbs, OR_TBSREQ),
	ASN1_EXP_OPT(OR_REQUEST, sig, OR_REQSIG, 0),
} static_ASN1_SEQUENCE_END(OR_REQUEST)

/* AcceptableResponses ::= SEQUENCE OF OBJECT IDENTIFIER (4.4.3) */
ASN1_ITEM_TEMPLATE(OR_OIDS) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, OR_OIDS, ASN1_OBJECT)
static_ASN1_ITEM_TEMPLATE_END(OR_OIDS)

/* RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime,
 *     revocationReason [0] EXPLICIT CRLReason OPTIONAL } */
typedef struct {
	ASN1_GENERALIZEDTIME *time;
	ASN1_ENUMERATED *reason;
} OR_REVINFO;

ASN1_SEQUENCE(OR_REVINFO) = {
	ASN1_SIMPLE(OR_REVINFO, time, ASN1_GENERALIZEDTIME),
	ASN1_EXP_OPT(OR_REVINFO, reason, ASN1_ENUMERATED, 0),
} static_ASN1_SEQUENCE_END(OR_REVINFO)

/* CertStatus ::= CHOICE { good [0] IMPLICIT NULL,
 *     revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT UnknownInfo } */
typedef struct {
	int type;
	union {
		ASN1_NULL *good;
		OR_REVINFO *revoked;
		ASN1_NULL *unknown;
	} value;
} OR_CERTSTATUS;

ASN1_CHOICE(OR_CERTSTATUS) = {
	ASN1_IMP(OR_CERTSTATUS, value.good, ASN1_NULL, 0),
	ASN1_IMP(OR_CERTSTATUS, value.revoked, OR_REVINFO, 1),
	ASN1_IMP(OR_CERTSTATUS, value.unknown, ASN1_NULL, 2),
} static_ASN1_CHOICE_END(OR_CERTSTATUS)

/* SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate,
 *     nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL,
 *     singleExtensions [1] EXPLICIT Extensions OPTIONAL } */
typedef struct {
	OR_CERTID *id;
	OR_CERTSTATUS *status;
	ASN1_GENERALIZEDTIME *this_update;
	ASN1_GENERALIZEDTIME *next_update;
	STACK_OF(X509_EXTENSION) *exts;
} OR_SINGLERESP;

ASN1_SEQUENCE(OR_SINGLERESP) = {
	ASN1_SIMPLE(OR_SINGLERESP, id, OR_CERTID),
	ASN1_SIMPLE(OR_SINGLERESP, status, OR_CERTSTATUS),
	ASN1_SIMPLE(OR_SINGLERESP, this_update, ASN1_GENERALIZEDTIME),
	ASN1_EXP_OPT(OR_SINGLERESP, next_update, ASN1_GENERALIZEDTIME, 0),
	ASN1_EXP_SEQUENCE_OF_OPT(OR_SINGLERESP, exts, X509_EXTENSION, 1),
} static_ASN1_SEQUENCE_END(OR_SINGLERESP)

DEFINE_STACK_OF(OR_SINGLERESP)

/* ResponseData ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1,
 *     responderID ResponderID, producedAt GeneralizedTime,
 *     responses SEQUENCE OF SingleResponse,
 *     responseExtensions [1] EXPLICIT Extensions OPTIONAL }
 * ResponderID is a CHOICE of byName [1] and byKey [2]; we only write
 * byKey, so the field is the [2] alternative itself (same encoding). */
typedef struct {
	ASN1_INTEGER *version;
	ASN1_OCTET_STRING *by_key;
	ASN1_GENERALIZEDTIME *produced_at;
	STACK_OF(OR_SINGLERESP) *responses;
	STACK_OF(X509_EXTENSION) *exts;
} OR_RESPDATA;

ASN1_SEQUENCE(OR_RESPDATA) = {
	ASN1_EXP_OPT(OR_RESPDATA, version, ASN1_INTEGER, 0),
	ASN1_EXP(OR_RESPDATA, by_key, ASN1_OCTET_STRING, 2),
	ASN1_SIMPLE(OR_RESPDATA, produced_at, ASN1_GENERALIZEDTIME),
	ASN1_SEQUENCE_OF(OR_RESPDATA, responses, OR_SINGLERESP),
	ASN1_EXP_SEQUENCE_OF_OPT(OR_RESPDATA, exts, X509_EXTENSION, 1),
} static_ASN1_SEQUENCE_END(OR_RESPDATA)

/* BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm,
 *     signature BIT STRING,
 *     certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL } */
typedef struct {
	OR_RESPDATA *tbs;
	X509_ALGOR *alg;
	ASN1_BIT_STRING *sig;
	STACK_OF(X509) *certs;
} OR_BASICRESP;

ASN1_SEQUENCE(OR_BASICRESP) = {
	ASN1_SIMPLE(OR_BASICRESP, tbs, OR_RESPDATA),
	ASN1_SIMPLE(OR_BASICRESP, alg, X509_ALGOR),
	ASN1_SIMPLE(OR_BASICRESP, sig, ASN1_BIT_STRING),
	ASN1_EXP_SEQUENCE_OF_OPT(OR_BASICRESP, certs, X509, 0),
} static_ASN1_SEQUENCE_END(OR_BASICRESP)

/* ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER,
 *     response OCTET STRING } */
typedef struct {
	ASN1_OBJECT *type;
	ASN1_OCTET_STRING *resp;
} OR_RESPBYTES;

ASN1_SEQUENCE(OR_RESPBYTES) = {
	ASN1_SIMPLE(OR_RESPBYTES, type, ASN1_OBJECT),
	ASN1_SIMPLE(OR_RESPBYTES, resp, ASN1_OCTET_STRING),
} static_ASN1_SEQUENCE_END(OR_RESPBYTES)

/* OCSPResponse ::= SEQUENCE { responseStatus OCSPResponseStatus,
 *     responseBytes [0] EXPLICIT ResponseBytes OPTIONAL } */
typedef struct {
	ASN1_ENUMERATED *status;
	OR_RESPBYTES *bytes;
} OR_RESPONSE;

ASN1_SEQUENCE(OR_RESPONSE) = {
	ASN1_SIMPLE(OR_RESPONSE, status, ASN1_ENUMERATED),
	ASN1_EXP_OPT(OR_RESPONSE, bytes, OR_RESPBYTES, 0),
} static_ASN1_SEQUENCE_END(OR_RESPONSE)

#define OR_NEW(type) ((type *)ASN1_item_new(ASN1_ITEM_rptr(type)))
#define OR_FREE(type, v) ASN1_item_free((ASN1_VALUE *)(v), ASN1_ITEM_rptr(type))

/* --- small helpers -------------------------------------------------------- */

static const struct {
	cw_ocsp_hash hash;
	int nid;
	size_t len;
	const char *name;
	const EVP_MD *(*md)(void);
} hashes[] = {
	{CW_OCSP_SHA1, NID_sha1, 20, "SHA-1", EVP_sha1},
	{CW_OCSP_SHA256, NID_sha256, 32, "SHA-256", EVP_sha256},
	{CW_OCSP_SHA384, NID_sha384, 48, "SHA-384", EVP_sha384},
	{CW_OCSP_SHA512, NID_sha512, 64, "SHA-512", EVP_sha512},
};

static size_t
hash_index(cw_ocsp_hash h)
{
	size_t i;

	for (i = 0; i < CW_ARRAY_LEN(hashes); i++)
		if (hashes[i].hash == h)
			break;
	return i;
}

/* Dotted OID (or "(unprintable)") for messages. */
static const char *
oid_text(const ASN1_OBJECT *o, char *buf, size_t len)
{
	if (OBJ_obj2txt(buf, (int)len, o, 1) <= 0) {
		ERR_clear_error();
		snprintf(buf, len, "(unprintable)");
	}
	return buf;
}

/*
 * Decodes the content of an OCTET STRING as one `it`, every byte used and
 * DER (re-encodes to the same bytes).  NULL otherwise.
 */
static void *
decode_exact(const ASN1_OCTET_STRING *os, const ASN1_ITEM *it)
{
	const unsigned char *d = ASN1_STRING_get0_data(os);
	const unsigned char *p = d;
	long len = ASN1_STRING_length(os);
	unsigned char *re = NULL;
	ASN1_VALUE *v;
	int relen;

	v = ASN1_item_d2i(NULL, &p, len, it);
	if (v == NULL || p != d + len) {
		ASN1_item_free(v, it);
		ERR_clear_error();
		return NULL;
	}
	relen = ASN1_item_i2d(v, &re, it);
	if (relen != len || memcmp(re, d, (size_t)len) != 0) {
		ASN1_item_free(v, it);
		v = NULL;
	}
	OPENSSL_free(re);
	ERR_clear_error();
	return v;
}

/* Sets t to Unix time `when` as GeneralizedTime (RFC 6960 4.2.1). */
static cw_rc
set_gtime(ASN1_GENERALIZEDTIME *t, int64_t when, const char *what,
    cw_err *err)
{
	cw_rc rc = CW_OK;

	CW_ENSURE(when >= OR_TIME_MIN && when <= OR_TIME_MAX, CW_ERR_INPUT,
	    "%s %lld is outside 1950-01-01..9999-12-31", what,
	    (long long)when);
	CW_ENSURE_OSSL(ASN1_GENERALIZEDTIME_set(t, (time_t)when) != NULL,
	    "cannot encode %s", what);
out:
	return rc;
}

/*
 * The INTEGER whose DER content octets are in[] (1..CW_OCSP_SERIAL_MAX,
 * minimal, as cw_ocsp_request_parse stored them), through the library's
 * decoder so that sign handling is OpenSSL's.
 */
static cw_rc
int_from_content(const uint8_t *in, size_t len, ASN1_INTEGER **out,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t der[2 + CW_OCSP_SERIAL_MAX];
	const unsigned char *p = der;
	ASN1_INTEGER *v = NULL;

	CW_ENSURE(len > 0 && len <= CW_OCSP_SERIAL_MAX, CW_ERR_INTERNAL,
	    "serial of %zu octets", len);
	der[0] = V_ASN1_INTEGER;
	der[1] = (uint8_t)len; /* short form: len < 128 */
	memcpy(der + 2, in, len);
	v = d2i_ASN1_INTEGER(NULL, &p, (long)(len + 2));
	CW_ENSURE_OSSL(v != NULL && p == der + 2 + len,
	    "cannot encode the serial number");
	*out = v;
	v = NULL;
out:
	ASN1_INTEGER_free(v);
	return rc;
}

/* --- request -------------------------------------------------------------- */

/* Nonce (RFC 9654 2.1): extnValue holds the DER of an OCTET STRING. */
static cw_rc
parse_nonce(const OR_EXT *ext, cw_ocsp_req *req, cw_err *err)
{
	cw_rc rc = CW_OK;
	ASN1_OCTET_STRING *n = NULL;
	int len;

	n = decode_exact(ext->value, ASN1_ITEM_rptr(ASN1_OCTET_STRING));
	CW_ENSURE(n != NULL, CW_ERR_INPUT, "the nonce extension does not "
	    "hold a DER OCTET STRING (RFC 9654 2.1)");
	len = ASN1_STRING_length(n);
	/* RFC 9654 2.1: a nonce of 0 or more than 128 octets MUST be
	 * rejected with malformedRequest */
	CW_ENSURE(len >= 1 && len <= CW_OCSP_NONCE_MAX, CW_ERR_INPUT,
	    "the nonce has %d octets; 1 to %d are allowed (RFC 9654 2.1)",
	    len, CW_OCSP_NONCE_MAX);
	memcpy(req->nonce, ASN1_STRING_get0_data(n), (size_t)len);
	req->nonce_len = (size_t)len;
	req->has_nonce = true;
out:
	ASN1_OCTET_STRING_free(n);
	return rc;
}

/* Acceptable response types (4.4.3): we only produce id-pkix-ocsp-basic. */
static cw_rc
parse_acceptable(const OR_EXT *ext, cw_err *err)
{
	cw_rc rc = CW_OK;
	STACK_OF(ASN1_OBJECT) *oids = NULL;
	bool basic = false;
	int i;

	oids = decode_exact(ext->value, ASN1_ITEM_rptr(OR_OIDS));
	CW_ENSURE(oids != NULL, CW_ERR_INPUT, "the acceptable-responses "
	    "extension is not a DER SEQUENCE OF OBJECT IDENTIFIER "
	    "(RFC 6960 4.4.3)");
	for (i = 0; i < sk_ASN1_OBJECT_num(oids); i++)
		if (OBJ_obj2nid(sk_ASN1_OBJECT_value(oids, i)) ==
		    NID_id_pkix_OCSP_basic)
			basic = true;
	CW_ENSURE(basic, CW_ERR_INPUT, "the client accepts no response type "
	    "we produce: id-pkix-ocsp-basic is not among its acceptable "
	    "responses (RFC 6960 4.4.3)");
out:
	OR_FREE(OR_OIDS, oids);
	return rc;
}

/*
 * requestExtensions (top) or singleRequestExtensions of request `idx`:
 * the nonce and acceptable-responses are understood at the top; any other
 * extension is ignored unless critical.
 */
static cw_rc
parse_exts(const STACK_OF(OR_EXT) *exts, bool top, size_t idx,
    cw_ocsp_req *req, cw_err *err)
{
	cw_rc rc = CW_OK;
	char where[48], oid[80];
	int i, j, n, nid;

	if (exts == NULL)
		goto out;
	if (top)
		snprintf(where, sizeof(where), "requestExtensions");
	else
		snprintf(where, sizeof(where), "the extensions of request %zu",
		    idx + 1);
	n = sk_OR_EXT_num(exts);
	/* RFC 5280 4.1 (imported by RFC 6960): Extensions ::= SEQUENCE
	 * SIZE (1..MAX) OF Extension */
	CW_ENSURE(n >= 1, CW_ERR_INPUT, "%s are present but empty "
	    "(RFC 5280 4.1: SIZE (1..MAX))", where);
	CW_ENSURE(n <= CW_MAX_EXTENSIONS, CW_ERR_INPUT, "%s hold %d "
	    "extensions; at most %d are accepted", where, n,
	    CW_MAX_EXTENSIONS);
	for (i = 0; i < n; i++) {
		const OR_EXT *ext = sk_OR_EXT_value(exts, i);
		const ASN1_OBJECT *o = ext->object;

		oid_text(o, oid, sizeof(oid));
		/* X.690 11.1 and 11.5: TRUE is 0xff, and the DEFAULT FALSE
		 * is never written */
		CW_ENSURE(ext->critical == -1 || ext->critical == 0xff,
		    CW_ERR_INPUT, "the request is not DER encoded: extension "
		    "%s in %s has %s", oid, where, ext->critical == 0 ?
		    "an explicit critical FALSE" : "a BOOLEAN other than 0xff");
		/* RFC 5280 4.2: no extension more than once; which copy a
		 * parser takes differs, so refuse */
		for (j = 0; j < i; j++) {
			const OR_EXT *prev = sk_OR_EXT_value(exts, j);

			CW_ENSURE(OBJ_cmp(o, prev->object) != 0, CW_ERR_INPUT,
			    "%s hold extension %s twice (RFC 5280 4.2)", where,
			    oid);
		}
		nid = OBJ_obj2nid(o);
		if (top && nid == NID_id_pkix_OCSP_Nonce)
			CW_TRY(parse_nonce(ext, req, err));
		else if (top && nid == NID_id_pkix_OCSP_acceptableResponses)
			CW_TRY(parse_acceptable(ext, err));
		else
			/* RFC 5280 4.2, RFC 6960 4.4: an unrecognised
			 * critical extension cannot be ignored */
			CW_ENSURE(ext->critical == -1,
			    CW_ERR_INPUT, "%s hold the critical extension %s, "
			    "which this responder does not implement (RFC "
			    "6960 4.4, RFC 5280 4.2)", where, oid);
	}
out:
	return rc;
}

/* Copies one CertID out, checking its hash algorithm and sizes. */
static cw_rc
parse_certid(const OR_CERTID *id, size_t idx, cw_ocsp_single *s,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	const ASN1_OBJECT *obj;
	const void *pval;
	unsigned char enc[4 + CW_OCSP_SERIAL_MAX];
	unsigned char *pe = enc;
	int ptype, nid, elen;
	size_t i, hi;
	char oid[80], hex[2 * CW_OCSP_SERIAL_OURS + 1];

	X509_ALGOR_get0(&obj, &ptype, &pval, id->alg);
	nid = OBJ_obj2nid(obj);
	for (hi = 0; hi < CW_ARRAY_LEN(hashes); hi++)
		if (hashes[hi].nid == nid)
			break;
	CW_ENSURE(hi < CW_ARRAY_LEN(hashes), CW_ERR_INPUT, "request %zu: "
	    "CertID hash algorithm %s is not one of SHA-1, SHA-256, "
	    "SHA-384, SHA-512", idx + 1, oid_text(obj, oid, sizeof(oid)));
	/* RFC 5754 2: SHA-2 parameters absent (or NULL, which
	 * implementations must accept); RFC 3279 2.1 likewise for SHA-1 */
	CW_ENSURE(ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL, CW_ERR_INPUT,
	    "request %zu: the %s algorithm identifier has parameters "
	    "(RFC 5754 2: absent or NULL)", idx + 1, hashes[hi].name);
	s->hash = hashes[hi].hash;
	s->hash_params_null = ptype == V_ASN1_NULL;
	s->hash_len = hashes[hi].len;
	/* RFC 6960 4.1.1: the hashes are of the named algorithm */
	CW_ENSURE(ASN1_STRING_length(id->name_hash) == (int)s->hash_len &&
	    ASN1_STRING_length(id->key_hash) == (int)s->hash_len,
	    CW_ERR_INPUT, "request %zu: issuerNameHash and issuerKeyHash must "
	    "be %zu-octet %s values, not %d and %d octets", idx + 1,
	    s->hash_len, hashes[hi].name, ASN1_STRING_length(id->name_hash),
	    ASN1_STRING_length(id->key_hash));
	memcpy(s->name_hash, ASN1_STRING_get0_data(id->name_hash),
	    s->hash_len);
	memcpy(s->key_hash, ASN1_STRING_get0_data(id->key_hash), s->hash_len);

	/* The serial's content octets, as our own encoder writes them (the
	 * request re-encoded to its own bytes, so these are the received
	 * ones).  The magnitude bounds the encoding: at most one octet more. */
	CW_ENSURE(ASN1_STRING_length(id->serial) >= 0 &&
	    ASN1_STRING_length(id->serial) <= CW_OCSP_SERIAL_MAX, CW_ERR_INPUT,
	    "request %zu: the serial number has more than %d octets",
	    idx + 1, CW_OCSP_SERIAL_MAX);
	elen = i2d_ASN1_INTEGER(id->serial, NULL);
	CW_ENSURE_OSSL(elen > 2 && (size_t)elen <= sizeof(enc),
	    "cannot encode the serial of request %zu", idx + 1);
	CW_ENSURE_OSSL(i2d_ASN1_INTEGER(id->serial, &pe) == elen &&
	    enc[1] == elen - 2, "cannot encode the serial of request %zu",
	    idx + 1);
	CW_ENSURE(elen - 2 <= CW_OCSP_SERIAL_MAX, CW_ERR_INPUT, "request %zu: "
	    "the serial number has more than %d octets", idx + 1,
	    CW_OCSP_SERIAL_MAX);
	s->serial_len = (size_t)(elen - 2);
	memcpy(s->serial, enc + 2, s->serial_len);

	/* RFC 5280 4.1.2.2: serials are positive, at most 20 octets */
	s->serial_hex[0] = '\0';
	if ((s->serial[0] & 0x80) == 0 && !(s->serial_len == 1 &&
	    s->serial[0] == 0) && s->serial_len <= CW_OCSP_SERIAL_OURS) {
		cw_hex(s->serial, s->serial_len, hex);
		for (i = 0; hex[i] == '0' && hex[i + 1] != '\0'; i++)
			;
		snprintf(s->serial_hex, sizeof(s->serial_hex), "%s", hex + i);
	}
out:
	return rc;
}

cw_rc
cw_ocsp_request_parse(const uint8_t *der, size_t len, cw_ocsp_req **out,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	OR_REQUEST *r = NULL;
	cw_ocsp_req *req = NULL;
	const unsigned char *p = der;
	unsigned char *re = NULL;
	int relen, n, i;

	CW_ENSURE(out != NULL && (der != NULL || len == 0), CW_ERR_INTERNAL,
	    "cw_ocsp_request_parse: missing argument");
	*out = NULL;
	CW_ENSURE(len > 0, CW_ERR_INPUT, "empty OCSP request");
	CW_ENSURE(len <= CW_MAX_OCSP_REQUEST, CW_ERR_INPUT, "OCSP request of "
	    "%zu bytes; at most %d are accepted", len, CW_MAX_OCSP_REQUEST);

	r = (OR_REQUEST *)ASN1_item_d2i(NULL, &p, (long)len,
	    ASN1_ITEM_rptr(OR_REQUEST));
	if (r == NULL)
		ERR_clear_error();
	CW_ENSURE(r != NULL, CW_ERR_INPUT, "the request does not decode as an "
	    "OCSPRequest (RFC 6960 4.1.1)");
	CW_ENSURE(p == der + len, CW_ERR_INPUT, "%zu bytes follow the "
	    "OCSPRequest", (size_t)(der + len - p));
	/* DER only: one encoding per request, so what we parse is what a
	 * signature or a cache key would cover.  (A requestorName re-encodes
	 * from the bytes X509_NAME keeps, and the signature's certificates
	 * are kept undecoded, so those two are only checked as TLVs; nothing
	 * reads them.) */
	relen = ASN1_item_i2d((ASN1_VALUE *)r, &re, ASN1_ITEM_rptr(OR_REQUEST));
	CW_ENSURE(relen > 0 && (size_t)relen == len && memcmp(re, der, len) ==
	    0, CW_ERR_INPUT, "the OCSP request is not DER encoded");

	/* RFC 6960 4.1.1: Version ::= INTEGER { v1(0) } DEFAULT v1; DER
	 * leaves a default value out (X.690 11.5), so any version field is
	 * either not DER or a version that does not exist */
	CW_ENSURE(r->tbs->version == NULL, CW_ERR_INPUT, "the request carries "
	    "a version field; only v1 exists, which DER leaves out "
	    "(RFC 6960 4.1.1)");
	n = sk_OR_ONEREQ_num(r->tbs->list);
	CW_ENSURE(n >= 1, CW_ERR_INPUT, "the request asks about no "
	    "certificate");
	CW_ENSURE(n <= CW_OCSP_MAX_SINGLE, CW_ERR_INPUT, "the request asks "
	    "about %d certificates; at most %d are answered at once", n,
	    CW_OCSP_MAX_SINGLE);

	req = calloc(1, sizeof(*req));
	CW_ENSURE_MEM(req);
	CW_TRY(parse_exts(r->tbs->exts, true, 0, req, err));
	for (i = 0; i < n; i++) {
		const OR_ONEREQ *one = sk_OR_ONEREQ_value(r->tbs->list, i);

		CW_TRY(parse_certid(one->id, (size_t)i, &req->single[i], err));
		CW_TRY(parse_exts(one->exts, false, (size_t)i, req, err));
	}
	req->n_single = (size_t)n;
	/* RFC 6960 4.1.2: signing is the requestor's option; this
	 * responder answers anyone, so it neither needs nor checks it */
	req->is_signed = r->sig != NULL;
	*out = req;
	req = NULL;
out:
	OPENSSL_free(re);
	OR_FREE(OR_REQUEST, r);
	cw_ocsp_req_free(req);
	return rc;
}

void
cw_ocsp_req_free(cw_ocsp_req *req)
{
	free(req);
}

/* --- GET form ------------------------------------------------------------- */

static int
hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 4648 4, the standard alphabet. */
static int
b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

cw_rc
cw_ocsp_get_decode(const char *text, size_t len, uint8_t **der,
    size_t *der_len, cw_err *err)
{
	cw_rc rc = CW_OK;
	const uint8_t *in = (const uint8_t *)text;
	uint8_t *buf = NULL, c;
	size_t i, cap, n_data = 0, n_pad = 0, out_len = 0;
	uint32_t acc = 0;
	unsigned int bits = 0;
	int v, hi, lo;

	CW_ENSURE(der != NULL && der_len != NULL && (text != NULL || len == 0),
	    CW_ERR_INTERNAL, "cw_ocsp_get_decode: missing argument");
	*der = NULL;
	*der_len = 0;
	CW_ENSURE(len > 0, CW_ERR_INPUT, "empty OCSP GET request");
	CW_ENSURE(len <= CW_MAX_OCSP_GET_TEXT, CW_ERR_INPUT, "OCSP GET request "
	    "of %zu characters; at most %d are accepted", len,
	    CW_MAX_OCSP_GET_TEXT);
	/* 4 characters make 3 bytes; len is bounded, so no overflow */
	cap = len / 4 * 3 + 3;
	if (cap > CW_MAX_OCSP_REQUEST)
		cap = CW_MAX_OCSP_REQUEST;
	buf = OPENSSL_malloc(cap);
	CW_ENSURE_MEM(buf);

	for (i = 0; i < len; i++) {
		size_t at = i;

		c = in[i];
		if (c == '%') {
			/* RFC 3986 2.1: "%" HEXDIG HEXDIG */
			hi = len - i > 2 ? hex_value(in[i + 1]) : -1;
			lo = len - i > 2 ? hex_value(in[i + 2]) : -1;
			CW_ENSURE(hi >= 0 && lo >= 0, CW_ERR_INPUT, "OCSP GET "
			    "request: bad %%-escape at offset %zu (RFC 3986 "
			    "2.1)", at);
			c = (uint8_t)(hi * 16 + lo);
			i += 2;
		}
		if (c == '=') {
			n_pad++;
			CW_ENSURE(n_pad <= 2, CW_ERR_INPUT, "OCSP GET request: "
			    "more than two '=' at offset %zu (RFC 4648 4)", at);
			continue;
		}
		v = b64_value(c);
		CW_ENSURE(v >= 0, CW_ERR_INPUT, "OCSP GET request: byte 0x%02x "
		    "at offset %zu is not base64 (RFC 6960 A.1, RFC 4648 4)",
		    c, at);
		CW_ENSURE(n_pad == 0, CW_ERR_INPUT, "OCSP GET request: base64 "
		    "after the '=' padding at offset %zu (RFC 4648 4)", at);
		n_data++;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			CW_ENSURE(out_len < cap, CW_ERR_INPUT, "OCSP GET "
			    "request decodes to more than %d bytes",
			    CW_MAX_OCSP_REQUEST);
			buf[out_len++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* RFC 4648 4: a final quantum is 2 or 3 characters (then padded to
	 * 4 when padded at all), never 1 */
	CW_ENSURE(n_data > 0 && n_data % 4 != 1, CW_ERR_INPUT, "OCSP GET "
	    "request: %zu base64 characters cannot be a whole encoding "
	    "(RFC 4648 4)", n_data);
	CW_ENSURE(n_pad == 0 || (n_data + n_pad) % 4 == 0, CW_ERR_INPUT,
	    "OCSP GET request: wrong '=' padding (RFC 4648 4)");
	/* RFC 4648 3.5: pad bits are zero in a canonical encoding */
	CW_ENSURE(acc == 0, CW_ERR_INPUT, "OCSP GET request: non-zero pad "
	    "bits in the last base64 character (RFC 4648 3.5)");
	*der = buf;
	*der_len = out_len;
	buf = NULL;
out:
	OPENSSL_free(buf);
	return rc;
}

/* --- issuer --------------------------------------------------------------- */

cw_rc
cw_ocsp_issuer_match(const cw_ocsp_single *s, X509 *issuer, bool *match,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	const EVP_MD *md;
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	size_t hi;

	CW_ENSURE(s != NULL && issuer != NULL && match != NULL,
	    CW_ERR_INTERNAL, "cw_ocsp_issuer_match: missing argument");
	*match = false;
	hi = hash_index(s->hash);
	CW_ENSURE(hi < CW_ARRAY_LEN(hashes) && s->hash_len == hashes[hi].len,
	    CW_ERR_INTERNAL, "CertID with an inconsistent hash algorithm");
	md = hashes[hi].md();
	/* RFC 6960 4.1.1: issuerNameHash covers the DER of the issuer's
	 * name; issuerKeyHash the subjectPublicKey BIT STRING's value */
	CW_ENSURE_OSSL(X509_NAME_digest(X509_get_subject_name(issuer), md, h,
	    &hlen) == 1, "cannot hash the issuer's name");
	if (hlen != s->hash_len || memcmp(h, s->name_hash, hlen) != 0)
		goto out;
	CW_ENSURE_OSSL(X509_pubkey_digest(issuer, md, h, &hlen) == 1,
	    "cannot hash the issuer's key");
	*match = hlen == s->hash_len && memcmp(h, s->key_hash, hlen) == 0;
out:
	return rc;
}

/* --- response ------------------------------------------------------------- */

/*
 * Digest for the signature: none for EdDSA (RFC 8410 6), else the hash
 * matching an EC key's strength, SHA-256 for everything else.
 */
static const char *
sign_md(EVP_PKEY *key)
{
	int id = EVP_PKEY_get_id(key), bits = EVP_PKEY_get_bits(key);

	if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448)
		return NULL;
	if (id == EVP_PKEY_EC && bits > 384)
		return "SHA512";
	if (id == EVP_PKEY_EC && bits > 256)
		return "SHA384";
	return "SHA256";
}

/* The statuses must be ones we can encode honestly. */
static cw_rc
check_status(const cw_ocsp_status *st, size_t idx, cw_err *err)
{
	cw_rc rc = CW_OK;

	switch (st->status) {
	case CW_OCSP_GOOD:
	case CW_OCSP_UNKNOWN:
		break;
	case CW_OCSP_REVOKED:
		/* RFC 5280 5.3.1: CRLReason 0..10 without 7;
		 * removeFromCRL only has a meaning in delta CRLs */
		CW_ENSURE(st->reason >= -1 && st->reason <= 10 &&
		    st->reason != 7 && st->reason !=
		    OCSP_REVOKED_STATUS_REMOVEFROMCRL, CW_ERR_INPUT,
		    "status %zu: revocation reason %d cannot be given "
		    "(RFC 5280 5.3.1)", idx + 1, st->reason);
		CW_ENSURE(st->revoked_at >= OR_TIME_MIN && st->revoked_at <=
		    OR_TIME_MAX, CW_ERR_INPUT, "status %zu: revocation time "
		    "%lld is outside 1950-01-01..9999-12-31", idx + 1,
		    (long long)st->revoked_at);
		break;
	default:
		CW_ENSURE(0, CW_ERR_INTERNAL, "status %zu: unknown status %d",
		    idx + 1, (int)st->status);
	}
out:
	return rc;
}

/* The delegated responder rules of RFC 6960 4.2.2.2. */
static cw_rc
check_delegate(X509 *issuer, X509 *signer, cw_err *err)
{
	cw_rc rc = CW_OK;
	int v = X509_check_issued(issuer, signer);

	ERR_clear_error();
	CW_ENSURE(v == X509_V_OK, CW_ERR_INPUT, "the responder certificate "
	    "is not issued by the issuer (RFC 6960 4.2.2.2): %s",
	    X509_verify_cert_error_string(v));
	CW_ENSURE((X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) != 0 &&
	    (X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN) != 0,
	    CW_ERR_INPUT, "the responder certificate lacks the "
	    "id-kp-OCSPSigning extended key usage (RFC 6960 4.2.2.2)");
out:
	return rc;
}

/* The CertID of a SingleResponse: the request's, rebuilt from its copy. */
static cw_rc
fill_certid(OR_CERTID *id, const cw_ocsp_single *s, cw_err *err)
{
	cw_rc rc = CW_OK;
	size_t hi = hash_index(s->hash);
	ASN1_OBJECT *obj;

	CW_ENSURE(hi < CW_ARRAY_LEN(hashes) && s->hash_len == hashes[hi].len &&
	    s->serial_len >= 1 && s->serial_len <= CW_OCSP_SERIAL_MAX,
	    CW_ERR_INTERNAL, "malformed CertID record");
	obj = OBJ_nid2obj(hashes[hi].nid);
	CW_ENSURE_OSSL(obj != NULL && X509_ALGOR_set0(id->alg, obj,
	    s->hash_params_null ? V_ASN1_NULL : V_ASN1_UNDEF, NULL) == 1,
	    "cannot encode the CertID hash algorithm");
	CW_ENSURE_OSSL(ASN1_OCTET_STRING_set(id->name_hash, s->name_hash,
	    (int)s->hash_len) == 1 && ASN1_OCTET_STRING_set(id->key_hash,
	    s->key_hash, (int)s->hash_len) == 1, "cannot encode the CertID");
	ASN1_INTEGER_free(id->serial);
	id->serial = NULL;
	CW_TRY(int_from_content(s->serial, s->serial_len, &id->serial, err));
out:
	return rc;
}

static cw_rc
fill_status(OR_CERTSTATUS *cs, const cw_ocsp_status *st, cw_err *err)
{
	cw_rc rc = CW_OK;
	OR_REVINFO *ri = NULL;

	switch (st->status) {
	case CW_OCSP_GOOD:
		cs->type = V_OCSP_CERTSTATUS_GOOD;
		cs->value.good = ASN1_NULL_new();
		CW_ENSURE_MEM(cs->value.good);
		break;
	case CW_OCSP_UNKNOWN:
		cs->type = V_OCSP_CERTSTATUS_UNKNOWN;
		cs->value.unknown = ASN1_NULL_new();
		CW_ENSURE_MEM(cs->value.unknown);
		break;
	case CW_OCSP_REVOKED:
		ri = OR_NEW(OR_REVINFO);
		CW_ENSURE_MEM(ri);
		CW_TRY(set_gtime(ri->time, st->revoked_at, "revocationTime",
		    err));
		/* unspecified is left out, as in our CRLs (RFC 5280 5.3.1) */
		if (st->reason > 0) {
			ri->reason = ASN1_ENUMERATED_new();
			CW_ENSURE_MEM(ri->reason);
			CW_ENSURE_OSSL(ASN1_ENUMERATED_set(ri->reason,
			    st->reason) == 1, "cannot encode the reason");
		}
		cs->type = V_OCSP_CERTSTATUS_REVOKED;
		cs->value.revoked = ri;
		ri = NULL;
		break;
	}
out:
	OR_FREE(OR_REVINFO, ri);
	return rc;
}

/* The response's nonce extension: the request's Nonce, same encoding. */
static cw_rc
nonce_ext(const cw_ocsp_req *req, STACK_OF(X509_EXTENSION) **exts,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	ASN1_OCTET_STRING *inner = NULL, *outer = NULL;
	X509_EXTENSION *ext = NULL;
	unsigned char *enc = NULL;
	int elen;

	inner = ASN1_OCTET_STRING_new();
	outer = ASN1_OCTET_STRING_new();
	*exts = sk_X509_EXTENSION_new_null();
	CW_ENSURE(inner != NULL && outer != NULL && *exts != NULL,
	    CW_ERR_NOMEM, "out of memory");
	CW_ENSURE_OSSL(ASN1_OCTET_STRING_set(inner, req->nonce,
	    (int)req->nonce_len) == 1, "cannot encode the nonce");
	elen = i2d_ASN1_OCTET_STRING(inner, &enc);
	CW_ENSURE_OSSL(elen > 0, "cannot encode the nonce");
	ASN1_STRING_set0(outer, enc, elen);
	enc = NULL;
	ext = X509_EXTENSION_create_by_NID(NULL, NID_id_pkix_OCSP_Nonce, 0,
	    outer);
	CW_ENSURE_OSSL(ext != NULL, "cannot encode the nonce extension");
	CW_ENSURE(sk_X509_EXTENSION_push(*exts, ext) > 0, CW_ERR_NOMEM,
	    "out of memory");
	ext = NULL;
out:
	X509_EXTENSION_free(ext);
	OPENSSL_free(enc);
	ASN1_OCTET_STRING_free(outer);
	ASN1_OCTET_STRING_free(inner);
	return rc;
}

cw_rc
cw_ocsp_response_build(const cw_ocsp_req *req, const cw_ocsp_status *st,
    X509 *issuer, EVP_PKEY *signer_key, X509 *signer_cert, int64_t this_update,
    int64_t next_update, uint8_t **der, size_t *len, cw_err *err)
{
	cw_rc rc = CW_OK;
	OR_BASICRESP *b = NULL;
	OR_RESPONSE *r = NULL;
	OR_SINGLERESP *sr = NULL;
	EVP_MD_CTX *mctx = NULL;
	unsigned char *bder = NULL, *rder = NULL;
	unsigned char kh[EVP_MAX_MD_SIZE];
	unsigned int khlen = 0;
	const char *md;
	bool delegated, any = false, m;
	size_t i;
	int blen, rlen;

	CW_ENSURE(req != NULL && st != NULL && issuer != NULL &&
	    signer_key != NULL && der != NULL && len != NULL,
	    CW_ERR_INTERNAL, "cw_ocsp_response_build: missing argument");
	*der = NULL;
	*len = 0;
	CW_ENSURE(req->n_single >= 1 && req->n_single <= CW_OCSP_MAX_SINGLE &&
	    req->nonce_len <= CW_OCSP_NONCE_MAX, CW_ERR_INTERNAL,
	    "cw_ocsp_response_build: malformed request record");
	CW_ENSURE(this_update < next_update, CW_ERR_INPUT, "nextUpdate must be "
	    "after thisUpdate (RFC 6960 4.2.2.1)");
	if (signer_cert == NULL)
		signer_cert = issuer;
	delegated = X509_cmp(signer_cert, issuer) != 0;
	if (delegated)
		CW_TRY(check_delegate(issuer, signer_cert, err));

	for (i = 0; i < req->n_single; i++) {
		CW_TRY(check_status(&st[i], i, err));
		CW_TRY(cw_ocsp_issuer_match(&req->single[i], issuer, &m, err));
		/* RFC 6960 2.2: unknown is the only honest answer about
		 * another CA's certificate */
		CW_ENSURE(m || st[i].status == CW_OCSP_UNKNOWN,
		    CW_ERR_INTERNAL, "request %zu names another issuer; only "
		    "the unknown status can be given for it", i + 1);
		any = any || m;
	}
	/* RFC 6960 2.3, RFC 5019 2.2.3: not authoritative for any of them */
	CW_ENSURE(any, CW_ERR_NOT_FOUND, "no CertID in the request names this "
	    "issuer: answer unauthorized (RFC 6960 2.3)");

	b = OR_NEW(OR_BASICRESP);
	CW_ENSURE_MEM(b);
	/* RFC 6960 4.2.2.3: KeyHash is the SHA-1 of the subjectPublicKey
	 * BIT STRING's value */
	CW_ENSURE_OSSL(X509_pubkey_digest(signer_cert, EVP_sha1(), kh,
	    &khlen) == 1 && ASN1_OCTET_STRING_set(b->tbs->by_key, kh,
	    (int)khlen) == 1, "cannot hash the responder's key");
	/* producedAt: the caller's time, not the clock's */
	CW_TRY(set_gtime(b->tbs->produced_at, this_update, "producedAt",
	    err));
	for (i = 0; i < req->n_single; i++) {
		sr = OR_NEW(OR_SINGLERESP);
		CW_ENSURE_MEM(sr);
		CW_TRY(fill_certid(sr->id, &req->single[i], err));
		CW_TRY(fill_status(sr->status, &st[i], err));
		CW_TRY(set_gtime(sr->this_update, this_update, "thisUpdate",
		    err));
		sr->next_update = ASN1_GENERALIZEDTIME_new();
		CW_ENSURE_MEM(sr->next_update);
		CW_TRY(set_gtime(sr->next_update, next_update, "nextUpdate",
		    err));
		CW_ENSURE(sk_OR_SINGLERESP_push(b->tbs->responses, sr) > 0,
		    CW_ERR_NOMEM, "out of memory");
		sr = NULL;
	}
	if (req->has_nonce)
		CW_TRY(nonce_ext(req, &b->tbs->exts, err));
	if (delegated) {
		/* RFC 6960 4.2.2.2: the client needs the delegate's
		 * certificate to check the signature */
		b->certs = sk_X509_new_null();
		CW_ENSURE_MEM(b->certs);
		CW_ENSURE(sk_X509_push(b->certs, signer_cert) > 0,
		    CW_ERR_NOMEM, "out of memory");
		X509_up_ref(signer_cert);
	}

	md = sign_md(signer_key);
	mctx = EVP_MD_CTX_new();
	CW_ENSURE_MEM(mctx);
	CW_ENSURE_OSSL(EVP_DigestSignInit_ex(mctx, NULL, md, NULL, NULL,
	    signer_key, NULL) == 1, "cannot start signing the OCSP response");
	CW_ENSURE_OSSL(ASN1_item_sign_ctx(ASN1_ITEM_rptr(OR_RESPDATA), b->alg,
	    NULL, b->sig, b->tbs, mctx) > 0, "cannot sign the OCSP response");
	blen = ASN1_item_i2d((ASN1_VALUE *)b, &bder,
	    ASN1_ITEM_rptr(OR_BASICRESP));
	CW_ENSURE_OSSL(blen > 0, "cannot encode the BasicOCSPResponse");

	r = OR_NEW(OR_RESPONSE);
	CW_ENSURE_MEM(r);
	r->bytes = OR_NEW(OR_RESPBYTES);
	CW_ENSURE_MEM(r->bytes);
	CW_ENSURE_OSSL(ASN1_ENUMERATED_set(r->status,
	    OCSP_RESPONSE_STATUS_SUCCESSFUL) == 1, "cannot encode the status");
	ASN1_OBJECT_free(r->bytes->type);
	r->bytes->type = OBJ_nid2obj(NID_id_pkix_OCSP_basic);
	CW_ENSURE_OSSL(r->bytes->type != NULL, "no id-pkix-ocsp-basic");
	ASN1_STRING_set0(r->bytes->resp, bder, blen);
	bder = NULL;
	rlen = ASN1_item_i2d((ASN1_VALUE *)r, &rder,
	    ASN1_ITEM_rptr(OR_RESPONSE));
	CW_ENSURE_OSSL(rlen > 0, "cannot encode the OCSPResponse");
	*der = rder;
	*len = (size_t)rlen;
	rder = NULL;
out:
	OPENSSL_free(rder);
	OPENSSL_free(bder);
	EVP_MD_CTX_free(mctx);
	OR_FREE(OR_SINGLERESP, sr);
	OR_FREE(OR_RESPONSE, r);
	OR_FREE(OR_BASICRESP, b);
	return rc;
}

/* --- errors --------------------------------------------------------------- */

/* OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED } without
 * responseBytes (RFC 6960 4.2.1): 30 03 0a 01 <status> */
static const uint8_t err_malformed[] = {0x30, 0x03, 0x0a, 0x01, 0x01};
static const uint8_t err_internal[] = {0x30, 0x03, 0x0a, 0x01, 0x02};
static const uint8_t err_try_later[] = {0x30, 0x03, 0x0a, 0x01, 0x03};
static const uint8_t err_sig_required[] = {0x30, 0x03, 0x0a, 0x01, 0x05};
static const uint8_t err_unauthorized[] = {0x30, 0x03, 0x0a, 0x01, 0x06};

const uint8_t *
cw_ocsp_error_response(cw_ocsp_resp_status status, size_t *len)
{
	const uint8_t *d;

	switch (status) {
	case CW_OCSP_RESP_MALFORMED_REQUEST: d = err_malformed; break;
	case CW_OCSP_RESP_TRY_LATER: d = err_try_later; break;
	case CW_OCSP_RESP_SIG_REQUIRED: d = err_sig_required; break;
	case CW_OCSP_RESP_UNAUTHORIZED: d = err_unauthorized; break;
	case CW_OCSP_RESP_INTERNAL_ERROR:
	default: d = err_internal; break;
	}
	if (len != NULL)
		*len = sizeof(err_internal);
	return d;
}
