/*
 * cmd_admin.c - `certward init`, `ca show`, `user ...`, `service ...` and
 * `exception ...`: adapters over the engine for the people who run the CA.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "engine/engine.h"

enum {
	OPT_POLICY = 256, OPT_BASE, OPT_CAALG, OPT_IMPORT, OPT_ROOTOUT,
	OPT_ADMIN, OPT_JSON, OPT_HELP, OPT_AS, OPT_ROLE, OPT_OWNER,
	OPT_CONTACT, OPT_ROOT, OPT_PEM, OPT_TEMPLATE, OPT_SERVICE, OPT_RULE,
	OPT_UNTIL, OPT_REASON, OPT_ALL, OPT_ORG,
};

#define AS_OPT {"as", required_argument, NULL, OPT_AS}
#define JSON_OPT {"json", no_argument, NULL, OPT_JSON}
#define HELP_OPT {"help", no_argument, NULL, OPT_HELP}
#define END_OPT {NULL, 0, NULL, 0}

int
cw_cmd_init(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"policy", required_argument, NULL, OPT_POLICY},
		{"base-url", required_argument, NULL, OPT_BASE},
		{"ca-alg", required_argument, NULL, OPT_CAALG},
		{"import-ca", required_argument, NULL, OPT_IMPORT},
		{"root-key-out", required_argument, NULL, OPT_ROOTOUT},
		{"admin", required_argument, NULL, OPT_ADMIN},
		{"org", required_argument, NULL, OPT_ORG},
		JSON_OPT, HELP_OPT, END_OPT,
	};
	cw_init_opts o;
	cw_err err = CW_ERR_INIT;
	json_t *sum = NULL;
	bool json = false;
	int c;

	memset(&o, 0, sizeof(o));
	o.data_dir = cli->data_dir;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_POLICY: o.policy_path = optarg; break;
		case OPT_BASE: o.base_url = optarg; break;
		case OPT_CAALG: o.ca_alg = optarg; break;
		case OPT_IMPORT: o.import_cert = optarg; break;
		case OPT_ROOTOUT: o.root_key_out = optarg; break;
		case OPT_ADMIN: o.admin = optarg; break;
		case OPT_ORG: o.org = optarg; break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "init", NULL);
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	/* --import-ca CERT KEY takes two values */
	if (o.import_cert != NULL) {
		if (optind >= argc)
			return cli_usage(cli, "--import-ca needs CERT and KEY");
		o.import_key = argv[optind++];
		if (o.root_key_out != NULL || o.ca_alg != NULL)
			return cli_usage(cli, "--import-ca does not mix with "
			    "--ca-alg or --root-key-out");
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (cw_engine_init(&o, &sum, &err) != CW_OK)
		return cli_fail(cli, &err);
	if (json) {
		cli_print_json(sum);
		return CW_EXIT_OK;
	}
	printf("initialised %s\n", cli->data_dir);
	printf("  config      %s/config.yaml (base URL %s)\n", cli->data_dir,
	    json_string_value(json_object_get(sum, "base_url")));
	printf("  policy      %s/policy.yaml (%s)\n", cli->data_dir,
	    o.policy_path ? o.policy_path : "the built-in example policy");
	printf("  database    %s/certward.db (SQLite, WAL)\n", cli->data_dir);
	printf("  root CA     %s\n", json_string_value(json_object_get(sum,
	    "root_ca")));
	printf("  issuing CA  %s\n", json_string_value(json_object_get(sum,
	    "issuing_ca")));
	printf("  root key    %s\n", json_string_value(json_object_get(sum,
	    "root_key")));
	printf("  audit key   %s/audit/audit.key (public: audit/audit.pub)\n",
	    cli->data_dir);
	printf("  admin       %s (role pki-admin)\n", json_string_value(
	    json_object_get(sum, "admin")));
	printf("\nnext steps:\n"
	    "  certward user add alice --role requester\n"
	    "  certward service add web --owner team-web --contact "
	    "web@example.com\n"
	    "  certward csr new --policy %s/policy.yaml --template web-server "
	    "--dns www.example.com --key-out web.key --out web.csr\n"
	    "  certward request submit --template web-server --service web "
	    "web.csr --as alice\n", cli->data_dir);
	json_decref(sum);
	return CW_EXIT_OK;
}

int
cw_cmd_ca_show(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", no_argument, NULL, OPT_ROOT},
		{"pem", no_argument, NULL, OPT_PEM},
		JSON_OPT, HELP_OPT, END_OPT,
	};
	bool root = false, pem = false, json = false;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	char *text = NULL;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT: root = true; break;
		case OPT_PEM: pem = true; break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "ca", "show");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	if (cw_ca_pem(e, root, &text, &err) != CW_OK) {
		st = cli_fail(cli, &err);
	} else if (pem) {
		fputs(text, stdout);
	} else {
		st = cli_print_cert_summary(text, json);
	}
	free(text);
	cw_engine_close(e);
	return st;
}

/* --- users ------------------------------------------------------------------ */

int
cw_cmd_user_add(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"role", required_argument, NULL, OPT_ROLE}, AS_OPT, HELP_OPT,
		END_OPT,
	};
	const char *roles[16], *as = NULL;
	size_t n = 0;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	cw_actor a;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROLE:
			if (n == 16)
				return cli_usage(cli, "at most 16 roles");
			roles[n++] = optarg;
			break;
		case OPT_AS: as = optarg; break;
		case OPT_HELP: return cli_help(cli, "user", "add");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc || n == 0)
		return cli_usage(cli, "give one user NAME and at least one --role");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	cli_actor(&a, as, NULL);
	if (cw_user_add(e, &a, argv[optind], roles, n, &err) != CW_OK)
		st = cli_fail(cli, &err);
	else
		printf("user %s added\n", argv[optind]);
	cw_engine_close(e);
	return st;
}

int
cw_cmd_user_remove(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { AS_OPT, HELP_OPT, END_OPT };
	const char *as = NULL;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	cw_actor a;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_AS: as = optarg; break;
		case OPT_HELP: return cli_help(cli, "user", "remove");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "give one user NAME");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	cli_actor(&a, as, NULL);
	if (cw_user_remove(e, &a, argv[optind], &err) != CW_OK)
		st = cli_fail(cli, &err);
	else
		printf("user %s removed\n", argv[optind]);
	cw_engine_close(e);
	return st;
}

int
cw_cmd_user_list(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { JSON_OPT, HELP_OPT, END_OPT };
	bool json = false;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	json_t *arr = NULL, *u, *r;
	size_t i, j;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "user", "list");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	if (cw_user_list(e, &arr, &err) != CW_OK) {
		st = cli_fail(cli, &err);
	} else if (json) {
		cli_print_json(json_incref(arr));
	} else {
		json_array_foreach(arr, i, u) {
			printf("%-24s", json_string_value(json_object_get(u,
			    "name")));
			json_array_foreach(json_object_get(u, "roles"), j, r)
				printf("%s%s", j ? ", " : " ", json_string_value(r));
			printf("\n");
		}
	}
	json_decref(arr);
	cw_engine_close(e);
	return st;
}

/* --- services --------------------------------------------------------------- */

int
cw_cmd_service_add(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"owner", required_argument, NULL, OPT_OWNER},
		{"contact", required_argument, NULL, OPT_CONTACT},
		AS_OPT, HELP_OPT, END_OPT,
	};
	const char *owner = NULL, *contact = NULL, *as = NULL;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	cw_actor a;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_OWNER: owner = optarg; break;
		case OPT_CONTACT: contact = optarg; break;
		case OPT_AS: as = optarg; break;
		case OPT_HELP: return cli_help(cli, "service", "add");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc || owner == NULL || contact == NULL)
		return cli_usage(cli, "give NAME, --owner TEAM and --contact "
		    "ADDRESS");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	cli_actor(&a, as, NULL);
	if (cw_service_add(e, &a, argv[optind], owner, contact, &err) != CW_OK)
		st = cli_fail(cli, &err);
	else
		printf("service %s added (owner %s, attested now)\n",
		    argv[optind], owner);
	cw_engine_close(e);
	return st;
}

static int
service_change(cw_cli *cli, int argc, char **argv, bool retire)
{
	static const struct option opts[] = { AS_OPT, HELP_OPT, END_OPT };
	const char *as = NULL;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	cw_actor a;
	int c, st, n = 0;
	cw_rc rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_AS: as = optarg; break;
		case OPT_HELP: return cli_help(cli, "service", retire ? "retire" :
		    "verify");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "give one service NAME");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	cli_actor(&a, as, NULL);
	rc = retire ? cw_service_retire(e, &a, argv[optind], &n, &err) :
	    cw_service_verify(e, &a, argv[optind], &n, &err);
	if (rc != CW_OK)
		st = cli_fail(cli, &err);
	else if (retire)
		printf("service %s retired; %d certificate%s revoked "
		    "(cessationOfOperation)\n", argv[optind], n, n == 1 ? "" :
		    "s");
	else
		printf("service %s: ownership attested by %s; %d held "
		    "request%s re-checked\n", argv[optind], a.name, n, n == 1 ?
		    "" : "s");
	cw_engine_close(e);
	return st;
}

int
cw_cmd_service_verify(cw_cli *cli, int argc, char **argv)
{
	return service_change(cli, argc, argv, false);
}

int
cw_cmd_service_retire(cw_cli *cli, int argc, char **argv)
{
	return service_change(cli, argc, argv, true);
}

int
cw_cmd_service_list(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { JSON_OPT, HELP_OPT, END_OPT };
	bool json = false;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	json_t *arr = NULL, *s, *t;
	size_t i, j;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "service", "list");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	if (cw_service_list(e, &arr, &err) != CW_OK) {
		st = cli_fail(cli, &err);
	} else if (json) {
		cli_print_json(json_incref(arr));
	} else {
		printf("%-20s %-16s %-20s %-10s %s\n", "SERVICE", "OWNER",
		    "ATTESTED", "STATE", "STALE FOR TEMPLATES");
		json_array_foreach(arr, i, s) {
			printf("%-20s %-16s %-20.20s %-10s",
			    json_string_value(json_object_get(s, "name")),
			    json_string_value(json_object_get(s, "owner")),
			    json_string_value(json_object_get(s, "verified_at")),
			    json_is_true(json_object_get(s, "retired")) ?
			    "retired" : "active");
			json_array_foreach(json_object_get(s, "stale_for"), j, t)
				printf("%s%s", j ? ", " : " STALE: ",
				    json_string_value(t));
			printf("\n");
		}
	}
	json_decref(arr);
	cw_engine_close(e);
	return st;
}

/* --- exceptions ---------------------------------------------------------------- */

int
cw_cmd_exception_add(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"template", required_argument, NULL, OPT_TEMPLATE},
		{"service", required_argument, NULL, OPT_SERVICE},
		{"rule", required_argument, NULL, OPT_RULE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"reason", required_argument, NULL, OPT_REASON},
		AS_OPT, JSON_OPT, HELP_OPT, END_OPT,
	};
	const char *tmpl = NULL, *svc = NULL, *rule = NULL, *until = NULL;
	const char *reason = NULL, *as = NULL;
	bool json = false;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	cw_actor a;
	int64_t when, id;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_TEMPLATE: tmpl = optarg; break;
		case OPT_SERVICE: svc = optarg; break;
		case OPT_RULE: rule = optarg; break;
		case OPT_UNTIL: until = optarg; break;
		case OPT_REASON: reason = optarg; break;
		case OPT_AS: as = optarg; break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "exception", "add");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (tmpl == NULL || svc == NULL || rule == NULL || until == NULL ||
	    reason == NULL || optind != argc)
		return cli_usage(cli, "--template, --service, --rule, --until and "
		    "--reason are required");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	if (!cw_parse_time(until, cw_engine_now(e), &when)) {
		cw_engine_close(e);
		return cli_usage(cli, "--until '%s': expected YYYY-MM-DD, "
		    "YYYY-MM-DDTHH:MM:SSZ or a duration such as 30d", until);
	}
	cli_actor(&a, as, NULL);
	if (cw_exception_add(e, &a, tmpl, svc, rule, when, reason, &id, &err) !=
	    CW_OK)
		st = cli_fail(cli, &err);
	else if (json)
		cli_print_json(json_pack("{s:I}", "id", (json_int_t)id));
	else
		printf("exception %lld: rule %s waived for service %s under "
		    "template %s\n", (long long)id, rule, svc, tmpl);
	cw_engine_close(e);
	return st;
}

int
cw_cmd_exception_revoke(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { AS_OPT, HELP_OPT, END_OPT };
	const char *as = NULL;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	cw_actor a;
	int64_t id;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_AS: as = optarg; break;
		case OPT_HELP: return cli_help(cli, "exception", "revoke");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc || !cw_parse_int64(argv[optind], 1, INT64_MAX,
	    &id))
		return cli_usage(cli, "give one exception ID (a number)");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	cli_actor(&a, as, NULL);
	if (cw_exception_revoke(e, &a, id, &err) != CW_OK)
		st = cli_fail(cli, &err);
	else
		printf("exception %lld revoked\n", (long long)id);
	cw_engine_close(e);
	return st;
}

int
cw_cmd_exception_list(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, OPT_ALL}, JSON_OPT, HELP_OPT, END_OPT,
	};
	bool json = false, all = false;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	json_t *arr = NULL, *x;
	size_t i;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ALL: all = true; break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "exception", "list");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	if (cw_exception_list(e, all, &arr, &err) != CW_OK) {
		st = cli_fail(cli, &err);
	} else if (json) {
		cli_print_json(json_incref(arr));
	} else {
		json_array_foreach(arr, i, x)
			printf("%-4lld %-16s %-12s %-22s until %s%s  %s\n",
			    (long long)json_integer_value(json_object_get(x, "id")),
			    json_string_value(json_object_get(x, "template")),
			    json_string_value(json_object_get(x, "service")),
			    json_string_value(json_object_get(x, "rule")),
			    json_string_value(json_object_get(x, "until")),
			    json_is_true(json_object_get(x, "revoked")) ?
			    " (revoked)" : "",
			    json_string_value(json_object_get(x, "reason")));
	}
	json_decref(arr);
	cw_engine_close(e);
	return st;
}
