/*
 * test_server_ca.c - the renewal schedule of serve's self-issued TLS
 * certificate (cw_server_cert_renew_at, src/engine/server_ca.c) and the
 * config.yaml key that sets its lifetime (server_cert_lifetime,
 * src/engine/config.c).
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

#include "engine/config.h"
#include "engine/engine.h"
#include "testutil.h"

#define T0 ((int64_t)1700000000)

static char cfgpath[] = "/tmp/cw_test_server_ca_XXXXXX";

/* Writes config.yaml text with one extra line (NULL: none) and loads it. */
static cw_rc
load_with(const char *extra, cw_config *c, cw_err *err)
{
	char text[512];
	FILE *f;
	int fd;

	snprintf(cfgpath, sizeof(cfgpath), "/tmp/cw_test_server_ca_XXXXXX");
	fd = mkstemp(cfgpath);
	assert_true(fd >= 0);
	snprintf(text, sizeof(text), "version: 1\nbase_url: "
	    "\"http://pki.example.test\"\npolicy: \"policy.yaml\"\n%s\n",
	    extra != NULL ? extra : "");
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	fclose(f);
	return cw_config_load(cfgpath, c, err);
}

static int
teardown(void **state)
{
	(void)state;
	unlink(cfgpath);
	return 0;
}

/* The default lifetime: 7d renews after 112 hours (two thirds). */
static void
test_renew_default_lifetime(void **state)
{
	(void)state;
	assert_int_equal(cw_server_cert_renew_at(T0, T0 + 7 * 86400),
	    T0 + 112 * 3600);
}

/* The shortest allowed lifetime, 2m, renews after 80 seconds. */
static void
test_renew_minimum_lifetime(void **state)
{
	(void)state;
	assert_int_equal(cw_server_cert_renew_at(T0, T0 + 120), T0 + 80);
}

/* A lifetime not divisible by 3 rounds down, never past two thirds. */
static void
test_renew_rounds_down(void **state)
{
	(void)state;
	assert_int_equal(cw_server_cert_renew_at(T0, T0 + 100), T0 + 66);
	assert_int_equal(cw_server_cert_renew_at(T0, T0 + 101), T0 + 67);
	assert_int_equal(cw_server_cert_renew_at(T0, T0 + 1), T0);
}

/* The schedule is strictly inside the validity: after it starts, before
 * it ends, whatever the size (no overflow near INT64_MAX). */
static void
test_renew_inside_validity(void **state)
{
	int64_t lives[] = {120, 3600, 7 * 86400, 397LL * 86400,
	    INT64_MAX / 2};
	size_t i;
	int64_t r;

	(void)state;
	for (i = 0; i < sizeof(lives) / sizeof(lives[0]); i++) {
		r = cw_server_cert_renew_at(0, lives[i]);
		assert_true(r > 0 && r < lives[i]);
		/* at least a third of the lifetime is left to retry */
		assert_true(lives[i] - r >= lives[i] / 3);
	}
}

/* An empty or reversed interval is due at once (not_before). */
static void
test_renew_empty_interval(void **state)
{
	(void)state;
	assert_int_equal(cw_server_cert_renew_at(T0, T0), T0);
	assert_int_equal(cw_server_cert_renew_at(T0, T0 - 500), T0);
}

/* Without the key, the lifetime is the documented default, 7d. */
static void
test_config_default(void **state)
{
	cw_config c;
	cw_err err = CW_ERR_INIT;

	(void)state;
	assert_int_equal(load_with(NULL, &c, &err), CW_OK);
	assert_int_equal(c.server_cert_lifetime, 7 * 86400);
}

/* The minimum, 2m, and a longer one are accepted. */
static void
test_config_accepts(void **state)
{
	cw_config c;
	cw_err err = CW_ERR_INIT;

	(void)state;
	assert_int_equal(load_with("server_cert_lifetime: 2m", &c, &err),
	    CW_OK);
	assert_int_equal(c.server_cert_lifetime, 120);
	unlink(cfgpath);
	assert_int_equal(load_with("server_cert_lifetime: 30d", &c, &err),
	    CW_OK);
	assert_int_equal(c.server_cert_lifetime, 30 * 86400);
}

/* Under 2m, over 397d, or not a duration: refused naming the key. */
static void
test_config_rejects(void **state)
{
	const char *bad[] = {"server_cert_lifetime: 119s",
	    "server_cert_lifetime: 1m", "server_cert_lifetime: 398d",
	    "server_cert_lifetime: soon", "server_cert_lifetime: -5m",
	    "server_cert_lifetime: 0m"};
	cw_config c;
	cw_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = (cw_err)CW_ERR_INIT;
		assert_int_equal(load_with(bad[i], &c, &err), CW_ERR_CONFIG);
		assert_non_null(strstr(err.msg, "server_cert_lifetime"));
		unlink(cfgpath);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_renew_default_lifetime),
		cmocka_unit_test(test_renew_minimum_lifetime),
		cmocka_unit_test(test_renew_rounds_down),
		cmocka_unit_test(test_renew_inside_validity),
		cmocka_unit_test(test_renew_empty_interval),
		cmocka_unit_test_teardown(test_config_default, teardown),
		cmocka_unit_test_teardown(test_config_accepts, teardown),
		cmocka_unit_test_teardown(test_config_rejects, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
