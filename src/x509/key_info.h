/*
 * key_info.h - what certward knows about a SubjectPublicKeyInfo: type, size,
 * curve, RSA numbers, SHA-256 fingerprint, and a usable EVP_PKEY.
 *
 * The common key types (RSA, EC on named prime curves, Ed25519) are built
 * from their raw numbers with EVP_PKEY_fromdata, which on OpenSSL 3.0 is
 * several times cheaper than the generic provider decoder behind
 * d2i_PUBKEY (PERFORMANCE.md); everything else goes through d2i_PUBKEY.
 *
 * A key that cannot be decoded (an EC point off its curve, a malformed RSA
 * key) is not an input error: it is recorded in `problem` with pkey NULL so
 * that policy evaluation can report it as `key.weak` or `key.algorithm`.
 */
#ifndef CW_KEY_INFO_H
#define CW_KEY_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "../common/err.h"

typedef enum cw_key_type {
	CW_KEYT_UNKNOWN = 0,
	CW_KEYT_RSA,
	CW_KEYT_RSA_PSS,
	CW_KEYT_EC,
	CW_KEYT_ED25519,
	CW_KEYT_ED448,
} cw_key_type;

typedef enum cw_key_problem {
	CW_KEYP_NONE = 0,
	CW_KEYP_MALFORMED,   /* encoding of the key itself is wrong */
	CW_KEYP_INVALID,     /* decodes but is not a valid key (point off curve) */
	CW_KEYP_UNSUPPORTED, /* a shape we do not accept (explicit EC params) */
} cw_key_problem;

typedef struct cw_key_info {
	cw_key_type type;
	int bits;             /* RSA modulus bits; EC field bits; 255, 448 */
	int curve_nid;        /* EC named curve NID, else NID_undef */
	char alg_oid[80];     /* dotted OID of the SPKI algorithm */
	BIGNUM *rsa_n;        /* RSA and RSA-PSS */
	BIGNUM *rsa_e;
	EVP_PKEY *pkey;       /* NULL when problem != NONE */
	cw_key_problem problem;
	char problem_msg[200];
	uint8_t spki_sha256[32];
} cw_key_info;

/*
 * Fills ki (caller-owned, zeroed by this call) from a DER
 * SubjectPublicKeyInfo.  Returns CW_OK even for an unusable key (see
 * ki->problem); an error only for allocation or library failures.  Release
 * with cw_key_info_cleanup.
 */
cw_rc cw_key_info_from_spki(const uint8_t *spki, size_t len, cw_key_info *ki,
    cw_err *err) CW_MUST_USE;

/* Same, from an EVP_PKEY (a key certward generated or a certificate's). */
cw_rc cw_key_info_from_pkey(EVP_PKEY *pkey, cw_key_info *ki, cw_err *err)
    CW_MUST_USE;

void cw_key_info_cleanup(cw_key_info *ki);

/* "rsa", "rsa-pss", "ec", "ed25519", "ed448", "unknown" */
const char *cw_key_type_name(cw_key_type t);

/* "P-256", "P-384", "P-521" or the OpenSSL short name; "unknown" */
const char *cw_curve_name(int nid);

#endif
