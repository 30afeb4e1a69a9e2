/*
 * issue.c - turns an approved request into a certificate: the template,
 * not the CSR, decides every extension; the validity is capped by the
 * template, the configuration and the issuer; the serial is 128 random
 * bits; the certificate is linted before it is signed (cert_build.c,
 * through the signing seam of sign.h), then stored with its audit event in
 * the caller's transaction.
 *
 * Signing and storing are two steps.  cw_engine_issue_sign needs no
 * database: the certificate's bytes depend only on the CSR, the template,
 * the configuration, the issuer and the clock, so request submission
 * signs before it takes the write lock (requests.c explains why that is
 * safe).  cw_engine_issue_store runs inside the write transaction and
 * either stores that certificate or signs there; an unused one is wiped by
 * cw_issued_discard.
 */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "../common/limits.h"
#include "../common/util.h"
#include "../x509/cert_build.h"
#include "../x509/csr.h"

static void
key_alg_text(const cw_key_info *k, char *buf, size_t len)
{
	if (k->type == CW_KEYT_EC)
		snprintf(buf, len, "ec:%s", cw_curve_name(k->curve_nid));
	else if (k->type == CW_KEYT_RSA || k->type == CW_KEYT_RSA_PSS)
		snprintf(buf, len, "%s:%d", cw_key_type_name(k->type), k->bits);
	else
		snprintf(buf, len, "%s", cw_key_type_name(k->type));
}

/*
 * Builds, lints and signs the certificate for a compliant request: no
 * database, no lock.  is must be empty (zeroed or discarded); on success
 * is->ready and is holds everything the record needs apart from the
 * request (service, id, approvers, exceptions).
 */
cw_rc
cw_engine_issue_sign(cw_engine *e, const cw_template *t, const cw_csr *csr,
    cw_issued *is, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_name_attr subj[CW_MAX_SUBJECT_ATTRS];
	cw_gen_name *sans = NULL;
	uint8_t **lowered = NULL, serial[17];
	cw_cert_profile p;
	uint8_t *der = NULL;
	size_t der_len = 0;
	json_t *jsans = NULL;
	char base[600], crl[700], ocsp[700], aia[700], ipbuf[64];
	const ASN1_TIME *iss_end;
	struct tm tm;
	int64_t now = cw_engine_now(e), validity, iss_na;
	size_t i, j, n_subj = 0;

	memset(&p, 0, sizeof(p));
	CW_ENSURE(!is->ready, CW_ERR_INTERNAL, "cw_engine_issue_sign: the "
	    "previous certificate was neither stored nor discarded");

	/* subject: only attributes the template has a rule for (the gate
	 * has refused any other unless other_fields: allow) */
	for (i = 0; i < csr->n_subject; i++) {
		for (j = 0; j < t->n_subject; j++)
			if (t->subject[j].nid == csr->subject[i].nid)
				break;
		if (j == t->n_subject && !t->other_fields_allow)
			continue;
		if (n_subj == CW_MAX_SUBJECT_ATTRS)
			break;
		subj[n_subj].nid = csr->subject[i].nid;
		subj[n_subj].val = csr->subject[i].val;
		subj[n_subj].len = csr->subject[i].len;
		n_subj++;
	}
	/* SANs as validated, DNS names in lower case, IPv4-mapped IPv6
	 * written as the IPv4 address it was checked as */
	jsans = json_array();
	CW_ENSURE_MEM(jsans);
	if (csr->n_sans > 0) {
		sans = calloc(csr->n_sans, sizeof(*sans));
		lowered = calloc(csr->n_sans, sizeof(*lowered));
		CW_ENSURE(sans != NULL && lowered != NULL, CW_ERR_NOMEM,
		    "out of memory");
	}
	for (i = 0; i < csr->n_sans; i++) {
		const cw_san *s = &csr->sans[i];
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0xff, 0xff};

		sans[i].val = s->val;
		sans[i].len = s->len;
		switch (s->type) {
		case CW_SAN_DNS:
			sans[i].type = CW_GN_DNS;
			lowered[i] = malloc(s->len + 1);
			CW_ENSURE_MEM(lowered[i]);
			for (j = 0; j < s->len; j++)
				lowered[i][j] = (s->val[j] >= 'A' &&
				    s->val[j] <= 'Z') ? s->val[j] + 32 : s->val[j];
			lowered[i][s->len] = '\0';
			sans[i].val = lowered[i];
			json_array_append_new(jsans, json_pack("{s:s, s:s%}",
			    "type", "dns", "value", lowered[i], s->len));
			break;
		case CW_SAN_IP:
			sans[i].type = CW_GN_IP;
			if (s->len == 16 && memcmp(s->val, mapped, 12) == 0) {
				sans[i].val = s->val + 12;
				sans[i].len = 4;
			}
			cw_ip_format(sans[i].val, sans[i].len, ipbuf,
			    sizeof(ipbuf));
			json_array_append_new(jsans, json_pack("{s:s, s:s}",
			    "type", "ip", "value", ipbuf));
			break;
		case CW_SAN_URI:
			sans[i].type = CW_GN_URI;
			json_array_append_new(jsans, json_pack("{s:s, s:s%}",
			    "type", "uri", "value", s->val, s->len));
			break;
		case CW_SAN_EMAIL:
			sans[i].type = CW_GN_EMAIL;
			json_array_append_new(jsans, json_pack("{s:s, s:s%}",
			    "type", "email", "value", s->val, s->len));
			break;
		default:
			rc = cw_err_set(err, CW_ERR_INTERNAL, "a %s SAN reached "
			    "issuance", s->other);
			goto out;
		}
	}
	/* serial[0] = 0x00 keeps the INTEGER positive whatever the random
	 * top bit is (X.690 8.3: two's complement) */
	serial[0] = 0;
	CW_ENSURE_OSSL(RAND_bytes(serial + 1, sizeof(serial) - 1) == 1,
	    "no randomness for the serial number");
	/* DESIGN 8: 128 random bits, read as an unsigned number (DER adds
	 * a 0x00 octet when the top bit is set: at most 17 octets) */
	cw_serial_hex(serial, sizeof(serial), is->rec.serial);

	/* validity: template default, capped by its max, the configured
	 * max and the issuer's own notAfter; one minute back-dated for
	 * clock skew of relying parties */
	validity = t->validity_default;
	if (validity > t->validity_max)
		validity = t->validity_max;
	if (validity > e->cfg.max_validity)
		validity = e->cfg.max_validity;
	iss_end = X509_get0_notAfter(e->issuing);
	CW_ENSURE_OSSL(ASN1_TIME_to_tm(iss_end, &tm) == 1,
	    "cannot read the issuer's notAfter");
	iss_na = (int64_t)timegm(&tm);
	p.not_before = now - 60;
	p.not_after = now + validity;
	if (p.not_after > iss_na)
		p.not_after = iss_na;
	CW_ENSURE(p.not_after > now, CW_ERR_CONFIG, "the issuing CA has "
	    "expired; no certificate can be issued");

	snprintf(base, sizeof(base), "%s", e->cfg.base_url);
	snprintf(crl, sizeof(crl), "%s/crl/issuing.crl", base);
	snprintf(ocsp, sizeof(ocsp), "%s/ocsp", base);
	snprintf(aia, sizeof(aia), "%s/ca/issuing.crt", base);
	p.serial = serial;
	p.serial_len = sizeof(serial);
	p.subject = subj;
	p.n_subject = n_subj;
	p.sans = sans;
	p.n_sans = csr->n_sans;
	p.key_usage = cw_key_usage_fit(t->key_usage, csr->key.type);
	p.eku = t->eku;
	p.n_eku = t->n_eku;
	p.crl_url = crl;
	p.ocsp_url = ocsp;
	p.ca_issuers_url = aia;
	p.md = cw_engine_sign_md(e);
	/* the CSR's SubjectPublicKeyInfo goes into the certificate byte for
	 * byte; whoever holds the key builds, lints and signs (sign.h) */
	CW_TRY(cw_engine_sign_cert(e, t->name, &p, csr->spki, csr->spki_len,
	    &der, &der_len, err));

	snprintf(is->rec.issuer, sizeof(is->rec.issuer), "%s",
	    e->issuing_name);
	/* the subject as the signer encoded it, read from the DER alone */
	CW_TRY(cw_cert_der_subject(der, der_len, is->rec.subject,
	    sizeof(is->rec.subject), err));
	is->rec.sans = cw_json_canonical(jsans);
	CW_ENSURE_MEM(is->rec.sans);
	key_alg_text(&csr->key, is->rec.key_alg, sizeof(is->rec.key_alg));
	memcpy(is->rec.spki_sha256, csr->key.spki_sha256, 32);
	is->rec.not_before = p.not_before;
	is->rec.not_after = p.not_after;
	is->rec.renew_after = p.not_before + (p.not_after - p.not_before) *
	    t->renew_at_pct / 100;
	snprintf(is->rec.template_name, sizeof(is->rec.template_name), "%s",
	    t->name);
	is->der = der;
	is->der_len = der_len;
	der = NULL;
	is->sans = jsans;
	jsans = NULL;
	is->ready = true;
out:
	if (rc != CW_OK)
		cw_issued_discard(is);
	OPENSSL_clear_free(der, der_len);
	if (lowered != NULL)
		for (i = 0; i < csr->n_sans; i++)
			free(lowered[i]);
	free(lowered);
	free(sans);
	json_decref(jsans);
	return rc;
}

/*
 * Wipes and frees a certificate that was not stored: it never leaves the
 * process.  NULL-safe; leaves is empty.
 */
void
cw_issued_discard(cw_issued *is)
{
	if (is == NULL)
		return;
	OPENSSL_clear_free(is->der, is->der_len);
	json_decref(is->sans);
	cw_cert_rec_cleanup(&is->rec);
	memset(is, 0, sizeof(*is));
}

/*
 * Stores the certificate for request r inside the caller's write
 * transaction, with its audit event; supersedes the renewed certificate;
 * fills r->serial and sets r->state "issued".  Uses *is when the caller
 * signed it before the lock (is->ready) and its serial is still unused,
 * otherwise signs here.  Consumes *is whatever the outcome.
 */
cw_rc
cw_engine_issue_store(cw_engine *e, const cw_actor *a, cw_request *r,
    const cw_template *t, const cw_csr *csr, json_t *approvers,
    cw_issued *is, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_cert_rec old;
	json_t *det = NULL;
	char obj[80], hex[65], nb[40], na[40];
	bool found;
	int tries;

	memset(&old, 0, sizeof(old));
	/* 128 random bits make a clash with a stored serial improbable, but
	 * another process may have stored its own certificates since this
	 * one was signed: the serial is checked under the lock, and a
	 * clash costs a new signature rather than a failed transaction
	 * (the UNIQUE index on certificates.serial is the last guard) */
	for (tries = 0;; tries++) {
		if (!is->ready)
			CW_TRY(cw_engine_issue_sign(e, t, csr, is, err));
		CW_TRY(cw_store_cert_get(e->store, is->rec.serial, &old, &found,
		    err));
		cw_cert_rec_cleanup(&old);
		if (!found)
			break;
		cw_issued_discard(is);
		CW_ENSURE(tries < 3, CW_ERR_INTERNAL, "%d random serial numbers "
		    "in a row were already in the inventory: the random number "
		    "generator is broken", tries + 1);
	}

	snprintf(is->rec.service, sizeof(is->rec.service), "%s", r->service);
	is->rec.request_id = r->id;
	snprintf(is->rec.status, sizeof(is->rec.status), "valid");
	is->rec.revocation_reason = -1;
	snprintf(is->rec.source, sizeof(is->rec.source), "issued");
	is->rec.der = is->der; /* borrowed: is->der is freed by discard */
	is->rec.der_len = is->der_len;
	rc = cw_store_cert_insert(e->store, &is->rec, err);
	is->rec.der = NULL;
	is->rec.der_len = 0;
	if (rc != CW_OK)
		goto out;

	cw_hex(is->rec.spki_sha256, 32, hex);
	cw_time_text(is->rec.not_before, nb, sizeof(nb));
	cw_time_text(is->rec.not_after, na, sizeof(na));
	det = json_pack("{s:s, s:I, s:s, s:s, s:O, s:s, s:s, s:s, s:s, s:s}",
	    "serial", is->rec.serial, "request", (json_int_t)r->id, "template",
	    t->name, "service", r->service, "sans", is->sans, "key_alg",
	    is->rec.key_alg, "spki_sha256", hex, "not_before", nb, "not_after",
	    na, "subject", is->rec.subject);
	CW_ENSURE_MEM(det);
	json_object_set_new(det, "approvers", approvers != NULL ?
	    json_incref(approvers) : json_array());
	json_object_set_new(det, "exceptions", json_loads(r->exceptions ?
	    r->exceptions : "[]", 0, NULL));
	if (r->renew_of[0])
		json_object_set_new(det, "renews", json_string(r->renew_of));
	snprintf(obj, sizeof(obj), "cert:%s", is->rec.serial);
	CW_TRY(cw_engine_audit(e, a, "cert.issue", obj, det, err));

	if (r->renew_of[0]) {
		CW_TRY(cw_store_cert_get(e->store, r->renew_of, &old, &found,
		    err));
		if (found && strcmp(old.status, "valid") == 0) {
			snprintf(old.status, sizeof(old.status), "superseded");
			snprintf(old.renewed_by, sizeof(old.renewed_by), "%s",
			    is->rec.serial);
			CW_TRY(cw_store_cert_update(e->store, &old, err));
			json_decref(det);
			det = json_pack("{s:s}", "renewed_by", is->rec.serial);
			snprintf(obj, sizeof(obj), "cert:%s", old.serial);
			CW_TRY(cw_engine_audit(e, a, "cert.supersede", obj, det,
			    err));
		}
	}
	snprintf(r->state, sizeof(r->state), "issued");
	snprintf(r->serial, sizeof(r->serial), "%s", is->rec.serial);
	r->reason[0] = '\0';
	r->updated_at = cw_engine_now(e);
	CW_TRY(cw_store_request_update(e->store, r, err));
out:
	cw_issued_discard(is);
	cw_cert_rec_cleanup(&old);
	json_decref(det);
	return rc;
}

/* Signs and stores inside the caller's transaction (engine_int.h). */
cw_rc
cw_engine_issue(cw_engine *e, const cw_actor *a, cw_request *r,
    const cw_template *t, const cw_csr *csr, json_t *approvers, cw_err *err)
{
	cw_issued is;

	memset(&is, 0, sizeof(is));
	return cw_engine_issue_store(e, a, r, t, csr, approvers, &is, err);
}
