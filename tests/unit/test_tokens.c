/*
 * test_tokens.c - API tokens (src/engine/tokens.c) through the engine API:
 * creation, revocation, listing and above all cw_token_authenticate, in a
 * real data directory made by cw_engine_init in a temporary directory.
 *
 * The secret is decoded here with an independent base64url decoder and
 * the stored hash recomputed with EVP, so the test does not trust the
 * code under test to say what it stored.
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

#include <openssl/evp.h>
#include <sqlite3.h>

#include "common/util.h"
#include "engine/engine.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define B64 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

static char tmpdir[] = "/tmp/cw_test_tokens_XXXXXX";
static char datadir[512];
static cw_engine *eng;

static const cw_actor admin = {"admin", "human", "cli"};
static const cw_actor dave = {"dave", "human", "cli"};
static const cw_actor alice_actor = {"alice", "human", "cli"};

/* --- helpers ------------------------------------------------------------------ */

/* Creates a token as dave (pki-admin); returns its id. */
static int64_t
make(const char *user, int64_t expires_at, char tok[CW_TOKEN_TEXT_MAX])
{
	cw_err err = CW_ERR_INIT;
	int64_t id = 0;
	cw_rc rc;

	rc = cw_token_create(eng, &dave, user, expires_at, tok,
	    CW_TOKEN_TEXT_MAX, &id, &err);
	if (rc != CW_OK)
		fail_msg("cw_token_create: %s", err.msg);
	assert_true(id > 0);
	return id;
}

static cw_rc
auth(const char *tok, cw_user *u)
{
	cw_err err = CW_ERR_INIT;
	cw_user tmp;

	return cw_token_authenticate(eng, tok, u != NULL ? u : &tmp, &err);
}

/* The secret part of a token text (after the second '_'). */
static const char *
secret_part(const char *tok)
{
	const char *p = strchr(tok + 3, '_');

	assert_non_null(p);
	return p + 1;
}

/* Independent base64url decoder (alphabet search, bit accumulator). */
static size_t
b64url_decode(const char *s, uint8_t *out, size_t cap)
{
	unsigned long acc = 0;
	int bits = 0;
	size_t n = 0;
	const char *p;

	for (; *s != '\0'; s++) {
		p = strchr(B64, *s);
		assert_non_null(p);
		acc = (acc << 6) | (unsigned long)(p - B64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			assert_true(n < cap);
			out[n++] = (uint8_t)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	return n;
}

static json_t *
list_entry(int64_t id)
{
	cw_err err = CW_ERR_INIT;
	json_t *arr = NULL, *t, *found = NULL;
	size_t i;

	assert_int_equal(cw_token_list(eng, &dave, &arr, &err), CW_OK);
	json_array_foreach(arr, i, t)
		if (json_integer_value(json_object_get(t, "id")) == id)
			found = json_incref(t);
	json_decref(arr);
	assert_non_null(found);
	return found;
}

static bool
file_contains(const char *path, const void *needle, size_t nlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, k;
	bool hit;

	if (f == NULL)
		return false;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		k = fread(buf + len, 1, cap - len, f);
		len += k;
	} while (k > 0);
	fclose(f);
	hit = cw_memfind(buf, len, needle, nlen) != NULL;
	free(buf);
	return hit;
}

/* --- fixtures ------------------------------------------------------------------- */

static int
group_setup(void **state)
{
	static const char *const users[] = {"alice=requester",
	    "bob=security-officer", "carol=requester", "dave=pki-admin",
	    "erin=requester", NULL};

	(void)state;
	eng = cw_test_engine(tmpdir, datadir, sizeof(datadir), users, NULL);
	return eng != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	return cw_test_engine_done(&eng, tmpdir);
}

/* --- creation ------------------------------------------------------------------- */

/* The token is cw_<id>_<43 base64url chars> and names the id returned. */
static void
test_create_format(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX], want[32];
	int64_t id;
	const char *s;
	size_t i;

	(void)state;
	id = make("alice", 0, tok);
	snprintf(want, sizeof(want), "cw_%lld_", (long long)id);
	assert_memory_equal(tok, want, strlen(want));
	s = secret_part(tok);
	assert_int_equal(strlen(s), 43);
	for (i = 0; i < 43; i++)
		assert_non_null(strchr(B64, s[i]));
}

/* Two tokens never share an id or a secret. */
static void
test_create_distinct(void **state)
{
	char a[CW_TOKEN_TEXT_MAX], b[CW_TOKEN_TEXT_MAX];
	int64_t ia, ib;

	(void)state;
	ia = make("alice", 0, a);
	ib = make("alice", 0, b);
	assert_true(ia != ib);
	assert_string_not_equal(secret_part(a), secret_part(b));
}

/* Only a pki-admin creates tokens; the buffer is left empty otherwise. */
static void
test_create_needs_admin(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX] = "x";
	cw_err err = CW_ERR_INIT;
	int64_t id = 0;

	(void)state;
	assert_int_equal(cw_token_create(eng, &alice_actor, "alice", 0, tok,
	    sizeof(tok), &id, &err), CW_ERR_NONCOMPLIANT);
	assert_string_equal(tok, "");
	assert_int_equal(id, 0);
}

/* An unknown target user or acting user is CW_ERR_NOT_FOUND. */
static void
test_create_unknown_users(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX];
	cw_err err = CW_ERR_INIT;
	const cw_actor ghost = {"ghost", "human", "cli"};
	int64_t id = 0;

	(void)state;
	assert_int_equal(cw_token_create(eng, &dave, "mallory", 0, tok,
	    sizeof(tok), &id, &err), CW_ERR_NOT_FOUND);
	assert_int_equal(cw_token_create(eng, &ghost, "alice", 0, tok,
	    sizeof(tok), &id, &err), CW_ERR_NOT_FOUND);
	assert_int_equal(cw_token_create(eng, &dave, "", 0, tok,
	    sizeof(tok), &id, &err), CW_ERR_USAGE);
}

/* Expiry must be in the future and at most 365 days away. */
static void
test_create_expiry_bounds(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX];
	cw_err err = CW_ERR_INIT;
	int64_t id = 0, now = cw_engine_now(eng);

	(void)state;
	assert_int_equal(cw_token_create(eng, &dave, "alice", now - 1, tok,
	    sizeof(tok), &id, &err), CW_ERR_USAGE);
	assert_int_equal(cw_token_create(eng, &dave, "alice", now, tok,
	    sizeof(tok), &id, &err), CW_ERR_USAGE);
	assert_int_equal(cw_token_create(eng, &dave, "alice",
	    now + 365 * 86400 + 5, tok, sizeof(tok), &id, &err), CW_ERR_USAGE);
	/* exactly 365 days (the clock may tick once in between) */
	assert_int_equal(cw_token_create(eng, &dave, "alice",
	    cw_engine_now(eng) + 365 * 86400, tok, sizeof(tok), &id, &err),
	    CW_OK);
	assert_int_equal(auth(tok, NULL), CW_OK);
}

/* Expiry 0 means 90 days. */
static void
test_create_default_expiry(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX];
	int64_t id;
	json_t *t;
	const char *c, *x;

	(void)state;
	id = make("alice", 0, tok);
	t = list_entry(id);
	c = json_string_value(json_object_get(t, "created_at"));
	x = json_string_value(json_object_get(t, "expires_at"));
	assert_non_null(c);
	assert_non_null(x);
	{
		int64_t tc, tx;

		assert_true(cw_parse_time(c, 0, &tc));
		assert_true(cw_parse_time(x, 0, &tx));
		assert_int_equal(tx - tc, 90 * 86400);
	}
	json_decref(t);
}

/* A buffer shorter than CW_TOKEN_TEXT_MAX is refused, nothing created. */
static void
test_create_small_buffer(void **state)
{
	char tok[16];
	cw_err err = CW_ERR_INIT;
	int64_t id = 0;

	(void)state;
	assert_int_equal(cw_token_create(eng, &dave, "alice", 0, tok,
	    sizeof(tok), &id, &err), CW_ERR_INTERNAL);
	assert_int_equal(id, 0);
}

/* --- authentication: accept ------------------------------------------------------ */

/* A fresh token authenticates as its user with that user's roles. */
static void
test_auth_good(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX];
	cw_user u;

	(void)state;
	make("alice", 0, tok);
	memset(&u, 0, sizeof(u));
	assert_int_equal(auth(tok, &u), CW_OK);
	assert_string_equal(u.name, "alice");
	assert_true(cw_user_has_role(&u, "requester"));
	assert_false(cw_user_has_role(&u, "pki-admin"));
}

/* The roles returned are the user's roles now, not at creation. */
static void
test_auth_current_roles(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX];
	cw_err err = CW_ERR_INIT;
	const char *roles[2] = {"security-officer", "auditor"};
	cw_user u;

	(void)state;
	make("bob", 0, tok);
	assert_int_equal(cw_user_add(eng, &admin, "bob", roles, 2, &err),
	    CW_OK);
	assert_int_equal(auth(tok, &u), CW_OK);
	assert_true(cw_user_has_role(&u, "auditor"));
	assert_true(cw_user_has_role(&u, "security-officer"));
}

/* A NULL user_out is allowed. */
static void
test_auth_null_user_out(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX];
	cw_err err = CW_ERR_INIT;

	(void)state;
	make("alice", 0, tok);
	assert_int_equal(cw_token_authenticate(eng, tok, NULL, &err), CW_OK);
}

/* A token of a pki-admin authenticates as that admin. */
static void
test_auth_admin_token(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX];
	cw_user u;

	(void)state;
	make("dave", 0, tok);
	assert_int_equal(auth(tok, &u), CW_OK);
	assert_string_equal(u.name, "dave");
	assert_true(cw_user_has_role(&u, "pki-admin"));
}

/* Successful use is recorded; a failed attempt records nothing. */
static void
test_auth_last_used(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX], bad[CW_TOKEN_TEXT_MAX];
	int64_t id;
	json_t *t;
	size_t n;

	(void)state;
	id = make("alice", 0, tok);
	memcpy(bad, tok, sizeof(bad));
	n = strlen(bad);
	bad[n - 2] = bad[n - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
	t = list_entry(id);
	assert_true(json_is_null(json_object_get(t, "last_used_at")));
	json_decref(t);
	assert_int_equal(auth(tok, NULL), CW_OK);
	t = list_entry(id);
	assert_true(json_is_string(json_object_get(t, "last_used_at")));
	json_decref(t);
}

/* --- authentication: reject -------------------------------------------------------- */

/* Any change to the secret is refused. */
static void
test_auth_wrong_secret(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX], bad[CW_TOKEN_TEXT_MAX];
	static const size_t at[] = {0, 21, 41};
	size_t n, i;

	(void)state;
	make("alice", 0, tok);
	n = strlen(tok);
	/* first, middle and last-but-one secret characters (the last one
	 * also carries the two padding bits, tested apart) */
	for (i = 0; i < NELEM(at); i++) {
		memcpy(bad, tok, sizeof(bad));
		bad[n - 43 + at[i]] = bad[n - 43 + at[i]] == 'Q' ? 'R' : 'Q';
		assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
	}
	assert_int_equal(auth(tok, NULL), CW_OK);
}

/* One token's secret does not work under another token's id. */
static void
test_auth_swapped_id(void **state)
{
	char a[CW_TOKEN_TEXT_MAX], b[CW_TOKEN_TEXT_MAX], mix[CW_TOKEN_TEXT_MAX];
	int64_t ib;

	(void)state;
	make("alice", 0, a);
	ib = make("alice", 0, b);
	snprintf(mix, sizeof(mix), "cw_%lld_%s", (long long)ib, secret_part(a));
	assert_int_equal(auth(mix, NULL), CW_ERR_NONCOMPLIANT);
}

/* A well-formed token with an id that does not exist is refused. */
static void
test_auth_unknown_id(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX], bad[CW_TOKEN_TEXT_MAX];

	(void)state;
	make("alice", 0, tok);
	snprintf(bad, sizeof(bad), "cw_987654321_%s", secret_part(tok));
	assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
	snprintf(bad, sizeof(bad), "cw_9223372036854775807_%s",
	    secret_part(tok));
	assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
}

/* Expands a pattern: '#' becomes the id, '$' the secret. */
static void
expand(const char *pat, int64_t id, const char *secret, char *out,
    size_t cap)
{
	size_t o = 0;
	int k;

	for (; *pat != '\0'; pat++) {
		if (*pat == '#')
			k = snprintf(out + o, cap - o, "%lld", (long long)id);
		else if (*pat == '$')
			k = snprintf(out + o, cap - o, "%s", secret);
		else
			k = snprintf(out + o, cap - o, "%c", *pat);
		assert_true(k > 0 && (size_t)k < cap - o);
		o += (size_t)k;
	}
	out[o] = '\0';
}

/* Malformed texts of every shape are refused. */
static void
test_auth_malformed(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX], bad[512];
	const char *s;
	int64_t id;
	size_t i;
	static const char *const pats[] = {
		"", "cw_", "cw_#", "cw_#_", "CW_#_$", "cw-#_$", "cw_#-$",
		" cw_#_$", "cw_#_$ ", "cw_#_$\n", "cw_#_$=", "cw_#_$A",
		"Bearer cw_#_$", "cw_0#_$", "cw_+#_$", "cw_-#_$", "cw__#_$",
		"cw_#__$", "cw_#_ $", "xcw_#_$", "cw_#_$$", "cw_$", "cw_#",
	};

	(void)state;
	id = make("alice", 0, tok);
	s = secret_part(tok);
	assert_int_equal(auth(NULL, NULL), CW_ERR_NONCOMPLIANT);
	for (i = 0; i < NELEM(pats); i++) {
		expand(pats[i], id, s, bad, sizeof(bad));
		if (auth(bad, NULL) != CW_ERR_NONCOMPLIANT)
			fail_msg("accepted malformed token '%s'", bad);
	}
	/* the expander itself makes the genuine token */
	expand("cw_#_$", id, s, bad, sizeof(bad));
	assert_string_equal(bad, tok);
	/* secret one character short, one character long (dropped/added
	 * in the middle so the canonical-ending rule is not what refuses) */
	snprintf(bad, sizeof(bad), "cw_%lld_%.20s%s", (long long)id, s, s + 21);
	assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
	snprintf(bad, sizeof(bad), "cw_%lld_%.20sA%s", (long long)id, s, s + 20);
	assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
	/* standard base64 characters instead of base64url */
	snprintf(bad, sizeof(bad), "cw_%lld_+%s", (long long)id, s + 1);
	assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
	snprintf(bad, sizeof(bad), "cw_%lld_/%s", (long long)id, s + 1);
	assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
	/* ids that overflow or have too many digits */
	snprintf(bad, sizeof(bad), "cw_9223372036854775808_%s", s);
	assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
	snprintf(bad, sizeof(bad), "cw_00000000000000000001_%s", s);
	assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
	snprintf(bad, sizeof(bad), "cw_123456789012345678901234567890_%s", s);
	assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
	/* an embedded NUL cuts the text: what follows is not read */
	snprintf(bad, sizeof(bad), "cw_%lld_%s", (long long)id, s);
	bad[strlen(bad) - 5] = '\0';
	assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
	/* the genuine token still works */
	assert_int_equal(auth(tok, NULL), CW_OK);
}

/*
 * The last character carries two bits beyond the 256-bit secret; a
 * spelling with them set decodes (loosely) to the same bytes but is not
 * the token that was issued.
 */
static void
test_auth_noncanonical_ending(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX], bad[CW_TOKEN_TEXT_MAX];
	const char *p;
	size_t n;
	int v, k;

	(void)state;
	make("alice", 0, tok);
	n = strlen(tok);
	p = strchr(B64, tok[n - 1]);
	assert_non_null(p);
	v = (int)(p - B64);
	assert_int_equal(v & 3, 0);
	for (k = 1; k < 4; k++) {
		memcpy(bad, tok, sizeof(bad));
		bad[n - 1] = B64[v | k];
		assert_int_equal(auth(bad, NULL), CW_ERR_NONCOMPLIANT);
	}
	assert_int_equal(auth(tok, NULL), CW_OK);
}

/* Input far longer than any token is refused without being scanned. */
static void
test_auth_oversized(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX], *big;
	size_t len = 1024 * 1024, n;

	(void)state;
	make("alice", 0, tok);
	big = malloc(len + 1);
	assert_non_null(big);
	memset(big, 'A', len);
	big[len] = '\0';
	n = strlen(tok);
	memcpy(big, tok, n);
	assert_int_equal(auth(big, NULL), CW_ERR_NONCOMPLIANT);
	memset(big, 'A', len);
	memcpy(big, "cw_1_", 5);
	assert_int_equal(auth(big, NULL), CW_ERR_NONCOMPLIANT);
	/* just over the bound, as a token followed by padding */
	memset(big, ' ', CW_TOKEN_PRESENTED_MAX + 1);
	memcpy(big, tok, n);
	big[CW_TOKEN_PRESENTED_MAX + 1] = '\0';
	assert_int_equal(auth(big, NULL), CW_ERR_NONCOMPLIANT);
	free(big);
}

/* A token works until its expiry and not after. */
static void
test_auth_expired(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX];
	json_t *t;
	int64_t id;

	(void)state;
	id = make("alice", cw_engine_now(eng) + 1, tok);
	assert_int_equal(auth(tok, NULL), CW_OK);
	sleep(2);
	assert_int_equal(auth(tok, NULL), CW_ERR_NONCOMPLIANT);
	t = list_entry(id);
	assert_string_equal(json_string_value(json_object_get(t, "status")),
	    "expired");
	json_decref(t);
}

/* A revoked token stops working; the user's other tokens do not. */
static void
test_auth_revoked(void **state)
{
	char a[CW_TOKEN_TEXT_MAX], b[CW_TOKEN_TEXT_MAX];
	cw_err err = CW_ERR_INIT;
	int64_t ia;
	json_t *t;

	(void)state;
	ia = make("alice", 0, a);
	make("alice", 0, b);
	assert_int_equal(auth(a, NULL), CW_OK);
	assert_int_equal(cw_token_revoke(eng, &dave, ia, &err), CW_OK);
	assert_int_equal(auth(a, NULL), CW_ERR_NONCOMPLIANT);
	assert_int_equal(auth(b, NULL), CW_OK);
	t = list_entry(ia);
	assert_string_equal(json_string_value(json_object_get(t, "status")),
	    "revoked");
	assert_true(json_is_string(json_object_get(t, "revoked_at")));
	json_decref(t);
}

/* A removed user's tokens stop working, also after the name is re-added;
 * a token made for the new user works. */
static void
test_auth_user_removed(void **state)
{
	char old[CW_TOKEN_TEXT_MAX], fresh[CW_TOKEN_TEXT_MAX];
	cw_err err = CW_ERR_INIT;

	(void)state;
	make("carol", 0, old);
	assert_int_equal(auth(old, NULL), CW_OK);
	assert_int_equal(cw_user_remove(eng, &admin, "carol", &err), CW_OK);
	assert_int_equal(auth(old, NULL), CW_ERR_NONCOMPLIANT);
	/* a later second, so the new carol's created_at differs */
	sleep(1);
	cw_test_add_user(eng, "carol", "requester");
	assert_int_equal(auth(old, NULL), CW_ERR_NONCOMPLIANT);
	make("carol", 0, fresh);
	assert_int_equal(auth(fresh, NULL), CW_OK);
}

/* --- revoke and list ---------------------------------------------------------------- */

/* Revoke: unknown id, twice, and a non-admin are refused. */
static void
test_revoke_refusals(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX];
	cw_err err = CW_ERR_INIT;
	int64_t id;

	(void)state;
	id = make("alice", 0, tok);
	assert_int_equal(cw_token_revoke(eng, &dave, 987654321, &err),
	    CW_ERR_NOT_FOUND);
	assert_int_equal(cw_token_revoke(eng, &alice_actor, id, &err),
	    CW_ERR_NONCOMPLIANT);
	assert_int_equal(auth(tok, NULL), CW_OK);
	assert_int_equal(cw_token_revoke(eng, &dave, id, &err), CW_OK);
	assert_int_equal(cw_token_revoke(eng, &dave, id, &err),
	    CW_ERR_NONCOMPLIANT);
}

/* Listing needs pki-admin and never shows the secret. */
static void
test_list(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX], *text;
	cw_err err = CW_ERR_INIT;
	json_t *arr = NULL;

	(void)state;
	make("erin", 0, tok);
	assert_int_equal(cw_token_list(eng, &alice_actor, &arr, &err),
	    CW_ERR_NONCOMPLIANT);
	assert_null(arr);
	assert_int_equal(cw_token_list(eng, &dave, &arr, &err), CW_OK);
	assert_true(json_array_size(arr) > 0);
	text = json_dumps(arr, 0);
	assert_non_null(text);
	assert_null(strstr(text, secret_part(tok)));
	assert_non_null(strstr(text, "\"erin\""));
	free(text);
	json_decref(arr);
}

/* --- audit and storage ------------------------------------------------------------- */

/* create and revoke are audited with id, user, expiry; never the secret. */
static void
test_audit_events(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX], obj[48], *text;
	cw_err err = CW_ERR_INIT;
	json_t *log = NULL, *ev, *det;
	int64_t id;

	(void)state;
	id = make("alice", 0, tok);
	assert_int_equal(cw_token_revoke(eng, &dave, id, &err), CW_OK);
	snprintf(obj, sizeof(obj), "token:%lld", (long long)id);
	assert_int_equal(cw_audit_log(eng, obj, 0, &log, &err), CW_OK);
	assert_int_equal(json_array_size(log), 2);
	ev = json_array_get(log, 0);
	assert_string_equal(json_string_value(json_object_get(ev, "action")),
	    "token.create");
	assert_string_equal(json_string_value(json_object_get(ev, "actor")),
	    "dave");
	det = json_object_get(ev, "details");
	assert_int_equal(json_object_size(det), 3);
	assert_int_equal(json_integer_value(json_object_get(det, "id")), id);
	assert_string_equal(json_string_value(json_object_get(det, "user")),
	    "alice");
	assert_true(json_is_string(json_object_get(det, "expires_at")));
	ev = json_array_get(log, 1);
	assert_string_equal(json_string_value(json_object_get(ev, "action")),
	    "token.revoke");
	text = json_dumps(log, 0);
	assert_non_null(text);
	assert_null(strstr(text, secret_part(tok)));
	free(text);
	json_decref(log);
}

/* The database holds SHA-256("certward-token-v1" || secret), and neither
 * the secret's bytes nor its text are anywhere in the database files. */
static void
test_only_hash_stored(void **state)
{
	char tok[CW_TOKEN_TEXT_MAX], path[600], wal[600];
	uint8_t secret[64], want[32], in[17 + 32];
	unsigned int wn = 0;
	size_t n;
	int64_t id;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	(void)state;
	id = make("alice", 0, tok);
	n = b64url_decode(secret_part(tok), secret, sizeof(secret));
	assert_int_equal(n, 32);
	memcpy(in, "certward-token-v1", 17);
	memcpy(in + 17, secret, 32);
	assert_int_equal(EVP_Digest(in, sizeof(in), want, &wn, EVP_sha256(),
	    NULL), 1);
	snprintf(path, sizeof(path), "%s/certward.db", datadir);
	snprintf(wal, sizeof(wal), "%s/certward.db-wal", datadir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT hash FROM tokens "
	    "WHERE id = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), 32);
	assert_memory_equal(sqlite3_column_blob(st, 0), want, 32);
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_false(file_contains(path, secret, 32));
	assert_false(file_contains(wal, secret, 32));
	assert_false(file_contains(path, secret_part(tok), 43));
	assert_false(file_contains(wal, secret_part(tok), 43));
	/* the check can fail: the hash itself is in the files */
	assert_true(file_contains(path, want, 32) ||
	    file_contains(wal, want, 32));
}

/* The audit log still verifies after token events. */
static void
test_audit_log_verifies(void **state)
{
	cw_err err = CW_ERR_INIT;
	json_t *report = NULL;

	(void)state;
	assert_int_equal(cw_audit_verify_log(eng, NULL, &report, &err), CW_OK);
	json_decref(report);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_format),
		cmocka_unit_test(test_create_distinct),
		cmocka_unit_test(test_create_needs_admin),
		cmocka_unit_test(test_create_unknown_users),
		cmocka_unit_test(test_create_expiry_bounds),
		cmocka_unit_test(test_create_default_expiry),
		cmocka_unit_test(test_create_small_buffer),
		cmocka_unit_test(test_auth_good),
		cmocka_unit_test(test_auth_current_roles),
		cmocka_unit_test(test_auth_null_user_out),
		cmocka_unit_test(test_auth_admin_token),
		cmocka_unit_test(test_auth_last_used),
		cmocka_unit_test(test_auth_wrong_secret),
		cmocka_unit_test(test_auth_swapped_id),
		cmocka_unit_test(test_auth_unknown_id),
		cmocka_unit_test(test_auth_malformed),
		cmocka_unit_test(test_auth_noncanonical_ending),
		cmocka_unit_test(test_auth_oversized),
		cmocka_unit_test(test_auth_expired),
		cmocka_unit_test(test_auth_revoked),
		cmocka_unit_test(test_auth_user_removed),
		cmocka_unit_test(test_revoke_refusals),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_audit_events),
		cmocka_unit_test(test_only_hash_stored),
		cmocka_unit_test(test_audit_log_verifies),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
