/*
 * sign_check.c - what the key holder refuses to sign (sign.h).  In
 * `certward serve` the processes that talk to the network never hold the
 * CA's keys: they ask the signer process (src/signer), which runs these
 * checks against the configuration, policy and CA it loaded itself before
 * it signs anything.  A worker that has been taken over can therefore
 * only obtain what a compliant request could have obtained: a certificate
 * within a template of the policy, a CRL or OCSP response of bounded
 * validity, a checkpoint of the current time.
 *
 * The checks reuse the engine's own rules rather than restating them: the
 * names go through the policy evaluator (cw_policy_eval_names), the
 * server certificate is compared with the profile server_ca.c builds, and
 * cw_cert_issue_spki's lint runs last.
 */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/objects.h>

#include "../common/limits.h"
#include "../policy/policy_eval.h"

static const char *const refusal_names[CW_REFUSE_COUNT] = {
	[CW_REFUSE_NONE] = "none",
	[CW_REFUSE_MALFORMED] = "malformed",
	[CW_REFUSE_ROLE] = "role",
	[CW_REFUSE_TEMPLATE] = "template",
	[CW_REFUSE_VALIDITY] = "validity",
	[CW_REFUSE_TIME] = "time",
	[CW_REFUSE_CA] = "ca",
	[CW_REFUSE_KEY_USAGE] = "key_usage",
	[CW_REFUSE_EKU] = "extended_key_usage",
	[CW_REFUSE_NAMES] = "names",
	[CW_REFUSE_URL] = "url",
	[CW_REFUSE_KEY] = "key",
	[CW_REFUSE_LINT] = "lint",
	[CW_REFUSE_INTERNAL] = "internal",
};

const char *
cw_refusal_name(cw_refusal r)
{
	if ((int)r < 0 || r >= CW_REFUSE_COUNT)
		return "unknown";
	return refusal_names[r];
}

uint32_t
cw_key_usage_fit(uint32_t ku, cw_key_type kt)
{
	if (kt != CW_KEYT_RSA && kt != CW_KEYT_RSA_PSS)
		ku &= ~(uint32_t)(CW_KU_KEY_ENCIPHERMENT |
		    CW_KU_DATA_ENCIPHERMENT);
	if (kt != CW_KEYT_EC)
		ku &= ~(uint32_t)(CW_KU_KEY_AGREEMENT | CW_KU_ENCIPHER_ONLY |
		    CW_KU_DECIPHER_ONLY);
	return ku;
}

/* Equal, both absent, or neither. */
static bool
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The issuer's notAfter as Unix seconds. */
static cw_rc
issuer_end(cw_engine *e, int64_t *end, cw_err *err)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(X509_get0_notAfter(e->issuing), &tm) != 1)
		return cw_err_ossl(err, CW_ERR_CRYPTO, "cannot read the "
		    "issuer's notAfter");
	*end = (int64_t)timegm(&tm);
	return CW_OK;
}

/*
 * The subject and SANs of the certificate against the template, by the
 * policy's own evaluator: it is given the names as a CSR would carry them
 * (every attribute a UTF8String: cert_build.c enforces the string types
 * it writes, and the evaluator checks the characters).
 */
static cw_rc
check_names(const cw_template *t, const cw_cert_profile *p, cw_refusal *why,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_subject_attr attrs[CW_MAX_SUBJECT_ATTRS];
	cw_san *sans = NULL;
	cw_csr c;
	cw_violations v;
	const ASN1_OBJECT *obj;
	size_t i;

	cw_violations_init(&v);
	memset(&c, 0, sizeof(c));
	memset(attrs, 0, sizeof(attrs));
	*why = CW_REFUSE_NAMES;
	CW_ENSURE(p->n_subject <= CW_MAX_SUBJECT_ATTRS, CW_ERR_NONCOMPLIANT,
	    "%zu subject attributes", p->n_subject);
	for (i = 0; i < p->n_subject; i++) {
		obj = OBJ_nid2obj(p->subject[i].nid);
		CW_ENSURE(obj != NULL && OBJ_obj2txt(attrs[i].oid,
		    sizeof(attrs[i].oid), obj, 1) > 0, CW_ERR_NONCOMPLIANT,
		    "subject attribute %zu has an unknown type (NID %d)", i + 1,
		    p->subject[i].nid);
		attrs[i].nid = p->subject[i].nid;
		attrs[i].str_type = V_ASN1_UTF8STRING;
		attrs[i].val = (uint8_t *)p->subject[i].val;
		attrs[i].len = p->subject[i].len;
		attrs[i].rdn_index = (int)i;
	}
	c.subject = attrs;
	c.n_subject = p->n_subject;
	c.n_rdns = p->n_subject;
	if (p->n_sans > 0) {
		sans = calloc(p->n_sans, sizeof(*sans));
		*why = CW_REFUSE_INTERNAL;
		CW_ENSURE_MEM(sans);
		*why = CW_REFUSE_NAMES;
	}
	for (i = 0; i < p->n_sans; i++) {
		switch (p->sans[i].type) {
		case CW_GN_DNS: sans[i].type = CW_SAN_DNS; break;
		case CW_GN_IP: sans[i].type = CW_SAN_IP; break;
		case CW_GN_URI: sans[i].type = CW_SAN_URI; break;
		case CW_GN_EMAIL: sans[i].type = CW_SAN_EMAIL; break;
		default:
			rc = cw_err_set(err, CW_ERR_NONCOMPLIANT, "name %zu has "
			    "an unknown type", i + 1);
			goto out;
		}
		sans[i].val = (uint8_t *)p->sans[i].val;
		sans[i].len = p->sans[i].len;
	}
	c.sans = sans;
	c.n_sans = p->n_sans;
	if (cw_policy_eval_names(t, &c, &v, err) != CW_OK) {
		*why = CW_REFUSE_INTERNAL;
		rc = err != NULL ? err->rc : CW_ERR_NOMEM;
		goto out;
	}
	if (cw_violations_any(&v)) {
		rc = cw_err_set(err, CW_ERR_NONCOMPLIANT, "%s: %s",
		    v.n > 0 ? v.items[0].rule : "names",
		    v.n > 0 ? v.items[0].msg : "the names could not be checked");
		goto out;
	}
	*why = CW_REFUSE_NONE;
out:
	free(sans);
	cw_violations_cleanup(&v);
	return rc;
}

/* The checks of a certificate for policy template t (sign.h). */
static cw_rc
check_template(cw_engine *e, const cw_template *t, const cw_cert_profile *p,
    const uint8_t *spki, size_t spki_len, cw_refusal *why, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_key_info ki;
	int64_t now = cw_engine_now(e), cap, end = 0;
	char crl[700], ocsp[700], aia[700];
	uint32_t ku;
	size_t i;

	memset(&ki, 0, sizeof(ki));
	*why = CW_REFUSE_INTERNAL;
	CW_TRY(issuer_end(e, &end, err));
	*why = CW_REFUSE_TIME;
	CW_ENSURE(p->not_before >= now - CW_SIGN_BACKDATE - CW_SIGN_CLOCK_SLACK &&
	    p->not_before <= now + CW_SIGN_CLOCK_SLACK, CW_ERR_NONCOMPLIANT,
	    "notBefore is more than %d seconds from the signer's clock",
	    CW_SIGN_CLOCK_SLACK);
	cap = t->validity_max;
	if (e->cfg.max_validity > 0 && e->cfg.max_validity < cap)
		cap = e->cfg.max_validity;
	*why = CW_REFUSE_VALIDITY;
	CW_ENSURE(p->not_after > p->not_before, CW_ERR_NONCOMPLIANT,
	    "notAfter is not after notBefore");
	CW_ENSURE(p->not_after - p->not_before <= cap + CW_SIGN_BACKDATE,
	    CW_ERR_NONCOMPLIANT, "a validity of %lld seconds is more than "
	    "template '%s' and config.yaml allow (%lld)", (long long)(
	    p->not_after - p->not_before - CW_SIGN_BACKDATE), t->name,
	    (long long)cap);
	/* RFC 5280 6.1.3: nothing outlives its issuer */
	CW_ENSURE(p->not_after <= end, CW_ERR_NONCOMPLIANT, "notAfter is past "
	    "the issuing CA's own");
	/* DESIGN 6: end-entity certificates only */
	*why = CW_REFUSE_CA;
	CW_ENSURE((p->key_usage & (CW_KU_KEY_CERT_SIGN | CW_KU_CRL_SIGN)) == 0,
	    CW_ERR_NONCOMPLIANT, "keyCertSign and cRLSign are for CA "
	    "certificates; this signer issues end-entity certificates only");
	*why = CW_REFUSE_INTERNAL;
	CW_TRY(cw_key_info_from_spki(spki, spki_len, &ki, err));
	*why = CW_REFUSE_KEY;
	CW_ENSURE(ki.problem == CW_KEYP_NONE && ki.type != CW_KEYT_UNKNOWN,
	    CW_ERR_NONCOMPLIANT, "the public key is not usable: %s",
	    ki.problem_msg[0] ? ki.problem_msg : "unknown type");
	ku = cw_key_usage_fit(t->key_usage, ki.type);
	*why = CW_REFUSE_KEY_USAGE;
	CW_ENSURE(p->key_usage == ku, CW_ERR_NONCOMPLIANT, "key usage 0x%x; "
	    "template '%s' gives %s keys 0x%x", (unsigned)p->key_usage,
	    t->name, cw_key_type_name(ki.type), (unsigned)ku);
	*why = CW_REFUSE_EKU;
	CW_ENSURE(p->n_eku == t->n_eku, CW_ERR_NONCOMPLIANT, "%zu extended key "
	    "usages; template '%s' has %zu", p->n_eku, t->name, t->n_eku);
	for (i = 0; i < p->n_eku; i++)
		CW_ENSURE(p->eku[i] == t->eku[i], CW_ERR_NONCOMPLIANT,
		    "extended key usage %zu is not template '%s''s", i + 1,
		    t->name);
	CW_TRY(check_names(t, p, why, err));
	/* the URLs relying parties follow: only the configured ones (the
	 * form issue.c writes) */
	snprintf(crl, sizeof(crl), "%s/crl/issuing.crl", e->cfg.base_url);
	snprintf(ocsp, sizeof(ocsp), "%s/ocsp", e->cfg.base_url);
	snprintf(aia, sizeof(aia), "%s/ca/issuing.crt", e->cfg.base_url);
	*why = CW_REFUSE_URL;
	CW_ENSURE(same_text(p->crl_url, crl) && same_text(p->ocsp_url, ocsp) &&
	    same_text(p->ca_issuers_url, aia), CW_ERR_NONCOMPLIANT, "the CRL, "
	    "OCSP or caIssuers URL is not the configured one (base_url %s)",
	    e->cfg.base_url);
	*why = CW_REFUSE_NONE;
out:
	cw_key_info_cleanup(&ki);
	return rc;
}

cw_rc
cw_engine_sign_cert_checked(cw_engine *e, const cw_sign_scope *scope,
    const char *tmpl, const cw_cert_profile *p, const uint8_t *spki,
    size_t spki_len, uint8_t **der, size_t *der_len, cw_refusal *why,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	const cw_template *t;
	cw_cert_profile q;
	bool server = strcmp(tmpl, CW_SERVER_CERT_TEMPLATE) == 0;

	*der = NULL;
	*der_len = 0;
	*why = CW_REFUSE_ROLE;
	CW_ENSURE(server == scope->server_cert, CW_ERR_NONCOMPLIANT, "%s",
	    server ? "only serve itself may ask for its TLS certificate" :
	    "this channel may only ask for serve's own TLS certificate");
	if (server) {
		CW_ENSURE(scope->server_host != NULL, CW_ERR_NONCOMPLIANT,
		    "this server does not issue its own TLS certificate");
		CW_TRY(cw_server_profile_check(e, scope->server_host, p, why,
		    err));
	} else {
		t = cw_policy_get0_template(e->policy, tmpl);
		*why = CW_REFUSE_TEMPLATE;
		CW_ENSURE(t != NULL, CW_ERR_NONCOMPLIANT, "no template '%s' in "
		    "the signer's policy", tmpl);
		CW_TRY(check_template(e, t, p, spki, spki_len, why, err));
	}
	/* the digest is the key holder's choice, not the requester's */
	q = *p;
	q.md = cw_engine_sign_md(e);
	rc = cw_engine_sign_cert(e, tmpl, &q, spki, spki_len, der, der_len,
	    err);
	*why = rc == CW_OK ? CW_REFUSE_NONE : rc == CW_ERR_NONCOMPLIANT ?
	    CW_REFUSE_LINT : rc == CW_ERR_INPUT ? CW_REFUSE_MALFORMED :
	    CW_REFUSE_INTERNAL;
out:
	return rc;
}

/* thisUpdate (or a checkpoint's time) close to the signer's clock. */
static cw_rc
check_now(cw_engine *e, int64_t t, const char *what, cw_refusal *why,
    cw_err *err)
{
	int64_t now = cw_engine_now(e);

	if (t < now - CW_SIGN_BACKDATE - CW_SIGN_CLOCK_SLACK ||
	    t > now + CW_SIGN_CLOCK_SLACK) {
		*why = CW_REFUSE_TIME;
		return cw_err_set(err, CW_ERR_NONCOMPLIANT, "%s is more than "
		    "%d seconds from the signer's clock", what,
		    CW_SIGN_CLOCK_SLACK);
	}
	return CW_OK;
}

static cw_rc
worker_only(const cw_sign_scope *scope, cw_refusal *why, cw_err *err)
{
	if (scope->server_cert) {
		*why = CW_REFUSE_ROLE;
		return cw_err_set(err, CW_ERR_NONCOMPLIANT, "this channel may "
		    "only ask for serve's own TLS certificate");
	}
	return CW_OK;
}

/* A refusal kind for what the builders themselves refused. */
static cw_refusal
built_refusal(cw_rc rc)
{
	return rc == CW_OK ? CW_REFUSE_NONE : rc == CW_ERR_CRYPTO ||
	    rc == CW_ERR_NOMEM ? CW_REFUSE_INTERNAL : CW_REFUSE_MALFORMED;
}

cw_rc
cw_engine_sign_crl_checked(cw_engine *e, const cw_sign_scope *scope,
    const cw_revoked *rev, size_t n_rev, int64_t this_update,
    int64_t next_update, const uint8_t *number, size_t number_len,
    X509_CRL **out, cw_refusal *why, cw_err *err)
{
	cw_rc rc = CW_OK;

	*out = NULL;
	CW_TRY(worker_only(scope, why, err));
	CW_TRY(check_now(e, this_update, "the CRL's thisUpdate", why, err));
	*why = CW_REFUSE_VALIDITY;
	CW_ENSURE(next_update > this_update && next_update - this_update <=
	    cw_engine_crl_next_update(e) + CW_SIGN_BACKDATE,
	    CW_ERR_NONCOMPLIANT, "a CRL valid for %lld seconds; config.yaml's "
	    "crl_next_update allows %lld", (long long)(next_update -
	    this_update), (long long)cw_engine_crl_next_update(e));
	rc = cw_engine_sign_crl(e, rev, n_rev, this_update, next_update,
	    number, number_len, out, err);
	*why = built_refusal(rc);
out:
	return rc;
}

cw_rc
cw_engine_sign_ocsp_checked(cw_engine *e, const cw_sign_scope *scope,
    const cw_ocsp_req *req, const cw_ocsp_status *st, int64_t this_update,
    int64_t next_update, uint8_t **der, size_t *len, cw_refusal *why,
    cw_err *err)
{
	cw_rc rc = CW_OK;

	*der = NULL;
	*len = 0;
	CW_TRY(worker_only(scope, why, err));
	CW_TRY(check_now(e, this_update, "the OCSP thisUpdate", why, err));
	*why = CW_REFUSE_VALIDITY;
	CW_ENSURE(next_update > this_update && next_update - this_update <=
	    CW_SIGN_OCSP_MAX_VALIDITY, CW_ERR_NONCOMPLIANT, "an OCSP response "
	    "valid for %lld seconds (at most %d)", (long long)(next_update -
	    this_update), CW_SIGN_OCSP_MAX_VALIDITY);
	rc = cw_engine_sign_ocsp(e, req, st, this_update, next_update, der,
	    len, err);
	*why = built_refusal(rc);
out:
	return rc;
}

cw_rc
cw_engine_sign_checkpoint_checked(cw_engine *e, const cw_sign_scope *scope,
    cw_checkpoint *cp, cw_refusal *why, cw_err *err)
{
	cw_rc rc = CW_OK;

	CW_TRY(worker_only(scope, why, err));
	CW_TRY(check_now(e, cp->time, "the checkpoint's time", why, err));
	*why = CW_REFUSE_MALFORMED;
	CW_ENSURE(cp->size >= 0, CW_ERR_NONCOMPLIANT, "a checkpoint of %lld "
	    "events", (long long)cp->size);
	rc = cw_engine_sign_checkpoint(e, cp, err);
	*why = built_refusal(rc);
out:
	return rc;
}
