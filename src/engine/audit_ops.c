/*
 * audit_ops.c - checkpoints, verification and inclusion proofs over the
 * stored audit log (the hashing itself is src/audit/audit.c).
 */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "../common/util.h"

typedef struct feed_ctx {
	cw_audit_verifier *v;
	cw_err *err;
	cw_rc rc;
	/* for proofs */
	uint8_t (*leaves)[CW_HASH_LEN];
	size_t n, cap, limit;
	bool oom;
	const char *want_object;
	int64_t found_seq;
	json_t *event;
} feed_ctx;

static json_t *
event_json(const cw_audit_event *ev)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
	    (json_int_t)ev->seq, "time", (json_int_t)ev->time, "actor",
	    ev->actor, "origin", ev->origin, "channel", ev->channel, "action",
	    ev->action, "object", ev->object, "details", ev->details);
}

static bool
feed_cb(const cw_audit_event *ev, void *arg)
{
	feed_ctx *c = arg;
	void *p;

	if (c->v != NULL) {
		c->rc = cw_audit_verifier_add(c->v, ev, c->err);
		if (c->rc != CW_OK)
			return false;
	}
	if (c->leaves != NULL || c->limit > 0) {
		if (c->limit > 0 && c->n >= c->limit)
			return false;
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 1024;
			p = realloc(c->leaves, c->cap * sizeof(*c->leaves));
			if (p == NULL) {
				c->oom = true;
				return false;
			}
			c->leaves = p;
		}
		cw_audit_leaf_hash(ev, c->leaves[c->n++]);
		if (c->want_object != NULL && c->found_seq == 0 &&
		    strcmp(ev->action, "cert.issue") == 0 &&
		    strcmp(ev->object, c->want_object) == 0) {
			c->found_seq = ev->seq;
			c->event = event_json(ev);
		}
	}
	return true;
}

static cw_rc
load_pub(cw_engine *e, EVP_PKEY **pub, cw_err *err)
{
	cw_rc rc = CW_OK;
	EVP_PKEY *k;

	/* the public key: a server process never holds the private one */
	CW_TRY(cw_engine_audit_pub(e, &k, err));
	CW_ENSURE_OSSL(EVP_PKEY_up_ref(k) == 1, "reference");
	*pub = k;
out:
	return rc;
}

cw_rc
cw_audit_checkpoint(cw_engine *e, const cw_actor *a, char **text,
    cw_err *err)
{
	static const char *const roles[] = {"auditor", "pki-admin"};
	cw_rc rc = CW_OK;
	cw_user actor;
	feed_ctx c;
	cw_checkpoint cp;
	json_t *det = NULL;
	char head[65], root[65];

	memset(&c, 0, sizeof(c));
	memset(&cp, 0, sizeof(cp));
	c.err = err;
	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, roles, 2, "write audit checkpoints",
	    err));
	CW_TRY(cw_audit_verifier_new(NULL, &c.v, err));
	CW_TRY(cw_store_audit_each(e->store, 0, NULL, 0, feed_cb, &c, err));
	CW_TRY(c.rc);
	/* never sign over a log that is already broken */
	CW_TRY(cw_audit_verifier_finish(c.v, &cp.size, cp.head, cp.root, err));
	cp.time = cw_engine_now(e);
	/* with the audit key, wherever it lives (sign.h) */
	CW_TRY(cw_engine_sign_checkpoint(e, &cp, err));
	CW_TRY(cw_checkpoint_format(&cp, text, err));
	CW_TRY(cw_store_checkpoint_put(e->store, cp.size, *text, err));
	cw_hex(cp.head, CW_HASH_LEN, head);
	cw_hex(cp.root, CW_HASH_LEN, root);
	det = json_pack("{s:I, s:s, s:s}", "size", (json_int_t)cp.size, "head",
	    head, "root", root);
	CW_TRY(cw_engine_audit(e, a, "audit.checkpoint", "audit", det, err));
	CW_TRY(cw_store_commit(e->store, err));
out:
	if (rc != CW_OK) {
		cw_store_rollback(e->store);
		free(*text);
		*text = NULL;
	}
	cw_audit_verifier_free(c.v);
	json_decref(det);
	return rc;
}

cw_rc
cw_audit_verify_log(cw_engine *e, const char *cp_text, json_t **report,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	char *stored = NULL;
	cw_checkpoint cp;
	bool have_cp = false;
	feed_ctx c;
	EVP_PKEY *pub = NULL;
	int64_t n = 0;
	uint8_t head[CW_HASH_LEN], root[CW_HASH_LEN];
	char hh[65], rh[65];

	memset(&c, 0, sizeof(c));
	c.err = err;
	if (cp_text == NULL) {
		CW_TRY(cw_store_checkpoint_latest(e->store, &stored, err));
		cp_text = stored;
	}
	if (cp_text != NULL) {
		CW_TRY(cw_checkpoint_parse(cp_text, strlen(cp_text), &cp, err));
		CW_TRY(load_pub(e, &pub, err));
		CW_TRY(cw_checkpoint_verify(&cp, pub, err));
		have_cp = true;
	}
	CW_TRY(cw_audit_verifier_new(have_cp ? &cp : NULL, &c.v, err));
	CW_TRY(cw_store_audit_each(e->store, 0, NULL, 0, feed_cb, &c, err));
	CW_TRY(c.rc);
	CW_TRY(cw_audit_verifier_finish(c.v, &n, head, root, err));
	cw_hex(head, CW_HASH_LEN, hh);
	cw_hex(root, CW_HASH_LEN, rh);
	*report = json_pack("{s:b, s:I, s:s, s:s}", "intact", 1, "events",
	    (json_int_t)n, "head", hh, "root", rh);
	if (have_cp)
		json_object_set_new(*report, "checkpoint", json_pack("{s:I, s:I}",
		    "size", (json_int_t)cp.size, "time", (json_int_t)cp.time));
out:
	cw_audit_verifier_free(c.v);
	EVP_PKEY_free(pub);
	free(stored);
	return rc;
}

cw_rc
cw_audit_prove(cw_engine *e, const char *serial, const char *cp_text,
    json_t **proof, cw_err *err)
{
	cw_rc rc = CW_OK;
	char *stored = NULL, obj[80], hex[65];
	cw_checkpoint cp;
	feed_ctx c;
	uint8_t path[CW_MERKLE_MAX_PATH][CW_HASH_LEN];
	size_t plen = 0, i;
	json_t *jp = NULL;

	memset(&c, 0, sizeof(c));
	c.err = err;
	if (cp_text == NULL) {
		CW_TRY(cw_store_checkpoint_latest(e->store, &stored, err));
		CW_ENSURE(stored != NULL, CW_ERR_NOT_FOUND, "no checkpoint yet: "
		    "run 'certward audit checkpoint' first");
		cp_text = stored;
	}
	CW_TRY(cw_checkpoint_parse(cp_text, strlen(cp_text), &cp, err));
	snprintf(obj, sizeof(obj), "cert:%s", serial);
	c.want_object = obj;
	c.limit = (size_t)cp.size;
	CW_TRY(cw_store_audit_each(e->store, 0, NULL, 0, feed_cb, &c, err));
	CW_ENSURE(!c.oom, CW_ERR_NOMEM, "out of memory");
	CW_ENSURE(c.found_seq > 0, CW_ERR_NOT_FOUND, "no issuance event for "
	    "certificate %s within the checkpoint's %lld events%s", serial,
	    (long long)cp.size, " (write a newer checkpoint?)");
	CW_ENSURE((int64_t)c.n == cp.size, CW_ERR_NONCOMPLIANT, "the log has "
	    "fewer events (%zu) than the checkpoint (%lld)", c.n,
	    (long long)cp.size);
	CW_TRY(cw_merkle_inclusion_proof((const uint8_t (*)[CW_HASH_LEN])
	    c.leaves, c.n, (size_t)(c.found_seq - 1), path, &plen, err));
	jp = json_array();
	CW_ENSURE_MEM(jp);
	for (i = 0; i < plen; i++) {
		cw_hex(path[i], CW_HASH_LEN, hex);
		json_array_append_new(jp, json_string(hex));
	}
	*proof = json_pack("{s:s, s:s, s:O, s:I, s:I, s:O, s:s}", "format",
	    "certward-inclusion-proof-v1", "serial", serial, "event", c.event,
	    "leaf_index", (json_int_t)(c.found_seq - 1), "tree_size",
	    (json_int_t)cp.size, "path", jp, "checkpoint", cp_text);
	CW_ENSURE_MEM(*proof);
out:
	json_decref(jp);
	json_decref(c.event);
	free(c.leaves);
	free(stored);
	return rc;
}

cw_rc
cw_audit_check_proof(const json_t *proof, const char *pubkey_pem,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	json_int_t seq, t, idx, size;
	const char *actor, *origin, *channel, *action, *object, *details;
	const char *cp_text, *fmt, *serial;
	json_t *path = NULL;
	cw_audit_event ev;
	cw_checkpoint cp;
	uint8_t leaf[CW_HASH_LEN], (*p)[CW_HASH_LEN] = NULL;
	size_t i, n;
	BIO *b = NULL;
	EVP_PKEY *pub = NULL;
	const char *hex;
	long got;
	unsigned char *bin = NULL;

	CW_ENSURE(json_unpack((json_t *)proof, "{s:s, s:{s:I, s:I, s:s, s:s, "
	    "s:s, s:s, s:s, s:s}, s:I, s:I, s:o, s:s}", "format", &fmt,
	    "event", "seq", &seq, "time", &t, "actor", &actor, "origin",
	    &origin, "channel", &channel, "action", &action, "object", &object,
	    "details", &details, "leaf_index", &idx, "tree_size", &size,
	    "path", &path, "checkpoint", &cp_text) == 0, CW_ERR_INPUT,
	    "not a certward inclusion proof");
	CW_ENSURE(strcmp(fmt, "certward-inclusion-proof-v1") == 0,
	    CW_ERR_INPUT, "unknown proof format '%.40s'", fmt);
	/* the claim ("certificate S was issued") must be what the proven
	 * event says, or a valid proof could be relabelled */
	CW_ENSURE(json_unpack((json_t *)proof, "{s:s}", "serial", &serial) ==
	    0 && strcmp(action, "cert.issue") == 0 && strncmp(object, "cert:",
	    5) == 0 && strcmp(object + 5, serial) == 0, CW_ERR_NONCOMPLIANT,
	    "the proof's event is not the issuance of the certificate it names");
	CW_ENSURE(json_is_array(path) && json_array_size(path) <=
	    CW_MERKLE_MAX_PATH, CW_ERR_INPUT, "the proof path is malformed");
	b = BIO_new_mem_buf(pubkey_pem, -1);
	CW_ENSURE_MEM(b);
	pub = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	CW_ENSURE(pub != NULL, CW_ERR_INPUT, "the audit key is not a PEM "
	    "public key");
	CW_TRY(cw_checkpoint_parse(cp_text, strlen(cp_text), &cp, err));
	CW_TRY(cw_checkpoint_verify(&cp, pub, err));
	CW_ENSURE(cp.size == size && idx >= 0 && idx < size && seq == idx + 1,
	    CW_ERR_NONCOMPLIANT, "the proof's tree size or index does not fit "
	    "its checkpoint");
	memset(&ev, 0, sizeof(ev));
	ev.seq = seq;
	ev.time = t;
	ev.actor = actor;
	ev.origin = origin;
	ev.channel = channel;
	ev.action = action;
	ev.object = object;
	ev.details = details;
	cw_audit_leaf_hash(&ev, leaf);
	n = json_array_size(path);
	p = calloc(n > 0 ? n : 1, sizeof(*p));
	CW_ENSURE_MEM(p);
	for (i = 0; i < n; i++) {
		hex = json_string_value(json_array_get(path, i));
		CW_ENSURE(hex != NULL && strlen(hex) == 64, CW_ERR_INPUT,
		    "proof path entry %zu is not a SHA-256 hex", i);
		bin = OPENSSL_hexstr2buf(hex, &got);
		CW_ENSURE(bin != NULL && got == CW_HASH_LEN, CW_ERR_INPUT,
		    "proof path entry %zu is not hex", i);
		memcpy(p[i], bin, CW_HASH_LEN);
		OPENSSL_free(bin);
		bin = NULL;
	}
	CW_ENSURE(cw_merkle_verify_inclusion(leaf, (size_t)idx, (size_t)size,
	    (const uint8_t (*)[CW_HASH_LEN])p, n, cp.root), CW_ERR_NONCOMPLIANT,
	    "the inclusion proof does not lead to the checkpoint's root: the "
	    "event or the proof was altered");
out:
	OPENSSL_free(bin);
	free(p);
	EVP_PKEY_free(pub);
	BIO_free(b);
	ERR_clear_error();
	return rc;
}
