/*
 * server_ca.c - what `certward serve` needs from the CA: the issuing
 * certificate and key for OCSP signing, one certificate's revocation status
 * (for OCSP, without its audit trail), the CRL schedule, and a TLS
 * certificate for the server itself.  Kept in one file so that it can move
 * into the separate signer process (issue 4, key isolation) as a unit.
 */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "../x509/cert_build.h"

cw_rc
cw_engine_ca_get1(cw_engine *e, X509 **issuing, EVP_PKEY **key, X509 **root,
    cw_err *err)
{
	cw_rc rc = CW_OK;

	*issuing = NULL;
	*key = NULL;
	*root = NULL;
	CW_ENSURE(e->issuing != NULL && e->issuing_key != NULL,
	    CW_ERR_INTERNAL, "the issuing CA is not loaded");
	CW_ENSURE_OSSL(X509_up_ref(e->issuing) == 1 &&
	    EVP_PKEY_up_ref(e->issuing_key) == 1, "cannot reference the CA");
	*issuing = e->issuing;
	*key = e->issuing_key;
	if (e->root != NULL && X509_up_ref(e->root) == 1)
		*root = e->root;
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

cw_rc
cw_engine_server_cert(cw_engine *e, const char *host, int64_t lifetime,
    char **cert_pem, char **key_pem, char serial[48], cw_err *err)
{
	cw_rc rc = CW_OK;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	BIO *cb = NULL, *kb = NULL;
	cw_cert_profile p;
	cw_name_attr cn;
	cw_gen_name sans[2];
	size_t n_sans = 0, iplen = 0;
	uint8_t ser[16], ip[16];
	int eku[1] = {NID_server_auth};
	int64_t now = cw_engine_now(e), ca_end;
	const ASN1_TIME *na;
	struct tm tm;
	const char *name = host;

	*cert_pem = NULL;
	*key_pem = NULL;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	CW_ENSURE_OSSL(key != NULL, "cannot generate the server key");
	/* RFC 5280 4.1.2.2: positive, at most 20 octets; 127 random bits */
	CW_ENSURE_OSSL(RAND_bytes(ser, sizeof(ser)) == 1, "no randomness");
	ser[0] = (uint8_t)((ser[0] & 0x7f) | 0x01);
	cw_hex(ser, sizeof(ser), serial);

	/* never outlive the issuer (RFC 5280 6.1.3 would reject it) */
	na = X509_get0_notAfter(e->issuing);
	CW_ENSURE_OSSL(ASN1_TIME_to_tm(na, &tm) == 1, "issuer notAfter");
	ca_end = (int64_t)timegm(&tm);
	memset(&p, 0, sizeof(p));
	p.serial = ser;
	p.serial_len = sizeof(ser);
	p.not_before = now - 60;
	p.not_after = now + lifetime;
	if (p.not_after > ca_end)
		p.not_after = ca_end;
	CW_ENSURE(p.not_after > p.not_before + 60, CW_ERR_CONFIG,
	    "the issuing CA expires too soon to issue the server certificate");
	if (host_ip(host, ip, &iplen)) {
		sans[n_sans].type = CW_GN_IP;
		sans[n_sans].val = ip;
		sans[n_sans++].len = iplen;
	} else if (strcmp(host, "localhost") != 0) {
		sans[n_sans].type = CW_GN_DNS;
		sans[n_sans].val = (const uint8_t *)host;
		sans[n_sans++].len = strlen(host);
	}
	sans[n_sans].type = CW_GN_DNS;
	sans[n_sans].val = (const uint8_t *)"localhost";
	sans[n_sans++].len = strlen("localhost");
	if (strlen(name) > 64)
		name = "localhost";
	cn.nid = NID_commonName;
	cn.val = (const uint8_t *)name;
	cn.len = strlen(name);
	p.subject = &cn;
	p.n_subject = 1;
	p.sans = sans;
	p.n_sans = n_sans;
	p.key_usage = CW_KU_DIGITAL_SIGNATURE;
	p.eku = eku;
	p.n_eku = 1;
	p.md = EVP_PKEY_is_a(e->issuing_key, "EC") &&
	    EVP_PKEY_get_bits(e->issuing_key) > 256 ?
	    (EVP_PKEY_get_bits(e->issuing_key) > 384 ? "SHA512" : "SHA384") :
	    (EVP_PKEY_is_a(e->issuing_key, "ED25519") ||
	    EVP_PKEY_is_a(e->issuing_key, "ED448")) ? NULL : "SHA256";
	CW_TRY(cw_cert_issue(&p, key, e->issuing, e->issuing_key, &cert, err));

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
	BIO_free(cb);
	BIO_free(kb); /* secure heap: cleared when freed */
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}
