/*
 * server_ca.c - what `certward serve` needs from the CA: the issuing and
 * root certificates, one certificate's revocation status (for OCSP,
 * without its audit trail), the CRL schedule, and a TLS certificate for
 * the server itself.  No private key of the CA is used here: OCSP and the
 * server certificate are signed through the seam of sign.h, so that in
 * serve only the signer process holds the key (docs/security.md).  The
 * signer checks the server certificate against the very profile built
 * here (cw_server_profile_check).
 */
#include "engine_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "../x509/cert_build.h"
#include "../x509/name_match.h"

cw_rc
cw_engine_ca_get1(cw_engine *e, X509 **issuing, X509 **root, cw_err *err)
{
	cw_rc rc = CW_OK;
	X509 *r = NULL;

	*issuing = NULL;
	*root = NULL;
	CW_ENSURE(e->issuing != NULL, CW_ERR_INTERNAL,
	    "the issuing CA is not loaded");
	CW_ENSURE_OSSL(X509_up_ref(e->issuing) == 1, "cannot reference the CA");
	*issuing = e->issuing;
	CW_TRY(cw_engine_root(e, &r, err));
	if (r != NULL && X509_up_ref(r) == 1)
		*root = r;
out:
	return rc;
}

int64_t
cw_engine_crl_next_update(const cw_engine *e)
{
	return e->cfg.crl_next_update > 0 ? e->cfg.crl_next_update : 7 * 86400;
}

cw_rc
cw_engine_cert_status(cw_engine *e, const char *serial_hex,
    cw_ocsp_status *st, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_cert_rec c;
	bool found = false;

	memset(&c, 0, sizeof(c));
	st->status = CW_OCSP_UNKNOWN;
	st->revoked_at = 0;
	st->reason = -1;
	if (serial_hex[0] == '\0')
		goto out;
	CW_TRY(cw_store_cert_get(e->store, serial_hex, &c, &found, err));
	/* RFC 6960 2.2: "unknown" for what this responder did not issue;
	 * discovered certificates come from other CAs, whatever their
	 * serial */
	if (!found || strcmp(c.source, "issued") != 0)
		goto out;
	if (strcmp(c.status, "revoked") == 0) {
		st->status = CW_OCSP_REVOKED;
		st->revoked_at = c.revoked_at;
		st->reason = c.revocation_reason;
	} else {
		/* valid, superseded and expired are all "good" (RFC 6960
		 * 2.2: good says only that it is not revoked) */
		st->status = CW_OCSP_GOOD;
	}
out:
	cw_cert_rec_cleanup(&c);
	return rc;
}

/* Parses host as an IP address (4 or 16 octets in ip); false for a name. */
static bool
host_ip(const char *host, uint8_t ip[16], size_t *len)
{
	ASN1_OCTET_STRING *os = a2i_IPADDRESS(host);

	if (os == NULL)
		return false;
	*len = (size_t)ASN1_STRING_length(os);
	if (*len != 4 && *len != 16) {
		ASN1_OCTET_STRING_free(os);
		return false;
	}
	memcpy(ip, ASN1_STRING_get0_data(os), *len);
	ASN1_OCTET_STRING_free(os);
	return true;
}

static cw_rc
pem_text(BIO *b, char **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	char *data;
	long n = BIO_get_mem_data(b, &data);

	CW_ENSURE(n > 0, CW_ERR_CRYPTO, "empty PEM output");
	*out = malloc((size_t)n + 1);
	CW_ENSURE_MEM(*out);
	memcpy(*out, data, (size_t)n);
	(*out)[n] = '\0';
out:
	return rc;
}

int64_t
cw_server_cert_renew_at(int64_t not_before, int64_t not_after)
{
	if (not_after <= not_before)
		return not_before;
	/* two thirds in: a third of the lifetime is left to retry a
	 * renewal that failed (CA briefly unreadable, disk full) */
	return not_before + (not_after - not_before) / 3 * 2 +
	    (not_after - not_before) % 3 * 2 / 3;
}

/* Collects the serials of the server's earlier certificates. */
typedef struct older {
	char serial[16][48];
	size_t n;
} older;

static bool
collect_older(const cw_cert_rec *c, void *arg)
{
	older *o = arg;

	if (o->n == sizeof(o->serial) / sizeof(o->serial[0]))
		return false;
	snprintf(o->serial[o->n++], 48, "%s", c->serial);
	return true;
}

/*
 * Records the server's certificate in the inventory, in one transaction
 * with its audit events: the service (created once), cert.issue, and
 * cert.supersede for the earlier server certificates still valid.
 */
static cw_rc
record_server_cert(cw_engine *e, X509 *cert, EVP_PKEY *key, json_t *jsans,
    int64_t renew_at, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_cert_rec rec, old;
	cw_service svc;
	cw_cert_filter f;
	older prev;
	json_t *det = NULL;
	unsigned char *der = NULL, *spki = NULL;
	int der_len, spki_len;
	const ASN1_INTEGER *sn;
	BIGNUM *bn = NULL;
	char *hex = NULL, obj[80], nb[40], na[40], fp[65];
	struct tm tm;
	size_t i;
	bool found, began = false;

	memset(&rec, 0, sizeof(rec));
	memset(&old, 0, sizeof(old));
	memset(&prev, 0, sizeof(prev));
	der_len = i2d_X509(cert, &der);
	spki_len = i2d_PUBKEY(key, &spki);
	CW_ENSURE_OSSL(der_len > 0 && spki_len > 0, "cannot encode the "
	    "server certificate");
	sn = X509_get0_serialNumber(cert);
	bn = ASN1_INTEGER_to_BN(sn, NULL);
	CW_ENSURE_OSSL(bn != NULL && (hex = BN_bn2hex(bn)) != NULL,
	    "cannot read the serial");
	for (i = 0; hex[i] != '\0'; i++)
		hex[i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ?
		    hex[i] + 32 : hex[i]);
	snprintf(rec.serial, sizeof(rec.serial), "%s", hex);
	snprintf(rec.issuer, sizeof(rec.issuer), "%s", e->issuing_name);
	X509_NAME_oneline(X509_get_subject_name(cert), rec.subject,
	    sizeof(rec.subject));
	rec.sans = cw_json_canonical(jsans);
	CW_ENSURE_MEM(rec.sans);
	snprintf(rec.key_alg, sizeof(rec.key_alg), "ec:P-256");
	CW_ENSURE_OSSL(EVP_Digest(spki, (size_t)spki_len, rec.spki_sha256,
	    NULL, EVP_sha256(), NULL) == 1, "cannot hash the key");
	CW_ENSURE_OSSL(ASN1_TIME_to_tm(X509_get0_notBefore(cert), &tm) == 1,
	    "notBefore");
	rec.not_before = (int64_t)timegm(&tm);
	CW_ENSURE_OSSL(ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1,
	    "notAfter");
	rec.not_after = (int64_t)timegm(&tm);
	rec.renew_after = renew_at;
	snprintf(rec.template_name, sizeof(rec.template_name), "%s",
	    CW_SERVER_CERT_TEMPLATE);
	snprintf(rec.service, sizeof(rec.service), "%s",
	    CW_SERVER_CERT_SERVICE);
	rec.request_id = 0; /* no request: the server's own profile */
	snprintf(rec.status, sizeof(rec.status), "valid");
	rec.revocation_reason = -1;
	snprintf(rec.source, sizeof(rec.source), "issued");
	rec.der = der;
	rec.der_len = (size_t)der_len;

	CW_TRY(cw_store_begin(e->store, err));
	began = true;
	CW_TRY(cw_store_service_get(e->store, CW_SERVER_CERT_SERVICE, &svc,
	    &found, err));
	if (!found) {
		memset(&svc, 0, sizeof(svc));
		snprintf(svc.name, sizeof(svc.name), "%s",
		    CW_SERVER_CERT_SERVICE);
		snprintf(svc.owner, sizeof(svc.owner), "%s",
		    CW_SERVER_CERT_OWNER);
		snprintf(svc.contact, sizeof(svc.contact), "certward serve "
		    "(its own TLS certificate)");
		svc.created_at = svc.verified_at = cw_engine_now(e);
		CW_TRY(cw_store_service_put(e->store, &svc, err));
		det = json_pack("{s:s, s:s}", "owner", svc.owner, "contact",
		    svc.contact);
		CW_ENSURE_MEM(det);
		snprintf(obj, sizeof(obj), "service:%s", svc.name);
		CW_TRY(cw_engine_audit(e, NULL, "service.add", obj, det, err));
		json_decref(det);
		det = NULL;
	}
	memset(&f, 0, sizeof(f));
	f.service = CW_SERVER_CERT_SERVICE;
	f.template_name = CW_SERVER_CERT_TEMPLATE;
	f.status = "valid";
	f.now = cw_engine_now(e);
	CW_TRY(cw_store_cert_each(e->store, &f, collect_older, &prev, err));
	CW_TRY(cw_store_cert_insert(e->store, &rec, err));
	cw_hex(rec.spki_sha256, 32, fp);
	cw_time_text(rec.not_before, nb, sizeof(nb));
	cw_time_text(rec.not_after, na, sizeof(na));
	det = json_pack("{s:s, s:I, s:s, s:s, s:O, s:s, s:s, s:s, s:s, s:s, "
	    "s:[], s:[], s:s}", "serial", rec.serial, "request", (json_int_t)0,
	    "template", rec.template_name, "service", rec.service, "sans",
	    jsans, "key_alg", rec.key_alg, "spki_sha256", fp, "not_before", nb,
	    "not_after", na, "subject", rec.subject, "approvers",
	    "exceptions", "purpose", "certward serve TLS (self-issued)");
	CW_ENSURE_MEM(det);
	snprintf(obj, sizeof(obj), "cert:%s", rec.serial);
	CW_TRY(cw_engine_audit(e, NULL, "cert.issue", obj, det, err));
	for (i = 0; i < prev.n; i++) {
		cw_cert_rec_cleanup(&old);
		memset(&old, 0, sizeof(old));
		CW_TRY(cw_store_cert_get(e->store, prev.serial[i], &old,
		    &found, err));
		if (!found || strcmp(old.status, "valid") != 0)
			continue;
		snprintf(old.status, sizeof(old.status), "superseded");
		snprintf(old.renewed_by, sizeof(old.renewed_by), "%s",
		    rec.serial);
		CW_TRY(cw_store_cert_update(e->store, &old, err));
		json_decref(det);
		det = json_pack("{s:s}", "renewed_by", rec.serial);
		CW_ENSURE_MEM(det);
		snprintf(obj, sizeof(obj), "cert:%s", old.serial);
		CW_TRY(cw_engine_audit(e, NULL, "cert.supersede", obj, det,
		    err));
	}
	CW_TRY(cw_store_commit(e->store, err));
	began = false;
out:
	if (began)
		cw_store_rollback(e->store);
	rec.der = NULL; /* freed below as der */
	cw_cert_rec_cleanup(&rec);
	cw_cert_rec_cleanup(&old);
	json_decref(det);
	OPENSSL_free(der);
	OPENSSL_free(spki);
	OPENSSL_free(hex);
	BN_free(bn);
	return rc;
}

/* serve's own certificate, as cw_engine_server_cert builds it and the
 * signer expects it (everything but serial and digest). */
typedef struct server_prof {
	cw_cert_profile p;
	cw_name_attr cn;
	cw_gen_name sans[2];
	uint8_t ip[16];
	int eku[1];
} server_prof;

/*
 * The profile of the server certificate for `host` at time now: CN host
 * (localhost when longer than 64), SANs host (IP or DNS, unless it is
 * localhost) and localhost, digitalSignature, serverAuth, valid from a
 * minute ago for config.yaml's server_cert_lifetime, never past the
 * issuer.  sp borrows host.
 */
static cw_rc
server_profile(cw_engine *e, const char *host, int64_t now, server_prof *sp,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	const ASN1_TIME *na;
	struct tm tm;
	int64_t ca_end, lifetime;
	size_t n = 0, iplen = 0;
	const char *name = host;

	memset(sp, 0, sizeof(*sp));
	lifetime = e->cfg.server_cert_lifetime > 0 ?
	    e->cfg.server_cert_lifetime : CW_SERVER_CERT_LIFE_DEFAULT;
	/* never outlive the issuer (RFC 5280 6.1.3 would reject it) */
	na = X509_get0_notAfter(e->issuing);
	CW_ENSURE_OSSL(ASN1_TIME_to_tm(na, &tm) == 1, "issuer notAfter");
	ca_end = (int64_t)timegm(&tm);
	sp->p.not_before = now - CW_SIGN_BACKDATE;
	sp->p.not_after = now + lifetime;
	if (sp->p.not_after > ca_end)
		sp->p.not_after = ca_end;
	CW_ENSURE(sp->p.not_after > sp->p.not_before + 60, CW_ERR_CONFIG,
	    "the issuing CA expires too soon to issue the server certificate");
	if (host_ip(host, sp->ip, &iplen)) {
		sp->sans[n].type = CW_GN_IP;
		sp->sans[n].val = sp->ip;
		sp->sans[n++].len = iplen;
	} else if (strcmp(host, "localhost") != 0) {
		sp->sans[n].type = CW_GN_DNS;
		sp->sans[n].val = (const uint8_t *)host;
		sp->sans[n++].len = strlen(host);
	}
	sp->sans[n].type = CW_GN_DNS;
	sp->sans[n].val = (const uint8_t *)"localhost";
	sp->sans[n++].len = strlen("localhost");
	if (strlen(name) > 64)
		name = "localhost";
	sp->cn.nid = NID_commonName;
	sp->cn.val = (const uint8_t *)name;
	sp->cn.len = strlen(name);
	sp->eku[0] = NID_server_auth;
	sp->p.subject = &sp->cn;
	sp->p.n_subject = 1;
	sp->p.sans = sp->sans;
	sp->p.n_sans = n;
	sp->p.key_usage = CW_KU_DIGITAL_SIGNATURE;
	sp->p.eku = sp->eku;
	sp->p.n_eku = 1;
out:
	return rc;
}

static bool
same_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

cw_rc
cw_server_profile_check(cw_engine *e, const char *host,
    const cw_cert_profile *p, cw_refusal *why, cw_err *err)
{
	cw_rc rc = CW_OK;
	server_prof sp;
	int64_t now = cw_engine_now(e);
	size_t i;

	*why = CW_REFUSE_INTERNAL;
	CW_TRY(server_profile(e, host, now, &sp, err));
	*why = CW_REFUSE_TIME;
	CW_ENSURE(p->not_before >= sp.p.not_before - CW_SIGN_CLOCK_SLACK &&
	    p->not_before <= now + CW_SIGN_CLOCK_SLACK, CW_ERR_NONCOMPLIANT,
	    "the server certificate's notBefore is more than %d seconds "
	    "from the signer's clock", CW_SIGN_CLOCK_SLACK);
	*why = CW_REFUSE_VALIDITY;
	CW_ENSURE(p->not_after > p->not_before && p->not_after - p->not_before <=
	    sp.p.not_after - sp.p.not_before && p->not_after <= sp.p.not_after +
	    CW_SIGN_CLOCK_SLACK, CW_ERR_NONCOMPLIANT, "the server "
	    "certificate's validity is longer than server_cert_lifetime or "
	    "than the issuer's");
	*why = CW_REFUSE_NAMES;
	CW_ENSURE(p->n_subject == 1 && p->subject[0].nid == sp.cn.nid &&
	    same_bytes(p->subject[0].val, p->subject[0].len, sp.cn.val,
	    sp.cn.len), CW_ERR_NONCOMPLIANT, "the server certificate's "
	    "subject is not CN=%s", (const char *)sp.cn.val);
	CW_ENSURE(p->n_sans == sp.p.n_sans, CW_ERR_NONCOMPLIANT, "the server "
	    "certificate names %zu names, not the %zu of %s", p->n_sans,
	    sp.p.n_sans, host);
	for (i = 0; i < p->n_sans; i++)
		CW_ENSURE(p->sans[i].type == sp.sans[i].type &&
		    same_bytes(p->sans[i].val, p->sans[i].len, sp.sans[i].val,
		    sp.sans[i].len), CW_ERR_NONCOMPLIANT, "the server "
		    "certificate's name %zu is not the one serve uses for %s",
		    i + 1, host);
	*why = CW_REFUSE_KEY_USAGE;
	CW_ENSURE(p->key_usage == sp.p.key_usage, CW_ERR_NONCOMPLIANT,
	    "the server certificate's key usage is not digitalSignature");
	*why = CW_REFUSE_EKU;
	CW_ENSURE(p->n_eku == 1 && p->eku[0] == sp.eku[0], CW_ERR_NONCOMPLIANT,
	    "the server certificate's extended key usage is not serverAuth");
	*why = CW_REFUSE_URL;
	CW_ENSURE(p->crl_url == NULL && p->ocsp_url == NULL &&
	    p->ca_issuers_url == NULL, CW_ERR_NONCOMPLIANT, "the server "
	    "certificate carries no CRL, OCSP or caIssuers URL");
	*why = CW_REFUSE_NONE;
out:
	return rc;
}

cw_rc
cw_engine_server_cert(cw_engine *e, const char *host, char **cert_pem,
    char **key_pem, char serial[48], int64_t *renew_at, cw_err *err)
{
	cw_rc rc = CW_OK;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	BIO *cb = NULL, *kb = NULL;
	server_prof sp;
	uint8_t ser[16], *der = NULL;
	const uint8_t *q;
	size_t der_len = 0;
	unsigned char *spki = NULL;
	int spki_len;
	size_t i;
	json_t *jsans = NULL;
	char ipbuf[64];

	*cert_pem = NULL;
	*key_pem = NULL;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	CW_ENSURE_OSSL(key != NULL, "cannot generate the server key");
	spki_len = i2d_PUBKEY(key, &spki);
	CW_ENSURE_OSSL(spki_len > 0, "cannot encode the server key");
	/* RFC 5280 4.1.2.2: positive, at most 20 octets; 127 random bits,
	 * first octet never zero so the hex has no leading zeros */
	CW_ENSURE_OSSL(RAND_bytes(ser, sizeof(ser)) == 1, "no randomness");
	ser[0] = (uint8_t)((ser[0] & 0x7f) | 0x10);
	cw_serial_hex(ser, sizeof(ser), serial);
	CW_TRY(server_profile(e, host, cw_engine_now(e), &sp, err));
	sp.p.serial = ser;
	sp.p.serial_len = sizeof(ser);
	sp.p.md = cw_engine_sign_md(e);
	jsans = json_array();
	CW_ENSURE_MEM(jsans);
	for (i = 0; i < sp.p.n_sans; i++) {
		if (sp.sans[i].type == CW_GN_IP) {
			cw_ip_format(sp.sans[i].val, sp.sans[i].len, ipbuf,
			    sizeof(ipbuf));
			json_array_append_new(jsans, json_pack("{s:s, s:s}",
			    "type", "ip", "value", ipbuf));
		} else {
			json_array_append_new(jsans, json_pack("{s:s, s:s%}",
			    "type", "dns", "value", sp.sans[i].val,
			    sp.sans[i].len));
		}
	}
	/* through the seam: in serve the signer process signs it (sign.h) */
	CW_TRY(cw_engine_sign_cert(e, CW_SERVER_CERT_TEMPLATE, &sp.p, spki,
	    (size_t)spki_len, &der, &der_len, err));
	/* decoded here (once per certificate of the server's own), for the
	 * inventory record and the PEM */
	q = der;
	cert = der_len <= LONG_MAX ? d2i_X509(NULL, &q, (long)der_len) : NULL;
	CW_ENSURE(der_len <= LONG_MAX && cert != NULL && q == der + der_len,
	    CW_ERR_INTERNAL, "the signer answered with something that is not "
	    "one DER certificate");
	*renew_at = cw_server_cert_renew_at(sp.p.not_before, sp.p.not_after);
	/* in the inventory before it is used: a certificate in use that
	 * the inventory does not know is what certward exists to prevent */
	CW_TRY(record_server_cert(e, cert, key, jsans, *renew_at, err));

	cb = BIO_new(BIO_s_mem());
	kb = BIO_new(BIO_s_secmem());
	CW_ENSURE_MEM(cb);
	CW_ENSURE_MEM(kb);
	CW_ENSURE_OSSL(PEM_write_bio_X509(cb, cert) == 1 &&
	    PEM_write_bio_X509(cb, e->issuing) == 1, "cannot write PEM");
	CW_ENSURE_OSSL(PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL,
	    NULL) == 1, "cannot write the key");
	CW_TRY(pem_text(cb, cert_pem, err));
	CW_TRY(pem_text(kb, key_pem, err));
out:
	if (rc != CW_OK) {
		free(*cert_pem);
		*cert_pem = NULL;
	}
	json_decref(jsans);
	OPENSSL_free(spki);
	OPENSSL_free(der);
	BIO_free(cb);
	BIO_free(kb); /* secure heap: cleared when freed */
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}
