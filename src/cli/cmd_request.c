/* cmd_request.c - `certward request submit|list|show|approve|reject`. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/fileio.h"
#include "common/limits.h"
#include "common/util.h"
#include "engine/engine.h"

enum { OPT_GROUP = 1 };

#define MAX_BULK 100000

static void
outcome_print(const char *label, const cw_outcome *o)
{
	size_t i;
	json_t *v;

	printf("%s%srequest %lld: %s", label ? label : "", label ? ": " : "",
	    (long long)o->id, o->state);
	if (o->serial[0])
		printf(", certificate %s", o->serial);
	if (o->reason[0] && strcmp(o->state, "issued") != 0)
		printf(" (%s)", o->reason);
	if (json_array_size(o->exceptions) > 0)
		printf(" [exceptions applied: %zu]",
		    json_array_size(o->exceptions));
	printf("\n");
	json_array_foreach(o->violations, i, v)
		printf("  [%s] %s\n", json_string_value(json_object_get(v,
		    "rule")), json_string_value(json_object_get(v, "message")));
}

int
cw_cmd_request_submit(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("request", "submit");
	const char *tmpl = NULL, *svc = NULL, *origin = NULL, *renew = NULL;
	const cli_opt opts[] = {
		CLI_STR_OPT("template", &tmpl),
		CLI_STR_OPT("service", &svc),
		CLI_AS_OPT,
		CLI_STR_OPT("origin", &origin),
		CLI_STR_OPT("renew", &renew),
		CLI_OWN_OPT("group", OPT_GROUP),
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	int64_t group = 500;
	cw_submit *subs = NULL;
	cw_outcome *outs = NULL;
	uint8_t **bufs = NULL;
	size_t n = 0, i;
	int c, st = CW_EXIT_OK;
	json_t *arr = NULL;
	bool rejected = false;

	while ((c = cli_parse(cli, argc, argv, opts, &x)) == OPT_GROUP) {
		if (!cw_parse_int64(x.arg, 1, 10000, &group))
			return cli_usage(cli, "--group takes 1 to 10000");
	}
	if (c < 0)
		return x.status;
	if (tmpl == NULL || svc == NULL || x.argc == 0)
		return cli_usage(cli, "--template, --service and at least one CSR "
		    "file are required");
	/* the actor's origin: human unless said otherwise */
	if (origin != NULL && strcmp(origin, "human") != 0 &&
	    strcmp(origin, "automation") != 0)
		return cli_usage(cli, "--origin is human or automation");
	x.origin = origin;
	n = (size_t)x.argc;
	if (n > MAX_BULK)
		return cli_usage(cli, "at most %d CSRs per call", MAX_BULK);
	if (renew != NULL && n != 1)
		return cli_usage(cli, "--renew renews one certificate: give one "
		    "CSR");
	subs = calloc(n, sizeof(*subs));
	outs = calloc(n, sizeof(*outs));
	bufs = calloc(n, sizeof(*bufs));
	if (subs == NULL || outs == NULL || bufs == NULL) {
		st = CW_EXIT_INTERNAL;
		goto out;
	}
	/* read everything first: a file that cannot be read records nothing */
	for (i = 0; i < n; i++) {
		if (cw_read_file(x.argv[i], CW_MAX_CSR_BYTES, &bufs[i],
		    &subs[i].csr_len, &x.err) != CW_OK) {
			st = cli_fail(cli, &x.err);
			goto out;
		}
		subs[i].csr = bufs[i];
		subs[i].template_name = tmpl;
		subs[i].service = svc;
		subs[i].renew_serial = renew;
	}
	if (!cli_open(cli, &x)) {
		st = x.status;
		goto out;
	}
	if (cw_request_submit_many(x.e, &x.actor, subs, n, (size_t)group, outs,
	    &x.err) != CW_OK) {
		if (x.err.rc == CW_ERR_INPUT && n > 1)
			cw_err_prefix(&x.err, "one of the CSRs: ");
		st = cli_fail(cli, &x.err);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (strcmp(outs[i].state, "rejected") == 0)
			rejected = true;
	if (x.json) {
		if (n == 1) {
			cli_print_json(cw_outcome_json(&outs[0]));
		} else {
			arr = json_array();
			for (i = 0; i < n; i++)
				json_array_append_new(arr,
				    cw_outcome_json(&outs[i]));
			cli_print_json(arr);
		}
	} else {
		for (i = 0; i < n; i++)
			outcome_print(n > 1 ? x.argv[i] : NULL, &outs[i]);
	}
	st = rejected ? CW_EXIT_NO : CW_EXIT_OK;
out:
	for (i = 0; outs != NULL && i < n; i++)
		cw_outcome_cleanup(&outs[i]);
	for (i = 0; bufs != NULL && i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(subs);
	free(outs);
	cw_engine_close(x.e);
	return st;
}

static int
decide(cw_cli *cli, int argc, char **argv, bool approve)
{
	cli_ctx x = CLI_CTX_INIT("request", approve ? "approve" : "reject");
	const char *comment = NULL;
	const cli_opt opts[] = {
		CLI_AS_OPT,
		CLI_STR_OPT("comment", &comment),
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	int64_t id;
	cw_outcome o;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 ||
	    !cli_one_id(cli, &x, "give one request ID (a number)", &id) ||
	    !cli_open(cli, &x))
		return x.status;
	memset(&o, 0, sizeof(o));
	rc = approve ? cw_request_approve(x.e, &x.actor, id, comment, &o,
	    &x.err) : cw_request_reject(x.e, &x.actor, id, comment, &o, &x.err);
	if (rc == CW_OK && x.json)
		cli_print_json(cw_outcome_json(&o));
	else if (rc == CW_OK)
		outcome_print(NULL, &o);
	cw_outcome_cleanup(&o);
	return cli_finish(cli, &x, rc, NULL, NULL);
}

int
cw_cmd_request_approve(cw_cli *cli, int argc, char **argv)
{
	return decide(cli, argc, argv, true);
}

int
cw_cmd_request_reject(cw_cli *cli, int argc, char **argv)
{
	return decide(cli, argc, argv, false);
}

/* `request show` as text: the request, its verdict and its approvals. */
static void
request_text(json_t *o)
{
	json_t *v;
	size_t i;

	printf("request %lld: %s\n",
	    (long long)json_integer_value(json_object_get(o, "id")),
	    json_string_value(json_object_get(o, "state")));
	printf("  template   %s\n  service    %s\n  requester  %s (%s, "
	    "%s)\n", json_string_value(json_object_get(o, "template")),
	    json_string_value(json_object_get(o, "service")),
	    json_string_value(json_object_get(o, "requester")),
	    json_string_value(json_object_get(o, "origin")),
	    json_string_value(json_object_get(o, "channel")));
	if (json_object_get(o, "serial"))
		printf("  serial     %s\n", json_string_value(
		    json_object_get(o, "serial")));
	if (json_string_length(json_object_get(o, "reason")) > 0)
		printf("  note       %s\n", json_string_value(
		    json_object_get(o, "reason")));
	json_array_foreach(json_object_get(o, "violations"), i, v)
		printf("  [%s] %s\n", json_string_value(json_object_get(v,
		    "rule")), json_string_value(json_object_get(v, "message")));
	json_array_foreach(json_object_get(o, "approvals"), i, v)
		printf("  %s by %s (%s): %s\n", json_string_value(
		    json_object_get(v, "decision")), json_string_value(
		    json_object_get(v, "principal")), json_string_value(
		    json_object_get(v, "role")), json_string_value(
		    json_object_get(v, "comment")));
	if (json_integer_value(json_object_get(o, "approvals_missing")) > 0) {
		printf("  waiting for %lld more approval(s) from:",
		    (long long)json_integer_value(json_object_get(o,
		    "approvals_missing")));
		json_array_foreach(json_object_get(o, "may_approve"), i, v)
			printf("%s %s", i ? "," : "", json_string_value(v));
		printf(" (never the requester)\n");
	}
}

int
cw_cmd_request_show(cw_cli *cli, int argc, char **argv)
{
	static const cli_opt opts[] = {
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	cli_ctx x = CLI_CTX_INIT("request", "show");
	json_t *o = NULL;
	int64_t id;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 ||
	    !cli_one_id(cli, &x, "give one request ID (a number)", &id) ||
	    !cli_open(cli, &x))
		return x.status;
	rc = cw_request_show(x.e, id, &o, &x.err);
	return cli_finish(cli, &x, rc, o, request_text);
}

/* `request list` as text: a header, then a request a line. */
static void
request_rows(json_t *arr)
{
	json_t *r;
	size_t i;

	printf("%-6s %-9s %-16s %-14s %-12s %s\n", "ID", "STATE",
	    "TEMPLATE", "SERVICE", "REQUESTER", "SERIAL / VIOLATIONS");
	json_array_foreach(arr, i, r) {
		size_t nv = json_array_size(json_object_get(r, "violations"));

		printf("%-6lld %-9s %-16s %-14s %-12s %s",
		    (long long)json_integer_value(json_object_get(r, "id")),
		    json_string_value(json_object_get(r, "state")),
		    json_string_value(json_object_get(r, "template")),
		    json_string_value(json_object_get(r, "service")),
		    json_string_value(json_object_get(r, "requester")),
		    json_string_value(json_object_get(r, "serial")));
		if (nv > 0)
			printf("%zu violation%s", nv, nv == 1 ? "" : "s");
		printf("\n");
	}
}

int
cw_cmd_request_list(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("request", "list");
	const char *state = NULL, *svc = NULL;
	const cli_opt opts[] = {
		CLI_STR_OPT("state", &state),
		CLI_STR_OPT("service", &svc),
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	json_t *arr = NULL;
	cw_rc rc;

	/* (positional arguments are not refused here) */
	if (cli_parse(cli, argc, argv, opts, &x) < 0)
		return x.status;
	if (state != NULL && strcmp(state, "pending") && strcmp(state, "held") &&
	    strcmp(state, "issued") && strcmp(state, "rejected"))
		return cli_usage(cli, "--state is pending, held, issued or "
		    "rejected");
	if (!cli_open(cli, &x))
		return x.status;
	rc = cw_request_list(x.e, state, svc, &arr, &x.err);
	return cli_finish(cli, &x, rc, arr, request_rows);
}
