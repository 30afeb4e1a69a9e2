/*
 * cert_build.c - see cert_build.h.
 *
 * Issuance is on the hot path of bulk campaigns (issue 3: thousands of
 * certificates a second on one core), and OpenSSL 3.0 hides its costs
 * (PERFORMANCE.md): X509_set_pubkey runs the key through the provider
 * encoder and back through the decoder (~185 us, six times the signature),
 * and extensions made from configuration strings parse text every time.
 * So the SubjectPublicKeyInfo is assembled from its parts with
 * X509_PUBKEY_set0_param, and every extension is encoded from its X509V3
 * structure.
 *
 * The lint reads the built certificate back through the extension decoders,
 * independently of the code that wrote it.  It never calls the functions
 * that fill libcrypto's per-certificate cache (X509_get_extension_flags,
 * X509_get_key_usage, X509_check_purpose, X509_get0_subject_key_id...) on
 * the certificate under test: that cache also holds a hash of the
 * encoding, which signing is about to change.  On the issuer (signed
 * already) they are fine and cheap.
 */
#include "cert_build.h"

#include <limits.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1t.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "../common/limits.h"
#include "../common/util.h"
#include "../policy/policy.h"
#include "key_info.h"

#define CW_TIME_MIN INT64_C(-631152000)   /* 1950-01-01T00:00:00Z */
#define CW_TIME_2050 INT64_C(2524608000)  /* 2050-01-01T00:00:00Z */
#define CW_TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define CW_INT_OCTETS_MAX 20 /* RFC 5280 4.1.2.2 serials, 5.2.3 CRL numbers */
#define CW_INT_INPUT_MAX 64  /* longest INTEGER input encoded at all */
#define CW_KEYID_MAX 64      /* longest issuer key identifier copied */
#define CW_URL_MAX CW_MAX_NAME_BYTES
#define CW_KU_ALL 0x1ffu     /* the nine bits of RFC 5280 4.2.1.3 */
#define CW_CA_SERIAL_LEN 16

/* The lint's failure: CW_ERR_NONCOMPLIANT, message "lint: ..." */
#define LINT(cond, ...) CW_ENSURE(cond, CW_ERR_NONCOMPLIANT, "lint: " __VA_ARGS__)

/* SubjectPublicKeyInfo without the provider decoding of X509_PUBKEY. */
typedef struct {
	X509_ALGOR *alg;
	ASN1_BIT_STRING *key;
} CB_SPKI;

ASN1_SEQUENCE(CB_SPKI) = {
	ASN1_SIMPLE(CB_SPKI, alg, X509_ALGOR),
	ASN1_SIMPLE(CB_SPKI, key, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(CB_SPKI)

/* RFC 8017 A.1.1 RSAPublicKey */
typedef struct {
	ASN1_INTEGER *n;
	ASN1_INTEGER *e;
} CB_RSAPUB;

ASN1_SEQUENCE(CB_RSAPUB) = {
	ASN1_SIMPLE(CB_RSAPUB, n, ASN1_INTEGER),
	ASN1_SIMPLE(CB_RSAPUB, e, ASN1_INTEGER),
} static_ASN1_SEQUENCE_END(CB_RSAPUB)

/* The extensions an end-entity certificate may carry, in writing order. */
enum { E_BC, E_KU, E_EKU, E_SAN, E_SKI, E_AKI, E_CRLDP, E_AIA, E_N };

static const int ee_ext_nids[E_N] = {
	NID_basic_constraints, NID_key_usage, NID_ext_key_usage,
	NID_subject_alt_name, NID_subject_key_identifier,
	NID_authority_key_identifier, NID_crl_distribution_points,
	NID_info_access,
};

/*
 * Subject attributes: ASN.1 string type and size in characters.  X.520
 * DirectoryString attributes are written as UTF8String (RFC 5280 4.1.2.6);
 * countryName, serialNumber and dnQualifier are PrintableString and
 * emailAddress and domainComponent IA5String by their definitions (RFC
 * 5280 Appendix A, RFC 4519 2.4).  Upper bounds from RFC 5280 Appendix A.
 */
static const struct {
	int nid;
	int str_type;
	size_t max; /* characters */
} attr_rules[] = {
	{NID_countryName, V_ASN1_PRINTABLESTRING, 2},
	{NID_commonName, V_ASN1_UTF8STRING, 64},
	{NID_organizationName, V_ASN1_UTF8STRING, 64},
	{NID_organizationalUnitName, V_ASN1_UTF8STRING, 64},
	{NID_localityName, V_ASN1_UTF8STRING, 128},
	{NID_stateOrProvinceName, V_ASN1_UTF8STRING, 128},
	{NID_title, V_ASN1_UTF8STRING, 64},
	{NID_pseudonym, V_ASN1_UTF8STRING, 128},
	{NID_postalCode, V_ASN1_UTF8STRING, 40},
	{NID_serialNumber, V_ASN1_PRINTABLESTRING, 64},
	{NID_dnQualifier, V_ASN1_PRINTABLESTRING, CW_MAX_NAME_BYTES},
	{NID_pkcs9_emailAddress, V_ASN1_IA5STRING, 255},
	{NID_domainComponent, V_ASN1_IA5STRING, CW_MAX_NAME_BYTES},
};

/*
 * Key usage bits each key type may carry in an end-entity certificate.
 * keyCertSign is never among them: it needs cA TRUE (RFC 5280 4.2.1.3).
 */
#define KU_DS CW_KU_DIGITAL_SIGNATURE
#define KU_NR CW_KU_NON_REPUDIATION
static const struct {
	cw_key_type type;
	const char *what;
	uint32_t allowed;
	const char *rule;
} ku_rules[] = {
	{CW_KEYT_RSA, "an RSA key", KU_DS | KU_NR | CW_KU_KEY_ENCIPHERMENT |
	    CW_KU_DATA_ENCIPHERMENT | CW_KU_CRL_SIGN, "RFC 3279 2.3.1"},
	{CW_KEYT_RSA_PSS, "an RSA-PSS key", KU_DS | KU_NR | CW_KU_CRL_SIGN,
	    "RFC 4055 1.2"},
	{CW_KEYT_EC, "an EC key", KU_DS | KU_NR | CW_KU_KEY_AGREEMENT |
	    CW_KU_CRL_SIGN | CW_KU_ENCIPHER_ONLY | CW_KU_DECIPHER_ONLY,
	    "RFC 5480 3 as updated by RFC 8813"},
	{CW_KEYT_ED25519, "an Ed25519 key", KU_DS | KU_NR | CW_KU_CRL_SIGN,
	    "RFC 8410 5 as updated by RFC 9295"},
	{CW_KEYT_ED448, "an Ed448 key", KU_DS | KU_NR | CW_KU_CRL_SIGN,
	    "RFC 8410 5 as updated by RFC 9295"},
};

static const struct {
	int code;
	const char *name;
} crl_reasons[] = {
	{CRL_REASON_UNSPECIFIED, "unspecified"},
	{CRL_REASON_KEY_COMPROMISE, "keyCompromise"},
	{CRL_REASON_CA_COMPROMISE, "cACompromise"},
	{CRL_REASON_AFFILIATION_CHANGED, "affiliationChanged"},
	{CRL_REASON_SUPERSEDED, "superseded"},
	{CRL_REASON_CESSATION_OF_OPERATION, "cessationOfOperation"},
	{CRL_REASON_CERTIFICATE_HOLD, "certificateHold"},
	{CRL_REASON_REMOVE_FROM_CRL, "removeFromCRL"},
	{CRL_REASON_PRIVILEGE_WITHDRAWN, "privilegeWithdrawn"},
	{CRL_REASON_AA_COMPROMISE, "aACompromise"},
};

/* --- small helpers -------------------------------------------------------- */

static const char *
nid_name(int nid)
{
	const char *sn = OBJ_nid2sn(nid);

	return sn != NULL ? sn : "unknown";
}

/* "2031-05-01T00:00:00Z" for messages. */
static const char *
fmt_time(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm)) {
		snprintf(buf, len, "(invalid time)");
		ERR_clear_error();
	} else {
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
	}
	return buf;
}

/*
 * Sets t to Unix time `when`.  ASN1_TIME_set picks UTCTime for 1950-2049
 * and GeneralizedTime otherwise, as RFC 5280 4.1.2.5 and 5.1.2.4 require;
 * before 1950 there is no conforming encoding at all.
 */
static cw_rc
set_time(ASN1_TIME *t, int64_t when, const char *what, cw_err *err)
{
	cw_rc rc = CW_OK;

	CW_ENSURE(when >= CW_TIME_MIN && when <= CW_TIME_MAX, CW_ERR_INPUT,
	    "%s %lld is outside 1950-01-01..9999-12-31 (RFC 5280 4.1.2.5)",
	    what, (long long)when);
	CW_ENSURE_OSSL(ASN1_TIME_set(t, (time_t)when) != NULL,
	    "cannot encode %s", what);
out:
	return rc;
}

/*
 * The INTEGER whose two's-complement big-endian content octets are in[]
 * (a set top bit means negative, as in DER).  Redundant leading octets are
 * dropped (X.690 8.3.2).  Sign and size rules are the caller's: this only
 * refuses what cannot be encoded at all.
 */
static cw_rc
int_from_octets(const uint8_t *in, size_t len, const char *what,
    ASN1_INTEGER **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t der[2 + CW_INT_INPUT_MAX];
	const unsigned char *p = der;
	ASN1_INTEGER *v = NULL;

	CW_ENSURE(in != NULL && len > 0 && len <= CW_INT_INPUT_MAX,
	    CW_ERR_INPUT, "%s must be 1 to %d octets, not %zu", what,
	    CW_INT_INPUT_MAX, in == NULL ? 0 : len);
	while (len > 1 && ((in[0] == 0x00 && (in[1] & 0x80) == 0) ||
	    (in[0] == 0xff && (in[1] & 0x80) != 0))) {
		in++;
		len--;
	}
	/* one INTEGER TLV, short-form length (len <= 64), through the
	 * library's own decoder so that sign handling is OpenSSL's */
	der[0] = V_ASN1_INTEGER;
	der[1] = (uint8_t)len;
	memcpy(der + 2, in, len);
	v = d2i_ASN1_INTEGER(NULL, &p, (long)(len + 2));
	CW_ENSURE_OSSL(v != NULL && p == der + 2 + len, "cannot encode %s",
	    what);
	*out = v;
	v = NULL;
out:
	ASN1_INTEGER_free(v);
	return rc;
}

/* Content octets of INTEGER v as DER writes them (sign octet included). */
static size_t
int_der_octets(const ASN1_INTEGER *v)
{
	const unsigned char *d = ASN1_STRING_get0_data(v);
	int len = ASN1_STRING_length(v);

	if (len <= 0)
		return 1;
	/* OpenSSL keeps the magnitude; DER adds a sign octet when its top
	 * bit is set.  Only used for non-negative values. */
	return (size_t)len + ((d[0] & 0x80) != 0);
}

/* Zero when v is 0, -1 when negative, 1 when positive. */
static int
int_sign(const ASN1_INTEGER *v)
{
	const unsigned char *d = ASN1_STRING_get0_data(v);
	int i, len = ASN1_STRING_length(v);

	for (i = 0; i < len; i++)
		if (d[i] != 0)
			return ASN1_STRING_type(v) == V_ASN1_NEG_INTEGER ? -1 : 1;
	return 0;
}

/* Serial number or CRL number rules: positive (or >= 0), <= 20 octets. */
static const char *
int_problem(const ASN1_INTEGER *v, bool zero_ok)
{
	int s = int_sign(v);

	if (s < 0)
		return "is negative";
	if (s == 0 && !zero_ok)
		return "is zero";
	if (int_der_octets(v) > CW_INT_OCTETS_MAX)
		return "is longer than 20 octets";
	return NULL;
}

static bool
printable_char(uint8_t c)
{
	/* X.680 41.4 PrintableString */
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == ' ' || c == '\'' || c == '(' ||
	    c == ')' || c == '+' || c == ',' || c == '-' || c == '.' ||
	    c == '/' || c == ':' || c == '=' || c == '?';
}

/* Printable ASCII, no controls; spaces only when `space`. */
static bool
ascii_ok(const uint8_t *s, size_t len, bool space)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] > 0x7e || s[i] < (space ? 0x20 : 0x21))
			return false;
	return true;
}

static size_t
utf8_chars(const uint8_t *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static int
attr_str_type(int nid, size_t *max)
{
	size_t i;

	for (i = 0; i < CW_ARRAY_LEN(attr_rules); i++)
		if (attr_rules[i].nid == nid) {
			*max = attr_rules[i].max;
			return attr_rules[i].str_type;
		}
	*max = CW_MAX_NAME_BYTES;
	return V_ASN1_UTF8STRING;
}

/* Checks one subject attribute value for the string type it will get. */
static cw_rc
check_attr(const cw_name_attr *a, int *str_type, cw_err *err)
{
	cw_rc rc = CW_OK;
	char show[128];
	size_t i, max = 0;
	int t;
	bool ok = true;

	CW_ENSURE(a->nid != NID_undef && OBJ_nid2obj(a->nid) != NULL,
	    CW_ERR_INPUT, "subject attribute with unknown NID %d", a->nid);
	t = attr_str_type(a->nid, &max);
	CW_ENSURE(a->val != NULL && a->len > 0 && a->len <= CW_MAX_NAME_BYTES,
	    CW_ERR_INPUT, "subject %s must be 1 to %d octets",
	    nid_name(a->nid), CW_MAX_NAME_BYTES);
	cw_escape_utf8(a->val, a->len, show, sizeof(show));
	switch (t) {
	case V_ASN1_PRINTABLESTRING:
		for (i = 0; i < a->len; i++)
			ok = ok && printable_char(a->val[i]);
		break;
	case V_ASN1_IA5STRING:
		ok = ascii_ok(a->val, a->len, true);
		break;
	default:
		ok = cw_utf8_valid(a->val, a->len);
		for (i = 0; ok && i < a->len; i++)
			ok = a->val[i] >= 0x20 && a->val[i] != 0x7f;
		break;
	}
	CW_ENSURE(ok, CW_ERR_INPUT, "subject %s '%s' has characters a %s "
	    "cannot hold", nid_name(a->nid), show, ASN1_tag2str(t));
	CW_ENSURE(utf8_chars(a->val, a->len) <= max, CW_ERR_INPUT,
	    "subject %s '%s' is longer than %zu characters (RFC 5280 "
	    "Appendix A)", nid_name(a->nid), show, max);
	/* ISO 3166-1 alpha-2 */
	CW_ENSURE(a->nid != NID_countryName || (a->len == 2 &&
	    a->val[0] >= 'A' && a->val[0] <= 'Z' && a->val[1] >= 'A' &&
	    a->val[1] <= 'Z'), CW_ERR_INPUT, "subject countryName '%s' is not "
	    "a two-letter upper-case country code (RFC 5280 4.1.2.4)", show);
	*str_type = t;
out:
	return rc;
}

static cw_rc
add_name_attrs(X509_NAME *name, const cw_name_attr *attrs, size_t n,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	size_t i;
	int t = V_ASN1_UTF8STRING;

	CW_ENSURE(n <= CW_MAX_SUBJECT_ATTRS && (n == 0 || attrs != NULL),
	    CW_ERR_INPUT, "subject has %zu attributes, more than %d", n,
	    CW_MAX_SUBJECT_ATTRS);
	for (i = 0; i < n; i++) {
		CW_TRY(check_attr(&attrs[i], &t, err));
		/* a string type, not MBSTRING_*: the bytes are taken as they
		 * are, checked above, without a character set conversion */
		CW_ENSURE_OSSL(X509_NAME_add_entry_by_NID(name, attrs[i].nid,
		    t, attrs[i].val, (int)attrs[i].len, -1, 0),
		    "cannot encode subject %s", nid_name(attrs[i].nid));
	}
out:
	return rc;
}

static cw_rc
check_url(const char *url, const char *what, cw_err *err)
{
	cw_rc rc = CW_OK;
	size_t len = strnlen(url, CW_URL_MAX + 1);

	CW_ENSURE(len > 0 && len <= CW_URL_MAX && ascii_ok((const uint8_t *)url,
	    len, false) && memchr(url, ':', len) != NULL, CW_ERR_INPUT,
	    "%s must be an absolute URI of printable ASCII without spaces, at "
	    "most %d octets (RFC 5280 4.2.1.13, 4.2.2.1)", what, CW_URL_MAX);
out:
	return rc;
}

/* A GeneralName of type `type` (GEN_DNS...) holding val. */
static cw_rc
gen_name_new(int type, const uint8_t *val, size_t len, GENERAL_NAME **out,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	GENERAL_NAME *g = NULL;
	ASN1_STRING *s = NULL;

	g = GENERAL_NAME_new();
	s = type == GEN_IPADD ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
	CW_ENSURE(g != NULL && s != NULL, CW_ERR_NOMEM, "out of memory");
	CW_ENSURE_OSSL(ASN1_STRING_set(s, val, (int)len),
	    "cannot encode a general name");
	GENERAL_NAME_set0_value(g, type, s);
	s = NULL;
	*out = g;
	g = NULL;
out:
	ASN1_STRING_free(s);
	GENERAL_NAME_free(g);
	return rc;
}

static int
gn_type(cw_gn_type t)
{
	switch (t) {
	case CW_GN_DNS: return GEN_DNS;
	case CW_GN_IP: return GEN_IPADD;
	case CW_GN_URI: return GEN_URI;
	case CW_GN_EMAIL: return GEN_EMAIL;
	}
	return -1;
}

static const char *
gn_type_name(int type)
{
	switch (type) {
	case GEN_DNS: return "dNSName";
	case GEN_IPADD: return "iPAddress";
	case GEN_URI: return "uniformResourceIdentifier";
	case GEN_EMAIL: return "rfc822Name";
	default: return "other name";
	}
}

/* Key type from the SubjectPublicKeyInfo algorithm. */
static cw_key_type
spki_key_type(X509_PUBKEY *pub)
{
	ASN1_OBJECT *alg = NULL;

	if (!X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, pub))
		return CW_KEYT_UNKNOWN;
	switch (OBJ_obj2nid(alg)) {
	case NID_rsaEncryption: return CW_KEYT_RSA;
	case NID_rsassaPss: return CW_KEYT_RSA_PSS;
	case NID_X9_62_id_ecPublicKey: return CW_KEYT_EC;
	case NID_ED25519: return CW_KEYT_ED25519;
	case NID_ED448: return CW_KEYT_ED448;
	default: return CW_KEYT_UNKNOWN;
	}
}

/* RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING. */
static cw_rc
key_id(X509_PUBKEY *pub, uint8_t id[SHA_DIGEST_LENGTH], cw_err *err)
{
	cw_rc rc = CW_OK;
	const unsigned char *bits = NULL;
	int len = 0;

	CW_ENSURE_OSSL(X509_PUBKEY_get0_param(NULL, &bits, &len, NULL, pub) &&
	    bits != NULL && len > 0, "certificate has no public key");
	SHA1(bits, (size_t)len, id);
out:
	return rc;
}

/*
 * The key identifier an AKI must carry for certificates issued by
 * `issuer`: its subjectKeyIdentifier (RFC 5280 4.2.1.1), or, for an issuer
 * without one, the method 1 identifier of its key.
 */
static cw_rc
issuer_key_id(X509 *issuer, uint8_t *id, size_t *len, cw_err *err)
{
	cw_rc rc = CW_OK;
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(issuer);

	if (ski != NULL) {
		CW_ENSURE(ASN1_STRING_length(ski) > 0 &&
		    ASN1_STRING_length(ski) <= CW_KEYID_MAX, CW_ERR_INPUT,
		    "issuer subjectKeyIdentifier is %d octets",
		    ASN1_STRING_length(ski));
		*len = (size_t)ASN1_STRING_length(ski);
		memcpy(id, ASN1_STRING_get0_data(ski), *len);
	} else {
		ERR_clear_error();
		CW_TRY(key_id(X509_get_X509_PUBKEY(issuer), id, err));
		*len = SHA_DIGEST_LENGTH;
	}
out:
	return rc;
}

/* The issuer must be a CA allowed to sign certificates (or CRLs). */
static cw_rc
check_issuer_ca(X509 *issuer, uint32_t need_ku, const char *need,
    cw_rc code, cw_err *err)
{
	cw_rc rc = CW_OK;
	uint32_t flags = X509_get_extension_flags(issuer);

	CW_ENSURE((flags & EXFLAG_INVALID) == 0, code, "%sissuer certificate "
	    "has invalid or duplicate extensions",
	    code == CW_ERR_NONCOMPLIANT ? "lint: " : "");
	CW_ENSURE((flags & EXFLAG_CA) != 0, code, "%sissuer is not a CA: "
	    "basicConstraints cA is not TRUE (RFC 5280 4.2.1.9)",
	    code == CW_ERR_NONCOMPLIANT ? "lint: " : "");
	CW_ENSURE((X509_get_key_usage(issuer) & need_ku) != 0, code,
	    "%sissuer keyUsage lacks %s (RFC 5280 4.2.1.3)",
	    code == CW_ERR_NONCOMPLIANT ? "lint: " : "", need);
out:
	return rc;
}

static cw_rc
check_key_pair(X509 *cert, EVP_PKEY *key, const char *what, cw_err *err)
{
	cw_rc rc = CW_OK;

	if (X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		CW_ENSURE(0, CW_ERR_INPUT, "%s key does not belong to the %s "
		    "certificate", what, what);
	}
out:
	return rc;
}

/*
 * Digest for a signature by `key`: none for EdDSA (RFC 8410 6: PureEdDSA
 * hashes internally; a requested digest is ignored), else `want` when it
 * is one of SHA-256/384/512, else the hash matching the key's strength.
 */
static cw_rc
pick_md(EVP_PKEY *key, const char *want, const char **md, cw_err *err)
{
	static const char *const allowed[] = {"SHA256", "SHA384", "SHA512"};
	cw_rc rc = CW_OK;
	int id = EVP_PKEY_get_id(key), bits;
	size_t i;

	*md = NULL;
	if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448)
		goto out;
	if (want != NULL) {
		for (i = 0; i < CW_ARRAY_LEN(allowed); i++)
			if (cw_ascii_caseeq((const uint8_t *)want, strlen(want),
			    (const uint8_t *)allowed[i], strlen(allowed[i])))
				*md = allowed[i];
		CW_ENSURE(*md != NULL, CW_ERR_INPUT, "signature digest '%s' is "
		    "not one of SHA256, SHA384, SHA512", want);
		goto out;
	}
	bits = EVP_PKEY_get_bits(key);
	if (id == EVP_PKEY_EC && bits > 384)
		*md = "SHA512";
	else if (id == EVP_PKEY_EC && bits > 256)
		*md = "SHA384";
	else
		*md = "SHA256";
out:
	return rc;
}

static cw_rc
sign_cert(X509 *x, EVP_PKEY *key, const char *md, cw_err *err)
{
	cw_rc rc = CW_OK;
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();

	CW_ENSURE_MEM(mctx);
	CW_ENSURE_OSSL(EVP_DigestSignInit_ex(mctx, NULL, md, NULL, NULL, key,
	    NULL) == 1, "cannot start signing with %s",
	    md != NULL ? md : "the key's own hash");
	CW_ENSURE_OSSL(X509_sign_ctx(x, mctx) > 0,
	    "cannot sign the certificate");
out:
	EVP_MD_CTX_free(mctx);
	return rc;
}

/* --- SubjectPublicKeyInfo ----------------------------------------------------- */

static void
param_free(int ptype, void *pval)
{
	if (ptype == V_ASN1_OBJECT)
		ASN1_OBJECT_free(pval);
	else if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL)
		ASN1_STRING_free(pval);
}

/*
 * Writes the certificate's SubjectPublicKeyInfo from its parts: alg and
 * pval are taken (also on failure), the key bits copied.  Nothing decodes
 * the key, so the X509_PUBKEY keeps no EVP_PKEY (see cert_build.h).
 */
static cw_rc
set_spki(X509 *x, ASN1_OBJECT *alg, int ptype, void *pval,
    const uint8_t *bits, size_t len, cw_err *err)
{
	cw_rc rc = CW_OK;
	unsigned char *copy = NULL;

	CW_ENSURE(alg != NULL && bits != NULL && len > 0 && len <= INT_MAX,
	    CW_ERR_INPUT, "empty or oversized public key");
	copy = OPENSSL_memdup(bits, len);
	CW_ENSURE_MEM(copy);
	CW_ENSURE_OSSL(X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), alg,
	    ptype, pval, copy, (int)len), "cannot set the public key");
	alg = NULL;
	pval = NULL;
	copy = NULL;
out:
	ASN1_OBJECT_free(alg);
	param_free(ptype, pval);
	OPENSSL_free(copy);
	return rc;
}

/* RSAPublicKey DER from the key's n and e (RFC 8017 A.1.1). */
static cw_rc
rsa_pub_der(EVP_PKEY *pkey, unsigned char **der, int *len, cw_err *err)
{
	cw_rc rc = CW_OK;
	BIGNUM *n = NULL, *e = NULL;
	CB_RSAPUB rp = {NULL, NULL};

	CW_ENSURE_OSSL(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) &&
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e),
	    "cannot read the RSA key");
	rp.n = BN_to_ASN1_INTEGER(n, NULL);
	rp.e = BN_to_ASN1_INTEGER(e, NULL);
	CW_ENSURE(rp.n != NULL && rp.e != NULL, CW_ERR_NOMEM, "out of memory");
	*der = NULL;
	*len = ASN1_item_i2d((ASN1_VALUE *)&rp, der, ASN1_ITEM_rptr(CB_RSAPUB));
	CW_ENSURE_OSSL(*len > 0, "cannot encode the RSA key");
out:
	ASN1_INTEGER_free(rp.n);
	ASN1_INTEGER_free(rp.e);
	BN_free(n);
	BN_free(e);
	return rc;
}

/*
 * The public key from an EVP_PKEY.  RSA, EC on a named curve, Ed25519 and
 * Ed448 are written from their raw parts; any other key (RSA-PSS with its
 * parameters, explicit curves) takes the generic, slow X509_set_pubkey.
 */
static cw_rc
set_pubkey(X509 *x, EVP_PKEY *pkey, cw_err *err)
{
	cw_rc rc = CW_OK;
	unsigned char *buf = NULL;
	int len = 0, curve;
	size_t n;
	char group[64];
	uint8_t raw[64];

	switch (EVP_PKEY_get_id(pkey)) {
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_group_name(pkey, group, sizeof(group), &n) ||
		    (curve = OBJ_sn2nid(group)) == NID_undef) {
			ERR_clear_error();
			goto generic;
		}
		n = EVP_PKEY_get1_encoded_public_key(pkey, &buf);
		CW_ENSURE_OSSL(n > 0, "cannot read the EC public key");
		CW_TRY(set_spki(x, OBJ_nid2obj(NID_X9_62_id_ecPublicKey),
		    V_ASN1_OBJECT, OBJ_nid2obj(curve), buf, n, err));
		break;
	case EVP_PKEY_ED25519:
	case EVP_PKEY_ED448:
		n = sizeof(raw);
		CW_ENSURE_OSSL(EVP_PKEY_get_raw_public_key(pkey, raw, &n),
		    "cannot read the EdDSA public key");
		/* RFC 8410 3: parameters absent */
		CW_TRY(set_spki(x, OBJ_nid2obj(EVP_PKEY_get_id(pkey)),
		    V_ASN1_UNDEF, NULL, raw, n, err));
		break;
	case EVP_PKEY_RSA:
		CW_TRY(rsa_pub_der(pkey, &buf, &len, err));
		/* RFC 3279 2.3.1: parameters NULL */
		CW_TRY(set_spki(x, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL,
		    NULL, buf, (size_t)len, err));
		break;
	default:
	generic:
		CW_ENSURE_OSSL(X509_set_pubkey(x, pkey),
		    "cannot set the public key");
		break;
	}
out:
	OPENSSL_free(buf);
	return rc;
}

/* The public key copied from DER SubjectPublicKeyInfo, byte for byte. */
static cw_rc
set_pubkey_spki(X509 *x, const uint8_t *spki, size_t len, cw_err *err)
{
	cw_rc rc = CW_OK;
	const unsigned char *p = spki;
	CB_SPKI *s = NULL;
	const ASN1_OBJECT *aobj;
	const void *pval;
	ASN1_OBJECT *alg = NULL;
	void *param = NULL;
	int ptype = V_ASN1_UNDEF;

	CW_ENSURE(spki != NULL && len > 0 && len <= CW_MAX_CSR_BYTES,
	    CW_ERR_INPUT, "SubjectPublicKeyInfo of %zu octets", len);
	s = (CB_SPKI *)ASN1_item_d2i(NULL, &p, (long)len,
	    ASN1_ITEM_rptr(CB_SPKI));
	CW_ENSURE(s != NULL && p == spki + len, CW_ERR_INPUT,
	    "SubjectPublicKeyInfo does not decode (or has trailing data)");
	CW_ENSURE((s->key->flags & 0x07) == 0 && ASN1_STRING_length(s->key) > 0,
	    CW_ERR_INPUT, "subjectPublicKey has unused bits or is empty");
	X509_ALGOR_get0(&aobj, &ptype, &pval, s->alg);
	alg = OBJ_dup(aobj);
	CW_ENSURE_MEM(alg);
	switch (ptype) {
	case V_ASN1_UNDEF:
	case V_ASN1_NULL:
		break;
	case V_ASN1_OBJECT:
		param = OBJ_dup(pval);
		CW_ENSURE_MEM(param);
		break;
	case V_ASN1_SEQUENCE:
		param = ASN1_STRING_dup(pval);
		CW_ENSURE_MEM(param);
		break;
	default:
		CW_ENSURE(0, CW_ERR_INPUT, "SubjectPublicKeyInfo algorithm "
		    "parameters of type %d", ptype);
	}
	rc = set_spki(x, alg, ptype, param, ASN1_STRING_get0_data(s->key),
	    (size_t)ASN1_STRING_length(s->key), err);
	alg = NULL;
	param = NULL;
out:
	ASN1_OBJECT_free(alg);
	param_free(ptype, param);
	ASN1_item_free((ASN1_VALUE *)s, ASN1_ITEM_rptr(CB_SPKI));
	return rc;
}

/* --- extensions ------------------------------------------------------------ */

static cw_rc
add_ext(X509 *x, int nid, int crit, void *val, cw_err *err)
{
	cw_rc rc = CW_OK;

	/* X509V3_ADD_APPEND: no search for an existing one, no copy */
	CW_ENSURE_OSSL(X509_add1_ext_i2d(x, nid, val, crit,
	    X509V3_ADD_APPEND) == 1, "cannot encode %s", nid_name(nid));
out:
	return rc;
}

static cw_rc
add_bc(X509 *x, bool ca, int pathlen, cw_err *err)
{
	cw_rc rc = CW_OK;
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();

	CW_ENSURE_MEM(bc);
	bc->ca = ca ? 0xff : 0;
	if (ca && pathlen >= 0) {
		bc->pathlen = ASN1_INTEGER_new();
		CW_ENSURE_MEM(bc->pathlen);
		CW_ENSURE_OSSL(ASN1_INTEGER_set(bc->pathlen, pathlen),
		    "cannot encode pathLenConstraint");
	}
	/* RFC 5280 4.2.1.9; critical also for end entities (issue 3 #6) */
	CW_TRY(add_ext(x, NID_basic_constraints, 1, bc, err));
out:
	BASIC_CONSTRAINTS_free(bc);
	return rc;
}

static cw_rc
add_ku(X509 *x, uint32_t ku, cw_err *err)
{
	cw_rc rc = CW_OK;
	ASN1_BIT_STRING *bs = ASN1_BIT_STRING_new();
	int i;

	CW_ENSURE_MEM(bs);
	/* CW_KU_* bit i is RFC 5280 KeyUsage bit i */
	for (i = 0; i < 9; i++)
		if ((ku & (1u << i)) != 0)
			CW_ENSURE_OSSL(ASN1_BIT_STRING_set_bit(bs, i, 1),
			    "cannot encode keyUsage");
	/* RFC 5280 4.2.1.3: SHOULD be critical */
	CW_TRY(add_ext(x, NID_key_usage, 1, bs, err));
out:
	ASN1_BIT_STRING_free(bs);
	return rc;
}

static cw_rc
add_eku(X509 *x, const int *eku, size_t n, cw_err *err)
{
	cw_rc rc = CW_OK;
	EXTENDED_KEY_USAGE *e = NULL;
	ASN1_OBJECT *o;
	size_t i;

	if (n == 0)
		goto out;
	CW_ENSURE(eku != NULL && n <= CW_MAX_EKUS, CW_ERR_INPUT,
	    "%zu extended key usages, more than %d", n, CW_MAX_EKUS);
	e = sk_ASN1_OBJECT_new_null();
	CW_ENSURE_MEM(e);
	for (i = 0; i < n; i++) {
		o = eku[i] != NID_undef ? OBJ_nid2obj(eku[i]) : NULL;
		CW_ENSURE(o != NULL, CW_ERR_INPUT, "extended key usage with "
		    "unknown NID %d", eku[i]);
		/* OBJ_nid2obj objects are static: nothing to free */
		CW_ENSURE(sk_ASN1_OBJECT_push(e, o) > 0, CW_ERR_NOMEM,
		    "out of memory");
	}
	CW_TRY(add_ext(x, NID_ext_key_usage, 0, e, err));
out:
	sk_ASN1_OBJECT_free(e);
	return rc;
}

static cw_rc
add_san(X509 *x, const cw_gen_name *sans, size_t n, bool crit, cw_err *err)
{
	cw_rc rc = CW_OK;
	GENERAL_NAMES *gens = NULL;
	GENERAL_NAME *g = NULL;
	size_t i;
	int type;

	if (n == 0)
		goto out;
	CW_ENSURE(sans != NULL && n <= CW_MAX_SANS, CW_ERR_INPUT,
	    "%zu subjectAltNames, more than %d", n, CW_MAX_SANS);
	gens = sk_GENERAL_NAME_new_null();
	CW_ENSURE_MEM(gens);
	for (i = 0; i < n; i++) {
		type = gn_type(sans[i].type);
		CW_ENSURE(type >= 0, CW_ERR_INPUT, "subjectAltName %zu has "
		    "unknown type %d", i, (int)sans[i].type);
		CW_ENSURE(sans[i].val != NULL || sans[i].len == 0, CW_ERR_INPUT,
		    "subjectAltName %zu has no value", i);
		if (type == GEN_IPADD)
			CW_ENSURE(sans[i].len == 4 || sans[i].len == 16,
			    CW_ERR_INPUT, "subjectAltName %zu: an iPAddress is "
			    "4 or 16 octets, not %zu (RFC 5280 4.2.1.6)", i,
			    sans[i].len);
		else
			/* IA5String; none of these names has a space or a
			 * control character (RFC 5280 4.2.1.6, RFC 3986) */
			CW_ENSURE(sans[i].len <= CW_MAX_NAME_BYTES &&
			    ascii_ok(sans[i].val, sans[i].len, false),
			    CW_ERR_INPUT, "subjectAltName %zu: a %s must be "
			    "printable ASCII without spaces, at most %d octets",
			    i, gn_type_name(type), CW_MAX_NAME_BYTES);
		CW_TRY(gen_name_new(type, sans[i].val, sans[i].len, &g, err));
		CW_ENSURE(sk_GENERAL_NAME_push(gens, g) > 0, CW_ERR_NOMEM,
		    "out of memory");
		g = NULL;
	}
	CW_TRY(add_ext(x, NID_subject_alt_name, crit ? 1 : 0, gens, err));
out:
	GENERAL_NAME_free(g);
	GENERAL_NAMES_free(gens);
	return rc;
}

static cw_rc
add_octets_ext(X509 *x, int nid, const uint8_t *id, size_t len, cw_err *err)
{
	cw_rc rc = CW_OK;
	ASN1_OCTET_STRING *os = NULL;
	AUTHORITY_KEYID *akid = NULL;
	void *val;

	os = ASN1_OCTET_STRING_new();
	CW_ENSURE_MEM(os);
	CW_ENSURE_OSSL(ASN1_OCTET_STRING_set(os, id, (int)len),
	    "cannot encode a key identifier");
	if (nid == NID_authority_key_identifier) {
		akid = AUTHORITY_KEYID_new();
		CW_ENSURE_MEM(akid);
		akid->keyid = os;
		os = NULL;
		val = akid;
	} else {
		val = os;
	}
	/* RFC 5280 4.2.1.1, 4.2.1.2: MUST NOT be critical */
	CW_TRY(add_ext(x, nid, 0, val, err));
out:
	ASN1_OCTET_STRING_free(os);
	AUTHORITY_KEYID_free(akid);
	return rc;
}

static cw_rc
add_crldp(X509 *x, const char *url, cw_err *err)
{
	cw_rc rc = CW_OK;
	CRL_DIST_POINTS *dps = NULL;
	DIST_POINT *dp = NULL;
	GENERAL_NAME *g = NULL;

	if (url == NULL)
		goto out;
	CW_TRY(check_url(url, "CRL distribution point", err));
	dps = sk_DIST_POINT_new_null();
	dp = DIST_POINT_new();
	CW_ENSURE(dps != NULL && dp != NULL, CW_ERR_NOMEM, "out of memory");
	dp->distpoint = DIST_POINT_NAME_new();
	CW_ENSURE_MEM(dp->distpoint);
	dp->distpoint->type = 0; /* fullName */
	dp->distpoint->name.fullname = sk_GENERAL_NAME_new_null();
	CW_ENSURE_MEM(dp->distpoint->name.fullname);
	CW_TRY(gen_name_new(GEN_URI, (const uint8_t *)url, strlen(url), &g,
	    err));
	CW_ENSURE(sk_GENERAL_NAME_push(dp->distpoint->name.fullname, g) > 0,
	    CW_ERR_NOMEM, "out of memory");
	g = NULL;
	CW_ENSURE(sk_DIST_POINT_push(dps, dp) > 0, CW_ERR_NOMEM,
	    "out of memory");
	dp = NULL;
	/* RFC 5280 4.2.1.13: SHOULD be non-critical */
	CW_TRY(add_ext(x, NID_crl_distribution_points, 0, dps, err));
out:
	GENERAL_NAME_free(g);
	DIST_POINT_free(dp);
	CRL_DIST_POINTS_free(dps);
	return rc;
}

static cw_rc
push_access(AUTHORITY_INFO_ACCESS *aia, int method, const char *url,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	ACCESS_DESCRIPTION *ad = NULL;
	GENERAL_NAME *g = NULL;

	CW_TRY(gen_name_new(GEN_URI, (const uint8_t *)url, strlen(url), &g,
	    err));
	ad = ACCESS_DESCRIPTION_new();
	CW_ENSURE_MEM(ad);
	ASN1_OBJECT_free(ad->method);
	ad->method = OBJ_nid2obj(method);
	GENERAL_NAME_free(ad->location);
	ad->location = g;
	g = NULL;
	CW_ENSURE(sk_ACCESS_DESCRIPTION_push(aia, ad) > 0, CW_ERR_NOMEM,
	    "out of memory");
	ad = NULL;
out:
	GENERAL_NAME_free(g);
	ACCESS_DESCRIPTION_free(ad);
	return rc;
}

static cw_rc
add_aia(X509 *x, const char *ocsp, const char *ca_issuers, cw_err *err)
{
	cw_rc rc = CW_OK;
	AUTHORITY_INFO_ACCESS *aia = NULL;

	if (ocsp == NULL && ca_issuers == NULL)
		goto out;
	aia = sk_ACCESS_DESCRIPTION_new_null();
	CW_ENSURE_MEM(aia);
	if (ocsp != NULL) {
		CW_TRY(check_url(ocsp, "OCSP URL", err));
		CW_TRY(push_access(aia, NID_ad_OCSP, ocsp, err));
	}
	if (ca_issuers != NULL) {
		CW_TRY(check_url(ca_issuers, "caIssuers URL", err));
		CW_TRY(push_access(aia, NID_ad_ca_issuers, ca_issuers, err));
	}
	/* RFC 5280 4.2.2.1: MUST be non-critical */
	CW_TRY(add_ext(x, NID_info_access, 0, aia, err));
out:
	AUTHORITY_INFO_ACCESS_free(aia);
	return rc;
}

/* --- the lint -------------------------------------------------------------- */

static cw_rc
lint_serial(X509 *cert, const cw_cert_profile *p, cw_err *err)
{
	cw_rc rc = CW_OK;
	const ASN1_INTEGER *sn = X509_get0_serialNumber(cert);
	ASN1_INTEGER *want = NULL;
	const char *why;

	LINT(sn != NULL, "no serial number");
	why = int_problem(sn, false);
	LINT(why == NULL, "serial number %s (RFC 5280 4.1.2.2: a positive "
	    "integer of at most 20 octets)", why);
	CW_TRY(int_from_octets(p->serial, p->serial_len, "profile serial",
	    &want, err));
	LINT(ASN1_INTEGER_cmp(sn, want) == 0,
	    "serial number differs from the profile");
out:
	ASN1_INTEGER_free(want);
	return rc;
}

/* RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
static cw_rc
lint_time(const ASN1_TIME *t, int64_t want, const char *what, cw_err *err)
{
	cw_rc rc = CW_OK;
	char buf[40];
	struct tm tm;

	LINT(t != NULL && ASN1_TIME_to_tm(t, &tm), "%s is not a valid time",
	    what);
	LINT(ASN1_TIME_cmp_time_t(t, (time_t)want) == 0,
	    "%s %s differs from the profile", what, fmt_time(t, buf,
	    sizeof(buf)));
	LINT(ASN1_STRING_type(t) == (tm.tm_year + 1900 < 2050 ?
	    V_ASN1_UTCTIME : V_ASN1_GENERALIZEDTIME), "%s %s is not encoded as "
	    "%s (RFC 5280 4.1.2.5)", what, fmt_time(t, buf, sizeof(buf)),
	    tm.tm_year + 1900 < 2050 ? "UTCTime" : "GeneralizedTime");
out:
	if (rc != CW_OK)
		ERR_clear_error();
	return rc;
}

static cw_rc
lint_validity(X509 *cert, const cw_cert_profile *p, X509 *issuer,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	const ASN1_TIME *nb = X509_get0_notBefore(cert);
	const ASN1_TIME *na = X509_get0_notAfter(cert);
	const ASN1_TIME *inb = X509_get0_notBefore(issuer);
	const ASN1_TIME *ina = X509_get0_notAfter(issuer);
	char a[40], b[40];

	CW_TRY(lint_time(nb, p->not_before, "notBefore", err));
	CW_TRY(lint_time(na, p->not_after, "notAfter", err));
	LINT(ASN1_TIME_compare(nb, na) < 0, "notBefore %s is not before "
	    "notAfter %s (RFC 5280 4.1.2.5)", fmt_time(nb, a, sizeof(a)),
	    fmt_time(na, b, sizeof(b)));
	/* issue 3 #6: validity capped by the issuer's own; a certificate
	 * outliving its issuer fails path validation (RFC 5280 6.1.3) */
	LINT(ASN1_TIME_compare(na, ina) <= 0, "notAfter %s is after the "
	    "issuer's notAfter %s", fmt_time(na, a, sizeof(a)),
	    fmt_time(ina, b, sizeof(b)));
	LINT(ASN1_TIME_compare(nb, inb) >= 0, "notBefore %s is before the "
	    "issuer's notBefore %s", fmt_time(nb, a, sizeof(a)),
	    fmt_time(inb, b, sizeof(b)));
out:
	return rc;
}

static cw_rc
lint_subject(X509 *cert, const cw_cert_profile *p, cw_err *err)
{
	cw_rc rc = CW_OK;
	const X509_NAME *name = X509_get_subject_name(cert);
	const X509_NAME_ENTRY *ne;
	const ASN1_STRING *v;
	size_t i, max;
	int n = X509_NAME_entry_count(name);

	LINT(n >= 0 && (size_t)n == p->n_subject, "subject has %d attributes, "
	    "the profile %zu", n, p->n_subject);
	for (i = 0; i < p->n_subject; i++) {
		ne = X509_NAME_get_entry(name, (int)i);
		v = X509_NAME_ENTRY_get_data(ne);
		LINT(OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne)) ==
		    p->subject[i].nid && v != NULL &&
		    (size_t)ASN1_STRING_length(v) == p->subject[i].len &&
		    memcmp(ASN1_STRING_get0_data(v), p->subject[i].val,
		    p->subject[i].len) == 0, "subject attribute %zu (%s) "
		    "differs from the profile", i, nid_name(p->subject[i].nid));
		LINT(ASN1_STRING_type(v) == attr_str_type(p->subject[i].nid,
		    &max), "subject %s is a %s, not a %s (RFC 5280 4.1.2.4)",
		    nid_name(p->subject[i].nid),
		    ASN1_tag2str(ASN1_STRING_type(v)),
		    ASN1_tag2str(attr_str_type(p->subject[i].nid, &max)));
	}
out:
	return rc;
}

/* Every extension once, and only those of an end-entity profile. */
static cw_rc
lint_inventory(X509 *cert, X509_EXTENSION *ext[E_N], cw_err *err)
{
	cw_rc rc = CW_OK;
	X509_EXTENSION *e;
	int i, n = X509_get_ext_count(cert), nid;
	size_t k;
	char oid[80];

	LINT(n <= CW_MAX_EXTENSIONS, "%d extensions", n);
	for (i = 0; i < n; i++) {
		e = X509_get_ext(cert, i);
		nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));
		for (k = 0; k < E_N; k++)
			if (ee_ext_nids[k] == nid)
				break;
		if (k == E_N) {
			OBJ_obj2txt(oid, sizeof(oid),
			    X509_EXTENSION_get_object(e), 0);
			LINT(0, "extension %s is not in the end-entity profile",
			    oid);
		}
		LINT(ext[k] == NULL, "extension %s appears twice (RFC 5280 "
		    "4.2)", nid_name(nid));
		ext[k] = e;
	}
out:
	return rc;
}

static cw_rc
lint_bc(X509_EXTENSION *ext, cw_err *err)
{
	cw_rc rc = CW_OK;
	BASIC_CONSTRAINTS *bc = NULL;

	LINT(ext != NULL, "basicConstraints is missing (issue 3 #6: CA:FALSE, "
	    "critical)");
	LINT(X509_EXTENSION_get_critical(ext), "basicConstraints is not "
	    "critical (issue 3 #6)");
	bc = X509V3_EXT_d2i(ext);
	LINT(bc != NULL, "basicConstraints does not decode");
	LINT(!bc->ca, "basicConstraints says cA TRUE in an end-entity "
	    "certificate");
	LINT(bc->pathlen == NULL, "pathLenConstraint without cA (RFC 5280 "
	    "4.2.1.9)");
out:
	BASIC_CONSTRAINTS_free(bc);
	ERR_clear_error();
	return rc;
}

static cw_rc
lint_ku(X509_EXTENSION *ext, cw_key_type kt, const cw_cert_profile *p,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	ASN1_BIT_STRING *bs = NULL;
	uint32_t ku = 0, bit;
	size_t k;
	int i;

	LINT(ext != NULL, "keyUsage is missing");
	LINT(X509_EXTENSION_get_critical(ext), "keyUsage is not critical "
	    "(RFC 5280 4.2.1.3)");
	bs = X509V3_EXT_d2i(ext);
	LINT(bs != NULL, "keyUsage does not decode");
	for (i = 0; i < ASN1_STRING_length(bs) * 8; i++)
		if (ASN1_BIT_STRING_get_bit(bs, i)) {
			LINT(i < 9, "keyUsage has unknown bit %d", i);
			ku |= 1u << i;
		}
	LINT(ku != 0, "keyUsage has no bit set (RFC 5280 4.2.1.3)");
	for (k = 0; k < CW_ARRAY_LEN(ku_rules); k++)
		if (ku_rules[k].type == kt)
			break;
	LINT(k < CW_ARRAY_LEN(ku_rules), "no keyUsage rules for a %s key",
	    cw_key_type_name(kt));
	LINT((ku & CW_KU_KEY_CERT_SIGN) == 0, "keyUsage keyCertSign without "
	    "cA TRUE (RFC 5280 4.2.1.3)");
	for (bit = 1; bit <= CW_KU_DECIPHER_ONLY; bit <<= 1)
		LINT((ku & bit) == 0 || (ku_rules[k].allowed & bit) != 0,
		    "keyUsage %s on %s (%s)", cw_ku_name(bit), ku_rules[k].what,
		    ku_rules[k].rule);
	LINT((ku & (CW_KU_ENCIPHER_ONLY | CW_KU_DECIPHER_ONLY)) == 0 ||
	    (ku & CW_KU_KEY_AGREEMENT) != 0, "keyUsage encipherOnly or "
	    "decipherOnly without keyAgreement (RFC 5280 4.2.1.3)");
	LINT(ku == p->key_usage, "keyUsage 0x%03x differs from the profile's "
	    "0x%03x", (unsigned)ku, (unsigned)p->key_usage);
out:
	ASN1_BIT_STRING_free(bs);
	ERR_clear_error();
	return rc;
}

static cw_rc
lint_eku(X509_EXTENSION *ext, const cw_cert_profile *p, cw_err *err)
{
	cw_rc rc = CW_OK;
	EXTENDED_KEY_USAGE *e = NULL;
	int i, j, n;

	if (p->n_eku == 0) {
		LINT(ext == NULL, "extKeyUsage present, the profile has none");
		goto out;
	}
	LINT(ext != NULL, "extKeyUsage is missing");
	LINT(!X509_EXTENSION_get_critical(ext), "extKeyUsage is critical");
	e = X509V3_EXT_d2i(ext);
	LINT(e != NULL, "extKeyUsage does not decode");
	n = sk_ASN1_OBJECT_num(e);
	LINT(n >= 0 && (size_t)n == p->n_eku, "extKeyUsage has %d purposes, "
	    "the profile %zu", n, p->n_eku);
	for (i = 0; i < n; i++) {
		LINT(OBJ_obj2nid(sk_ASN1_OBJECT_value(e, i)) == p->eku[i],
		    "extKeyUsage purpose %d differs from the profile (%s)", i,
		    nid_name(p->eku[i]));
		for (j = 0; j < i; j++)
			LINT(OBJ_cmp(sk_ASN1_OBJECT_value(e, i),
			    sk_ASN1_OBJECT_value(e, j)) != 0,
			    "extKeyUsage lists %s twice", nid_name(p->eku[i]));
	}
out:
	EXTENDED_KEY_USAGE_free(e);
	ERR_clear_error();
	return rc;
}

static cw_rc
lint_san(X509_EXTENSION *ext, const cw_cert_profile *p, bool subject_empty,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	GENERAL_NAMES *gens = NULL;
	const ASN1_STRING *v;
	int i, n, type;

	if (p->n_sans == 0) {
		LINT(ext == NULL, "subjectAltName present, the profile has "
		    "none");
		LINT(!subject_empty, "empty subject and no subjectAltName "
		    "(RFC 5280 4.1.2.6)");
		goto out;
	}
	LINT(ext != NULL, "subjectAltName is missing");
	/* RFC 5280 4.2.1.6: critical when the subject is empty, SHOULD
	 * be non-critical otherwise */
	if (subject_empty)
		LINT(X509_EXTENSION_get_critical(ext), "subjectAltName is not "
		    "critical although the subject is empty (RFC 5280 "
		    "4.2.1.6)");
	else
		LINT(!X509_EXTENSION_get_critical(ext), "subjectAltName is "
		    "critical although the subject is not empty (RFC 5280 "
		    "4.2.1.6)");
	gens = X509V3_EXT_d2i(ext);
	LINT(gens != NULL, "subjectAltName does not decode");
	n = sk_GENERAL_NAME_num(gens);
	LINT(n >= 0 && (size_t)n == p->n_sans, "subjectAltName has %d names, "
	    "the profile %zu", n, p->n_sans);
	for (i = 0; i < n; i++) {
		v = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(gens, i),
		    &type);
		LINT(type == gn_type(p->sans[i].type) && v != NULL,
		    "subjectAltName %d has type %s, the profile %s", i,
		    gn_type_name(type), gn_type_name(gn_type(p->sans[i].type)));
		LINT(ASN1_STRING_length(v) > 0, "subjectAltName %d is an empty "
		    "%s (RFC 5280 4.2.1.6)", i, gn_type_name(type));
		LINT((size_t)ASN1_STRING_length(v) == p->sans[i].len &&
		    memcmp(ASN1_STRING_get0_data(v), p->sans[i].val,
		    p->sans[i].len) == 0, "subjectAltName %d differs from the "
		    "profile", i);
	}
out:
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	return rc;
}

static cw_rc
lint_key_ids(X509_EXTENSION *ski_ext, X509_EXTENSION *aki_ext, X509 *cert,
    X509 *issuer, cw_err *err)
{
	cw_rc rc = CW_OK;
	ASN1_OCTET_STRING *ski = NULL;
	AUTHORITY_KEYID *aki = NULL;
	uint8_t id[SHA_DIGEST_LENGTH], iid[CW_KEYID_MAX];
	size_t ilen = 0;

	LINT(ski_ext != NULL, "subjectKeyIdentifier is missing (RFC 5280 "
	    "4.2.1.2)");
	LINT(!X509_EXTENSION_get_critical(ski_ext), "subjectKeyIdentifier is "
	    "critical (RFC 5280 4.2.1.2)");
	ski = X509V3_EXT_d2i(ski_ext);
	LINT(ski != NULL, "subjectKeyIdentifier does not decode");
	CW_TRY(key_id(X509_get_X509_PUBKEY(cert), id, err));
	LINT(ASN1_STRING_length(ski) == SHA_DIGEST_LENGTH &&
	    memcmp(ASN1_STRING_get0_data(ski), id, sizeof(id)) == 0,
	    "subjectKeyIdentifier is not the SHA-1 of the public key (RFC "
	    "5280 4.2.1.2 method 1)");

	LINT(aki_ext != NULL, "authorityKeyIdentifier is missing (RFC 5280 "
	    "4.2.1.1)");
	LINT(!X509_EXTENSION_get_critical(aki_ext), "authorityKeyIdentifier "
	    "is critical (RFC 5280 4.2.1.1)");
	aki = X509V3_EXT_d2i(aki_ext);
	LINT(aki != NULL, "authorityKeyIdentifier does not decode");
	CW_TRY(issuer_key_id(issuer, iid, &ilen, err));
	LINT(aki->keyid != NULL && (size_t)ASN1_STRING_length(aki->keyid) ==
	    ilen && memcmp(ASN1_STRING_get0_data(aki->keyid), iid, ilen) == 0,
	    "authorityKeyIdentifier is not the issuer's key identifier (RFC "
	    "5280 4.2.1.1)");
	LINT(aki->issuer == NULL && aki->serial == NULL,
	    "authorityKeyIdentifier names issuer and serial");
out:
	ASN1_OCTET_STRING_free(ski);
	AUTHORITY_KEYID_free(aki);
	ERR_clear_error();
	return rc;
}

/* True when g is a URI equal to url. */
static bool
uri_is(const GENERAL_NAME *g, const char *url)
{
	const ASN1_STRING *v;
	int type;

	v = GENERAL_NAME_get0_value(g, &type);
	return type == GEN_URI && v != NULL &&
	    (size_t)ASN1_STRING_length(v) == strlen(url) &&
	    memcmp(ASN1_STRING_get0_data(v), url, strlen(url)) == 0;
}

static cw_rc
lint_crldp(X509_EXTENSION *ext, const cw_cert_profile *p, cw_err *err)
{
	cw_rc rc = CW_OK;
	CRL_DIST_POINTS *dps = NULL;
	DIST_POINT *dp;

	if (p->crl_url == NULL) {
		LINT(ext == NULL, "cRLDistributionPoints present, the profile "
		    "has none");
		goto out;
	}
	LINT(ext != NULL, "cRLDistributionPoints is missing");
	LINT(!X509_EXTENSION_get_critical(ext), "cRLDistributionPoints is "
	    "critical (RFC 5280 4.2.1.13)");
	dps = X509V3_EXT_d2i(ext);
	LINT(dps != NULL && sk_DIST_POINT_num(dps) == 1,
	    "cRLDistributionPoints is not one distribution point");
	dp = sk_DIST_POINT_value(dps, 0);
	LINT(dp->distpoint != NULL && dp->distpoint->type == 0 &&
	    sk_GENERAL_NAME_num(dp->distpoint->name.fullname) == 1 &&
	    uri_is(sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 0),
	    p->crl_url) && dp->reasons == NULL && dp->CRLissuer == NULL,
	    "cRLDistributionPoints differs from the profile's URL");
out:
	CRL_DIST_POINTS_free(dps);
	ERR_clear_error();
	return rc;
}

static cw_rc
lint_aia(X509_EXTENSION *ext, const cw_cert_profile *p, cw_err *err)
{
	cw_rc rc = CW_OK;
	AUTHORITY_INFO_ACCESS *aia = NULL;
	ACCESS_DESCRIPTION *ad;
	int i = 0, n;

	if (p->ocsp_url == NULL && p->ca_issuers_url == NULL) {
		LINT(ext == NULL, "authorityInfoAccess present, the profile "
		    "has none");
		goto out;
	}
	LINT(ext != NULL, "authorityInfoAccess is missing");
	LINT(!X509_EXTENSION_get_critical(ext), "authorityInfoAccess is "
	    "critical (RFC 5280 4.2.2.1)");
	aia = X509V3_EXT_d2i(ext);
	LINT(aia != NULL, "authorityInfoAccess does not decode");
	n = sk_ACCESS_DESCRIPTION_num(aia);
	LINT(n == (p->ocsp_url != NULL) + (p->ca_issuers_url != NULL),
	    "authorityInfoAccess has %d entries", n);
	if (p->ocsp_url != NULL) {
		ad = sk_ACCESS_DESCRIPTION_value(aia, i++);
		LINT(OBJ_obj2nid(ad->method) == NID_ad_OCSP &&
		    uri_is(ad->location, p->ocsp_url), "authorityInfoAccess "
		    "OCSP differs from the profile");
	}
	if (p->ca_issuers_url != NULL) {
		ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		LINT(OBJ_obj2nid(ad->method) == NID_ad_ca_issuers &&
		    uri_is(ad->location, p->ca_issuers_url),
		    "authorityInfoAccess caIssuers differs from the profile");
	}
out:
	AUTHORITY_INFO_ACCESS_free(aia);
	ERR_clear_error();
	return rc;
}

/*
 * Lints `cert` against p and RFC 5280 (see cert_build.h for the list).
 * Returns CW_OK, or CW_ERR_NONCOMPLIANT with "lint: <rule>" in err.
 */
cw_rc
cw_cert_lint(X509 *cert, const cw_cert_profile *p, X509 *issuer, cw_err *err)
{
	cw_rc rc = CW_OK;
	X509_EXTENSION *ext[E_N] = {NULL};
	const ASN1_BIT_STRING *iuid = NULL, *suid = NULL;
	cw_key_type kt;

	CW_ENSURE(cert != NULL && p != NULL && issuer != NULL,
	    CW_ERR_INTERNAL, "cw_cert_lint: missing argument");
	CW_ENSURE((p->n_subject == 0 || p->subject != NULL) &&
	    (p->n_sans == 0 || p->sans != NULL) &&
	    (p->n_eku == 0 || p->eku != NULL), CW_ERR_INPUT,
	    "profile counts entries it does not give");
	LINT(X509_get_version(cert) == X509_VERSION_3, "not a version 3 "
	    "certificate (RFC 5280 4.1.2.1)");
	CW_TRY(lint_serial(cert, p, err));
	CW_TRY(check_issuer_ca(issuer, KU_KEY_CERT_SIGN, "keyCertSign",
	    CW_ERR_NONCOMPLIANT, err));
	LINT(X509_NAME_cmp(X509_get_issuer_name(cert),
	    X509_get_subject_name(issuer)) == 0, "issuer name is not the "
	    "issuer certificate's subject (RFC 5280 4.1.2.4)");
	CW_TRY(lint_validity(cert, p, issuer, err));
	CW_TRY(lint_subject(cert, p, err));
	X509_get0_uids(cert, &iuid, &suid);
	LINT(iuid == NULL && suid == NULL, "unique identifiers present (RFC "
	    "5280 4.1.2.8)");
	kt = spki_key_type(X509_get_X509_PUBKEY(cert));
	LINT(kt != CW_KEYT_UNKNOWN, "public key algorithm is not one "
	    "certward issues for (RSA, RSA-PSS, EC, Ed25519, Ed448)");
	CW_TRY(lint_inventory(cert, ext, err));
	CW_TRY(lint_bc(ext[E_BC], err));
	CW_TRY(lint_ku(ext[E_KU], kt, p, err));
	CW_TRY(lint_eku(ext[E_EKU], p, err));
	CW_TRY(lint_san(ext[E_SAN], p, p->n_subject == 0, err));
	CW_TRY(lint_key_ids(ext[E_SKI], ext[E_AKI], cert, issuer, err));
	CW_TRY(lint_crldp(ext[E_CRLDP], p, err));
	CW_TRY(lint_aia(ext[E_AIA], p, err));
out:
	return rc;
}

/* --- issuance -------------------------------------------------------------- */

/* Exactly one of pubkey and spki is given. */
static cw_rc
issue(const cw_cert_profile *p, EVP_PKEY *pubkey, const uint8_t *spki,
    size_t spki_len, X509 *issuer, EVP_PKEY *issuer_key, X509 **out,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	X509 *x = NULL;
	ASN1_INTEGER *serial = NULL;
	uint8_t id[SHA_DIGEST_LENGTH], iid[CW_KEYID_MAX];
	size_t ilen = 0;
	const char *md = NULL;

	CW_ENSURE(p != NULL && issuer != NULL && issuer_key != NULL &&
	    out != NULL, CW_ERR_INTERNAL, "cw_cert_issue: missing argument");
	*out = NULL;
	CW_ENSURE((p->key_usage & ~CW_KU_ALL) == 0, CW_ERR_INPUT,
	    "profile key usage 0x%x has unknown bits", (unsigned)p->key_usage);
	CW_TRY(pick_md(issuer_key, p->md, &md, err));
	/* ~1 us: a wrong key would make certificates no one can verify */
	CW_TRY(check_key_pair(issuer, issuer_key, "issuer", err));

	x = X509_new();
	CW_ENSURE_MEM(x);
	CW_ENSURE_OSSL(X509_set_version(x, X509_VERSION_3),
	    "cannot set the version");
	CW_TRY(int_from_octets(p->serial, p->serial_len, "serial number",
	    &serial, err));
	CW_ENSURE_OSSL(X509_set_serialNumber(x, serial),
	    "cannot set the serial number");
	CW_ENSURE_OSSL(X509_set_issuer_name(x, X509_get_subject_name(issuer)),
	    "cannot set the issuer name");
	CW_TRY(set_time(X509_getm_notBefore(x), p->not_before, "notBefore",
	    err));
	CW_TRY(set_time(X509_getm_notAfter(x), p->not_after, "notAfter", err));
	/* in place: X509_set_subject_name would copy the name again */
	CW_TRY(add_name_attrs(X509_get_subject_name(x), p->subject,
	    p->n_subject, err));
	if (pubkey != NULL)
		CW_TRY(set_pubkey(x, pubkey, err));
	else
		CW_TRY(set_pubkey_spki(x, spki, spki_len, err));

	CW_TRY(add_bc(x, false, -1, err));
	CW_TRY(add_ku(x, p->key_usage, err));
	CW_TRY(add_eku(x, p->eku, p->n_eku, err));
	CW_TRY(add_san(x, p->sans, p->n_sans, p->n_subject == 0, err));
	CW_TRY(key_id(X509_get_X509_PUBKEY(x), id, err));
	CW_TRY(add_octets_ext(x, NID_subject_key_identifier, id, sizeof(id),
	    err));
	CW_TRY(issuer_key_id(issuer, iid, &ilen, err));
	CW_TRY(add_octets_ext(x, NID_authority_key_identifier, iid, ilen,
	    err));
	CW_TRY(add_crldp(x, p->crl_url, err));
	CW_TRY(add_aia(x, p->ocsp_url, p->ca_issuers_url, err));

	/* DESIGN 8: a certificate that fails the lint is never signed */
	CW_TRY(cw_cert_lint(x, p, issuer, err));
	CW_TRY(sign_cert(x, issuer_key, md, err));
	*out = x;
	x = NULL;
out:
	ASN1_INTEGER_free(serial);
	X509_free(x);
	return rc;
}

/*
 * Builds, lints and signs the certificate for `pubkey` under `issuer`.
 * See cert_build.h.
 */
cw_rc
cw_cert_issue(const cw_cert_profile *p, EVP_PKEY *pubkey, X509 *issuer,
    EVP_PKEY *issuer_key, X509 **out, cw_err *err)
{
	cw_rc rc = CW_OK;

	CW_ENSURE(pubkey != NULL, CW_ERR_INTERNAL,
	    "cw_cert_issue: missing argument");
	rc = issue(p, pubkey, NULL, 0, issuer, issuer_key, out, err);
out:
	return rc;
}

/*
 * Same as cw_cert_issue with the subject key as DER SubjectPublicKeyInfo,
 * copied into the certificate unchanged.  See cert_build.h.
 */
cw_rc
cw_cert_issue_spki(const cw_cert_profile *p, const uint8_t *spki,
    size_t spki_len, X509 *issuer, EVP_PKEY *issuer_key, X509 **out,
    cw_err *err)
{
	cw_rc rc = CW_OK;

	CW_ENSURE(spki != NULL, CW_ERR_INTERNAL,
	    "cw_cert_issue_spki: missing argument");
	rc = issue(p, NULL, spki, spki_len, issuer, issuer_key, out, err);
out:
	return rc;
}

/* --- CA certificates ------------------------------------------------------ */

/*
 * Makes a root (parent NULL, self-signed, pathlen 1) or an intermediate
 * (signed by parent_key, pathlen 0).  See cert_build.h.
 */
cw_rc
cw_ca_cert_make(EVP_PKEY *key, const char *subject_cn, const char *org,
    int64_t not_before, int64_t not_after, X509 *parent, EVP_PKEY *parent_key,
    X509 **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	X509 *x = NULL;
	ASN1_INTEGER *serial = NULL;
	cw_name_attr attrs[2];
	size_t n_attrs = 0, ilen = 0;
	uint8_t sn[CW_CA_SERIAL_LEN], id[SHA_DIGEST_LENGTH], iid[CW_KEYID_MAX];
	EVP_PKEY *signer = parent != NULL ? parent_key : key;
	const char *md = NULL;
	char a[40], b[40];

	CW_ENSURE(key != NULL && subject_cn != NULL && out != NULL &&
	    (parent == NULL) == (parent_key == NULL), CW_ERR_INTERNAL,
	    "cw_ca_cert_make: missing argument");
	*out = NULL;
	CW_ENSURE(not_before < not_after, CW_ERR_INPUT, "CA validity: "
	    "notBefore must be before notAfter (RFC 5280 4.1.2.5)");
	if (org != NULL) {
		attrs[n_attrs].nid = NID_organizationName;
		attrs[n_attrs].val = (const uint8_t *)org;
		attrs[n_attrs++].len = strnlen(org, CW_MAX_NAME_BYTES + 1);
	}
	attrs[n_attrs].nid = NID_commonName;
	attrs[n_attrs].val = (const uint8_t *)subject_cn;
	attrs[n_attrs++].len = strnlen(subject_cn, CW_MAX_NAME_BYTES + 1);
	CW_TRY(pick_md(signer, NULL, &md, err));

	x = X509_new();
	CW_ENSURE_MEM(x);
	CW_ENSURE_OSSL(X509_set_version(x, X509_VERSION_3),
	    "cannot set the version");
	/* RFC 5280 4.1.2.2: positive, unique; 126 random bits, 16 octets */
	CW_ENSURE_OSSL(RAND_bytes(sn, sizeof(sn)) == 1,
	    "no random serial number");
	sn[0] = (uint8_t)((sn[0] & 0x3f) | 0x40);
	CW_TRY(int_from_octets(sn, sizeof(sn), "serial number", &serial, err));
	CW_ENSURE_OSSL(X509_set_serialNumber(x, serial),
	    "cannot set the serial number");
	CW_TRY(add_name_attrs(X509_get_subject_name(x), attrs, n_attrs, err));
	CW_ENSURE_OSSL(X509_set_issuer_name(x, parent != NULL ?
	    X509_get_subject_name(parent) : X509_get_subject_name(x)),
	    "cannot set the issuer name");
	CW_TRY(set_time(X509_getm_notBefore(x), not_before, "notBefore", err));
	CW_TRY(set_time(X509_getm_notAfter(x), not_after, "notAfter", err));
	/* CA certificates are rare: the generic path keeps the EVP_PKEY
	 * cached in the certificate, which verification wants */
	CW_ENSURE_OSSL(X509_set_pubkey(x, key), "cannot set the public key");
	CW_TRY(key_id(X509_get_X509_PUBKEY(x), id, err));
	if (parent != NULL) {
		CW_TRY(check_issuer_ca(parent, KU_KEY_CERT_SIGN, "keyCertSign",
		    CW_ERR_INPUT, err));
		CW_TRY(check_key_pair(parent, parent_key, "parent", err));
		CW_ENSURE(ASN1_TIME_compare(X509_get0_notAfter(x),
		    X509_get0_notAfter(parent)) <= 0 &&
		    ASN1_TIME_compare(X509_get0_notBefore(x),
		    X509_get0_notBefore(parent)) >= 0, CW_ERR_INPUT,
		    "intermediate validity is not inside the parent's "
		    "(%s..%s)", fmt_time(X509_get0_notBefore(parent), a,
		    sizeof(a)), fmt_time(X509_get0_notAfter(parent), b,
		    sizeof(b)));
		CW_TRY(issuer_key_id(parent, iid, &ilen, err));
	} else {
		memcpy(iid, id, sizeof(id));
		ilen = sizeof(id);
	}
	/* RFC 5280 4.2.1.9: a root may certify one level of CA below it,
	 * the issuing intermediate only end entities */
	CW_TRY(add_bc(x, true, parent != NULL ? 0 : 1, err));
	CW_TRY(add_ku(x, CW_KU_KEY_CERT_SIGN | CW_KU_CRL_SIGN, err));
	CW_TRY(add_octets_ext(x, NID_subject_key_identifier, id, sizeof(id),
	    err));
	CW_TRY(add_octets_ext(x, NID_authority_key_identifier, iid, ilen,
	    err));
	CW_TRY(sign_cert(x, signer, md, err));
	*out = x;
	x = NULL;
out:
	ASN1_INTEGER_free(serial);
	X509_free(x);
	return rc;
}

/* --- CRLs -------------------------------------------------------------------- */

static cw_rc
add_revoked(X509_CRL *crl, const cw_revoked *r, size_t i, cw_err *err)
{
	cw_rc rc = CW_OK;
	X509_REVOKED *rev = NULL;
	ASN1_INTEGER *sn = NULL;
	ASN1_TIME *t = NULL;
	ASN1_ENUMERATED *reason = NULL;
	const char *why;

	CW_TRY(int_from_octets(r->serial, r->serial_len, "revoked serial",
	    &sn, err));
	why = int_problem(sn, false);
	CW_ENSURE(why == NULL, CW_ERR_INPUT, "revoked entry %zu: serial number "
	    "%s (RFC 5280 4.1.2.2)", i, why);
	/* RFC 5280 5.3.1: reason 7 is unused; removeFromCRL only appears in
	 * delta CRLs, and this is a complete CRL */
	CW_ENSURE(r->reason >= CRL_REASON_NONE &&
	    r->reason <= CRL_REASON_AA_COMPROMISE && r->reason != 7 &&
	    r->reason != CRL_REASON_REMOVE_FROM_CRL, CW_ERR_INPUT,
	    "revoked entry %zu: reason code %d is not allowed in a complete "
	    "CRL (RFC 5280 5.3.1)", i, r->reason);
	t = ASN1_TIME_new();
	rev = X509_REVOKED_new();
	CW_ENSURE(t != NULL && rev != NULL, CW_ERR_NOMEM, "out of memory");
	CW_TRY(set_time(t, r->time, "revocationDate", err));
	CW_ENSURE_OSSL(X509_REVOKED_set_serialNumber(rev, sn) &&
	    X509_REVOKED_set_revocationDate(rev, t),
	    "cannot encode revoked entry %zu", i);
	/* RFC 5280 5.3.1: absent rather than unspecified */
	if (r->reason > CRL_REASON_UNSPECIFIED) {
		reason = ASN1_ENUMERATED_new();
		CW_ENSURE_MEM(reason);
		CW_ENSURE_OSSL(ASN1_ENUMERATED_set(reason, r->reason) &&
		    X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason, 0,
		    X509V3_ADD_APPEND) == 1, "cannot encode reason code");
	}
	CW_ENSURE_OSSL(X509_CRL_add0_revoked(crl, rev),
	    "cannot add revoked entry %zu", i);
	rev = NULL;
out:
	ASN1_ENUMERATED_free(reason);
	ASN1_TIME_free(t);
	ASN1_INTEGER_free(sn);
	X509_REVOKED_free(rev);
	return rc;
}

/*
 * Makes and signs a complete v2 CRL for `issuer`.  See cert_build.h.
 */
cw_rc
cw_crl_make(X509 *issuer, EVP_PKEY *issuer_key, const cw_revoked *rev,
    size_t n_rev, int64_t this_update, int64_t next_update,
    const uint8_t *crl_number, size_t crl_number_len, X509_CRL **out,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	X509_CRL *crl = NULL;
	ASN1_TIME *t = NULL;
	ASN1_INTEGER *num = NULL;
	AUTHORITY_KEYID *akid = NULL;
	EVP_MD_CTX *mctx = NULL;
	uint8_t iid[CW_KEYID_MAX];
	size_t i, ilen = 0;
	const char *md = NULL, *why;

	CW_ENSURE(issuer != NULL && issuer_key != NULL && out != NULL &&
	    (n_rev == 0 || rev != NULL), CW_ERR_INTERNAL,
	    "cw_crl_make: missing argument");
	*out = NULL;
	CW_ENSURE(this_update < next_update, CW_ERR_INPUT, "CRL nextUpdate "
	    "must be after thisUpdate (RFC 5280 5.1.2.5)");
	CW_TRY(check_issuer_ca(issuer, KU_CRL_SIGN, "cRLSign", CW_ERR_INPUT,
	    err));
	CW_TRY(check_key_pair(issuer, issuer_key, "issuer", err));
	CW_TRY(int_from_octets(crl_number, crl_number_len, "CRL number", &num,
	    err));
	why = int_problem(num, true);
	CW_ENSURE(why == NULL, CW_ERR_INPUT, "CRL number %s (RFC 5280 5.2.3: "
	    "non-negative, at most 20 octets)", why);
	CW_TRY(pick_md(issuer_key, NULL, &md, err));

	crl = X509_CRL_new();
	t = ASN1_TIME_new();
	akid = AUTHORITY_KEYID_new();
	CW_ENSURE(crl != NULL && t != NULL && akid != NULL, CW_ERR_NOMEM,
	    "out of memory");
	CW_ENSURE_OSSL(X509_CRL_set_version(crl, X509_CRL_VERSION_2) &&
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)),
	    "cannot start the CRL");
	CW_TRY(set_time(t, this_update, "thisUpdate", err));
	CW_ENSURE_OSSL(X509_CRL_set1_lastUpdate(crl, t), "cannot set "
	    "thisUpdate");
	CW_TRY(set_time(t, next_update, "nextUpdate", err));
	CW_ENSURE_OSSL(X509_CRL_set1_nextUpdate(crl, t), "cannot set "
	    "nextUpdate");
	/* RFC 5280 5.2.1: AKI keyIdentifier, non-critical */
	CW_TRY(issuer_key_id(issuer, iid, &ilen, err));
	akid->keyid = ASN1_OCTET_STRING_new();
	CW_ENSURE_MEM(akid->keyid);
	CW_ENSURE_OSSL(ASN1_OCTET_STRING_set(akid->keyid, iid, (int)ilen) &&
	    X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0,
	    X509V3_ADD_APPEND) == 1, "cannot encode authorityKeyIdentifier");
	/* RFC 5280 5.2.3: cRLNumber, non-critical */
	CW_ENSURE_OSSL(X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0,
	    X509V3_ADD_APPEND) == 1, "cannot encode cRLNumber");
	for (i = 0; i < n_rev; i++)
		CW_TRY(add_revoked(crl, &rev[i], i, err));
	CW_ENSURE_OSSL(X509_CRL_sort(crl), "cannot sort the CRL");

	mctx = EVP_MD_CTX_new();
	CW_ENSURE_MEM(mctx);
	CW_ENSURE_OSSL(EVP_DigestSignInit_ex(mctx, NULL, md, NULL, NULL,
	    issuer_key, NULL) == 1, "cannot start signing the CRL");
	CW_ENSURE_OSSL(X509_CRL_sign_ctx(crl, mctx) > 0,
	    "cannot sign the CRL");
	*out = crl;
	crl = NULL;
out:
	EVP_MD_CTX_free(mctx);
	AUTHORITY_KEYID_free(akid);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return rc;
}

/* RFC 5280 5.3.1 reason name (exact spelling) to code; -1 if unknown. */
int
cw_crl_reason_from_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < CW_ARRAY_LEN(crl_reasons); i++)
		if (strcmp(crl_reasons[i].name, name) == 0)
			return crl_reasons[i].code;
	return -1;
}

/* RFC 5280 5.3.1 name of a reason code; NULL for 7 and unknown codes. */
const char *
cw_crl_reason_name(int reason)
{
	size_t i;

	for (i = 0; i < CW_ARRAY_LEN(crl_reasons); i++)
		if (crl_reasons[i].code == reason)
			return crl_reasons[i].name;
	return NULL;
}
