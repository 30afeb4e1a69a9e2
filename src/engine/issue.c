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


#include "../common/limits.h"
#include "../common/util.h"
#include "../x509/cert_build.h"
#include "../x509/csr.h"
#include "profile.h"

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
	cw_issue_profile ip;
	uint8_t *der = NULL;
	size_t der_len = 0;
	const cw_cert_profile *p = &ip.p;

	memset(&ip, 0, sizeof(ip));
	CW_ENSURE(!is->ready, CW_ERR_INTERNAL, "cw_engine_issue_sign: the "
	    "previous certificate was neither stored nor discarded");
	CW_TRY(cw_issue_profile_build(t, csr, e->cfg.base_url,
	    e->cfg.max_validity, e->issuing, cw_engine_sign_md(e),
	    cw_engine_now(e), &ip, err));
	snprintf(is->rec.serial, sizeof(is->rec.serial), "%s", ip.serial_hex);
	/* the CSR's SubjectPublicKeyInfo goes into the certificate byte for
	 * byte; whoever holds the key builds, lints and signs (sign.h) */
	CW_TRY(cw_engine_sign_cert(e, t->name, p, csr->spki, csr->spki_len,
	    &der, &der_len, err));

	snprintf(is->rec.issuer, sizeof(is->rec.issuer), "%s",
	    e->issuing_name);
	/* the subject as the signer encoded it, read from the DER alone */
	CW_TRY(cw_cert_der_subject(der, der_len, is->rec.subject,
	    sizeof(is->rec.subject), err));
	is->rec.sans = cw_json_canonical(ip.jsans);
	CW_ENSURE_MEM(is->rec.sans);
	key_alg_text(&csr->key, is->rec.key_alg, sizeof(is->rec.key_alg));
	memcpy(is->rec.spki_sha256, csr->key.spki_sha256, 32);
	is->rec.not_before = p->not_before;
	is->rec.not_after = p->not_after;
	is->rec.renew_after = p->not_before + (p->not_after - p->not_before) *
	    t->renew_at_pct / 100;
	snprintf(is->rec.template_name, sizeof(is->rec.template_name), "%s",
	    t->name);
	is->der = der;
	is->der_len = der_len;
	der = NULL;
	is->sans = ip.jsans;
	ip.jsans = NULL;
	is->ready = true;
out:
	if (rc != CW_OK)
		cw_issued_discard(is);
	OPENSSL_clear_free(der, der_len);
	cw_issue_profile_cleanup(&ip);
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
