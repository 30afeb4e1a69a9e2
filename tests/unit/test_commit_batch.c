/*
 * test_commit_batch.c - group commit of submissions by different actors
 * (cw_request_prepare / cw_request_commit_batch, the path `certward serve`
 * takes): a batch decides and records every submission in one
 * transaction, sees its own earlier items (a key sent twice in one batch
 * is issued once), and when the transaction fails it is retried item by
 * item so that one bad submission costs the others nothing.  The failure
 * is injected with a SQLite trigger that aborts the insert of one
 * service's request, the only way to make a write fail from outside.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <openssl/evp.h>
#include <openssl/objects.h>

#include "engine/engine.h"
#include "x509/csr_build.h"
#include "x509/keygen.h"
#include "testutil.h"

#define WS "web-server"
#define N_ITEMS 4

static char tmpdir[] = "/tmp/cw_test_commit_batch_XXXXXX";
static char datadir[512];
static cw_engine *eng;

static const cw_actor admin = {"admin", "human", "cli"};

/* A P-256 CSR for www.example.com (OPENSSL_free); *key keeps the key. */
static uint8_t *
make_csr(EVP_PKEY **key, size_t *len)
{
	cw_err err = CW_ERR_INIT;
	cw_keyspec ks = {CW_KEYT_EC, 0, NID_X9_62_prime256v1};
	const char *dns[1] = {"www.example.com"};
	cw_csr_spec spec;
	uint8_t *csr = NULL;

	memset(&spec, 0, sizeof(spec));
	spec.dns = dns;
	spec.n_dns = 1;
	spec.md = "sha256";
	assert_int_equal(cw_keygen(&ks, key, &err), CW_OK);
	assert_int_equal(cw_csr_build(*key, &spec, &csr, len, &err), CW_OK);
	return csr;
}

/* Prepares a submission of csr by `who` for `service`. */
static cw_submit_prep *
prep(const char *who, const char *service, const uint8_t *csr, size_t len)
{
	const cw_actor a = {who, "automation", "rest"};
	cw_err err = CW_ERR_INIT;
	cw_submit s;
	cw_submit_prep *x = NULL;

	memset(&s, 0, sizeof(s));
	s.template_name = WS;
	s.service = service;
	s.csr = csr;
	s.csr_len = len;
	if (cw_request_prepare(eng, &a, &s, &x, &err) != CW_OK)
		fail_msg("prepare: %s", err.msg);
	return x;
}

/* Runs sql on the data directory's database through a second connection. */
static void
db_exec(const char *sql)
{
	char path[600];
	sqlite3 *db = NULL;
	char *msg = NULL;

	snprintf(path, sizeof(path), "%s/certward.db", datadir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static size_t
count(const char *state)
{
	cw_err err = CW_ERR_INIT;
	json_t *arr = NULL;
	size_t n;

	assert_int_equal(cw_request_list(eng, state, NULL, &arr, &err), CW_OK);
	n = json_array_size(arr);
	json_decref(arr);
	return n;
}

static void
audit_ok(void)
{
	cw_err err = CW_ERR_INIT;
	json_t *rep = NULL;

	if (cw_audit_verify_log(eng, NULL, &rep, &err) != CW_OK)
		fail_msg("audit verify: %s", err.msg);
	json_decref(rep);
}

/* --- tests ------------------------------------------------------------------------ */

/* One transaction for all: every item issued with its own serial, the
 * same key twice in one batch issued once (the batch sees itself). */
static void
test_batch_commits_all(void **state)
{
	cw_submit_prep *x[N_ITEMS + 1];
	cw_outcome out[N_ITEMS + 1];
	cw_rc rcs[N_ITEMS + 1];
	cw_err errs[N_ITEMS + 1];
	EVP_PKEY *keys[N_ITEMS];
	uint8_t *csrs[N_ITEMS];
	size_t lens[N_ITEMS], i, issued0 = count("issued"),
	    rejected0 = count("rejected");

	(void)state;
	for (i = 0; i < N_ITEMS; i++) {
		csrs[i] = make_csr(&keys[i], &lens[i]);
		x[i] = prep(i % 2 ? "alice" : "erin", "api", csrs[i], lens[i]);
	}
	/* the first key again, after it in the same batch */
	x[N_ITEMS] = prep("alice", "api", csrs[0], lens[0]);
	cw_request_commit_batch(eng, x, N_ITEMS + 1, out, rcs, errs);
	for (i = 0; i < N_ITEMS; i++) {
		assert_int_equal(rcs[i], CW_OK);
		assert_string_equal(out[i].state, "issued");
		assert_true(strlen(out[i].serial) > 0);
		if (i > 0)
			assert_string_not_equal(out[i].serial,
			    out[i - 1].serial);
	}
	assert_int_equal(rcs[N_ITEMS], CW_OK);
	assert_string_equal(out[N_ITEMS].state, "rejected");
	{
		char *v = json_dumps(out[N_ITEMS].violations, 0);

		assert_non_null(v);
		assert_non_null(strstr(v, "key.reuse"));
		free(v);
	}
	assert_int_equal(count("issued"), issued0 + N_ITEMS);
	assert_int_equal(count("rejected"), rejected0 + 1);
	audit_ok();
	for (i = 0; i <= N_ITEMS; i++) {
		cw_outcome_cleanup(&out[i]);
		cw_submit_prep_free(x[i]);
	}
	for (i = 0; i < N_ITEMS; i++) {
		OPENSSL_free(csrs[i]);
		EVP_PKEY_free(keys[i]);
	}
}

/*
 * A batch whose transaction fails (here: the insert of service poison's
 * request) is rolled back whole and retried item by item: the others are
 * issued, the bad one alone fails with the database's reason, nothing of
 * it is stored, and the audit log stays whole.
 */
static void
test_failed_batch_retried_alone(void **state)
{
	cw_submit_prep *x[N_ITEMS];
	cw_outcome out[N_ITEMS];
	cw_rc rcs[N_ITEMS];
	cw_err errs[N_ITEMS];
	EVP_PKEY *keys[N_ITEMS];
	uint8_t *csrs[N_ITEMS];
	size_t lens[N_ITEMS], i, issued0 = count("issued"), all0 = count(NULL);
	const size_t bad = 1;
	cw_err err = CW_ERR_INIT;

	(void)state;
	assert_int_equal(cw_service_add(eng, &admin, "poison", "team-p",
	    "p@example.test", &err), CW_OK);
	for (i = 0; i < N_ITEMS; i++) {
		csrs[i] = make_csr(&keys[i], &lens[i]);
		x[i] = prep("alice", i == bad ? "poison" : "api", csrs[i],
		    lens[i]);
	}
	db_exec("CREATE TRIGGER inject_failure BEFORE INSERT ON requests "
	    "WHEN NEW.service = 'poison' BEGIN "
	    "SELECT RAISE(ABORT, 'injected failure'); END");
	cw_request_commit_batch(eng, x, N_ITEMS, out, rcs, errs);
	db_exec("DROP TRIGGER inject_failure");
	for (i = 0; i < N_ITEMS; i++) {
		if (i == bad) {
			assert_int_not_equal(rcs[i], CW_OK);
			assert_non_null(strstr(errs[i].msg,
			    "injected failure"));
			assert_int_equal(out[i].id, 0);
			assert_null(out[i].violations);
			continue;
		}
		assert_int_equal(rcs[i], CW_OK);
		assert_string_equal(out[i].state, "issued");
	}
	assert_int_equal(count("issued"), issued0 + N_ITEMS - 1);
	assert_int_equal(count(NULL), all0 + N_ITEMS - 1);
	audit_ok();
	for (i = 0; i < N_ITEMS; i++) {
		cw_outcome_cleanup(&out[i]);
		cw_submit_prep_free(x[i]);
		OPENSSL_free(csrs[i]);
		EVP_PKEY_free(keys[i]);
	}
}

/* --- fixtures ------------------------------------------------------------------- */

static int
group_setup(void **state)
{
	static const char *const users[] = {"alice=requester",
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_commits_all),
		cmocka_unit_test(test_failed_batch_retried_alone),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
