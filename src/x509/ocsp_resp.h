/*
 * ocsp_resp.h - the OCSP responder core (RFC 6960): parses a request from
 * the network, tells whether its CertIDs name a given issuer, and builds the
 * signed BasicOCSPResponse.  Part of the x509 core: no I/O, no clock (times
 * are parameters), no store (the caller looks each serial up and passes the
 * statuses in).
 *
 * How the HTTP handler is meant to use it:
 *
 *	GET /ocsp/{text}: cw_ocsp_get_decode -> DER;  POST /ocsp: the body
 *	cw_ocsp_request_parse            CW_ERR_INPUT -> malformedRequest
 *	for each single: cw_ocsp_issuer_match against each CA served;
 *	    no single names a CA we serve -> unauthorized (see below)
 *	for each single naming the chosen CA: look serial_hex up -> status;
 *	    singles naming another CA -> CW_OCSP_UNKNOWN
 *	cw_ocsp_response_build           any error -> internalError
 *
 * and every failure becomes one of the fixed cw_ocsp_error_response
 * messages, which cannot fail themselves.
 *
 * Another issuer.  RFC 6960 2.2 lets a responder answer "unknown" for a
 * CertID that names an issuer it does not serve, and 2.3 (with RFC 5019
 * 2.2.3) "unauthorized" when it cannot answer authoritatively.  A response
 * signed by our CA about another CA's certificate is useless to a client
 * (RFC 6960 4.2.2.2: the signer must be that CA or its delegate, so the
 * client rejects it), so: a request none of whose CertIDs names the issuer
 * is answered "unauthorized" (cw_ocsp_response_build refuses it with
 * CW_ERR_NOT_FOUND), and in a request that mixes issuers the foreign
 * CertIDs are answered "unknown" (cw_ocsp_response_build refuses any other
 * status for them, so a lookup bug cannot vouch for another CA's
 * certificate).
 */
#ifndef CW_OCSP_RESP_H
#define CW_OCSP_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../common/err.h"

/* Bounds on outside input; to move to src/common/limits.h. */
#ifndef CW_MAX_OCSP_REQUEST
#define CW_MAX_OCSP_REQUEST (16 * 1024) /* one DER OCSPRequest */
#endif
/* the GET form: base64 of the largest request, every character %XX */
#define CW_MAX_OCSP_GET_TEXT (3 * 4 * ((CW_MAX_OCSP_REQUEST + 2) / 3))

#define CW_OCSP_MAX_SINGLE 16  /* CertIDs in one request */
#define CW_OCSP_NONCE_MAX 128  /* RFC 9654 2.1 (RFC 8954 had 32) */
#define CW_OCSP_HASH_MAX 64    /* SHA-512 */
#define CW_OCSP_SERIAL_MAX 32  /* CertID serial content octets we take */
#define CW_OCSP_SERIAL_OURS 20 /* RFC 5280 4.1.2.2 */

/* The CertID hash algorithms accepted (RFC 6960 4.1.1, RFC 5754). */
typedef enum cw_ocsp_hash {
	CW_OCSP_SHA1,
	CW_OCSP_SHA256,
	CW_OCSP_SHA384,
	CW_OCSP_SHA512,
} cw_ocsp_hash;

/* One CertID of a request, copied out of the DER (no pointers into it). */
typedef struct cw_ocsp_single {
	cw_ocsp_hash hash;
	bool hash_params_null; /* parameters NULL (else absent), echoed as is */
	size_t hash_len;       /* 20, 32, 48 or 64: both hashes have it */
	uint8_t name_hash[CW_OCSP_HASH_MAX]; /* issuerNameHash */
	uint8_t key_hash[CW_OCSP_HASH_MAX];  /* issuerKeyHash */
	/* serialNumber: the INTEGER's content octets (two's complement,
	 * big-endian, minimal), 1..CW_OCSP_SERIAL_MAX of them */
	uint8_t serial[CW_OCSP_SERIAL_MAX];
	size_t serial_len;
	/* The serial as the store writes it (lower-case hex, no leading
	 * zeros); "" when it cannot be a certificate serial at all (zero,
	 * negative or over 20 octets, RFC 5280 4.1.2.2): answer unknown. */
	char serial_hex[2 * CW_OCSP_SERIAL_OURS + 1];
} cw_ocsp_single;

/* A parsed request (cw_ocsp_req_free). */
typedef struct cw_ocsp_req {
	size_t n_single; /* 1..CW_OCSP_MAX_SINGLE */
	cw_ocsp_single single[CW_OCSP_MAX_SINGLE];
	bool has_nonce;
	uint8_t nonce[CW_OCSP_NONCE_MAX]; /* the Nonce's octets, 1..128 */
	size_t nonce_len;
	bool is_signed; /* carried a signature, which is not checked */
} cw_ocsp_req;

/*
 * Parses a DER OCSPRequest (RFC 6960 4.1.1) from the network.  Refuses
 * with CW_ERR_INPUT (the caller answers malformedRequest): more than
 * CW_MAX_OCSP_REQUEST bytes; anything but one DER value using every byte
 * (it must re-encode to the same bytes); a version field (only v1 exists,
 * and DER omits the DEFAULT); no CertID or more than CW_OCSP_MAX_SINGLE;
 * a CertID hash algorithm other than SHA-1/256/384/512, with parameters
 * other than absent or NULL, or hashes not of the digest's length; a serial
 * longer than CW_OCSP_SERIAL_MAX octets; a nonce (RFC 9654, which
 * obsoletes RFC 8954) that is not an OCTET STRING of 1..128 octets; an
 * acceptable-responses extension (4.4.3) without id-pkix-ocsp-basic; an
 * extension twice in one list (RFC 5280 4.2); an unknown critical
 * extension, in the request or in a single request.  A request signature
 * (4.1.2) is accepted and ignored: the responder serves anyone.
 *
 * *out receives the request (cw_ocsp_req_free); NULL on error.
 */
cw_rc cw_ocsp_request_parse(const uint8_t *der, size_t len, cw_ocsp_req **out,
    cw_err *err) CW_MUST_USE;

/* NULL-safe. */
void cw_ocsp_req_free(cw_ocsp_req *req);

/*
 * Decodes the path segment of an OCSP GET (RFC 6960 A.1: the URL encoding
 * of the base64 encoding of the DER request) into DER bytes.  `text` is
 * untrusted and not NUL-terminated: %XX escapes are decoded first (so text
 * the HTTP server already unescaped decodes the same: base64 has no '%'),
 * then the result must be standard base64 (RFC 4648 4: '+', '/', padding
 * optional but correct when present, zero pad bits), at most
 * CW_MAX_OCSP_GET_TEXT characters decoding to at most CW_MAX_OCSP_REQUEST
 * bytes.  CW_ERR_INPUT otherwise.  *der (OPENSSL_free) receives the bytes;
 * they still need cw_ocsp_request_parse.
 */
cw_rc cw_ocsp_get_decode(const char *text, size_t len, uint8_t **der,
    size_t *der_len, cw_err *err) CW_MUST_USE;

/*
 * Sets *match to whether the CertID names `issuer`: its issuerNameHash is
 * the hash of the issuer's subject (DER) and its issuerKeyHash the hash of
 * the issuer's subjectPublicKey bits, both with the CertID's own hash
 * algorithm (RFC 6960 4.1.1).  Errors only from the library.
 */
cw_rc cw_ocsp_issuer_match(const cw_ocsp_single *s, X509 *issuer,
    bool *match, cw_err *err) CW_MUST_USE;

typedef enum cw_ocsp_cert_status {
	CW_OCSP_GOOD,
	CW_OCSP_REVOKED,
	CW_OCSP_UNKNOWN,
} cw_ocsp_cert_status;

/* What the store says about one CertID. */
typedef struct cw_ocsp_status {
	cw_ocsp_cert_status status;
	int64_t revoked_at; /* CW_OCSP_REVOKED: Unix seconds */
	int reason;         /* CW_OCSP_REVOKED: CRL_REASON_*, -1 for none */
} cw_ocsp_status;

/*
 * Builds the successful OCSPResponse for `req`: a BasicOCSPResponse
 * (RFC 6960 4.2.1) with one SingleResponse per CertID, in request order,
 * each echoing its CertID with status st[i] (req->n_single entries),
 * thisUpdate `this_update` and nextUpdate `next_update`; responderID byKey
 * (the SHA-1 of the signer's subjectPublicKey, 4.2.2.3); producedAt =
 * this_update; the request's nonce echoed when it had one (RFC 9654);
 * signed by signer_key with SHA-256 (SHA-384/512 for larger EC keys, none
 * for EdDSA).
 *
 * The signer is the issuer itself (signer_cert == issuer, or NULL) or a
 * delegated responder (4.2.2.2): a certificate issued directly by `issuer`
 * with the id-kp-OCSPSigning extended key usage, which then goes into the
 * response's certs field.  signer_key must be the signer's private key; it
 * is not compared here (that costs as much as the signature): check the
 * pair once when loading it.
 *
 * A revoked status carries revocationTime and revocationReason, the reason
 * omitted when it is -1 or unspecified (0), as in our CRLs (RFC 5280
 * 5.3.1); removeFromCRL (8), 7 and values outside 0..10 are refused
 * (CW_ERR_INPUT), as are times outside 1950..9999 and next_update not after
 * this_update.  CW_ERR_NOT_FOUND when no CertID names `issuer` (answer
 * unauthorized); CW_ERR_INTERNAL when a CertID naming another issuer is
 * given a status other than unknown.
 *
 * *der (OPENSSL_free) receives the DER OCSPResponse.
 */
cw_rc cw_ocsp_response_build(const cw_ocsp_req *req, const cw_ocsp_status *st,
    X509 *issuer, EVP_PKEY *signer_key, X509 *signer_cert, int64_t this_update,
    int64_t next_update, uint8_t **der, size_t *len, cw_err *err) CW_MUST_USE;

/* OCSPResponseStatus (RFC 6960 4.2.1). */
typedef enum cw_ocsp_resp_status {
	CW_OCSP_RESP_SUCCESSFUL = 0,
	CW_OCSP_RESP_MALFORMED_REQUEST = 1,
	CW_OCSP_RESP_INTERNAL_ERROR = 2,
	CW_OCSP_RESP_TRY_LATER = 3,
	CW_OCSP_RESP_SIG_REQUIRED = 5,
	CW_OCSP_RESP_UNAUTHORIZED = 6,
} cw_ocsp_resp_status;

/*
 * The DER OCSPResponse for an error status: the status alone, without
 * responseBytes (RFC 6960 4.2.1).  Static bytes (never freed, never NULL:
 * a status that is not an error, or unknown, yields internalError), so the
 * answer to a failure cannot itself fail.  *len receives the length.
 */
const uint8_t *cw_ocsp_error_response(cw_ocsp_resp_status status,
    size_t *len);

#endif
