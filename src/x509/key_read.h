/*
 * key_read.h - reading a private key file.
 *
 * On OpenSSL 3.0, PEM_read_bio_PrivateKey runs the generic provider
 * decoder chain, which costs about a millisecond per key (PERFORMANCE.md):
 * more than a whole issuance, paid by every CLI process that opens the
 * CA.  The keys certward writes (PKCS#8 "PRIVATE KEY", keygen.c) on the
 * curves and EdDSA algorithms it uses are therefore read with ASN.1
 * templates and built from their raw values with EVP_PKEY_fromdata, as
 * key_info.c does for public keys; any other form or algorithm still goes
 * through PEM_read_bio_PrivateKey.
 */
#ifndef CW_KEY_READ_H
#define CW_KEY_READ_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "../common/err.h"

/*
 * Reads an unencrypted PEM private key from pem[0..len).  PKCS#8 keys on
 * P-256, P-384 and P-521 (RFC 5915 inside RFC 5208) and Ed25519 and Ed448
 * (RFC 8410) take the fast path.  As with OpenSSL's own decoder, an EC
 * key's public point is the one stored in the file (checking it against
 * the scalar would cost a scalar multiplication, 0.25 ms on P-256): the
 * caller compares it with the certificate (X509_check_private_key).
 * *out is the caller's (EVP_PKEY_free).  CW_ERR_INPUT when the text holds
 * no usable unencrypted private key.
 */
cw_rc cw_key_read_pem(const uint8_t *pem, size_t len, EVP_PKEY **out,
    cw_err *err) CW_MUST_USE;

#endif
