/* cmd_request.c - `certward request submit|list|show|approve|reject`. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/fileio.h"
#include "common/limits.h"
#include "common/util.h"
#include "engine/engine.h"

enum {
	OPT_TEMPLATE = 256, OPT_SERVICE, OPT_AS, OPT_ORIGIN, OPT_RENEW,
	OPT_JSON, OPT_HELP, OPT_STATE, OPT_COMMENT, OPT_GROUP,
};

#define MAX_BULK 100000

static json_t *
outcome_json(const cw_outcome *o)
{
	json_t *j = json_pack("{s:I, s:s, s:O}", "id", (json_int_t)o->id,
	    "state", o->state, "violations", o->violations);

	if (j == NULL)
		return NULL;
	if (o->serial[0])
		json_object_set_new(j, "serial", json_string(o->serial));
	if (o->reason[0])
		json_object_set_new(j, "reason", json_string(o->reason));
	json_object_set(j, "exceptions", o->exceptions);
	return j;
}

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
	static const struct option opts[] = {
		{"template", required_argument, NULL, OPT_TEMPLATE},
		{"service", required_argument, NULL, OPT_SERVICE},
		{"as", required_argument, NULL, OPT_AS},
		{"origin", required_argument, NULL, OPT_ORIGIN},
		{"renew", required_argument, NULL, OPT_RENEW},
		{"group", required_argument, NULL, OPT_GROUP},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *tmpl = NULL, *svc = NULL, *as = NULL, *origin = "human";
	const char *renew = NULL;
	bool json = false;
	int64_t group = 500;
	cw_submit *subs = NULL;
	cw_outcome *outs = NULL;
	uint8_t **bufs = NULL;
	size_t n = 0, i;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	cw_actor a;
	int c, st = CW_EXIT_OK;
	json_t *arr = NULL;
	bool rejected = false;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_TEMPLATE: tmpl = optarg; break;
		case OPT_SERVICE: svc = optarg; break;
		case OPT_AS: as = optarg; break;
		case OPT_ORIGIN: origin = optarg; break;
		case OPT_RENEW: renew = optarg; break;
		case OPT_GROUP:
			if (!cw_parse_int64(optarg, 1, 10000, &group))
				return cli_usage(cli, "--group takes 1 to 10000");
			break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "request", "submit");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (tmpl == NULL || svc == NULL || optind >= argc)
		return cli_usage(cli, "--template, --service and at least one CSR "
		    "file are required");
	if (strcmp(origin, "human") != 0 && strcmp(origin, "automation") != 0)
		return cli_usage(cli, "--origin is human or automation");
	n = (size_t)(argc - optind);
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
		if (cw_read_file(argv[optind + (int)i], CW_MAX_CSR_BYTES, &bufs[i],
		    &subs[i].csr_len, &err) != CW_OK) {
			st = cli_fail(cli, &err);
			goto out;
		}
		subs[i].csr = bufs[i];
		subs[i].template_name = tmpl;
		subs[i].service = svc;
		subs[i].renew_serial = renew;
	}
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		goto out;
	cli_actor(&a, as, origin);
	if (cw_request_submit_many(e, &a, subs, n, (size_t)group, outs, &err) !=
	    CW_OK) {
		if (err.rc == CW_ERR_INPUT && n > 1)
			cw_err_prefix(&err, "one of the CSRs: ");
		st = cli_fail(cli, &err);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (strcmp(outs[i].state, "rejected") == 0)
			rejected = true;
	if (json) {
		if (n == 1) {
			cli_print_json(outcome_json(&outs[0]));
		} else {
			arr = json_array();
			for (i = 0; i < n; i++)
				json_array_append_new(arr, outcome_json(&outs[i]));
			cli_print_json(arr);
		}
	} else {
		for (i = 0; i < n; i++)
			outcome_print(n > 1 ? argv[optind + (int)i] : NULL,
			    &outs[i]);
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
	cw_engine_close(e);
	return st;
}

static int
decide(cw_cli *cli, int argc, char **argv, bool approve)
{
	static const struct option opts[] = {
		{"as", required_argument, NULL, OPT_AS},
		{"comment", required_argument, NULL, OPT_COMMENT},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *as = NULL, *comment = NULL;
	bool json = false;
	int64_t id;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	cw_outcome o;
	cw_actor a;
	cw_rc rc;
	int c, st;

	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_AS: as = optarg; break;
		case OPT_COMMENT: comment = optarg; break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "request", approve ? "approve" :
		    "reject");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc || !cw_parse_int64(argv[optind], 1, INT64_MAX,
	    &id))
		return cli_usage(cli, "give one request ID (a number)");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	cli_actor(&a, as, NULL);
	rc = approve ? cw_request_approve(e, &a, id, comment, &o, &err) :
	    cw_request_reject(e, &a, id, comment, &o, &err);
	if (rc != CW_OK)
		st = cli_fail(cli, &err);
	else if (json)
		cli_print_json(outcome_json(&o));
	else
		outcome_print(NULL, &o);
	cw_outcome_cleanup(&o);
	cw_engine_close(e);
	return st;
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

int
cw_cmd_request_show(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	bool json = false;
	int64_t id;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	json_t *o = NULL, *x;
	size_t i;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "request", "show");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc || !cw_parse_int64(argv[optind], 1, INT64_MAX,
	    &id))
		return cli_usage(cli, "give one request ID (a number)");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	if (cw_request_show(e, id, &o, &err) != CW_OK) {
		st = cli_fail(cli, &err);
	} else if (json) {
		cli_print_json(json_incref(o));
	} else {
		printf("request %lld: %s\n", (long long)id,
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
		json_array_foreach(json_object_get(o, "violations"), i, x)
			printf("  [%s] %s\n", json_string_value(json_object_get(x,
			    "rule")), json_string_value(json_object_get(x,
			    "message")));
		json_array_foreach(json_object_get(o, "approvals"), i, x)
			printf("  %s by %s (%s): %s\n", json_string_value(
			    json_object_get(x, "decision")), json_string_value(
			    json_object_get(x, "principal")), json_string_value(
			    json_object_get(x, "role")), json_string_value(
			    json_object_get(x, "comment")));
		if (json_integer_value(json_object_get(o, "approvals_missing")) >
		    0) {
			printf("  waiting for %lld more approval(s) from:",
			    (long long)json_integer_value(json_object_get(o,
			    "approvals_missing")));
			json_array_foreach(json_object_get(o, "may_approve"), i, x)
				printf("%s %s", i ? "," : "",
				    json_string_value(x));
			printf(" (never the requester)\n");
		}
	}
	json_decref(o);
	cw_engine_close(e);
	return st;
}

int
cw_cmd_request_list(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"state", required_argument, NULL, OPT_STATE},
		{"service", required_argument, NULL, OPT_SERVICE},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *state = NULL, *svc = NULL;
	bool json = false;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	json_t *arr = NULL, *x;
	size_t i;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_STATE: state = optarg; break;
		case OPT_SERVICE: svc = optarg; break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "request", "list");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (state != NULL && strcmp(state, "pending") && strcmp(state, "held") &&
	    strcmp(state, "issued") && strcmp(state, "rejected"))
		return cli_usage(cli, "--state is pending, held, issued or "
		    "rejected");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	if (cw_request_list(e, state, svc, &arr, &err) != CW_OK) {
		st = cli_fail(cli, &err);
	} else if (json) {
		cli_print_json(json_incref(arr));
	} else {
		printf("%-6s %-9s %-16s %-14s %-12s %s\n", "ID", "STATE",
		    "TEMPLATE", "SERVICE", "REQUESTER", "SERIAL / VIOLATIONS");
		json_array_foreach(arr, i, x) {
			size_t nv = json_array_size(json_object_get(x,
			    "violations"));

			printf("%-6lld %-9s %-16s %-14s %-12s %s",
			    (long long)json_integer_value(json_object_get(x, "id")),
			    json_string_value(json_object_get(x, "state")),
			    json_string_value(json_object_get(x, "template")),
			    json_string_value(json_object_get(x, "service")),
			    json_string_value(json_object_get(x, "requester")),
			    json_string_value(json_object_get(x, "serial")));
			if (nv > 0)
				printf("%zu violation%s", nv, nv == 1 ? "" : "s");
			printf("\n");
		}
	}
	json_decref(arr);
	cw_engine_close(e);
	return st;
}
