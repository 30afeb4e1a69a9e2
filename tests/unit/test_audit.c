/*
 * test_audit.c - the tamper-evident audit log (src/audit/audit.c).
 *
 * Expected hashes are computed here independently of the code under test:
 * the canonical event encoding is rebuilt byte by byte, small Merkle trees
 * are written out node by node, bigger ones come from a different
 * construction (level by level, an odd last node promoted unchanged), and
 * signatures are checked with EVP over the body cut out of the text.  The
 * tamper tests edit an in-memory log the way an attacker would edit the
 * database and require the exact message naming the first bad event.
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

#include <openssl/err.h>
#include <openssl/evp.h>

#include "audit/audit.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define LIT(s) (s), (sizeof(s) - 1)
#define NLOG 40		/* events in the tamper-test log */
#define MAXLOG 64
#define MAXPROOF 40	/* every index of every tree up to this size */
#define MAXREF 300	/* roots checked against the level construction */

typedef uint8_t hash_t[CW_HASH_LEN];

/* Keys made once by the group setup. */
static struct {
	EVP_PKEY *ed;		/* the audit key as deployed: Ed25519 */
	EVP_PKEY *ed_other;	/* another Ed25519 key */
	EVP_PKEY *p256;		/* EC support */
	EVP_PKEY *x25519;	/* a key that cannot sign */
} keys;

/* --- independent hashing ------------------------------------------------- */

static void
sha(const void *a, size_t alen, const void *b, size_t blen, const void *c,
    size_t clen, hash_t out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int olen = 0;

	assert_non_null(ctx);
	assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	assert_int_equal(EVP_DigestUpdate(ctx, a, alen), 1);
	assert_int_equal(EVP_DigestUpdate(ctx, b, blen), 1);
	assert_int_equal(EVP_DigestUpdate(ctx, c, clen), 1);
	assert_int_equal(EVP_DigestFinal_ex(ctx, out, &olen), 1);
	assert_int_equal(olen, CW_HASH_LEN);
	EVP_MD_CTX_free(ctx);
}

/* RFC 9162 2.1.1 interior node, computed here. */
static void
node(const hash_t l, const hash_t r, hash_t out)
{
	static const uint8_t one = 1;

	sha(&one, 1, l, CW_HASH_LEN, r, CW_HASH_LEN, out);
}

/* Distinct arbitrary leaf hashes: SHA256("leaf i"). */
static void
make_leaves(hash_t *l, size_t n)
{
	char buf[32];
	size_t i;
	int len;

	for (i = 0; i < n; i++) {
		len = snprintf(buf, sizeof(buf), "leaf %zu", i);
		sha(buf, (size_t)len, "", 0, "", 0, l[i]);
	}
}

/*
 * Reference tree built level by level, a lone last node promoted to the
 * next level unchanged: a different construction that yields the RFC 9162
 * tree.  Also gives the audit path of `index` (siblings bottom-up).
 */
static void
ref_tree(const hash_t *leaves, size_t n, size_t index, hash_t root,
    hash_t *path, size_t *path_len)
{
	hash_t *level = malloc(n * sizeof(hash_t));
	size_t len = n, i, idx = index, plen = 0;

	assert_non_null(level);
	memcpy(level, leaves, n * sizeof(hash_t));
	while (len > 1) {
		if ((idx ^ 1) < len && path != NULL)
			memcpy(path[plen++], level[idx ^ 1], CW_HASH_LEN);
		for (i = 0; i + 1 < len; i += 2)
			node(level[i], level[i + 1], level[i / 2]);
		if (len % 2 == 1)
			memcpy(level[len / 2], level[len - 1], CW_HASH_LEN);
		len = (len + 1) / 2;
		idx /= 2;
	}
	memcpy(root, level[0], CW_HASH_LEN);
	if (path_len != NULL)
		*path_len = plen;
	free(level);
}

static const hash_t *
cl(hash_t *p)
{
	return (const hash_t *)p;
}

/* --- an in-memory log ----------------------------------------------------- */

static char obj_buf[MAXLOG + 1][32];
static char det_buf[MAXLOG + 1][64];

/* Chain links from position `from` on, as the engine would write them. */
static void
relink(cw_audit_event *ev, size_t n, size_t from)
{
	static const hash_t zero;
	hash_t leaf;
	size_t i;

	for (i = from; i < n; i++) {
		memcpy(ev[i].prev, i == 0 ? zero : ev[i - 1].hash, CW_HASH_LEN);
		cw_audit_leaf_hash(&ev[i], leaf);
		cw_audit_chain_hash(ev[i].prev, leaf, ev[i].hash);
	}
}

static void
make_log(cw_audit_event *ev, size_t n)
{
	static const char *actors[] = { "alice", "bob", "carol" };
	static const char *actions[] = {
		"request.submit", "request.approve", "cert.issue", "cert.revoke"
	};
	size_t i;

	assert_true(n <= MAXLOG);
	memset(ev, 0, n * sizeof(*ev));
	for (i = 0; i < n; i++) {
		snprintf(obj_buf[i], sizeof(obj_buf[i]), "request:%zu", i + 1);
		snprintf(det_buf[i], sizeof(det_buf[i]),
		    "{\"n\":%zu,\"template\":\"web\"}", i + 1);
		ev[i].seq = (int64_t)i + 1;
		ev[i].time = 1700000000 + (int64_t)i * 60;
		ev[i].actor = actors[i % NELEM(actors)];
		ev[i].origin = i % 2 ? "automation" : "human";
		ev[i].channel = "cli";
		ev[i].action = actions[i % NELEM(actions)];
		ev[i].object = obj_buf[i];
		ev[i].details = det_buf[i];
	}
	relink(ev, n, 0);
}

/* Checkpoint over the first `size` events, computed from the public API. */
static void
make_cp(const cw_audit_event *ev, size_t size, cw_checkpoint *cp)
{
	hash_t leaves[MAXLOG];
	cw_err err = CW_ERR_INIT;
	size_t i;

	memset(cp, 0, sizeof(*cp));
	for (i = 0; i < size; i++)
		cw_audit_leaf_hash(&ev[i], leaves[i]);
	cp->size = (int64_t)size;
	if (size > 0)
		memcpy(cp->head, ev[size - 1].hash, CW_HASH_LEN);
	assert_int_equal(cw_merkle_root(cl(leaves), size, cp->root, &err),
	    CW_OK);
	cp->time = 1700009999;
}

/* Feeds ev[0..n) in that order; stops at the first error. */
static cw_rc
run_verify(const cw_audit_event *ev, size_t n, const cw_checkpoint *cp,
    cw_err *err, int64_t *n_out, hash_t head, hash_t root)
{
	cw_audit_verifier *v = NULL;
	cw_rc rc;
	size_t i;

	cw_err_clear(err);
	rc = cw_audit_verifier_new(cp, &v, err);
	if (rc != CW_OK)
		return rc;
	for (i = 0; i < n && rc == CW_OK; i++)
		rc = cw_audit_verifier_add(v, &ev[i], err);
	if (rc == CW_OK)
		rc = cw_audit_verifier_finish(v, n_out, head, root, err);
	cw_audit_verifier_free(v);
	return rc;
}

/* The log must fail verification with exactly this message (exit 1). */
static void
expect_bad(const cw_audit_event *ev, size_t n, const cw_checkpoint *cp,
    const char *msg)
{
	cw_err err = CW_ERR_INIT;
	cw_rc rc = run_verify(ev, n, cp, &err, NULL, NULL, NULL);

	assert_int_equal(rc, CW_ERR_NONCOMPLIANT);
	assert_int_equal(err.rc, CW_ERR_NONCOMPLIANT);
	assert_int_equal(cw_rc_exit_code(rc), 1);
	assert_string_equal(err.msg, msg);
}

static void
expect_good(const cw_audit_event *ev, size_t n, const cw_checkpoint *cp)
{
	cw_err err = CW_ERR_INIT;
	cw_rc rc = run_verify(ev, n, cp, &err, NULL, NULL, NULL);

	if (rc != CW_OK)
		fail_msg("unexpected failure: %s", err.msg);
}

static const char *
msg_link(char *buf, size_t len, long long seq)
{
	snprintf(buf, len, "event %lld: previous-hash link broken (an event "
	    "before it was changed, inserted or deleted)", seq);
	return buf;
}

static const char *
msg_changed(char *buf, size_t len, long long seq)
{
	snprintf(buf, len, "event %lld: contents do not match its hash "
	    "(changed)", seq);
	return buf;
}

static const char *
msg_seq(char *buf, size_t len, long long seq, long long expect)
{
	snprintf(buf, len, "event %lld: sequence gap/reordered (expected "
	    "%lld)", seq, expect);
	return buf;
}

/* --- leaf and chain hashes ------------------------------------------------ */

struct bytes {
	uint8_t b[1024];
	size_t len;
};

static void
put(struct bytes *o, const void *p, size_t n)
{
	assert_true(o->len + n <= sizeof(o->b));
	memcpy(o->b + o->len, p, n);
	o->len += n;
}

static void
put_u64(struct bytes *o, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	put(o, b, 8);
}

static void
put_str(struct bytes *o, const char *s)
{
	if (s == NULL) {
		put_u64(o, UINT64_MAX);
		return;
	}
	put_u64(o, strlen(s));
	put(o, s, strlen(s));
}

/* leaf(e) is SHA256(0x00 || tag || length-prefixed fields), rebuilt here. */
static void
test_leaf_hash_matches_documented_encoding(void **state)
{
	cw_audit_event e = { 42, -1, "alice", NULL, "", "cert.issue",
		"cert:ab12", "{\"serial\":\"ab12\"}", {0}, {0} };
	struct bytes o = { {0}, 0 };
	hash_t want, got;

	(void)state;
	put(&o, "\0certward-audit-event-v1", 24);
	put_u64(&o, 8);
	put_u64(&o, 42);
	put_u64(&o, 8);
	put_u64(&o, UINT64_MAX);	/* -1 in two's complement */
	put_str(&o, e.actor);
	put_str(&o, e.origin);
	put_str(&o, e.channel);
	put_str(&o, e.action);
	put_str(&o, e.object);
	put_str(&o, e.details);
	sha(o.b, o.len, "", 0, "", 0, want);
	cw_audit_leaf_hash(&e, got);
	assert_memory_equal(got, want, CW_HASH_LEN);
}

/* A known answer computed with sha256sum, pinning format version 1. */
static void
test_leaf_hash_known_answer(void **state)
{
	static const char want[] =
	    "8ebbb8b52a0da1008a09783ae762fac20deea753fd8d76334492e61e27d34068";
	cw_audit_event e = { 1, -1, "alice", NULL, "", "cert.issue",
		"cert:ab", "{\"a\":1}", {0}, {0} };
	hash_t got;
	char hex[2 * CW_HASH_LEN + 1];
	size_t i;

	(void)state;
	cw_audit_leaf_hash(&e, got);
	for (i = 0; i < CW_HASH_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", got[i]);
	assert_string_equal(hex, want);
}

/* prev and hash are not part of leaf(e): they are what the chain commits. */
static void
test_leaf_hash_ignores_links(void **state)
{
	cw_audit_event a = { 1, 5, "a", "human", "cli", "x", "y", "{}",
		{0}, {0} };
	cw_audit_event b = a;
	hash_t ha, hb;

	(void)state;
	memset(b.prev, 0x55, CW_HASH_LEN);
	memset(b.hash, 0x66, CW_HASH_LEN);
	cw_audit_leaf_hash(&a, ha);
	cw_audit_leaf_hash(&b, hb);
	assert_memory_equal(ha, hb, CW_HASH_LEN);
}

/* Every field counts, NULL differs from "", and bytes cannot move between
 * fields. */
static void
test_leaf_hash_separates_fields(void **state)
{
	cw_audit_event base = { 7, 100, "ab", "c", "cli", "act", "obj", "{}",
		{0}, {0} };
	cw_audit_event v[12];
	hash_t h[13];
	size_t i, j;

	(void)state;
	for (i = 0; i < NELEM(v); i++)
		v[i] = base;
	v[0].seq = 8;
	v[1].time = 101;
	v[2].actor = "ac";
	v[3].origin = "d";
	v[4].channel = "rest";
	v[5].action = "acu";
	v[6].object = "obk";
	v[7].details = "{ }";
	v[8].actor = "a";	/* "a" + "bc" against "ab" + "c" */
	v[8].origin = "bc";
	v[9].details = NULL;
	v[10].details = "";
	v[11].time = -100;
	cw_audit_leaf_hash(&base, h[0]);
	for (i = 0; i < NELEM(v); i++)
		cw_audit_leaf_hash(&v[i], h[i + 1]);
	for (i = 0; i < NELEM(h); i++)
		for (j = i + 1; j < NELEM(h); j++)
			if (memcmp(h[i], h[j], CW_HASH_LEN) == 0)
				fail_msg("variants %zu and %zu collide", i, j);
}

/* chain(e) = SHA256(prev || leaf), with no domain prefix. */
static void
test_chain_hash_definition(void **state)
{
	hash_t prev, leaf, want, got;

	(void)state;
	memset(prev, 0xa5, CW_HASH_LEN);
	memset(leaf, 0x3c, CW_HASH_LEN);
	sha(prev, CW_HASH_LEN, leaf, CW_HASH_LEN, "", 0, want);
	cw_audit_chain_hash(prev, leaf, got);
	assert_memory_equal(got, want, CW_HASH_LEN);
	cw_audit_chain_hash(leaf, prev, got);
	assert_memory_not_equal(got, want, CW_HASH_LEN);
}

/* --- Merkle tree -------------------------------------------------------- */

/* RFC 9162 2.1.1: MTH({}) = SHA256(""). */
static void
test_merkle_root_empty(void **state)
{
	cw_err err = CW_ERR_INIT;
	hash_t want, got;

	(void)state;
	sha("", 0, "", 0, "", 0, want);
	assert_int_equal(cw_merkle_root(NULL, 0, got, &err), CW_OK);
	assert_memory_equal(got, want, CW_HASH_LEN);
}

/* n = 1..8 against trees written out node by node from the RFC. */
static void
test_merkle_root_small_trees_by_hand(void **state)
{
	hash_t d[8], n01, n23, n45, n67, n0123, n4567, t, want[9], got;
	cw_err err = CW_ERR_INIT;
	size_t n;

	(void)state;
	make_leaves(d, 8);
	node(d[0], d[1], n01);
	node(d[2], d[3], n23);
	node(d[4], d[5], n45);
	node(d[6], d[7], n67);
	node(n01, n23, n0123);
	node(n45, n67, n4567);
	memcpy(want[1], d[0], CW_HASH_LEN);
	memcpy(want[2], n01, CW_HASH_LEN);
	node(n01, d[2], want[3]);
	memcpy(want[4], n0123, CW_HASH_LEN);
	node(n0123, d[4], want[5]);
	node(n0123, n45, want[6]);
	node(n45, d[6], t);
	node(n0123, t, want[7]);
	node(n0123, n4567, want[8]);
	for (n = 1; n <= 8; n++) {
		assert_int_equal(cw_merkle_root(cl(d), n, got, &err), CW_OK);
		if (memcmp(got, want[n], CW_HASH_LEN) != 0)
			fail_msg("wrong root for %zu leaves", n);
	}
}

/* n = 1..300 against the level-by-level construction. */
static void
test_merkle_root_matches_reference(void **state)
{
	hash_t *d = malloc(MAXREF * sizeof(hash_t));
	hash_t want, got;
	cw_err err = CW_ERR_INIT;
	size_t n;

	(void)state;
	assert_non_null(d);
	make_leaves(d, MAXREF);
	for (n = 1; n <= MAXREF; n++) {
		ref_tree(cl(d), n, 0, want, NULL, NULL);
		assert_int_equal(cw_merkle_root(cl(d), n, got, &err), CW_OK);
		if (memcmp(got, want, CW_HASH_LEN) != 0)
			fail_msg("wrong root for %zu leaves", n);
	}
	free(d);
}

/* Leaves announced but not given is an internal error, not a crash. */
static void
test_merkle_root_rejects_missing_leaves(void **state)
{
	cw_err err = CW_ERR_INIT;
	hash_t got;

	(void)state;
	assert_int_equal(cw_merkle_root(NULL, 3, got, &err), CW_ERR_INTERNAL);
}

/* Every index of every tree of 1..40 leaves: RFC path, and it verifies. */
static void
test_inclusion_proofs_verify_every_index(void **state)
{
	hash_t d[MAXPROOF], root, ref_root;
	hash_t path[CW_MERKLE_MAX_PATH], ref_path[CW_MERKLE_MAX_PATH];
	cw_err err = CW_ERR_INIT;
	size_t n, m, len, ref_len;

	(void)state;
	make_leaves(d, MAXPROOF);
	for (n = 1; n <= MAXPROOF; n++) {
		assert_int_equal(cw_merkle_root(cl(d), n, root, &err), CW_OK);
		for (m = 0; m < n; m++) {
			assert_int_equal(cw_merkle_inclusion_proof(cl(d), n, m,
			    path, &len, &err), CW_OK);
			ref_tree(cl(d), n, m, ref_root, ref_path, &ref_len);
			assert_int_equal(len, ref_len);
			assert_memory_equal(path, ref_path, len * CW_HASH_LEN);
			if (!cw_merkle_verify_inclusion(d[m], m, n, cl(path),
			    len, root))
				fail_msg("proof of %zu in %zu does not verify",
				    m, n);
		}
	}
}

/* The RFC 9162 2.1.3 example shape: leaf 3 of 7 has path [c, ab, efg]. */
static void
test_inclusion_proof_shape_of_seven(void **state)
{
	hash_t d[7], ab, ef, efg, path[CW_MERKLE_MAX_PATH];
	cw_err err = CW_ERR_INIT;
	size_t len;

	(void)state;
	make_leaves(d, 7);
	node(d[0], d[1], ab);
	node(d[4], d[5], ef);
	node(ef, d[6], efg);
	assert_int_equal(cw_merkle_inclusion_proof(cl(d), 7, 3, path, &len,
	    &err), CW_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(path[0], d[2], CW_HASH_LEN);
	assert_memory_equal(path[1], ab, CW_HASH_LEN);
	assert_memory_equal(path[2], efg, CW_HASH_LEN);
	/* The last leaf of 7 sits one level higher: path [ef, abcd]. */
	assert_int_equal(cw_merkle_inclusion_proof(cl(d), 7, 6, path, &len,
	    &err), CW_OK);
	assert_int_equal(len, 2);
	assert_memory_equal(path[0], ef, CW_HASH_LEN);
	/* A single leaf is its own root; the path is empty. */
	assert_int_equal(cw_merkle_inclusion_proof(cl(d), 1, 0, path, &len,
	    &err), CW_OK);
	assert_int_equal(len, 0);
	assert_true(cw_merkle_verify_inclusion(d[0], 0, 1, NULL, 0, d[0]));
}

/* Any change to leaf, index, root or path, or a transplant to another tree
 * size, makes verification fail. */
static void
test_inclusion_proofs_fail_when_altered(void **state)
{
	hash_t d[MAXPROOF], roots[MAXPROOF + 1], leaf, bad;
	hash_t path[CW_MERKLE_MAX_PATH + 1];
	cw_err err = CW_ERR_INIT;
	size_t n, m, m2, n2, len, i;

	(void)state;
	make_leaves(d, MAXPROOF);
	for (n = 1; n <= MAXPROOF; n++)
		assert_int_equal(cw_merkle_root(cl(d), n, roots[n], &err),
		    CW_OK);
	for (n = 1; n <= MAXPROOF; n++) {
		for (m = 0; m < n; m++) {
			assert_int_equal(cw_merkle_inclusion_proof(cl(d), n, m,
			    path, &len, &err), CW_OK);
			/* leaf */
			memcpy(leaf, d[m], CW_HASH_LEN);
			leaf[m % CW_HASH_LEN] ^= 0x01;
			assert_false(cw_merkle_verify_inclusion(leaf, m, n,
			    cl(path), len, roots[n]));
			/* another leaf of the same tree */
			if (n > 1)
				assert_false(cw_merkle_verify_inclusion(
				    d[(m + 1) % n], m, n, cl(path), len,
				    roots[n]));
			/* index: every other one, and out of range */
			for (m2 = 0; m2 <= n; m2++)
				if (m2 != m && cw_merkle_verify_inclusion(d[m],
				    m2, n, cl(path), len, roots[n]))
					fail_msg("index %zu accepted for leaf "
					    "%zu of %zu", m2, m, n);
			assert_false(cw_merkle_verify_inclusion(d[m], m, m,
			    cl(path), len, roots[n]));
			/* root */
			memcpy(bad, roots[n], CW_HASH_LEN);
			bad[31] ^= 0x80;
			assert_false(cw_merkle_verify_inclusion(d[m], m, n,
			    cl(path), len, bad));
			/* each path element */
			for (i = 0; i < len; i++) {
				path[i][i % CW_HASH_LEN] ^= 0x04;
				assert_false(cw_merkle_verify_inclusion(d[m], m,
				    n, cl(path), len, roots[n]));
				path[i][i % CW_HASH_LEN] ^= 0x04;
			}
			/* path cut short or extended */
			if (len > 0)
				assert_false(cw_merkle_verify_inclusion(d[m], m,
				    n, cl(path), len - 1, roots[n]));
			memcpy(path[len], d[0], CW_HASH_LEN);
			assert_false(cw_merkle_verify_inclusion(d[m], m, n,
			    cl(path), len + 1, roots[n]));
			/* the same proof presented for another tree size */
			for (n2 = m + 1; n2 <= MAXPROOF; n2++)
				if (n2 != n && cw_merkle_verify_inclusion(d[m],
				    m, n2, cl(path), len, roots[n2]))
					fail_msg("proof of %zu in %zu accepted "
					    "for size %zu", m, n, n2);
			/* and the untouched proof still verifies */
			assert_true(cw_merkle_verify_inclusion(d[m], m, n,
			    cl(path), len, roots[n]));
		}
	}
}

/* Proofs around powers of two in a bigger tree match the reference. */
static void
test_inclusion_proofs_large_tree(void **state)
{
	static const size_t sizes[] = { 1023, 1024, 1025, 4097 };
	hash_t *d = malloc(4097 * sizeof(hash_t));
	hash_t root, ref_root;
	hash_t path[CW_MERKLE_MAX_PATH], ref_path[CW_MERKLE_MAX_PATH];
	cw_err err = CW_ERR_INIT;
	size_t s, n, m, len, ref_len;

	(void)state;
	assert_non_null(d);
	make_leaves(d, 4097);
	for (s = 0; s < NELEM(sizes); s++) {
		n = sizes[s];
		assert_int_equal(cw_merkle_root(cl(d), n, root, &err), CW_OK);
		for (m = 0; m < n; m += 127) {
			assert_int_equal(cw_merkle_inclusion_proof(cl(d), n, m,
			    path, &len, &err), CW_OK);
			ref_tree(cl(d), n, m, ref_root, ref_path, &ref_len);
			assert_memory_equal(root, ref_root, CW_HASH_LEN);
			assert_int_equal(len, ref_len);
			assert_memory_equal(path, ref_path, len * CW_HASH_LEN);
			assert_true(cw_merkle_verify_inclusion(d[m], m, n,
			    cl(path), len, root));
		}
	}
	free(d);
}

/* A proof for an index outside the tree is refused. */
static void
test_inclusion_proof_index_out_of_range(void **state)
{
	hash_t d[4], path[CW_MERKLE_MAX_PATH];
	cw_err err = CW_ERR_INIT;
	size_t len = 99;

	(void)state;
	make_leaves(d, 4);
	assert_int_equal(cw_merkle_inclusion_proof(cl(d), 4, 4, path, &len,
	    &err), CW_ERR_INPUT);
	assert_int_equal(len, 0);
	assert_non_null(strstr(err.msg, "leaf index 4"));
	assert_int_equal(cw_merkle_inclusion_proof(cl(d), 0, 0, path, &len,
	    &err), CW_ERR_INPUT);
	assert_false(cw_merkle_verify_inclusion(d[0], 0, 0, cl(path), 0,
	    d[0]));
	assert_false(cw_merkle_verify_inclusion(d[0], 0, 2, NULL, 1, d[0]));
}

/* --- checkpoints -------------------------------------------------------- */

static void
sample_cp(cw_checkpoint *cp)
{
	size_t i;

	memset(cp, 0, sizeof(*cp));
	cp->size = 3;
	for (i = 0; i < CW_HASH_LEN; i++) {
		cp->head[i] = (uint8_t)i;
		cp->root[i] = (uint8_t)(0xff - i);
	}
	cp->time = 1700000000;
}

/* The signed body is the text before the "signature " line, verified here
 * with EVP directly. */
static void
check_body_signature(const char *text, EVP_PKEY *key, const char *md)
{
	const char *sigline = strstr(text, "\nsignature ");
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	cw_checkpoint cp;
	cw_err err = CW_ERR_INIT;

	assert_non_null(sigline);
	assert_non_null(mctx);
	assert_int_equal(cw_checkpoint_parse(text, strlen(text), &cp, &err),
	    CW_OK);
	assert_int_equal(EVP_DigestVerifyInit_ex(mctx, NULL, md, NULL, NULL,
	    key, NULL), 1);
	assert_int_equal(EVP_DigestVerify(mctx, cp.sig, cp.sig_len,
	    (const unsigned char *)text, (size_t)(sigline - text) + 1), 1);
	EVP_MD_CTX_free(mctx);
}

static void
round_trip(EVP_PKEY *key, const char *md)
{
	cw_checkpoint cp, back;
	cw_err err = CW_ERR_INIT;
	char *text = NULL, *again = NULL;

	sample_cp(&cp);
	assert_int_equal(cw_checkpoint_sign(&cp, key, &err), CW_OK);
	assert_true(cp.sig_len > 0);
	assert_int_equal(cw_checkpoint_verify(&cp, key, &err), CW_OK);
	assert_int_equal(cw_checkpoint_format(&cp, &text, &err), CW_OK);
	check_body_signature(text, key, md);
	assert_int_equal(cw_checkpoint_parse(text, strlen(text), &back, &err),
	    CW_OK);
	assert_int_equal(back.size, cp.size);
	assert_int_equal(back.time, cp.time);
	assert_memory_equal(back.head, cp.head, CW_HASH_LEN);
	assert_memory_equal(back.root, cp.root, CW_HASH_LEN);
	assert_int_equal(back.sig_len, cp.sig_len);
	assert_memory_equal(back.sig, cp.sig, cp.sig_len);
	assert_int_equal(cw_checkpoint_verify(&back, key, &err), CW_OK);
	assert_int_equal(cw_checkpoint_format(&back, &again, &err), CW_OK);
	assert_string_equal(again, text);
	free(text);
	free(again);
}

/* Ed25519 (the deployed audit key): sign, verify, format, parse, again. */
static void
test_checkpoint_round_trip_ed25519(void **state)
{
	(void)state;
	round_trip(keys.ed, NULL);
}

/* P-256 with SHA-256: the same round trip. */
static void
test_checkpoint_round_trip_p256(void **state)
{
	(void)state;
	round_trip(keys.p256, "SHA256");
}

/* The text is exactly the documented lines. */
static void
test_checkpoint_format_exact_text(void **state)
{
	static const char body[] =
	    "certward-audit-checkpoint v1\n"
	    "size 3\n"
	    "head 000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f\n"
	    "root fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0"
	    "efeeedecebeae9e8e7e6e5e4e3e2e1e0\n"
	    "time 1700000000\n"
	    "signature ";
	cw_checkpoint cp;
	cw_err err = CW_ERR_INIT;
	char *text = NULL;
	size_t len;

	(void)state;
	sample_cp(&cp);
	assert_int_equal(cw_checkpoint_sign(&cp, keys.ed, &err), CW_OK);
	assert_int_equal(cp.sig_len, 64);
	assert_int_equal(cw_checkpoint_format(&cp, &text, &err), CW_OK);
	len = strlen(text);
	/* 64 signature bytes are 88 base64 characters, then one "\n". */
	assert_int_equal(len, sizeof(body) - 1 + 88 + 1);
	assert_memory_equal(text, body, sizeof(body) - 1);
	assert_int_equal(text[len - 1], '\n');
	assert_null(memchr(text + sizeof(body) - 1, '\n', 88));
	free(text);
}

/* Changing any signed field after signing is caught, with either key. */
static void
test_checkpoint_verify_rejects_altered_fields(void **state)
{
	EVP_PKEY *k[2];
	cw_checkpoint cp, t;
	cw_err err = CW_ERR_INIT;
	size_t i;
	int f;

	(void)state;
	k[0] = keys.ed;
	k[1] = keys.p256;
	for (i = 0; i < 2; i++) {
		sample_cp(&cp);
		assert_int_equal(cw_checkpoint_sign(&cp, k[i], &err), CW_OK);
		for (f = 0; f < 5; f++) {
			t = cp;
			switch (f) {
			case 0: t.size = 2; break;
			case 1: t.head[0] ^= 1; break;
			case 2: t.root[31] ^= 1; break;
			case 3: t.time++; break;
			default: t.sig[t.sig_len / 2] ^= 1; break;
			}
			cw_err_clear(&err);
			assert_int_equal(cw_checkpoint_verify(&t, k[i], &err),
			    CW_ERR_NONCOMPLIANT);
			assert_non_null(strstr(err.msg, "does not verify"));
		}
	}
	/* No stale OpenSSL errors are left behind. */
	assert_int_equal(ERR_peek_error(), 0);
}

/* A signature by another key, or of another type, does not verify. */
static void
test_checkpoint_verify_rejects_wrong_key(void **state)
{
	cw_checkpoint cp;
	cw_err err = CW_ERR_INIT;

	(void)state;
	sample_cp(&cp);
	assert_int_equal(cw_checkpoint_sign(&cp, keys.ed, &err), CW_OK);
	assert_int_equal(cw_checkpoint_verify(&cp, keys.ed_other, &err),
	    CW_ERR_NONCOMPLIANT);
	assert_int_equal(cw_checkpoint_verify(&cp, keys.p256, &err),
	    CW_ERR_NONCOMPLIANT);
	assert_int_equal(cw_checkpoint_sign(&cp, keys.p256, &err), CW_OK);
	assert_int_equal(cw_checkpoint_verify(&cp, keys.ed, &err),
	    CW_ERR_NONCOMPLIANT);
	assert_int_equal(cw_checkpoint_verify(&cp, keys.p256, &err), CW_OK);
}

/* Edits of the text: signed fields fail verification, shape changes fail
 * parsing. */
static void
test_checkpoint_tampered_text_refused(void **state)
{
	cw_checkpoint cp, back;
	cw_err err = CW_ERR_INIT;
	char *text = NULL, *p, buf[2048];
	size_t len;

	(void)state;
	sample_cp(&cp);
	assert_int_equal(cw_checkpoint_sign(&cp, keys.ed, &err), CW_OK);
	assert_int_equal(cw_checkpoint_format(&cp, &text, &err), CW_OK);
	len = strlen(text);
	assert_true(len + 32 < sizeof(buf));

	/* size 3 -> size 2: parses, does not verify */
	memcpy(buf, text, len + 1);
	p = strstr(buf, "size 3\n");
	assert_non_null(p);
	p[5] = '2';
	assert_int_equal(cw_checkpoint_parse(buf, len, &back, &err), CW_OK);
	assert_int_equal(back.size, 2);
	assert_int_equal(cw_checkpoint_verify(&back, keys.ed, &err),
	    CW_ERR_NONCOMPLIANT);

	/* one base64 character of the signature changed */
	memcpy(buf, text, len + 1);
	p = strstr(buf, "signature ") + 10;
	*p = *p == 'A' ? 'B' : 'A';
	assert_int_equal(cw_checkpoint_parse(buf, len, &back, &err), CW_OK);
	assert_int_equal(cw_checkpoint_verify(&back, keys.ed, &err),
	    CW_ERR_NONCOMPLIANT);

	/* a digit of the root changed */
	memcpy(buf, text, len + 1);
	p = strstr(buf, "root ") + 5;
	*p = *p == '0' ? '1' : '0';
	assert_int_equal(cw_checkpoint_parse(buf, len, &back, &err), CW_OK);
	assert_int_equal(cw_checkpoint_verify(&back, keys.ed, &err),
	    CW_ERR_NONCOMPLIANT);

	/* an extra line after the signature */
	memcpy(buf, text, len);
	memcpy(buf + len, "size 4\n", 8);
	assert_int_equal(cw_checkpoint_parse(buf, len + 7, &back, &err),
	    CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "after the signature"));

	/* an extra line inside the body */
	p = strstr(text, "time ");
	len = (size_t)(p - text);
	memcpy(buf, text, len);
	memcpy(buf + len, "note x\n", 7);
	memcpy(buf + len + 7, p, strlen(p) + 1);
	assert_int_equal(cw_checkpoint_parse(buf, strlen(buf), &back, &err),
	    CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "line 5"));
	free(text);
}

#define H1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define CL1 "certward-audit-checkpoint v1\n"
#define CLS "size 3\n"
#define CLH "head " H1 "\n"
#define CLR "root " H2 "\n"
#define CLT "time 1700000000\n"
#define CLG "signature AAEC\n"

struct cp_row {
	const char *text;
	size_t len;
	const char *why;	/* substring of the message */
};
#define ROW(s, why) { LIT(s), why }

/* Malformed texts of every kind are refused with the line named. */
static void
test_checkpoint_parse_rejects_garbage(void **state)
{
	static const struct cp_row rows[] = {
		ROW("", "empty"),
		ROW("\n", "line 1"),
		ROW("certward-audit-checkpoint v2\n" CLS CLH CLR CLT CLG,
		    "line 1"),
		ROW(" " CL1 CLS CLH CLR CLT CLG, "line 1"),
		ROW(CL1 "size 03\n" CLH CLR CLT CLG, "line 2"),
		ROW(CL1 "size +3\n" CLH CLR CLT CLG, "line 2"),
		ROW(CL1 "size -3\n" CLH CLR CLT CLG, "line 2"),
		ROW(CL1 "size 3 \n" CLH CLR CLT CLG, "line 2"),
		ROW(CL1 "size  3\n" CLH CLR CLT CLG, "line 2"),
		ROW(CL1 "size \n" CLH CLR CLT CLG, "line 2"),
		ROW(CL1 "Size 3\n" CLH CLR CLT CLG, "line 2"),
		ROW(CL1 "size 0x3\n" CLH CLR CLT CLG, "line 2"),
		ROW(CL1 "size 9223372036854775808\n" CLH CLR CLT CLG,
		    "line 2"),
		ROW(CL1 "size 99999999999999999999\n" CLH CLR CLT CLG,
		    "line 2"),
		ROW(CL1 CLS "head 0123456789ABCDEF0123456789abcdef"
		    "0123456789abcdef0123456789abcdef\n" CLR CLT CLG, "line 3"),
		ROW(CL1 CLS "head A123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcdef\n" CLR CLT CLG, "line 3"),
		ROW(CL1 CLS "head " H1 "0\n" CLR CLT CLG, "line 3"),
		ROW(CL1 CLS "head 123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcdef\n" CLR CLT CLG, "line 3"),
		ROW(CL1 CLS "head g123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcdef\n" CLR CLT CLG, "line 3"),
		ROW(CL1 CLS CLR CLH CLT CLG, "line 3"),
		ROW(CL1 CLS CLH CLT CLG, "line 4"),
		ROW(CL1 CLS CLH CLR "time 1e9\n" CLG, "line 5"),
		ROW(CL1 CLS CLH CLR "time -1\n" CLG, "line 5"),
		ROW(CL1 CLS CLH CLR CLT, "line 6 missing"),
		ROW(CL1 CLS CLH CLR "time 1700000000", "line 5"),
		ROW(CL1 CLS CLH CLR CLT "\n", "line 6"),
		ROW("certward-audit-checkpoint v1\r\nsize 3\r\n" CLH CLR CLT
		    CLG, "line 1"),
		ROW(CL1 CLS CLH CLR CLT CLG "\n", "after the signature"),
		ROW(CL1 CLS CLH CLR CLT CLG "x", "after the signature"),
		ROW(CL1 CLS CLH CLR CLT CLG CLG, "after the signature"),
		ROW(CL1 CLS CLH CLR CLT "signature AAEC\r\n", "line 6"),
		ROW(CL1 "size 3\0\n" CLH CLR CLT CLG, "line 2"),
		ROW(CL1 CLS CLH CLR CLT CLG "\0", "after the signature"),
		ROW(CL1 CLS CLH CLR CLT "signature \n", "line 6"),
		ROW(CL1 CLS CLH CLR CLT "signature AAE\n", "line 6"),
		ROW(CL1 CLS CLH CLR CLT "signature AAF=\n", "line 6"),
		ROW(CL1 CLS CLH CLR CLT "signature AB==\n", "line 6"),
		ROW(CL1 CLS CLH CLR CLT "signature AA=C\n", "line 6"),
		ROW(CL1 CLS CLH CLR CLT "signature ====\n", "line 6"),
		ROW(CL1 CLS CLH CLR CLT "signature A===\n", "line 6"),
		ROW(CL1 CLS CLH CLR CLT "signature AA C\n", "line 6"),
		ROW(CL1 CLS CLH CLR CLT "signature  AAEC\n", "line 6"),
		ROW(CL1 CLS CLH CLR CLT "signature AAEC \n", "line 6"),
		ROW(CL1 CLS CLH CLR CLT "signature AA-_\n", "line 6"),
		ROW(CL1 CLS CLH CLR CLT "signature:AAEC\n", "line 6"),
	};
	cw_checkpoint cp;
	cw_err err;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(rows); i++) {
		cw_err_clear(&err);
		memset(&cp, 0x77, sizeof(cp));
		if (cw_checkpoint_parse(rows[i].text, rows[i].len, &cp, &err) !=
		    CW_ERR_INPUT)
			fail_msg("row %zu was accepted", i);
		if (strstr(err.msg, rows[i].why) == NULL)
			fail_msg("row %zu: message \"%s\" lacks \"%s\"", i,
			    err.msg, rows[i].why);
		/* *cp is left untouched on error */
		assert_int_equal(cp.sig[0], 0x77);
	}
}

/* Boundary values that are well-formed are accepted. */
static void
test_checkpoint_parse_accepts_edge_values(void **state)
{
	static const struct cp_row rows[] = {
		ROW(CL1 CLS CLH CLR CLT CLG, NULL),
		ROW(CL1 CLS CLH CLR CLT "signature AAEC", NULL),
		ROW(CL1 "size 0\n" CLH CLR "time 0\n" CLG, NULL),
		ROW(CL1 "size 9223372036854775807\n" CLH CLR CLT CLG, NULL),
		ROW(CL1 CLS CLH CLR CLT "signature AA==\n", NULL),
		ROW(CL1 CLS CLH CLR CLT "signature AAA=\n", NULL),
	};
	static const uint8_t h1_head[4] = { 0x01, 0x23, 0x45, 0x67 };
	cw_checkpoint cp;
	cw_err err = CW_ERR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(rows); i++)
		if (cw_checkpoint_parse(rows[i].text, rows[i].len, &cp, &err) !=
		    CW_OK)
			fail_msg("row %zu refused: %s", i, err.msg);
	assert_int_equal(cw_checkpoint_parse(rows[0].text, rows[0].len, &cp,
	    &err), CW_OK);
	assert_int_equal(cp.size, 3);
	assert_int_equal(cp.time, 1700000000);
	assert_memory_equal(cp.head, h1_head, 4);
	assert_int_equal(cp.root[0], 0xfe);
	assert_int_equal(cp.sig_len, 3);
	assert_int_equal(cp.sig[2], 0x02);
	assert_int_equal(cw_checkpoint_parse(rows[3].text, rows[3].len, &cp,
	    &err), CW_OK);
	assert_int_equal(cp.size, INT64_MAX);
	assert_int_equal(cw_checkpoint_parse(rows[4].text, rows[4].len, &cp,
	    &err), CW_OK);
	assert_int_equal(cp.sig_len, 1);
}

/* Signatures up to 512 bytes parse; 513 bytes and texts over 4 KiB do not. */
static void
test_checkpoint_parse_length_bounds(void **state)
{
	static const char body[] = CL1 CLS CLH CLR CLT "signature ";
	uint8_t raw[513];
	char *text = malloc(8192);
	cw_checkpoint cp;
	cw_err err = CW_ERR_INIT;
	size_t n;
	int b;

	(void)state;
	assert_non_null(text);
	memset(raw, 0xab, sizeof(raw));
	memcpy(text, body, sizeof(body) - 1);
	b = EVP_EncodeBlock((unsigned char *)text + sizeof(body) - 1, raw, 512);
	n = sizeof(body) - 1 + (size_t)b;
	text[n++] = '\n';
	assert_int_equal(cw_checkpoint_parse(text, n, &cp, &err), CW_OK);
	assert_int_equal(cp.sig_len, 512);
	b = EVP_EncodeBlock((unsigned char *)text + sizeof(body) - 1, raw, 513);
	n = sizeof(body) - 1 + (size_t)b;
	text[n++] = '\n';
	assert_int_equal(cw_checkpoint_parse(text, n, &cp, &err),
	    CW_ERR_INPUT);
	/* a valid text followed by padding beyond 4096 bytes */
	memcpy(text, CL1 CLS CLH CLR CLT CLG, sizeof(CL1 CLS CLH CLR CLT CLG));
	memset(text + sizeof(CL1 CLS CLH CLR CLT CLG) - 1, '\n', 4000);
	assert_int_equal(cw_checkpoint_parse(text, 4097, &cp, &err),
	    CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "4096"));
	free(text);
}

/* Unsigned, negative or unsupported-key checkpoints are refused. */
static void
test_checkpoint_rejects_misuse(void **state)
{
	cw_checkpoint cp;
	cw_err err = CW_ERR_INIT;
	char *text = (char *)"sentinel";

	(void)state;
	sample_cp(&cp);
	assert_int_equal(cw_checkpoint_format(&cp, &text, &err), CW_ERR_INPUT);
	assert_null(text);
	assert_int_equal(cw_checkpoint_verify(&cp, keys.ed, &err),
	    CW_ERR_INPUT);
	assert_int_equal(cw_checkpoint_sign(&cp, keys.x25519, &err),
	    CW_ERR_INPUT);
	assert_non_null(strstr(err.msg, "X25519"));
	cp.size = -1;
	assert_int_equal(cw_checkpoint_sign(&cp, keys.ed, &err), CW_ERR_INPUT);
	sample_cp(&cp);
	cp.time = -5;
	assert_int_equal(cw_checkpoint_sign(&cp, keys.ed, &err), CW_ERR_INPUT);
	sample_cp(&cp);
	assert_int_equal(cw_checkpoint_sign(&cp, keys.ed, &err), CW_OK);
	assert_int_equal(cw_checkpoint_verify(&cp, keys.x25519, &err),
	    CW_ERR_INPUT);
}

/* --- log verification -------------------------------------------------- */

/* An untouched log verifies, with and without checkpoints at any size, and
 * reports its count, head and root. */
static void
test_verifier_accepts_intact_log(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 17, 32, NLOG };
	cw_audit_event ev[NLOG];
	hash_t leaves[NLOG], head, root, want_root;
	cw_checkpoint cp;
	cw_err err = CW_ERR_INIT;
	int64_t n = -1;
	size_t i;

	(void)state;
	make_log(ev, NLOG);
	for (i = 0; i < NLOG; i++)
		cw_audit_leaf_hash(&ev[i], leaves[i]);
	ref_tree(cl(leaves), NLOG, 0, want_root, NULL, NULL);
	assert_int_equal(run_verify(ev, NLOG, NULL, &err, &n, head, root),
	    CW_OK);
	assert_int_equal(n, NLOG);
	assert_memory_equal(head, ev[NLOG - 1].hash, CW_HASH_LEN);
	assert_memory_equal(root, want_root, CW_HASH_LEN);
	for (i = 0; i < NELEM(sizes); i++) {
		make_cp(ev, sizes[i], &cp);
		assert_int_equal(run_verify(ev, NLOG, &cp, &err, &n, head,
		    root), CW_OK);
		assert_memory_equal(root, want_root, CW_HASH_LEN);
	}
	/* Outputs are optional. */
	assert_int_equal(run_verify(ev, NLOG, &cp, &err, NULL, NULL, NULL),
	    CW_OK);
}

/* An empty log: zero events, zero head, root of the empty tree. */
static void
test_verifier_empty_log(void **state)
{
	static const hash_t zero;
	hash_t head, root, empty;
	cw_checkpoint cp;
	cw_err err = CW_ERR_INIT;
	int64_t n = -1;

	(void)state;
	sha("", 0, "", 0, "", 0, empty);
	assert_int_equal(run_verify(NULL, 0, NULL, &err, &n, head, root),
	    CW_OK);
	assert_int_equal(n, 0);
	assert_memory_equal(head, zero, CW_HASH_LEN);
	assert_memory_equal(root, empty, CW_HASH_LEN);
	make_cp(NULL, 0, &cp);
	assert_int_equal(run_verify(NULL, 0, &cp, &err, &n, head, root),
	    CW_OK);
}

/* Changing any field of event k names event k as changed. */
static void
test_verifier_changed_field(void **state)
{
	static const size_t ks[] = { 1, 2, 20, NLOG };
	cw_audit_event ev[NLOG], t[NLOG];
	char msg[256];
	size_t i, f;

	(void)state;
	make_log(ev, NLOG);
	for (i = 0; i < NELEM(ks); i++) {
		for (f = 0; f < 9; f++) {
			cw_audit_event *e = &t[ks[i] - 1];

			memcpy(t, ev, sizeof(ev));
			switch (f) {
			case 0: e->time += 1; break;
			case 1: e->actor = "mallory"; break;
			case 2: e->origin = "system"; break;
			case 3: e->channel = "rest"; break;
			case 4: e->action = "cert.revoke.x"; break;
			case 5: e->object = "request:999"; break;
			case 6: e->details = "{\"n\":1}"; break;
			case 7: e->details = NULL; break;
			default: e->hash[0] ^= 1; break;
			}
			expect_bad(t, NLOG, NULL, msg_changed(msg, sizeof(msg),
			    (long long)ks[i]));
		}
	}
}

/* Changing event k and recomputing its own hash breaks the link of k + 1;
 * for the last event only a checkpoint catches it. */
static void
test_verifier_changed_and_rehashed(void **state)
{
	cw_audit_event ev[NLOG];
	cw_checkpoint cp;
	char msg[256];

	(void)state;
	make_log(ev, NLOG);
	make_cp(ev, NLOG, &cp);
	ev[9].actor = "mallory";
	relink(ev, 10, 9);
	expect_bad(ev, NLOG, NULL, msg_link(msg, sizeof(msg), 11));

	make_log(ev, NLOG);
	ev[NLOG - 1].details = "{}";
	relink(ev, NLOG, NLOG - 1);
	expect_good(ev, NLOG, NULL);
	expect_bad(ev, NLOG, &cp, "the log differs from the checkpoint at or "
	    "before event 40");
}

/* A changed seq or prev of event k is named at k. */
static void
test_verifier_changed_links(void **state)
{
	cw_audit_event ev[NLOG];
	char msg[256];

	(void)state;
	make_log(ev, NLOG);
	ev[14].seq = 99;
	expect_bad(ev, NLOG, NULL, msg_seq(msg, sizeof(msg), 99, 15));
	make_log(ev, NLOG);
	ev[14].prev[5] ^= 0x10;
	expect_bad(ev, NLOG, NULL, msg_link(msg, sizeof(msg), 15));
	/* the first event must be seq 1 and link to zeros */
	make_log(ev, NLOG);
	expect_bad(ev + 1, NLOG - 1, NULL, msg_seq(msg, sizeof(msg), 2, 1));
	ev[0].prev[0] = 1;
	expect_bad(ev, NLOG, NULL, msg_link(msg, sizeof(msg), 1));
	make_log(ev, NLOG);
	ev[0].seq = 0;
	expect_bad(ev, NLOG, NULL, msg_seq(msg, sizeof(msg), 0, 1));
}

/* Deleting event k: a seq gap at k + 1, or with renumbering a broken link
 * at k. */
static void
test_verifier_deleted_event(void **state)
{
	static const size_t ks[] = { 1, 2, 21, NLOG - 1 };
	cw_audit_event ev[NLOG], t[NLOG];
	char msg[256];
	size_t i, j, k;

	(void)state;
	make_log(ev, NLOG);
	for (i = 0; i < NELEM(ks); i++) {
		k = ks[i];
		memcpy(t, ev, (k - 1) * sizeof(*ev));
		memcpy(t + k - 1, ev + k, (NLOG - k) * sizeof(*ev));
		expect_bad(t, NLOG - 1, NULL, msg_seq(msg, sizeof(msg),
		    (long long)k + 1, (long long)k));
		for (j = k - 1; j < NLOG - 1; j++)
			t[j].seq = (int64_t)j + 1;
		expect_bad(t, NLOG - 1, NULL, msg_link(msg, sizeof(msg),
		    (long long)k));
	}
}

/* Inserting a forged event at k (later seqs renumbered) is named at k, or
 * at k + 1 if the forgery links correctly. */
static void
test_verifier_inserted_event(void **state)
{
	static const size_t ks[] = { 1, 12, NLOG };
	cw_audit_event ev[NLOG], t[NLOG + 1];
	cw_audit_event forged = { 0, 1700000001, "mallory", "human", "cli",
		"cert.issue", "cert:feed", "{}", {0}, {0} };
	cw_checkpoint cp;
	char msg[256];
	size_t i, j, k, variant;
	hash_t leaf;

	(void)state;
	make_log(ev, NLOG);
	make_cp(ev, NLOG, &cp);
	for (i = 0; i < NELEM(ks); i++) {
		k = ks[i];
		for (variant = 0; variant < 4; variant++) {
			memcpy(t, ev, (k - 1) * sizeof(*ev));
			memcpy(t + k, ev + k - 1, (NLOG - k + 1) * sizeof(*ev));
			for (j = k; j <= NLOG; j++)
				t[j].seq = (int64_t)j + 1;
			t[k - 1] = forged;
			t[k - 1].seq = (int64_t)k;
			if (variant == 0) {
				/* made-up links */
				memset(t[k - 1].prev, 0x42, CW_HASH_LEN);
				memset(t[k - 1].hash, 0x43, CW_HASH_LEN);
				expect_bad(t, NLOG + 1, NULL, msg_link(msg,
				    sizeof(msg), (long long)k));
			} else if (variant == 1) {
				/* prev copied from the displaced event */
				memcpy(t[k - 1].prev, ev[k - 1].prev,
				    CW_HASH_LEN);
				memset(t[k - 1].hash, 0x43, CW_HASH_LEN);
				expect_bad(t, NLOG + 1, NULL, msg_changed(msg,
				    sizeof(msg), (long long)k));
			} else if (variant == 2) {
				/* a correctly chained forgery */
				memcpy(t[k - 1].prev, ev[k - 1].prev,
				    CW_HASH_LEN);
				cw_audit_leaf_hash(&t[k - 1], leaf);
				cw_audit_chain_hash(t[k - 1].prev, leaf,
				    t[k - 1].hash);
				expect_bad(t, NLOG + 1, NULL, msg_link(msg,
				    sizeof(msg), (long long)k + 1));
			} else {
				/* the whole tail rewritten: only the
				 * checkpoint tells */
				relink(t, NLOG + 1, k - 1);
				expect_good(t, NLOG + 1, NULL);
				expect_bad(t, NLOG + 1, &cp, "the log differs "
				    "from the checkpoint at or before event "
				    "40");
			}
		}
	}
}

/* Swapping events j < k: with their seqs the order breaks at position j,
 * with the seqs left in place the link of j breaks. */
static void
test_verifier_swapped_events(void **state)
{
	static const size_t pairs[][2] = { { 1, 2 }, { 5, 6 }, { 3, 30 },
		{ NLOG - 1, NLOG } };
	cw_audit_event ev[NLOG], t[NLOG], tmp;
	char msg[256];
	size_t i, j, k;

	(void)state;
	make_log(ev, NLOG);
	for (i = 0; i < NELEM(pairs); i++) {
		j = pairs[i][0];
		k = pairs[i][1];
		memcpy(t, ev, sizeof(ev));
		tmp = t[j - 1];
		t[j - 1] = t[k - 1];
		t[k - 1] = tmp;
		expect_bad(t, NLOG, NULL, msg_seq(msg, sizeof(msg),
		    (long long)k, (long long)j));
		t[j - 1].seq = (int64_t)j;
		t[k - 1].seq = (int64_t)k;
		expect_bad(t, NLOG, NULL, msg_link(msg, sizeof(msg),
		    (long long)j));
	}
}

/* Dropping the tail below a checkpoint is reported as truncation naming
 * the first missing event; without a checkpoint the shorter log is still a
 * valid chain. */
static void
test_verifier_truncated_below_checkpoint(void **state)
{
	cw_audit_event ev[NLOG];
	cw_checkpoint cp;

	(void)state;
	make_log(ev, NLOG);
	make_cp(ev, 30, &cp);
	expect_good(ev, 25, NULL);
	expect_bad(ev, 25, &cp, "the log has 25 events but checkpoint covers "
	    "30: events were removed (truncated); the first missing is event "
	    "26");
	expect_bad(ev, 29, &cp, "the log has 29 events but checkpoint covers "
	    "30: events were removed (truncated); the first missing is event "
	    "30");
	expect_bad(NULL, 0, &cp, "the log has 0 events but checkpoint covers "
	    "30: events were removed (truncated); the first missing is event "
	    "1");
	expect_good(ev, 30, &cp);
	expect_good(ev, 31, &cp);
}

/* A checkpoint whose head or root does not match the log is reported. */
static void
test_verifier_checkpoint_mismatch(void **state)
{
	cw_audit_event ev[NLOG];
	cw_checkpoint cp, t;

	(void)state;
	make_log(ev, NLOG);
	make_cp(ev, 20, &cp);
	t = cp;
	t.head[3] ^= 1;
	expect_bad(ev, NLOG, &t, "the log differs from the checkpoint at or "
	    "before event 20");
	t = cp;
	t.root[3] ^= 1;
	expect_bad(ev, NLOG, &t, "the log differs from the checkpoint at or "
	    "before event 20");
	/* the checkpoint of another log (another size) does not fit */
	make_cp(ev, 21, &t);
	t.size = 20;
	expect_bad(ev, NLOG, &t, "the log differs from the checkpoint at or "
	    "before event 20");
}

/* After the first problem every call repeats it, even for good events. */
static void
test_verifier_stays_failed(void **state)
{
	cw_audit_event ev[NLOG];
	cw_audit_verifier *v = NULL;
	cw_err err = CW_ERR_INIT;
	char msg[256];
	size_t i;

	(void)state;
	make_log(ev, NLOG);
	ev[4].actor = "mallory";
	msg_changed(msg, sizeof(msg), 5);
	assert_int_equal(cw_audit_verifier_new(NULL, &v, &err), CW_OK);
	for (i = 0; i < 4; i++)
		assert_int_equal(cw_audit_verifier_add(v, &ev[i], &err), CW_OK);
	assert_int_equal(cw_audit_verifier_add(v, &ev[4], &err),
	    CW_ERR_NONCOMPLIANT);
	make_log(ev, NLOG);
	cw_err_clear(&err);
	assert_int_equal(cw_audit_verifier_add(v, &ev[4], &err),
	    CW_ERR_NONCOMPLIANT);
	assert_string_equal(err.msg, msg);
	cw_err_clear(&err);
	assert_int_equal(cw_audit_verifier_add(v, &ev[5], &err),
	    CW_ERR_NONCOMPLIANT);
	assert_string_equal(err.msg, msg);
	cw_err_clear(&err);
	assert_int_equal(cw_audit_verifier_finish(v, NULL, NULL, NULL, &err),
	    CW_ERR_NONCOMPLIANT);
	assert_string_equal(err.msg, msg);
	cw_audit_verifier_free(v);
	cw_audit_verifier_free(NULL);
}

/* A checkpoint with a negative size is refused up front. */
static void
test_verifier_rejects_negative_checkpoint(void **state)
{
	cw_audit_verifier *v = (cw_audit_verifier *)&v;
	cw_checkpoint cp;
	cw_err err = CW_ERR_INIT;

	(void)state;
	memset(&cp, 0, sizeof(cp));
	cp.size = -1;
	assert_int_equal(cw_audit_verifier_new(&cp, &v, &err), CW_ERR_INPUT);
	assert_null(v);
}

/* A log bigger than the initial leaf buffer keeps the right root. */
static void
test_verifier_grows(void **state)
{
	enum { BIG = 5000 };
	cw_audit_event *ev = calloc(BIG, sizeof(*ev));
	hash_t *leaves = malloc(BIG * sizeof(hash_t));
	hash_t head, root, want;
	cw_checkpoint cp;
	cw_err err = CW_ERR_INIT;
	int64_t n = 0;
	size_t i;

	(void)state;
	assert_non_null(ev);
	assert_non_null(leaves);
	for (i = 0; i < BIG; i++) {
		ev[i].seq = (int64_t)i + 1;
		ev[i].time = (int64_t)i;
		ev[i].actor = "system";
		ev[i].action = "tick";
	}
	relink(ev, BIG, 0);
	for (i = 0; i < BIG; i++)
		cw_audit_leaf_hash(&ev[i], leaves[i]);
	ref_tree(cl(leaves), BIG, 0, want, NULL, NULL);
	memset(&cp, 0, sizeof(cp));
	cp.size = 3000;
	memcpy(cp.head, ev[2999].hash, CW_HASH_LEN);
	ref_tree(cl(leaves), 3000, 0, cp.root, NULL, NULL);
	assert_int_equal(run_verify(ev, BIG, &cp, &err, &n, head, root),
	    CW_OK);
	assert_int_equal(n, BIG);
	assert_memory_equal(root, want, CW_HASH_LEN);
	assert_memory_equal(head, ev[BIG - 1].hash, CW_HASH_LEN);
	free(leaves);
	free(ev);
}

static int
setup(void **state)
{
	(void)state;
	keys.ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	keys.ed_other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	keys.p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	keys.x25519 = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	return keys.ed && keys.ed_other && keys.p256 && keys.x25519 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(keys.ed);
	EVP_PKEY_free(keys.ed_other);
	EVP_PKEY_free(keys.p256);
	EVP_PKEY_free(keys.x25519);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf_hash_matches_documented_encoding),
		cmocka_unit_test(test_leaf_hash_known_answer),
		cmocka_unit_test(test_leaf_hash_ignores_links),
		cmocka_unit_test(test_leaf_hash_separates_fields),
		cmocka_unit_test(test_chain_hash_definition),
		cmocka_unit_test(test_merkle_root_empty),
		cmocka_unit_test(test_merkle_root_small_trees_by_hand),
		cmocka_unit_test(test_merkle_root_matches_reference),
		cmocka_unit_test(test_merkle_root_rejects_missing_leaves),
		cmocka_unit_test(test_inclusion_proofs_verify_every_index),
		cmocka_unit_test(test_inclusion_proof_shape_of_seven),
		cmocka_unit_test(test_inclusion_proofs_fail_when_altered),
		cmocka_unit_test(test_inclusion_proofs_large_tree),
		cmocka_unit_test(test_inclusion_proof_index_out_of_range),
		cmocka_unit_test(test_checkpoint_round_trip_ed25519),
		cmocka_unit_test(test_checkpoint_round_trip_p256),
		cmocka_unit_test(test_checkpoint_format_exact_text),
		cmocka_unit_test(test_checkpoint_verify_rejects_altered_fields),
		cmocka_unit_test(test_checkpoint_verify_rejects_wrong_key),
		cmocka_unit_test(test_checkpoint_tampered_text_refused),
		cmocka_unit_test(test_checkpoint_parse_rejects_garbage),
		cmocka_unit_test(test_checkpoint_parse_accepts_edge_values),
		cmocka_unit_test(test_checkpoint_parse_length_bounds),
		cmocka_unit_test(test_checkpoint_rejects_misuse),
		cmocka_unit_test(test_verifier_accepts_intact_log),
		cmocka_unit_test(test_verifier_empty_log),
		cmocka_unit_test(test_verifier_changed_field),
		cmocka_unit_test(test_verifier_changed_and_rehashed),
		cmocka_unit_test(test_verifier_changed_links),
		cmocka_unit_test(test_verifier_deleted_event),
		cmocka_unit_test(test_verifier_inserted_event),
		cmocka_unit_test(test_verifier_swapped_events),
		cmocka_unit_test(test_verifier_truncated_below_checkpoint),
		cmocka_unit_test(test_verifier_checkpoint_mismatch),
		cmocka_unit_test(test_verifier_stays_failed),
		cmocka_unit_test(test_verifier_rejects_negative_checkpoint),
		cmocka_unit_test(test_verifier_grows),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
