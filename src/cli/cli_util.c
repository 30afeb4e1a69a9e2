/* cli_util.c - helpers every command shares (see cli.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <pwd.h>
#include <unistd.h>

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cli.h"
#include "common/fileio.h"
#include "common/limits.h"
#include "common/util.h"
#include "engine/engine.h"

int
cli_fail(const cw_cli *cli, const cw_err *err)
{
	fprintf(stderr, "%s: %s\n", cli->prog, err->msg[0] ? err->msg :
	    cw_rc_desc(err->rc));
	return cw_rc_exit_code(err->rc);
}

int
cli_usage(const cw_cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun '%s --help' for usage.\n", cli->prog);
	return CW_EXIT_USAGE;
}

cw_rc
cli_load_policy(const cw_cli *cli, const char *path, cw_policy **out)
{
	cw_policy_errors *errs = NULL;
	cw_err err = CW_ERR_INIT;
	cw_rc rc;
	size_t i;

	errs = calloc(1, sizeof(*errs));
	if (errs == NULL) {
		fprintf(stderr, "%s: out of memory\n", cli->prog);
		return CW_ERR_NOMEM;
	}
	rc = cw_policy_load_file(path, out, errs, &err);
	if (rc == CW_ERR_CONFIG && errs->n > 0) {
		for (i = 0; i < errs->n; i++)
			fprintf(stderr, "%s:%d:%d: %s\n", path,
			    errs->items[i].mark.line, errs->items[i].mark.column,
			    errs->items[i].msg);
		if (errs->truncated)
			fprintf(stderr, "%s: (more errors not shown)\n", path);
		fprintf(stderr, "%s: the policy %s is invalid (%zu error%s)\n",
		    cli->prog, path, errs->n, errs->n == 1 ? "" : "s");
	} else if (rc != CW_OK) {
		(void)cli_fail(cli, &err);
	}
	free(errs);
	return rc;
}

cw_rc
cli_template(const cw_cli *cli, const cw_policy *p, const char *name,
    const cw_template **out)
{
	size_t i;

	*out = cw_policy_get0_template(p, name);
	if (*out != NULL)
		return CW_OK;
	fprintf(stderr, "%s: the policy has no template '%s'; it has:", cli->prog,
	    name);
	for (i = 0; i < p->n_templates; i++)
		fprintf(stderr, "%s %s", i ? "," : "", p->templates[i].name);
	fprintf(stderr, "\n");
	return CW_ERR_NOT_FOUND;
}

cw_rc
cli_read_csr(const cw_cli *cli, const char *path, cw_csr **out)
{
	cw_err err = CW_ERR_INIT;
	uint8_t *buf = NULL;
	size_t len = 0;
	cw_rc rc;

	rc = cw_read_file(path, CW_MAX_CSR_BYTES, &buf, &len, &err);
	if (rc == CW_OK)
		rc = cw_csr_parse(buf, len, out, &err);
	if (rc != CW_OK) {
		if (rc == CW_ERR_INPUT && strstr(err.msg, path) == NULL)
			cw_err_prefix(&err, "%s: ", path);
		(void)cli_fail(cli, &err);
	}
	free(buf);
	return rc;
}

const char *
cli_sig_name(const cw_csr *csr)
{
	const char *ln = csr->sig_nid != NID_undef ? OBJ_nid2ln(csr->sig_nid) :
	    NULL;

	return ln != NULL ? ln : csr->sig_oid;
}

/* Escaped text of untrusted bytes, for JSON (which must be valid UTF-8). */
static json_t *
safe_string(const uint8_t *b, size_t len)
{
	char *buf;
	json_t *j;
	size_t cap = len * 4 + 8;
	size_t i;

	/* valid UTF-8 without control bytes goes through as is (json_stringn
	 * refuses invalid UTF-8); anything else is shown escaped */
	for (i = 0; i < len; i++)
		if (b[i] < 0x20 || b[i] == 0x7f)
			break;
	if (i == len && (j = json_stringn((const char *)b, len)) != NULL)
		return j;
	buf = malloc(cap);
	if (buf == NULL)
		return NULL;
	cw_escape(b, len, buf, cap);
	j = json_string(buf);
	free(buf);
	return j;
}

json_t *
cli_csr_json(const cw_csr *csr)
{
	json_t *o = json_object(), *subj = json_array(), *sans = json_array();
	json_t *exts = json_array(), *key = json_object();
	char hex[65], ipbuf[64];
	const char *md = cw_md_name(csr->sig_md_nid);
	size_t i;

	if (o == NULL || subj == NULL || sans == NULL || exts == NULL ||
	    key == NULL) {
		json_decref(o);
		json_decref(subj);
		json_decref(sans);
		json_decref(exts);
		json_decref(key);
		return NULL;
	}
	json_object_set_new(o, "subject", json_string(csr->subject_text));
	for (i = 0; i < csr->n_subject; i++) {
		const cw_subject_attr *a = &csr->subject[i];
		const char *name = cw_subject_key_for_nid(a->nid);

		json_array_append_new(subj, json_pack("{s:s, s:s, s:o}",
		    "name", name != NULL ? name : a->nid != NID_undef ?
		    OBJ_nid2sn(a->nid) : a->oid, "oid", a->oid, "value",
		    json_string(a->text)));
	}
	json_object_set_new(o, "subject_fields", subj);
	for (i = 0; i < csr->n_sans; i++) {
		const cw_san *s = &csr->sans[i];
		json_t *val;

		if (s->type == CW_SAN_IP) {
			cw_ip_format(s->val, s->len, ipbuf, sizeof(ipbuf));
			val = json_string(ipbuf);
		} else if (s->type == CW_SAN_OTHER) {
			val = json_string(s->other);
		} else {
			val = safe_string(s->val, s->len);
		}
		json_array_append_new(sans, json_pack("{s:s, s:o}", "type",
		    cw_san_type_name(s->type), "value", val));
	}
	json_object_set_new(o, "sans", sans);
	json_object_set_new(key, "algorithm",
	    json_string(cw_key_type_name(csr->key.type)));
	json_object_set_new(key, "bits", json_integer(csr->key.bits));
	if (csr->key.type == CW_KEYT_EC)
		json_object_set_new(key, "curve",
		    json_string(cw_curve_name(csr->key.curve_nid)));
	json_object_set_new(key, "oid", json_string(csr->key.alg_oid));
	if (csr->key.problem != CW_KEYP_NONE)
		json_object_set_new(key, "problem",
		    json_string(csr->key.problem_msg));
	json_object_set_new(o, "key", key);
	cw_hex(csr->key.spki_sha256, sizeof(csr->key.spki_sha256), hex);
	json_object_set_new(o, "spki_sha256", json_string(hex));
	json_object_set_new(o, "signature_algorithm",
	    json_string(cli_sig_name(csr)));
	json_object_set_new(o, "signature_hash", md != NULL ? json_string(md) :
	    json_null());
	for (i = 0; i < csr->n_exts; i++) {
		const cw_req_ext *e = &csr->exts[i];

		json_array_append_new(exts, json_pack("{s:s, s:s, s:b}", "oid",
		    e->oid, "name", e->nid != NID_undef ? OBJ_nid2ln(e->nid) :
		    "unknown", "critical", e->critical));
	}
	json_object_set_new(o, "extensions", exts);
	json_object_set_new(o, "pop", json_boolean(csr->pop_ok));
	if (!csr->pop_ok)
		json_object_set_new(o, "pop_error", json_string(csr->pop_msg));
	return o;
}

void
cli_print_json(json_t *j)
{
	char *s;

	if (j == NULL) {
		fprintf(stderr, "certward: out of memory\n");
		return;
	}
	s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s != NULL) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	json_decref(j);
}

void
cli_json_array_item(size_t *n, const json_t *j)
{
	char *s, *p;

	s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s == NULL) {
		fprintf(stderr, "certward: out of memory\n");
		return;
	}
	fputs(*n == 0 ? "[\n  " : ",\n  ", stdout);
	/* nest the element one level: JSON strings hold no raw newline, so
	 * every newline in the text starts a line of the element */
	for (p = s; *p != '\0'; p++) {
		fputc(*p, stdout);
		if (*p == '\n')
			fputs("  ", stdout);
	}
	free(s);
	(*n)++;
}

void
cli_json_array_end(size_t n)
{
	fputs(n == 0 ? "[]\n" : "\n]\n", stdout);
}

void
cli_print_violations(FILE *f, const cw_violations *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		fprintf(f, "  [%s] %s\n", v->items[i].rule, v->items[i].msg);
	if (v->truncated || v->oom)
		fprintf(f, "  [internal.incomplete] more violations than could "
		    "be listed\n");
}

int
cli_open_engine(const cw_cli *cli, struct cw_engine **e)
{
	cw_err err = CW_ERR_INIT;

	if (cw_engine_open(cli->data_dir, e, &err) != CW_OK)
		return cli_fail(cli, &err);
	return CW_EXIT_OK;
}

void
cli_actor(struct cw_actor *a, const char *as, const char *origin)
{
	struct passwd *pw;

	memset(a, 0, sizeof(*a));
	a->name = as;
	if (a->name == NULL) {
		pw = getpwuid(getuid());
		a->name = pw != NULL ? pw->pw_name : getenv("USER");
	}
	a->origin = origin != NULL ? origin : "human";
	a->channel = "cli";
}

int
cli_print_cert_summary(const char *pem, bool json)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *c = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	char subj[512], iss[512], nb[64], na[64], fp[65];
	unsigned char md[32];
	unsigned int n = 0;
	BIO *t;
	int st = CW_EXIT_OK;

	if (c == NULL) {
		BIO_free(b);
		return CW_EXIT_INTERNAL;
	}
	X509_NAME_oneline(X509_get_subject_name(c), subj, sizeof(subj));
	X509_NAME_oneline(X509_get_issuer_name(c), iss, sizeof(iss));
	X509_digest(c, EVP_sha256(), md, &n);
	cw_hex(md, 32, fp);
	nb[0] = na[0] = '\0';
	t = BIO_new(BIO_s_mem());
	if (t != NULL) {
		int k;

		ASN1_TIME_print(t, X509_get0_notBefore(c));
		k = BIO_read(t, nb, sizeof(nb) - 1);
		nb[k > 0 ? k : 0] = '\0';
		ASN1_TIME_print(t, X509_get0_notAfter(c));
		k = BIO_read(t, na, sizeof(na) - 1);
		na[k > 0 ? k : 0] = '\0';
	}
	BIO_free(t);
	if (json)
		cli_print_json(json_pack("{s:s, s:s, s:s, s:s, s:s}", "subject",
		    subj, "issuer", iss, "not_before", nb, "not_after", na,
		    "sha256", fp));
	else
		printf("subject     %s\nissuer      %s\nnot before  %s\n"
		    "not after   %s\nsha256      %s\n", subj, iss, nb, na, fp);
	X509_free(c);
	BIO_free(b);
	return st;
}
