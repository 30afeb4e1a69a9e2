/*
 * cmd_token.c - `certward token create|list|revoke`: API tokens for the
 * REST API (DESIGN 7.1), an adapter over the engine's tokens.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "common/util.h"
#include "engine/engine.h"

int
cw_cmd_token_create(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("token", "create");
	const char *user = NULL, *expires = NULL;
	const cli_opt opts[] = {
		CLI_STR_OPT("user", &user),
		CLI_STR_OPT("expires", &expires),
		CLI_AS_OPT, CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	char token[CW_TOKEN_TEXT_MAX];
	int64_t when = 0, id = 0, now;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0)
		return x.status;
	if (user == NULL || x.argc != 0)
		return cli_usage(cli, "give the token's user with --user NAME");
	if (!cli_open(cli, &x))
		return x.status;
	now = cw_engine_now(x.e);
	if (expires != NULL) {
		if (!cw_parse_time(expires, now, &when)) {
			cw_engine_close(x.e);
			return cli_usage(cli, "--expires '%s': expected a duration "
			    "such as 30d, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ",
			    expires);
		}
		/* 0 would mean "the default" to the engine */
		if (when <= now) {
			cw_engine_close(x.e);
			return cli_usage(cli, "--expires '%s' is not in the "
			    "future", expires);
		}
	}
	rc = cw_token_create(x.e, &x.actor, user, when, token, sizeof(token),
	    &id, &x.err);
	if (rc == CW_OK && x.json) {
		/* written by hand so that no JSON library keeps an unwiped
		 * copy; the text is [A-Za-z0-9_-] only and needs no escaping */
		printf("{\n  \"token\": \"%s\",\n  \"id\": %lld\n}\n", token,
		    (long long)id);
	} else if (rc == CW_OK) {
		printf("%s\n", token);
	}
	fflush(stdout);
	OPENSSL_cleanse(token, sizeof(token));
	return cli_finish(cli, &x, rc, NULL, NULL);
}

/* A time field of a token list entry, or "-" for null. */
static const char *
field(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

/* `token list` as text: a header, then a token a line. */
static void
token_rows(json_t *arr)
{
	json_t *t;
	size_t i;

	printf("%-6s %-20s %-20s %-20s %-20s %s\n", "ID", "USER", "CREATED",
	    "EXPIRES", "LAST USED", "STATUS");
	json_array_foreach(arr, i, t)
		printf("%-6lld %-20s %-20s %-20s %-20s %s\n",
		    (long long)json_integer_value(json_object_get(t, "id")),
		    field(t, "user"), field(t, "created_at"),
		    field(t, "expires_at"), field(t, "last_used_at"),
		    field(t, "status"));
}

int
cw_cmd_token_list(cw_cli *cli, int argc, char **argv)
{
	static const cli_opt opts[] = {
		CLI_AS_OPT, CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	cli_ctx x = CLI_CTX_INIT("token", "list");
	json_t *arr = NULL;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 || !cli_no_args(cli, &x) ||
	    !cli_open(cli, &x))
		return x.status;
	rc = cw_token_list(x.e, &x.actor, &arr, &x.err);
	return cli_finish(cli, &x, rc, arr, token_rows);
}

int
cw_cmd_token_revoke(cw_cli *cli, int argc, char **argv)
{
	static const cli_opt opts[] = { CLI_AS_OPT, CLI_HELP_OPT, CLI_END_OPT };
	cli_ctx x = CLI_CTX_INIT("token", "revoke");
	int64_t id;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 ||
	    !cli_one_id(cli, &x, "give one token ID (a number; see 'certward "
	    "token list')", &id) || !cli_open(cli, &x))
		return x.status;
	rc = cw_token_revoke(x.e, &x.actor, id, &x.err);
	if (rc == CW_OK)
		printf("token %lld revoked\n", (long long)id);
	return cli_finish(cli, &x, rc, NULL, NULL);
}
