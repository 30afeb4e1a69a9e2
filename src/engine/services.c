/* services.c - services and their owners: add, attest, retire. */
#include "engine_int.h"

#include <stdio.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "../x509/cert_build.h"

static const char *const admin_roles[] = {"pki-admin"};

cw_rc cw_engine_release_held(cw_engine *e, const cw_actor *a,
    const char *service, int *released, cw_err *err);

static bool
svc_name_ok(const char *n)
{
	size_t i, len = strlen(n);

	if (len == 0 || len >= CW_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = n[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (i > 0 && (c == '.' || c == '_' || c == '-'))))
			return false;
	}
	return true;
}

cw_rc
cw_service_add(cw_engine *e, const cw_actor *a, const char *name,
    const char *owner, const char *contact, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor;
	cw_service svc;
	json_t *det = NULL;
	char obj[160];
	bool found;

	CW_ENSURE(svc_name_ok(name), CW_ERR_USAGE, "service name '%.64s' is "
	    "not allowed: use lower-case letters, digits and . _ -", name);
	CW_ENSURE(owner != NULL && svc_name_ok(owner), CW_ERR_USAGE,
	    "--owner must name a team (lower-case letters, digits, . _ -)");
	CW_ENSURE(contact != NULL && contact[0] != '\0' &&
	    strlen(contact) < sizeof(svc.contact), CW_ERR_USAGE,
	    "--contact must give an address (e-mail, chat channel, pager)");
	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, admin_roles, 1, "add services", err));
	CW_TRY(cw_store_service_get(e->store, name, &svc, &found, err));
	CW_ENSURE(!found, CW_ERR_EXISTS, "service '%s' already exists (owner "
	    "%s)", name, svc.owner);
	memset(&svc, 0, sizeof(svc));
	snprintf(svc.name, sizeof(svc.name), "%s", name);
	snprintf(svc.owner, sizeof(svc.owner), "%s", owner);
	snprintf(svc.contact, sizeof(svc.contact), "%s", contact);
	/* adding a service is its first ownership attestation */
	svc.created_at = svc.verified_at = cw_engine_now(e);
	CW_TRY(cw_store_service_put(e->store, &svc, err));
	det = json_pack("{s:s, s:s}", "owner", owner, "contact", contact);
	snprintf(obj, sizeof(obj), "service:%s", name);
	CW_TRY(cw_engine_audit(e, a, "service.add", obj, det, err));
	CW_TRY(cw_store_commit(e->store, err));
out:
	if (rc != CW_OK)
		cw_store_rollback(e->store);
	json_decref(det);
	return rc;
}

cw_rc
cw_service_verify(cw_engine *e, const cw_actor *a, const char *name,
    int *released, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor;
	cw_service svc;
	json_t *det = NULL;
	char obj[160];
	bool found;
	const char *roles[2];

	*released = 0;
	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_store_service_get(e->store, name, &svc, &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "unknown service '%s'", name);
	CW_ENSURE(!svc.retired, CW_ERR_NONCOMPLIANT, "service '%s' is retired",
	    name);
	/* the owner team attests; a pki-admin may record it for them */
	roles[0] = "pki-admin";
	roles[1] = svc.owner;
	CW_TRY(cw_require_role(&actor, roles, 2, "attest this service's "
	    "ownership", err));
	svc.verified_at = cw_engine_now(e);
	CW_TRY(cw_store_service_put(e->store, &svc, err));
	det = json_pack("{s:s}", "owner", svc.owner);
	snprintf(obj, sizeof(obj), "service:%s", name);
	CW_TRY(cw_engine_audit(e, a, "service.verify", obj, det, err));
	CW_TRY(cw_engine_release_held(e, a, name, released, err));
	CW_TRY(cw_store_commit(e->store, err));
out:
	if (rc != CW_OK)
		cw_store_rollback(e->store);
	json_decref(det);
	return rc;
}

typedef struct retire_ctx {
	char (*serials)[48];
	size_t n, cap;
	bool oom;
} retire_ctx;

static bool
collect(const cw_cert_rec *c, void *arg)
{
	retire_ctx *r = arg;
	void *p;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		p = realloc(r->serials, r->cap * sizeof(*r->serials));
		if (p == NULL) {
			r->oom = true;
			return false;
		}
		r->serials = p;
	}
	snprintf(r->serials[r->n++], 48, "%s", c->serial);
	return true;
}

cw_rc
cw_service_retire(cw_engine *e, const cw_actor *a, const char *name,
    int *revoked, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor;
	cw_service svc;
	cw_cert_filter f;
	retire_ctx rc_ = {NULL, 0, 0, false};
	cw_cert_rec c;
	json_t *det = NULL;
	char obj[160];
	bool found;
	size_t i;

	*revoked = 0;
	memset(&c, 0, sizeof(c));
	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, admin_roles, 1, "retire services", err));
	CW_TRY(cw_store_service_get(e->store, name, &svc, &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "unknown service '%s'", name);
	CW_ENSURE(!svc.retired, CW_ERR_NONCOMPLIANT, "service '%s' is already "
	    "retired", name);
	svc.retired = true;
	CW_TRY(cw_store_service_put(e->store, &svc, err));
	memset(&f, 0, sizeof(f));
	f.service = name;
	f.status = "valid";
	f.now = cw_engine_now(e);
	CW_TRY(cw_store_cert_each(e->store, &f, collect, &rc_, err));
	CW_ENSURE(!rc_.oom, CW_ERR_NOMEM, "out of memory");
	for (i = 0; i < rc_.n; i++) {
		CW_TRY(cw_store_cert_get(e->store, rc_.serials[i], &c, &found,
		    err));
		if (found)
			CW_TRY(cw_engine_revoke_locked(e, a, &c,
			    CRL_REASON_CESSATION_OF_OPERATION, err));
		cw_cert_rec_cleanup(&c);
		(*revoked)++;
	}
	det = json_pack("{s:i}", "revoked", *revoked);
	snprintf(obj, sizeof(obj), "service:%s", name);
	CW_TRY(cw_engine_audit(e, a, "service.retire", obj, det, err));
	CW_TRY(cw_store_commit(e->store, err));
out:
	if (rc != CW_OK)
		cw_store_rollback(e->store);
	cw_cert_rec_cleanup(&c);
	free(rc_.serials);
	json_decref(det);
	return rc;
}
