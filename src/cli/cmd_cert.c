/* cmd_cert.c - `certward cert list|show|get|revoke` and `certward crl`. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include "cli.h"
#include "common/fileio.h"
#include "common/util.h"
#include "engine/engine.h"
#include "x509/cert_build.h"

enum { OPT_STATUS = 1, OPT_EXPIRING, OPT_LIMIT };

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
	cli_ctx x = CLI_CTX_INIT("cert", "list");
	cw_cert_filter f;
	const cli_opt opts[] = {
		CLI_STR_OPT("service", &f.service),
		CLI_STR_OPT("template", &f.template_name),
		CLI_OWN_OPT("status", OPT_STATUS),
		CLI_OWN_OPT("expiring", OPT_EXPIRING),
		CLI_FLAG_OPT("due", &f.due),
		CLI_STR_OPT("key-alg", &f.key_alg),
		CLI_OWN_OPT("limit", OPT_LIMIT),
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	list_print lp;
	cw_rc rc;
	int c;

	memset(&f, 0, sizeof(f));
	while ((c = cli_parse(cli, argc, argv, opts, &x)) > 0) {
		switch (c) {
		case OPT_STATUS:
			if (strcmp(x.arg, "valid") &&
			    strcmp(x.arg, "revoked") &&
			    strcmp(x.arg, "expired") &&
			    strcmp(x.arg, "superseded"))
				return cli_usage(cli, "--status is valid, revoked, "
				    "expired or superseded");
			f.status = x.arg;
			break;
		case OPT_EXPIRING:
			if (!cw_parse_duration(x.arg, &f.expiring_within))
				return cli_usage(cli, "--expiring '%s': expected a "
				    "duration such as 30d", x.arg);
			break;
		case OPT_LIMIT:
			if (!cw_parse_int64(x.arg, 1, INT64_MAX, &f.limit))
				return cli_usage(cli, "--limit takes a number");
			break;
		}
	}
	if (c < 0 || !cli_no_args(cli, &x) || !cli_open(cli, &x))
		return x.status;
	lp.json = x.json;
	lp.n = 0;
	if (!x.json)
		printf("%-34s %-10s %-14s %-14s %-20s %s\n", "SERIAL", "STATUS",
		    "SERVICE", "TEMPLATE", "NOT AFTER", "NAMES");
	/* row by row: a full listing of a million certificates must not be
	 * collected in memory first */
	rc = cw_cert_each(x.e, &f, list_row, &lp, &x.err);
	/* the rows printed stay valid JSON when a later one failed */
	if (x.json && (rc == CW_OK || lp.n > 0))
		cli_json_array_end(lp.n);
	else if (rc == CW_OK)
		printf("%zu certificate%s\n", lp.n, lp.n == 1 ? "" : "s");
	return cli_finish(cli, &x, rc, NULL, NULL);
}

/* `cert show` as text: the string fields, the names, the audit trail. */
static void
cert_text(json_t *o)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(o, k, v)
		if (json_is_string(v))
			printf("%-18s %s\n", k, json_string_value(v));
	printf("names:\n");
	json_array_foreach(json_object_get(o, "sans"), i, v)
		printf("  %-6s %s\n", json_string_value(json_object_get(v,
		    "type")), json_string_value(json_object_get(v, "value")));
	printf("audit trail:\n");
	json_array_foreach(json_object_get(o, "audit_trail"), i, v)
		printf("  #%-6lld %s %-16s by %s\n",
		    (long long)json_integer_value(json_object_get(v, "seq")),
		    json_string_value(json_object_get(v, "time")),
		    json_string_value(json_object_get(v, "action")),
		    json_string_value(json_object_get(v, "actor")));
}

int
cw_cmd_cert_show(cw_cli *cli, int argc, char **argv)
{
	static const cli_opt opts[] = {
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	cli_ctx x = CLI_CTX_INIT("cert", "show");
	json_t *o = NULL;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 ||
	    !cli_one_arg(cli, &x, "give one SERIAL") || !cli_open(cli, &x))
		return x.status;
	rc = cw_cert_show(x.e, x.argv[0], &o, &x.err);
	return cli_finish(cli, &x, rc, o, cert_text);
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
	cli_ctx x = CLI_CTX_INIT("cert", "get");
	bool chain = false, der = false;
	const char *out = NULL;
	const cli_opt opts[] = {
		CLI_FLAG_OPT("chain", &chain),
		CLI_FLAG_OPT("der", &der),
		CLI_STR_OPT("out", &out),
		CLI_HELP_OPT, CLI_END_OPT,
	};
	uint8_t *buf = NULL;
	size_t len = 0;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 ||
	    !cli_one_arg(cli, &x, "give one SERIAL") || !cli_open(cli, &x))
		return x.status;
	rc = cw_cert_get(x.e, x.argv[0], chain, der, &buf, &len, &x.err);
	if (rc == CW_OK)
		x.status = emit(cli, out, buf, len);
	free(buf);
	return cli_finish(cli, &x, rc, NULL, NULL);
}

int
cw_cmd_cert_revoke(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("cert", "revoke");
	const char *reason = "unspecified";
	const cli_opt opts[] = {
		CLI_STR_OPT("reason", &reason),
		CLI_AS_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	int code;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 ||
	    !cli_one_arg(cli, &x, "give one SERIAL"))
		return x.status;
	if ((code = cw_crl_reason_from_name(reason)) < 0)
		return cli_usage(cli, "--reason '%s' is not an RFC 5280 reason: "
		    "unspecified, keyCompromise, cACompromise, affiliationChanged, "
		    "superseded, cessationOfOperation, certificateHold, "
		    "privilegeWithdrawn, aACompromise", reason);
	if (!cli_open(cli, &x))
		return x.status;
	rc = cw_cert_revoke(x.e, &x.actor, x.argv[0], code, &x.err);
	if (rc == CW_OK)
		printf("certificate %s revoked (%s); publish a new CRL with "
		    "'certward crl'\n", x.argv[0], reason);
	return cli_finish(cli, &x, rc, NULL, NULL);
}

/* Writes a CRL (DER in buf) as emit does: PEM unless der; exit status. */
static int
crl_emit(cw_cli *cli, const char *out, bool der, const uint8_t *buf,
    size_t len)
{
	BIO *b;
	char *pem;
	long n;
	int st;

	if (der)
		return emit(cli, out, buf, len);
	b = BIO_new(BIO_s_mem());
	if (b == NULL ||
	    PEM_write_bio(b, "X509 CRL", "", buf, (long)len) <= 0) {
		BIO_free(b);
		return CW_EXIT_INTERNAL;
	}
	n = BIO_get_mem_data(b, &pem);
	st = emit(cli, out, pem, (size_t)n);
	BIO_free(b);
	return st;
}

int
cw_cmd_crl(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("crl", NULL);
	bool der = false;
	const char *out = NULL;
	const cli_opt opts[] = {
		CLI_FLAG_OPT("der", &der),
		CLI_STR_OPT("out", &out),
		CLI_HELP_OPT, CLI_END_OPT,
	};
	uint8_t *buf = NULL;
	size_t len = 0;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 || !cli_no_args(cli, &x) ||
	    !cli_open(cli, &x))
		return x.status;
	rc = cw_crl_generate(x.e, &buf, &len, &x.err);
	if (rc == CW_OK)
		x.status = crl_emit(cli, out, der, buf, len);
	OPENSSL_free(buf);
	return cli_finish(cli, &x, rc, NULL, NULL);
}
