/*
 * test_policy_load.c - the policy loader (src/policy/policy_load.c) and the
 * name tables (policy_names.c) against DESIGN 6 and the shared example.
 *
 * Most cases are inline YAML loaded with cw_policy_load_mem; each rejection
 * asserts the exact line:column and a piece of the message.  Files under
 * tests/data/policy/ cover the file path (good/, bad/, example.yaml).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/obj_mac.h>

#include "common/limits.h"
#include "policy/policy.h"
#include "testutil.h"

/* Lines 1-3; the template mapping starts at 3:5. */
#define HEAD "version: 1\ntemplates:\n  - name: t\n"
#define OK_KEY "    key: { ec: { curves: [P-256] } }\n"
#define OK_HASH "    signature_hashes: [sha256]\n"
#define OK_VAL "    validity: { default: 1d, max: 2d }\n"
#define OK_OWNER "    owner: { required: false }\n"
/* A complete template in lines 1-7; a test's own line is line 8. */
#define BASE HEAD OK_KEY OK_HASH OK_VAL OK_OWNER

static cw_rc
load(const char *yaml, cw_policy **p, cw_policy_errors *errs, cw_err *err)
{
	return cw_policy_load_mem("t.yaml", yaml, strlen(yaml), p, errs, err);
}

static void
dump(const cw_policy_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		print_message("  %d:%d: %s\n", errs->items[i].mark.line,
		    errs->items[i].mark.column, errs->items[i].msg);
}

static bool
has_error(const cw_policy_errors *errs, int line, int col, const char *want)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		if (errs->items[i].mark.line == line &&
		    errs->items[i].mark.column == col &&
		    strstr(errs->items[i].msg, want) != NULL)
			return true;
	return false;
}

/*
 * Loads text of length len, expects CW_ERR_CONFIG with an error at
 * line:col containing `want`; `only` also demands that it is the only one.
 */
static void
expect_len(const char *yaml, size_t len, int line, int col, const char *want,
    bool only)
{
	cw_policy *p = (cw_policy *)&p; /* must be reset to NULL */
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;
	cw_rc rc;

	rc = cw_policy_load_mem("t.yaml", yaml, len, &p, &errs, &err);
	if (rc != CW_ERR_CONFIG || !has_error(&errs, line, col, want) ||
	    (only && errs.n != 1)) {
		print_message("want %d:%d '%s'; got rc %s, %zu errors:\n",
		    line, col, want, cw_rc_name(rc), errs.n);
		dump(&errs);
	}
	assert_int_equal(rc, CW_ERR_CONFIG);
	assert_null(p);
	assert_true(has_error(&errs, line, col, want));
	if (only)
		assert_int_equal(errs.n, 1);
	/* err->msg is the first problem, with the name and position. */
	assert_non_null(strstr(err.msg, errs.items[0].msg));
	assert_int_equal(strncmp(err.msg, "t.yaml:", 7), 0);
}

static void
expect_error(const char *yaml, int line, int col, const char *want)
{
	expect_len(yaml, strlen(yaml), line, col, want, true);
}

static void
expect_some_error(const char *yaml, int line, int col, const char *want)
{
	expect_len(yaml, strlen(yaml), line, col, want, false);
}

static cw_policy *
expect_ok(const char *yaml)
{
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;
	cw_rc rc;

	rc = load(yaml, &p, &errs, &err);
	if (rc != CW_OK) {
		print_message("%s\n", err.msg);
		dump(&errs);
	}
	assert_int_equal(rc, CW_OK);
	assert_non_null(p);
	return p;
}

static cw_policy *
expect_file_ok(const char *rel)
{
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;
	cw_rc rc;

	rc = cw_policy_load_file(cw_test_path(rel), &p, &errs, &err);
	if (rc != CW_OK) {
		print_message("%s\n", err.msg);
		dump(&errs);
	}
	assert_int_equal(rc, CW_OK);
	assert_non_null(p);
	return p;
}

static bool
has_curve(const cw_ec_rule *ec, int nid)
{
	size_t i;

	for (i = 0; i < ec->n_curves; i++)
		if (ec->curves[i] == nid)
			return true;
	return false;
}

static const cw_subject_rule *
rule_for(const cw_template *t, int nid)
{
	size_t i;

	for (i = 0; i < t->n_subject; i++)
		if (t->subject[i].nid == nid)
			return &t->subject[i];
	return NULL;
}

/* --- the shared example ----------------------------------------------------*/

/* The example loads unchanged and web-server means what its comments say. */
static void
test_example_web_server(void **state)
{
	cw_policy *p;
	const cw_template *t;
	const cw_subject_rule *r;

	(void)state;
	p = expect_file_ok("tests/data/policy/example.yaml");
	assert_int_equal(p->version, 1);
	assert_int_equal(p->n_templates, 3);
	t = cw_policy_get0_template(p, "web-server");
	assert_non_null(t);
	assert_string_equal(t->description,
	    "TLS server certificates for internal services");
	assert_int_equal(t->mark.line, 7);
	assert_int_equal(t->mark.column, 5);
	assert_true(t->rsa.allowed);
	assert_int_equal(t->rsa.min_bits, 3072);
	assert_int_equal(t->rsa.max_bits, 4096);
	assert_int_equal(t->rsa.exponent, 65537);
	assert_false(t->rsa_pss.allowed);
	assert_true(t->ec.allowed);
	assert_int_equal(t->ec.n_curves, 2);
	assert_int_equal(t->ec.curves[0], NID_X9_62_prime256v1);
	assert_int_equal(t->ec.curves[1], NID_secp384r1);
	assert_false(t->ed25519);
	assert_false(t->ed448);
	assert_int_equal(t->sig_hashes,
	    CW_HASH_SHA256 | CW_HASH_SHA384 | CW_HASH_SHA512);
	assert_int_equal(t->n_subject, 2);
	r = rule_for(t, NID_commonName);
	assert_non_null(r);
	assert_string_equal(r->key, "common_name");
	assert_false(r->required);
	assert_true(r->in_san);
	assert_null(r->value);
	assert_null(r->pattern);
	assert_int_equal(r->mark.line, 15);
	assert_int_equal(r->mark.column, 7);
	r = rule_for(t, NID_organizationName);
	assert_non_null(r);
	assert_false(r->required);
	assert_false(r->in_san);
	assert_string_equal(r->value, "Example Corp");
	assert_null(r->pattern);
	assert_false(t->other_fields_allow);
	assert_true(t->san.required);
	assert_int_equal(t->san.max, 10);
	assert_false(t->san.wildcards);
	assert_int_equal(t->san.dns.n, 3);
	assert_string_equal(t->san.dns.items[0], "*.svc.example.internal");
	assert_string_equal(t->san.dns.items[1], "**.apps.example.internal");
	assert_string_equal(t->san.dns.items[2], "www.example.com");
	assert_int_equal(t->san.n_ip, 2);
	assert_int_equal(t->san.ip[0].family, 4);
	assert_int_equal(t->san.ip[0].prefix, 8);
	assert_int_equal(t->san.ip[0].addr[0], 10);
	assert_int_equal(t->san.ip[1].family, 6);
	assert_int_equal(t->san.ip[1].prefix, 8);
	assert_int_equal(t->san.ip[1].addr[0], 0xfd);
	assert_int_equal(t->san.uri.n, 0);
	assert_int_equal(t->san.email.n, 0);
	assert_int_equal(t->key_usage,
	    CW_KU_DIGITAL_SIGNATURE | CW_KU_KEY_ENCIPHERMENT);
	assert_int_equal(t->n_eku, 1);
	assert_int_equal(t->eku[0], NID_server_auth);
	assert_int_equal(t->validity_default, 30 * 86400);
	assert_int_equal(t->validity_max, 90 * 86400);
	assert_int_equal(t->renew_at_pct, 66);
	assert_int_equal(t->approvals_required, 0);
	assert_int_equal(t->n_approval_roles, 0);
	assert_true(t->owner_required);
	assert_int_equal(t->owner_max_age, 180 * 86400);
	assert_false(t->key_reuse_allow);
	cw_policy_free(p);
}

/* workload-mtls: EC P-256 or Ed25519, one SPIFFE URI, 24h, renew at 50%. */
static void
test_example_workload_mtls(void **state)
{
	cw_policy *p;
	const cw_template *t;

	(void)state;
	p = expect_file_ok("tests/data/policy/example.yaml");
	t = cw_policy_get0_template(p, "workload-mtls");
	assert_non_null(t);
	assert_false(t->rsa.allowed);
	assert_false(t->rsa_pss.allowed);
	assert_true(t->ec.allowed);
	assert_int_equal(t->ec.n_curves, 1);
	assert_int_equal(t->ec.curves[0], NID_X9_62_prime256v1);
	assert_true(t->ed25519);
	assert_false(t->ed448);
	assert_int_equal(t->sig_hashes, CW_HASH_SHA256);
	assert_int_equal(t->n_subject, 0);
	assert_false(t->other_fields_allow);
	assert_true(t->san.required);
	assert_int_equal(t->san.max, 1);
	assert_false(t->san.wildcards);
	assert_int_equal(t->san.dns.n, 0);
	assert_int_equal(t->san.n_ip, 0);
	assert_int_equal(t->san.uri.n, 1);
	assert_string_equal(t->san.uri.items[0],
	    "spiffe://example.internal/ns/*/sa/*");
	assert_int_equal(t->key_usage, CW_KU_DIGITAL_SIGNATURE);
	assert_int_equal(t->n_eku, 2);
	assert_int_equal(t->eku[0], NID_server_auth);
	assert_int_equal(t->eku[1], NID_client_auth);
	assert_int_equal(t->validity_default, 86400);
	assert_int_equal(t->validity_max, 86400);
	assert_int_equal(t->renew_at_pct, 50);
	assert_int_equal(t->approvals_required, 0);
	assert_true(t->owner_required);
	assert_int_equal(t->owner_max_age, 90 * 86400);
	assert_false(t->key_reuse_allow);
	cw_policy_free(p);
}

/* code-signing: two approvers from two roles, CN pattern required. */
static void
test_example_code_signing(void **state)
{
	cw_policy *p;
	const cw_template *t;
	const cw_subject_rule *r;

	(void)state;
	p = expect_file_ok("tests/data/policy/example.yaml");
	t = cw_policy_get0_template(p, "code-signing");
	assert_non_null(t);
	assert_true(t->rsa.allowed);
	assert_int_equal(t->rsa.min_bits, 3072);
	assert_int_equal(t->rsa.max_bits, 8192); /* the default */
	assert_int_equal(t->rsa.exponent, 65537);
	assert_true(t->ec.allowed);
	assert_int_equal(t->ec.n_curves, 1);
	assert_int_equal(t->ec.curves[0], NID_secp384r1);
	assert_false(t->ed25519); /* not named, so not allowed */
	assert_int_equal(t->sig_hashes, CW_HASH_SHA384 | CW_HASH_SHA512);
	r = rule_for(t, NID_commonName);
	assert_non_null(r);
	assert_true(r->required);
	assert_false(r->in_san);
	assert_null(r->value);
	assert_string_equal(r->pattern, "* Release Signing");
	r = rule_for(t, NID_organizationName);
	assert_non_null(r);
	assert_true(r->required);
	assert_string_equal(r->value, "Example Corp");
	assert_false(t->other_fields_allow);
	assert_false(t->san.required);
	assert_int_equal(t->san.max, 0);
	assert_int_equal(t->san.dns.n + t->san.n_ip + t->san.uri.n +
	    t->san.email.n, 0);
	assert_int_equal(t->key_usage, CW_KU_DIGITAL_SIGNATURE);
	assert_int_equal(t->n_eku, 1);
	assert_int_equal(t->eku[0], NID_code_sign);
	assert_int_equal(t->validity_default, 365 * 86400);
	assert_int_equal(t->validity_max, 397 * 86400);
	assert_int_equal(t->renew_at_pct, 80);
	assert_int_equal(t->approvals_required, 2);
	assert_int_equal(t->n_approval_roles, 2);
	assert_string_equal(t->approval_roles[0], "pki-admin");
	assert_string_equal(t->approval_roles[1], "security-officer");
	assert_true(t->owner_required);
	assert_int_equal(t->owner_max_age, 30 * 86400);
	assert_false(t->key_reuse_allow);
	cw_policy_free(p);
}

/* Our copy of the example is byte-identical to the shared one. */
static void
test_example_copy_identical(void **state)
{
	char *ours, *shared;
	size_t n_ours, n_shared;

	(void)state;
	if (access(cw_test_path("../shared/examples/policy.yaml"), R_OK) != 0)
		skip();
	ours = cw_test_read("tests/data/policy/example.yaml", &n_ours);
	shared = cw_test_read("../shared/examples/policy.yaml", &n_shared);
	assert_int_equal(n_ours, n_shared);
	assert_memory_equal(ours, shared, n_ours);
	free(ours);
	free(shared);
}

/* The shared example itself (not our copy) loads. */
static void
test_shared_example_loads(void **state)
{
	cw_policy *p;

	(void)state;
	if (access(cw_test_path("../shared/examples/policy.yaml"), R_OK) != 0)
		skip();
	p = expect_file_ok("../shared/examples/policy.yaml");
	assert_int_equal(p->n_templates, 3);
	assert_string_equal(p->path,
	    cw_test_path("../shared/examples/policy.yaml"));
	cw_policy_free(p);
}

/* --- accepted policies and defaults ---------------------------------------*/

/* Every optional key left out takes its documented default. */
static void
test_minimal_defaults(void **state)
{
	cw_policy *p;
	const cw_template *t;

	(void)state;
	p = expect_file_ok("tests/data/policy/good/minimal.yaml");
	t = cw_policy_get0_template(p, "minimal");
	assert_non_null(t);
	assert_null(t->description);
	assert_false(t->rsa.allowed);
	assert_false(t->rsa_pss.allowed);
	assert_false(t->ed25519);
	assert_false(t->ed448);
	assert_int_equal(t->n_subject, 0);
	assert_false(t->other_fields_allow);
	assert_false(t->san.required);
	assert_int_equal(t->san.max, -1);
	assert_false(t->san.wildcards);
	assert_int_equal(t->san.dns.n + t->san.n_ip + t->san.uri.n +
	    t->san.email.n, 0);
	assert_int_equal(t->key_usage, 0);
	assert_int_equal(t->n_eku, 0);
	assert_int_equal(t->renew_at_pct, 66);
	assert_int_equal(t->approvals_required, 0);
	assert_false(t->owner_required);
	assert_int_equal(t->owner_max_age, 0);
	assert_false(t->key_reuse_allow);
	cw_policy_free(p);
}

/* An Ed25519-only template may leave signature_hashes out. */
static void
test_ed25519_only_needs_no_hashes(void **state)
{
	cw_policy *p;
	const cw_template *t;

	(void)state;
	p = expect_file_ok("tests/data/policy/good/ed25519-only.yaml");
	t = &p->templates[0];
	assert_true(t->ed25519);
	assert_false(t->ec.allowed);
	assert_int_equal(t->sig_hashes, 0);
	assert_int_equal(t->validity_default, 3600);
	assert_int_equal(t->validity_max, 12 * 3600);
	cw_policy_free(p);
}

/* Every field away from its default lands where it belongs. */
static void
test_all_fields(void **state)
{
	cw_policy *p;
	const cw_template *t;
	const cw_subject_rule *r;
	size_t i;

	(void)state;
	p = expect_file_ok("tests/data/policy/good/all-fields.yaml");
	t = cw_policy_get0_template(p, "everything_1.0-x");
	assert_non_null(t);
	assert_string_equal(t->description, "every field\twith a tab");
	assert_true(t->rsa.allowed);
	assert_int_equal(t->rsa.min_bits, 2048);
	assert_int_equal(t->rsa.max_bits, 8192);
	assert_int_equal(t->rsa.exponent, 65537);
	assert_true(t->rsa_pss.allowed);
	assert_int_equal(t->rsa_pss.max_bits, 3072);
	assert_int_equal(t->rsa_pss.exponent, 3);
	assert_int_equal(t->ec.n_curves, 3);
	assert_true(has_curve(&t->ec, NID_X9_62_prime256v1));
	assert_true(has_curve(&t->ec, NID_secp384r1));
	assert_true(has_curve(&t->ec, NID_secp521r1));
	assert_true(t->ed25519);
	assert_true(t->ed448);
	assert_int_equal(t->sig_hashes, CW_HASH_SHA224 | CW_HASH_SHA3_256 |
	    CW_HASH_SHA3_384 | CW_HASH_SHA3_512);
	assert_int_equal(t->n_subject, 14);
	for (i = 0; i < t->n_subject; i++)
		assert_string_equal(t->subject[i].key,
		    cw_subject_key_for_nid(t->subject[i].nid));
	r = rule_for(t, NID_commonName);
	assert_true(r->required);
	assert_true(r->in_san);
	assert_string_equal(r->pattern, "*.example.org");
	/* UTF-8 kept byte for byte. */
	assert_string_equal(rule_for(t, NID_organizationName)->value,
	    "B\xc3\xbc" "cher GmbH");
	/* `NO` is the string NO (Norway), not YAML 1.1 false. */
	assert_string_equal(rule_for(t, NID_countryName)->value, "NO");
	assert_true(rule_for(t, NID_countryName)->required);
	assert_string_equal(rule_for(t, NID_postalCode)->value, "0150");
	assert_string_equal(rule_for(t, NID_serialNumber)->value, "12345");
	assert_non_null(rule_for(t, NID_domainComponent));
	assert_non_null(rule_for(t, NID_givenName));
	assert_non_null(rule_for(t, NID_surname));
	assert_true(t->other_fields_allow);
	assert_true(t->san.required);
	assert_int_equal(t->san.max, CW_MAX_SANS);
	assert_true(t->san.wildcards);
	assert_int_equal(t->san.dns.n, 3);
	assert_int_equal(t->san.n_ip, 3);
	assert_int_equal(t->san.ip[2].prefix, 32); /* single address */
	assert_int_equal(t->san.uri.n, 1);
	assert_int_equal(t->san.email.n, 2);
	assert_string_equal(t->san.email.items[1], "admin@example.net");
	assert_int_equal(t->key_usage, CW_KU_DIGITAL_SIGNATURE |
	    CW_KU_NON_REPUDIATION | CW_KU_KEY_ENCIPHERMENT |
	    CW_KU_DATA_ENCIPHERMENT | CW_KU_KEY_AGREEMENT |
	    CW_KU_ENCIPHER_ONLY | CW_KU_DECIPHER_ONLY);
	assert_int_equal(t->n_eku, 6);
	assert_int_equal(t->eku[5], NID_OCSP_sign);
	assert_int_equal(t->validity_default, 3600);
	assert_int_equal(t->validity_max, 90 * 60);
	assert_int_equal(t->renew_at_pct, 1);
	assert_int_equal(t->approvals_required, 0);
	assert_int_equal(t->n_approval_roles, 3);
	assert_false(t->owner_required);
	assert_int_equal(t->owner_max_age, 7200);
	assert_true(t->key_reuse_allow);
	cw_policy_free(p);
}

/* `rsa: {}` allows RSA with the DESIGN 6.1 defaults 2048/8192/65537. */
static void
test_rsa_defaults(void **state)
{
	cw_policy *p;

	(void)state;
	p = expect_ok(HEAD "    key: { rsa: {} }\n" OK_HASH OK_VAL OK_OWNER);
	assert_true(p->templates[0].rsa.allowed);
	assert_int_equal(p->templates[0].rsa.min_bits, 2048);
	assert_int_equal(p->templates[0].rsa.max_bits, 8192);
	assert_int_equal(p->templates[0].rsa.exponent, 65537);
	assert_false(p->templates[0].rsa_pss.allowed);
	cw_policy_free(p);
}

/* Quoted keys, block scalars, `---`/`...` and a BOM are plain YAML. */
static void
test_yaml_forms_accepted(void **state)
{
	cw_policy *p;

	(void)state;
	p = expect_ok("%YAML 1.1\n---\n\"version\": 1\ntemplates:\n"
	    "- name: t\n  description: |\n    two\n    lines\n"
	    "  'key': {ed25519: true}\n  validity: {default: 59s, max: 1m}\n"
	    "  owner: {required: false}\n...\n");
	assert_string_equal(p->templates[0].description, "two\nlines\n");
	assert_int_equal(p->templates[0].validity_default, 59);
	cw_policy_free(p);
	/* A UTF-8 byte order mark is skipped; positions ignore it. */
	p = expect_ok("\xef\xbb\xbf" BASE);
	cw_policy_free(p);
	expect_error("\xef\xbb\xbfversion: 2\ntemplates:\n  - name: t\n"
	    OK_KEY OK_HASH OK_VAL OK_OWNER, 1, 10,
	    "unsupported policy version");
	/* UTF-16 is not a policy (its NUL bytes give it away). */
	expect_len("\xff\xfev\0e\0", 6, 1, 4, "NUL byte", true);
}

/* RSA bounds at the limits are accepted (1024 and CW_MAX_RSA_BITS). */
static void
test_rsa_bounds_accepted(void **state)
{
	cw_policy *p;

	(void)state;
	p = expect_ok(HEAD "    key: { rsa: { min_bits: 1024, max_bits: 16384,"
	    " exponent: 3 } }\n" OK_HASH OK_VAL OK_OWNER);
	assert_int_equal(p->templates[0].rsa.min_bits, 1024);
	assert_int_equal(p->templates[0].rsa.max_bits, CW_MAX_RSA_BITS);
	assert_int_equal(p->templates[0].rsa.exponent, 3);
	cw_policy_free(p);
}

/* Renewal percentages 1..99 and durations at the 100-year limit load. */
static void
test_edges_accepted(void **state)
{
	cw_policy *p;

	(void)state;
	p = expect_ok(HEAD OK_KEY OK_HASH OK_OWNER
	    "    validity: { default: 1s, max: 36500d }\n"
	    "    renew_at: 99%\n");
	assert_int_equal(p->templates[0].validity_default, 1);
	assert_int_equal(p->templates[0].validity_max, (int64_t)36500 * 86400);
	assert_int_equal(p->templates[0].renew_at_pct, 99);
	cw_policy_free(p);
}

/* Looking templates up: found, not found, NULL arguments. */
static void
test_get0_template(void **state)
{
	cw_policy *p;

	(void)state;
	p = expect_file_ok("tests/data/policy/example.yaml");
	assert_ptr_equal(cw_policy_get0_template(p, "code-signing"),
	    &p->templates[2]);
	assert_null(cw_policy_get0_template(p, "Code-Signing"));
	assert_null(cw_policy_get0_template(p, "nope"));
	assert_null(cw_policy_get0_template(p, NULL));
	assert_null(cw_policy_get0_template(NULL, "web-server"));
	cw_policy_free(p);
	cw_policy_free(NULL);
}

/* The name tables print one canonical name and know nothing else. */
static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(cw_hash_name(CW_HASH_SHA256), "sha256");
	assert_string_equal(cw_hash_name(CW_HASH_SHA3_512), "sha3-512");
	assert_null(cw_hash_name(0));
	assert_null(cw_hash_name(CW_HASH_SHA256 | CW_HASH_SHA384));
	assert_null(cw_hash_name(1u << 31));
	assert_string_equal(cw_ku_name(CW_KU_DIGITAL_SIGNATURE),
	    "digitalSignature");
	assert_string_equal(cw_ku_name(CW_KU_NON_REPUDIATION),
	    "nonRepudiation");
	assert_string_equal(cw_ku_name(CW_KU_DECIPHER_ONLY), "decipherOnly");
	assert_null(cw_ku_name(1u << 9));
	assert_string_equal(cw_subject_key_for_nid(NID_commonName),
	    "common_name");
	assert_string_equal(cw_subject_key_for_nid(NID_pkcs9_emailAddress),
	    "email_address");
	assert_string_equal(cw_subject_key_for_nid(NID_domainComponent),
	    "domain_component");
	assert_null(cw_subject_key_for_nid(NID_pseudonym));
	assert_null(cw_subject_key_for_nid(NID_undef));
	assert_string_equal(cw_eku_name(NID_OCSP_sign), "OCSPSigning");
	assert_null(cw_eku_name(NID_anyExtendedKeyUsage));
	assert_string_equal(cw_name_of(cw_curve_names, NID_X9_62_prime256v1),
	    "P-256");
	assert_null(cw_name_of(cw_curve_names, NID_secp256k1));
	assert_int_equal(cw_name_lookup(cw_curve_names, "secp521r1")->value,
	    NID_secp521r1);
	assert_int_equal(
	    cw_name_lookup(cw_ku_names, "contentCommitment")->value,
	    CW_KU_NON_REPUDIATION);
	assert_null(cw_name_lookup(cw_hash_names, "SHA256"));
	assert_null(cw_name_lookup(cw_hash_names, "sha1"));
	assert_null(cw_name_lookup(cw_hash_names, NULL));
}

/* --- rejected: structure and types ----------------------------------------*/

/* A typo in a key is an error naming the allowed keys (DESIGN 6). */
static void
test_unknown_key_typo(void **state)
{
	(void)state;
	expect_error(HEAD "    key: { rsa: { min_bit: 3072 } }\n" OK_HASH
	    OK_VAL OK_OWNER, 4, 19,
	    "unknown key 'min_bit' in templates[t].key.rsa; expected one of: "
	    "min_bits, max_bits, exponent");
	expect_error(BASE "    sans: {}\n", 8, 5,
	    "unknown key 'sans' in templates[t]");
	expect_error(BASE "    subject: { orgnization: { value: a } }\n", 8,
	    16, "unknown key 'orgnization' in templates[t].subject");
	/* Also reported: the missing `templates`, at 1:1. */
	expect_some_error("version: 1\ntemplate: []\n", 2, 1,
	    "unknown key 'template' in the top level");
}

/* The file-based unknown-key case reports the file name and position. */
static void
test_unknown_key_file(void **state)
{
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;
	char want[4200];

	(void)state;
	assert_int_equal(cw_policy_load_file(
	    cw_test_path("tests/data/policy/bad/unknown-key.yaml"), &p, &errs,
	    &err), CW_ERR_CONFIG);
	assert_null(p);
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "%s:5:14: unknown key 'min_bit' in "
	    "templates[web].key.rsa",
	    cw_test_path("tests/data/policy/bad/unknown-key.yaml"));
	assert_int_equal(strncmp(err.msg, want, strlen(want)), 0);
}

/* Wrong types name what was expected and what was found. */
static void
test_wrong_type(void **state)
{
	(void)state;
	expect_error(HEAD "    key: rsa\n" OK_HASH OK_VAL OK_OWNER, 4, 10,
	    "templates[t].key: expected a mapping, found 'rsa'");
	expect_error(HEAD "    key: { rsa: { min_bits: \"3072\" } }\n" OK_HASH
	    OK_VAL OK_OWNER, 4, 29,
	    "expected an integer, found a quoted string '3072'");
	expect_error(BASE "    key_usage: digitalSignature\n", 8, 16,
	    "templates[t].key_usage: expected a list, found "
	    "'digitalSignature'");
	expect_error(BASE "    san: { dns: [[a.example.com]] }\n", 8, 18,
	    "templates[t].san.dns[0]: expected a string, found a list");
	expect_error(BASE "    description:\n", 8, 17,
	    "expected a string, found an empty value");
	expect_error(BASE "    san: { max: 1.5 }\n", 8, 17,
	    "expected an integer, found '1.5'");
	expect_error(BASE "    san: { max: 010 }\n", 8, 17, "leading zero");
	expect_error(BASE "    san: { max: -1 }\n", 8, 17,
	    "out of range; expected 0 to 1000");
	expect_error("version: 1\ntemplates: {}\n", 2, 12,
	    "templates: expected a list, found a mapping");
	expect_error("- version: 1\n", 1, 1,
	    "the top level: expected a mapping, found a list");
	expect_error("---\n", 2, 1,
	    "the top level: expected a mapping, found an empty value");
}

/* Booleans are exactly true or false; yes/on/True and quoted are errors. */
static void
test_bool_strict(void **state)
{
	static const char *const bad[] = {"yes", "True", "on", "1", "\"true\"",
	    "~"};
	char yaml[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(yaml, sizeof(yaml), HEAD "    key: { ed25519: %s }\n"
		    OK_VAL OK_OWNER, bad[i]);
		expect_error(yaml, 4, 21,
		    "templates[t].key.ed25519: expected true or false");
	}
}

/* A key given twice in one mapping is an error at the second one. */
static void
test_duplicate_key(void **state)
{
	(void)state;
	expect_error(BASE "    key_reuse: deny\n    key_reuse: allow\n", 9, 5,
	    "templates[t]: duplicate key 'key_reuse' (first at line 8, "
	    "column 5)");
	expect_error(BASE "    san: { max: 1, max: 2 }\n", 8, 20,
	    "duplicate key 'max'");
}

/* A required key left out is reported at the mapping that lacks it. */
static void
test_missing_required_key(void **state)
{
	(void)state;
	expect_error(HEAD OK_KEY OK_HASH OK_OWNER, 3, 5,
	    "templates[t]: missing required key 'validity'");
	expect_error(HEAD OK_KEY OK_HASH OK_VAL, 3, 5,
	    "templates[t]: missing required key 'owner'");
	expect_error(HEAD OK_HASH OK_VAL OK_OWNER, 3, 5,
	    "missing required key 'key'");
	expect_error("version: 1\ntemplates:\n  - key: { ed25519: true }\n"
	    OK_VAL OK_OWNER, 3, 5,
	    "templates[0]: missing required key 'name'");
	expect_error(HEAD OK_KEY OK_HASH OK_OWNER
	    "    validity: { max: 2d }\n", 7, 15,
	    "templates[t].validity: missing required key 'default'");
	expect_some_error("templates: []\n", 1, 1,
	    "missing required key 'version'");
	expect_error("version: 1\n", 1, 1, "missing required key 'templates'");
}

/* Template names follow [a-z0-9][a-z0-9._-]{0,63}, are unique and are
 * not the reserved name. */
static void
test_template_names(void **state)
{
	cw_policy *p;

	(void)state;
	expect_error(BASE "  - name: t\n" OK_KEY OK_HASH OK_VAL OK_OWNER, 8, 11,
	    "templates[1].name: duplicate template name 't' (first at line "
	    "3)");
	expect_error("version: 1\ntemplates:\n  - name: Web_Server\n" OK_KEY
	    OK_HASH OK_VAL OK_OWNER, 3, 11, "invalid template name "
	    "'Web_Server'");
	expect_error("version: 1\ntemplates:\n  - name: -web\n" OK_KEY
	    OK_HASH OK_VAL OK_OWNER, 3, 11, "invalid template name");
	/* 65 characters. */
	expect_error("version: 1\ntemplates:\n  - name: a"
	    "1234567890123456789012345678901234567890123456789012345678901234\n"
	    OK_KEY OK_HASH OK_VAL OK_OWNER, 3, 11, "invalid template name");
	/* serve records its own TLS certificate under this name */
	expect_error("version: 1\ntemplates:\n  - name: certward-server\n"
	    OK_KEY OK_HASH OK_VAL OK_OWNER, 3, 11, "templates[0].name: the "
	    "template name 'certward-server' is reserved");
	p = expect_ok("version: 1\ntemplates:\n  - name: certward-servers\n"
	    OK_KEY OK_HASH OK_VAL OK_OWNER);
	cw_policy_free(p);
	/* 64 characters, digits first, '.', '_' and '-' inside. */
	p = expect_ok("version: 1\ntemplates:\n  - name: "
	    "012345678901234567890123456789012345678901234567890123456789._-z\n"
	    OK_KEY OK_HASH OK_VAL OK_OWNER);
	assert_int_equal(strlen(p->templates[0].name), 64);
	cw_policy_free(p);
}

/* Only version 1 exists; it is a plain integer. */
static void
test_version(void **state)
{
	(void)state;
	expect_error("version: 2\ntemplates:\n  - name: t\n" OK_KEY OK_HASH
	    OK_VAL OK_OWNER, 1, 10, "unsupported policy version 2");
	expect_error("version: \"1\"\ntemplates:\n  - name: t\n" OK_KEY
	    OK_HASH OK_VAL OK_OWNER, 1, 10,
	    "version: expected an integer, found a quoted string '1'");
	expect_error("version: 1\ntemplates: []\n", 2, 12,
	    "templates: the list is empty");
}

/* --- rejected: keys and hashes --------------------------------------------*/

/* min_bits above max_bits, given or by default. */
static void
test_rsa_min_above_max(void **state)
{
	(void)state;
	expect_error(HEAD "    key: { rsa: { min_bits: 4096, max_bits: 3072 } "
	    "}\n" OK_HASH OK_VAL OK_OWNER, 4, 29,
	    "templates[t].key.rsa: min_bits 4096 exceeds max_bits 3072");
	expect_error(HEAD "    key: { rsa_pss: { max_bits: 1536 } }\n" OK_HASH
	    OK_VAL OK_OWNER, 4, 33,
	    "min_bits 2048 (the default) exceeds max_bits 1536");
}

/* RSA bit limits: below 1024 refused, above CW_MAX_RSA_BITS refused. */
static void
test_rsa_bit_limits(void **state)
{
	(void)state;
	expect_error(HEAD "    key: { rsa: { min_bits: 512 } }\n" OK_HASH
	    OK_VAL OK_OWNER, 4, 29, "512 bits is below 1024");
	expect_error(HEAD "    key: { rsa: { max_bits: 32768 } }\n" OK_HASH
	    OK_VAL OK_OWNER, 4, 29, "32768 bits exceeds the largest RSA key");
	expect_error(HEAD "    key: { rsa: { min_bits: 99999999999 } }\n"
	    OK_HASH OK_VAL OK_OWNER, 4, 29, "out of range");
}

/* RFC 8017 3.1: the exponent is odd and at least 3. */
static void
test_rsa_exponent(void **state)
{
	(void)state;
	expect_error(HEAD "    key: { rsa: { exponent: 65536 } }\n" OK_HASH
	    OK_VAL OK_OWNER, 4, 29, "must be odd and at least 3");
	expect_error(HEAD "    key: { rsa: { exponent: 1 } }\n" OK_HASH
	    OK_VAL OK_OWNER, 4, 29, "must be odd and at least 3");
}

/* Curves: unknown, empty, repeated (also through an alias name). */
static void
test_curves(void **state)
{
	(void)state;
	expect_error(HEAD "    key: { ec: { curves: [P-256, P-255] } }\n"
	    OK_HASH OK_VAL OK_OWNER, 4, 34,
	    "templates[t].key.ec.curves[1]: unknown curve 'P-255'; expected "
	    "one of P-256, P-384, P-521");
	expect_error(HEAD "    key: { ec: { curves: [] } }\n" OK_HASH OK_VAL
	    OK_OWNER, 4, 26, "the list is empty; name at least one curve");
	expect_error(HEAD "    key: { ec: { curves: [P-256, secp256r1] } }\n"
	    OK_HASH OK_VAL OK_OWNER, 4, 34, "curve P-256 is listed twice");
	expect_error(HEAD "    key: { ec: {} }\n" OK_HASH OK_VAL OK_OWNER, 4,
	    16, "templates[t].key.ec: missing required key 'curves'");
}

/* A key section that allows nothing is refused (deny by default). */
static void
test_no_key_type(void **state)
{
	(void)state;
	expect_error(HEAD "    key: { ed25519: false, ed448: false }\n" OK_VAL
	    OK_OWNER, 4, 10, "templates[t].key: no key type is allowed");
	expect_error(HEAD "    key: {}\n" OK_VAL OK_OWNER, 4, 10,
	    "no key type is allowed");
}

/* sha1 and md5 are refused with the reason. */
static void
test_sha1_refused(void **state)
{
	(void)state;
	expect_error(HEAD OK_KEY "    signature_hashes: [sha256, sha1]\n" OK_VAL
	    OK_OWNER, 5, 32, "templates[t].signature_hashes[1]: sha1 is "
	    "collision-broken");
	expect_error(HEAD OK_KEY "    signature_hashes: [md5]\n" OK_VAL
	    OK_OWNER, 5, 24, "md5 is collision-broken");
}

/* signature_hashes: unknown, empty, repeated, missing with RSA/EC. */
static void
test_hash_list(void **state)
{
	(void)state;
	expect_error(HEAD OK_KEY "    signature_hashes: [sha-256]\n" OK_VAL
	    OK_OWNER, 5, 24, "unknown hash 'sha-256'; expected one of sha256, "
	    "sha384, sha512, sha224, sha3-256, sha3-384, sha3-512");
	expect_error(HEAD OK_KEY "    signature_hashes: []\n" OK_VAL OK_OWNER,
	    5, 23, "templates[t].signature_hashes: the list is empty");
	expect_error(HEAD OK_KEY "    signature_hashes: [sha256, sha256]\n"
	    OK_VAL OK_OWNER, 5, 32, "hash sha256 is listed twice");
	expect_error(HEAD "    key: { rsa: {} }\n" OK_VAL OK_OWNER, 3, 5,
	    "missing required key 'signature_hashes'");
}

/* --- rejected: subject -----------------------------------------------------*/

/* Values no request could carry are policy errors. */
static void
test_subject_values(void **state)
{
	(void)state;
	expect_error(BASE "    subject: { organization: { value: \"Example "
	    "Corp \" } }\n", 8, 39, "templates[t].subject.organization.value: "
	    "has leading or trailing whitespace");
	expect_error(BASE "    subject: { organization: { pattern: \" *\" } "
	    "}\n", 8, 41, "leading or trailing whitespace");
	expect_error(BASE "    subject: { organization: { value: \"Example\\t"
	    "Corp\" } }\n", 8, 39, "control character");
	expect_error(BASE "    subject: { organization: { value: \"a\\u0085b\" "
	    "} }\n", 8, 39, "control character");
	expect_error(BASE "    subject: { organization: { value: \"a\\0b\" } "
	    "}\n", 8, 39, "NUL byte");
	expect_error(BASE "    subject: { organization: { value: \"\" } }\n", 8,
	    39, "the string is empty");
	expect_error(BASE "    subject: { country: { value: USA } }\n", 8, 34,
	    "templates[t].subject.country.value: a country is two uppercase "
	    "letters");
	expect_error(BASE "    subject: { country: { value: us } }\n", 8, 34,
	    "two uppercase letters");
	expect_error(BASE "    subject: { email_address: { value: "
	    "\"b\xc3\xbc@example.org\" } }\n", 8, 40, "ASCII");
}

/* in_san only for common_name; value and pattern exclude each other. */
static void
test_subject_rules(void **state)
{
	(void)state;
	expect_error(BASE "    subject: { organization: { in_san: true } }\n",
	    8, 40, "in_san applies only to common_name");
	expect_error(BASE "    subject: { common_name: { value: a, pattern: "
	    "\"*\" } }\n", 8, 50, "value and pattern are mutually exclusive");
	expect_error(BASE "    subject: { common_name: true }\n", 8, 29,
	    "templates[t].subject.common_name: expected a mapping, found "
	    "'true'");
	expect_error(BASE "    subject: { other_fields: maybe }\n", 8, 30,
	    "other_fields: expected deny or allow, found 'maybe'");
	expect_error(BASE "    subject: { common_name: {}, common_name: {} }\n",
	    8, 33, "duplicate key 'common_name'");
}

/* --- rejected: SAN ---------------------------------------------------------*/

/* An invalid CIDR block is an error naming the block. */
static void
test_bad_cidr(void **state)
{
	(void)state;
	expect_error(BASE "    san: { ip: [\"10.1.0.0/8\"] }\n", 8, 17,
	    "templates[t].san.ip[0]: invalid CIDR block '10.1.0.0/8': ");
	expect_error(BASE "    san: { ip: [\"10.0.0.0/8\", not-an-ip] }\n", 8,
	    31, "templates[t].san.ip[1]: invalid CIDR block 'not-an-ip'");
	expect_error(BASE "    san: { ip: [10.0.0.0/8, 10.0.0.0/8] }\n", 8, 29,
	    "CIDR block '10.0.0.0/8' is listed twice");
}

/* Invalid DNS, URI and email patterns are errors naming the reason. */
static void
test_bad_patterns(void **state)
{
	(void)state;
	expect_error(BASE "    san: { dns: [\"a..example.com\"] }\n", 8, 18,
	    "templates[t].san.dns[0]: invalid DNS pattern 'a..example.com': ");
	expect_error(BASE "    san: { dns: [\"exa mple.com\"] }\n", 8, 18,
	    "invalid DNS pattern");
	expect_error(BASE "    san: { uri: [\"no-scheme\"] }\n", 8, 18,
	    "templates[t].san.uri[0]: invalid URI pattern 'no-scheme'");
	expect_error(BASE "    san: { email: [\"example.org\"] }\n", 8, 20,
	    "templates[t].san.email[0]: invalid email pattern");
}

/* A pattern given twice is an error; DNS compares case-insensitively. */
static void
test_duplicate_pattern(void **state)
{
	(void)state;
	expect_error(BASE "    san: { dns: [a.example.com, A.Example.com] }\n",
	    8, 33, "DNS pattern 'A.Example.com' is listed twice");
	expect_error(BASE "    san: { uri: [\"spiffe://x/a\", "
	    "\"spiffe://x/a\"] }\n", 8, 34, "is listed twice");
}

/* san.required that no request could meet is a policy error. */
static void
test_san_impossible(void **state)
{
	(void)state;
	expect_error(BASE "    san: { required: true, max: 0, dns: "
	    "[a.example.com] }\n", 8, 33,
	    "templates[t].san: required is true but max is 0");
	expect_error(BASE "    san: { required: true }\n", 8, 22,
	    "required is true but no dns, ip, uri or email pattern");
	expect_error(BASE "    san: { required: true, dns: [] }\n", 8, 22,
	    "no dns, ip, uri or email pattern");
}

/* A list longer than CW_MAX_PATTERNS is refused at the list. */
static void
test_list_limit(void **state)
{
	char *yaml;
	size_t n, i, cap = 64 * 1024;

	(void)state;
	yaml = malloc(cap);
	assert_non_null(yaml);
	n = (size_t)snprintf(yaml, cap, BASE "    san: { dns: [");
	for (i = 0; i <= CW_MAX_PATTERNS; i++)
		n += (size_t)snprintf(yaml + n, cap - n, "%sa%zu.example",
		    i > 0 ? "," : "", i);
	snprintf(yaml + n, cap - n, "] }\n");
	expect_error(yaml, 8, 17, "templates[t].san.dns: 1001 items; the "
	    "limit is 1000");
	free(yaml);
}

/* --- rejected: usages, validity, approval, owner --------------------------*/

/* keyCertSign / cRLSign belong to CA certificates. */
static void
test_ku_ca_bits(void **state)
{
	(void)state;
	expect_error(BASE "    key_usage: [digitalSignature, keyCertSign]\n",
	    8, 35, "certward issues end-entity certificates; "
	    "keyCertSign/cRLSign belong to CA certificates");
	expect_error(BASE "    key_usage: [cRLSign]\n", 8, 17,
	    "keyCertSign/cRLSign belong to CA certificates");
}

/* Unknown or repeated key usages (the alias counts as its name). */
static void
test_ku_names(void **state)
{
	(void)state;
	expect_error(BASE "    key_usage: [digitalsignature]\n", 8, 17,
	    "unknown key usage 'digitalsignature'; expected one of "
	    "digitalSignature, nonRepudiation, keyEncipherment");
	expect_error(BASE
	    "    key_usage: [nonRepudiation, contentCommitment]\n", 8, 33, "key usage nonRepudiation is listed twice");
}

/* Unknown EKU names are errors listing the known ones. */
static void
test_unknown_eku(void **state)
{
	(void)state;
	expect_error(BASE "    extended_key_usage: [serverAuth, anyEKU]\n", 8,
	    38, "templates[t].extended_key_usage[1]: unknown extended key "
	    "usage 'anyEKU'; expected one of serverAuth, clientAuth, codeSigning, "
	    "emailProtection, timeStamping, OCSPSigning");
	expect_error(BASE "    extended_key_usage: [clientAuth, clientAuth]\n",
	    8, 38, "listed twice");
}

#define NOVAL HEAD OK_KEY OK_HASH OK_OWNER /* validity goes on line 7 */

/* validity.default above validity.max, as the author wrote them. */
static void
test_validity_default_above_max(void **state)
{
	(void)state;
	expect_error(NOVAL "    validity: { default: 100d, max: 90d }\n", 7, 26,
	    "templates[t]: validity.default 100d exceeds validity.max 90d");
	expect_error(NOVAL "    validity: { default: 25h, max: 1d }\n", 7, 26,
	    "validity.default 25h exceeds validity.max 1d");
}

/* Durations: a positive decimal and one unit s/m/h/d, nothing else. */
static void
test_bad_duration(void **state)
{
	static const char *const bad[] = {"90", "90 d", "-1d", "0d", "1w",
	    "d", "1.5d", "01d", "+1d", "1D", "1dd", "\"\"", "[1d]", "~",
	    "0x10s"};
	char yaml[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(yaml, sizeof(yaml), NOVAL
		    "    validity: { default: %s, max: 90d }\n", bad[i]);
		expect_error(yaml, 7, 26, "templates[t].validity.default: "
		    "expected a duration such as 90d");
	}
}

/* Durations beyond 36500d, or beyond int64, are refused, not wrapped. */
static void
test_duration_overflow(void **state)
{
	(void)state;
	expect_error(NOVAL "    validity: { default: 1d, max: 36501d }\n", 7,
	    35, "'36501d' is longer than the limit of 36500d");
	expect_error(NOVAL "    validity: { default: 1d, max: "
	    "99999999999999999999s }\n", 7, 35, "longer than the limit");
	expect_error(NOVAL "    validity: { default: 1d, max: "
	    "106751991167301d }\n", 7, 35, "longer than the limit");
}

/* renew_at is "NN%" with 1 <= NN <= 99. */
static void
test_bad_renew_at(void **state)
{
	static const char *const bad[] = {"0%", "100%", "66", "6.5%", "066%",
	    "\"%\"", "-5%", "66 %", "\"\""};
	char yaml[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(yaml, sizeof(yaml), BASE "    renew_at: %s\n", bad[i]);
		expect_error(yaml, 8, 15, "templates[t].renew_at: expected a "
		    "percentage");
	}
}

/* approval.required > 0 needs roles; role names are checked. */
static void
test_approval(void **state)
{
	cw_policy *p;

	(void)state;
	expect_error(BASE "    approval: { required: 2 }\n", 8, 27,
	    "templates[t].approval: required is 2 but no roles are given");
	expect_error(BASE "    approval: { required: 1, roles: [] }\n", 8, 27,
	    "no roles are given");
	expect_error(BASE "    approval: { required: 1, roles: [PKI_admin] }\n",
	    8, 38, "templates[t].approval.roles[0]: invalid role name "
	    "'PKI_admin'");
	expect_error(BASE "    approval: { required: 1, roles: [a, a] }\n", 8,
	    41, "role 'a' is listed twice");
	expect_error(BASE "    approval: { required: -1 }\n", 8, 27,
	    "out of range");
	/* Roles with required 0 are fine. */
	p = expect_ok(BASE
	    "    approval: { required: 0, roles: [pki-admin] }\n");
	assert_int_equal(p->templates[0].approvals_required, 0);
	assert_int_equal(p->templates[0].n_approval_roles, 1);
	cw_policy_free(p);
}

/* owner.required (default true) needs max_age. */
static void
test_owner(void **state)
{
	(void)state;
	expect_error(HEAD OK_KEY OK_HASH OK_VAL "    owner: { required: true "
	    "}\n", 7, 12, "templates[t].owner: missing required key "
	    "'max_age'");
	expect_error(HEAD OK_KEY OK_HASH OK_VAL "    owner: {}\n", 7, 12,
	    "missing required key 'max_age'");
	expect_error(HEAD OK_KEY OK_HASH OK_VAL "    owner: { max_age: 1y }\n",
	    7, 23, "expected a duration");
	expect_error(BASE "    key_reuse: no\n", 8, 16,
	    "templates[t].key_reuse: expected deny or allow, found 'no'");
}

/* --- rejected: hostile YAML ------------------------------------------------*/

/* Anchors and aliases are refused (no alias bombs). */
static void
test_alias_refused(void **state)
{
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;

	(void)state;
	expect_error("version: &v 1\ntemplates: []\n", 1, 10,
	    "YAML anchors (&v) are not allowed");
	expect_error("version: 1\ntemplates: *t\n", 2, 12,
	    "YAML aliases (*t) are not allowed");
	assert_int_equal(cw_policy_load_file(
	    cw_test_path("tests/data/policy/bad/alias-bomb.yaml"), &p, &errs,
	    &err), CW_ERR_CONFIG);
	assert_null(p);
	assert_true(has_error(&errs, 2, 4, "YAML anchors (&a)"));
}

/* YAML merge keys are refused, not merged. */
static void
test_merge_key_refused(void **state)
{
	(void)state;
	expect_some_error("version: 1\n<<: {}\n", 2, 1,
	    "YAML merge keys ('<<') are not allowed");
}

/* Explicit tags, standard or not, and %TAG directives are refused. */
static void
test_tags_refused(void **state)
{
	(void)state;
	expect_error("version: !!str 1\ntemplates: []\n", 1, 10,
	    "explicit YAML tags (tag:yaml.org,2002:str) are not allowed");
	expect_error("version: !custom 1\n", 1, 10, "explicit YAML tags");
	expect_error("version: 1\ntemplates: !!seq []\n", 2, 12,
	    "explicit YAML tags");
	expect_error("%TAG !e! tag:example.com,2000:\n---\nversion: 1\n", 1, 1,
	    "%TAG directives are not allowed");
}

/* A second YAML document is refused. */
static void
test_multiple_documents(void **state)
{
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;

	(void)state;
	expect_error("version: 1\n---\nversion: 1\n", 2, 1,
	    "a policy is one YAML document; found a second one");
	assert_int_equal(cw_policy_load_file(
	    cw_test_path("tests/data/policy/bad/multi-doc.yaml"), &p, &errs,
	    &err), CW_ERR_CONFIG);
	assert_true(has_error(&errs, 7, 1, "one YAML document"));
}

/* An empty policy (nothing, only comments, or an empty document). */
static void
test_empty(void **state)
{
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;
	char path[] = "/tmp/cw_policy_empty_XXXXXX";
	int fd;

	(void)state;
	expect_len("", 0, 1, 1, "the policy is empty", true);
	expect_len(NULL, 0, 1, 1, "the policy is empty", true);
	expect_error("# nothing here\n\n", 1, 1, "the policy is empty");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(cw_policy_load_file(path, &p, &errs, &err),
	    CW_ERR_CONFIG);
	unlink(path);
	assert_null(p);
	assert_true(has_error(&errs, 1, 1, "the policy is empty"));
	assert_non_null(strstr(err.msg, ":1:1: the policy is empty"));
}

/* Bytes that are not YAML, or not UTF-8, fail with a position. */
static void
test_garbage(void **state)
{
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;

	(void)state;
	assert_int_equal(cw_policy_load_file(
	    cw_test_path("tests/data/policy/bad/garbage.yaml"), &p, &errs,
	    &err), CW_ERR_CONFIG);
	assert_null(p);
	assert_int_equal(errs.n, 1);
	assert_true(has_error(&errs, 1, 1, "not a valid UTF-8 YAML text"));
	assert_int_equal(cw_policy_load_file(
	    cw_test_path("tests/data/policy/bad/syntax.yaml"), &p, &errs,
	    &err), CW_ERR_CONFIG);
	assert_true(has_error(&errs, 4, 1, "YAML syntax error"));
	expect_error("version: 1\ntemplates: [\n", 3, 1, "YAML syntax error");
	expect_error("version: 1\n\x01\n", 2, 1, "not a valid UTF-8 YAML text");
	/* The position is that of the bad trailing byte. */
	expect_error("key: \"\xc3\x28\"\n", 1, 8,
	    "not a valid UTF-8 YAML text");
}

/* More than CW_MAX_POLICY_BYTES is refused, from memory and from a file. */
static void
test_huge(void **state)
{
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;
	char path[] = "/tmp/cw_policy_huge_XXXXXX";
	size_t n = (size_t)CW_MAX_POLICY_BYTES + 1;
	char *big;
	int fd;

	(void)state;
	big = malloc(n);
	assert_non_null(big);
	memset(big, '#', n);
	expect_len(big, n, 1, 1, "the policy is 1048577 bytes; the limit is "
	    "1048576", true);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, big, n), (ssize_t)n);
	close(fd);
	assert_int_equal(cw_policy_load_file(path, &p, &errs, &err),
	    CW_ERR_CONFIG);
	unlink(path);
	assert_null(p);
	assert_true(has_error(&errs, 1, 1, "the limit is 1048576"));
	free(big);
}

/* A NUL byte anywhere is refused at its position. */
static void
test_nul_byte(void **state)
{
	static const char yaml[] = "version: 1\nte\0mplates: []\n";
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;

	(void)state;
	expect_len(yaml, sizeof(yaml) - 1, 2, 3, "the policy contains a NUL "
	    "byte", true);
	assert_int_equal(cw_policy_load_file(
	    cw_test_path("tests/data/policy/bad/nul-byte.yaml"), &p, &errs,
	    &err), CW_ERR_CONFIG);
	assert_true(has_error(&errs, 3, 12, "NUL byte"));
}

/* Nesting deeper than CW_MAX_YAML_DEPTH is refused. */
static void
test_depth_limit(void **state)
{
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;

	(void)state;
	assert_int_equal(cw_policy_load_file(
	    cw_test_path("tests/data/policy/bad/deep.yaml"), &p, &errs, &err),
	    CW_ERR_CONFIG);
	assert_int_equal(errs.n, 1);
	/* The root mapping and 31 lists fit; the 32nd '[' is too deep. */
	assert_true(has_error(&errs, 2, 43, "nests deeper than 32 levels"));
}

/* More than CW_MAX_YAML_NODES nodes is refused. */
static void
test_node_limit(void **state)
{
	size_t cap = 2 * (size_t)CW_MAX_YAML_NODES + 16, n = 0, i;
	char *yaml;

	(void)state;
	yaml = malloc(cap);
	assert_non_null(yaml);
	yaml[n++] = '[';
	for (i = 0; i <= CW_MAX_YAML_NODES; i++) {
		yaml[n++] = '0';
		yaml[n++] = ',';
	}
	yaml[n - 1] = ']';
	/* The list is node 1; item i is node i + 2, at column 2 + 2i. */
	expect_len(yaml, n, 1, 2 + 2 * (CW_MAX_YAML_NODES - 1),
	    "more than 100000 YAML nodes", true);
	free(yaml);
}

/* --- collecting ------------------------------------------------------------*/

/* One run reports every problem, in file order; err->msg is the first. */
static void
test_multiple_errors(void **state)
{
	static const char yaml[] =
	    "version: 1\n"
	    "templates:\n"
	    "  - name: web\n"
	    "    key: { rsa: { min_bits: 4096, max_bits: 2048 } }\n"
	    "    signature_hashes: [sha256]\n"
	    "    validity: { default: 100d, max: 90d }\n"
	    "    owner: { required: false }\n"
	    "    colour: blue\n"
	    "  - name: api\n"
	    "    key: { ec: { curves: [P-255] } }\n"
	    "    signature_hashes: [sha1]\n"
	    "    san: { ip: [\"10.0.0.1/8\"] }\n"
	    "    validity: { default: 1d, max: 1d }\n"
	    "    owner: { required: false }\n";
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;
	size_t i;

	(void)state;
	assert_int_equal(cw_policy_load_mem("multi.yaml", yaml,
	    sizeof(yaml) - 1, &p, &errs, &err), CW_ERR_CONFIG);
	assert_null(p);
	if (errs.n != 6)
		dump(&errs);
	assert_int_equal(errs.n, 6);
	assert_false(errs.truncated);
	assert_true(has_error(&errs, 4, 29, "templates[web].key.rsa: min_bits "
	    "4096 exceeds max_bits 2048"));
	assert_true(has_error(&errs, 6, 26, "templates[web]: validity.default "
	    "100d exceeds validity.max 90d"));
	assert_true(has_error(&errs, 8, 5, "unknown key 'colour' in "
	    "templates[web]"));
	assert_true(has_error(&errs, 10, 27, "templates[api].key.ec.curves[0]: "
	    "unknown curve 'P-255'"));
	assert_true(has_error(&errs, 11, 24, "templates[api]."
	    "signature_hashes[0]: sha1"));
	assert_true(has_error(&errs, 12, 17, "templates[api].san.ip[0]: "
	    "invalid CIDR block '10.0.0.1/8'"));
	for (i = 1; i < errs.n; i++)
		assert_true(errs.items[i - 1].mark.line <
		    errs.items[i].mark.line);
	assert_string_equal(err.msg, "multi.yaml:4:29: templates[web].key.rsa: "
	    "min_bits 4096 exceeds max_bits 2048");
}

/* Beyond CW_POLICY_MAX_ERRORS problems the list says it was truncated. */
static void
test_errors_truncated(void **state)
{
	char yaml[4096];
	size_t n, i;
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;

	(void)state;
	n = (size_t)snprintf(yaml, sizeof(yaml), HEAD OK_KEY OK_VAL OK_OWNER
	    "    signature_hashes: [");
	for (i = 0; i < CW_POLICY_MAX_ERRORS + 6; i++)
		n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "%smd5",
		    i > 0 ? ", " : "");
	snprintf(yaml + n, sizeof(yaml) - n, "]\n");
	assert_int_equal(load(yaml, &p, &errs, &err), CW_ERR_CONFIG);
	assert_null(p);
	assert_int_equal(errs.n, CW_POLICY_MAX_ERRORS);
	assert_true(errs.truncated);
	/* errs may be NULL: the first problem still reaches err. */
	cw_err_clear(&err);
	assert_int_equal(load(yaml, &p, NULL, &err), CW_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "t.yaml:7:"));
	assert_non_null(strstr(err.msg, "md5 is collision-broken"));
}

/* --- files -----------------------------------------------------------------*/

/* A missing file is CW_ERR_IO with the system's reason. */
static void
test_file_missing(void **state)
{
	cw_policy *p = (cw_policy *)&p;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;

	(void)state;
	assert_int_equal(cw_policy_load_file("/nonexistent/policy.yaml", &p,
	    &errs, &err), CW_ERR_IO);
	assert_null(p);
	assert_non_null(strstr(err.msg, "/nonexistent/policy.yaml"));
	assert_non_null(strstr(err.msg, "No such file or directory"));
}

/* A directory (not a regular file) is refused. */
static void
test_file_not_regular(void **state)
{
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;

	(void)state;
	assert_int_equal(cw_policy_load_file(cw_test_path("tests/data/policy"),
	    &p, &errs, &err), CW_ERR_IO);
	assert_null(p);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(cw_policy_load_file("/dev/null", &p, &errs, &err),
	    CW_ERR_IO);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

/* The policy remembers the name it was loaded under. */
static void
test_path_kept(void **state)
{
	cw_policy *p = NULL;
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;
	const char *text = BASE;

	(void)state;
	assert_int_equal(cw_policy_load_mem("inline", text, strlen(text), &p,
	    &errs, &err), CW_OK);
	assert_string_equal(p->path, "inline");
	cw_policy_free(p);
	p = NULL;
	assert_int_equal(cw_policy_load_mem(NULL, text, strlen(text), &p,
	    &errs, &err), CW_OK);
	assert_non_null(p->path);
	cw_policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_web_server),
		cmocka_unit_test(test_example_workload_mtls),
		cmocka_unit_test(test_example_code_signing),
		cmocka_unit_test(test_example_copy_identical),
		cmocka_unit_test(test_shared_example_loads),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_ed25519_only_needs_no_hashes),
		cmocka_unit_test(test_all_fields),
		cmocka_unit_test(test_rsa_defaults),
		cmocka_unit_test(test_yaml_forms_accepted),
		cmocka_unit_test(test_rsa_bounds_accepted),
		cmocka_unit_test(test_edges_accepted),
		cmocka_unit_test(test_get0_template),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_unknown_key_typo),
		cmocka_unit_test(test_unknown_key_file),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_bool_strict),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_missing_required_key),
		cmocka_unit_test(test_template_names),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_rsa_min_above_max),
		cmocka_unit_test(test_rsa_bit_limits),
		cmocka_unit_test(test_rsa_exponent),
		cmocka_unit_test(test_curves),
		cmocka_unit_test(test_no_key_type),
		cmocka_unit_test(test_sha1_refused),
		cmocka_unit_test(test_hash_list),
		cmocka_unit_test(test_subject_values),
		cmocka_unit_test(test_subject_rules),
		cmocka_unit_test(test_bad_cidr),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_duplicate_pattern),
		cmocka_unit_test(test_san_impossible),
		cmocka_unit_test(test_list_limit),
		cmocka_unit_test(test_ku_ca_bits),
		cmocka_unit_test(test_ku_names),
		cmocka_unit_test(test_unknown_eku),
		cmocka_unit_test(test_validity_default_above_max),
		cmocka_unit_test(test_bad_duration),
		cmocka_unit_test(test_duration_overflow),
		cmocka_unit_test(test_bad_renew_at),
		cmocka_unit_test(test_approval),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_alias_refused),
		cmocka_unit_test(test_merge_key_refused),
		cmocka_unit_test(test_tags_refused),
		cmocka_unit_test(test_multiple_documents),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_node_limit),
		cmocka_unit_test(test_multiple_errors),
		cmocka_unit_test(test_errors_truncated),
		cmocka_unit_test(test_file_missing),
		cmocka_unit_test(test_file_not_regular),
		cmocka_unit_test(test_path_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
