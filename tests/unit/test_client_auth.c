/*
 * test_client_auth.c - signing in with a client certificate
 * (src/engine/client_auth.c) through the engine API, on a real data
 * directory (cw_engine_init, the built-in example policy): certificates
 * issued by the engine from CSRs built here, then presented as the TLS
 * layer would hand them over, as issued and altered (trailing bytes,
 * truncation, a flipped signature bit), and after revocation, renewal and
 * the user's removal.  The TLS side is tested end to end in
 * tests/e2e/test_serve_mtls.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "common/limits.h"
#include "engine/client_auth.h"
#include "engine/engine.h"
#include "x509/csr_build.h"
#include "x509/keygen.h"
#include "testutil.h"

#define WL "workload-mtls"
#define WS "web-server"
#define SPIFFE "spiffe://example.internal/ns/prod/sa/"

static char tmpdir[] = "/tmp/cw_test_client_auth_XXXXXX";
static char datadir[512];
static cw_engine *eng;

static const cw_actor admin = {"admin", "human", "cli"};

/* --- helpers ------------------------------------------------------------------ */

/*
 * Issues a certificate as `requester` (template WL: a SPIFFE URI SAN
 * ending in `name`; WS: DNS www.example.com) and returns its DER
 * (OPENSSL_free) and serial; renew: the serial it renews, or NULL.
 */
static uint8_t *
issue(const char *requester, const char *tmpl, const char *name,
    const char *renew, size_t *len, char serial[48])
{
	const cw_actor a = {requester, "automation", "cli"};
	cw_err err = CW_ERR_INIT;
	cw_keyspec ks = {CW_KEYT_EC, 0, NID_X9_62_prime256v1};
	EVP_PKEY *key = NULL;
	char uri[160];
	const char *uris[1] = {uri}, *dns[1] = {"www.example.com"};
	cw_csr_spec spec;
	cw_submit sub;
	cw_outcome o;
	uint8_t *csr = NULL, *der = NULL;
	size_t csr_len = 0;

	snprintf(uri, sizeof(uri), SPIFFE "%s", name);
	memset(&spec, 0, sizeof(spec));
	if (strcmp(tmpl, WL) == 0) {
		spec.uri = uris;
		spec.n_uri = 1;
	} else {
		spec.dns = dns;
		spec.n_dns = 1;
	}
	spec.md = "sha256";
	assert_int_equal(cw_keygen(&ks, &key, &err), CW_OK);
	assert_int_equal(cw_csr_build(key, &spec, &csr, &csr_len, &err),
	    CW_OK);
	memset(&sub, 0, sizeof(sub));
	sub.template_name = tmpl;
	sub.service = "api";
	sub.csr = csr;
	sub.csr_len = csr_len;
	sub.renew_serial = renew;
	memset(&o, 0, sizeof(o));
	if (cw_request_submit(eng, &a, &sub, &o, &err) != CW_OK)
		fail_msg("submit: %s", err.msg);
	assert_string_equal(o.state, "issued");
	memcpy(serial, o.serial, 48);
	assert_int_equal(cw_cert_get(eng, serial, false, true, &der, len,
	    &err), CW_OK);
	cw_outcome_cleanup(&o);
	OPENSSL_free(csr);
	EVP_PKEY_free(key);
	return der;
}

/* Authenticates; on refusal the message must contain `want`. */
static cw_rc
auth(const uint8_t *der, size_t len, cw_user *u, const char *want)
{
	cw_err err = CW_ERR_INIT;
	cw_user tmp;
	char serial[48];
	cw_rc rc;

	rc = cw_client_cert_authenticate(eng, der, len, u != NULL ? u : &tmp,
	    serial, &err);
	if (rc != CW_OK && want != NULL && strstr(err.msg, want) == NULL)
		fail_msg("expected '%s' in: %s", want, err.msg);
	if (rc == CW_OK)
		assert_true(strlen(serial) > 0);
	else
		assert_string_equal(serial, "");
	return rc;
}

/* --- fixtures ------------------------------------------------------------------- */

static int
group_setup(void **state)
{
	static const char *const users[] = {"alice=requester", "dave=pki-admin",
	    "erin=requester", NULL};

	(void)state;
	eng = cw_test_engine(tmpdir, datadir, sizeof(datadir), users, "api");
	return eng != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	return cw_test_engine_done(&eng, tmpdir);
}

/* --- signing in ----------------------------------------------------------------- */

/* The requester's own certificate naming it signs it in, with its roles. */
static void
test_own_certificate(void **state)
{
	uint8_t *der;
	size_t len;
	char serial[48], got[48];
	cw_err err = CW_ERR_INIT;
	cw_user u;

	(void)state;
	der = issue("dave", WL, "dave", NULL, &len, serial);
	memset(&u, 0, sizeof(u));
	assert_int_equal(cw_client_cert_authenticate(eng, der, len, &u, got,
	    &err), CW_OK);
	assert_string_equal(u.name, "dave");
	assert_true(cw_user_has_role(&u, "pki-admin"));
	assert_string_equal(got, serial);
	/* NULL outputs are allowed */
	assert_int_equal(cw_client_cert_authenticate(eng, der, len, NULL,
	    NULL, &err), CW_OK);
	OPENSSL_free(der);
}

/* A certificate naming another user than its requester signs nobody in. */
static void
test_names_someone_else(void **state)
{
	uint8_t *der;
	size_t len;
	char serial[48];

	(void)state;
	der = issue("alice", WL, "dave", NULL, &len, serial);
	assert_int_equal(auth(der, len, NULL, "does not name its requester "
	    "'alice'"), CW_ERR_NONCOMPLIANT);
	OPENSSL_free(der);
	/* a name that merely starts or ends like the user's is not it */
	der = issue("alice", WL, "alice2", NULL, &len, serial);
	assert_int_equal(auth(der, len, NULL, "does not name"),
	    CW_ERR_NONCOMPLIANT);
	OPENSSL_free(der);
}

/* serverAuth only: no client credential (RFC 5280 4.2.1.12). */
static void
test_no_client_auth(void **state)
{
	uint8_t *der;
	size_t len;
	char serial[48];

	(void)state;
	der = issue("alice", WS, "alice", NULL, &len, serial);
	assert_int_equal(auth(der, len, NULL, "clientAuth"),
	    CW_ERR_NONCOMPLIANT);
	OPENSSL_free(der);
}

/* --- altered bytes ---------------------------------------------------------------- */

/* Empty, oversized, truncated, trailing bytes: refused before any lookup. */
static void
test_malformed(void **state)
{
	uint8_t *der, *more;
	size_t len;
	char serial[48];

	(void)state;
	der = issue("alice", WL, "alice", NULL, &len, serial);
	assert_int_equal(auth(der, 0, NULL, "empty"), CW_ERR_NONCOMPLIANT);
	assert_int_equal(auth(NULL, 10, NULL, "empty"), CW_ERR_NONCOMPLIANT);
	assert_int_equal(auth(der, CW_MAX_CERT_BYTES + 1, NULL, "larger"),
	    CW_ERR_NONCOMPLIANT);
	assert_int_equal(auth(der, len - 1, NULL, "not one DER"),
	    CW_ERR_NONCOMPLIANT);
	more = malloc(len + 1);
	assert_non_null(more);
	memcpy(more, der, len);
	more[len] = 0;
	assert_int_equal(auth(more, len + 1, NULL, "not one DER"),
	    CW_ERR_NONCOMPLIANT);
	/* the bytes as issued still sign in */
	assert_int_equal(auth(der, len, NULL, NULL), CW_OK);
	free(more);
	OPENSSL_free(der);
}

/* A flipped bit in the signature: not issued by our CA. */
static void
test_bad_signature(void **state)
{
	uint8_t *der;
	size_t len;
	char serial[48];

	(void)state;
	der = issue("alice", WL, "alice", NULL, &len, serial);
	der[len - 3] ^= 0x01;
	assert_int_equal(auth(der, len, NULL, "not issued by certward"),
	    CW_ERR_NONCOMPLIANT);
	OPENSSL_free(der);
}

/* --- the inventory's word ----------------------------------------------------------- */

/* Revoked: refused at once, with the reason. */
static void
test_revoked(void **state)
{
	cw_err err = CW_ERR_INIT;
	uint8_t *der;
	size_t len;
	char serial[48];

	(void)state;
	der = issue("alice", WL, "alice", NULL, &len, serial);
	assert_int_equal(auth(der, len, NULL, NULL), CW_OK);
	assert_int_equal(cw_cert_revoke(eng, &admin, serial, 1, &err), CW_OK);
	assert_int_equal(auth(der, len, NULL, "revoked (keyCompromise)"),
	    CW_ERR_NONCOMPLIANT);
	OPENSSL_free(der);
}

/* Renewed: the old certificate is superseded, the new one signs in. */
static void
test_superseded(void **state)
{
	uint8_t *old, *new;
	size_t olen, nlen;
	char os[48], ns[48];

	(void)state;
	old = issue("alice", WL, "alice", NULL, &olen, os);
	new = issue("alice", WL, "alice", os, &nlen, ns);
	assert_int_equal(auth(old, olen, NULL, "superseded"),
	    CW_ERR_NONCOMPLIANT);
	assert_int_equal(auth(new, nlen, NULL, NULL), CW_OK);
	OPENSSL_free(old);
	OPENSSL_free(new);
}

/* The user removed, then added again: its old certificates stay dead. */
static void
test_user_removed(void **state)
{
	cw_err err = CW_ERR_INIT;
	uint8_t *der;
	size_t len;
	char serial[48];

	(void)state;
	der = issue("erin", WL, "erin", NULL, &len, serial);
	assert_int_equal(auth(der, len, NULL, NULL), CW_OK);
	assert_int_equal(cw_user_remove(eng, &admin, "erin", &err), CW_OK);
	assert_int_equal(auth(der, len, NULL, "does not exist"),
	    CW_ERR_NONCOMPLIANT);
	sleep(1);
	cw_test_add_user(eng, "erin", "requester");
	assert_int_equal(auth(der, len, NULL, "added again"),
	    CW_ERR_NONCOMPLIANT);
	OPENSSL_free(der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_certificate),
		cmocka_unit_test(test_names_someone_else),
		cmocka_unit_test(test_no_client_auth),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_superseded),
		cmocka_unit_test(test_user_removed),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
