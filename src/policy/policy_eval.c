/*
 * policy_eval.c - the policy gate (see policy_eval.h).  One function per
 * rule family; each appends violations with the rule ids documented in
 * docs/rules.md and names the offending value and what the template allows.
 */
#include "policy_eval.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/objects.h>

#include "../common/limits.h"
#include "../common/util.h"
#include "../x509/key_weak.h"
#include "../x509/name_match.h"

#define ESC_MAX (CW_MAX_NAME_BYTES * 4 + 8)

/* Joins a pattern list for a message: "a, b, c" (or "none"). */
static void
join_patterns(const cw_pattern_list *l, char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	if (l->n == 0) {
		snprintf(buf, len, "none");
		return;
	}
	for (i = 0; i < l->n && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
		    l->items[i]);
		if (n < 0)
			return;
		off += (size_t)n;
	}
}

static void
join_cidrs(const cw_template *t, char *buf, size_t len)
{
	size_t i, off = 0;
	char ip[64];
	int n;

	buf[0] = '\0';
	if (t->san.n_ip == 0) {
		snprintf(buf, len, "none");
		return;
	}
	for (i = 0; i < t->san.n_ip && off < len; i++) {
		cw_ip_format(t->san.ip[i].addr, t->san.ip[i].family == 4 ? 4 :
		    16, ip, sizeof(ip));
		n = snprintf(buf + off, len - off, "%s%s/%d", i ? ", " : "", ip,
		    t->san.ip[i].prefix);
		if (n < 0)
			return;
		off += (size_t)n;
	}
}

static void
allowed_keys(const cw_template *t, char *buf, size_t len)
{
	size_t off = 0, i;
	int n;

#define APPEND(...)                                                            \
	do {                                                                   \
		n = snprintf(buf + off, len > off ? len - off : 0,             \
		    __VA_ARGS__);                                              \
		if (n > 0)                                                     \
			off += (size_t)n;                                      \
	} while (0)
	buf[0] = '\0';
	if (t->rsa.allowed)
		APPEND("%srsa %d-%d bits", off ? ", " : "", t->rsa.min_bits,
		    t->rsa.max_bits);
	if (t->rsa_pss.allowed)
		APPEND("%srsa-pss %d-%d bits", off ? ", " : "",
		    t->rsa_pss.min_bits, t->rsa_pss.max_bits);
	if (t->ec.allowed) {
		APPEND("%sec", off ? ", " : "");
		for (i = 0; i < t->ec.n_curves; i++)
			APPEND("%s%s", i ? "/" : " ",
			    cw_curve_name(t->ec.curves[i]));
	}
	if (t->ed25519)
		APPEND("%sed25519", off ? ", " : "");
	if (t->ed448)
		APPEND("%sed448", off ? ", " : "");
	if (off == 0)
		APPEND("none");
#undef APPEND
}

/* --- key ------------------------------------------------------------------ */

static void
eval_rsa(const cw_template *t, const cw_rsa_rule *r, const cw_csr *csr,
    cw_violations *v)
{
	const cw_key_info *k = &csr->key;
	char why[256];

	if (k->bits < r->min_bits || k->bits > r->max_bits)
		cw_violations_add(v, "key.size", "%s key of %d bits; template "
		    "'%s' allows %d to %d bits", cw_key_type_name(k->type),
		    k->bits, t->name, r->min_bits, r->max_bits);
	if (k->rsa_e != NULL && !BN_is_word(k->rsa_e, r->exponent)) {
		char *dec = BN_bn2dec(k->rsa_e);

		cw_violations_add(v, "key.exponent", "RSA public exponent %s; "
		    "template '%s' requires %lu", dec != NULL &&
		    BN_num_bits(k->rsa_e) <= 64 ? dec : "(large)", t->name,
		    r->exponent);
		OPENSSL_free(dec);
	}
	if (k->rsa_n != NULL && k->rsa_e != NULL && k->bits <= CW_MAX_RSA_BITS &&
	    cw_rsa_key_weak(k->rsa_n, k->rsa_e, why, sizeof(why)) ==
	    CW_KEY_WEAK)
		cw_violations_add(v, "key.weak", "weak RSA key: %s", why);
}

static void
eval_key(const cw_template *t, const cw_csr *csr, cw_violations *v)
{
	const cw_key_info *k = &csr->key;
	char allowed[256];
	size_t i;
	bool ok;

	allowed_keys(t, allowed, sizeof(allowed));
	switch (k->type) {
	case CW_KEYT_RSA:
	case CW_KEYT_RSA_PSS: {
		const cw_rsa_rule *r = k->type == CW_KEYT_RSA ? &t->rsa :
		    &t->rsa_pss;

		if (!r->allowed) {
			cw_violations_add(v, "key.algorithm", "%s key; template "
			    "'%s' allows: %s%s", k->type == CW_KEYT_RSA ?
			    "RSA" : "RSA-PSS (id-RSASSA-PSS)", t->name, allowed,
			    k->type == CW_KEYT_RSA_PSS ? " (an RSA-PSS key is "
			    "not an 'rsa' key; it needs an 'rsa_pss' rule)" :
			    "");
			break;
		}
		if (k->problem != CW_KEYP_NONE && k->rsa_n == NULL) {
			cw_violations_add(v, "key.weak", "unusable RSA key: %s",
			    k->problem_msg);
			break;
		}
		eval_rsa(t, r, csr, v);
		if (k->problem != CW_KEYP_NONE)
			cw_violations_add(v, "key.weak", "unusable RSA key: %s",
			    k->problem_msg);
		break;
	}
	case CW_KEYT_EC:
		if (!t->ec.allowed) {
			cw_violations_add(v, "key.algorithm", "EC key (%s); "
			    "template '%s' allows: %s",
			    cw_curve_name(k->curve_nid), t->name, allowed);
			break;
		}
		if (k->problem == CW_KEYP_UNSUPPORTED) {
			cw_violations_add(v, "key.curve", "%s; template '%s' "
			    "allows: %s", k->problem_msg, t->name, allowed);
			break;
		}
		ok = false;
		for (i = 0; i < t->ec.n_curves; i++)
			if (t->ec.curves[i] == k->curve_nid)
				ok = true;
		if (!ok)
			cw_violations_add(v, "key.curve", "EC key on curve %s; "
			    "template '%s' allows: %s",
			    cw_curve_name(k->curve_nid), t->name, allowed);
		if (k->problem != CW_KEYP_NONE)
			cw_violations_add(v, "key.weak", "invalid EC public "
			    "key: %s", k->problem_msg);
		break;
	case CW_KEYT_ED25519:
	case CW_KEYT_ED448:
		if (!(k->type == CW_KEYT_ED25519 ? t->ed25519 : t->ed448)) {
			cw_violations_add(v, "key.algorithm", "%s key; template "
			    "'%s' allows: %s", cw_key_type_name(k->type),
			    t->name, allowed);
			break;
		}
		if (k->problem != CW_KEYP_NONE)
			cw_violations_add(v, "key.weak", "invalid %s public "
			    "key: %s", cw_key_type_name(k->type),
			    k->problem_msg);
		break;
	default:
		cw_violations_add(v, "key.algorithm", "public key algorithm %s "
		    "is not supported; template '%s' allows: %s", k->alg_oid,
		    t->name, allowed);
		break;
	}
}

/* --- signature ------------------------------------------------------------ */

static uint32_t
hash_bit(int md_nid)
{
	switch (md_nid) {
	case NID_sha256: return CW_HASH_SHA256;
	case NID_sha384: return CW_HASH_SHA384;
	case NID_sha512: return CW_HASH_SHA512;
	case NID_sha224: return CW_HASH_SHA224;
	case NID_sha3_256: return CW_HASH_SHA3_256;
	case NID_sha3_384: return CW_HASH_SHA3_384;
	case NID_sha3_512: return CW_HASH_SHA3_512;
	default: return 0;
	}
}

static void
eval_signature(const cw_template *t, const cw_csr *csr, cw_violations *v)
{
	char allowed[160] = "";
	size_t off = 0;
	uint32_t bit;
	const char *md;
	bool eddsa = csr->sig_nid == NID_ED25519 || csr->sig_nid == NID_ED448;
	int n;

	/* DESIGN 6.1: Ed25519/Ed448 carry their hash; the key rule governs */
	if (!eddsa && (hash_bit(csr->sig_md_nid) & t->sig_hashes) == 0) {
		for (bit = 1; bit != 0 && bit <= CW_HASH_SHA3_512; bit <<= 1) {
			if ((t->sig_hashes & bit) == 0)
				continue;
			n = snprintf(allowed + off, sizeof(allowed) - off, "%s%s",
			    off ? ", " : "", cw_hash_name(bit));
			if (n > 0 && (size_t)n < sizeof(allowed) - off)
				off += (size_t)n;
		}
		md = cw_md_name(csr->sig_md_nid);
		cw_violations_add(v, "signature.hash", "the CSR is signed with "
		    "%s (%s); template '%s' allows: %s",
		    md != NULL ? md : "an unknown hash", csr->sig_oid, t->name,
		    allowed[0] ? allowed : "none");
	}
	if (!csr->pop_ok)
		cw_violations_add(v, "pop", "%s", csr->pop_msg[0] ?
		    csr->pop_msg : "the CSR's signature does not verify");
}

/* --- subject -------------------------------------------------------------- */

static bool
printable_string_ok(const uint8_t *s, size_t len)
{
	/* X.680 41.4 PrintableString character set */
	static const char extra[] = " '()+,-./:=?";
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c != 0 && strchr(extra, c))))
			return false;
	}
	return true;
}

static const char *
attr_name(const cw_subject_attr *a)
{
	const char *k = cw_subject_key_for_nid(a->nid);

	if (k != NULL)
		return k;
	return a->nid != NID_undef ? OBJ_nid2sn(a->nid) : a->oid;
}

/* DESIGN 6.1 Subject: string types and value hygiene. */
static void
eval_subject_encoding(const cw_subject_attr *a, cw_violations *v)
{
	char esc[ESC_MAX];
	const char *name = attr_name(a);
	size_t i;

	cw_escape(a->val, a->len, esc, sizeof(esc));
	switch (a->str_type) {
	case V_ASN1_UTF8STRING:
		if (!cw_utf8_valid(a->val, a->len)) {
			cw_violations_add(v, "subject.encoding", "subject %s "
			    "'%s' is not valid UTF-8", name, esc);
			return;
		}
		break;
	case V_ASN1_PRINTABLESTRING:
		if (!printable_string_ok(a->val, a->len)) {
			cw_violations_add(v, "subject.encoding", "subject %s "
			    "'%s' has characters a PrintableString may not "
			    "hold", name, esc);
			return;
		}
		break;
	case V_ASN1_IA5STRING:
		if (a->nid != NID_pkcs9_emailAddress &&
		    a->nid != NID_domainComponent) {
			cw_violations_add(v, "subject.encoding", "subject %s is "
			    "an IA5String; use UTF8String or PrintableString",
			    name);
			return;
		}
		break;
	default:
		cw_violations_add(v, "subject.encoding", "subject %s is a %s; "
		    "only UTF8String and PrintableString are accepted "
		    "(IA5String for emailAddress)", name,
		    ASN1_tag2str(a->str_type));
		return;
	}
	if (a->len == 0) {
		cw_violations_add(v, "subject.encoding", "subject %s is empty",
		    name);
		return;
	}
	for (i = 0; i < a->len; i++) {
		if (a->val[i] < 0x20 || a->val[i] == 0x7f) {
			cw_violations_add(v, "subject.encoding", "subject %s "
			    "'%s' contains a %s", name, esc, a->val[i] == 0 ?
			    "NUL byte" : "control character");
			return;
		}
	}
	if (a->val[0] == ' ' || a->val[a->len - 1] == ' ')
		cw_violations_add(v, "subject.encoding", "subject %s '%s' has "
		    "leading or trailing whitespace", name, esc);
}

/* Does the CN equal one of the requested SANs (DESIGN 6.1 in_san)? */
static bool
cn_in_san(const cw_subject_attr *cn, const cw_csr *csr)
{
	uint8_t ip[16];
	char text[64];
	size_t i;
	int fam = 0;

	if (cn->len < sizeof(text) && memchr(cn->val, '\0', cn->len) == NULL) {
		memcpy(text, cn->val, cn->len);
		text[cn->len] = '\0';
		if (inet_pton(AF_INET, text, ip) == 1)
			fam = 4;
		else if (inet_pton(AF_INET6, text, ip) == 1)
			fam = 16;
	}
	for (i = 0; i < csr->n_sans; i++) {
		const cw_san *s = &csr->sans[i];

		if (fam != 0 && s->type == CW_SAN_IP && s->len == (size_t)fam &&
		    memcmp(s->val, ip, s->len) == 0)
			return true;
		if (fam == 0 && s->type == CW_SAN_DNS &&
		    cw_ascii_caseeq(s->val, s->len, cn->val, cn->len))
			return true;
	}
	return false;
}

static void
eval_subject(const cw_template *t, const cw_csr *csr, cw_violations *v)
{
	size_t i, j;
	char esc[ESC_MAX], rule[CW_RULE_MAX];

	if (csr->n_rdns != csr->n_subject)
		cw_violations_add(v, "subject.shape", "the subject has an RDN "
		    "with several attributes; certward accepts one attribute "
		    "per RDN");
	for (i = 0; i < csr->n_subject; i++) {
		const cw_subject_attr *a = &csr->subject[i];
		const cw_subject_rule *r = NULL;

		for (j = 0; j < i; j++)
			if (strcmp(csr->subject[j].oid, a->oid) == 0)
				break;
		if (j < i) {
			cw_violations_add(v, "subject.shape", "subject attribute "
			    "%s appears more than once", attr_name(a));
			continue;
		}
		eval_subject_encoding(a, v);
		for (j = 0; j < t->n_subject; j++)
			if (t->subject[j].nid == a->nid)
				r = &t->subject[j];
		cw_escape(a->val, a->len, esc, sizeof(esc));
		if (r == NULL) {
			if (!t->other_fields_allow)
				cw_violations_add(v, "subject.other_fields",
				    "subject %s '%s' is not allowed: template "
				    "'%s' names no rule for it and denies other "
				    "fields", attr_name(a), esc, t->name);
			continue;
		}
		snprintf(rule, sizeof(rule), "subject.%s", r->key);
		if (r->value != NULL && (a->len != strlen(r->value) ||
		    memcmp(a->val, r->value, a->len) != 0))
			cw_violations_add(v, rule, "subject %s is '%s'; template "
			    "'%s' requires '%s'", r->key, esc, t->name,
			    r->value);
		if (r->pattern != NULL && !cw_glob_match(r->pattern, a->val,
		    a->len))
			cw_violations_add(v, rule, "subject %s '%s' does not "
			    "match the pattern '%s' of template '%s'", r->key,
			    esc, r->pattern, t->name);
		if (r->in_san && !cn_in_san(a, csr))
			cw_violations_add(v, rule, "subject %s '%s' is not one "
			    "of the requested subjectAltNames; template '%s' "
			    "requires it to be", r->key, esc, t->name);
	}
	for (j = 0; j < t->n_subject; j++) {
		const cw_subject_rule *r = &t->subject[j];

		if (!r->required)
			continue;
		for (i = 0; i < csr->n_subject; i++)
			if (csr->subject[i].nid == r->nid)
				break;
		if (i == csr->n_subject) {
			snprintf(rule, sizeof(rule), "subject.%s", r->key);
			cw_violations_add(v, rule, "subject %s is missing; "
			    "template '%s' requires it", r->key, t->name);
		}
	}
}

/* --- subjectAltName ------------------------------------------------------- */

static void
eval_dns(const cw_template *t, const cw_san *s, cw_violations *v)
{
	char esc[ESC_MAX], why[CW_WHY_MAX], allowed[1024];
	size_t i;
	bool wildcard;

	cw_escape(s->val, s->len, esc, sizeof(esc));
	if (!cw_dns_name_valid(s->val, s->len, true, why, sizeof(why))) {
		cw_violations_add(v, "san.dns", "DNS name '%s' is invalid: %s",
		    esc, why);
		return;
	}
	wildcard = s->len > 0 && s->val[0] == '*';
	if (wildcard && !t->san.wildcards) {
		cw_violations_add(v, "san.wildcard", "DNS name '%s' is a "
		    "wildcard; template '%s' does not allow wildcards", esc,
		    t->name);
		return;
	}
	for (i = 0; i < t->san.dns.n; i++)
		if (cw_dns_match(t->san.dns.items[i], s->val, s->len))
			return;
	join_patterns(&t->san.dns, allowed, sizeof(allowed));
	cw_violations_add(v, "san.dns", "DNS name '%s' is not allowed by "
	    "template '%s' (allowed: %s)", esc, t->name, allowed);
}

static void
eval_ip(const cw_template *t, const cw_san *s, cw_violations *v)
{
	char text[64], allowed[1024];
	size_t i;

	if (s->len != 4 && s->len != 16) {
		/* a structural defect, not a policy choice: reported under a
		 * rule no exception can waive */
		cw_violations_add(v, "extension.malformed", "IP address SAN of %zu octets is "
		    "malformed: it must be 4 (IPv4) or 16 (IPv6) octets; an "
		    "address with a mask is not an address (RFC 5280 4.2.1.6)",
		    s->len);
		return;
	}
	for (i = 0; i < t->san.n_ip; i++)
		if (cw_ip_match(&t->san.ip[i], s->val, s->len))
			return;
	cw_ip_format(s->val, s->len, text, sizeof(text));
	join_cidrs(t, allowed, sizeof(allowed));
	cw_violations_add(v, "san.ip", "IP address %s is not allowed by "
	    "template '%s' (allowed: %s)", text, t->name, allowed);
}

static void
eval_uri(const cw_template *t, const cw_san *s, cw_violations *v)
{
	char esc[ESC_MAX], why[CW_WHY_MAX], allowed[1024];
	size_t i;

	cw_escape(s->val, s->len, esc, sizeof(esc));
	if (!cw_uri_valid(s->val, s->len, why, sizeof(why))) {
		cw_violations_add(v, "san.uri", "URI '%s' is invalid: %s", esc,
		    why);
		return;
	}
	for (i = 0; i < t->san.uri.n; i++)
		if (cw_uri_match(t->san.uri.items[i], s->val, s->len))
			return;
	join_patterns(&t->san.uri, allowed, sizeof(allowed));
	cw_violations_add(v, "san.uri", "URI '%s' is not allowed by template "
	    "'%s' (allowed: %s)", esc, t->name, allowed);
}

static void
eval_email(const cw_template *t, const cw_san *s, cw_violations *v)
{
	char esc[ESC_MAX], why[CW_WHY_MAX], allowed[1024];
	size_t i;

	cw_escape(s->val, s->len, esc, sizeof(esc));
	if (!cw_email_valid(s->val, s->len, why, sizeof(why))) {
		cw_violations_add(v, "san.email", "e-mail address '%s' is "
		    "invalid: %s", esc, why);
		return;
	}
	for (i = 0; i < t->san.email.n; i++)
		if (cw_email_match(t->san.email.items[i], s->val, s->len))
			return;
	join_patterns(&t->san.email, allowed, sizeof(allowed));
	cw_violations_add(v, "san.email", "e-mail address '%s' is not allowed "
	    "by template '%s' (allowed: %s)", esc, t->name, allowed);
}

static void
eval_san(const cw_template *t, const cw_csr *csr, cw_violations *v)
{
	size_t i;

	if (csr->n_sans == 0 && t->san.required)
		cw_violations_add(v, "san.required", "the CSR requests no "
		    "subjectAltName; template '%s' requires at least one",
		    t->name);
	if (t->san.max >= 0 && csr->n_sans > (size_t)t->san.max)
		cw_violations_add(v, "san.count", "the CSR requests %zu "
		    "subjectAltNames; template '%s' allows at most %d",
		    csr->n_sans, t->name, t->san.max);
	for (i = 0; i < csr->n_sans; i++) {
		const cw_san *s = &csr->sans[i];

		switch (s->type) {
		case CW_SAN_DNS: eval_dns(t, s, v); break;
		case CW_SAN_IP: eval_ip(t, s, v); break;
		case CW_SAN_URI: eval_uri(t, s, v); break;
		case CW_SAN_EMAIL: eval_email(t, s, v); break;
		default:
			cw_violations_add(v, "san.other", "the CSR requests a "
			    "%s subjectAltName; certward issues only DNS, IP, "
			    "URI and e-mail names", s->other);
			break;
		}
	}
}

/* --- requested extensions ------------------------------------------------- */

static void
eval_extensions(const cw_template *t, const cw_csr *csr, cw_violations *v)
{
	uint32_t bit, extra;
	size_t i, j;
	bool rsa = csr->key.type == CW_KEYT_RSA ||
	    csr->key.type == CW_KEYT_RSA_PSS;
	bool ec = csr->key.type == CW_KEYT_EC;

	if (csr->has_bc && (csr->bc_ca || csr->bc_pathlen))
		cw_violations_add(v, "extension.basic_constraints", "the CSR "
		    "asks for basicConstraints %s; certward issues end-entity "
		    "certificates only (CA:FALSE)", csr->bc_ca ? "CA:TRUE" :
		    "with a path length");
	if (csr->has_ku) {
		extra = csr->ku & ~t->key_usage;
		for (bit = 1; bit != 0; bit <<= 1) {
			if ((extra & bit) == 0)
				continue;
			cw_violations_add(v, "extension.key_usage", "the CSR "
			    "asks for key usage %s; template '%s' does not "
			    "allow it", cw_ku_name(bit) != NULL ?
			    cw_ku_name(bit) : "(undefined bit)", t->name);
		}
		/* RFC 5480 3 / RFC 8410 5: key usages a key type can serve */
		if (!rsa && (csr->ku & (CW_KU_KEY_ENCIPHERMENT |
		    CW_KU_DATA_ENCIPHERMENT)))
			cw_violations_add(v, "extension.key_usage", "the CSR asks "
			    "for keyEncipherment or dataEncipherment with a %s "
			    "key, which cannot encrypt; only RSA keys can",
			    cw_key_type_name(csr->key.type));
		if (!ec && (csr->ku & (CW_KU_KEY_AGREEMENT |
		    CW_KU_ENCIPHER_ONLY | CW_KU_DECIPHER_ONLY)))
			cw_violations_add(v, "extension.key_usage", "the CSR asks "
			    "for keyAgreement with a %s key, which cannot do "
			    "key agreement", cw_key_type_name(csr->key.type));
	}
	for (i = 0; i < csr->n_eku; i++) {
		bool ok = false;

		for (j = 0; j < t->n_eku; j++)
			if (csr->eku[i] != NID_undef && csr->eku[i] == t->eku[j])
				ok = true;
		if (!ok)
			cw_violations_add(v, "extension.extended_key_usage",
			    "the CSR asks for extended key usage %s (%s); "
			    "template '%s' does not allow it",
			    csr->eku[i] != NID_undef ? OBJ_nid2sn(csr->eku[i]) :
			    "unknown", csr->eku_oid[i], t->name);
	}
}

cw_rc
cw_policy_eval(const cw_template *t, const cw_csr *csr, cw_violations *out,
    cw_err *err)
{
	cw_violations_extend(out, &csr->findings);
	eval_key(t, csr, out);
	eval_signature(t, csr, out);
	eval_subject(t, csr, out);
	eval_san(t, csr, out);
	eval_extensions(t, csr, out);
	if (out->oom)
		return cw_err_set(err, CW_ERR_NOMEM,
		    "out of memory while evaluating the policy");
	return CW_OK;
}

cw_rc
cw_policy_eval_names(const cw_template *t, const cw_csr *csr,
    cw_violations *out, cw_err *err)
{
	eval_subject(t, csr, out);
	eval_san(t, csr, out);
	if (out->oom)
		return cw_err_set(err, CW_ERR_NOMEM,
		    "out of memory while evaluating the policy");
	return CW_OK;
}
