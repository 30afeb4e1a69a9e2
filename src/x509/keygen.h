/*
 * keygen.h - local key generation and private key files.  The private key
 * never leaves the machine that made it: certward writes it once, mode 0600
 * from the first byte, optionally encrypted (PKCS#8, AES-256-CBC, scrypt
 * from OpenSSL's PBES2 defaults), and never logs it.
 */
#ifndef CW_KEYGEN_H
#define CW_KEYGEN_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#include "../common/err.h"
#include "key_info.h"

typedef struct cw_keyspec {
	cw_key_type type; /* RSA, EC or ED25519 */
	int bits;         /* RSA modulus size */
	int curve_nid;    /* EC */
} cw_keyspec;

/*
 * Parses "rsa:BITS", "ec:P-256", "ec:P-384", "ec:P-521", "ed25519" or
 * "ed448" into spec.  CW_ERR_USAGE naming the accepted forms otherwise.
 */
cw_rc cw_keyspec_parse(const char *text, cw_keyspec *spec, cw_err *err)
    CW_MUST_USE;

/* "rsa:3072", "ec:P-256", "ed25519" */
void cw_keyspec_format(const cw_keyspec *spec, char *buf, size_t len);

/* Generates a new key; *out is the caller's (EVP_PKEY_free). */
cw_rc cw_keygen(const cw_keyspec *spec, EVP_PKEY **out, cw_err *err)
    CW_MUST_USE;

/*
 * Writes the private key as PEM to path, mode 0600, atomically.  With a
 * passphrase (pass != NULL) it is encrypted PKCS#8.  Refuses to replace an
 * existing file unless overwrite (CW_ERR_EXISTS).
 */
cw_rc cw_key_write(EVP_PKEY *pkey, const char *path, const char *pass,
    bool overwrite, cw_err *err) CW_MUST_USE;

#endif
