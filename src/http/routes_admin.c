/*
 * routes_admin.c - the /api/v1 handlers for lists, services, exceptions and
 * the audit log (DESIGN 7.1).  As in routes_api.c, the router has already
 * authenticated the caller and checked the route's role; handlers bound
 * their input, act as the token's user over the "rest" channel, and the
 * engine re-checks every role it owns.
 *
 * Lists are paginated here, over the engine's read-only views: `page`
 * (1-based) and `page_size` (1..CW_HTTP_PAGE_SIZE_MAX, default
 * CW_HTTP_PAGE_SIZE) answer {items, page, page_size, total}; a page past
 * the end has no items.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/limits.h"
#include "../common/util.h"
#include "http.h"

#define SERIAL_HEX_MAX 40   /* RFC 5280 4.1.2.2: 20 octets */
#define PAGE_MAX 1000000000 /* keeps (page - 1) * page_size in range */

static void
actor_of(const cw_http_req *req, cw_actor *a)
{
	a->name = req->user.name;
	a->origin = "human";
	a->channel = "rest";
}

static void
bad_request(cw_http_resp *resp, const char *detail)
{
	cw_http_problem(resp, 400, "bad-request", "Bad request", detail, NULL);
}

/* --- input ----------------------------------------------------------------- */




typedef struct page_req {
	int64_t page;
	int64_t size;
	bool given; /* page or page_size was in the query */
} page_req;

static bool
page_args(const cw_http_req *req, page_req *p, cw_http_resp *resp)
{
	const char *page, *size;
	char detail[96];

	p->page = 1;
	p->size = CW_HTTP_PAGE_SIZE;
	if (!cw_http_query_arg(req, "page", &page, resp) ||
	    !cw_http_query_arg(req, "page_size", &size, resp))
		return false;
	p->given = page != NULL || size != NULL;
	if (page != NULL && !cw_parse_int64(page, 1, PAGE_MAX, &p->page)) {
		bad_request(resp, "page: a page number from 1");
		return false;
	}
	if (size != NULL && !cw_parse_int64(size, 1, CW_HTTP_PAGE_SIZE_MAX,
	    &p->size)) {
		snprintf(detail, sizeof(detail), "page_size: 1..%d",
		    CW_HTTP_PAGE_SIZE_MAX);
		bad_request(resp, detail);
		return false;
	}
	return true;
}

/* Answers one page of arr (stolen) as {items, page, page_size, total}. */
static void
page_response(cw_http_resp *resp, json_t *arr, const page_req *p)
{
	json_t *items = json_array();
	size_t total = json_array_size(arr), i, first;

	first = (size_t)((p->page - 1) * p->size);
	for (i = first; items != NULL && i < total && i - first <
	    (size_t)p->size; i++)
		json_array_append(items, json_array_get(arr, i));
	json_decref(arr);
	if (items == NULL) {
		cw_http_json(resp, 200, NULL);
		return;
	}
	cw_http_json(resp, 200, json_pack("{s:o, s:I, s:I, s:I}", "items",
	    items, "page", (json_int_t)p->page, "page_size",
	    (json_int_t)p->size, "total", (json_int_t)total));
}

/* The {param} segment as a positive decimal id; problem (404) otherwise. */
static bool
param_id(const cw_http_req *req, const char *what, int64_t *id,
    cw_http_resp *resp)
{
	char buf[24], detail[64];

	if (req->param_len == 0 || req->param_len >= sizeof(buf))
		goto bad;
	memcpy(buf, req->param, req->param_len);
	buf[req->param_len] = '\0';
	if (buf[0] == '0' || !cw_parse_int64(buf, 1, INT64_MAX, id))
		goto bad;
	return true;
bad:
	snprintf(detail, sizeof(detail), "no such %s", what);
	cw_http_problem(resp, 404, "not-found", "Not found", detail, NULL);
	return false;
}


/*
 * The {name} segment as a service name: the characters services may have
 * (services.c), bounded.  Anything else cannot name a service: 404.
 */
static bool
param_name(const cw_http_req *req, char *name, size_t len,
    cw_http_resp *resp)
{
	size_t i;

	if (req->param_len == 0 || req->param_len >= len)
		goto bad;
	for (i = 0; i < req->param_len; i++) {
		char c = req->param[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-'))
			goto bad;
	}
	memcpy(name, req->param, req->param_len);
	name[req->param_len] = '\0';
	return true;
bad:
	cw_http_problem(resp, 404, "not-found", "Not found",
	    "no such service", NULL);
	return false;
}

/* Only the requester role (or none): reads its own requests only. */
static bool
reads_own_only(const cw_user *u)
{
	size_t i;

	for (i = 0; i < u->n_roles; i++)
		if (strcmp(u->roles[i], "requester") != 0)
			return false;
	return true;
}

static bool
one_of(const char *v, const char *const *set)
{
	size_t i;

	for (i = 0; set[i] != NULL; i++)
		if (strcmp(set[i], v) == 0)
			return true;
	return false;
}

/* --- requests and certificates ------------------------------------------------ */

void
cw_api_request_list(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	static const char *const states[] = {"pending", "held", "issued",
	    "rejected", NULL};
	cw_err err = CW_ERR_INIT;
	const char *state, *service, *who;
	json_t *arr = NULL, *mine, *x;
	page_req p;
	size_t i;

	if (!cw_http_query_arg(req, "state", &state, resp) ||
	    !cw_http_query_arg(req, "service", &service, resp) ||
	    !page_args(req, &p, resp))
		return;
	if (state != NULL && !one_of(state, states)) {
		bad_request(resp, "state: pending, held, issued or rejected");
		return;
	}
	if (cw_request_list(ctx->engine, state, service, &arr, &err) !=
	    CW_OK) {
		cw_http_problem_err(resp, &err);
		return;
	}
	if (reads_own_only(&req->user)) {
		/* DESIGN 7.1: a requester lists its own requests */
		if ((mine = json_array()) == NULL) {
			json_decref(arr);
			cw_http_json(resp, 200, NULL);
			return;
		}
		json_array_foreach(arr, i, x) {
			who = json_string_value(json_object_get(x,
			    "requester"));
			if (who != NULL && strcmp(who, req->user.name) == 0)
				json_array_append(mine, x);
		}
		json_decref(arr);
		arr = mine;
	}
	page_response(resp, arr, &p);
}

void
cw_api_cert_page(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	json_t *arr;
	page_req p;

	if (!page_args(req, &p, resp))
		return;
	/* without page arguments the answer stays the bare array it was in
	 * the first slice (clients of that shape keep working) */
	cw_api_cert_list(ctx, req, resp);
	if (!p.given || resp->status != 200)
		return;
	arr = json_loadb((const char *)resp->body, resp->body_len, 0, NULL);
	if (!resp->body_static)
		free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	if (!json_is_array(arr)) {
		json_decref(arr);
		cw_http_json(resp, 200, NULL);
		return;
	}
	page_response(resp, arr, &p);
}

static void
cert_bytes(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp,
    bool chain)
{
	cw_err err = CW_ERR_INIT;
	char serial[SERIAL_HEX_MAX + 1];
	uint8_t *b = NULL;
	size_t len = 0;

	if (!cw_http_param_serial(req, serial, resp))
		return;
	if (cw_cert_get(ctx->engine, serial, chain, !chain, &b, &len, &err) !=
	    CW_OK) {
		cw_http_problem_err(resp, &err);
		return;
	}
	resp->status = 200;
	/* RFC 8555 9.1 names the PEM chain type; RFC 2585 the DER one */
	resp->content_type = chain ? "application/pem-certificate-chain" :
	    "application/pkix-cert";
	resp->body = b;
	resp->body_len = len;
	resp->body_static = false;
}

void
cw_api_cert_der(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	cert_bytes(ctx, req, resp, false);
}

void
cw_api_cert_chain(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	cert_bytes(ctx, req, resp, true);
}

/* --- services ------------------------------------------------------------------ */

void
cw_api_service_list(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	cw_err err = CW_ERR_INIT;
	json_t *arr = NULL;

	(void)req;
	if (cw_service_list(ctx->engine, &arr, &err) != CW_OK) {
		cw_http_problem_err(resp, &err);
		return;
	}
	cw_http_json(resp, 200, arr);
}

/* The service called name from the engine's list (new reference), or NULL. */
static json_t *
service_find(cw_http_ctx *ctx, const char *name, cw_err *err)
{
	json_t *arr = NULL, *x, *found = NULL;
	size_t i;

	if (cw_service_list(ctx->engine, &arr, err) != CW_OK)
		return NULL;
	json_array_foreach(arr, i, x) {
		const char *n = json_string_value(json_object_get(x, "name"));

		if (n != NULL && strcmp(n, name) == 0) {
			found = json_incref(x);
			break;
		}
	}
	json_decref(arr);
	if (found == NULL)
		cw_err_set(err, CW_ERR_NOT_FOUND, "unknown service '%s'", name);
	return found;
}

void
cw_api_service_add(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	static const char *const allowed[] = {"name", "owner", "contact",
	    NULL};
	cw_err err = CW_ERR_INIT;
	const char *name, *owner, *contact;
	json_t *j, *svc;
	cw_actor a;

	if ((j = cw_http_body_object(req, allowed, false, resp)) == NULL)
		return;
	if (!cw_http_member_str(j, "name", true, &name, resp) ||
	    !cw_http_member_str(j, "owner", true, &owner, resp) ||
	    !cw_http_member_str(j, "contact", true, &contact, resp))
		goto out;
	actor_of(req, &a);
	if (cw_service_add(ctx->engine, &a, name, owner, contact, &err) !=
	    CW_OK) {
		cw_http_problem_err(resp, &err);
		goto out;
	}
	if ((svc = service_find(ctx, name, &err)) == NULL) {
		cw_http_problem_err(resp, &err);
		goto out;
	}
	cw_http_json(resp, 201, svc);
out:
	json_decref(j);
}

void
cw_api_service_verify(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	static const char *const allowed[] = {NULL};
	cw_err err = CW_ERR_INIT;
	char name[128];
	const char *owner;
	json_t *j, *svc = NULL;
	cw_actor a;
	int released = 0;
	cw_rc rc;

	if (!param_name(req, name, sizeof(name), resp))
		return;
	if ((j = cw_http_body_object(req, allowed, true, resp)) == NULL)
		return;
	if ((svc = service_find(ctx, name, &err)) == NULL) {
		cw_http_problem_err(resp, &err);
		goto out;
	}
	/* a pki-admin, or a user holding the owner team's role: the
	 * engine checks this too; here it tells 403 from 409 */
	owner = json_string_value(json_object_get(svc, "owner"));
	if (!cw_user_has_role(&req->user, "pki-admin") && (owner == NULL ||
	    !cw_user_has_role(&req->user, owner))) {
		cw_http_problem(resp, 403, "forbidden", "Forbidden", "this "
		    "needs the role pki-admin or the owner team's role", NULL);
		goto out;
	}
	actor_of(req, &a);
	rc = cw_service_verify(ctx->engine, &a, name, &released, &err);
	if (rc == CW_ERR_NONCOMPLIANT) {
		cw_http_problem(resp, 409, "conflict", "Conflict", err.msg,
		    NULL);
		goto out;
	}
	if (rc != CW_OK) {
		cw_http_problem_err(resp, &err);
		goto out;
	}
	cw_http_json(resp, 200, json_pack("{s:s, s:s, s:i}", "name", name,
	    "verified_by", req->user.name, "released", released));
out:
	json_decref(svc);
	json_decref(j);
}

void
cw_api_service_retire(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	static const char *const allowed[] = {NULL};
	cw_err err = CW_ERR_INIT;
	char name[128];
	json_t *j;
	cw_actor a;
	int revoked = 0;
	cw_rc rc;

	if (!param_name(req, name, sizeof(name), resp))
		return;
	if ((j = cw_http_body_object(req, allowed, true, resp)) == NULL)
		return;
	actor_of(req, &a);
	rc = cw_service_retire(ctx->engine, &a, name, &revoked, &err);
	if (rc == CW_ERR_NONCOMPLIANT) {
		/* the role was checked by the router: already retired */
		cw_http_problem(resp, 409, "conflict", "Conflict", err.msg,
		    NULL);
		goto out;
	}
	if (rc != CW_OK) {
		cw_http_problem_err(resp, &err);
		goto out;
	}
	/* its certificates were revoked: every worker's CRL is stale */
	if (revoked > 0)
		__atomic_add_fetch(ctx->revocations, 1, __ATOMIC_SEQ_CST);
	cw_http_json(resp, 200, json_pack("{s:s, s:b, s:i}", "name", name,
	    "retired", 1, "revoked", revoked));
out:
	json_decref(j);
}

/* --- exceptions ---------------------------------------------------------------- */

void
cw_api_exception_list(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	cw_err err = CW_ERR_INIT;
	const char *all;
	json_t *arr = NULL;

	if (!cw_http_query_arg(req, "all", &all, resp))
		return;
	if (all != NULL && strcmp(all, "true") != 0 &&
	    strcmp(all, "false") != 0) {
		bad_request(resp, "all: true or false");
		return;
	}
	if (cw_exception_list(ctx->engine, all != NULL &&
	    strcmp(all, "true") == 0, &arr, &err) != CW_OK) {
		cw_http_problem_err(resp, &err);
		return;
	}
	cw_http_json(resp, 200, arr);
}

void
cw_api_exception_add(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	static const char *const allowed[] = {"template", "service", "rule",
	    "until", "reason", NULL};
	cw_err err = CW_ERR_INIT;
	const char *tmpl, *svc, *rule, *until, *reason;
	char when[40];
	json_t *j;
	cw_actor a;
	int64_t t, id = 0;
	cw_rc rc;

	if ((j = cw_http_body_object(req, allowed, false, resp)) == NULL)
		return;
	if (!cw_http_member_str(j, "template", true, &tmpl, resp) ||
	    !cw_http_member_str(j, "service", true, &svc, resp) ||
	    !cw_http_member_str(j, "rule", true, &rule, resp) ||
	    !cw_http_member_str(j, "until", true, &until, resp) ||
	    !cw_http_member_str(j, "reason", true, &reason, resp))
		goto out;
	if (!cw_parse_time(until, cw_engine_now(ctx->engine), &t)) {
		bad_request(resp, "until: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or "
		    "a duration such as 30d");
		goto out;
	}
	actor_of(req, &a);
	rc = cw_exception_add(ctx->engine, &a, tmpl, svc, rule, t, reason, &id,
	    &err);
	if (rc == CW_ERR_NOT_FOUND) {
		/* an unknown template or service named in the body is the
		 * client's input, not a missing resource */
		bad_request(resp, err.msg);
		goto out;
	}
	if (rc != CW_OK) {
		cw_http_problem_err(resp, &err);
		goto out;
	}
	cw_time_text(t, when, sizeof(when));
	snprintf(resp->location_buf, sizeof(resp->location_buf),
	    "/api/v1/exceptions/%lld", (long long)id);
	cw_http_json(resp, 201, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, "
	    "s:s}", "id", (json_int_t)id, "template", tmpl, "service", svc,
	    "rule", rule, "until", when, "reason", reason, "granted_by",
	    req->user.name));
	if (resp->status == 201)
		resp->location = resp->location_buf;
out:
	json_decref(j);
}

void
cw_api_exception_delete(cw_http_ctx *ctx, cw_http_req *req,
    cw_http_resp *resp)
{
	cw_err err = CW_ERR_INIT;
	cw_actor a;
	int64_t id;
	cw_rc rc;

	if (!param_id(req, "exception", &id, resp))
		return;
	actor_of(req, &a);
	rc = cw_exception_revoke(ctx->engine, &a, id, &err);
	if (rc == CW_ERR_NONCOMPLIANT) {
		cw_http_problem(resp, 409, "conflict", "Conflict", err.msg,
		    NULL);
		return;
	}
	if (rc != CW_OK) {
		cw_http_problem_err(resp, &err);
		return;
	}
	cw_http_static(resp, 204, NULL, (const uint8_t *)"", 0);
}

/* --- audit --------------------------------------------------------------------- */

void
cw_api_audit_log(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	cw_err err = CW_ERR_INIT;
	const char *object, *since_s;
	json_t *arr = NULL;
	int64_t since = 0, d;
	page_req p;

	if (!cw_http_query_arg(req, "object", &object, resp) ||
	    !cw_http_query_arg(req, "since", &since_s, resp) ||
	    !page_args(req, &p, resp))
		return;
	/* as `certward audit log --since`: a duration back from now, or a
	 * date or time */
	if (since_s != NULL) {
		if (cw_parse_duration(since_s, &d))
			since = cw_engine_now(ctx->engine) - d;
		else if (!cw_parse_time(since_s, 0, &since)) {
			bad_request(resp, "since: YYYY-MM-DD, "
			    "YYYY-MM-DDTHH:MM:SSZ or a duration such as 1h");
			return;
		}
	}
	if (cw_audit_log(ctx->engine, object, since, &arr, &err) != CW_OK) {
		cw_http_problem_err(resp, &err);
		return;
	}
	page_response(resp, arr, &p);
}

void
cw_api_audit_verify(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	static const char *const allowed[] = {"checkpoint", NULL};
	cw_err err = CW_ERR_INIT;
	const char *cp;
	json_t *j, *report = NULL;
	cw_rc rc;

	if ((j = cw_http_body_object(req, allowed, true, resp)) == NULL)
		return;
	if (!cw_http_member_str(j, "checkpoint", false, &cp, resp))
		goto out;
	rc = cw_audit_verify_log(ctx->engine, cp, &report, &err);
	if (rc == CW_ERR_NONCOMPLIANT) {
		/* a broken log is the answer to the question, not an error
		 * of the request */
		cw_http_json(resp, 200, json_pack("{s:b, s:s}", "intact", 0,
		    "error", err.msg));
		goto out;
	}
	if (rc != CW_OK) {
		cw_http_problem_err(resp, &err);
		goto out;
	}
	cw_http_json(resp, 200, report);
out:
	json_decref(j);
}

void
cw_api_audit_checkpoint(cw_http_ctx *ctx, cw_http_req *req,
    cw_http_resp *resp)
{
	static const char *const allowed[] = {NULL};
	cw_err err = CW_ERR_INIT;
	json_t *j;
	char *text = NULL;
	cw_actor a;

	if ((j = cw_http_body_object(req, allowed, true, resp)) == NULL)
		return;
	actor_of(req, &a);
	if (cw_audit_checkpoint(ctx->engine, &a, &text, &err) != CW_OK) {
		cw_http_problem_err(resp, &err);
		goto out;
	}
	cw_http_json(resp, 201, json_pack("{s:s}", "checkpoint", text));
out:
	free(text);
	json_decref(j);
}
