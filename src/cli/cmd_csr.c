/*
 * cmd_csr.c - `certward csr new|check|show`: the policy gate from the
 * command line.  Each verb is an adapter over csr_parse, policy_eval and
 * csr_build; no rule is implemented here.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "cli.h"
#include "common/fileio.h"
#include "common/limits.h"
#include "common/util.h"
#include "policy/key_choice.h"
#include "policy/policy_eval.h"
#include "x509/csr_build.h"
#include "x509/keygen.h"

enum { OPT_DNS = 1, OPT_IP, OPT_URI, OPT_EMAIL, OPT_SUBJECT };

#define ONE_CSR "give exactly one CSR file (or - for standard input)"

/* --- csr check ------------------------------------------------------------ */

int
cw_cmd_csr_check(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("csr", "check");
	const char *policy_path = NULL, *tname = NULL, *csr_path;
	const cli_opt opts[] = {
		CLI_STR_OPT("policy", &policy_path),
		CLI_STR_OPT("template", &tname),
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	cw_policy *policy = NULL;
	const cw_template *t;
	cw_csr *csr = NULL;
	cw_violations v;
	int status;
	cw_rc rc;

	cw_violations_init(&v);
	if (cli_parse(cli, argc, argv, opts, &x) < 0)
		return x.status;
	if (policy_path == NULL || tname == NULL)
		return cli_usage(cli, "--policy and --template are required");
	if (!cli_one_arg(cli, &x, ONE_CSR))
		return x.status;
	csr_path = x.argv[0];
	if ((rc = cli_load_policy(cli, policy_path, &policy)) != CW_OK) {
		status = cw_rc_exit_code(rc);
		goto out;
	}
	if ((rc = cli_template(cli, policy, tname, &t)) != CW_OK ||
	    (rc = cli_read_csr(cli, csr_path, &csr)) != CW_OK) {
		status = cw_rc_exit_code(rc);
		goto out;
	}
	if ((rc = cw_policy_eval(t, csr, &v, &x.err)) != CW_OK) {
		status = cli_fail(cli, &x.err);
		goto out;
	}
	status = cw_violations_any(&v) ? CW_EXIT_NO : CW_EXIT_OK;
	if (x.json) {
		cli_print_json(json_pack("{s:b, s:s, s:o}", "compliant",
		    status == CW_EXIT_OK, "template", t->name, "violations",
		    cw_violations_json(&v)));
	} else if (status == CW_EXIT_OK) {
		printf("%s: compliant with template '%s'\n", csr_path, t->name);
	} else {
		printf("%s: NOT compliant with template '%s' (%zu violation%s)\n",
		    csr_path, t->name, v.n, v.n == 1 ? "" : "s");
		cli_print_violations(stdout, &v);
	}
out:
	cw_violations_cleanup(&v);
	cw_csr_free(csr);
	cw_policy_free(policy);
	return status;
}

/* --- csr show ------------------------------------------------------------- */

int
cw_cmd_csr_show(cw_cli *cli, int argc, char **argv)
{
	static const cli_opt opts[] = {
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	cli_ctx x = CLI_CTX_INIT("csr", "show");
	cw_csr *csr = NULL;
	char hex[65], ip[64], esc[CW_MAX_NAME_BYTES * 4 + 8];
	const char *md;
	size_t i;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 ||
	    !cli_one_arg(cli, &x, ONE_CSR))
		return x.status;
	if ((rc = cli_read_csr(cli, x.argv[0], &csr)) != CW_OK)
		return cw_rc_exit_code(rc);
	if (x.json) {
		cli_print_json(cli_csr_json(csr));
		cw_csr_free(csr);
		return CW_EXIT_OK;
	}
	cw_hex(csr->key.spki_sha256, sizeof(csr->key.spki_sha256), hex);
	md = cw_md_name(csr->sig_md_nid);
	printf("subject:        %s\n", csr->subject_text[0] ?
	    csr->subject_text : "(empty)");
	printf("key:            %s", cw_key_type_name(csr->key.type));
	if (csr->key.type == CW_KEYT_EC)
		printf(" %s", cw_curve_name(csr->key.curve_nid));
	else if (csr->key.bits > 0)
		printf(" %d bits", csr->key.bits);
	if (csr->key.type == CW_KEYT_UNKNOWN)
		printf(" (%s)", csr->key.alg_oid);
	printf("\n");
	if (csr->key.problem != CW_KEYP_NONE)
		printf("key problem:    %s\n", csr->key.problem_msg);
	printf("spki sha256:    %s\n", hex);
	printf("signature:      %s%s%s%s\n", cli_sig_name(csr),
	    md ? " (" : "", md ? md : "", md ? ")" : "");
	printf("proof of key:   %s\n", csr->pop_ok ? "signature verifies" :
	    csr->pop_msg);
	printf("subject alt names (%zu):\n", csr->n_sans);
	for (i = 0; i < csr->n_sans; i++) {
		const cw_san *s = &csr->sans[i];

		if (s->type == CW_SAN_IP)
			cw_ip_format(s->val, s->len, ip, sizeof(ip));
		printf("  %-6s %s\n", cw_san_type_name(s->type),
		    s->type == CW_SAN_IP ? ip : s->type == CW_SAN_OTHER ?
		    s->other : cw_escape(s->val, s->len, esc, sizeof(esc)));
	}
	printf("requested extensions (%zu):\n", csr->n_exts);
	for (i = 0; i < csr->n_exts; i++)
		printf("  %s (%s)%s\n", csr->exts[i].nid != NID_undef ?
		    OBJ_nid2ln(csr->exts[i].nid) : "unknown", csr->exts[i].oid,
		    csr->exts[i].critical ? " critical" : "");
	if (csr->findings.n > 0) {
		printf("structural problems:\n");
		cli_print_violations(stdout, &csr->findings);
	}
	cw_csr_free(csr);
	return CW_EXIT_OK;
}

/* --- csr new -------------------------------------------------------------- */

#define MAX_NAMES 256

typedef struct names {
	const char *v[MAX_NAMES];
	size_t n;
} names;

static bool
push(names *l, const char *v)
{
	if (l->n >= MAX_NAMES)
		return false;
	l->v[l->n++] = v;
	return true;
}

/* Reads the passphrase: first line of a file, or an environment variable. */
static cw_rc
read_pass(const char *file, const char *env, char **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t *buf = NULL;
	size_t len = 0;
	const char *v;

	*out = NULL;
	if (file != NULL) {
		CW_TRY(cw_read_file(file, CW_MAX_PASSPHRASE_BYTES, &buf, &len,
		    err));
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		CW_ENSURE(memchr(buf, '\n', len) == NULL && memchr(buf, '\0',
		    len) == NULL, CW_ERR_INPUT, "%s: the passphrase file must "
		    "hold one line", file);
		*out = (char *)buf;
		buf = NULL;
	} else if (env != NULL) {
		v = getenv(env);
		CW_ENSURE(v != NULL && *v != '\0', CW_ERR_USAGE,
		    "--pass-env %s: the variable is not set or empty", env);
		len = strlen(v);
		CW_ENSURE(len <= CW_MAX_PASSPHRASE_BYTES, CW_ERR_INPUT,
		    "--pass-env %s: the passphrase is too long", env);
		*out = strdup(v);
		CW_ENSURE_MEM(*out);
	}
	if (*out != NULL)
		CW_ENSURE(strlen(*out) >= 4, CW_ERR_INPUT,
		    "the passphrase must be at least 4 characters");
out:
	if (rc != CW_OK && *out != NULL) {
		OPENSSL_cleanse(*out, strlen(*out));
		free(*out);
		*out = NULL;
	}
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	return rc;
}

/* --subject KEY=VALUE, KEY a policy subject key such as organization. */
static bool
parse_subject_opt(const char *arg, cw_csr_subject_field *f, char *keybuf,
    size_t keylen)
{
	const char *eq = strchr(arg, '=');
	int nid;

	if (eq == NULL || (size_t)(eq - arg) >= keylen || eq == arg)
		return false;
	memcpy(keybuf, arg, (size_t)(eq - arg));
	keybuf[eq - arg] = '\0';
	for (nid = 1; nid < 2000; nid++) {
		const char *k = cw_subject_key_for_nid(nid);

		if (k != NULL && strcmp(k, keybuf) == 0) {
			f->nid = nid;
			f->value = eq + 1;
			return true;
		}
	}
	return false;
}

static cw_rc
write_csr_pem(const char *path, const uint8_t *der, size_t len, bool force,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	BIO *mem = NULL;
	char *data;
	long n;

	mem = BIO_new(BIO_s_mem());
	CW_ENSURE_MEM(mem);
	CW_ENSURE_OSSL(PEM_write_bio(mem, "CERTIFICATE REQUEST", "", der,
	    (long)len) > 0, "cannot encode the CSR as PEM");
	n = BIO_get_mem_data(mem, &data);
	if (strcmp(path, "-") == 0) {
		CW_ENSURE(fwrite(data, 1, (size_t)n, stdout) == (size_t)n,
		    CW_ERR_IO, "cannot write the CSR to standard output");
	} else {
		CW_TRY(cw_write_file(path, data, (size_t)n, 0644, force, err));
	}
out:
	BIO_free(mem);
	return rc;
}

int
cw_cmd_csr_new(cw_cli *cli, int argc, char **argv)
{
	cli_ctx x = CLI_CTX_INIT("csr", "new");
	const char *policy_path = NULL, *tname = NULL, *cn = NULL;
	const char *keyalg = NULL, *key_out = NULL, *out_path = NULL;
	const char *pass_file = NULL, *pass_env = NULL;
	bool force = false;
	const cli_opt opts[] = {
		CLI_STR_OPT("policy", &policy_path),
		CLI_STR_OPT("template", &tname),
		CLI_STR_OPT("cn", &cn),
		CLI_OWN_OPT("dns", OPT_DNS),
		CLI_OWN_OPT("ip", OPT_IP),
		CLI_OWN_OPT("uri", OPT_URI),
		CLI_OWN_OPT("email", OPT_EMAIL),
		CLI_OWN_OPT("subject", OPT_SUBJECT),
		CLI_STR_OPT("key-alg", &keyalg),
		CLI_STR_OPT("key-out", &key_out),
		CLI_STR_OPT("out", &out_path),
		CLI_STR_OPT("pass-file", &pass_file),
		CLI_STR_OPT("pass-env", &pass_env),
		CLI_FLAG_OPT("force", &force),
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	static names dns, ip, uri, email;
	cw_csr_subject_field subject[CW_MAX_SUBJECT_ATTRS];
	char subj_keys[CW_MAX_SUBJECT_ATTRS][48];
	size_t n_subject = 0, n_user = 0, i, j;
	cw_csr_subject_field user[CW_MAX_SUBJECT_ATTRS];
	cw_policy *policy = NULL;
	const cw_template *t;
	cw_keyspec spec;
	EVP_PKEY *pkey = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	cw_csr *csr = NULL;
	cw_violations v;
	cw_csr_spec cs;
	char *pass = NULL, specbuf[32];
	struct stat st;
	int c, status = CW_EXIT_OK;
	cw_rc rc;

	cw_violations_init(&v);
	while ((c = cli_parse(cli, argc, argv, opts, &x)) > 0) {
		bool ok = true;

		switch (c) {
		case OPT_DNS: ok = push(&dns, x.arg); break;
		case OPT_IP: ok = push(&ip, x.arg); break;
		case OPT_URI: ok = push(&uri, x.arg); break;
		case OPT_EMAIL: ok = push(&email, x.arg); break;
		case OPT_SUBJECT:
			if (n_user >= CW_MAX_SUBJECT_ATTRS - 1 ||
			    !parse_subject_opt(x.arg, &user[n_user],
			    subj_keys[n_user], sizeof(subj_keys[0])))
				return cli_usage(cli, "--subject '%s': expected "
				    "KEY=VALUE with KEY a policy subject field "
				    "such as organization or country", x.arg);
			n_user++;
			break;
		}
		if (!ok)
			return cli_usage(cli, "at most %d names of one kind",
			    MAX_NAMES);
	}
	if (c < 0)
		return x.status;
	if (policy_path == NULL || tname == NULL || key_out == NULL ||
	    out_path == NULL)
		return cli_usage(cli, "--policy, --template, --key-out and --out "
		    "are required");
	if (!cli_no_args(cli, &x))
		return x.status;
	if (pass_file != NULL && pass_env != NULL)
		return cli_usage(cli, "give --pass-file or --pass-env, not both");
	if (!force && (lstat(key_out, &st) == 0 || (strcmp(out_path, "-") != 0 &&
	    lstat(out_path, &st) == 0))) {
		fprintf(stderr, "%s: %s already exists; not overwriting it (use "
		    "--force)\n", cli->prog, lstat(key_out, &st) == 0 ? key_out :
		    out_path);
		return CW_EXIT_USAGE;
	}
	if ((rc = cli_load_policy(cli, policy_path, &policy)) != CW_OK ||
	    (rc = cli_template(cli, policy, tname, &t)) != CW_OK) {
		status = cw_rc_exit_code(rc);
		goto out;
	}
	if (keyalg != NULL)
		rc = cw_keyspec_parse(keyalg, &spec, &x.err);
	else
		rc = cw_template_default_key(t, &spec, &x.err);
	if (rc == CW_OK)
		rc = read_pass(pass_file, pass_env, &pass, &x.err);
	memset(&cs, 0, sizeof(cs));
	if (rc == CW_OK)
		rc = cw_template_sig_md(t, &spec, &cs.md, &x.err);
	if (rc != CW_OK) {
		status = cli_fail(cli, &x.err);
		goto out;
	}
	/* subject: the template's fixed values, then --cn and --subject */
	for (i = 0; i < t->n_subject; i++) {
		const cw_subject_rule *r = &t->subject[i];
		bool given = r->nid == NID_commonName && cn != NULL;

		for (j = 0; j < n_user; j++)
			if (user[j].nid == r->nid)
				given = true;
		if (r->value != NULL && !given) {
			subject[n_subject].nid = r->nid;
			subject[n_subject++].value = r->value;
		}
	}
	for (j = 0; j < n_user && n_subject < CW_MAX_SUBJECT_ATTRS - 1; j++)
		subject[n_subject++] = user[j];
	if (cn != NULL) {
		subject[n_subject].nid = NID_commonName;
		subject[n_subject++].value = cn;
	}
	cs.subject = subject;
	cs.n_subject = n_subject;
	cs.dns = dns.v;
	cs.n_dns = dns.n;
	cs.ip = ip.v;
	cs.n_ip = ip.n;
	cs.uri = uri.v;
	cs.n_uri = uri.n;
	cs.email = email.v;
	cs.n_email = email.n;
	if ((rc = cw_keygen(&spec, &pkey, &x.err)) != CW_OK ||
	    (rc = cw_csr_build(pkey, &cs, &der, &der_len, &x.err)) != CW_OK ||
	    (rc = cw_csr_parse(der, der_len, &csr, &x.err)) != CW_OK ||
	    (rc = cw_policy_eval(t, csr, &v, &x.err)) != CW_OK) {
		status = cli_fail(cli, &x.err);
		goto out;
	}
	cw_keyspec_format(&spec, specbuf, sizeof(specbuf));
	if (cw_violations_any(&v)) {
		fprintf(stderr, "%s: the CSR would not be compliant with template "
		    "'%s'; nothing was written:\n", cli->prog, t->name);
		cli_print_violations(stderr, &v);
		if (x.json)
			cli_print_json(json_pack("{s:b, s:s, s:o}", "compliant",
			    0, "template", t->name, "violations",
			    cw_violations_json(&v)));
		status = CW_EXIT_NO;
		goto out;
	}
	if ((rc = cw_key_write(pkey, key_out, pass, force, &x.err)) != CW_OK) {
		status = cli_fail(cli, &x.err);
		goto out;
	}
	if ((rc = write_csr_pem(out_path, der, der_len, force, &x.err)) !=
	    CW_OK) {
		/* a key without its CSR is useless and would block a re-run */
		(void)unlink(key_out);
		status = cli_fail(cli, &x.err);
		goto out;
	}
	if (x.json) {
		json_t *o = cli_csr_json(csr);

		json_object_set_new(o, "key_file", json_string(key_out));
		json_object_set_new(o, "csr_file", json_string(out_path));
		json_object_set_new(o, "key_algorithm", json_string(specbuf));
		json_object_set_new(o, "key_encrypted", json_boolean(pass !=
		    NULL));
		json_object_set_new(o, "template", json_string(t->name));
		cli_print_json(o);
	} else if (strcmp(out_path, "-") != 0) {
		printf("wrote %s (%s key, mode 0600%s) and %s, compliant with "
		    "template '%s'\n", key_out, specbuf, pass ? ", encrypted" :
		    "", out_path, t->name);
	}
out:
	if (pass != NULL) {
		OPENSSL_cleanse(pass, strlen(pass));
		free(pass);
	}
	cw_violations_cleanup(&v);
	cw_csr_free(csr);
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	cw_policy_free(policy);
	return status;
}
