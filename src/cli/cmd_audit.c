/* cmd_audit.c - `certward audit log|verify|checkpoint|prove|check-proof`. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/fileio.h"
#include "common/util.h"
#include "engine/engine.h"

#define CP_MAX 4096

/* Reads an optional checkpoint file into *text (NULL when not given);
 * false after printing why it cannot (x->status set). */
static bool
read_cp(const cw_cli *cli, cli_ctx *x, const char *path, char **text)
{
	uint8_t *buf = NULL;
	size_t len;

	*text = NULL;
	if (path == NULL)
		return true;
	if (cw_read_file(path, CP_MAX, &buf, &len, &x->err) != CW_OK) {
		x->status = cli_fail(cli, &x->err);
		return false;
	}
	*text = (char *)buf;
	return true;
}

/* `audit log` as text: an event a line, its details cut at 160 bytes. */
static void
event_rows(json_t *arr)
{
	json_t *x;
	size_t i;

	json_array_foreach(arr, i, x) {
		char *d = json_dumps(json_object_get(x, "details"),
		    JSON_COMPACT | JSON_SORT_KEYS);

		printf("#%-6lld %s %-18s %-22s by %s: %.160s\n",
		    (long long)json_integer_value(json_object_get(x, "seq")),
		    json_string_value(json_object_get(x, "time")),
		    json_string_value(json_object_get(x, "action")),
		    json_string_value(json_object_get(x, "object")),
		    json_string_value(json_object_get(x, "actor")), d ? d : "");
		free(d);
	}
}

int
cw_cmd_audit_log(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("audit", "log");
	const char *object = NULL, *since_s = NULL;
	const cli_opt opts[] = {
		CLI_STR_OPT("object", &object),
		CLI_STR_OPT("since", &since_s),
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	int64_t since = 0;
	json_t *arr = NULL;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 || !cli_no_args(cli, &x) ||
	    !cli_open(cli, &x))
		return x.status;
	/* --since takes a date, a time, or a duration back from now */
	if (since_s != NULL) {
		int64_t d;

		if (cw_parse_duration(since_s, &d))
			since = cw_engine_now(x.e) - d;
		else if (!cw_parse_time(since_s, 0, &since)) {
			cw_engine_close(x.e);
			return cli_usage(cli, "--since '%s': expected YYYY-MM-DD, "
			    "an RFC 3339 UTC time or a duration (24h)", since_s);
		}
	}
	rc = cw_audit_log(x.e, object, since, &arr, &x.err);
	return cli_finish(cli, &x, rc, arr, event_rows);
}

/* `audit verify` as text: one line for an intact log. */
static void
verify_text(json_t *rep)
{
	printf("audit log intact: %lld events, head %s",
	    (long long)json_integer_value(json_object_get(rep, "events")),
	    json_string_value(json_object_get(rep, "head")));
	if (json_object_get(rep, "checkpoint"))
		printf("; consistent with the signed checkpoint of %lld events",
		    (long long)json_integer_value(json_object_get(
		    json_object_get(rep, "checkpoint"), "size")));
	printf("\n");
}

int
cw_cmd_audit_verify(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("audit", "verify");
	const char *cp_path = NULL;
	const cli_opt opts[] = {
		CLI_STR_OPT("checkpoint", &cp_path),
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	char *cp = NULL;
	json_t *rep = NULL;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 || !cli_no_args(cli, &x) ||
	    !read_cp(cli, &x, cp_path, &cp))
		return x.status;
	if (!cli_open(cli, &x)) {
		free(cp);
		return x.status;
	}
	rc = cw_audit_verify_log(x.e, cp, &rep, &x.err);
	free(cp);
	/* a tampered log is a verdict too: --json says so on stdout */
	if (rc != CW_OK && x.json)
		cli_print_json(json_pack("{s:b, s:s}", "intact", 0, "error",
		    x.err.msg));
	return cli_finish(cli, &x, rc, rep, verify_text);
}

int
cw_cmd_audit_checkpoint(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("audit", "checkpoint");
	const char *out = NULL;
	const cli_opt opts[] = {
		CLI_STR_OPT("out", &out),
		CLI_AS_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	char *text = NULL;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 || !cli_no_args(cli, &x) ||
	    !cli_open(cli, &x))
		return x.status;
	rc = cw_audit_checkpoint(x.e, &x.actor, &text, &x.err);
	if (rc == CW_OK && out == NULL)
		fputs(text, stdout);
	else if (rc == CW_OK)
		rc = cw_write_file(out, text, strlen(text), 0644, true, &x.err);
	free(text);
	return cli_finish(cli, &x, rc, NULL, NULL);
}

int
cw_cmd_audit_prove(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("audit", "prove");
	const char *cp_path = NULL, *out = NULL;
	const cli_opt opts[] = {
		CLI_STR_OPT("checkpoint", &cp_path),
		CLI_STR_OPT("out", &out),
		CLI_HELP_OPT, CLI_END_OPT,
	};
	char *cp = NULL, *text = NULL;
	json_t *proof = NULL;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 ||
	    !cli_one_arg(cli, &x, "give one certificate SERIAL") ||
	    !read_cp(cli, &x, cp_path, &cp))
		return x.status;
	if (!cli_open(cli, &x)) {
		free(cp);
		return x.status;
	}
	rc = cw_audit_prove(x.e, x.argv[0], cp, &proof, &x.err);
	free(cp);
	if (rc == CW_OK && (text = json_dumps(proof, JSON_INDENT(2))) == NULL)
		x.status = CW_EXIT_INTERNAL;
	else if (rc == CW_OK && out == NULL)
		printf("%s\n", text);
	else if (rc == CW_OK)
		rc = cw_write_file(out, text, strlen(text), 0644, true, &x.err);
	free(text);
	return cli_finish(cli, &x, rc, proof, NULL);
}

int
cw_cmd_audit_check_proof(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("audit", "check-proof");
	const char *key = NULL;
	const cli_opt opts[] = {
		CLI_STR_OPT("key", &key),
		CLI_HELP_OPT, CLI_END_OPT,
	};
	uint8_t *pbuf = NULL, *kbuf = NULL;
	size_t plen, klen;
	json_t *proof = NULL;
	json_error_t jerr;
	int st = CW_EXIT_OK;

	if (cli_parse(cli, argc, argv, opts, &x) < 0)
		return x.status;
	if (x.argc != 1 || key == NULL)
		return cli_usage(cli, "give PROOF and --key AUDIT_PUBLIC_KEY");
	if (cw_read_file(x.argv[0], 1024 * 1024, &pbuf, &plen, &x.err) !=
	    CW_OK || cw_read_file(key, 64 * 1024, &kbuf, &klen, &x.err) !=
	    CW_OK) {
		st = cli_fail(cli, &x.err);
		goto out;
	}
	proof = json_loadb((const char *)pbuf, plen, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (proof == NULL) {
		fprintf(stderr, "%s: %s:%d:%d: %s\n", cli->prog, x.argv[0],
		    jerr.line, jerr.column, jerr.text);
		st = CW_EXIT_USAGE;
		goto out;
	}
	if (cw_audit_check_proof(proof, (const char *)kbuf, &x.err) != CW_OK) {
		st = cli_fail(cli, &x.err);
		goto out;
	}
	printf("proof verified: certificate %s was issued in audit event %lld "
	    "of a log of %lld events signed by the audit key\n",
	    json_string_value(json_object_get(proof, "serial")),
	    (long long)json_integer_value(json_object_get(json_object_get(proof,
	    "event"), "seq")), (long long)json_integer_value(json_object_get(
	    proof, "tree_size")));
out:
	json_decref(proof);
	free(pbuf);
	free(kbuf);
	return st;
}
