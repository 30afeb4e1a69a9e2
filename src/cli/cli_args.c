/*
 * cli_args.c - what every command does the same way (see cli.h): reading
 * its options from a table (with --json, --as and --help handled here),
 * checking its positional arguments, opening the engine as the acting
 * principal, and ending: the failure message, the result as JSON or text,
 * the exit status.  Done once, the options, messages and exit statuses of
 * the CLI contract (DESIGN 7) cannot drift apart between commands.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"

/* getopt_long's value for opts[i]: above 255, never its own '?' */
#define OPT_VAL(i) (256 + (int)(i))

int
cli_parse(const cw_cli *cli, int argc, char **argv, const cli_opt *opts,
    cli_ctx *x)
{
	struct option lo[CLI_MAX_OPTS + 1];
	const cli_opt *o;
	size_t n;
	int c;

	/* the same table on every call, as getopt_long expects */
	for (n = 0; opts[n].name != NULL; n++) {
		if (n == CLI_MAX_OPTS) {
			fprintf(stderr, "%s: more than %d options in one "
			    "table\n", cli->prog, CLI_MAX_OPTS);
			x->status = CW_EXIT_INTERNAL;
			return -1;
		}
		lo[n].name = opts[n].name;
		lo[n].has_arg = opts[n].kind == CLI_KIND_STR ||
		    opts[n].kind == CLI_KIND_OWN ||
		    opts[n].kind == CLI_KIND_AS ? required_argument :
		    no_argument;
		lo[n].flag = NULL;
		lo[n].val = OPT_VAL(n);
	}
	memset(&lo[n], 0, sizeof(lo[n]));
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c < OPT_VAL(0) || c >= OPT_VAL(n)) {
			/* '?': getopt_long has said which option */
			x->status = cli_usage(cli,
			    "unknown or incomplete option");
			return -1;
		}
		o = &opts[c - OPT_VAL(0)];
		switch (o->kind) {
		case CLI_KIND_FLAG:
			*(bool *)o->dst = true;
			break;
		case CLI_KIND_STR:
			*(const char **)o->dst = optarg;
			break;
		case CLI_KIND_OWN:
			x->arg = optarg;
			return o->code;
		case CLI_KIND_JSON:
			x->json = true;
			break;
		case CLI_KIND_AS:
			x->as = optarg;
			break;
		case CLI_KIND_HELP:
			x->status = cli_help(cli, x->noun, x->verb);
			return -1;
		}
	}
	x->argc = argc - optind;
	x->argv = argv + optind;
	return 0;
}

bool
cli_no_args(const cw_cli *cli, cli_ctx *x)
{
	if (x->argc == 0)
		return true;
	x->status = cli_usage(cli, "unexpected argument '%s'", x->argv[0]);
	return false;
}

bool
cli_one_arg(const cw_cli *cli, cli_ctx *x, const char *msg)
{
	if (x->argc == 1)
		return true;
	x->status = cli_usage(cli, "%s", msg);
	return false;
}

bool
cli_one_id(const cw_cli *cli, cli_ctx *x, const char *msg, int64_t *id)
{
	if (x->argc == 1 && cw_parse_int64(x->argv[0], 1, INT64_MAX, id))
		return true;
	x->status = cli_usage(cli, "%s", msg);
	return false;
}

bool
cli_open(const cw_cli *cli, cli_ctx *x)
{
	if ((x->status = cli_open_engine(cli, &x->e)) != CW_EXIT_OK)
		return false;
	cli_actor(&x->actor, x->as, x->origin);
	return true;
}

int
cli_finish(const cw_cli *cli, cli_ctx *x, cw_rc rc, json_t *v,
    cli_text_fn *text)
{
	int st = x->status;

	if (rc != CW_OK)
		st = cli_fail(cli, &x->err);
	else if (text != NULL && x->json)
		cli_print_json(json_incref(v));
	else if (text != NULL)
		text(v);
	json_decref(v);
	cw_engine_close(x->e);
	x->e = NULL;
	return st;
}
