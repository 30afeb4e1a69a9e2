/*
 * tokens.c - API tokens, the credential of the REST API (DESIGN 7.1).
 *
 * A token is "cw_" ID "_" SECRET: ID names the stored record, SECRET is 32
 * bytes from RAND_bytes in unpadded base64url (RFC 4648 section 5).  The
 * secret is shown once, at creation; the database keeps only
 * SHA-256("certward-token-v1" || secret).  With 256 random bits a plain
 * hash needs no salt or stretching: there is nothing to guess.
 *
 * Authentication answers every failure (malformed, unknown, wrong secret,
 * revoked, expired, user removed) with the same code and, once the text
 * parses, the same message, and runs every check whatever the outcome of
 * the others, comparing the hash in constant time.  What stays visible is
 * whether the text is well-formed, which the sender knows anyway.
 */
#include "engine_int.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define SECRET_LEN 32
#define SECRET_B64_LEN 43	/* ceil(32 * 8 / 6), no padding */
#define ID_DIGITS_MAX 19	/* INT64_MAX has 19 digits */
#define PREFIX "cw_"
#define PREFIX_LEN 3
#define USE_GRANULARITY 60	/* seconds: last use is recorded to the minute */

static const char hash_domain[] = "certward-token-v1";
static const char *const admin_roles[] = {"pki-admin"};
static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* RFC 4648 5: base64url without padding; out needs 4*ceil(len/3)+1. */
static void
b64url_encode(const uint8_t *in, size_t len, char *out)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		out[o++] = b64url[(v >> 6) & 63];
		out[o++] = b64url[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		out[o++] = b64url[(v >> 6) & 63];
	}
	out[o] = '\0';
}

/*
 * The 6-bit value of a base64url character, or -1.  Branches here only
 * depend on the presented text, never on a stored secret.
 */
static int
b64url_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/*
 * Decodes exactly SECRET_B64_LEN characters into SECRET_LEN bytes.  The
 * last character carries two bits beyond the 256; they must be zero
 * (RFC 4648 3.5, canonical encoding) so each secret has one spelling.
 */
static bool
b64url_decode_secret(const char *s, uint8_t out[SECRET_LEN])
{
	uint32_t v = 0;
	size_t i, o = 0;
	int d;

	for (i = 0; i < SECRET_B64_LEN; i++) {
		if ((d = b64url_val(s[i])) < 0)
			return false;
		v = v << 6 | (uint32_t)d;
		if (i % 4 == 3) {
			out[o++] = (uint8_t)(v >> 16);
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)v;
			v = 0;
		}
	}
	/* 43 = 10 * 4 + 3: three characters, 18 bits, hold the last two
	 * bytes and two zero bits */
	if ((v & 3) != 0)
		return false;
	out[o++] = (uint8_t)(v >> 10);
	out[o++] = (uint8_t)(v >> 2);
	return o == SECRET_LEN;
}

/*
 * Splits a presented token into its id and secret.  The length is
 * bounded before anything else is read; no part of the text is used as
 * a C string beyond that bound.
 */
static bool
token_parse(const char *p, int64_t *id, uint8_t secret[SECRET_LEN])
{
	char digits[ID_DIGITS_MAX + 1];
	size_t len, nd = 0;

	if (p == NULL)
		return false;
	len = strnlen(p, CW_TOKEN_PRESENTED_MAX + 1);
	if (len > CW_TOKEN_PRESENTED_MAX || len < PREFIX_LEN ||
	    memcmp(p, PREFIX, PREFIX_LEN) != 0)
		return false;
	while (PREFIX_LEN + nd < len && nd <= ID_DIGITS_MAX &&
	    p[PREFIX_LEN + nd] >= '0' && p[PREFIX_LEN + nd] <= '9')
		nd++;
	/* one spelling per id: no leading zeros */
	if (nd == 0 || nd > ID_DIGITS_MAX || p[PREFIX_LEN] == '0')
		return false;
	if (p[PREFIX_LEN + nd] != '_' ||
	    len - (PREFIX_LEN + nd + 1) != SECRET_B64_LEN)
		return false;
	memcpy(digits, p + PREFIX_LEN, nd);
	digits[nd] = '\0';
	if (!cw_parse_int64(digits, 1, INT64_MAX, id))
		return false;
	return b64url_decode_secret(p + PREFIX_LEN + nd + 1, secret);
}

/* SHA-256 of the domain label and the secret: what the store keeps. */
static cw_rc
secret_hash(const uint8_t secret[SECRET_LEN],
    uint8_t out[CW_TOKEN_HASH_LEN], cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t buf[sizeof(hash_domain) - 1 + SECRET_LEN];
	unsigned int n = 0;

	memcpy(buf, hash_domain, sizeof(hash_domain) - 1);
	memcpy(buf + sizeof(hash_domain) - 1, secret, SECRET_LEN);
	CW_ENSURE_OSSL(EVP_Digest(buf, sizeof(buf), out, &n, EVP_sha256(),
	    NULL) == 1 && n == CW_TOKEN_HASH_LEN, "cannot hash a token");
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* Creates a token for a user; see engine.h for the contract. */
cw_rc
cw_token_create(cw_engine *e, const cw_actor *a, const char *user,
    int64_t expires_at, char *token, size_t token_len, int64_t *id,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor, target;
	cw_token_rec t;
	uint8_t secret[SECRET_LEN];
	char b64[SECRET_B64_LEN + 2], obj[48], when[40];
	json_t *det = NULL;
	int64_t now = cw_engine_now(e);
	bool found;
	int n;

	memset(&t, 0, sizeof(t));
	memset(secret, 0, sizeof(secret));
	memset(b64, 0, sizeof(b64));
	CW_ENSURE(token != NULL && token_len >= CW_TOKEN_TEXT_MAX,
	    CW_ERR_INTERNAL, "token buffer smaller than CW_TOKEN_TEXT_MAX");
	token[0] = '\0';
	CW_ENSURE(user != NULL && user[0] != '\0' &&
	    strlen(user) < CW_NAME_MAX, CW_ERR_USAGE,
	    "a token needs a user (--user NAME)");
	if (expires_at == 0)
		expires_at = now + CW_TOKEN_DEFAULT_LIFE;
	cw_time_text(expires_at, when, sizeof(when));
	CW_ENSURE(expires_at > now, CW_ERR_USAGE, "the token's expiry %s is "
	    "not in the future", when);
	CW_ENSURE(expires_at - now <= CW_TOKEN_MAX_LIFE, CW_ERR_USAGE,
	    "the token's expiry %s is more than 365 days away: tokens live "
	    "at most 365d", when);
	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, admin_roles, 1, "create API tokens",
	    err));
	CW_TRY(cw_store_user_get(e->store, user, &target, &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "unknown user '%s'; a pki-admin "
	    "adds users with 'certward user add'", user);
	CW_ENSURE_OSSL(RAND_bytes(secret, sizeof(secret)) == 1,
	    "cannot draw random bytes for a token");
	CW_TRY(secret_hash(secret, t.hash, err));
	snprintf(t.user, sizeof(t.user), "%s", user);
	t.user_created_at = target.created_at;
	snprintf(t.created_by, sizeof(t.created_by), "%s", a->name);
	t.created_at = now;
	t.expires_at = expires_at;
	CW_TRY(cw_store_token_insert(e->store, &t, err));
	/* the details name the token, never its secret or hash */
	det = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)t.id, "user",
	    user, "expires_at", when);
	CW_ENSURE_MEM(det);
	snprintf(obj, sizeof(obj), "token:%lld", (long long)t.id);
	CW_TRY(cw_engine_audit(e, a, "token.create", obj, det, err));
	/* format before the commit: a token that cannot be shown must not
	 * exist */
	b64url_encode(secret, sizeof(secret), b64);
	n = snprintf(token, token_len, PREFIX "%lld_%s", (long long)t.id, b64);
	CW_ENSURE(n > 0 && (size_t)n < token_len, CW_ERR_INTERNAL,
	    "token text too long");
	CW_TRY(cw_store_commit(e->store, err));
	*id = t.id;
out:
	if (rc != CW_OK) {
		cw_store_rollback(e->store);
		if (token != NULL && token_len > 0)
			OPENSSL_cleanse(token, token_len);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(b64, sizeof(b64));
	json_decref(det);
	return rc;
}

/* Revokes a token now (pki-admin); see engine.h. */
cw_rc
cw_token_revoke(cw_engine *e, const cw_actor *a, int64_t id, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor;
	cw_token_rec t;
	json_t *det = NULL;
	char obj[48];
	bool found;

	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, admin_roles, 1, "revoke API tokens",
	    err));
	CW_TRY(cw_store_token_get(e->store, id, &t, &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "unknown token %lld",
	    (long long)id);
	CW_ENSURE(t.revoked_at == 0, CW_ERR_NONCOMPLIANT, "token %lld was "
	    "already revoked", (long long)id);
	CW_TRY(cw_store_token_set_revoked(e->store, id, cw_engine_now(e),
	    err));
	det = json_pack("{s:I, s:s}", "id", (json_int_t)id, "user", t.user);
	CW_ENSURE_MEM(det);
	snprintf(obj, sizeof(obj), "token:%lld", (long long)id);
	CW_TRY(cw_engine_audit(e, a, "token.revoke", obj, det, err));
	CW_TRY(cw_store_commit(e->store, err));
out:
	if (rc != CW_OK)
		cw_store_rollback(e->store);
	json_decref(det);
	return rc;
}

typedef struct list_ctx {
	json_t *users;	/* name -> created_at */
	json_t *arr;
	int64_t now;
	bool oom;
} list_ctx;

static bool
user_created_cb(const cw_user *u, void *arg)
{
	list_ctx *c = arg;

	if (json_object_set_new(c->users, u->name,
	    json_integer(u->created_at)) != 0)
		c->oom = true;
	return !c->oom;
}

/* RFC 3339 text of a time, or null for 0 ("never"). */
static json_t *
time_or_null(int64_t t)
{
	char buf[40];

	if (t == 0)
		return json_null();
	cw_time_text(t, buf, sizeof(buf));
	return json_string(buf);
}

static bool
token_cb(const cw_token_rec *t, void *arg)
{
	list_ctx *c = arg;
	json_t *uc = json_object_get(c->users, t->user), *o;
	const char *status;
	char created[40], expires[40];

	if (t->revoked_at != 0)
		status = "revoked";
	else if (uc == NULL || json_integer_value(uc) != t->user_created_at)
		status = "user-removed";
	else if (c->now >= t->expires_at)
		status = "expired";
	else
		status = "active";
	cw_time_text(t->created_at, created, sizeof(created));
	cw_time_text(t->expires_at, expires, sizeof(expires));
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "id",
	    (json_int_t)t->id, "user", t->user, "created_by", t->created_by,
	    "created_at", created, "expires_at", expires, "last_used_at",
	    time_or_null(t->last_used_at), "revoked_at",
	    time_or_null(t->revoked_at), "status", status);
	if (o == NULL || json_array_append_new(c->arr, o) != 0)
		c->oom = true;
	return !c->oom;
}

/* Every token as JSON, never the secret (pki-admin); see engine.h. */
cw_rc
cw_token_list(cw_engine *e, const cw_actor *a, json_t **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor;
	list_ctx c;

	memset(&c, 0, sizeof(c));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, admin_roles, 1, "list API tokens",
	    err));
	c.now = cw_engine_now(e);
	c.users = json_object();
	c.arr = json_array();
	CW_ENSURE_MEM(c.users);
	CW_ENSURE_MEM(c.arr);
	CW_TRY(cw_store_user_each(e->store, user_created_cb, &c, err));
	CW_ENSURE(!c.oom, CW_ERR_NOMEM, "out of memory");
	CW_TRY(cw_store_token_each(e->store, token_cb, &c, err));
	CW_ENSURE(!c.oom, CW_ERR_NOMEM, "out of memory");
	*out = c.arr;
	c.arr = NULL;
out:
	json_decref(c.users);
	json_decref(c.arr);
	return rc;
}

/*
 * Records the token's use.  Best-effort in its own short transaction: a
 * busy or failing database must not turn a valid credential away.
 */
static void
note_use(cw_engine *e, int64_t id, int64_t now)
{
	cw_err ignored = CW_ERR_INIT;

	if (cw_store_begin(e->store, &ignored) != CW_OK)
		return;
	if (cw_store_token_set_used(e->store, id, now, &ignored) != CW_OK) {
		cw_store_rollback(e->store);
		return;
	}
	/* a failed commit rolls back by itself; nothing else to undo */
	if (cw_store_commit(e->store, &ignored) != CW_OK)
		return;
}

/*
 * Checks a presented token; CW_OK with its user, else CW_ERR_NONCOMPLIANT
 * for every kind of bad token (engine.h).
 */
cw_rc
cw_token_authenticate(cw_engine *e, const char *presented,
    cw_user *user_out, cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t secret[SECRET_LEN], h[CW_TOKEN_HASH_LEN];
	cw_token_rec t;
	cw_user u;
	bool found = false, ufound = false;
	int64_t id = 0, now;
	unsigned int ok;

	memset(&t, 0, sizeof(t));
	memset(&u, 0, sizeof(u));
	memset(secret, 0, sizeof(secret));
	memset(h, 0, sizeof(h));
	/* the shape of the text is the sender's own knowledge: refuse a
	 * malformed one at once */
	CW_ENSURE(token_parse(presented, &id, secret), CW_ERR_NONCOMPLIANT,
	    "not a valid certward API token");
	CW_TRY(secret_hash(secret, h, err));
	CW_TRY(cw_store_token_get(e->store, id, &t, &found, err));
	/* an unknown id does the same work: its record is all zeros (a
	 * hash no secret has) and the user looked up is "", a name no user
	 * can have */
	CW_TRY(cw_store_user_get(e->store, found ? t.user : "", &u, &ufound,
	    err));
	now = cw_engine_now(e);
	/* every condition is evaluated; none short-circuits the others */
	ok = (unsigned int)cw_ct_equal(h, t.hash, sizeof(h));
	ok &= (unsigned int)found;
	ok &= (unsigned int)ufound;
	ok &= (unsigned int)(u.created_at == t.user_created_at);
	ok &= (unsigned int)(t.revoked_at == 0);
	ok &= (unsigned int)(now < t.expires_at);
	CW_ENSURE(ok == 1, CW_ERR_NONCOMPLIANT, "API token %lld is not valid "
	    "(unknown, wrong, revoked or expired, or its user was removed)",
	    (long long)id);
	if (now - t.last_used_at >= USE_GRANULARITY)
		note_use(e, id, now);
	if (user_out != NULL)
		*user_out = u;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(h, sizeof(h));
	OPENSSL_cleanse(&t, sizeof(t));
	return rc;
}
