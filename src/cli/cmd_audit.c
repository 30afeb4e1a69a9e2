/* cmd_audit.c - `certward audit log|verify|checkpoint|prove|check-proof`. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/fileio.h"
#include "common/util.h"
#include "engine/engine.h"

enum {
	OPT_OBJECT = 256, OPT_SINCE, OPT_JSON, OPT_HELP, OPT_CHECKPOINT,
	OPT_OUT, OPT_AS, OPT_KEY,
};

#define CP_MAX 4096

/* Reads an optional checkpoint file into *text (NULL when not given). */
static int
read_cp(cw_cli *cli, const char *path, char **text)
{
	cw_err err = CW_ERR_INIT;
	uint8_t *buf = NULL;
	size_t len;

	*text = NULL;
	if (path == NULL)
		return CW_EXIT_OK;
	if (cw_read_file(path, CP_MAX, &buf, &len, &err) != CW_OK)
		return cli_fail(cli, &err);
	*text = (char *)buf;
	return CW_EXIT_OK;
}

int
cw_cmd_audit_log(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"object", required_argument, NULL, OPT_OBJECT},
		{"since", required_argument, NULL, OPT_SINCE},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *object = NULL, *since_s = NULL;
	bool json = false;
	int64_t since = 0;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	json_t *arr = NULL, *x;
	size_t i;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_OBJECT: object = optarg; break;
		case OPT_SINCE: since_s = optarg; break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "audit", "log");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	/* --since takes a date, a time, or a duration back from now */
	if (since_s != NULL) {
		int64_t d;

		if (cw_parse_duration(since_s, &d))
			since = cw_engine_now(e) - d;
		else if (!cw_parse_time(since_s, 0, &since)) {
			cw_engine_close(e);
			return cli_usage(cli, "--since '%s': expected YYYY-MM-DD, "
			    "an RFC 3339 UTC time or a duration (24h)", since_s);
		}
	}
	if (cw_audit_log(e, object, since, &arr, &err) != CW_OK) {
		st = cli_fail(cli, &err);
	} else if (json) {
		cli_print_json(json_incref(arr));
	} else {
		json_array_foreach(arr, i, x) {
			char *d = json_dumps(json_object_get(x, "details"),
			    JSON_COMPACT | JSON_SORT_KEYS);

			printf("#%-6lld %s %-18s %-22s by %s: %.160s\n",
			    (long long)json_integer_value(json_object_get(x,
			    "seq")), json_string_value(json_object_get(x, "time")),
			    json_string_value(json_object_get(x, "action")),
			    json_string_value(json_object_get(x, "object")),
			    json_string_value(json_object_get(x, "actor")),
			    d ? d : "");
			free(d);
		}
	}
	json_decref(arr);
	cw_engine_close(e);
	return st;
}

int
cw_cmd_audit_verify(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *cp_path = NULL;
	char *cp = NULL;
	bool json = false;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	json_t *rep = NULL;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_CHECKPOINT: cp_path = optarg; break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "audit", "verify");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((st = read_cp(cli, cp_path, &cp)) != CW_EXIT_OK)
		return st;
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK) {
		free(cp);
		return st;
	}
	if (cw_audit_verify_log(e, cp, &rep, &err) != CW_OK) {
		if (json)
			cli_print_json(json_pack("{s:b, s:s}", "intact", 0,
			    "error", err.msg));
		st = cli_fail(cli, &err);
	} else if (json) {
		cli_print_json(json_incref(rep));
	} else {
		printf("audit log intact: %lld events, head %s",
		    (long long)json_integer_value(json_object_get(rep, "events")),
		    json_string_value(json_object_get(rep, "head")));
		if (json_object_get(rep, "checkpoint"))
			printf("; consistent with the signed checkpoint of %lld "
			    "events", (long long)json_integer_value(
			    json_object_get(json_object_get(rep, "checkpoint"),
			    "size")));
		printf("\n");
	}
	json_decref(rep);
	free(cp);
	cw_engine_close(e);
	return st;
}

int
cw_cmd_audit_checkpoint(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, NULL, OPT_OUT},
		{"as", required_argument, NULL, OPT_AS},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *out = NULL, *as = NULL;
	char *text = NULL;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	cw_actor a;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_OUT: out = optarg; break;
		case OPT_AS: as = optarg; break;
		case OPT_HELP: return cli_help(cli, "audit", "checkpoint");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	cli_actor(&a, as, NULL);
	if (cw_audit_checkpoint(e, &a, &text, &err) != CW_OK)
		st = cli_fail(cli, &err);
	else if (out == NULL)
		fputs(text, stdout);
	else if (cw_write_file(out, text, strlen(text), 0644, true, &err) !=
	    CW_OK)
		st = cli_fail(cli, &err);
	free(text);
	cw_engine_close(e);
	return st;
}

int
cw_cmd_audit_prove(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
		{"out", required_argument, NULL, OPT_OUT},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *cp_path = NULL, *out = NULL;
	char *cp = NULL, *text = NULL;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	json_t *proof = NULL;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_CHECKPOINT: cp_path = optarg; break;
		case OPT_OUT: out = optarg; break;
		case OPT_HELP: return cli_help(cli, "audit", "prove");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "give one certificate SERIAL");
	if ((st = read_cp(cli, cp_path, &cp)) != CW_EXIT_OK)
		return st;
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK) {
		free(cp);
		return st;
	}
	if (cw_audit_prove(e, argv[optind], cp, &proof, &err) != CW_OK) {
		st = cli_fail(cli, &err);
	} else {
		text = json_dumps(proof, JSON_INDENT(2));
		if (text == NULL) {
			st = CW_EXIT_INTERNAL;
		} else if (out == NULL) {
			printf("%s\n", text);
		} else if (cw_write_file(out, text, strlen(text), 0644, true,
		    &err) != CW_OK) {
			st = cli_fail(cli, &err);
		}
	}
	free(text);
	free(cp);
	json_decref(proof);
	cw_engine_close(e);
	return st;
}

int
cw_cmd_audit_check_proof(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, OPT_KEY},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL;
	uint8_t *pbuf = NULL, *kbuf = NULL;
	size_t plen, klen;
	json_t *proof = NULL;
	json_error_t jerr;
	cw_err err = CW_ERR_INIT;
	int c, st = CW_EXIT_OK;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_KEY: key = optarg; break;
		case OPT_HELP: return cli_help(cli, "audit", "check-proof");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc || key == NULL)
		return cli_usage(cli, "give PROOF and --key AUDIT_PUBLIC_KEY");
	if (cw_read_file(argv[optind], 1024 * 1024, &pbuf, &plen, &err) !=
	    CW_OK || cw_read_file(key, 64 * 1024, &kbuf, &klen, &err) != CW_OK) {
		st = cli_fail(cli, &err);
		goto out;
	}
	proof = json_loadb((const char *)pbuf, plen, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (proof == NULL) {
		fprintf(stderr, "%s: %s:%d:%d: %s\n", cli->prog, argv[optind],
		    jerr.line, jerr.column, jerr.text);
		st = CW_EXIT_USAGE;
		goto out;
	}
	if (cw_audit_check_proof(proof, (const char *)kbuf, &err) != CW_OK) {
		st = cli_fail(cli, &err);
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
