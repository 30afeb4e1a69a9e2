/*
 * http_request.c - reading what a client sent: the JSON body with its
 * allowed members, string members, query arguments and the serial path
 * parameter.  Shared by every route handler, so that each input is bounded
 * and refused the same way everywhere (400/415 problem documents).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/limits.h"
#include "../common/util.h"
#include "http.h"

static void
bad_request(cw_http_resp *resp, const char *detail)
{
	cw_http_problem(resp, 400, "bad-request", "Bad request", detail, NULL);
}

/*
 * The body as one JSON object whose members are all in `allowed`; an empty
 * body is an empty object when `empty_ok`.  NULL after filling resp with
 * the problem.
 */
json_t *
cw_http_body_object(const cw_http_req *req, const char *const *allowed,
    bool empty_ok, cw_http_resp *resp)
{
	json_error_t je;
	json_t *j, *v;
	const char *k, *ct = req->content_type;
	char detail[256], name[64];
	size_t i;
	bool ok;

	if (req->body_len == 0 && empty_ok)
		return json_object();
	if (ct == NULL || strncmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';')) {
		cw_http_problem(resp, 415, "unsupported-media-type",
		    "Unsupported media type",
		    "send Content-Type: application/json", NULL);
		return NULL;
	}
	j = json_loadb((const char *)req->body, req->body_len,
	    JSON_REJECT_DUPLICATES, &je);
	if (j == NULL) {
		snprintf(detail, sizeof(detail), "malformed JSON at line %d "
		    "column %d: %s", je.line, je.column, je.text);
		cw_http_problem(resp, 400, "malformed-json", "Malformed JSON",
		    detail, NULL);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		bad_request(resp, "the body must be a JSON object");
		return NULL;
	}
	json_object_foreach(j, k, v) {
		ok = false;
		for (i = 0; allowed[i] != NULL && !ok; i++)
			ok = strcmp(allowed[i], k) == 0;
		if (!ok) {
			cw_escape((const uint8_t *)k, strlen(k), name,
			    sizeof(name));
			snprintf(detail, sizeof(detail), "unknown member "
			    "\"%s\"", name);
			json_decref(j);
			bad_request(resp, detail);
			return NULL;
		}
	}
	return j;
}

/* A string member (borrowed from j): non-empty, no NUL inside. */
bool
cw_http_member_str(json_t *j, const char *name, bool required, const char **out,
    cw_http_resp *resp)
{
	json_t *v = json_object_get(j, name);
	char detail[128];

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return true;
		snprintf(detail, sizeof(detail), "\"%s\" is required", name);
	} else if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(detail, sizeof(detail), "\"%s\" must be a non-empty "
		    "string", name);
	} else {
		*out = json_string_value(v);
		return true;
	}
	bad_request(resp, detail);
	return false;
}

/* A query argument, bounded; false (problem set) when too long. */
bool
cw_http_query_arg(const cw_http_req *req, const char *name, const char **out,
    cw_http_resp *resp)
{
	const char *v = req->query(req->conn, name);
	char detail[96];

	*out = NULL;
	if (v == NULL || *v == '\0')
		return true;
	if (strlen(v) > CW_HTTP_QUERY_MAX) {
		snprintf(detail, sizeof(detail), "query argument %s is too "
		    "long", name);
		bad_request(resp, detail);
		return false;
	}
	*out = v;
	return true;
}

/* The {serial} segment: 1..40 lower-case hex digits, no leading zero. */
bool
cw_http_param_serial(const cw_http_req *req, char serial[CW_HTTP_SERIAL_HEX_MAX + 1],
    cw_http_resp *resp)
{
	size_t i;

	if (req->param_len == 0 || req->param_len > CW_HTTP_SERIAL_HEX_MAX ||
	    req->param[0] == '0')
		goto bad;
	for (i = 0; i < req->param_len; i++)
		if (!((req->param[i] >= '0' && req->param[i] <= '9') ||
		    (req->param[i] >= 'a' && req->param[i] <= 'f')))
			goto bad;
	memcpy(serial, req->param, req->param_len);
	serial[req->param_len] = '\0';
	return true;
bad:
	cw_http_problem(resp, 404, "not-found", "Not found",
	    "no certificate with that serial (lower-case hex)", NULL);
	return false;
}
