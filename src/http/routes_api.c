/*
 * routes_api.c - the /api/v1 handlers (DESIGN 7.1).  The router has already
 * authenticated the caller and checked the route's role; handlers parse
 * and bound their input, call the engine as the token's user over the
 * "rest" channel, and turn its answer into JSON or a problem document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/limits.h"
#include "../common/util.h"
#include "../x509/cert_build.h"
#include "http.h"

#define SERIAL_HEX_MAX 40 /* RFC 5280 4.1.2.2: 20 octets */

static void
actor_of(const cw_http_req *req, const char *origin, cw_actor *a)
{
	a->name = req->user.name;
	a->origin = origin != NULL ? origin : "automation";
	a->channel = "rest";
}


/* The answer for an outcome: a rejected request is a problem carrying the
 * verdict (DESIGN 7.1), anything else `status` with the outcome. */
static void
outcome_response(cw_http_resp *resp, int status, const cw_outcome *o)
{
	json_t *j = cw_outcome_json(o);

	if (j != NULL && strcmp(o->state, "rejected") == 0) {
		cw_http_problem(resp, 422, "policy-violation",
		    "The request was rejected", o->reason[0] ? o->reason :
		    "the request does not comply with the policy", j);
		return;
	}
	cw_http_json(resp, status, j);
	if (status == 201) {
		snprintf(resp->location_buf, sizeof(resp->location_buf),
		    "/api/v1/requests/%lld", (long long)o->id);
		resp->location = resp->location_buf;
	}
}

/* The {id} segment as a positive request id; problem (404) otherwise. */
static bool
param_id(const cw_http_req *req, int64_t *id, cw_http_resp *resp)
{
	char buf[24];

	if (req->param_len == 0 || req->param_len >= sizeof(buf))
		goto bad;
	memcpy(buf, req->param, req->param_len);
	buf[req->param_len] = '\0';
	if (buf[0] == '0' || !cw_parse_int64(buf, 1, INT64_MAX, id))
		goto bad;
	return true;
bad:
	cw_http_problem(resp, 404, "not-found", "Not found",
	    "no such request", NULL);
	return false;
}


/* Appends x to the worker's queue; false (nothing queued) when out of
 * memory, and the caller commits it alone. */
static bool
queue_submission(cw_http_ctx *ctx, cw_submit_prep *x, void *tag)
{
	cw_http_pending *p;
	size_t cap;

	if (ctx->n_pending == ctx->cap_pending) {
		cap = ctx->cap_pending ? ctx->cap_pending * 2 : 16;
		if ((p = reallocarray(ctx->pending, cap, sizeof(*p))) == NULL)
			return false;
		ctx->pending = p;
		ctx->cap_pending = cap;
	}
	ctx->pending[ctx->n_pending].prep = x;
	ctx->pending[ctx->n_pending].tag = tag;
	ctx->n_pending++;
	return true;
}

/* Commits x[0..n) (n <= CW_HTTP_BATCH_MAX) in one transaction and fills
 * *resps[i] with each one's answer: 201 only for what committed. */
static void
commit_submissions(cw_engine *e, cw_submit_prep **x, size_t n,
    cw_http_resp **resps)
{
	cw_outcome out[CW_HTTP_BATCH_MAX];
	cw_err errs[CW_HTTP_BATCH_MAX];
	cw_rc rcs[CW_HTTP_BATCH_MAX];
	size_t i;

	cw_request_commit_batch(e, x, n, out, rcs, errs);
	for (i = 0; i < n; i++) {
		if (rcs[i] != CW_OK)
			cw_http_problem_err(resps[i], &errs[i]);
		else
			outcome_response(resps[i], 201, &out[i]);
		cw_outcome_cleanup(&out[i]);
	}
}

void
cw_api_submit(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	static const char *const allowed[] = {"template", "service", "csr",
	    "origin", "renew", NULL};
	cw_err err = CW_ERR_INIT;
	cw_submit_prep *x = NULL;
	cw_submit s;
	cw_actor a;
	json_t *j;
	const char *tmpl, *svc, *csr, *origin, *renew;

	if ((j = cw_http_body_object(req, allowed, false, resp)) == NULL)
		return;
	if (!cw_http_member_str(j, "template", true, &tmpl, resp) ||
	    !cw_http_member_str(j, "service", true, &svc, resp) ||
	    !cw_http_member_str(j, "csr", true, &csr, resp) ||
	    !cw_http_member_str(j, "origin", false, &origin, resp) ||
	    !cw_http_member_str(j, "renew", false, &renew, resp))
		goto out;
	if (origin != NULL && strcmp(origin, "human") != 0 &&
	    strcmp(origin, "automation") != 0) {
		cw_http_problem(resp, 400, "bad-request", "Bad request",
		    "\"origin\" must be \"human\" or \"automation\"", NULL);
		goto out;
	}
	if (strlen(csr) > CW_MAX_CSR_BYTES) {
		cw_http_problem(resp, 413, "too-large", "Payload too large",
		    "the CSR is larger than 64 KiB", NULL);
		goto out;
	}
	memset(&s, 0, sizeof(s));
	s.template_name = tmpl;
	s.service = svc;
	s.csr = (const uint8_t *)csr;
	s.csr_len = strlen(csr);
	s.renew_serial = renew;
	actor_of(req, origin, &a);
	if (cw_request_prepare(ctx->engine, &a, &s, &x, &err) != CW_OK) {
		cw_http_problem_err(resp, &err);
		goto out;
	}
	if (ctx->batching && queue_submission(ctx, x, req->tag)) {
		resp->deferred = true;
		x = NULL;
		goto out;
	}
	commit_submissions(ctx->engine, &x, 1, &resp);
out:
	cw_submit_prep_free(x);
	json_decref(j);
}

void
cw_api_submit_flush(cw_http_ctx *ctx,
    void (*answer)(void *tag, cw_http_resp *resp))
{
	cw_submit_prep *x[CW_HTTP_BATCH_MAX];
	cw_http_resp resp[CW_HTTP_BATCH_MAX], *rp[CW_HTTP_BATCH_MAX];
	size_t i = 0, j, k;

	for (; i < ctx->n_pending; i += k) {
		k = ctx->n_pending - i;
		if (k > CW_HTTP_BATCH_MAX)
			k = CW_HTTP_BATCH_MAX;
		for (j = 0; j < k; j++) {
			x[j] = ctx->pending[i + j].prep;
			memset(&resp[j], 0, sizeof(resp[j]));
			rp[j] = &resp[j];
		}
		commit_submissions(ctx->engine, x, k, rp);
		for (j = 0; j < k; j++) {
			cw_submit_prep_free(x[j]);
			ctx->pending[i + j].prep = NULL;
			answer(ctx->pending[i + j].tag, &resp[j]);
		}
	}
	ctx->n_pending = 0;
}

/* Only the requester role: may read its own requests only (DESIGN 7.1). */
static bool
reads_own_only(const cw_user *u)
{
	size_t i;

	for (i = 0; i < u->n_roles; i++)
		if (strcmp(u->roles[i], "requester") != 0)
			return false;
	return true;
}

void
cw_api_request_get(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	cw_err err = CW_ERR_INIT;
	json_t *j = NULL;
	const char *who;
	int64_t id;

	if (!param_id(req, &id, resp))
		return;
	if (cw_request_show(ctx->engine, id, &j, &err) != CW_OK) {
		cw_http_problem_err(resp, &err);
		return;
	}
	who = json_string_value(json_object_get(json_object_get(j, "request") ?
	    json_object_get(j, "request") : j, "requester"));
	if (reads_own_only(&req->user) && (who == NULL ||
	    strcmp(who, req->user.name) != 0)) {
		json_decref(j);
		cw_http_problem(resp, 403, "forbidden", "Forbidden",
		    "a requester may read only its own requests", NULL);
		return;
	}
	cw_http_json(resp, 200, j);
}

static void
decide(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp, bool approve)
{
	static const char *const allowed[] = {"comment", NULL};
	cw_err err = CW_ERR_INIT;
	cw_outcome o;
	cw_actor a;
	json_t *j = NULL;
	const char *comment = NULL;
	int64_t id;
	cw_rc rc;

	memset(&o, 0, sizeof(o));
	if (!param_id(req, &id, resp))
		return;
	if (req->body_len > 0 || !approve) {
		if ((j = cw_http_body_object(req, allowed, false, resp)) == NULL)
			return;
		if (!cw_http_member_str(j, "comment", !approve, &comment, resp))
			goto out;
	}
	actor_of(req, "human", &a);
	rc = approve ? cw_request_approve(ctx->engine, &a, id,
	    comment != NULL ? comment : "", &o, &err) :
	    cw_request_reject(ctx->engine, &a, id, comment, &o, &err);
	if (rc == CW_ERR_NONCOMPLIANT) {
		/* the requester, a wrong role, a second decision: this
		 * caller may not decide this request */
		cw_http_problem(resp, 403, "forbidden", "Forbidden", err.msg,
		    NULL);
		goto out;
	}
	if (rc != CW_OK) {
		cw_http_problem_err(resp, &err);
		goto out;
	}
	cw_http_json(resp, 200, cw_outcome_json(&o));
out:
	cw_outcome_cleanup(&o);
	json_decref(j);
}

void
cw_api_request_approve(cw_http_ctx *ctx, cw_http_req *req,
    cw_http_resp *resp)
{
	decide(ctx, req, resp, true);
}

void
cw_api_request_reject(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	decide(ctx, req, resp, false);
}


void
cw_api_cert_list(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	static const char *const statuses[] = {"valid", "revoked", "expired",
	    "superseded", NULL};
	cw_err err = CW_ERR_INIT;
	cw_cert_filter f;
	json_t *arr = NULL;
	const char *expiring, *limit;
	size_t i;
	bool ok;

	memset(&f, 0, sizeof(f));
	if (!cw_http_query_arg(req, "service", &f.service, resp) ||
	    !cw_http_query_arg(req, "template", &f.template_name, resp) ||
	    !cw_http_query_arg(req, "status", &f.status, resp) ||
	    !cw_http_query_arg(req, "expiring", &expiring, resp) ||
	    !cw_http_query_arg(req, "limit", &limit, resp))
		return;
	if (f.status != NULL) {
		for (i = 0, ok = false; statuses[i] != NULL && !ok; i++)
			ok = strcmp(statuses[i], f.status) == 0;
		if (!ok) {
			cw_http_problem(resp, 400, "bad-request", "Bad request",
			    "status: valid, revoked, expired or superseded",
			    NULL);
			return;
		}
	}
	if (expiring != NULL && (!cw_parse_duration(expiring,
	    &f.expiring_within) || f.expiring_within <= 0)) {
		cw_http_problem(resp, 400, "bad-request", "Bad request",
		    "expiring: a duration such as 30d", NULL);
		return;
	}
	if (limit != NULL && !cw_parse_int64(limit, 1, 100000, &f.limit)) {
		cw_http_problem(resp, 400, "bad-request", "Bad request",
		    "limit: 1..100000", NULL);
		return;
	}
	if (cw_cert_list(ctx->engine, &f, &arr, &err) != CW_OK) {
		cw_http_problem_err(resp, &err);
		return;
	}
	cw_http_json(resp, 200, arr);
}

void
cw_api_cert_get(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	cw_err err = CW_ERR_INIT;
	char serial[SERIAL_HEX_MAX + 1];
	json_t *j = NULL;

	if (!cw_http_param_serial(req, serial, resp))
		return;
	if (cw_cert_show(ctx->engine, serial, &j, &err) != CW_OK) {
		cw_http_problem_err(resp, &err);
		return;
	}
	cw_http_json(resp, 200, j);
}

void
cw_api_cert_pem(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	cw_err err = CW_ERR_INIT;
	char serial[SERIAL_HEX_MAX + 1];
	uint8_t *pem = NULL;
	size_t len = 0;

	if (!cw_http_param_serial(req, serial, resp))
		return;
	if (cw_cert_get(ctx->engine, serial, false, false, &pem, &len,
	    &err) != CW_OK) {
		cw_http_problem_err(resp, &err);
		return;
	}
	resp->status = 200;
	resp->content_type = "application/pem-certificate-chain";
	resp->body = pem;
	resp->body_len = len;
	resp->body_static = false;
}

void
cw_api_cert_revoke(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	static const char *const allowed[] = {"reason", NULL};
	cw_err err = CW_ERR_INIT;
	char serial[SERIAL_HEX_MAX + 1];
	cw_actor a;
	json_t *j;
	const char *reason;
	int code;
	cw_rc rc;

	if (!cw_http_param_serial(req, serial, resp))
		return;
	if ((j = cw_http_body_object(req, allowed, false, resp)) == NULL)
		return;
	if (!cw_http_member_str(j, "reason", true, &reason, resp))
		goto out;
	/* RFC 5280 5.3.1; removeFromCRL (8) is not a reason to revoke */
	code = cw_crl_reason_from_name(reason);
	if (code < 0 || code == 8) {
		cw_http_problem(resp, 400, "bad-request", "Bad request",
		    "reason: an RFC 5280 5.3.1 reason name such as "
		    "keyCompromise", NULL);
		goto out;
	}
	actor_of(req, "human", &a);
	rc = cw_cert_revoke(ctx->engine, &a, serial, code, &err);
	if (rc == CW_ERR_NONCOMPLIANT) {
		/* the role was checked by the router: already revoked */
		cw_http_problem(resp, 409, "conflict", "Conflict", err.msg,
		    NULL);
		goto out;
	}
	if (rc != CW_OK) {
		cw_http_problem_err(resp, &err);
		goto out;
	}
	/* every worker's CRL cache is now stale */
	__atomic_add_fetch(ctx->revocations, 1, __ATOMIC_SEQ_CST);
	cw_http_json(resp, 200, json_pack("{s:s, s:s, s:s}", "serial",
	    serial, "status", "revoked", "reason",
	    cw_crl_reason_name(code)));
out:
	json_decref(j);
}

void
cw_api_templates(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	const cw_policy *p = cw_engine_policy(ctx->engine);
	json_t *arr = json_array(), *t, *roles;
	size_t i, k;

	(void)req;
	for (i = 0; arr != NULL && i < p->n_templates; i++) {
		const cw_template *tp = &p->templates[i];

		roles = json_array();
		for (k = 0; roles != NULL && k < tp->n_approval_roles; k++)
			json_array_append_new(roles,
			    json_string(tp->approval_roles[k]));
		t = json_pack("{s:s, s:s?, s:I, s:I, s:i, s:{s:i, s:o}}",
		    "name", tp->name, "description", tp->description,
		    "validity_default", (json_int_t)tp->validity_default,
		    "validity_max", (json_int_t)tp->validity_max,
		    "renew_at_pct", tp->renew_at_pct, "approval", "required",
		    tp->approvals_required, "roles", roles);
		if (t == NULL) {
			json_decref(arr);
			arr = NULL;
			break;
		}
		json_array_append_new(arr, t);
	}
	cw_http_json(resp, 200, arr);
}
