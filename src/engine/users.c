/* users.c - users and their roles (pki-admin only). */
#include "engine_int.h"

#include <stdio.h>
#include <string.h>

static const char *const admin_roles[] = {"pki-admin"};

/* [a-z0-9][a-z0-9._@-]*: safe in logs, URLs and shell scripts */
static bool
name_ok(const char *n, size_t max)
{
	size_t i, len = strlen(n);

	if (len == 0 || len >= max)
		return false;
	for (i = 0; i < len; i++) {
		char c = n[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (i > 0 && (c == '.' || c == '_' || c == '@' || c == '-'))))
			return false;
	}
	return true;
}

cw_rc
cw_user_add(cw_engine *e, const cw_actor *a, const char *name,
    const char *const *roles, size_t n_roles, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor, u, old;
	json_t *det = NULL, *jr = NULL;
	char obj[160];
	bool found;
	size_t i;

	CW_ENSURE(name_ok(name, CW_NAME_MAX), CW_ERR_USAGE, "user name '%.64s' "
	    "is not allowed: use lower-case letters, digits and . _ @ -",
	    name);
	CW_ENSURE(n_roles > 0 && n_roles <= CW_MAX_ROLES, CW_ERR_USAGE,
	    "give between 1 and %d --role options", CW_MAX_ROLES);
	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, admin_roles, 1, "add users", err));
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	jr = json_array();
	CW_ENSURE_MEM(jr);
	for (i = 0; i < n_roles; i++) {
		CW_ENSURE(name_ok(roles[i], sizeof(u.roles[0])), CW_ERR_USAGE,
		    "role '%.64s' is not allowed: use lower-case letters, "
		    "digits and - (e.g. security-officer)", roles[i]);
		snprintf(u.roles[u.n_roles++], sizeof(u.roles[0]), "%s",
		    roles[i]);
		json_array_append_new(jr, json_string(roles[i]));
	}
	CW_TRY(cw_store_user_get(e->store, name, &old, &found, err));
	u.created_at = found ? old.created_at : cw_engine_now(e);
	CW_TRY(cw_store_user_put(e->store, &u, err));
	det = json_pack("{s:s, s:O, s:b}", "user", name, "roles", jr,
	    "replaced", found);
	snprintf(obj, sizeof(obj), "user:%s", name);
	CW_TRY(cw_engine_audit(e, a, "user.add", obj, det, err));
	CW_TRY(cw_store_commit(e->store, err));
out:
	if (rc != CW_OK)
		cw_store_rollback(e->store);
	json_decref(det);
	json_decref(jr);
	return rc;
}

cw_rc
cw_user_remove(cw_engine *e, const cw_actor *a, const char *name,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor;
	char obj[160];
	bool found;

	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, admin_roles, 1, "remove users", err));
	CW_ENSURE(strcmp(name, a->name) != 0, CW_ERR_NONCOMPLIANT,
	    "%s may not remove themselves; another pki-admin must", name);
	CW_TRY(cw_store_user_delete(e->store, name, &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "unknown user '%s'", name);
	snprintf(obj, sizeof(obj), "user:%s", name);
	CW_TRY(cw_engine_audit(e, a, "user.remove", obj, NULL, err));
	CW_TRY(cw_store_commit(e->store, err));
out:
	if (rc != CW_OK)
		cw_store_rollback(e->store);
	return rc;
}
