/*
 * cmd_admin.c - `certward init`, `ca show`, `user ...`, `service ...` and
 * `exception ...`: adapters over the engine for the people who run the CA.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "engine/engine.h"

enum { OPT_ROLE = 1 };

int
cw_cmd_init(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("init", NULL);
	cw_init_opts o;
	const cli_opt opts[] = {
		CLI_STR_OPT("policy", &o.policy_path),
		CLI_STR_OPT("base-url", &o.base_url),
		CLI_STR_OPT("ca-alg", &o.ca_alg),
		CLI_STR_OPT("import-ca", &o.import_cert),
		CLI_STR_OPT("root-key-out", &o.root_key_out),
		CLI_STR_OPT("admin", &o.admin),
		CLI_STR_OPT("org", &o.org),
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	json_t *sum = NULL;

	memset(&o, 0, sizeof(o));
	o.data_dir = cli->data_dir;
	if (cli_parse(cli, argc, argv, opts, &x) < 0)
		return x.status;
	/* --import-ca CERT KEY takes two values */
	if (o.import_cert != NULL) {
		if (x.argc == 0)
			return cli_usage(cli, "--import-ca needs CERT and KEY");
		o.import_key = x.argv[0];
		x.argc--;
		x.argv++;
		if (o.root_key_out != NULL || o.ca_alg != NULL)
			return cli_usage(cli, "--import-ca does not mix with "
			    "--ca-alg or --root-key-out");
	}
	if (!cli_no_args(cli, &x))
		return x.status;
	if (cw_engine_init(&o, &sum, &x.err) != CW_OK)
		return cli_fail(cli, &x.err);
	if (x.json) {
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
	cli_ctx x = CLI_CTX_INIT("ca", "show");
	bool root = false, pem = false;
	const cli_opt opts[] = {
		CLI_FLAG_OPT("root", &root),
		CLI_FLAG_OPT("pem", &pem),
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	char *text = NULL;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 || !cli_no_args(cli, &x) ||
	    !cli_open(cli, &x))
		return x.status;
	rc = cw_ca_pem(x.e, root, &text, &x.err);
	if (rc == CW_OK && pem)
		fputs(text, stdout);
	else if (rc == CW_OK)
		x.status = cli_print_cert_summary(text, x.json);
	free(text);
	return cli_finish(cli, &x, rc, NULL, NULL);
}

/* --- users ------------------------------------------------------------------ */

int
cw_cmd_user_add(cw_cli *cli, int argc, char **argv)
{
	static const cli_opt opts[] = {
		CLI_OWN_OPT("role", OPT_ROLE), CLI_AS_OPT, CLI_HELP_OPT,
		CLI_END_OPT,
	};
	cli_ctx x = CLI_CTX_INIT("user", "add");
	const char *roles[16];
	size_t n = 0;
	cw_rc rc;
	int c;

	while ((c = cli_parse(cli, argc, argv, opts, &x)) == OPT_ROLE) {
		if (n == 16)
			return cli_usage(cli, "at most 16 roles");
		roles[n++] = x.arg;
	}
	if (c < 0)
		return x.status;
	if (x.argc != 1 || n == 0)
		return cli_usage(cli, "give one user NAME and at least one --role");
	if (!cli_open(cli, &x))
		return x.status;
	rc = cw_user_add(x.e, &x.actor, x.argv[0], roles, n, &x.err);
	if (rc == CW_OK)
		printf("user %s added\n", x.argv[0]);
	return cli_finish(cli, &x, rc, NULL, NULL);
}

int
cw_cmd_user_remove(cw_cli *cli, int argc, char **argv)
{
	static const cli_opt opts[] = { CLI_AS_OPT, CLI_HELP_OPT, CLI_END_OPT };
	cli_ctx x = CLI_CTX_INIT("user", "remove");
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 ||
	    !cli_one_arg(cli, &x, "give one user NAME") || !cli_open(cli, &x))
		return x.status;
	rc = cw_user_remove(x.e, &x.actor, x.argv[0], &x.err);
	if (rc == CW_OK)
		printf("user %s removed\n", x.argv[0]);
	return cli_finish(cli, &x, rc, NULL, NULL);
}

/* `user list` as text: a user a line with its roles. */
static void
user_rows(json_t *arr)
{
	json_t *u, *r;
	size_t i, j;

	json_array_foreach(arr, i, u) {
		printf("%-24s", json_string_value(json_object_get(u, "name")));
		json_array_foreach(json_object_get(u, "roles"), j, r)
			printf("%s%s", j ? ", " : " ", json_string_value(r));
		printf("\n");
	}
}

/* `user list` and `service list`: all of them, as JSON or text rows. */
static int
list(cw_cli *cli, int argc, char **argv, const char *noun,
    cw_rc (*fn)(cw_engine *, json_t **, cw_err *), cli_text_fn *rows)
{
	static const cli_opt opts[] = {
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	cli_ctx x = CLI_CTX_INIT(noun, "list");
	json_t *arr = NULL;
	cw_rc rc;

	/* (positional arguments are not refused here) */
	if (cli_parse(cli, argc, argv, opts, &x) < 0 || !cli_open(cli, &x))
		return x.status;
	rc = fn(x.e, &arr, &x.err);
	return cli_finish(cli, &x, rc, arr, rows);
}

int
cw_cmd_user_list(cw_cli *cli, int argc, char **argv)
{
	return list(cli, argc, argv, "user", cw_user_list, user_rows);
}

/* --- services --------------------------------------------------------------- */

int
cw_cmd_service_add(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("service", "add");
	const char *owner = NULL, *contact = NULL;
	const cli_opt opts[] = {
		CLI_STR_OPT("owner", &owner),
		CLI_STR_OPT("contact", &contact),
		CLI_AS_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0)
		return x.status;
	if (x.argc != 1 || owner == NULL || contact == NULL)
		return cli_usage(cli, "give NAME, --owner TEAM and --contact "
		    "ADDRESS");
	if (!cli_open(cli, &x))
		return x.status;
	rc = cw_service_add(x.e, &x.actor, x.argv[0], owner, contact, &x.err);
	if (rc == CW_OK)
		printf("service %s added (owner %s, attested now)\n",
		    x.argv[0], owner);
	return cli_finish(cli, &x, rc, NULL, NULL);
}

static int
service_change(cw_cli *cli, int argc, char **argv, bool retire)
{
	static const cli_opt opts[] = { CLI_AS_OPT, CLI_HELP_OPT, CLI_END_OPT };
	cli_ctx x = CLI_CTX_INIT("service", retire ? "retire" : "verify");
	int n = 0;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 ||
	    !cli_one_arg(cli, &x, "give one service NAME") ||
	    !cli_open(cli, &x))
		return x.status;
	rc = retire ? cw_service_retire(x.e, &x.actor, x.argv[0], &n, &x.err) :
	    cw_service_verify(x.e, &x.actor, x.argv[0], &n, &x.err);
	if (rc == CW_OK && retire)
		printf("service %s retired; %d certificate%s revoked "
		    "(cessationOfOperation)\n", x.argv[0], n, n == 1 ? "" :
		    "s");
	else if (rc == CW_OK)
		printf("service %s: ownership attested by %s; %d held "
		    "request%s re-checked\n", x.argv[0], x.actor.name, n,
		    n == 1 ? "" : "s");
	return cli_finish(cli, &x, rc, NULL, NULL);
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

/* `service list` as text: a header, then a service a line. */
static void
service_rows(json_t *arr)
{
	json_t *s, *t;
	size_t i, j;

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

int
cw_cmd_service_list(cw_cli *cli, int argc, char **argv)
{
	return list(cli, argc, argv, "service", cw_service_list, service_rows);
}

/* --- exceptions ---------------------------------------------------------------- */

int
cw_cmd_exception_add(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("exception", "add");
	const char *tmpl = NULL, *svc = NULL, *rule = NULL, *until = NULL;
	const char *reason = NULL;
	const cli_opt opts[] = {
		CLI_STR_OPT("template", &tmpl),
		CLI_STR_OPT("service", &svc),
		CLI_STR_OPT("rule", &rule),
		CLI_STR_OPT("until", &until),
		CLI_STR_OPT("reason", &reason),
		CLI_AS_OPT, CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	int64_t when, id;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0)
		return x.status;
	if (tmpl == NULL || svc == NULL || rule == NULL || until == NULL ||
	    reason == NULL || x.argc != 0)
		return cli_usage(cli, "--template, --service, --rule, --until and "
		    "--reason are required");
	if (!cli_open(cli, &x))
		return x.status;
	if (!cw_parse_time(until, cw_engine_now(x.e), &when)) {
		cw_engine_close(x.e);
		return cli_usage(cli, "--until '%s': expected YYYY-MM-DD, "
		    "YYYY-MM-DDTHH:MM:SSZ or a duration such as 30d", until);
	}
	rc = cw_exception_add(x.e, &x.actor, tmpl, svc, rule, when, reason, &id,
	    &x.err);
	if (rc == CW_OK && x.json)
		cli_print_json(json_pack("{s:I}", "id", (json_int_t)id));
	else if (rc == CW_OK)
		printf("exception %lld: rule %s waived for service %s under "
		    "template %s\n", (long long)id, rule, svc, tmpl);
	return cli_finish(cli, &x, rc, NULL, NULL);
}

int
cw_cmd_exception_revoke(cw_cli *cli, int argc, char **argv)
{
	static const cli_opt opts[] = { CLI_AS_OPT, CLI_HELP_OPT, CLI_END_OPT };
	cli_ctx x = CLI_CTX_INIT("exception", "revoke");
	int64_t id;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 ||
	    !cli_one_id(cli, &x, "give one exception ID (a number)", &id) ||
	    !cli_open(cli, &x))
		return x.status;
	rc = cw_exception_revoke(x.e, &x.actor, id, &x.err);
	if (rc == CW_OK)
		printf("exception %lld revoked\n", (long long)id);
	return cli_finish(cli, &x, rc, NULL, NULL);
}

/* `exception list` as text: an exception a line. */
static void
exception_rows(json_t *arr)
{
	json_t *ex;
	size_t i;

	json_array_foreach(arr, i, ex)
		printf("%-4lld %-16s %-12s %-22s until %s%s  %s\n",
		    (long long)json_integer_value(json_object_get(ex, "id")),
		    json_string_value(json_object_get(ex, "template")),
		    json_string_value(json_object_get(ex, "service")),
		    json_string_value(json_object_get(ex, "rule")),
		    json_string_value(json_object_get(ex, "until")),
		    json_is_true(json_object_get(ex, "revoked")) ?
		    " (revoked)" : "",
		    json_string_value(json_object_get(ex, "reason")));
}

int
cw_cmd_exception_list(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("exception", "list");
	bool all = false;
	const cli_opt opts[] = {
		CLI_FLAG_OPT("all", &all), CLI_JSON_OPT, CLI_HELP_OPT,
		CLI_END_OPT,
	};
	json_t *arr = NULL;
	cw_rc rc;

	/* (positional arguments are not refused here) */
	if (cli_parse(cli, argc, argv, opts, &x) < 0 || !cli_open(cli, &x))
		return x.status;
	rc = cw_exception_list(x.e, all, &arr, &x.err);
	return cli_finish(cli, &x, rc, arr, exception_rows);
}
