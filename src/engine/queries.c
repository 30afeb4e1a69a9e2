/*
 * queries.c - read-only views of the state for adapters (CLI, and later
 * REST and the dashboard), as JSON, so that no adapter reads the store.
 */
#include "engine_int.h"

#include <stdio.h>
#include <string.h>

static bool
user_cb(const cw_user *u, void *arg)
{
	json_t *roles = json_array();
	size_t i;

	for (i = 0; i < u->n_roles; i++)
		json_array_append_new(roles, json_string(u->roles[i]));
	json_array_append_new((json_t *)arg, json_pack("{s:s, s:o}", "name",
	    u->name, "roles", roles));
	return true;
}

cw_rc
cw_user_list(cw_engine *e, json_t **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	json_t *a = json_array();

	CW_ENSURE_MEM(a);
	CW_TRY(cw_store_user_each(e->store, user_cb, a, err));
	*out = a;
	a = NULL;
out:
	json_decref(a);
	return rc;
}

typedef struct svc_ctx {
	const cw_policy *p;
	int64_t now;
	json_t *arr;
} svc_ctx;

static bool
svc_cb(const cw_service *s, void *arg)
{
	svc_ctx *c = arg;
	json_t *stale = json_array();
	char when[40];
	size_t i;

	for (i = 0; i < c->p->n_templates; i++) {
		const cw_template *t = &c->p->templates[i];

		if (t->owner_required && t->owner_max_age > 0 &&
		    c->now - s->verified_at > t->owner_max_age)
			json_array_append_new(stale, json_string(t->name));
	}
	cw_time_text(s->verified_at, when, sizeof(when));
	json_array_append_new(c->arr, json_pack("{s:s, s:s, s:s, s:s, s:I, "
	    "s:b, s:o}", "name", s->name, "owner", s->owner, "contact",
	    s->contact, "verified_at", when, "verified_age_seconds",
	    (json_int_t)(c->now - s->verified_at), "retired", s->retired,
	    "stale_for", stale));
	return true;
}

cw_rc
cw_service_list(cw_engine *e, json_t **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	svc_ctx c;

	c.p = e->policy;
	c.now = cw_engine_now(e);
	c.arr = json_array();
	CW_ENSURE_MEM(c.arr);
	CW_TRY(cw_store_service_each(e->store, svc_cb, &c, err));
	*out = c.arr;
	c.arr = NULL;
out:
	json_decref(c.arr);
	return rc;
}

static bool
req_cb(const cw_request *r, void *arg)
{
	char when[40];

	cw_time_text(r->created_at, when, sizeof(when));
	json_array_append_new((json_t *)arg, json_pack("{s:I, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:o}", "id", (json_int_t)r->id, "state", r->state,
	    "template", r->template_name, "service", r->service, "requester",
	    r->requester, "serial", r->serial, "created_at", when,
	    "violations", json_loads(r->violations, 0, NULL)));
	return true;
}

cw_rc
cw_request_list(cw_engine *e, const char *state, const char *service,
    json_t **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	json_t *a = json_array();

	CW_ENSURE_MEM(a);
	CW_TRY(cw_store_request_each(e->store, state, service, req_cb, a, err));
	*out = a;
	a = NULL;
out:
	json_decref(a);
	return rc;
}

static bool
exc_cb(const cw_exception *x, void *arg)
{
	char until[40], created[40];

	cw_time_text(x->expires_at, until, sizeof(until));
	cw_time_text(x->created_at, created, sizeof(created));
	json_array_append_new((json_t *)arg, json_pack("{s:I, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)x->id, "template",
	    x->template_name, "service", x->service, "rule", x->rule, "reason",
	    x->reason, "granted_by", x->granted_by, "created_at", created,
	    "until", until, "revoked", x->revoked_at != 0));
	return true;
}

cw_rc
cw_exception_list(cw_engine *e, bool all, json_t **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	json_t *a = json_array();

	CW_ENSURE_MEM(a);
	CW_TRY(cw_store_exception_each(e->store, NULL, NULL, all ? 0 :
	    cw_engine_now(e), exc_cb, a, err));
	*out = a;
	a = NULL;
out:
	json_decref(a);
	return rc;
}

typedef struct cert_ctx {
	cw_cert_row_fn fn;
	void *arg;
	int64_t now;
	bool oom;
} cert_ctx;

static bool
cert_cb(const cw_cert_rec *c, void *arg)
{
	cert_ctx *l = arg;
	json_t *row = cw_cert_rec_json(c, l->now);
	bool more;

	if (row == NULL) {
		l->oom = true;
		return false;
	}
	more = l->fn(row, l->arg);
	json_decref(row);
	return more;
}

cw_rc
cw_cert_each(cw_engine *e, cw_cert_filter *f, cw_cert_row_fn fn, void *arg,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	cert_ctx c;

	c.fn = fn;
	c.arg = arg;
	c.oom = false;
	c.now = f->now = cw_engine_now(e);
	CW_TRY(cw_store_cert_each(e->store, f, cert_cb, &c, err));
	CW_ENSURE(!c.oom, CW_ERR_NOMEM, "out of memory listing certificates");
out:
	return rc;
}

static bool
append_row(json_t *row, void *arg)
{
	return json_array_append(arg, row) == 0;
}

cw_rc
cw_cert_list(cw_engine *e, cw_cert_filter *f, json_t **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	json_t *arr = json_array();

	CW_ENSURE_MEM(arr);
	CW_TRY(cw_cert_each(e, f, append_row, arr, err));
	*out = arr;
	arr = NULL;
out:
	json_decref(arr);
	return rc;
}

static bool
log_cb(const cw_audit_event *ev, void *arg)
{
	char when[40], hex[65];

	cw_time_text(ev->time, when, sizeof(when));
	cw_hex(ev->hash, CW_HASH_LEN, hex);
	json_array_append_new((json_t *)arg, json_pack("{s:I, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:o, s:s}", "seq", (json_int_t)ev->seq, "time",
	    when, "actor", ev->actor, "origin", ev->origin, "channel",
	    ev->channel, "action", ev->action, "object", ev->object, "details",
	    json_loads(ev->details, 0, NULL), "hash", hex));
	return true;
}

cw_rc
cw_audit_log(cw_engine *e, const char *object, int64_t since, json_t **out,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	json_t *a = json_array();

	CW_ENSURE_MEM(a);
	CW_TRY(cw_store_audit_each(e->store, 0, object, since, log_cb, a, err));
	*out = a;
	a = NULL;
out:
	json_decref(a);
	return rc;
}
