/* certs.c - the inventory: revocation, CRLs, showing and fetching. */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "../common/util.h"
#include "../x509/cert_build.h"

static const char *const admin_roles[] = {"pki-admin"};

cw_rc
cw_engine_revoke_locked(cw_engine *e, const cw_actor *a, cw_cert_rec *c,
    int reason, cw_err *err)
{
	cw_rc rc = CW_OK;
	json_t *det = NULL;
	char obj[80];

	CW_ENSURE(strcmp(c->status, "revoked") != 0, CW_ERR_NONCOMPLIANT,
	    "certificate %s is already revoked", c->serial);
	snprintf(c->status, sizeof(c->status), "revoked");
	c->revoked_at = cw_engine_now(e);
	c->revocation_reason = reason;
	CW_TRY(cw_store_cert_update(e->store, c, err));
	det = json_pack("{s:s, s:i, s:s}", "reason", cw_crl_reason_name(reason),
	    "reason_code", reason, "service", c->service);
	snprintf(obj, sizeof(obj), "cert:%s", c->serial);
	CW_TRY(cw_engine_audit(e, a, "cert.revoke", obj, det, err));
out:
	json_decref(det);
	return rc;
}

cw_rc
cw_cert_revoke(cw_engine *e, const cw_actor *a, const char *serial,
    int reason, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor;
	cw_cert_rec c;
	bool found;

	memset(&c, 0, sizeof(c));
	CW_ENSURE(reason >= 0 && reason != 7 && reason <= 10, CW_ERR_USAGE,
	    "unknown revocation reason");
	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, admin_roles, 1, "revoke certificates",
	    err));
	CW_TRY(cw_store_cert_get(e->store, serial, &c, &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "no certificate with serial %s in "
	    "the inventory", serial);
	CW_TRY(cw_engine_revoke_locked(e, a, &c, reason, err));
	CW_TRY(cw_store_commit(e->store, err));
out:
	if (rc != CW_OK)
		cw_store_rollback(e->store);
	cw_cert_rec_cleanup(&c);
	return rc;
}

typedef struct rev_list {
	cw_revoked *items;
	uint8_t (*serials)[21];
	size_t n, cap;
	bool oom;
} rev_list;

static bool
collect_revoked(const cw_cert_rec *c, void *arg)
{
	rev_list *l = arg;
	BIGNUM *bn = NULL;
	void *p, *q;
	int len;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		p = realloc(l->items, l->cap * sizeof(*l->items));
		if (p != NULL)
			l->items = p;
		q = realloc(l->serials, l->cap * sizeof(*l->serials));
		if (q != NULL)
			l->serials = q;
		if (p == NULL || q == NULL) {
			l->oom = true;
			return false;
		}
	}
	if (BN_hex2bn(&bn, c->serial) == 0 || (len = BN_num_bytes(bn)) > 20) {
		BN_free(bn);
		return true;
	}
	/* two's complement content: a leading 0x00 keeps it positive */
	l->serials[l->n][0] = 0;
	BN_bn2bin(bn, l->serials[l->n] + 1);
	BN_free(bn);
	l->items[l->n].serial = l->serials[l->n];
	l->items[l->n].serial_len = (size_t)len + 1;
	l->items[l->n].time = c->revoked_at;
	l->items[l->n].reason = c->revocation_reason;
	l->n++;
	return true;
}

cw_rc
cw_crl_generate(cw_engine *e, uint8_t **der, size_t *len, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_cert_filter f;
	rev_list l;
	X509_CRL *crl = NULL;
	char num[32];
	bool found;
	int64_t n = 0, now = cw_engine_now(e);
	uint8_t nb[8];
	unsigned char *out = NULL;
	int i, olen;
	json_t *det = NULL;

	memset(&l, 0, sizeof(l));
	/* the CRL number must grow (RFC 5280 5.2.3): it lives in the
	 * database, incremented in a transaction */
	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_store_meta_get(e->store, "crl_number", num, sizeof(num),
	    &found, err));
	if (found && !cw_parse_int64(num, 0, INT64_MAX - 1, &n))
		n = 0;
	n++;
	snprintf(num, sizeof(num), "%lld", (long long)n);
	CW_TRY(cw_store_meta_set(e->store, "crl_number", num, err));
	memset(&f, 0, sizeof(f));
	f.status = "revoked";
	f.now = now;
	CW_TRY(cw_store_cert_each(e->store, &f, collect_revoked, &l, err));
	CW_ENSURE(!l.oom, CW_ERR_NOMEM, "out of memory");
	for (i = 7; i >= 0; i--) {
		nb[i] = (uint8_t)(n & 0xff);
		n >>= 8;
	}
	for (i = 0; i < 7 && nb[i] == 0; i++)
		;
	CW_TRY(cw_engine_sign_crl(e, l.items, l.n, now - 60,
	    now + e->cfg.crl_next_update, nb + i, (size_t)(8 - i), &crl, err));
	olen = i2d_X509_CRL(crl, &out);
	CW_ENSURE_OSSL(olen > 0, "cannot encode the CRL");
	det = json_pack("{s:s, s:i}", "crl_number", num, "entries", (int)l.n);
	CW_TRY(cw_engine_audit(e, NULL, "crl.generate", "crl:issuing", det,
	    err));
	CW_TRY(cw_store_commit(e->store, err));
	*der = out;
	*len = (size_t)olen;
	out = NULL;
out:
	if (rc != CW_OK)
		cw_store_rollback(e->store);
	OPENSSL_free(out);
	X509_CRL_free(crl);
	free(l.items);
	free(l.serials);
	json_decref(det);
	return rc;
}

json_t *
cw_cert_rec_json(const cw_cert_rec *c, int64_t now)
{
	char nb[40], na[40], ra[40], hex[65];
	const char *status = c->status;
	json_t *o;

	if (strcmp(status, "valid") == 0 && c->not_after <= now)
		status = "expired";
	cw_time_text(c->not_before, nb, sizeof(nb));
	cw_time_text(c->not_after, na, sizeof(na));
	cw_time_text(c->renew_after, ra, sizeof(ra));
	cw_hex(c->spki_sha256, 32, hex);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:I, s:b, s:s}", "serial", c->serial, "subject", c->subject,
	    "issuer", c->issuer, "key_alg", c->key_alg, "spki_sha256", hex,
	    "not_before", nb, "not_after", na, "renew_after", ra, "template",
	    c->template_name, "service", c->service, "status", status,
	    "request_id", (json_int_t)c->request_id, "renewal_due",
	    strcmp(status, "valid") == 0 && c->renew_after <= now, "source",
	    c->source);
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "sans", json_loads(c->sans ? c->sans : "[]", 0,
	    NULL));
	json_object_set_new(o, "renewed_by", c->renewed_by[0] ?
	    json_string(c->renewed_by) : json_null());
	if (strcmp(c->status, "revoked") == 0) {
		cw_time_text(c->revoked_at, ra, sizeof(ra));
		json_object_set_new(o, "revoked_at", json_string(ra));
		json_object_set_new(o, "revocation_reason",
		    json_string(cw_crl_reason_name(c->revocation_reason)));
	} else {
		json_object_set_new(o, "revoked_at", json_null());
		json_object_set_new(o, "revocation_reason", json_null());
	}
	return o;
}

static bool
trail_cb(const cw_audit_event *ev, void *arg)
{
	char when[40];

	cw_time_text(ev->time, when, sizeof(when));
	json_array_append_new((json_t *)arg, json_pack("{s:I, s:s, s:s, s:s, "
	    "s:s, s:o}", "seq", (json_int_t)ev->seq, "time", when, "actor",
	    ev->actor, "action", ev->action, "object", ev->object, "details",
	    json_loads(ev->details, 0, NULL)));
	return true;
}

cw_rc
cw_cert_show(cw_engine *e, const char *serial, json_t **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_cert_rec c;
	json_t *o = NULL, *req = NULL, *trail = NULL;
	char obj[80];
	bool found;

	memset(&c, 0, sizeof(c));
	CW_TRY(cw_store_cert_get(e->store, serial, &c, &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "no certificate with serial %s in "
	    "the inventory", serial);
	o = cw_cert_rec_json(&c, cw_engine_now(e));
	CW_ENSURE_MEM(o);
	if (c.request_id > 0 && cw_request_show(e, c.request_id, &req, err) ==
	    CW_OK)
		json_object_set_new(o, "request", req);
	trail = json_array();
	CW_ENSURE_MEM(trail);
	snprintf(obj, sizeof(obj), "request:%lld", (long long)c.request_id);
	CW_TRY(cw_store_audit_each(e->store, 0, obj, 0, trail_cb, trail, err));
	snprintf(obj, sizeof(obj), "cert:%s", c.serial);
	CW_TRY(cw_store_audit_each(e->store, 0, obj, 0, trail_cb, trail, err));
	json_object_set(o, "audit_trail", trail);
	*out = o;
	o = NULL;
out:
	json_decref(o);
	json_decref(trail);
	cw_cert_rec_cleanup(&c);
	return rc;
}

static cw_rc
append_pem(BIO *b, const uint8_t *der, size_t len, cw_err *err)
{
	return PEM_write_bio(b, "CERTIFICATE", "", der, (long)len) > 0 ? CW_OK :
	    cw_err_ossl(err, CW_ERR_CRYPTO, "cannot write PEM");
}

cw_rc
cw_cert_get(cw_engine *e, const char *serial, bool chain, bool der,
    uint8_t **out, size_t *len, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_cert_rec c;
	BIO *b = NULL;
	unsigned char *iss = NULL;
	char *data;
	long n;
	int ilen;
	bool found;

	memset(&c, 0, sizeof(c));
	CW_TRY(cw_store_cert_get(e->store, serial, &c, &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "no certificate with serial %s in "
	    "the inventory", serial);
	b = BIO_new(BIO_s_mem());
	CW_ENSURE_MEM(b);
	if (der) {
		CW_ENSURE(!chain, CW_ERR_USAGE, "--der and --chain do not mix: "
		    "DER holds one certificate");
		CW_ENSURE(BIO_write(b, c.der, (int)c.der_len) == (int)c.der_len,
		    CW_ERR_NOMEM, "out of memory");
	} else {
		CW_TRY(append_pem(b, c.der, c.der_len, err));
		if (chain) {
			ilen = i2d_X509(e->issuing, &iss);
			CW_ENSURE_OSSL(ilen > 0, "cannot encode the CA");
			CW_TRY(append_pem(b, iss, (size_t)ilen, err));
		}
	}
	n = BIO_get_mem_data(b, &data);
	*out = malloc((size_t)n);
	CW_ENSURE_MEM(*out);
	memcpy(*out, data, (size_t)n);
	*len = (size_t)n;
out:
	OPENSSL_free(iss);
	BIO_free(b);
	cw_cert_rec_cleanup(&c);
	return rc;
}

cw_rc
cw_ca_pem(cw_engine *e, bool root, char **pem, cw_err *err)
{
	cw_rc rc = CW_OK;
	BIO *b = BIO_new(BIO_s_mem());
	X509 *r = NULL;
	char *data;
	long n;

	CW_ENSURE_MEM(b);
	if (root)
		CW_TRY(cw_engine_root(e, &r, err));
	CW_ENSURE(!root || r != NULL, CW_ERR_NOT_FOUND, "the root CA "
	    "certificate is not known (the issuing CA was imported without "
	    "its chain)");
	CW_ENSURE_OSSL(PEM_write_bio_X509(b, root ? r : e->issuing) == 1,
	    "cannot write PEM");
	n = BIO_get_mem_data(b, &data);
	*pem = malloc((size_t)n + 1);
	CW_ENSURE_MEM(*pem);
	memcpy(*pem, data, (size_t)n);
	(*pem)[n] = '\0';
out:
	BIO_free(b);
	return rc;
}
