/*
 * signer_msg.c - encoders and decoders of the signer's messages (layout in
 * signer_msg.h).  The decoders face a process that may be compromised: a
 * worker runs libmicrohttpd and GnuTLS on network input.  So every read
 * goes through one bounded reader that fails closed, counts are checked
 * against their bound before anything is allocated, and nothing is
 * trusted because it was length-prefixed.
 */
#include "signer_msg.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* --- bounds by type ---------------------------------------------------------- */

size_t
cw_sig_body_max(uint16_t type)
{
	switch (type) {
	case CW_SIG_CERT: return CW_SIG_CERT_MAX;
	case CW_SIG_CRL: return CW_SIG_CRL_MAX;
	case CW_SIG_OCSP: return CW_SIG_OCSP_MAX;
	case CW_SIG_CHECKPOINT:
	case CW_SIG_ADD_CHANNEL:
	case CW_SIG_RELOAD:
	case CW_SIG_READY:
	case CW_SIG_ERROR:
		return CW_SIG_SMALL_MAX;
	/* the largest answer is a CRL */
	case CW_SIG_OK: return CW_SIG_CRL_MAX;
	default: return 0;
	}
}

static bool
is_reply(uint16_t type)
{
	return type == CW_SIG_OK || type == CW_SIG_ERROR ||
	    type == CW_SIG_READY;
}

/* --- fragments ---------------------------------------------------------------- */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

void
cw_sig_hdr_put(const cw_sig_hdr *h, uint8_t out[CW_SIG_HDR_LEN])
{
	put32(out, CW_SIG_MAGIC);
	put16(out + 4, CW_SIG_VERSION);
	put16(out + 6, h->type);
	put32(out + 8, h->id);
	put32(out + 12, h->total);
	put32(out + 16, h->offset);
}

void
cw_sig_rx_reset(cw_sig_rx *rx)
{
	bool replies = rx->replies;

	/* a body may hold a signed CRL or a revocation list: wipe it */
	if (rx->buf != NULL)
		OPENSSL_clear_free(rx->buf, rx->cap);
	memset(rx, 0, sizeof(*rx));
	rx->replies = replies;
}

/* Makes room for n more bytes: doubling, never past the message's total,
 * so that a header alone cannot make the receiver reserve the type's
 * maximum and a long message is not copied once per fragment. */
static bool
rx_grow(cw_sig_rx *rx, size_t n)
{
	size_t cap = rx->cap;
	uint8_t *nb;

	if (rx->have + n <= rx->cap)
		return true;
	if (cap < 4096)
		cap = 4096;
	while (cap < rx->have + n)
		cap *= 2;
	if (cap > rx->total)
		cap = rx->total;
	if ((nb = OPENSSL_malloc(cap)) == NULL)
		return false;
	if (rx->buf != NULL) {
		memcpy(nb, rx->buf, rx->have);
		OPENSSL_clear_free(rx->buf, rx->cap);
	}
	rx->buf = nb;
	rx->cap = cap;
	return true;
}

cw_rc
cw_sig_rx_feed(cw_sig_rx *rx, const uint8_t *dgram, size_t len, bool *done,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_sig_hdr h;
	size_t n, max;

	*done = false;
	if (rx->busy && rx->have == rx->total)
		cw_sig_rx_reset(rx); /* the last message was taken */
	CW_ENSURE(len >= CW_SIG_HDR_LEN && len <= CW_SIG_FRAG_MAX, CW_ERR_INPUT,
	    "signer message: a fragment of %zu bytes (expected %d to %d)",
	    len, CW_SIG_HDR_LEN, CW_SIG_FRAG_MAX);
	CW_ENSURE(get32(dgram) == CW_SIG_MAGIC, CW_ERR_INPUT,
	    "signer message: bad magic");
	CW_ENSURE(get16(dgram + 4) == CW_SIG_VERSION, CW_ERR_INPUT,
	    "signer message: version %u (this signer speaks %d)",
	    get16(dgram + 4), CW_SIG_VERSION);
	h.type = get16(dgram + 6);
	h.id = get32(dgram + 8);
	h.total = get32(dgram + 12);
	h.offset = get32(dgram + 16);
	n = len - CW_SIG_HDR_LEN;
	max = cw_sig_body_max(h.type);
	CW_ENSURE(max > 0 && is_reply(h.type) == rx->replies, CW_ERR_INPUT,
	    "signer message: type %u is not expected here", h.type);
	CW_ENSURE(h.total <= max, CW_ERR_INPUT, "signer message: a body of "
	    "%u bytes (type %u allows %zu)", h.total, h.type, max);
	if (!rx->busy) {
		CW_ENSURE(h.offset == 0, CW_ERR_INPUT, "signer message: "
		    "fragment at offset %u without its beginning", h.offset);
		rx->busy = true;
		rx->type = h.type;
		rx->id = h.id;
		rx->total = h.total;
		rx->have = 0;
	} else {
		CW_ENSURE(h.type == rx->type && h.id == rx->id &&
		    h.total == rx->total && h.offset == rx->have, CW_ERR_INPUT,
		    "signer message: fragment (type %u, id %u, offset %u) does "
		    "not continue the message in progress", h.type, h.id,
		    h.offset);
	}
	CW_ENSURE(n <= (size_t)(rx->total - rx->have), CW_ERR_INPUT,
	    "signer message: fragment runs past the body's %u bytes",
	    rx->total);
	/* a fragment carries bytes unless it is the whole (empty) body */
	CW_ENSURE(n > 0 || rx->total == 0, CW_ERR_INPUT,
	    "signer message: empty fragment");
	if (n > 0) {
		CW_ENSURE(rx_grow(rx, n), CW_ERR_NOMEM, "out of memory");
		memcpy(rx->buf + rx->have, dgram + CW_SIG_HDR_LEN, n);
		rx->have += (uint32_t)n;
	}
	*done = rx->have == rx->total;
out:
	if (rc != CW_OK)
		cw_sig_rx_reset(rx);
	return rc;
}

/* --- writer -------------------------------------------------------------------- */

void
cw_sig_wbuf_init(cw_sig_wbuf *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
}

void
cw_sig_wbuf_cleanup(cw_sig_wbuf *w)
{
	if (w->b != NULL)
		OPENSSL_clear_free(w->b, w->cap);
	memset(w, 0, sizeof(*w));
}

static void
w_raw(cw_sig_wbuf *w, const void *p, size_t n)
{
	size_t cap;
	uint8_t *nb;

	if (w->overflow)
		return;
	if (n > w->max - w->len) {
		w->overflow = true;
		return;
	}
	if (w->len + n > w->cap) {
		cap = w->cap < 256 ? 256 : w->cap;
		while (cap < w->len + n)
			cap = cap > w->max / 2 ? w->max : cap * 2;
		if ((nb = OPENSSL_malloc(cap)) == NULL) {
			w->overflow = true;
			return;
		}
		if (w->b != NULL) {
			memcpy(nb, w->b, w->len);
			OPENSSL_clear_free(w->b, w->cap);
		}
		w->b = nb;
		w->cap = cap;
	}
	if (n > 0)
		memcpy(w->b + w->len, p, n);
	w->len += n;
}

static void
w_u8(cw_sig_wbuf *w, uint8_t v)
{
	w_raw(w, &v, 1);
}

static void
w_u16(cw_sig_wbuf *w, uint16_t v)
{
	uint8_t b[2];

	put16(b, v);
	w_raw(w, b, 2);
}

static void
w_u32(cw_sig_wbuf *w, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	w_raw(w, b, 4);
}

static void
w_i64(cw_sig_wbuf *w, int64_t v)
{
	uint64_t u = (uint64_t)v;

	w_u32(w, (uint32_t)(u >> 32));
	w_u32(w, (uint32_t)u);
}

/* A length-prefixed field: lbytes (1, 2 or 4) of length, then the bytes;
 * a length over max marks the body unusable. */
static void
w_bytes(cw_sig_wbuf *w, int lbytes, const uint8_t *p, size_t n, size_t max)
{
	if (n > max) {
		w->overflow = true;
		return;
	}
	if (lbytes == 1)
		w_u8(w, (uint8_t)n);
	else if (lbytes == 2)
		w_u16(w, (uint16_t)n);
	else
		w_u32(w, (uint32_t)n);
	w_raw(w, p, n);
}

static void
w_str(cw_sig_wbuf *w, int lbytes, const char *s, size_t max)
{
	w_bytes(w, lbytes, (const uint8_t *)(s != NULL ? s : ""),
	    s != NULL ? strlen(s) : 0, max);
}

static cw_rc
w_done(const cw_sig_wbuf *w, const char *what, cw_err *err)
{
	if (w->overflow)
		return cw_err_set(err, CW_ERR_INPUT, "the %s does not fit in "
		    "one signer message (at most %zu bytes, each field within "
		    "its bound: signer_msg.h)", what, w->max);
	return CW_OK;
}

/* --- reader --------------------------------------------------------------------- */

typedef struct rbuf {
	const uint8_t *p;
	size_t left;
	const char *bad; /* first field that did not decode */
} rbuf;

static bool
r_take(rbuf *r, size_t n, const uint8_t **out, const char *field)
{
	if (r->bad != NULL)
		return false;
	if (n > r->left) {
		r->bad = field;
		return false;
	}
	*out = r->p;
	r->p += n;
	r->left -= n;
	return true;
}

static uint8_t
r_u8(rbuf *r, const char *field)
{
	const uint8_t *p;

	return r_take(r, 1, &p, field) ? p[0] : 0;
}

static uint16_t
r_u16(rbuf *r, const char *field)
{
	const uint8_t *p;

	return r_take(r, 2, &p, field) ? get16(p) : 0;
}

static uint32_t
r_u32(rbuf *r, const char *field)
{
	const uint8_t *p;

	return r_take(r, 4, &p, field) ? get32(p) : 0;
}

static int64_t
r_i64(rbuf *r, const char *field)
{
	const uint8_t *p;
	uint64_t u;

	if (!r_take(r, 8, &p, field))
		return 0;
	u = (uint64_t)get32(p) << 32 | get32(p + 4);
	return (int64_t)u;
}

static int32_t
r_i32(rbuf *r, const char *field)
{
	return (int32_t)r_u32(r, field);
}

/* Marks the field bad unless cond holds. */
static bool
r_check(rbuf *r, bool cond, const char *field)
{
	if (r->bad == NULL && !cond)
		r->bad = field;
	return r->bad == NULL;
}

/* A length-prefixed field of min..max bytes (borrowed). */
static bool
r_bytes(rbuf *r, int lbytes, size_t min, size_t max, const uint8_t **p,
    size_t *n, const char *field)
{
	size_t len = lbytes == 1 ? r_u8(r, field) : lbytes == 2 ?
	    r_u16(r, field) : r_u32(r, field);

	*p = NULL;
	*n = 0;
	if (!r_check(r, len >= min && len <= max, field))
		return false;
	if (!r_take(r, len, p, field))
		return false;
	*n = len;
	return true;
}

/* Printable ASCII text (0 bytes = absent) copied NUL-terminated. */
static bool
r_str(rbuf *r, int lbytes, char *out, size_t max, const char *field)
{
	const uint8_t *p;
	size_t n, i;

	out[0] = '\0';
	if (!r_bytes(r, lbytes, 0, max, &p, &n, field))
		return false;
	for (i = 0; i < n; i++)
		if (!r_check(r, p[i] >= 0x20 && p[i] < 0x7f, field))
			return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

static cw_rc
r_done(rbuf *r, const char *what, cw_err *err)
{
	if (r->bad == NULL && r->left != 0)
		r->bad = "trailing bytes";
	if (r->bad != NULL)
		return cw_err_set(err, CW_ERR_INPUT, "malformed %s message: "
		    "%s", what, r->bad);
	return CW_OK;
}

/* --- CERT ------------------------------------------------------------------------ */

/* A template name: what the policy loader accepts ([a-z0-9._-]), plus the
 * server's own profile name, which has the same alphabet. */
static bool
template_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

cw_rc
cw_sig_cert_encode(cw_sig_wbuf *w, const char *tmpl, const cw_cert_profile *p,
    const uint8_t *spki, size_t spki_len, cw_err *err)
{
	size_t i;

	if (p->n_subject > CW_MAX_SUBJECT_ATTRS || p->n_sans > CW_MAX_SANS ||
	    p->n_eku > CW_MAX_EKUS)
		return cw_err_set(err, CW_ERR_INPUT, "the certificate has more "
		    "subject attributes, names or EKUs than the signer takes");
	w_str(w, 1, tmpl, CW_SIG_TEMPLATE_MAX);
	w_bytes(w, 1, p->serial, p->serial_len, 20);
	w_i64(w, p->not_before);
	w_i64(w, p->not_after);
	w_u16(w, (uint16_t)p->n_subject);
	for (i = 0; i < p->n_subject; i++) {
		w_u32(w, (uint32_t)p->subject[i].nid);
		w_bytes(w, 2, p->subject[i].val, p->subject[i].len,
		    CW_MAX_NAME_BYTES);
	}
	w_u16(w, (uint16_t)p->n_sans);
	for (i = 0; i < p->n_sans; i++) {
		w_u8(w, (uint8_t)p->sans[i].type);
		w_bytes(w, 2, p->sans[i].val, p->sans[i].len,
		    CW_MAX_NAME_BYTES);
	}
	w_u32(w, p->key_usage);
	w_u8(w, (uint8_t)p->n_eku);
	for (i = 0; i < p->n_eku; i++)
		w_u32(w, (uint32_t)p->eku[i]);
	w_str(w, 2, p->crl_url, CW_SIG_URL_MAX);
	w_str(w, 2, p->ocsp_url, CW_SIG_URL_MAX);
	w_str(w, 2, p->ca_issuers_url, CW_SIG_URL_MAX);
	w_bytes(w, 2, spki, spki_len, CW_SIG_SPKI_MAX);
	return w_done(w, "certificate", err);
}

void
cw_sig_cert_req_cleanup(cw_sig_cert_req *r)
{
	free(r->sans);
	memset(r, 0, sizeof(*r));
}

cw_rc
cw_sig_cert_decode(const uint8_t *body, size_t len, cw_sig_cert_req *r,
    cw_err *err)
{
	rbuf rd = {body, len, NULL};
	const uint8_t *v;
	size_t n, i;
	uint8_t t;

	memset(r, 0, sizeof(*r));
	if (r_str(&rd, 1, r->tmpl, CW_SIG_TEMPLATE_MAX, "template"))
		r_check(&rd, template_name_ok(r->tmpl), "template");
	/* RFC 5280 4.1.2.2: at most 20 octets */
	r_bytes(&rd, 1, 1, 20, &r->p.serial, &r->p.serial_len, "serial");
	r->p.not_before = r_i64(&rd, "notBefore");
	r->p.not_after = r_i64(&rd, "notAfter");
	n = r_u16(&rd, "subject count");
	if (r_check(&rd, n <= CW_MAX_SUBJECT_ATTRS, "subject count")) {
		for (i = 0; i < n && rd.bad == NULL; i++) {
			r->subject[i].nid = r_i32(&rd, "subject nid");
			r_bytes(&rd, 2, 1, CW_MAX_NAME_BYTES,
			    &r->subject[i].val, &r->subject[i].len,
			    "subject value");
		}
		r->p.subject = r->subject;
		r->p.n_subject = n;
	}
	n = r_u16(&rd, "SAN count");
	if (r_check(&rd, n <= CW_MAX_SANS, "SAN count") && n > 0) {
		r->sans = calloc(n, sizeof(*r->sans));
		if (r->sans == NULL) {
			cw_sig_cert_req_cleanup(r);
			return cw_err_set(err, CW_ERR_NOMEM, "out of memory");
		}
		for (i = 0; i < n && rd.bad == NULL; i++) {
			t = r_u8(&rd, "SAN type");
			r_check(&rd, t <= CW_GN_EMAIL, "SAN type");
			r->sans[i].type = (cw_gn_type)t;
			r_bytes(&rd, 2, 1, CW_MAX_NAME_BYTES, &v,
			    &r->sans[i].len, "SAN value");
			r->sans[i].val = v;
			/* RFC 5280 4.2.1.6: an address is 4 or 16 octets */
			if (t == CW_GN_IP)
				r_check(&rd, r->sans[i].len == 4 ||
				    r->sans[i].len == 16, "SAN IP address");
		}
		r->p.sans = r->sans;
		r->p.n_sans = n;
	}
	r->p.key_usage = r_u32(&rd, "key usage");
	/* RFC 5280 4.2.1.3: bits 0 (digitalSignature) to 8 (decipherOnly) */
	r_check(&rd, (r->p.key_usage & ~(uint32_t)0x1ff) == 0, "key usage");
	n = r_u8(&rd, "EKU count");
	if (r_check(&rd, n <= CW_MAX_EKUS, "EKU count")) {
		for (i = 0; i < n && rd.bad == NULL; i++) {
			r->eku[i] = r_i32(&rd, "EKU");
			r_check(&rd, r->eku[i] > 0, "EKU");
		}
		r->p.eku = r->eku;
		r->p.n_eku = n;
	}
	r_str(&rd, 2, r->crl_url, CW_SIG_URL_MAX, "CRL URL");
	r_str(&rd, 2, r->ocsp_url, CW_SIG_URL_MAX, "OCSP URL");
	r_str(&rd, 2, r->ca_issuers_url, CW_SIG_URL_MAX, "caIssuers URL");
	r->p.crl_url = r->crl_url[0] ? r->crl_url : NULL;
	r->p.ocsp_url = r->ocsp_url[0] ? r->ocsp_url : NULL;
	r->p.ca_issuers_url = r->ca_issuers_url[0] ? r->ca_issuers_url : NULL;
	r_bytes(&rd, 2, 1, CW_SIG_SPKI_MAX, &r->spki, &r->spki_len, "SPKI");
	if (r_done(&rd, "certificate", err) != CW_OK) {
		cw_sig_cert_req_cleanup(r);
		return CW_ERR_INPUT;
	}
	return CW_OK;
}

/* --- CRL ---------------------------------------------------------------------------- */

cw_rc
cw_sig_crl_encode(cw_sig_wbuf *w, const cw_revoked *rev, size_t n_rev,
    int64_t this_update, int64_t next_update, const uint8_t *number,
    size_t number_len, cw_err *err)
{
	size_t i;

	if (n_rev > CW_SIG_CRL_ENTRIES_MAX)
		return cw_err_set(err, CW_ERR_INPUT, "a CRL of %zu entries is "
		    "more than the signer takes (%d)", n_rev,
		    CW_SIG_CRL_ENTRIES_MAX);
	w_i64(w, this_update);
	w_i64(w, next_update);
	w_bytes(w, 1, number, number_len, 20);
	w_u32(w, (uint32_t)n_rev);
	for (i = 0; i < n_rev; i++) {
		w_bytes(w, 1, rev[i].serial, rev[i].serial_len, 20);
		w_i64(w, rev[i].time);
		w_u32(w, (uint32_t)rev[i].reason);
	}
	return w_done(w, "CRL", err);
}

void
cw_sig_crl_req_cleanup(cw_sig_crl_req *r)
{
	free(r->rev);
	memset(r, 0, sizeof(*r));
}

cw_rc
cw_sig_crl_decode(const uint8_t *body, size_t len, cw_sig_crl_req *r,
    cw_err *err)
{
	rbuf rd = {body, len, NULL};
	size_t n, i;

	memset(r, 0, sizeof(*r));
	r->this_update = r_i64(&rd, "thisUpdate");
	r->next_update = r_i64(&rd, "nextUpdate");
	/* RFC 5280 5.2.3: at most 20 octets */
	r_bytes(&rd, 1, 1, 20, &r->number, &r->number_len, "CRL number");
	n = r_u32(&rd, "entry count");
	/* each entry takes at least 14 bytes: the count cannot promise
	 * more entries than the body holds */
	if (r_check(&rd, n <= CW_SIG_CRL_ENTRIES_MAX && n <= rd.left / 14,
	    "entry count") && n > 0) {
		r->rev = calloc(n, sizeof(*r->rev));
		if (r->rev == NULL) {
			cw_sig_crl_req_cleanup(r);
			return cw_err_set(err, CW_ERR_NOMEM, "out of memory");
		}
		for (i = 0; i < n && rd.bad == NULL; i++) {
			r_bytes(&rd, 1, 1, 20, &r->rev[i].serial,
			    &r->rev[i].serial_len, "entry serial");
			r->rev[i].time = r_i64(&rd, "entry time");
			r->rev[i].reason = r_i32(&rd, "entry reason");
			/* RFC 5280 5.3.1: -1 (none) or 0..10 but 7 */
			r_check(&rd, r->rev[i].reason >= -1 &&
			    r->rev[i].reason <= 10 && r->rev[i].reason != 7,
			    "entry reason");
		}
		r->n_rev = n;
	}
	if (r_done(&rd, "CRL", err) != CW_OK) {
		cw_sig_crl_req_cleanup(r);
		return CW_ERR_INPUT;
	}
	return CW_OK;
}

/* --- OCSP --------------------------------------------------------------------------- */

static size_t
ocsp_hash_len(cw_ocsp_hash h)
{
	switch (h) {
	case CW_OCSP_SHA1: return 20;
	case CW_OCSP_SHA256: return 32;
	case CW_OCSP_SHA384: return 48;
	case CW_OCSP_SHA512: return 64;
	}
	return 0;
}

cw_rc
cw_sig_ocsp_encode(cw_sig_wbuf *w, const cw_ocsp_req *req,
    const cw_ocsp_status *st, int64_t this_update, int64_t next_update,
    cw_err *err)
{
	size_t i;

	if (req->n_single < 1 || req->n_single > CW_OCSP_MAX_SINGLE)
		return cw_err_set(err, CW_ERR_INPUT, "an OCSP request of %zu "
		    "CertIDs", req->n_single);
	w_i64(w, this_update);
	w_i64(w, next_update);
	w_u8(w, (uint8_t)req->n_single);
	for (i = 0; i < req->n_single; i++) {
		const cw_ocsp_single *s = &req->single[i];

		if (s->hash_len > CW_OCSP_HASH_MAX) {
			w->overflow = true;
			break;
		}
		w_u8(w, (uint8_t)s->hash);
		w_u8(w, s->hash_params_null ? 1 : 0);
		w_u8(w, (uint8_t)s->hash_len);
		w_raw(w, s->name_hash, s->hash_len);
		w_raw(w, s->key_hash, s->hash_len);
		w_bytes(w, 1, s->serial, s->serial_len, CW_OCSP_SERIAL_MAX);
		w_u8(w, (uint8_t)st[i].status);
		w_i64(w, st[i].revoked_at);
		w_u32(w, (uint32_t)st[i].reason);
	}
	w_u8(w, req->has_nonce ? 1 : 0);
	if (req->has_nonce)
		w_bytes(w, 1, req->nonce, req->nonce_len, CW_OCSP_NONCE_MAX);
	w_u8(w, req->is_signed ? 1 : 0);
	return w_done(w, "OCSP response", err);
}

cw_rc
cw_sig_ocsp_decode(const uint8_t *body, size_t len, cw_sig_ocsp_req *r,
    cw_err *err)
{
	rbuf rd = {body, len, NULL};
	const uint8_t *p;
	size_t n, i, sl;
	uint8_t b;

	memset(r, 0, sizeof(*r));
	r->this_update = r_i64(&rd, "thisUpdate");
	r->next_update = r_i64(&rd, "nextUpdate");
	n = r_u8(&rd, "CertID count");
	r_check(&rd, n >= 1 && n <= CW_OCSP_MAX_SINGLE, "CertID count");
	for (i = 0; i < n && rd.bad == NULL; i++) {
		cw_ocsp_single *s = &r->req.single[i];

		b = r_u8(&rd, "CertID hash");
		r_check(&rd, b <= CW_OCSP_SHA512, "CertID hash");
		s->hash = (cw_ocsp_hash)b;
		b = r_u8(&rd, "CertID parameters");
		r_check(&rd, b <= 1, "CertID parameters");
		s->hash_params_null = b == 1;
		s->hash_len = r_u8(&rd, "CertID hash length");
		/* RFC 6960 4.1.1: both hashes have the digest's length */
		r_check(&rd, s->hash_len == ocsp_hash_len(s->hash),
		    "CertID hash length");
		if (r_take(&rd, s->hash_len, &p, "issuerNameHash"))
			memcpy(s->name_hash, p, s->hash_len);
		if (r_take(&rd, s->hash_len, &p, "issuerKeyHash"))
			memcpy(s->key_hash, p, s->hash_len);
		if (r_bytes(&rd, 1, 1, CW_OCSP_SERIAL_MAX, &p, &sl,
		    "CertID serial")) {
			memcpy(s->serial, p, sl);
			s->serial_len = sl;
		}
		b = r_u8(&rd, "status");
		r_check(&rd, b <= CW_OCSP_UNKNOWN, "status");
		r->st[i].status = (cw_ocsp_cert_status)b;
		r->st[i].revoked_at = r_i64(&rd, "revocation time");
		r->st[i].reason = r_i32(&rd, "revocation reason");
		r_check(&rd, r->st[i].reason >= -1 && r->st[i].reason <= 10,
		    "revocation reason");
		/* the signer never looks the serial up: no text form */
		s->serial_hex[0] = '\0';
	}
	r->req.n_single = n;
	b = r_u8(&rd, "nonce flag");
	r_check(&rd, b <= 1, "nonce flag");
	r->req.has_nonce = b == 1;
	/* RFC 9654 2.1: 1..128 octets */
	if (r->req.has_nonce && r_bytes(&rd, 1, 1, CW_OCSP_NONCE_MAX, &p, &sl,
	    "nonce")) {
		memcpy(r->req.nonce, p, sl);
		r->req.nonce_len = sl;
	}
	b = r_u8(&rd, "signed flag");
	r_check(&rd, b <= 1, "signed flag");
	r->req.is_signed = b == 1;
	return r_done(&rd, "OCSP", err);
}

/* --- CHECKPOINT and the small ones -------------------------------------------------- */

cw_rc
cw_sig_checkpoint_encode(cw_sig_wbuf *w, const cw_checkpoint *cp,
    cw_err *err)
{
	w_i64(w, cp->size);
	w_raw(w, cp->head, CW_HASH_LEN);
	w_raw(w, cp->root, CW_HASH_LEN);
	w_i64(w, cp->time);
	return w_done(w, "checkpoint", err);
}

cw_rc
cw_sig_checkpoint_decode(const uint8_t *body, size_t len, cw_checkpoint *cp,
    cw_err *err)
{
	rbuf rd = {body, len, NULL};
	const uint8_t *p;

	memset(cp, 0, sizeof(*cp));
	cp->size = r_i64(&rd, "size");
	r_check(&rd, cp->size >= 0, "size");
	if (r_take(&rd, CW_HASH_LEN, &p, "head"))
		memcpy(cp->head, p, CW_HASH_LEN);
	if (r_take(&rd, CW_HASH_LEN, &p, "root"))
		memcpy(cp->root, p, CW_HASH_LEN);
	cp->time = r_i64(&rd, "time");
	return r_done(&rd, "checkpoint", err);
}

cw_rc
cw_sig_u8_encode(cw_sig_wbuf *w, uint8_t v, cw_err *err)
{
	w_u8(w, v);
	return w_done(w, "message", err);
}

cw_rc
cw_sig_u8_decode(const uint8_t *body, size_t len, uint8_t *v, cw_err *err)
{
	rbuf rd = {body, len, NULL};

	*v = r_u8(&rd, "value");
	return r_done(&rd, "one-octet", err);
}

cw_rc
cw_sig_ok_encode(cw_sig_wbuf *w, const uint8_t *data, size_t len,
    cw_err *err)
{
	w_bytes(w, 4, data, len, CW_SIG_CRL_MAX - 4);
	return w_done(w, "answer", err);
}

cw_rc
cw_sig_ok_decode(const uint8_t *body, size_t len, const uint8_t **data,
    size_t *data_len, cw_err *err)
{
	rbuf rd = {body, len, NULL};

	r_bytes(&rd, 4, 0, CW_SIG_CRL_MAX - 4, data, data_len, "result");
	return r_done(&rd, "answer", err);
}

cw_rc
cw_sig_error_encode(cw_sig_wbuf *w, cw_refusal refusal, cw_rc rc,
    const char *msg, cw_err *err)
{
	char text[CW_SIG_TEXT_MAX + 1];
	size_t i;

	/* messages quote values from the request: keep them printable */
	for (i = 0; msg[i] != '\0' && i < CW_SIG_TEXT_MAX; i++)
		text[i] = msg[i] >= 0x20 && msg[i] < 0x7f ? msg[i] : '?';
	text[i] = '\0';
	w_u16(w, (uint16_t)refusal);
	w_u16(w, (uint16_t)rc);
	w_str(w, 2, text, CW_SIG_TEXT_MAX);
	return w_done(w, "refusal", err);
}

cw_rc
cw_sig_error_decode(const uint8_t *body, size_t len, cw_sig_error *e,
    cw_err *err)
{
	rbuf rd = {body, len, NULL};
	uint16_t v;

	memset(e, 0, sizeof(*e));
	v = r_u16(&rd, "refusal");
	r_check(&rd, v > CW_REFUSE_NONE && v < CW_REFUSE_COUNT, "refusal");
	e->refusal = (cw_refusal)v;
	v = r_u16(&rd, "error code");
	r_check(&rd, v > CW_OK && v <= CW_ERR_INTERNAL, "error code");
	e->rc = (cw_rc)v;
	r_str(&rd, 2, e->msg, CW_SIG_TEXT_MAX, "message");
	return r_done(&rd, "refusal", err);
}
