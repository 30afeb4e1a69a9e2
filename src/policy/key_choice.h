/*
 * key_choice.h - what a template implies for a key certward generates:
 * the default algorithm and the signature hash to sign a CSR with.
 */
#ifndef CW_KEY_CHOICE_H
#define CW_KEY_CHOICE_H

#include "../x509/keygen.h"
#include "policy.h"

/*
 * The template's strongest-allowed fast choice: EC P-256, then P-384, then
 * P-521, then Ed25519, then RSA at max(min_bits, 3072) capped by max_bits.
 * CW_ERR_CONFIG when the template allows no key certward can generate.
 */
cw_rc cw_template_default_key(const cw_template *t, cw_keyspec *out,
    cw_err *err) CW_MUST_USE;

/*
 * The hash to sign a CSR for this key with: the one matching the key's
 * strength if the template allows it, else the first allowed.  NULL for
 * EdDSA keys (the hash is built in).  CW_ERR_CONFIG if none fits.
 */
cw_rc cw_template_sig_md(const cw_template *t, const cw_keyspec *key,
    const char **md, cw_err *err) CW_MUST_USE;

#endif
