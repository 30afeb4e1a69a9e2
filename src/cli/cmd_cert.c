/* cmd_cert.c - `certward cert list|show|get|revoke` and `certward crl`. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include "cli.h"
#include "common/fileio.h"
#include "common/util.h"
#include "engine/engine.h"
#include "x509/cert_build.h"

enum {
	OPT_SERVICE = 256, OPT_TEMPLATE, OPT_STATUS, OPT_EXPIRING, OPT_DUE,
	OPT_KEYALG, OPT_JSON, OPT_HELP, OPT_CHAIN, OPT_DER, OPT_OUT, OPT_REASON,
	OPT_AS, OPT_LIMIT,
};

typedef struct list_print {
	bool json;
	size_t n;
} list_print;

static bool
list_row(json_t *x, void *arg)
{
	list_print *lp = arg;
	json_t *s0;

	if (lp->json) {
		cli_json_array_item(&lp->n, x);
		return true;
	}
	s0 = json_array_get(json_object_get(x, "sans"), 0);
	printf("%-34s %-10s %-14s %-14s %-20s %s%s\n",
	    json_string_value(json_object_get(x, "serial")),
	    json_string_value(json_object_get(x, "status")),
	    json_string_value(json_object_get(x, "service")),
	    json_string_value(json_object_get(x, "template")),
	    json_string_value(json_object_get(x, "not_after")),
	    s0 ? json_string_value(json_object_get(s0, "value")) :
	    json_string_value(json_object_get(x, "subject")),
	    json_is_true(json_object_get(x, "renewal_due")) ?
	    "  (renewal due)" : "");
	lp->n++;
	return true;
}

int
cw_cmd_cert_list(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"service", required_argument, NULL, OPT_SERVICE},
		{"template", required_argument, NULL, OPT_TEMPLATE},
		{"status", required_argument, NULL, OPT_STATUS},
		{"expiring", required_argument, NULL, OPT_EXPIRING},
		{"due", no_argument, NULL, OPT_DUE},
		{"key-alg", required_argument, NULL, OPT_KEYALG},
		{"limit", required_argument, NULL, OPT_LIMIT},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	cw_cert_filter f;
	bool json = false;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	list_print lp;
	int c, st;

	memset(&f, 0, sizeof(f));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SERVICE: f.service = optarg; break;
		case OPT_TEMPLATE: f.template_name = optarg; break;
		case OPT_STATUS:
			if (strcmp(optarg, "valid") && strcmp(optarg, "revoked") &&
			    strcmp(optarg, "expired") &&
			    strcmp(optarg, "superseded"))
				return cli_usage(cli, "--status is valid, revoked, "
				    "expired or superseded");
			f.status = optarg;
			break;
		case OPT_EXPIRING:
			if (!cw_parse_duration(optarg, &f.expiring_within))
				return cli_usage(cli, "--expiring '%s': expected a "
				    "duration such as 30d", optarg);
			break;
		case OPT_DUE: f.due = true; break;
		case OPT_KEYALG: f.key_alg = optarg; break;
		case OPT_LIMIT:
			if (!cw_parse_int64(optarg, 1, INT64_MAX, &f.limit))
				return cli_usage(cli, "--limit takes a number");
			break;
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "cert", "list");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	lp.json = json;
	lp.n = 0;
	if (!json)
		printf("%-34s %-10s %-14s %-14s %-20s %s\n", "SERIAL", "STATUS",
		    "SERVICE", "TEMPLATE", "NOT AFTER", "NAMES");
	/* row by row: a full listing of a million certificates must not be
	 * collected in memory first */
	if (cw_cert_each(e, &f, list_row, &lp, &err) != CW_OK) {
		if (json && lp.n > 0)
			cli_json_array_end(lp.n);
		st = cli_fail(cli, &err);
	} else if (json) {
		cli_json_array_end(lp.n);
	} else {
		printf("%zu certificate%s\n", lp.n, lp.n == 1 ? "" : "s");
	}
	cw_engine_close(e);
	return st;
}

int
cw_cmd_cert_show(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	bool json = false;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	json_t *o = NULL, *x;
	const char *k;
	size_t i;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_HELP: return cli_help(cli, "cert", "show");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "give one SERIAL");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	if (cw_cert_show(e, argv[optind], &o, &err) != CW_OK) {
		st = cli_fail(cli, &err);
	} else if (json) {
		cli_print_json(json_incref(o));
	} else {
		json_object_foreach(o, k, x)
			if (json_is_string(x))
				printf("%-18s %s\n", k, json_string_value(x));
		printf("names:\n");
		json_array_foreach(json_object_get(o, "sans"), i, x)
			printf("  %-6s %s\n", json_string_value(json_object_get(x,
			    "type")), json_string_value(json_object_get(x,
			    "value")));
		printf("audit trail:\n");
		json_array_foreach(json_object_get(o, "audit_trail"), i, x)
			printf("  #%-6lld %s %-16s by %s\n",
			    (long long)json_integer_value(json_object_get(x,
			    "seq")), json_string_value(json_object_get(x,
			    "time")), json_string_value(json_object_get(x,
			    "action")), json_string_value(json_object_get(x,
			    "actor")));
	}
	json_decref(o);
	cw_engine_close(e);
	return st;
}

/* Writes bytes to --out (atomically) or stdout. */
static int
emit(cw_cli *cli, const char *out, const void *data, size_t len)
{
	cw_err err = CW_ERR_INIT;

	if (out == NULL) {
		if (fwrite(data, 1, len, stdout) != len)
			return CW_EXIT_INTERNAL;
		return CW_EXIT_OK;
	}
	if (cw_write_file(out, data, len, 0644, true, &err) != CW_OK)
		return cli_fail(cli, &err);
	return CW_EXIT_OK;
}

int
cw_cmd_cert_get(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"chain", no_argument, NULL, OPT_CHAIN},
		{"der", no_argument, NULL, OPT_DER},
		{"out", required_argument, NULL, OPT_OUT},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	bool chain = false, der = false;
	const char *out = NULL;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	uint8_t *buf = NULL;
	size_t len = 0;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_CHAIN: chain = true; break;
		case OPT_DER: der = true; break;
		case OPT_OUT: out = optarg; break;
		case OPT_HELP: return cli_help(cli, "cert", "get");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "give one SERIAL");
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	if (cw_cert_get(e, argv[optind], chain, der, &buf, &len, &err) != CW_OK)
		st = cli_fail(cli, &err);
	else
		st = emit(cli, out, buf, len);
	free(buf);
	cw_engine_close(e);
	return st;
}

int
cw_cmd_cert_revoke(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"reason", required_argument, NULL, OPT_REASON},
		{"as", required_argument, NULL, OPT_AS},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *as = NULL, *reason = "unspecified";
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	cw_actor a;
	int c, st, code;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_REASON: reason = optarg; break;
		case OPT_AS: as = optarg; break;
		case OPT_HELP: return cli_help(cli, "cert", "revoke");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "give one SERIAL");
	if ((code = cw_crl_reason_from_name(reason)) < 0)
		return cli_usage(cli, "--reason '%s' is not an RFC 5280 reason: "
		    "unspecified, keyCompromise, cACompromise, affiliationChanged, "
		    "superseded, cessationOfOperation, certificateHold, "
		    "privilegeWithdrawn, aACompromise", reason);
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	cli_actor(&a, as, NULL);
	if (cw_cert_revoke(e, &a, argv[optind], code, &err) != CW_OK)
		st = cli_fail(cli, &err);
	else
		printf("certificate %s revoked (%s); publish a new CRL with "
		    "'certward crl'\n", argv[optind], reason);
	cw_engine_close(e);
	return st;
}

int
cw_cmd_crl(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"der", no_argument, NULL, OPT_DER},
		{"out", required_argument, NULL, OPT_OUT},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	bool der = false;
	const char *out = NULL;
	cw_engine *e = NULL;
	cw_err err = CW_ERR_INIT;
	uint8_t *buf = NULL;
	size_t len = 0;
	BIO *b = NULL;
	char *pem;
	long n;
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DER: der = true; break;
		case OPT_OUT: out = optarg; break;
		case OPT_HELP: return cli_help(cli, "crl", NULL);
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((st = cli_open_engine(cli, &e)) != CW_EXIT_OK)
		return st;
	if (cw_crl_generate(e, &buf, &len, &err) != CW_OK) {
		st = cli_fail(cli, &err);
	} else if (der) {
		st = emit(cli, out, buf, len);
	} else if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio(b, "X509 CRL", "", buf, (long)len) <= 0) {
		st = CW_EXIT_INTERNAL;
	} else {
		n = BIO_get_mem_data(b, &pem);
		st = emit(cli, out, pem, (size_t)n);
	}
	BIO_free(b);
	OPENSSL_free(buf);
	cw_engine_close(e);
	return st;
}
