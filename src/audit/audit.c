/*
 * audit.c - see audit.h.
 *
 * Canonical encoding of an event (the input of leaf(e)), version 1:
 *
 *   "certward-audit-event-v1"            the 23 tag bytes, no length, no NUL
 *   field(seq)  field(time)              integers
 *   field(actor) field(origin) field(channel) field(action) field(object)
 *   field(details)                       strings, in this order
 *
 * where every field is an 8-byte big-endian length followed by that many
 * bytes:
 *   integer  length 8, then the value as 8-byte big-endian two's complement
 *   string   length strlen(s), then the bytes of s (no NUL)
 *   NULL     length 0xffffffffffffffff and no bytes (so NULL != "")
 * Because every variable-length field carries its length, no two different
 * events (field by field) share an encoding, and the tag keeps these hashes
 * apart from any other SHA-256 input certward computes.  The prev and hash
 * members are not part of the encoding: they are what the chain commits to.
 *
 * leaf(e) = SHA256(0x00 || canonical(e)), node(l, r) = SHA256(0x01 || l || r)
 * (RFC 9162 2.1.1), chain(e) = SHA256(chain(e-1) || leaf(e)).
 *
 * Checkpoint text, version 1 (the signature is over the first five lines,
 * each ending in "\n", exactly as written):
 *   certward-audit-checkpoint v1
 *   size N          decimal, no sign, no leading zeros
 *   head HEX        64 lower-case hex digits
 *   root HEX        64 lower-case hex digits
 *   time UNIX       decimal, no sign, no leading zeros
 *   signature B64   canonical base64 (padded, zero trailing bits) of 1..512
 *                   bytes
 * followed by at most one "\n".  Ed25519 and Ed448 keys sign the body
 * directly; EC and RSA (PKCS #1 v1.5) keys sign its SHA-256 digest.
 */
#include "audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "../common/limits.h"
#include "../common/util.h"

/* The lead may move this bound into limits.h; this is the fallback. */
#ifndef CW_MAX_CHECKPOINT_BYTES
#define CW_MAX_CHECKPOINT_BYTES 4096
#endif

#define EVENT_TAG "certward-audit-event-v1"
#define CP_MAGIC "certward-audit-checkpoint v1"
#define CP_BODY_MAX 256		/* 5 lines: at most 219 bytes */
#define SIG_MAX (sizeof(((cw_checkpoint *)0)->sig))
#define B64_MAX (4 * ((SIG_MAX + 2) / 3))	/* 684 for 512 bytes */
#define INT64_DIGITS 19

_Static_assert(sizeof(size_t) <= 8, "Merkle paths assume 64-bit sizes");
_Static_assert(CW_MERKLE_MAX_PATH >= 64, "a path per size_t bit");

/* --- SHA-256 ----------------------------------------------------------- */

/*
 * One explicitly fetched SHA-256 for the process: on OpenSSL 3.0 the
 * implicit fetch behind EVP_sha256() is repeated on every EVP_DigestInit
 * and costs more than hashing a node.  Fetched once, kept until exit.
 */
static EVP_MD *sha256_md;
static CRYPTO_ONCE sha256_once = CRYPTO_ONCE_STATIC_INIT;

static void
sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *
sha256(void)
{
	if (!CRYPTO_THREAD_run_once(&sha256_once, sha256_fetch))
		return NULL;
	return sha256_md;
}

/* SHA256(a || b || c) with a reusable ctx; any part may be empty. */
static int
digest3(EVP_MD_CTX *ctx, const void *a, size_t alen, const void *b,
    size_t blen, const void *c, size_t clen, uint8_t out[CW_HASH_LEN])
{
	const EVP_MD *md = sha256();
	unsigned int olen = 0;

	if (md == NULL || !EVP_DigestInit_ex2(ctx, md, NULL))
		return 0;
	if ((alen > 0 && !EVP_DigestUpdate(ctx, a, alen)) ||
	    (blen > 0 && !EVP_DigestUpdate(ctx, b, blen)) ||
	    (clen > 0 && !EVP_DigestUpdate(ctx, c, clen)))
		return 0;
	return EVP_DigestFinal_ex(ctx, out, &olen) && olen == CW_HASH_LEN;
}

/* RFC 9162 2.1.1: MTH of a split is HASH(0x01 || left || right). */
static int
node_hash(EVP_MD_CTX *ctx, const uint8_t l[CW_HASH_LEN],
    const uint8_t r[CW_HASH_LEN], uint8_t out[CW_HASH_LEN])
{
	static const uint8_t one = 0x01;

	return digest3(ctx, &one, 1, l, CW_HASH_LEN, r, CW_HASH_LEN, out);
}

static void
put_be64(uint8_t b[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static int
update_int_field(EVP_MD_CTX *ctx, int64_t v)
{
	uint8_t b[16];

	put_be64(b, 8);
	put_be64(b + 8, (uint64_t)v);	/* two's complement by C conversion */
	return EVP_DigestUpdate(ctx, b, sizeof(b));
}

static int
update_str_field(EVP_MD_CTX *ctx, const char *s)
{
	uint8_t b[8];
	size_t len;

	if (s == NULL) {
		put_be64(b, UINT64_MAX);
		return EVP_DigestUpdate(ctx, b, sizeof(b));
	}
	len = strlen(s);
	put_be64(b, (uint64_t)len);
	if (!EVP_DigestUpdate(ctx, b, sizeof(b)))
		return 0;
	return len == 0 || EVP_DigestUpdate(ctx, s, len);
}

/* leaf(e) = SHA256(0x00 || canonical(e)), see the top of this file. */
static int
leaf_hash_ctx(EVP_MD_CTX *ctx, const cw_audit_event *e,
    uint8_t out[CW_HASH_LEN])
{
	static const uint8_t zero = 0x00;
	const EVP_MD *md = sha256();
	unsigned int olen = 0;

	if (md == NULL || !EVP_DigestInit_ex2(ctx, md, NULL))
		return 0;
	if (!EVP_DigestUpdate(ctx, &zero, 1) ||
	    !EVP_DigestUpdate(ctx, EVENT_TAG, sizeof(EVENT_TAG) - 1) ||
	    !update_int_field(ctx, e->seq) ||
	    !update_int_field(ctx, e->time) ||
	    !update_str_field(ctx, e->actor) ||
	    !update_str_field(ctx, e->origin) ||
	    !update_str_field(ctx, e->channel) ||
	    !update_str_field(ctx, e->action) ||
	    !update_str_field(ctx, e->object) ||
	    !update_str_field(ctx, e->details))
		return 0;
	return EVP_DigestFinal_ex(ctx, out, &olen) && olen == CW_HASH_LEN;
}

/*
 * The two hash functions of the header cannot report an error; SHA-256 only
 * fails when libcrypto cannot allocate.  Carrying on would record a wrong
 * hash, which later reads as tampering, so stop the process instead (the
 * open database transaction then rolls back).
 */
static void hash_failed(void) __attribute__((noreturn));

static void
hash_failed(void)
{
	abort();
}

/*
 * leaf(e): SHA256(0x00 || canonical(e)) into out.  Aborts the process if
 * libcrypto cannot hash (allocation failure), never returns a wrong value.
 */
void
cw_audit_leaf_hash(const cw_audit_event *e, uint8_t out[CW_HASH_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || !leaf_hash_ctx(ctx, e, out))
		hash_failed();
	EVP_MD_CTX_free(ctx);
}

/*
 * chain(e) = SHA256(prev || leaf) into out (no domain prefix).  Aborts like
 * cw_audit_leaf_hash on a libcrypto failure.
 */
void
cw_audit_chain_hash(const uint8_t prev[CW_HASH_LEN],
    const uint8_t leaf[CW_HASH_LEN], uint8_t out[CW_HASH_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL ||
	    !digest3(ctx, prev, CW_HASH_LEN, leaf, CW_HASH_LEN, NULL, 0, out))
		hash_failed();
	EVP_MD_CTX_free(ctx);
}

/* --- Merkle tree (RFC 9162 2.1) ---------------------------------------- */

/* RFC 9162 2.1.1: k is the largest power of two smaller than n (n > 1). */
static size_t
split_point(size_t n)
{
	return (size_t)1 << (63 - __builtin_clzll((unsigned long long)(n - 1)));
}

/*
 * MTH(D[n]) for n >= 1 leaf hashes.  Every node of the tree is hashed once
 * (n - 1 node hashes), the recursion is at most 64 deep and allocates
 * nothing: O(n) time, O(log n) stack.
 */
static int
mth(EVP_MD_CTX *ctx, const uint8_t (*leaves)[CW_HASH_LEN], size_t n,
    uint8_t out[CW_HASH_LEN])
{
	uint8_t l[CW_HASH_LEN], r[CW_HASH_LEN];
	size_t k;

	if (n == 1) {
		memcpy(out, leaves[0], CW_HASH_LEN);
		return 1;
	}
	k = split_point(n);
	return mth(ctx, leaves, k, l) && mth(ctx, leaves + k, n - k, r) &&
	    node_hash(ctx, l, r, out);
}

static int
mth_any(EVP_MD_CTX *ctx, const uint8_t (*leaves)[CW_HASH_LEN], size_t n,
    uint8_t out[CW_HASH_LEN])
{
	/* RFC 9162 2.1.1: the hash of an empty list is HASH(). */
	if (n == 0)
		return digest3(ctx, NULL, 0, NULL, 0, NULL, 0, out);
	return mth(ctx, leaves, n, out);
}

/*
 * MTH of the n leaf hashes (already leaf(e), not raw events) into out;
 * n == 0 gives SHA256 of the empty string.  O(n) time, no allocation
 * beyond one digest context.
 */
cw_rc
cw_merkle_root(const uint8_t (*leaves)[CW_HASH_LEN], size_t n,
    uint8_t out[CW_HASH_LEN], cw_err *err)
{
	cw_rc rc = CW_OK;
	EVP_MD_CTX *ctx = NULL;

	CW_ENSURE(n == 0 || leaves != NULL, CW_ERR_INTERNAL,
	    "Merkle root: %zu leaves announced but none given", n);
	ctx = EVP_MD_CTX_new();
	CW_ENSURE_MEM(ctx);
	CW_ENSURE_OSSL(mth_any(ctx, leaves, n, out),
	    "cannot compute the Merkle root");
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/*
 * RFC 9162 2.1.3.1: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k,
 * PATH(m - k, D[k:n]) : MTH(D[0:k]) otherwise; PATH(0, {d}) is empty.  The
 * sub-path comes first, so the path runs from the leaf up to the root.  The
 * siblings are disjoint subtrees: at most n - 1 node hashes in all.
 */
static int
path_rec(EVP_MD_CTX *ctx, const uint8_t (*leaves)[CW_HASH_LEN], size_t n,
    size_t m, uint8_t (*path)[CW_HASH_LEN], size_t *len)
{
	size_t k;
	int ok;

	if (n == 1)
		return 1;
	k = split_point(n);
	if (m < k)
		ok = path_rec(ctx, leaves, k, m, path, len);
	else
		ok = path_rec(ctx, leaves + k, n - k, m - k, path, len);
	if (!ok || *len >= CW_MERKLE_MAX_PATH)
		return 0;
	if (m < k)
		ok = mth(ctx, leaves + k, n - k, path[*len]);
	else
		ok = mth(ctx, leaves, k, path[*len]);
	if (ok)
		(*len)++;
	return ok;
}

/*
 * Inclusion proof of leaf `index` among n leaf hashes (RFC 9162 2.1.3.1).
 * path must have room for CW_MERKLE_MAX_PATH hashes; *path_len receives the
 * number written (0 for a one-leaf tree), ordered from the leaf's sibling up
 * to the root's child.  CW_ERR_INPUT if index >= n.
 */
cw_rc
cw_merkle_inclusion_proof(const uint8_t (*leaves)[CW_HASH_LEN],
    size_t n, size_t index, uint8_t (*path)[CW_HASH_LEN], size_t *path_len,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	EVP_MD_CTX *ctx = NULL;
	size_t len = 0;

	*path_len = 0;
	CW_ENSURE(index < n, CW_ERR_INPUT, "leaf index %zu is not in a tree "
	    "of %zu leaves", index, n);
	CW_ENSURE(leaves != NULL && path != NULL, CW_ERR_INTERNAL,
	    "inclusion proof: no leaves or no room for the path");
	ctx = EVP_MD_CTX_new();
	CW_ENSURE_MEM(ctx);
	CW_ENSURE_OSSL(path_rec(ctx, leaves, n, index, path, &len),
	    "cannot compute the inclusion proof");
	*path_len = len;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/*
 * RFC 9162 2.1.3.2, step by step.  True only if the path leads from leaf
 * at index to root in a tree of tree_size leaves and is exactly as long as
 * that tree requires.  A libcrypto failure counts as "not proven".
 */
bool
cw_merkle_verify_inclusion(const uint8_t leaf[CW_HASH_LEN], size_t index,
    size_t tree_size, const uint8_t (*path)[CW_HASH_LEN], size_t path_len,
    const uint8_t root[CW_HASH_LEN])
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t r[CW_HASH_LEN];
	size_t fn, sn, i;
	bool ok = false;

	/* Step 1: the index must lie inside the tree. */
	if (index >= tree_size || path_len > CW_MERKLE_MAX_PATH ||
	    (path_len > 0 && path == NULL))
		return false;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return false;
	/* Steps 2 and 3. */
	fn = index;
	sn = tree_size - 1;
	memcpy(r, leaf, CW_HASH_LEN);
	/* Step 4. */
	for (i = 0; i < path_len; i++) {
		/* 4a: a path longer than the tree is high fails. */
		if (sn == 0)
			goto out;
		if ((fn & 1) != 0 || fn == sn) {
			/* 4b: the sibling is on the left. */
			if (!node_hash(ctx, path[i], r, r))
				goto out;
			/* fn == sn: climb past levels without a sibling. */
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			/* 4b otherwise: the sibling is on the right. */
			if (!node_hash(ctx, r, path[i], r))
				goto out;
		}
		/* 4c. */
		fn >>= 1;
		sn >>= 1;
	}
	/* Step 5: the whole height was used and the root matches. */
	ok = sn == 0 && memcmp(r, root, CW_HASH_LEN) == 0;
out:
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* --- checkpoints ---------------------------------------------------------- */

/*
 * The signed body: the first five lines of the text form.  CW_ERR_INPUT
 * for a negative size or time (the text form has no sign).
 */
static cw_rc
checkpoint_body(const cw_checkpoint *cp, char buf[CP_BODY_MAX], size_t *len,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	char head[2 * CW_HASH_LEN + 1], root[2 * CW_HASH_LEN + 1];
	int n;

	CW_ENSURE(cp->size >= 0 && cp->time >= 0, CW_ERR_INPUT,
	    "checkpoint: size (%lld) and time (%lld) must not be negative",
	    (long long)cp->size, (long long)cp->time);
	cw_hex(cp->head, CW_HASH_LEN, head);
	cw_hex(cp->root, CW_HASH_LEN, root);
	n = snprintf(buf, CP_BODY_MAX, CP_MAGIC "\nsize %lld\nhead %s\n"
	    "root %s\ntime %lld\n", (long long)cp->size, head, root,
	    (long long)cp->time);
	CW_ENSURE(n > 0 && (size_t)n < CP_BODY_MAX, CW_ERR_INTERNAL,
	    "checkpoint: body does not fit");
	*len = (size_t)n;
out:
	return rc;
}

/*
 * Allow-list of audit key types and their digest: Ed25519 and Ed448 sign
 * the message itself (the digest must be NULL), EC and RSA its SHA-256.
 */
static cw_rc
sig_digest(EVP_PKEY *key, const char **mdname, cw_err *err)
{
	cw_rc rc = CW_OK;

	CW_ENSURE(key != NULL, CW_ERR_INTERNAL, "checkpoint: no audit key");
	if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"))
		*mdname = NULL;
	else if (EVP_PKEY_is_a(key, "EC") || EVP_PKEY_is_a(key, "RSA"))
		*mdname = "SHA256";
	else
		rc = cw_err_set(err, CW_ERR_INPUT, "checkpoint: audit key type "
		    "%s is not supported (use Ed25519, EC or RSA)",
		    EVP_PKEY_get0_type_name(key) != NULL ?
		    EVP_PKEY_get0_type_name(key) : "(unknown)");
out:
	return rc;
}

/*
 * Signs the body made from cp->size, head, root and time with key and
 * stores the signature in cp->sig / sig_len.  The key is borrowed.
 */
cw_rc
cw_checkpoint_sign(cw_checkpoint *cp, EVP_PKEY *key, cw_err *err)
{
	cw_rc rc = CW_OK;
	EVP_MD_CTX *mctx = NULL;
	const char *mdname = NULL;
	char body[CP_BODY_MAX];
	size_t body_len = 0, sig_len = 0;

	cp->sig_len = 0;
	CW_TRY(sig_digest(key, &mdname, err));
	CW_TRY(checkpoint_body(cp, body, &body_len, err));
	mctx = EVP_MD_CTX_new();
	CW_ENSURE_MEM(mctx);
	CW_ENSURE_OSSL(EVP_DigestSignInit_ex(mctx, NULL, mdname, NULL, NULL,
	    key, NULL) == 1, "checkpoint: cannot start signing");
	CW_ENSURE_OSSL(EVP_DigestSign(mctx, NULL, &sig_len,
	    (const unsigned char *)body, body_len) == 1,
	    "checkpoint: cannot size the signature");
	CW_ENSURE(sig_len > 0 && sig_len <= SIG_MAX, CW_ERR_INPUT,
	    "checkpoint: signatures of this key (%zu bytes) exceed %zu bytes",
	    sig_len, SIG_MAX);
	CW_ENSURE_OSSL(EVP_DigestSign(mctx, cp->sig, &sig_len,
	    (const unsigned char *)body, body_len) == 1,
	    "checkpoint: signing failed");
	cp->sig_len = sig_len;
out:
	EVP_MD_CTX_free(mctx);
	return rc;
}

/*
 * Checks cp's signature over its body with pub (borrowed).  CW_OK if it
 * verifies; CW_ERR_NONCOMPLIANT if it does not (altered checkpoint or
 * another key); CW_ERR_INPUT for an unsigned checkpoint or an unsupported
 * key type.
 */
cw_rc
cw_checkpoint_verify(const cw_checkpoint *cp, EVP_PKEY *pub, cw_err *err)
{
	cw_rc rc = CW_OK;
	EVP_MD_CTX *mctx = NULL;
	const char *mdname = NULL;
	char body[CP_BODY_MAX];
	size_t body_len = 0;
	int ok;

	CW_ENSURE(cp->sig_len > 0 && cp->sig_len <= SIG_MAX, CW_ERR_INPUT,
	    "checkpoint: not signed");
	CW_TRY(sig_digest(pub, &mdname, err));
	CW_TRY(checkpoint_body(cp, body, &body_len, err));
	mctx = EVP_MD_CTX_new();
	CW_ENSURE_MEM(mctx);
	CW_ENSURE_OSSL(EVP_DigestVerifyInit_ex(mctx, NULL, mdname, NULL, NULL,
	    pub, NULL) == 1, "checkpoint: cannot start verifying");
	ok = EVP_DigestVerify(mctx, cp->sig, cp->sig_len,
	    (const unsigned char *)body, body_len);
	/* 0 is a bad signature, < 0 a malformed one: both are a no. */
	ERR_clear_error();
	CW_ENSURE(ok == 1, CW_ERR_NONCOMPLIANT, "checkpoint (size %lld): the "
	    "signature does not verify with the audit key (the checkpoint was "
	    "altered or signed by another key)", (long long)cp->size);
out:
	EVP_MD_CTX_free(mctx);
	return rc;
}

/*
 * The text form of a signed checkpoint in a malloc'd NUL-terminated string
 * (*out, the caller frees), ending in "\n".  CW_ERR_INPUT if unsigned or
 * size/time are negative.
 */
cw_rc
cw_checkpoint_format(const cw_checkpoint *cp, char **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	char body[CP_BODY_MAX];
	size_t body_len = 0, total;
	char *text = NULL;
	int b64_len;

	*out = NULL;
	CW_ENSURE(cp->sig_len > 0 && cp->sig_len <= SIG_MAX, CW_ERR_INPUT,
	    "checkpoint: not signed");
	CW_TRY(checkpoint_body(cp, body, &body_len, err));
	/* body + "signature " + base64 + "\n" + NUL */
	total = body_len + sizeof("signature ") - 1 + B64_MAX + 2;
	text = malloc(total);
	CW_ENSURE_MEM(text);
	memcpy(text, body, body_len);
	memcpy(text + body_len, "signature ", sizeof("signature ") - 1);
	b64_len = EVP_EncodeBlock((unsigned char *)text + body_len +
	    sizeof("signature ") - 1, cp->sig, (int)cp->sig_len);
	CW_ENSURE(b64_len > 0 && (size_t)b64_len <= B64_MAX, CW_ERR_INTERNAL,
	    "checkpoint: cannot encode the signature");
	text[body_len + sizeof("signature ") - 1 + (size_t)b64_len] = '\n';
	text[body_len + sizeof("signature ") + (size_t)b64_len] = '\0';
	*out = text;
	text = NULL;
out:
	free(text);
	return rc;
}

/* Cursor over the text; never reads past len, never needs a NUL. */
struct line_cursor {
	const char *text;
	size_t len;
	size_t pos;
	int lineno;
};

/*
 * The next line as *line and *llen, without its "\n".  *nl tells whether
 * it ended in "\n" (false only for the last line of the text).
 */
static bool
next_line(struct line_cursor *c, const char **line, size_t *llen, bool *nl)
{
	const char *start, *end;

	if (c->pos >= c->len)
		return false;
	start = c->text + c->pos;
	end = memchr(start, '\n', c->len - c->pos);
	c->lineno++;
	*line = start;
	if (end != NULL) {
		*llen = (size_t)(end - start);
		*nl = true;
		c->pos += *llen + 1;
	} else {
		*llen = c->len - c->pos;
		*nl = false;
		c->pos = c->len;
	}
	return true;
}

/* Strips an exact keyword prefix ("size ") from a line. */
static bool
strip_prefix(const char **line, size_t *llen, const char *prefix)
{
	size_t plen = strlen(prefix);

	if (*llen < plen || memcmp(*line, prefix, plen) != 0)
		return false;
	*line += plen;
	*llen -= plen;
	return true;
}

/* Decimal in [0, INT64_MAX]: digits only, no leading zero but for "0". */
static bool
parse_decimal(const char *s, size_t len, int64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > INT64_DIGITS || (len > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');	/* < 10^19 < 2^64 */
	}
	if (v > (uint64_t)INT64_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

/* Exactly 64 lower-case hex digits. */
static bool
parse_hash_hex(const char *s, size_t len, uint8_t out[CW_HASH_LEN])
{
	size_t i;
	int hi, lo;

	if (len != 2 * CW_HASH_LEN)
		return false;
	for (i = 0; i < CW_HASH_LEN; i++) {
		hi = s[2 * i];
		lo = s[2 * i + 1];
		hi = hi >= '0' && hi <= '9' ? hi - '0' :
		    hi >= 'a' && hi <= 'f' ? hi - 'a' + 10 : -1;
		lo = lo >= '0' && lo <= '9' ? lo - '0' :
		    lo >= 'a' && lo <= 'f' ? lo - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/*
 * Canonical base64 of 1..SIG_MAX bytes.  EVP_DecodeBlock is lenient
 * (skips blanks, accepts '=' anywhere, returns padded lengths), so the
 * length is bounded first and the result must re-encode to the same text.
 */
static bool
parse_b64_sig(const char *s, size_t len, uint8_t *sig, size_t *sig_len)
{
	unsigned char dec[3 * (B64_MAX / 4) + 4];
	unsigned char enc[B64_MAX + 4];
	size_t pad = 0;
	int n, m;

	if (len == 0 || len % 4 != 0 || len > B64_MAX)
		return false;
	if (s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	n = EVP_DecodeBlock(dec, (const unsigned char *)s, (int)len);
	if (n < 0 || (size_t)n != 3 * (len / 4) || (size_t)n <= pad ||
	    (size_t)n - pad > SIG_MAX) {
		ERR_clear_error();
		return false;
	}
	m = EVP_EncodeBlock(enc, dec, n - (int)pad);
	if (m < 0 || (size_t)m != len || memcmp(enc, s, len) != 0)
		return false;
	memcpy(sig, dec, (size_t)n - pad);
	*sig_len = (size_t)n - pad;
	return true;
}

/*
 * Parses the text form strictly into *cp (untouched on error): at most
 * CW_MAX_CHECKPOINT_BYTES, the six lines in order, nothing after the
 * signature line but one optional "\n".  text need not be NUL-terminated.
 * Does not check the signature (cw_checkpoint_verify).  CW_ERR_INPUT with
 * the offending line on any deviation.
 */
cw_rc
cw_checkpoint_parse(const char *text, size_t len, cw_checkpoint *cp,
    cw_err *err)
{
	static const char *const what[] = {
		"\"" CP_MAGIC "\"",
		"\"size N\" (decimal, no sign or leading zeros)",
		"\"head HEX\" (64 lower-case hex digits)",
		"\"root HEX\" (64 lower-case hex digits)",
		"\"time UNIX\" (decimal, no sign or leading zeros)",
		"\"signature BASE64\" (canonical base64 of 1 to 512 bytes)",
	};
	cw_rc rc = CW_OK;
	struct line_cursor c = { text, len, 0, 0 };
	cw_checkpoint tmp;
	const char *line = NULL, *whole;
	size_t llen = 0, whole_len;
	bool nl = false, ok;
	char shown[96];
	int i;

	memset(&tmp, 0, sizeof(tmp));
	CW_ENSURE(text != NULL && len > 0, CW_ERR_INPUT,
	    "checkpoint: empty input");
	CW_ENSURE(len <= CW_MAX_CHECKPOINT_BYTES, CW_ERR_INPUT,
	    "checkpoint: %zu bytes, longer than the %d allowed", len,
	    CW_MAX_CHECKPOINT_BYTES);
	for (i = 0; i < (int)CW_ARRAY_LEN(what); i++) {
		CW_ENSURE(next_line(&c, &line, &llen, &nl), CW_ERR_INPUT,
		    "checkpoint: line %d missing, expected %s", i + 1, what[i]);
		whole = line;
		whole_len = llen;
		/* Lines 1-5 are signed as written: each must end in "\n". */
		ok = nl || i == 5;
		switch (i) {
		case 0:
			ok = ok && llen == sizeof(CP_MAGIC) - 1 &&
			    memcmp(line, CP_MAGIC, llen) == 0;
			break;
		case 1:
			ok = ok && strip_prefix(&line, &llen, "size ") &&
			    parse_decimal(line, llen, &tmp.size);
			break;
		case 2:
			ok = ok && strip_prefix(&line, &llen, "head ") &&
			    parse_hash_hex(line, llen, tmp.head);
			break;
		case 3:
			ok = ok && strip_prefix(&line, &llen, "root ") &&
			    parse_hash_hex(line, llen, tmp.root);
			break;
		case 4:
			ok = ok && strip_prefix(&line, &llen, "time ") &&
			    parse_decimal(line, llen, &tmp.time);
			break;
		default:
			ok = ok && strip_prefix(&line, &llen, "signature ") &&
			    parse_b64_sig(line, llen, tmp.sig, &tmp.sig_len);
			break;
		}
		CW_ENSURE(ok, CW_ERR_INPUT, "checkpoint line %d: expected %s, "
		    "got \"%s\"", c.lineno, what[i],
		    cw_escape((const uint8_t *)whole, whole_len, shown,
		    sizeof(shown)));
	}
	CW_ENSURE(c.pos == c.len, CW_ERR_INPUT, "checkpoint: unexpected text "
	    "after the signature line: \"%s\"",
	    cw_escape((const uint8_t *)c.text + c.pos, c.len - c.pos, shown,
	    sizeof(shown)));
	*cp = tmp;
out:
	return rc;
}

/* --- verification of a whole log --------------------------------------- */

struct cw_audit_verifier {
	bool have_cp;
	cw_checkpoint cp;
	int64_t n;			/* events accepted so far */
	uint8_t chain[CW_HASH_LEN];	/* chain hash of event n */
	uint8_t cp_head[CW_HASH_LEN];	/* chain hash of event cp.size */
	uint8_t (*leaves)[CW_HASH_LEN];	/* leaf hashes of events 1..n */
	size_t cap;
	EVP_MD_CTX *ctx;		/* reused for every hash */
	cw_rc failed;			/* CW_OK until the first problem */
	char msg[CW_ERR_MSG_MAX];	/* and its message, repeated after */
};

static cw_rc verifier_fail(cw_audit_verifier *v, cw_rc rc, cw_err *err,
    const char *fmt, ...) CW_PRINTF(4, 5);

/* Records the first problem; the verifier repeats it from then on. */
static cw_rc
verifier_fail(cw_audit_verifier *v, cw_rc rc, cw_err *err, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(v->msg, sizeof(v->msg), fmt, ap) < 0)
		v->msg[0] = '\0';
	va_end(ap);
	v->failed = rc;
	return cw_err_set(err, rc, "%s", v->msg);
}

/*
 * A verifier for a log, optionally against cp (copied; its signature must
 * have been checked by the caller with cw_checkpoint_verify).  *out is
 * freed with cw_audit_verifier_free.
 */
cw_rc
cw_audit_verifier_new(const cw_checkpoint *cp, cw_audit_verifier **out,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_audit_verifier *v = NULL;

	*out = NULL;
	CW_ENSURE(cp == NULL || cp->size >= 0, CW_ERR_INPUT,
	    "checkpoint: negative size %lld", (long long)cp->size);
	v = calloc(1, sizeof(*v));
	CW_ENSURE_MEM(v);
	v->ctx = EVP_MD_CTX_new();
	CW_ENSURE_MEM(v->ctx);
	if (cp != NULL) {
		v->have_cp = true;
		v->cp = *cp;
	}
	/* chain(-1) and, for a size-0 checkpoint, its head: zero bytes. */
	*out = v;
	v = NULL;
out:
	cw_audit_verifier_free(v);
	return rc;
}

/*
 * Checks one event, in seq order: its seq (previous + 1, the first is 1),
 * its prev link against the running chain hash and its hash against the
 * recomputed chain(e).  CW_ERR_NONCOMPLIANT naming e's seq on the first
 * problem; every later call returns that same error.  e is not kept.
 */
cw_rc
cw_audit_verifier_add(cw_audit_verifier *v, const cw_audit_event *e,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t leaf[CW_HASH_LEN], chain[CW_HASH_LEN];
	uint8_t (*grown)[CW_HASH_LEN];
	size_t cap, bytes;
	int64_t expect;

	if (v->failed != CW_OK)
		return cw_err_set(err, v->failed, "%s", v->msg);
	CW_ENSURE(e != NULL, CW_ERR_INTERNAL, "audit verify: no event");
	CW_ENSURE(v->n < INT64_MAX, CW_ERR_INPUT, "audit verify: too many "
	    "events");
	expect = v->n + 1;
	if (e->seq != expect)
		return verifier_fail(v, CW_ERR_NONCOMPLIANT, err, "event %lld: "
		    "sequence gap/reordered (expected %lld)",
		    (long long)e->seq, (long long)expect);
	if (memcmp(e->prev, v->chain, CW_HASH_LEN) != 0)
		return verifier_fail(v, CW_ERR_NONCOMPLIANT, err, "event %lld: "
		    "previous-hash link broken (an event before it was "
		    "changed, inserted or deleted)", (long long)e->seq);
	CW_ENSURE_OSSL(leaf_hash_ctx(v->ctx, e, leaf) &&
	    digest3(v->ctx, v->chain, CW_HASH_LEN, leaf, CW_HASH_LEN, NULL, 0,
	    chain), "audit verify: cannot hash event %lld", (long long)e->seq);
	if (memcmp(chain, e->hash, CW_HASH_LEN) != 0)
		return verifier_fail(v, CW_ERR_NONCOMPLIANT, err, "event %lld: "
		    "contents do not match its hash (changed)",
		    (long long)e->seq);
	if ((size_t)v->n == v->cap) {
		cap = v->cap == 0 ? 1024 : v->cap;
		CW_ENSURE(!__builtin_mul_overflow(cap, 2, &cap) &&
		    !__builtin_mul_overflow(cap, CW_HASH_LEN, &bytes),
		    CW_ERR_NOMEM, "audit verify: too many events");
		grown = realloc(v->leaves, bytes);
		CW_ENSURE_MEM(grown);
		v->leaves = grown;
		v->cap = cap;
	}
	memcpy(v->leaves[v->n], leaf, CW_HASH_LEN);
	memcpy(v->chain, chain, CW_HASH_LEN);
	v->n++;
	if (v->have_cp && v->n == v->cp.size)
		memcpy(v->cp_head, chain, CW_HASH_LEN);
out:
	return rc;
}

/*
 * Ends the log.  With a checkpoint: fewer events than it covers is
 * truncation (the message names the first missing event); the chain hash
 * of event cp.size and the Merkle root over the first cp.size leaves must
 * equal its head and root.  On CW_OK, the
 * optional outputs receive the event count, the chain hash of the last
 * event (zeros for an empty log) and the Merkle root over all events.
 */
cw_rc
cw_audit_verifier_finish(cw_audit_verifier *v, int64_t *n_events,
    uint8_t head[CW_HASH_LEN], uint8_t root[CW_HASH_LEN], cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t cp_root[CW_HASH_LEN] = {0}, all_root[CW_HASH_LEN];
	const uint8_t (*leaves)[CW_HASH_LEN] =
	    (const uint8_t (*)[CW_HASH_LEN])v->leaves;

	if (v->failed != CW_OK)
		return cw_err_set(err, v->failed, "%s", v->msg);
	if (v->have_cp) {
		if (v->n < v->cp.size)
			return verifier_fail(v, CW_ERR_NONCOMPLIANT, err,
			    "the log has %lld events but checkpoint covers "
			    "%lld: events were removed (truncated); the first "
			    "missing is event %lld", (long long)v->n,
			    (long long)v->cp.size, (long long)v->n + 1);
		CW_ENSURE_OSSL(mth_any(v->ctx, leaves, (size_t)v->cp.size,
		    cp_root), "audit verify: cannot compute the Merkle root");
		if (memcmp(v->cp_head, v->cp.head, CW_HASH_LEN) != 0 ||
		    memcmp(cp_root, v->cp.root, CW_HASH_LEN) != 0)
			return verifier_fail(v, CW_ERR_NONCOMPLIANT, err,
			    "the log differs from the checkpoint at or before "
			    "event %lld", (long long)v->cp.size);
	}
	if (v->have_cp && v->n == v->cp.size)
		memcpy(all_root, cp_root, CW_HASH_LEN);
	else
		CW_ENSURE_OSSL(mth_any(v->ctx, leaves, (size_t)v->n, all_root),
		    "audit verify: cannot compute the Merkle root");
	if (n_events != NULL)
		*n_events = v->n;
	if (head != NULL)
		memcpy(head, v->chain, CW_HASH_LEN);
	if (root != NULL)
		memcpy(root, all_root, CW_HASH_LEN);
out:
	return rc;
}

/* Frees v and everything it holds; NULL is fine. */
void
cw_audit_verifier_free(cw_audit_verifier *v)
{
	if (v == NULL)
		return;
	EVP_MD_CTX_free(v->ctx);
	free(v->leaves);
	free(v);
}
