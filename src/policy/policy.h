/*
 * policy.h - the written policy: templates loaded from YAML (DESIGN 6, a
 * contract).  The loader (policy_load.c) turns a file into this structure or
 * into errors that name file:line:column; the evaluator (policy_eval.c) reads
 * it.  Once loaded a policy is immutable and may be shared.
 */
#ifndef CW_POLICY_H
#define CW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "../x509/name_match.h"

/* Signature hash bits for cw_template.sig_hashes. */
enum {
	CW_HASH_SHA256 = 1u << 0,
	CW_HASH_SHA384 = 1u << 1,
	CW_HASH_SHA512 = 1u << 2,
	CW_HASH_SHA224 = 1u << 3,
	CW_HASH_SHA3_256 = 1u << 4,
	CW_HASH_SHA3_384 = 1u << 5,
	CW_HASH_SHA3_512 = 1u << 6,
};

/* Key usage bits, the names of RFC 5280 4.2.1.3 (the policy's spelling). */
enum {
	CW_KU_DIGITAL_SIGNATURE = 1u << 0,
	CW_KU_NON_REPUDIATION = 1u << 1, /* also "contentCommitment" */
	CW_KU_KEY_ENCIPHERMENT = 1u << 2,
	CW_KU_DATA_ENCIPHERMENT = 1u << 3,
	CW_KU_KEY_AGREEMENT = 1u << 4,
	CW_KU_KEY_CERT_SIGN = 1u << 5,
	CW_KU_CRL_SIGN = 1u << 6,
	CW_KU_ENCIPHER_ONLY = 1u << 7,
	CW_KU_DECIPHER_ONLY = 1u << 8,
};

#define CW_MAX_CURVES 8
#define CW_MAX_EKUS 16

/* The template name under which `certward serve` records its own TLS
 * certificate in the inventory; a policy may not use it (the signer and
 * inventory filters would mix the two). */
#define CW_POLICY_RESERVED_TEMPLATE "certward-server"

/* Where something was written in the policy file (1-based). */
typedef struct cw_mark {
	int line;
	int column;
} cw_mark;

typedef struct cw_rsa_rule {
	bool allowed;
	int min_bits;           /* default 2048 */
	int max_bits;           /* default 8192 */
	unsigned long exponent; /* default 65537 */
} cw_rsa_rule;

typedef struct cw_ec_rule {
	bool allowed;
	int curves[CW_MAX_CURVES]; /* OpenSSL NIDs: P-256, P-384, P-521 */
	size_t n_curves;
} cw_ec_rule;

/* One attribute named under `subject:`. */
typedef struct cw_subject_rule {
	int nid;         /* NID_commonName, NID_organizationName, ... */
	const char *key; /* the policy's spelling: "common_name" */
	bool required;
	char *value;   /* exact value, or NULL */
	char *pattern; /* glob, or NULL */
	bool in_san;   /* only meaningful for common_name */
	cw_mark mark;
} cw_subject_rule;

typedef struct cw_pattern_list {
	char **items; /* validated patterns, owned */
	size_t n;
} cw_pattern_list;

typedef struct cw_template {
	char *name;
	char *description; /* may be NULL */
	cw_mark mark;

	/* key: deny by default; a type appears here only when named */
	cw_rsa_rule rsa;
	cw_rsa_rule rsa_pss; /* `rsa_pss:` same shape as rsa; not `rsa` */
	cw_ec_rule ec;
	bool ed25519;
	bool ed448;

	uint32_t sig_hashes; /* CW_HASH_* bits */

	cw_subject_rule *subject;
	size_t n_subject;
	bool other_fields_allow; /* `other_fields: allow`; default deny */

	struct {
		bool required;
		int max;        /* -1 when not given (no limit beyond CW_MAX_SANS) */
		bool wildcards; /* default false */
		cw_pattern_list dns;
		cw_pattern_list uri;
		cw_pattern_list email;
		cw_cidr *ip;
		size_t n_ip;
	} san;

	uint32_t key_usage;         /* CW_KU_* bits allowed in the certificate */
	int eku[CW_MAX_EKUS];       /* NIDs of allowed extended key usages */
	size_t n_eku;

	int64_t validity_default; /* seconds */
	int64_t validity_max;     /* seconds */
	int renew_at_pct;         /* 1..99 */

	int approvals_required; /* 0 = issued without a human */
	char **approval_roles;
	size_t n_approval_roles;

	bool owner_required;
	int64_t owner_max_age; /* seconds; 0 when not given */

	bool key_reuse_allow; /* `key_reuse: allow`; default deny */
} cw_template;

typedef struct cw_policy {
	char *path;
	int version;
	cw_template *templates;
	size_t n_templates;
} cw_policy;

/* One problem found in a policy file. */
typedef struct cw_policy_error {
	cw_mark mark;
	char msg[512]; /* "templates[0].key.rsa.min_bits: expected ..." */
} cw_policy_error;

#define CW_POLICY_MAX_ERRORS 64

typedef struct cw_policy_errors {
	cw_policy_error items[CW_POLICY_MAX_ERRORS];
	size_t n;
	bool truncated; /* more errors than fit */
} cw_policy_errors;

/*
 * Loads and validates a policy file.  On success *out owns a new policy (free
 * with cw_policy_free).  On CW_ERR_CONFIG, errs lists every problem found
 * (each naming line and column), in file order, and err->msg the first as
 * "FILE:LINE:COL: message".  CW_ERR_IO when the file cannot be read or is
 * not a regular file, with the reason in err.  errs may be NULL.
 */
cw_rc cw_policy_load_file(const char *path, cw_policy **out,
    cw_policy_errors *errs, cw_err *err) CW_MUST_USE;

/* Same, from memory; `name` is used in messages in place of a path. */
cw_rc cw_policy_load_mem(const char *name, const char *text, size_t len,
    cw_policy **out, cw_policy_errors *errs, cw_err *err) CW_MUST_USE;

void cw_policy_free(cw_policy *p);

/* Borrowed pointer to the template called `name`, or NULL. */
const cw_template *cw_policy_get0_template(const cw_policy *p, const char *name);

/* Names for printing. */
const char *cw_hash_name(uint32_t bit);          /* "sha256" */
const char *cw_ku_name(uint32_t bit);            /* "digitalSignature" */
const char *cw_subject_key_for_nid(int nid);     /* "common_name" or NULL */
const char *cw_eku_name(int nid);                /* "serverAuth" or NULL */

/*
 * The name tables behind the functions above (policy_names.c): the policy's
 * spelling of each hash, key usage, EKU, curve and subject attribute, one
 * table per kind, read by the loader and by printers alike.  Each table ends
 * with a row whose name is NULL.  An alias row ("contentCommitment",
 * "prime256v1") is accepted when reading and never printed.
 */
typedef struct cw_name_entry {
	const char *name;
	int value; /* CW_HASH_* or CW_KU_* bit, or an OpenSSL NID */
	bool alias;
} cw_name_entry;

extern const cw_name_entry cw_hash_names[];
extern const cw_name_entry cw_ku_names[];
extern const cw_name_entry cw_eku_names[];
extern const cw_name_entry cw_curve_names[];
extern const cw_name_entry cw_subject_names[];

/* The row spelled exactly `name` (case-sensitive), or NULL. */
const cw_name_entry *cw_name_lookup(const cw_name_entry *table,
    const char *name);

/* The printed (non-alias) name of `value`, or NULL. */
const char *cw_name_of(const cw_name_entry *table, int value);

#endif
