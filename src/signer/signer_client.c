/*
 * signer_client.c - the clients' side of the signer (signer.h): the
 * cw_signer operations a worker's engine calls, each one message and its
 * answer on the worker's own channel.  A worker is single-threaded, so a
 * channel carries one request at a time; an answer with another id is a
 * late one to a request that timed out, and is dropped.
 */
#include "signer.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "signer_chan.h"

struct cw_signer_client {
	int fd;
	uint32_t next_id;
	cw_sig_rx rx;
};

cw_rc
cw_signer_call(int fd, uint32_t *next_id, cw_sig_rx *rx, uint16_t type,
    const uint8_t *body, size_t len, int pass_fd, int timeout_ms,
    const uint8_t **data, size_t *data_len, cw_refusal *refusal,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_sig_error e;
	uint32_t id;
	cw_err cerr = CW_ERR_INIT;

	*data = NULL;
	*data_len = 0;
	if (refusal != NULL)
		*refusal = CW_REFUSE_NONE;
	rx->replies = true;
	cw_sig_rx_reset(rx);
	/* never 0: the signer answers undecodable fragments with id 0 */
	if (++*next_id == 0)
		++*next_id;
	id = *next_id;
	if (cw_sig_send(fd, type, id, body, len, pass_fd, timeout_ms,
	    &cerr) != CW_OK)
		goto unavailable;
	for (;;) {
		if (cw_sig_recv_msg(fd, rx, NULL, timeout_ms, &cerr) != CW_OK)
			goto unavailable;
		if (rx->id == id)
			break;
		cw_sig_rx_reset(rx); /* a late answer to an earlier request */
	}
	if (rx->type == CW_SIG_OK) {
		if (cw_sig_ok_decode(rx->buf, rx->total, data, data_len,
		    &cerr) != CW_OK)
			goto unavailable;
		goto out;
	}
	if (rx->type != CW_SIG_ERROR || cw_sig_error_decode(rx->buf,
	    rx->total, &e, &cerr) != CW_OK) {
		rc = cw_err_set(err, CW_ERR_INTERNAL, "the signer gave an "
		    "answer that does not decode");
		goto out;
	}
	if (refusal != NULL)
		*refusal = e.refusal;
	/* what this side sent did not decode: a bug here, not the user's */
	rc = cw_err_set(err, e.refusal == CW_REFUSE_MALFORMED ?
	    CW_ERR_INTERNAL : e.rc, "the signer refused (%s): %s",
	    cw_refusal_name(e.refusal), e.msg);
	goto out;
unavailable:
	rc = cw_err_set(err, CW_ERR_INTERNAL, "the signer is not available "
	    "(%s); the server restarts it, try again", cerr.msg);
out:
	return rc;
}

/* One operation: encode into w, call, result in *data. */
static cw_rc
call(cw_signer_client *c, uint16_t type, cw_sig_wbuf *w, const uint8_t **data,
    size_t *len, cw_err *err)
{
	return cw_signer_call(c->fd, &c->next_id, &c->rx, type, w->b, w->len,
	    -1, CW_SIGNER_TIMEOUT_MS, data, len, NULL, err);
}

/* The certificate comes back as the signer's DER, not decoded here: the
 * worker stores and sends the bytes, and what it reads of them (the
 * subject) it reads with cw_cert_der_subject, which also checks that
 * they are one certificate. */
/* One request whose answer is DER bytes handed to the caller as a copy
 * (OPENSSL_free); an empty answer is the signer's fault.  Frees w. */
static cw_rc
call_copy(cw_signer_client *c, uint16_t type, cw_sig_wbuf *w, const char *what,
    uint8_t **der, size_t *len, cw_err *err)
{
	cw_rc rc = CW_OK;
	const uint8_t *d;
	size_t n;

	CW_TRY(call(c, type, w, &d, &n, err));
	CW_ENSURE(n > 0, CW_ERR_INTERNAL, "the signer answered with an empty "
	    "%s", what);
	*der = OPENSSL_memdup(d, n);
	CW_ENSURE_MEM(*der);
	*len = n;
out:
	cw_sig_wbuf_cleanup(w);
	cw_sig_rx_reset(&c->rx);
	return rc;
}

static cw_rc
op_cert(void *ctx, const char *tmpl, const cw_cert_profile *p,
    const uint8_t *spki, size_t spki_len, uint8_t **der, size_t *der_len,
    cw_err *err)
{
	cw_signer_client *c = ctx;
	cw_rc rc;
	cw_sig_wbuf w;

	*der = NULL;
	*der_len = 0;
	cw_sig_wbuf_init(&w, CW_SIG_CERT_MAX);
	if ((rc = cw_sig_cert_encode(&w, tmpl, p, spki, spki_len, err)) !=
	    CW_OK) {
		cw_sig_wbuf_cleanup(&w);
		return rc;
	}
	return call_copy(c, CW_SIG_CERT, &w, "certificate", der, der_len, err);
}

static cw_rc
op_crl(void *ctx, const cw_revoked *rev, size_t n_rev, int64_t this_update,
    int64_t next_update, const uint8_t *number, size_t number_len,
    X509_CRL **out, cw_err *err)
{
	cw_signer_client *c = ctx;
	cw_rc rc = CW_OK;
	cw_sig_wbuf w;
	const uint8_t *d, *q;
	size_t n;

	*out = NULL;
	cw_sig_wbuf_init(&w, CW_SIG_CRL_MAX);
	CW_TRY(cw_sig_crl_encode(&w, rev, n_rev, this_update, next_update,
	    number, number_len, err));
	CW_TRY(call(c, CW_SIG_CRL, &w, &d, &n, err));
	q = d;
	*out = d2i_X509_CRL(NULL, &q, (long)n);
	CW_ENSURE(*out != NULL && q == d + n, CW_ERR_INTERNAL, "the signer "
	    "answered with something that is not one DER CRL");
out:
	if (rc != CW_OK) {
		X509_CRL_free(*out);
		*out = NULL;
	}
	cw_sig_wbuf_cleanup(&w);
	cw_sig_rx_reset(&c->rx);
	return rc;
}

static cw_rc
op_ocsp(void *ctx, const cw_ocsp_req *req, const cw_ocsp_status *st,
    int64_t this_update, int64_t next_update, uint8_t **der, size_t *len,
    cw_err *err)
{
	cw_signer_client *c = ctx;
	cw_rc rc;
	cw_sig_wbuf w;

	*der = NULL;
	*len = 0;
	cw_sig_wbuf_init(&w, CW_SIG_OCSP_MAX);
	if ((rc = cw_sig_ocsp_encode(&w, req, st, this_update, next_update,
	    err)) != CW_OK) {
		cw_sig_wbuf_cleanup(&w);
		return rc;
	}
	return call_copy(c, CW_SIG_OCSP, &w, "OCSP response", der, len, err);
}

static cw_rc
op_checkpoint(void *ctx, cw_checkpoint *cp, cw_err *err)
{
	cw_signer_client *c = ctx;
	cw_rc rc = CW_OK;
	cw_sig_wbuf w;
	const uint8_t *d;
	size_t n;

	cw_sig_wbuf_init(&w, CW_SIG_SMALL_MAX);
	CW_TRY(cw_sig_checkpoint_encode(&w, cp, err));
	CW_TRY(call(c, CW_SIG_CHECKPOINT, &w, &d, &n, err));
	CW_ENSURE(n > 0 && n <= sizeof(cp->sig), CW_ERR_INTERNAL, "the signer "
	    "answered with a signature of %zu bytes", n);
	memcpy(cp->sig, d, n);
	cp->sig_len = n;
out:
	cw_sig_wbuf_cleanup(&w);
	cw_sig_rx_reset(&c->rx);
	return rc;
}

cw_rc
cw_signer_client_new(int fd, cw_signer_client **out, cw_err *err)
{
	cw_signer_client *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		close(fd);
		return cw_err_set(err, CW_ERR_NOMEM, "out of memory");
	}
	c->fd = fd;
	c->rx.replies = true;
	*out = c;
	return CW_OK;
}

void
cw_signer_client_ops(cw_signer_client *c, cw_signer *s)
{
	memset(s, 0, sizeof(*s));
	s->sign_cert = op_cert;
	s->sign_crl = op_crl;
	s->sign_ocsp = op_ocsp;
	s->sign_checkpoint = op_checkpoint;
	s->ctx = c;
}

void
cw_signer_client_free(cw_signer_client *c)
{
	if (c == NULL)
		return;
	cw_sig_rx_reset(&c->rx);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}
