/*
 * outcome_json.c - the JSON form of a verdict: its violations and a
 * request's outcome, one definition for the CLI (`csr check`, `request
 * submit/approve/show --json`) and the REST API, so that both print the
 * same bytes (DESIGN 7: the --json objects are a contract).
 */
#include "engine.h"

json_t *
cw_violations_json(const cw_violations *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < v->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "rule",
		    v->items[i].rule, "message", v->items[i].msg));
	/* a list cut short says so rather than looking complete */
	if (a != NULL && (v->truncated || v->oom))
		json_array_append_new(a, json_pack("{s:s, s:s}", "rule",
		    "internal.incomplete", "message", "more violations than "
		    "could be listed"));
	return a;
}

json_t *
cw_outcome_json(const cw_outcome *o)
{
	json_t *j = json_pack("{s:I, s:s, s:o}", "id", (json_int_t)o->id,
	    "state", o->state, "violations", o->violations != NULL ?
	    json_incref(o->violations) : json_array());

	if (j == NULL)
		return NULL;
	if (o->serial[0])
		json_object_set_new(j, "serial", json_string(o->serial));
	if (o->reason[0])
		json_object_set_new(j, "reason", json_string(o->reason));
	if (o->exceptions != NULL)
		json_object_set(j, "exceptions", o->exceptions);
	return j;
}
