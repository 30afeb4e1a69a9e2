/*
 * csr_build.h - builds and signs a PKCS#10 request for a key certward
 * generated.  Only subjectAltName is requested: the certificate's other
 * extensions come from the template, never from the CSR.
 */
#ifndef CW_CSR_BUILD_H
#define CW_CSR_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "../common/err.h"

typedef struct cw_csr_subject_field {
	int nid;
	const char *value; /* UTF-8 */
} cw_csr_subject_field;

typedef struct cw_csr_spec {
	const cw_csr_subject_field *subject;
	size_t n_subject;
	const char *const *dns;
	size_t n_dns;
	const char *const *ip; /* text addresses */
	size_t n_ip;
	const char *const *uri;
	size_t n_uri;
	const char *const *email;
	size_t n_email;
	const char *md; /* "sha256", ...; NULL for Ed25519/Ed448 */
} cw_csr_spec;

/*
 * Builds and signs the request; *der (OPENSSL_free) receives its DER.
 * CW_ERR_USAGE for a value that cannot be encoded (a bad IP address).
 */
cw_rc cw_csr_build(EVP_PKEY *key, const cw_csr_spec *spec, uint8_t **der,
    size_t *der_len, cw_err *err) CW_MUST_USE;

#endif
