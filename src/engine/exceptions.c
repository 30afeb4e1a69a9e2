/* exceptions.c - time-bound waivers of one rule for one service. */
#include "engine_int.h"

#include <stdio.h>
#include <string.h>

static const char *const admin_roles[] = {"pki-admin"};

/* Structural defects and requests for CA powers are never waivable: an
 * exception is a business decision, not a way around the parser. */
static const char *const never[] = {
	"pop", "key.weak", "extension.malformed", "extension.duplicate",
	"extension.critical", "extension.basic_constraints",
	"extension.attribute", "subject.encoding", "subject.shape",
	"service.unknown", "service.retired",
};

bool
cw_rule_waivable(const char *rule)
{
	size_t i;

	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (strcmp(rule, never[i]) == 0)
			return false;
	return true;
}

static bool
known_rule(const char *r)
{
	static const char *const prefixes[] = {"key.", "signature.",
	    "subject.", "san.", "extension."};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(r, prefixes[i], strlen(prefixes[i])) == 0 &&
		    strlen(r) > strlen(prefixes[i]))
			return true;
	return false;
}

cw_rc
cw_exception_add(cw_engine *e, const cw_actor *a, const char *tmpl,
    const char *service, const char *rule, int64_t until, const char *reason,
    int64_t *id, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor;
	cw_service svc;
	cw_exception x;
	json_t *det = NULL;
	char obj[64], when[40];
	bool found;

	CW_ENSURE(cw_policy_get0_template(e->policy, tmpl) != NULL,
	    CW_ERR_NOT_FOUND, "the policy has no template '%s'", tmpl);
	CW_ENSURE(known_rule(rule) && strlen(rule) < sizeof(x.rule),
	    CW_ERR_USAGE, "'%s' is not a rule id (see docs/rules.md)", rule);
	CW_ENSURE(cw_rule_waivable(rule), CW_ERR_USAGE, "rule %s can never be "
	    "waived: it guards against malformed or dangerous requests", rule);
	CW_ENSURE(until > cw_engine_now(e), CW_ERR_USAGE, "--until is in the "
	    "past");
	CW_ENSURE(reason != NULL && reason[0] != '\0', CW_ERR_USAGE,
	    "an exception needs a --reason");
	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, admin_roles, 1, "grant exceptions",
	    err));
	CW_TRY(cw_store_service_get(e->store, service, &svc, &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "unknown service '%s'", service);
	memset(&x, 0, sizeof(x));
	snprintf(x.template_name, sizeof(x.template_name), "%s", tmpl);
	snprintf(x.service, sizeof(x.service), "%s", service);
	snprintf(x.rule, sizeof(x.rule), "%s", rule);
	snprintf(x.reason, sizeof(x.reason), "%s", reason);
	snprintf(x.granted_by, sizeof(x.granted_by), "%s", a->name);
	x.created_at = cw_engine_now(e);
	x.expires_at = until;
	CW_TRY(cw_store_exception_insert(e->store, &x, err));
	cw_time_text(until, when, sizeof(when));
	det = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id",
	    (json_int_t)x.id, "template", tmpl, "service", service, "rule",
	    rule, "until", when, "reason", reason);
	snprintf(obj, sizeof(obj), "exception:%lld", (long long)x.id);
	CW_TRY(cw_engine_audit(e, a, "exception.add", obj, det, err));
	CW_TRY(cw_store_commit(e->store, err));
	*id = x.id;
out:
	if (rc != CW_OK)
		cw_store_rollback(e->store);
	json_decref(det);
	return rc;
}

cw_rc
cw_exception_revoke(cw_engine *e, const cw_actor *a, int64_t id,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor;
	cw_exception x;
	char obj[64];
	bool found;

	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, admin_roles, 1, "revoke exceptions",
	    err));
	CW_TRY(cw_store_exception_get(e->store, id, &x, &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "unknown exception %lld",
	    (long long)id);
	CW_ENSURE(x.revoked_at == 0, CW_ERR_NONCOMPLIANT, "exception %lld was "
	    "already revoked", (long long)id);
	x.revoked_at = cw_engine_now(e);
	CW_TRY(cw_store_exception_update(e->store, &x, err));
	snprintf(obj, sizeof(obj), "exception:%lld", (long long)id);
	CW_TRY(cw_engine_audit(e, a, "exception.revoke", obj, NULL, err));
	CW_TRY(cw_store_commit(e->store, err));
out:
	if (rc != CW_OK)
		cw_store_rollback(e->store);
	return rc;
}
