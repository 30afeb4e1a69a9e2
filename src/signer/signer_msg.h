/*
 * signer_msg.h - the messages between `certward serve`'s processes and its
 * signer process (signer.h): a fixed layout, versioned, every length
 * bounded.  Pure: no I/O, no clock, no globals; signer_chan.c moves the
 * bytes, signer.c and signer_client.c use the decoded structures.
 *
 * Transport: one AF_UNIX SOCK_SEQPACKET socket pair per client, so every
 * datagram arrives whole and in order.  A message is one body of at most
 * cw_sig_body_max(type) bytes, cut into fragments of at most
 * CW_SIG_FRAG_MAX bytes, each a datagram that starts with this header
 * (big-endian):
 *
 *	u32 magic    "CWSG"
 *	u16 version  CW_SIG_VERSION; anything else is refused
 *	u16 type     cw_sig_type
 *	u32 id       chosen by the client, echoed in the answer
 *	u32 total    length of the whole body
 *	u32 offset   where this fragment's bytes go in the body
 *
 * The receiver (cw_sig_rx_feed) accepts a fragment only when it continues
 * the message in progress exactly (same type, id and total; offset equal
 * to what it already has) and never allocates more than the type's bound.
 *
 * Bodies (big-endian integers; bytesN = uN length then the bytes;
 * strN = bytesN of printable ASCII, no NUL, length 0 meaning absent):
 *
 *	CERT     str8 template; bytes8 serial (1..20); i64 not_before;
 *	         i64 not_after; u16 n, n x (i32 nid, bytes16 value) subject;
 *	         u16 n, n x (u8 type, bytes16 value) SANs; u32 key usage;
 *	         u8 n, n x i32 EKU nid; str16 CRL URL; str16 OCSP URL;
 *	         str16 caIssuers URL; bytes16 SubjectPublicKeyInfo
 *	CRL      i64 thisUpdate; i64 nextUpdate; bytes8 CRL number (1..20);
 *	         u32 n, n x (bytes8 serial (1..20), i64 time, i32 reason)
 *	OCSP     i64 thisUpdate; i64 nextUpdate; u8 n (1..16), n x (u8 hash,
 *	         u8 params NULL, u8 hash length, name hash, key hash, bytes8
 *	         serial (1..32), u8 status, i64 revocation time, i32 reason);
 *	         u8 has nonce [bytes8 nonce (1..128)]; u8 signed
 *	CHECKPOINT i64 size; 32 octets head; 32 octets root; i64 time
 *	ADD_CHANNEL u8 role (one descriptor passed with SCM_RIGHTS)
 *	RELOAD, READY  empty
 *	OK       bytes32 result (DER, a signature, or nothing)
 *	ERROR    u16 refusal (cw_refusal); u16 error code (cw_rc); str16
 *	         message
 *
 * Every decoder refuses trailing bytes, counts over their bound, lengths
 * over what is left, out-of-range enums and text that is not printable.
 * Decoded structures borrow the body's bytes (the caller keeps the body
 * alive while it uses them).
 */
#ifndef CW_SIGNER_MSG_H
#define CW_SIGNER_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../audit/audit.h"
#include "../common/err.h"
#include "../common/limits.h"
#include "../engine/sign.h"
#include "../policy/policy.h"
#include "../x509/cert_build.h"
#include "../x509/ocsp_resp.h"

#define CW_SIG_MAGIC 0x43575347u /* "CWSG" */
#define CW_SIG_VERSION 1
#define CW_SIG_HDR_LEN 20
#define CW_SIG_FRAG_MAX (32 * 1024)  /* one datagram, header included */

/* Bounds of one message body, by what it carries. */
#define CW_SIG_CERT_MAX (512 * 1024)         /* a certificate request */
#define CW_SIG_CRL_ENTRIES_MAX 2000000       /* revoked entries in a CRL */
#define CW_SIG_CRL_MAX (80 * 1024 * 1024)    /* a CRL request or a CRL */
#define CW_SIG_OCSP_MAX (16 * 1024)          /* an OCSP request or answer */
#define CW_SIG_SMALL_MAX 1024                /* everything else */
#define CW_SIG_TEMPLATE_MAX 64               /* a template name */
#define CW_SIG_URL_MAX 1024                  /* a CRL, OCSP or AIA URL */
#define CW_SIG_SPKI_MAX 8192                 /* RSA-16384 fits */
#define CW_SIG_TEXT_MAX 512                  /* an error message */

typedef enum cw_sig_type {
	CW_SIG_CERT = 1,
	CW_SIG_CRL = 2,
	CW_SIG_OCSP = 3,
	CW_SIG_CHECKPOINT = 4,
	CW_SIG_ADD_CHANNEL = 16, /* parent only */
	CW_SIG_RELOAD = 17,      /* parent only */
	CW_SIG_READY = 32,       /* signer -> parent once, after start-up */
	CW_SIG_OK = 64,
	CW_SIG_ERROR = 65,
} cw_sig_type;

/* What a channel may ask for (ADD_CHANNEL); the parent decides. */
typedef enum cw_sig_role {
	CW_SIG_ROLE_WORKER = 1, /* policy templates, CRL, OCSP, checkpoints */
	CW_SIG_ROLE_SERVER = 2, /* only serve's own TLS certificate */
} cw_sig_role;

/* The largest body a message of `type` may have; 0 for unknown types. */
size_t cw_sig_body_max(uint16_t type);

/* --- fragments ----------------------------------------------------------- */

typedef struct cw_sig_hdr {
	uint16_t type;
	uint32_t id;
	uint32_t total;
	uint32_t offset;
} cw_sig_hdr;

/* Writes the header into out[CW_SIG_HDR_LEN]. */
void cw_sig_hdr_put(const cw_sig_hdr *h, uint8_t out[CW_SIG_HDR_LEN]);

/*
 * Reassembles one message from datagrams.  Zero it before first use;
 * cw_sig_rx_reset frees its buffer.  `replies` says which types are
 * acceptable: OK/ERROR/READY (a client) or requests (the signer).
 */
typedef struct cw_sig_rx {
	bool replies;
	bool busy;       /* a message is in progress */
	uint16_t type;
	uint32_t id;
	uint32_t total;
	uint32_t have;
	uint8_t *buf;    /* total bytes once complete */
	size_t cap;      /* allocated, at most total */
} cw_sig_rx;

/*
 * Feeds one datagram.  *done becomes true when the message is complete:
 * rx->type, rx->id, rx->buf and rx->total then describe it until the next
 * feed or reset.  CW_ERR_INPUT for a datagram that is not a valid next
 * fragment (the caller drops the channel or the message): short, wrong
 * magic or version, unknown type, total over the type's bound, an offset
 * other than what was received, a fragment past the total, a fragment of
 * another message while one is in progress.  rx is reset on error.
 */
cw_rc cw_sig_rx_feed(cw_sig_rx *rx, const uint8_t *dgram, size_t len,
    bool *done, cw_err *err) CW_MUST_USE;

/* Frees the buffer and forgets the message in progress; keeps `replies`. */
void cw_sig_rx_reset(cw_sig_rx *rx);

/* --- building bodies ------------------------------------------------------- */

/* A growable body with a hard maximum (cw_sig_wbuf_cleanup frees it). */
typedef struct cw_sig_wbuf {
	uint8_t *b;
	size_t len, cap, max;
	bool overflow; /* something did not fit: the body is unusable */
} cw_sig_wbuf;

void cw_sig_wbuf_init(cw_sig_wbuf *w, size_t max);
void cw_sig_wbuf_cleanup(cw_sig_wbuf *w);

/* --- decoded bodies ---------------------------------------------------------- */

/* CERT: a certificate to build for a template (sign.h sign_cert). */
typedef struct cw_sig_cert_req {
	char tmpl[CW_SIG_TEMPLATE_MAX + 1];
	cw_cert_profile p;   /* md unset: the signer chooses */
	cw_name_attr subject[CW_MAX_SUBJECT_ATTRS];
	cw_gen_name *sans;   /* malloc'd array of p.n_sans */
	int eku[CW_MAX_EKUS];
	char crl_url[CW_SIG_URL_MAX + 1];
	char ocsp_url[CW_SIG_URL_MAX + 1];
	char ca_issuers_url[CW_SIG_URL_MAX + 1];
	const uint8_t *spki; /* borrowed from the body */
	size_t spki_len;
} cw_sig_cert_req;

/* CRL: the entries of a CRL to sign. */
typedef struct cw_sig_crl_req {
	int64_t this_update, next_update;
	const uint8_t *number;
	size_t number_len;
	cw_revoked *rev;     /* malloc'd array of n_rev (serials borrowed) */
	size_t n_rev;
} cw_sig_crl_req;

/* OCSP: the parsed request and the statuses to answer with. */
typedef struct cw_sig_ocsp_req {
	int64_t this_update, next_update;
	cw_ocsp_req req;
	cw_ocsp_status st[CW_OCSP_MAX_SINGLE];
} cw_sig_ocsp_req;

/* ERROR: why the signer refused. */
typedef struct cw_sig_error {
	cw_refusal refusal;
	cw_rc rc;
	char msg[CW_SIG_TEXT_MAX + 1];
} cw_sig_error;

/*
 * Encoders append one body to w (initialised with the type's bound);
 * CW_ERR_INPUT when a field is over its bound (a certificate with more
 * names than one message carries, a template name too long) or the body
 * would not fit.
 */
cw_rc cw_sig_cert_encode(cw_sig_wbuf *w, const char *tmpl,
    const cw_cert_profile *p, const uint8_t *spki, size_t spki_len,
    cw_err *err) CW_MUST_USE;
cw_rc cw_sig_crl_encode(cw_sig_wbuf *w, const cw_revoked *rev, size_t n_rev,
    int64_t this_update, int64_t next_update, const uint8_t *number,
    size_t number_len, cw_err *err) CW_MUST_USE;
cw_rc cw_sig_ocsp_encode(cw_sig_wbuf *w, const cw_ocsp_req *req,
    const cw_ocsp_status *st, int64_t this_update, int64_t next_update,
    cw_err *err) CW_MUST_USE;
cw_rc cw_sig_checkpoint_encode(cw_sig_wbuf *w, const cw_checkpoint *cp,
    cw_err *err) CW_MUST_USE;
cw_rc cw_sig_u8_encode(cw_sig_wbuf *w, uint8_t v, cw_err *err) CW_MUST_USE;
cw_rc cw_sig_ok_encode(cw_sig_wbuf *w, const uint8_t *data, size_t len,
    cw_err *err) CW_MUST_USE;
cw_rc cw_sig_error_encode(cw_sig_wbuf *w, cw_refusal refusal, cw_rc rc,
    const char *msg, cw_err *err) CW_MUST_USE;

/*
 * Decoders: CW_ERR_INPUT naming the field for anything malformed.  The
 * outputs borrow from body; cert and crl outputs own an array released by
 * cw_sig_cert_req_cleanup / cw_sig_crl_req_cleanup (also after an error).
 */
cw_rc cw_sig_cert_decode(const uint8_t *body, size_t len, cw_sig_cert_req *r,
    cw_err *err) CW_MUST_USE;
void cw_sig_cert_req_cleanup(cw_sig_cert_req *r);
cw_rc cw_sig_crl_decode(const uint8_t *body, size_t len, cw_sig_crl_req *r,
    cw_err *err) CW_MUST_USE;
void cw_sig_crl_req_cleanup(cw_sig_crl_req *r);
cw_rc cw_sig_ocsp_decode(const uint8_t *body, size_t len, cw_sig_ocsp_req *r,
    cw_err *err) CW_MUST_USE;
cw_rc cw_sig_checkpoint_decode(const uint8_t *body, size_t len,
    cw_checkpoint *cp, cw_err *err) CW_MUST_USE;
cw_rc cw_sig_u8_decode(const uint8_t *body, size_t len, uint8_t *v,
    cw_err *err) CW_MUST_USE;
cw_rc cw_sig_ok_decode(const uint8_t *body, size_t len, const uint8_t **data,
    size_t *data_len, cw_err *err) CW_MUST_USE;
cw_rc cw_sig_error_decode(const uint8_t *body, size_t len, cw_sig_error *e,
    cw_err *err) CW_MUST_USE;

#endif
