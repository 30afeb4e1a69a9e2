/*
 * csr.h - a parsed PKCS#10 certificate signing request, as facts certward
 * can evaluate.  csr_parse.c builds it from hostile bytes (DESIGN 6.1 Input):
 * PEM or DER, at most CW_MAX_CSR_BYTES, strict DER (re-encoding gives the
 * same bytes), version 0.  Structural problems that make a CSR unacceptable
 * under any template (two extensionRequest attributes, a duplicated
 * extension, an unknown critical extension, an undecodable extension) are
 * recorded as findings with their rule id; the evaluator reports them.
 *
 * Pure: no I/O, no clock, no globals.
 */
#ifndef CW_CSR_H
#define CW_CSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "../policy/verdict.h"
#include "key_info.h"

typedef enum cw_san_type {
	CW_SAN_DNS,
	CW_SAN_IP,
	CW_SAN_URI,
	CW_SAN_EMAIL,
	CW_SAN_OTHER, /* otherName, x400, dirName, ediParty, registeredID */
} cw_san_type;

/* One requested subjectAltName; val is raw bytes (may hold NULs). */
typedef struct cw_san {
	cw_san_type type;
	uint8_t *val;
	size_t len;
	char other[48]; /* for CW_SAN_OTHER: "otherName", "dirName", ... */
} cw_san;

/* One subject attribute in order of appearance. */
typedef struct cw_subject_attr {
	int nid;       /* NID_undef when OpenSSL does not know the OID */
	char oid[80];  /* dotted */
	int str_type;  /* V_ASN1_UTF8STRING, V_ASN1_PRINTABLESTRING, ... */
	uint8_t *val;  /* raw content octets */
	size_t len;
	char *text;    /* display form: UTF-8, non-printables escaped */
	int rdn_index; /* RDN (set) it belongs to */
} cw_subject_attr;

/* One requested extension as seen in extensionRequest. */
typedef struct cw_req_ext {
	int nid;
	char oid[80];
	bool critical;
} cw_req_ext;

typedef struct cw_csr {
	uint8_t *der; /* the request, exactly as received (DER) */
	size_t der_len;
	/* the SubjectPublicKeyInfo, a slice of der (borrowed: valid as long
	 * as the cw_csr): what a certificate for this request carries */
	const uint8_t *spki;
	size_t spki_len;

	cw_key_info key;

	/* signature */
	int sig_nid;        /* e.g. NID_ecdsa_with_SHA256, NID_rsassaPss */
	int sig_md_nid;     /* hash, NID_undef for Ed25519/Ed448 */
	char sig_oid[80];
	bool pop_ok;        /* self-signature verified with the key */
	char pop_msg[320];  /* why not */

	/* subject */
	cw_subject_attr *subject;
	size_t n_subject;
	size_t n_rdns;
	char *subject_text; /* one-line RFC 2253 form for display */

	/* requested extensions */
	cw_req_ext *exts;
	size_t n_exts;
	bool has_san;
	cw_san *sans;
	size_t n_sans;
	bool has_bc;
	bool bc_ca;
	bool bc_pathlen;
	bool has_ku;
	uint32_t ku; /* CW_KU_* bits */
	bool has_eku;
	int *eku;    /* NIDs (NID_undef for unknown OIDs) */
	char (*eku_oid)[80];
	size_t n_eku;

	/* problems found while parsing that no template can waive */
	cw_violations findings;
} cw_csr;

/*
 * Parses a CSR from PEM or DER bytes.  CW_ERR_INPUT (with a message naming
 * the problem) for anything that is not a single strict-DER PKCS#10 request
 * of version 0.  On success *out owns a new cw_csr (cw_csr_free).
 */
cw_rc cw_csr_parse(const uint8_t *in, size_t len, cw_csr **out, cw_err *err)
    CW_MUST_USE;

void cw_csr_free(cw_csr *csr);

/* "dns", "ip", "uri", "email", "other" */
const char *cw_san_type_name(cw_san_type t);

/* Hash name of a signature's digest NID ("sha256"), or NULL. */
const char *cw_md_name(int md_nid);

#endif
