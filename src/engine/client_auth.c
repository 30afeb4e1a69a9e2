/*
 * client_auth.c - whom a TLS client certificate signs in (client_auth.h).
 *
 * The server's TLS layer asks for a certificate and proves that the client
 * holds its key; it decides nothing else.  Here the certificate is checked
 * against what certward itself knows: its issuing CA (the signature, with
 * our own code rather than the TLS library's), and the inventory (the very
 * bytes issued, the status now, the validity on the engine's clock, the
 * request it was issued for).  A certificate is a credential only for the
 * requester of its request, and only if it names that user: a requester
 * cannot get one for someone else, and an administrator's server or
 * workload certificates do not make their holders administrators.
 *
 * Every step reads untrusted bytes as lengths and byte strings: the DER is
 * bounded before decoding and must be consumed exactly, names are compared
 * with their lengths (a NUL inside can never match a user name).
 */
#include "engine_int.h"
#include "client_auth.h"

#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "../common/limits.h"
#include "../x509/cert_build.h"

#define SPIFFE_PREFIX "spiffe://"
#define SPIFFE_PREFIX_LEN (sizeof(SPIFFE_PREFIX) - 1)
#define SERIAL_OCTETS_MAX 20 /* RFC 5280 4.1.2.2 */

/* Does s hold exactly the bytes of `name` (no NUL, nothing more)? */
static bool
bytes_are(const unsigned char *p, size_t len, const char *name)
{
	size_t n = strlen(name);

	return p != NULL && len == n && memcmp(p, name, n) == 0;
}

static bool
asn1_is(const ASN1_STRING *s, const char *name)
{
	return s != NULL && ASN1_STRING_length(s) >= 0 &&
	    bytes_are(ASN1_STRING_get0_data(s),
	    (size_t)ASN1_STRING_length(s), name);
}

/*
 * The subject's commonName names the user: exactly one CN (with two,
 * which would count?) in a text type of DirectoryString (RFC 5280
 * 4.1.2.6).
 */
static bool
cn_names(X509 *x, const char *user)
{
	const X509_NAME *n = X509_get_subject_name(x);
	const ASN1_STRING *v;
	int i, t;

	i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	if (i < 0 || X509_NAME_get_index_by_NID(n, NID_commonName, i) >= 0)
		return false;
	v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	t = v != NULL ? ASN1_STRING_type(v) : -1;
	if (t != V_ASN1_UTF8STRING && t != V_ASN1_PRINTABLESTRING)
		return false;
	return asn1_is(v, user);
}

/*
 * A SPIFFE ID (spiffe://TRUST-DOMAIN/PATH, no query or fragment) whose
 * last path segment is the user's name, compared as the bytes stand (no
 * percent-decoding): spiffe://example.internal/ns/prod/sa/NAME.
 */
static bool
spiffe_names(const ASN1_STRING *u, const char *user)
{
	const unsigned char *p = ASN1_STRING_get0_data(u);
	size_t len, seg;

	if (p == NULL || ASN1_STRING_length(u) <= 0)
		return false;
	len = (size_t)ASN1_STRING_length(u);
	if (len <= SPIFFE_PREFIX_LEN ||
	    memcmp(p, SPIFFE_PREFIX, SPIFFE_PREFIX_LEN) != 0 ||
	    memchr(p, '?', len) != NULL || memchr(p, '#', len) != NULL ||
	    memchr(p, '\0', len) != NULL)
		return false;
	/* a path must follow the trust domain */
	if (memchr(p + SPIFFE_PREFIX_LEN, '/', len - SPIFFE_PREFIX_LEN) ==
	    NULL)
		return false;
	seg = len;
	while (p[seg - 1] != '/')
		seg--;
	return bytes_are(p + seg, len - seg, user);
}

/* Does the certificate name `user` (client_auth.h: CN, e-mail, SPIFFE)? */
static bool
names_user(X509 *x, const char *user)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	bool yes = false;
	int i, crit = 0;

	if (cn_names(x, user))
		return true;
	/* a second subjectAltName extension gives NULL (crit -2): no names */
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens) && !yes;
	    i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		/* RFC 5280 4.2.1.6: rfc822Name and URI are IA5Strings */
		if (g->type == GEN_EMAIL)
			yes = asn1_is(g->d.rfc822Name, user);
		else if (g->type == GEN_URI)
			yes = spiffe_names(g->d.uniformResourceIdentifier,
			    user);
	}
	GENERAL_NAMES_free(gens);
	return yes;
}

/* The serial as the inventory keys it; RFC 5280 4.1.2.2 bounds it. */
static cw_rc
serial_of(X509 *x, char out[48], cw_err *err)
{
	cw_rc rc = CW_OK;
	const ASN1_INTEGER *s = X509_get0_serialNumber(x);
	int n = s != NULL ? ASN1_STRING_length(s) : 0;

	CW_ENSURE(s != NULL && ASN1_STRING_type(s) == V_ASN1_INTEGER &&
	    n > 0 && n <= SERIAL_OCTETS_MAX, CW_ERR_NONCOMPLIANT,
	    "the client certificate's serial number is not a positive "
	    "integer of at most 20 octets (RFC 5280 4.1.2.2)");
	cw_serial_hex(ASN1_STRING_get0_data(s), (size_t)n, out);
out:
	return rc;
}

/* Authenticates a client certificate; see client_auth.h. */
cw_rc
cw_client_cert_authenticate(cw_engine *e, const uint8_t *der, size_t len,
    cw_user *user_out, char serial[48], cw_err *err)
{
	cw_rc rc = CW_OK;
	X509 *x = NULL;
	const unsigned char *p = der;
	cw_cert_rec c;
	cw_request r;
	cw_user u;
	char ser[48] = "", when[40];
	bool found = false;
	uint32_t flags;
	int64_t now;

	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	memset(&u, 0, sizeof(u));
	if (serial != NULL)
		serial[0] = '\0';
	CW_ENSURE(der != NULL && len > 0 && len <= CW_MAX_CERT_BYTES,
	    CW_ERR_NONCOMPLIANT, "the client certificate is empty or larger "
	    "than %d bytes", CW_MAX_CERT_BYTES);
	x = d2i_X509(NULL, &p, (long)len);
	CW_ENSURE(x != NULL && p == der + len, CW_ERR_NONCOMPLIANT,
	    "the client certificate is not one DER certificate");
	/* RFC 5280 6.1.3 (a)(4) and (a)(1): named and signed by our
	 * issuing CA; checked here whatever the TLS library did */
	CW_ENSURE(X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(e->issuing)) == 0 &&
	    X509_verify(x, X509_get0_pubkey(e->issuing)) == 1,
	    CW_ERR_NONCOMPLIANT, "the client certificate was not issued by "
	    "certward's issuing CA");
	CW_TRY(serial_of(x, ser, err));

	/* the inventory: the same bytes, issued by us, in force now */
	CW_TRY(cw_store_cert_get(e->store, ser, &c, &found, err));
	CW_ENSURE(found && strcmp(c.source, "issued") == 0,
	    CW_ERR_NONCOMPLIANT, "client certificate %s is not in the "
	    "inventory", ser);
	CW_ENSURE(c.der_len == len && memcmp(c.der, der, len) == 0,
	    CW_ERR_NONCOMPLIANT, "client certificate %s differs from the "
	    "inventory's certificate with that serial", ser);
	if (strcmp(c.status, "revoked") == 0) {
		cw_time_text(c.revoked_at, when, sizeof(when));
		rc = cw_err_set(err, CW_ERR_NONCOMPLIANT, "client certificate "
		    "%s was revoked (%s) at %s", ser,
		    cw_crl_reason_name(c.revocation_reason), when);
		goto out;
	}
	/* renewed: the new certificate is the credential now */
	CW_ENSURE(strcmp(c.status, "superseded") != 0, CW_ERR_NONCOMPLIANT,
	    "client certificate %s was superseded (renewed as %s): use the "
	    "new certificate", ser, c.renewed_by[0] ? c.renewed_by : "?");
	CW_ENSURE(strcmp(c.status, "valid") == 0, CW_ERR_NONCOMPLIANT,
	    "client certificate %s has status %s", ser, c.status);
	now = cw_engine_now(e);
	cw_time_text(c.not_before, when, sizeof(when));
	CW_ENSURE(now >= c.not_before, CW_ERR_NONCOMPLIANT, "client "
	    "certificate %s is not valid before %s", ser, when);
	/* expired from notAfter on, as the listings count it */
	cw_time_text(c.not_after, when, sizeof(when));
	CW_ENSURE(now < c.not_after, CW_ERR_NONCOMPLIANT, "client "
	    "certificate %s expired at %s", ser, when);

	/* what it may be used for */
	flags = X509_get_extension_flags(x);
	CW_ENSURE((flags & EXFLAG_INVALID) == 0, CW_ERR_NONCOMPLIANT,
	    "client certificate %s has invalid or repeated extensions", ser);
	CW_ENSURE((flags & EXFLAG_CA) == 0, CW_ERR_NONCOMPLIANT, "client "
	    "certificate %s is a CA certificate", ser);
	CW_ENSURE((flags & EXFLAG_XKUSAGE) != 0 &&
	    (X509_get_extended_key_usage(x) & XKU_SSL_CLIENT) != 0,
	    CW_ERR_NONCOMPLIANT, "client certificate %s has no extended key "
	    "usage clientAuth (RFC 5280 4.2.1.12): its template (%s) does not "
	    "make client certificates", ser, c.template_name);
	CW_ENSURE((flags & EXFLAG_KUSAGE) == 0 ||
	    (X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE) != 0,
	    CW_ERR_NONCOMPLIANT, "client certificate %s has a key usage "
	    "without digitalSignature (RFC 5280 4.2.1.3)", ser);

	/* whom: the requester of its request, who must still exist as the
	 * same user, and whom the certificate must name */
	CW_ENSURE(c.request_id > 0, CW_ERR_NONCOMPLIANT, "client certificate "
	    "%s was not issued for a request: it belongs to no user", ser);
	CW_TRY(cw_store_request_get(e->store, c.request_id, &r, &found, err));
	CW_ENSURE(found, CW_ERR_NONCOMPLIANT, "client certificate %s: its "
	    "request %lld is not in the database", ser,
	    (long long)c.request_id);
	CW_TRY(cw_store_user_get(e->store, r.requester, &u, &found, err));
	CW_ENSURE(found, CW_ERR_NONCOMPLIANT, "client certificate %s: its "
	    "user '%s' does not exist (any more)", ser, r.requester);
	/* removing a user and adding the name again must not revive the
	 * old user's certificates (as for tokens) */
	CW_ENSURE(u.created_at <= r.created_at, CW_ERR_NONCOMPLIANT,
	    "client certificate %s: user '%s' was removed and added again "
	    "after the certificate was requested", ser, r.requester);
	CW_ENSURE(names_user(x, u.name), CW_ERR_NONCOMPLIANT, "client "
	    "certificate %s does not name its requester '%s' (as the subject "
	    "commonName, an rfc822Name or the last segment of a spiffe:// URI "
	    "SAN): it signs nobody in", ser, u.name);
	if (user_out != NULL)
		*user_out = u;
	if (serial != NULL)
		memcpy(serial, ser, sizeof(ser));
out:
	/* a refused certificate leaves nothing in the error queue for the
	 * next request's OpenSSL calls to trip over */
	if (rc == CW_ERR_NONCOMPLIANT)
		ERR_clear_error();
	X509_free(x);
	cw_cert_rec_cleanup(&c);
	cw_request_cleanup(&r);
	return rc;
}
