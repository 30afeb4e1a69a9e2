/*
 * routes_public.c - what relying parties fetch without signing in, on both
 * listeners: health, the CRL of the issuing CA (RFC 5280 5), the CA
 * certificates (RFC 5280 4.2.2.1 caIssuers) and the OCSP responder (RFC
 * 6960, with the request handling laid out in ocsp_resp.h).  Signed OCSP
 * responses are kept in the worker's cache (ocsp_cache.h) and handed out
 * again while fresh, as RFC 5019 responders do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "../engine/sign.h"
#include "http.h"

/* OCSP answers are good for this long (RFC 5019 2.2.4: nextUpdate). */
#define OCSP_VALIDITY 3600
/*
 * How long HTTP caches may keep a response without a nonce (RFC 5019
 * 6.2).  A response comes out of the worker's cache up to
 * CW_HTTP_OCSP_CACHE_REFRESH seconds after its thisUpdate, so this much
 * less than its validity keeps max-age from ever reaching past nextUpdate.
 */
#define OCSP_MAX_AGE 3300
_Static_assert(OCSP_MAX_AGE > 0 &&
    OCSP_MAX_AGE + CW_HTTP_OCSP_CACHE_REFRESH <= OCSP_VALIDITY,
    "HTTP max-age past nextUpdate");
#define OCSP_TEXT(x) #x
#define OCSP_STR(x) OCSP_TEXT(x)
#define OCSP_CACHE_CONTROL "max-age=" OCSP_STR(OCSP_MAX_AGE) \
	", public, no-transform, must-revalidate"
/* The cached CRL is re-signed after this long even without revocations,
 * so it never nears its nextUpdate (and CLI revocations show up). */
#define CRL_REFRESH 300

void
cw_pub_healthz(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	static const char ok[] = "{\"status\":\"ok\"}";

	(void)ctx;
	(void)req;
	cw_http_static(resp, 200, "application/json", (const uint8_t *)ok,
	    sizeof(ok) - 1);
}

void
cw_pub_crl(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	cw_err err = CW_ERR_INIT;
	uint8_t *der = NULL;
	size_t len = 0;
	int64_t now = cw_engine_now(ctx->engine), refresh = CRL_REFRESH;
	uint64_t gen = __atomic_load_n(ctx->revocations, __ATOMIC_SEQ_CST);

	(void)req;
	if (ctx->crl_next_update / 2 < refresh)
		refresh = ctx->crl_next_update / 2;
	/* regenerate after a revocation through any worker, and well
	 * before nextUpdate (issue 4) */
	if (ctx->crl == NULL || gen != ctx->crl_gen ||
	    now - ctx->crl_made >= refresh || now < ctx->crl_made) {
		if (cw_crl_generate(ctx->engine, &der, &len, &err) != CW_OK) {
			cw_http_problem_err(resp, &err);
			return;
		}
		OPENSSL_free(ctx->crl);
		ctx->crl = der;
		ctx->crl_len = len;
		ctx->crl_made = now;
		ctx->crl_gen = gen;
	}
	cw_http_static(resp, 200, "application/pkix-crl", ctx->crl,
	    ctx->crl_len);
	resp->cache_control = "max-age=60";
}

void
cw_pub_ca_issuing(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	(void)req;
	cw_http_static(resp, 200, "application/pkix-cert", ctx->issuing_der,
	    ctx->issuing_der_len);
}

void
cw_pub_ca_root(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	(void)req;
	if (ctx->root_der == NULL) {
		cw_http_problem(resp, 404, "not-found", "Not found",
		    "the root certificate is not known", NULL);
		return;
	}
	cw_http_static(resp, 200, "application/pkix-cert", ctx->root_der,
	    ctx->root_der_len);
}

static void
ocsp_error(cw_http_resp *resp, cw_ocsp_resp_status st)
{
	size_t len;
	const uint8_t *b = cw_ocsp_error_response(st, &len);

	/* RFC 6960 A.1: errors are OCSP responses too, with HTTP 200 */
	cw_http_static(resp, 200, "application/ocsp-response", b, len);
}

/* The OCSP work shared by GET and POST: DER request in, response out. */
static void
ocsp_answer(cw_http_ctx *ctx, const uint8_t *der, size_t len,
    cw_http_resp *resp)
{
	cw_err err = CW_ERR_INIT;
	cw_ocsp_req *oreq = NULL;
	cw_ocsp_status st[CW_OCSP_MAX_SINGLE];
	cw_ocsp_cache_key key;
	cw_ocsp_cache_hit hit;
	uint8_t *out = NULL;
	size_t out_len = 0, i;
	bool match, any = false, cacheable;
	int64_t now = cw_engine_now(ctx->engine);

	if (cw_ocsp_request_parse(der, len, &oreq, &err) != CW_OK) {
		ocsp_error(resp, err.rc == CW_ERR_INPUT ?
		    CW_OCSP_RESP_MALFORMED_REQUEST :
		    CW_OCSP_RESP_INTERNAL_ERROR);
		goto out;
	}
	for (i = 0; i < oreq->n_single; i++) {
		st[i].status = CW_OCSP_UNKNOWN;
		st[i].revoked_at = 0;
		st[i].reason = -1;
		if (cw_ocsp_issuer_match(&oreq->single[i], ctx->issuing, &match,
		    &err) != CW_OK) {
			ocsp_error(resp, CW_OCSP_RESP_INTERNAL_ERROR);
			goto out;
		}
		if (!match)
			continue;
		any = true;
		if (cw_engine_cert_status(ctx->engine,
		    oreq->single[i].serial_hex, &st[i], &err) != CW_OK) {
			fprintf(stderr, "certward serve: ocsp: %s\n", err.msg);
			ocsp_error(resp, CW_OCSP_RESP_TRY_LATER);
			goto out;
		}
	}
	if (!any) {
		/* RFC 6960 2.3: not a CA we answer for */
		ocsp_error(resp, CW_OCSP_RESP_UNAUTHORIZED);
		goto out;
	}
	/*
	 * RFC 6960 2.5, RFC 5019: one signed response serves every request
	 * for its CertID while fresh.  Only requests of one CertID without a
	 * nonce (cw_ocsp_cache_key_of); st[0] was just read from the store
	 * and a hit needs the same status, so a revocation is never hidden.
	 * Unknown serials are left out: a client picks them at will and must
	 * not be able to push the certificates we know out of the cache.
	 */
	cacheable = ctx->ocsp_cache != NULL &&
	    st[0].status != CW_OCSP_UNKNOWN && cw_ocsp_cache_key_of(oreq, &key);
	if (cacheable && cw_ocsp_cache_get(ctx->ocsp_cache, &key, &st[0], now,
	    &hit)) {
		/* borrowed until the next put: send_resp (server.c) copies
		 * it before any other request runs in this worker */
		cw_http_static(resp, 200, "application/ocsp-response", hit.der,
		    hit.len);
		resp->cache_control = OCSP_CACHE_CONTROL;
		goto out;
	}
	/* signed by the signer process: the worker has no key (sign.h) */
	if (cw_engine_sign_ocsp(ctx->engine, oreq, st, now, now +
	    OCSP_VALIDITY, &out, &out_len, &err) != CW_OK) {
		fprintf(stderr, "certward serve: ocsp: %s\n", err.msg);
		ocsp_error(resp, err.rc == CW_ERR_NOT_FOUND ?
		    CW_OCSP_RESP_UNAUTHORIZED : CW_OCSP_RESP_INTERNAL_ERROR);
		goto out;
	}
	/* not cached (too large, say): answered all the same */
	if (cacheable)
		(void)cw_ocsp_cache_put(ctx->ocsp_cache, &key, &st[0], now,
		    now + OCSP_VALIDITY, out, out_len);
	cw_http_bytes(resp, 200, "application/ocsp-response", out, out_len);
	/* RFC 5019 6.2: HTTP caches may keep it (OCSP_MAX_AGE), unless it
	 * answers a nonce (RFC 6960 4.4.1: for that request only) */
	resp->cache_control = oreq->has_nonce ? "no-store" : OCSP_CACHE_CONTROL;
out:
	cw_metrics_ocsp_cache(ctx->ocsp_cache);
	OPENSSL_free(out);
	cw_ocsp_req_free(oreq);
	ERR_clear_error();
}

void
cw_pub_ocsp_post(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	/* RFC 6960 A.1: Content-Type application/ocsp-request */
	if (req->content_type == NULL ||
	    strcmp(req->content_type, "application/ocsp-request") != 0) {
		cw_http_problem(resp, 415, "unsupported-media-type",
		    "Unsupported media type",
		    "send Content-Type: application/ocsp-request", NULL);
		return;
	}
	ocsp_answer(ctx, req->body, req->body_len, resp);
}

void
cw_pub_ocsp_get(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	cw_err err = CW_ERR_INIT;
	uint8_t *der = NULL;
	size_t len = 0;

	if (cw_ocsp_get_decode(req->param, req->param_len, &der, &len,
	    &err) != CW_OK) {
		ocsp_error(resp, CW_OCSP_RESP_MALFORMED_REQUEST);
		return;
	}
	ocsp_answer(ctx, der, len, resp);
	OPENSSL_free(der);
}
