/*
 * audit.h - the tamper-evident audit log: hash-linked events, an RFC 9162
 * style Merkle tree over them, signed checkpoints and inclusion proofs.
 *
 * Pure: the functions here compute and check hashes and signatures; the
 * store (src/store) keeps the events, and the engine appends one in the
 * same database transaction as the state change it records.
 *
 * Hashes (all SHA-256):
 *   leaf(e)    = SHA256(0x00 || canonical(e))            RFC 9162 2.1.1
 *   node(l, r) = SHA256(0x01 || l || r)
 *   chain(e)   = SHA256(chain(e-1) || leaf(e)), chain(-1) = 32 zero bytes
 * canonical(e) is a length-prefixed encoding of every field of the event
 * (seq, time, actor, origin, channel, action, object, details) so that no
 * two different events share it.
 */
#ifndef CW_AUDIT_H
#define CW_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "../common/err.h"

#define CW_HASH_LEN 32

typedef struct cw_audit_event {
	int64_t seq;          /* 1, 2, 3, ... without gaps */
	int64_t time;         /* Unix seconds, UTC */
	const char *actor;    /* principal */
	const char *origin;   /* human | automation | system */
	const char *channel;  /* cli | rest | acme | est | agent | system */
	const char *action;   /* "request.submit", "cert.issue", ... */
	const char *object;   /* "request:12", "cert:ab12...", "service:web" */
	const char *details;  /* canonical JSON text (sorted keys, compact) */
	uint8_t prev[CW_HASH_LEN]; /* chain hash of the previous event */
	uint8_t hash[CW_HASH_LEN]; /* chain hash of this event */
} cw_audit_event;

/* leaf(e) into out. */
void cw_audit_leaf_hash(const cw_audit_event *e, uint8_t out[CW_HASH_LEN]);

/* chain(e) = SHA256(prev || leaf(e)) into out. */
void cw_audit_chain_hash(const uint8_t prev[CW_HASH_LEN],
    const uint8_t leaf[CW_HASH_LEN], uint8_t out[CW_HASH_LEN]);

/* --- Merkle tree (RFC 9162 2.1) ------------------------------------------ */

/* MTH of n leaf hashes (n may be 0: SHA256 of the empty string). */
cw_rc cw_merkle_root(const uint8_t (*leaves)[CW_HASH_LEN], size_t n,
    uint8_t out[CW_HASH_LEN], cw_err *err) CW_MUST_USE;

#define CW_MERKLE_MAX_PATH 64

/* Inclusion proof (audit path) of leaf `index` in a tree of n leaves. */
cw_rc cw_merkle_inclusion_proof(const uint8_t (*leaves)[CW_HASH_LEN],
    size_t n, size_t index, uint8_t (*path)[CW_HASH_LEN], size_t *path_len,
    cw_err *err) CW_MUST_USE;

/* RFC 9162 2.1.3.2: does the path prove leaf at index in a tree of
 * tree_size leaves with the given root? */
bool cw_merkle_verify_inclusion(const uint8_t leaf[CW_HASH_LEN], size_t index,
    size_t tree_size, const uint8_t (*path)[CW_HASH_LEN], size_t path_len,
    const uint8_t root[CW_HASH_LEN]);

/* --- checkpoints ------------------------------------------------------------ */

typedef struct cw_checkpoint {
	int64_t size;                /* number of events covered */
	uint8_t head[CW_HASH_LEN];   /* chain hash of event `size` */
	uint8_t root[CW_HASH_LEN];   /* Merkle root over leaves 1..size */
	int64_t time;                /* when it was made */
	uint8_t sig[512];            /* signature over the text body */
	size_t sig_len;
} cw_checkpoint;

/*
 * Text form (what `audit checkpoint --out` writes and auditors keep):
 *   certward-audit-checkpoint v1
 *   size N
 *   head HEX
 *   root HEX
 *   time UNIX
 *   signature BASE64        (over all lines above, each ending in \n)
 */
cw_rc cw_checkpoint_sign(cw_checkpoint *cp, EVP_PKEY *key, cw_err *err)
    CW_MUST_USE;
cw_rc cw_checkpoint_verify(const cw_checkpoint *cp, EVP_PKEY *pub,
    cw_err *err) CW_MUST_USE;
/* *out is a malloc'd NUL-terminated text (free). */
cw_rc cw_checkpoint_format(const cw_checkpoint *cp, char **out, cw_err *err)
    CW_MUST_USE;
cw_rc cw_checkpoint_parse(const char *text, size_t len, cw_checkpoint *cp,
    cw_err *err) CW_MUST_USE;

/* --- verification of a whole log ------------------------------------------- */

/*
 * Streaming verifier: feed the events in seq order, then finish.  Reports
 * the first bad event (a changed field, a deleted, inserted or reordered
 * event: seq gap, wrong prev, wrong hash) and, when a checkpoint is given,
 * a log that no longer reaches the checkpoint's size (truncation) or whose
 * head or root differs from it.
 */
typedef struct cw_audit_verifier cw_audit_verifier;

cw_rc cw_audit_verifier_new(const cw_checkpoint *cp, cw_audit_verifier **out,
    cw_err *err) CW_MUST_USE;
/* CW_ERR_NONCOMPLIANT with the reason naming the event's seq on the first
 * problem; the verifier then stays failed. */
cw_rc cw_audit_verifier_add(cw_audit_verifier *v, const cw_audit_event *e,
    cw_err *err) CW_MUST_USE;
cw_rc cw_audit_verifier_finish(cw_audit_verifier *v, int64_t *n_events,
    uint8_t head[CW_HASH_LEN], uint8_t root[CW_HASH_LEN], cw_err *err)
    CW_MUST_USE;
void cw_audit_verifier_free(cw_audit_verifier *v);

#endif
