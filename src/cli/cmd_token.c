/*
 * cmd_token.c - `certward token create|list|revoke`: API tokens for the
 * REST API (DESIGN 7.1), an adapter over the engine's tokens.c.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "common/util.h"
#include "engine/engine.h"

enum {
	OPT_USER = 256, OPT_EXPIRES, OPT_AS, OPT_JSON, OPT_HELP,
};

#define AS_OPT {"as", required_argument, NULL, OPT_AS}
#define JSON_OPT {"json", no_argument, NULL, OPT_JSON}
#define HELP_OPT {"help", no_argument, NULL, OPT_HELP}
#define END_OPT {NULL, 0, NULL, 0}

int
cw_cmd_token_create(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"user", required_argument, NULL, OPT_USER},
		{"expires", required_argument, NULL, OPT_EXPIRES},
		AS_OPT, JSON_OPT, HELP_OPT, END_OPT,
	};
	const char *user = NULL, *expires = NULL, *as = NULL;
	char token[CW_TOKEN_TEXT_MAX];
	bool json = false;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	cw_actor a;
	int64_t when = 0, id = 0, now;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_USER: user = optarg; break;
		case OPT_EXPIRES: expires = optarg; break;
		case OPT_AS: as = optarg; break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "token", "create");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (user == NULL || optind != argc)
		return cli_usage(cli, "give the token's user with --user NAME");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	now = cw_engine_now(e);
	if (expires != NULL) {
		if (!cw_parse_time(expires, now, &when)) {
			cw_engine_close(e);
			return cli_usage(cli, "--expires '%s': expected a duration "
			    "such as 30d, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ",
			    expires);
		}
		/* 0 would mean "the default" to the engine */
		if (when <= now) {
			cw_engine_close(e);
			return cli_usage(cli, "--expires '%s' is not in the "
			    "future", expires);
		}
	}
	cli_actor(&a, as, NULL);
	if (cw_token_create(e, &a, user, when, token, sizeof(token), &id,
	    &err) != CW_OK) {
		st = cli_fail(cli, &err);
	} else if (json) {
		/* written by hand so that no JSON library keeps an unwiped
		 * copy; the text is [A-Za-z0-9_-] only and needs no escaping */
		printf("{\n  \"token\": \"%s\",\n  \"id\": %lld\n}\n", token,
		    (long long)id);
	} else {
		printf("%s\n", token);
	}
	fflush(stdout);
	OPENSSL_cleanse(token, sizeof(token));
	cw_engine_close(e);
	return st;
}

/* A time field of a token list entry, or "-" for null. */
static const char *
field(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

int
cw_cmd_token_list(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		AS_OPT, JSON_OPT, HELP_OPT, END_OPT,
	};
	const char *as = NULL;
	bool json = false;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	cw_actor a;
	json_t *arr = NULL, *t;
	size_t i;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_AS: as = optarg; break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "token", "list");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	cli_actor(&a, as, NULL);
	if (cw_token_list(e, &a, &arr, &err) != CW_OK) {
		st = cli_fail(cli, &err);
	} else if (json) {
		cli_print_json(json_incref(arr));
	} else {
		printf("%-6s %-20s %-20s %-20s %-20s %s\n", "ID", "USER",
		    "CREATED", "EXPIRES", "LAST USED", "STATUS");
		json_array_foreach(arr, i, t)
			printf("%-6lld %-20s %-20s %-20s %-20s %s\n",
			    (long long)json_integer_value(json_object_get(t,
			    "id")), field(t, "user"), field(t, "created_at"),
			    field(t, "expires_at"), field(t, "last_used_at"),
			    field(t, "status"));
	}
	json_decref(arr);
	cw_engine_close(e);
	return st;
}

int
cw_cmd_token_revoke(cw_cli *cli, int argc, char **argv)
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
		case OPT_HELP: return cli_help(cli, "token", "revoke");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc || !cw_parse_int64(argv[optind], 1, INT64_MAX,
	    &id))
		return cli_usage(cli, "give one token ID (a number; see "
		    "'certward token list')");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	cli_actor(&a, as, NULL);
	if (cw_token_revoke(e, &a, id, &err) != CW_OK)
		st = cli_fail(cli, &err);
	else
		printf("token %lld revoked\n", (long long)id);
	cw_engine_close(e);
	return st;
}
