/*
 * router.c - the route table of `certward serve` and the checks every route
 * shares, done here once before any handler runs (STYLE: tables, not
 * ladders): the body limit (enforced while reading, server.c), the
 * credentials (a bearer token, a client certificate, or both), the role.
 * Also the response helpers, among them RFC 9457 problem documents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../engine/client_auth.h"
#include "http.h"

#define BODY CW_HTTP_BODY_DEFAULT

/*
 * Path syntax: a literal; "{}" stands for exactly one non-empty segment
 * (the handler's req->param); a trailing "*" takes the rest of the path
 * (one or more characters, '/' included: OCSP GET, RFC 6960 A.1).
 */
static const cw_http_route routes[] = {
	{"GET", "/healthz", cw_pub_healthz, CW_HTTP_PUBLIC, {NULL}, 0, true},
	{"GET", "/crl/issuing.crl", cw_pub_crl, CW_HTTP_PUBLIC, {NULL}, 0,
	    true},
	{"GET", "/ca/issuing.crt", cw_pub_ca_issuing, CW_HTTP_PUBLIC, {NULL},
	    0, true},
	{"GET", "/ca/root.crt", cw_pub_ca_root, CW_HTTP_PUBLIC, {NULL}, 0,
	    true},
	{"POST", "/ocsp", cw_pub_ocsp_post, CW_HTTP_PUBLIC, {NULL},
	    CW_MAX_OCSP_REQUEST, true},
	{"GET", "/ocsp/*", cw_pub_ocsp_get, CW_HTTP_PUBLIC, {NULL}, 0, true},
	{"POST", "/api/v1/requests", cw_api_submit, CW_HTTP_ROLES,
	    {"requester", "pki-admin", NULL}, BODY, false},
	{"GET", "/api/v1/requests/{}", cw_api_request_get, CW_HTTP_SIGNED_IN,
	    {NULL}, 0, false},
	{"POST", "/api/v1/requests/{}/approve", cw_api_request_approve,
	    CW_HTTP_SIGNED_IN, {NULL}, BODY, false},
	{"POST", "/api/v1/requests/{}/reject", cw_api_request_reject,
	    CW_HTTP_SIGNED_IN, {NULL}, BODY, false},
	{"GET", "/api/v1/requests", cw_api_request_list, CW_HTTP_SIGNED_IN,
	    {NULL}, 0, false},
	{"GET", "/api/v1/certificates", cw_api_cert_page, CW_HTTP_SIGNED_IN,
	    {NULL}, 0, false},
	{"GET", "/api/v1/certificates/{}", cw_api_cert_get, CW_HTTP_SIGNED_IN,
	    {NULL}, 0, false},
	{"GET", "/api/v1/certificates/{}/pem", cw_api_cert_pem,
	    CW_HTTP_SIGNED_IN, {NULL}, 0, false},
	{"GET", "/api/v1/certificates/{}/der", cw_api_cert_der,
	    CW_HTTP_SIGNED_IN, {NULL}, 0, false},
	{"GET", "/api/v1/certificates/{}/chain", cw_api_cert_chain,
	    CW_HTTP_SIGNED_IN, {NULL}, 0, false},
	{"POST", "/api/v1/certificates/{}/revoke", cw_api_cert_revoke,
	    CW_HTTP_ROLES, {"pki-admin", NULL}, BODY, false},
	{"GET", "/api/v1/templates", cw_api_templates, CW_HTTP_SIGNED_IN,
	    {NULL}, 0, false},
	/* reading services and exceptions: the auditor reads everything
	 * (issue 4 item 3) */
	{"GET", "/api/v1/services", cw_api_service_list, CW_HTTP_ROLES,
	    {"pki-admin", "auditor", NULL}, 0, false},
	{"POST", "/api/v1/services", cw_api_service_add, CW_HTTP_ROLES,
	    {"pki-admin", NULL}, BODY, false},
	/* the owner team's users may attest too: the engine decides */
	{"POST", "/api/v1/services/{}/verify", cw_api_service_verify,
	    CW_HTTP_SIGNED_IN, {NULL}, BODY, false},
	{"POST", "/api/v1/services/{}/retire", cw_api_service_retire,
	    CW_HTTP_ROLES, {"pki-admin", NULL}, BODY, false},
	{"GET", "/api/v1/exceptions", cw_api_exception_list, CW_HTTP_ROLES,
	    {"pki-admin", "auditor", NULL}, 0, false},
	{"POST", "/api/v1/exceptions", cw_api_exception_add, CW_HTTP_ROLES,
	    {"pki-admin", NULL}, BODY, false},
	{"DELETE", "/api/v1/exceptions/{}", cw_api_exception_delete,
	    CW_HTTP_ROLES, {"pki-admin", NULL}, 0, false},
	{"GET", "/api/v1/audit", cw_api_audit_log, CW_HTTP_ROLES,
	    {"auditor", "pki-admin", NULL}, 0, false},
	{"POST", "/api/v1/audit/verify", cw_api_audit_verify, CW_HTTP_ROLES,
	    {"auditor", "pki-admin", NULL}, BODY, false},
	{"POST", "/api/v1/audit/checkpoint", cw_api_audit_checkpoint,
	    CW_HTTP_ROLES, {"auditor", "pki-admin", NULL}, BODY, false},
	{"GET", "/api/v1/openapi.json", cw_pub_openapi, CW_HTTP_PUBLIC,
	    {NULL}, 0, false},
	/* inventory figures: not for the relying parties' plain listener */
	{"GET", "/metrics", cw_pub_metrics, CW_HTTP_PUBLIC, {NULL}, 0, false},
	/* the dashboard (issue 4 item 5): public files, no data in them;
	 * not on the plain listener, where /api/v1 is not served either */
	{"GET", "/", cw_ui_index, CW_HTTP_PUBLIC, {NULL}, 0, false},
	{"GET", "/ui/app.js", cw_ui_app_js, CW_HTTP_PUBLIC, {NULL}, 0, false},
	{"GET", "/ui/app.css", cw_ui_app_css, CW_HTTP_PUBLIC, {NULL}, 0,
	    false},
	{"GET", "/ui/favicon.svg", cw_ui_favicon, CW_HTTP_PUBLIC, {NULL}, 0,
	    false},
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

size_t
cw_http_route_count(void)
{
	return N_ROUTES;
}

const cw_http_route *
cw_http_route_at(size_t i)
{
	return i < N_ROUTES ? &routes[i] : NULL;
}

size_t
cw_http_route_index(const cw_http_route *r)
{
	return (size_t)(r - routes);
}

/* Does path match pattern?  Sets the parameter span when it has one. */
static bool
path_match(const char *pat, const char *path, const char **param,
    size_t *param_len)
{
	const char *p = pat, *s = path;

	*param = NULL;
	*param_len = 0;
	while (*p != '\0') {
		if (p[0] == '*' && p[1] == '\0') {
			if (*s == '\0')
				return false;
			*param = s;
			*param_len = strlen(s);
			return true;
		}
		if (p[0] == '{' && p[1] == '}') {
			const char *start = s;

			while (*s != '\0' && *s != '/')
				s++;
			if (s == start)
				return false;
			*param = start;
			*param_len = (size_t)(s - start);
			p += 2;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *s == '\0';
}

const cw_http_route *
cw_http_route_find(const char *method, const char *path,
    bool public_listener, bool *allowed_other)
{
	const char *param;
	size_t plen, i;

	*allowed_other = false;
	for (i = 0; i < N_ROUTES; i++) {
		if (public_listener && !routes[i].public_listener)
			continue;
		if (!path_match(routes[i].path, path, &param, &plen))
			continue;
		if (strcmp(routes[i].method, method) == 0)
			return &routes[i];
		*allowed_other = true;
	}
	return NULL;
}

static bool
has_role(const cw_user *u, const char *const *roles)
{
	size_t i;

	for (i = 0; roles[i] != NULL; i++)
		if (cw_user_has_role(u, roles[i]))
			return true;
	return false;
}

/* RFC 6750 2.1: "Bearer" (case-insensitive) 1*SP token. */
static const char *
bearer_token(const char *h)
{
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h != '\0' ? h : NULL;
}

/* A 401 problem (RFC 9110 11.6.1: with a challenge). */
static void
unauthorized(cw_http_resp *resp, const char *title, const char *detail,
    const char *challenge)
{
	cw_http_problem(resp, 401, "unauthorized", title, detail, NULL);
	resp->www_authenticate = challenge;
}

/*
 * Signs the request in (DESIGN 7.1): with a bearer token, a client
 * certificate issued by certward (mutual TLS), or both, which must then
 * name the same user.  Every credential presented must be valid: a bad
 * certificate is not rescued by a good token, nor the other way round.
 * Each failure is audited and counted towards the source's limit
 * (metrics.c); a missing credential is not a failure.  False after
 * filling resp.
 */
static bool
authenticate(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	cw_err err = CW_ERR_INIT;
	cw_user cert_user;
	const uint8_t *der;
	const char *tok;
	size_t der_len;

	memset(&cert_user, 0, sizeof(cert_user));
	/* a source that keeps guessing is refused before its credentials
	 * are looked at, valid or not, until its window ends */
	if (cw_http_auth_limited(req->peer)) {
		cw_http_problem(resp, 429, "too-many-requests",
		    "Too many failed sign-ins", "too many invalid credentials "
		    "from this address; try again later", NULL);
		resp->retry_after = CW_HTTP_AUTH_FAIL_WINDOW;
		return false;
	}
	tok = bearer_token(req->authorization);
	der = cw_http_client_cert(req, &der_len);
	if (tok == NULL && der == NULL) {
		unauthorized(resp, "Authentication required", "send "
		    "Authorization: Bearer TOKEN (certward token create) or a "
		    "client certificate issued by certward",
		    "Bearer realm=\"certward\"");
		return false;
	}
	if (der != NULL) {
		/* the engine's message names the serial and the reason: the
		 * sender holds the certificate's key and learns nothing it
		 * could not read from it, the CRL or OCSP */
		switch (cw_client_cert_authenticate(ctx->engine, der, der_len,
		    &cert_user, NULL, &err)) {
		case CW_OK:
			break;
		case CW_ERR_NONCOMPLIANT:
			cw_http_auth_failed(ctx, req->peer, err.msg);
			unauthorized(resp, "Authentication failed", err.msg,
			    "Bearer realm=\"certward\"");
			return false;
		default:
			cw_http_problem_err(resp, &err);
			return false;
		}
		req->user = cert_user;
	}
	if (tok != NULL) {
		/* one answer for every way a token can be wrong; the
		 * engine's message says no more than that either */
		switch (cw_token_authenticate(ctx->engine, tok, &req->user,
		    &err)) {
		case CW_OK:
			break;
		case CW_ERR_NONCOMPLIANT:
			cw_http_auth_failed(ctx, req->peer, "invalid token");
			unauthorized(resp, "Authentication failed",
			    "the token is not valid", "Bearer "
			    "realm=\"certward\", error=\"invalid_token\"");
			return false;
		default:
			cw_http_problem_err(resp, &err);
			return false;
		}
		if (der != NULL &&
		    strcmp(cert_user.name, req->user.name) != 0) {
			cw_http_auth_failed(ctx, req->peer, "client "
			    "certificate and token of different users");
			unauthorized(resp, "Authentication failed", "the "
			    "client certificate and the token belong to "
			    "different users; send one of them", "Bearer "
			    "realm=\"certward\"");
			return false;
		}
	}
	req->authenticated = true;
	return true;
}

void
cw_http_dispatch(cw_http_ctx *ctx, const cw_http_route *route,
    cw_http_req *req, cw_http_resp *resp)
{
	char detail[160];

	(void)path_match(route->path, req->path, &req->param,
	    &req->param_len);
	if (route->access != CW_HTTP_PUBLIC && !authenticate(ctx, req, resp))
		return;
	if (route->access == CW_HTTP_ROLES && !has_role(&req->user,
	    route->roles)) {
		snprintf(detail, sizeof(detail), "this needs the role %s%s%s",
		    route->roles[0], route->roles[1] ? " or " : "",
		    route->roles[1] ? route->roles[1] : "");
		cw_http_problem(resp, 403, "forbidden", "Forbidden", detail,
		    NULL);
		return;
	}
	route->handler(ctx, req, resp);
}

/* --- responses ------------------------------------------------------------- */

static void
set_body(cw_http_resp *resp, int status, const char *type, char *text)
{
	resp->status = status;
	resp->content_type = type;
	resp->body = (uint8_t *)text;
	resp->body_len = strlen(text);
	resp->body_static = false;
}

static const char oom_problem[] =
    "{\"type\":\"urn:certward:problem:internal\",\"title\":\"Internal "
    "error\",\"status\":500,\"detail\":\"out of memory\"}";

static void
set_oom(cw_http_resp *resp)
{
	cw_http_static(resp, 500, "application/problem+json",
	    (const uint8_t *)oom_problem, sizeof(oom_problem) - 1);
}

void
cw_http_json(cw_http_resp *resp, int status, json_t *j)
{
	char *text;

	if (j == NULL || (text = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		set_oom(resp);
		return;
	}
	json_decref(j);
	set_body(resp, status, "application/json", text);
}

void
cw_http_problem(cw_http_resp *resp, int status, const char *slug,
    const char *title, const char *detail, json_t *extra)
{
	char type[96], *text;
	json_t *j;

	snprintf(type, sizeof(type), "urn:certward:problem:%s", slug);
	j = json_pack("{s:s, s:s, s:i}", "type", type, "title", title,
	    "status", status);
	if (j != NULL && detail != NULL)
		json_object_set_new(j, "detail", json_string(detail));
	if (j != NULL && extra != NULL)
		json_object_update(j, extra);
	json_decref(extra);
	if (j == NULL || (text = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		set_oom(resp);
		return;
	}
	json_decref(j);
	set_body(resp, status, "application/problem+json", text);
}

void
cw_http_problem_err(cw_http_resp *resp, const cw_err *err)
{
	int status = cw_rc_http_status(err->rc);
	const char *slug;

	switch (err->rc) {
	case CW_ERR_NONCOMPLIANT: slug = "policy"; break;
	case CW_ERR_USAGE:
	case CW_ERR_INPUT: slug = "bad-request"; break;
	case CW_ERR_NOT_FOUND: slug = "not-found"; break;
	case CW_ERR_EXISTS: slug = "conflict"; break;
	default: slug = "internal"; break;
	}
	/* internal details (paths, SQL) stay in the server's log */
	if (status >= 500) {
		fprintf(stderr, "certward serve: %s: %s\n",
		    cw_rc_name(err->rc), err->msg);
		cw_http_problem(resp, status, slug, cw_rc_desc(err->rc), NULL,
		    NULL);
		return;
	}
	cw_http_problem(resp, status, slug, cw_rc_desc(err->rc),
	    err->msg[0] ? err->msg : NULL, NULL);
}

void
cw_http_bytes(cw_http_resp *resp, int status, const char *type,
    const uint8_t *b, size_t len)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);

	if (copy == NULL) {
		set_oom(resp);
		return;
	}
	memcpy(copy, b, len);
	resp->status = status;
	resp->content_type = type;
	resp->body = copy;
	resp->body_len = len;
	resp->body_static = false;
}

void
cw_http_static(cw_http_resp *resp, int status, const char *type,
    const uint8_t *b, size_t len)
{
	resp->status = status;
	resp->content_type = type;
	resp->body = (uint8_t *)(uintptr_t)b;
	resp->body_len = len;
	resp->body_static = true;
}
