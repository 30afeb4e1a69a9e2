/* cmd_policy.c - `certward policy lint`: load a policy, report every error
 * with its position, and summarise what each template allows. */
#include <string.h>

#include <openssl/objects.h>

#include "cli.h"
#include "common/util.h"
#include "x509/key_info.h"

static json_t *
str_list(char *const *items, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	return a;
}

static json_t *
template_json(const cw_template *t)
{
	json_t *o = json_object(), *keys = json_object(), *a, *subj, *san;
	char buf[96], ip[64];
	uint32_t bit;
	size_t i;

	if (t->rsa.allowed)
		json_object_set_new(keys, "rsa", json_pack("{s:i, s:i, s:I}",
		    "min_bits", t->rsa.min_bits, "max_bits", t->rsa.max_bits,
		    "exponent", (json_int_t)t->rsa.exponent));
	if (t->rsa_pss.allowed)
		json_object_set_new(keys, "rsa_pss", json_pack("{s:i, s:i, s:I}",
		    "min_bits", t->rsa_pss.min_bits, "max_bits",
		    t->rsa_pss.max_bits, "exponent",
		    (json_int_t)t->rsa_pss.exponent));
	if (t->ec.allowed) {
		a = json_array();
		for (i = 0; i < t->ec.n_curves; i++)
			json_array_append_new(a,
			    json_string(cw_curve_name(t->ec.curves[i])));
		json_object_set_new(keys, "ec", json_pack("{s:o}", "curves", a));
	}
	json_object_set_new(keys, "ed25519", json_boolean(t->ed25519));
	json_object_set_new(keys, "ed448", json_boolean(t->ed448));
	json_object_set_new(o, "name", json_string(t->name));
	if (t->description != NULL)
		json_object_set_new(o, "description",
		    json_string(t->description));
	json_object_set_new(o, "key", keys);
	a = json_array();
	for (bit = 1; bit != 0; bit <<= 1)
		if ((t->sig_hashes & bit) && cw_hash_name(bit) != NULL)
			json_array_append_new(a, json_string(cw_hash_name(bit)));
	json_object_set_new(o, "signature_hashes", a);
	subj = json_object();
	for (i = 0; i < t->n_subject; i++) {
		const cw_subject_rule *r = &t->subject[i];
		json_t *ro = json_pack("{s:b}", "required", r->required);

		if (r->value != NULL)
			json_object_set_new(ro, "value", json_string(r->value));
		if (r->pattern != NULL)
			json_object_set_new(ro, "pattern",
			    json_string(r->pattern));
		if (r->in_san)
			json_object_set_new(ro, "in_san", json_true());
		json_object_set_new(subj, r->key, ro);
	}
	json_object_set_new(subj, "other_fields",
	    json_string(t->other_fields_allow ? "allow" : "deny"));
	json_object_set_new(o, "subject", subj);
	san = json_pack("{s:b, s:b}", "required", t->san.required,
	    "wildcards", t->san.wildcards);
	if (t->san.max >= 0)
		json_object_set_new(san, "max", json_integer(t->san.max));
	json_object_set_new(san, "dns", str_list(t->san.dns.items,
	    t->san.dns.n));
	a = json_array();
	for (i = 0; i < t->san.n_ip; i++) {
		cw_ip_format(t->san.ip[i].addr, t->san.ip[i].family == 4 ? 4 : 16,
		    ip, sizeof(ip));
		snprintf(buf, sizeof(buf), "%s/%d", ip, t->san.ip[i].prefix);
		json_array_append_new(a, json_string(buf));
	}
	json_object_set_new(san, "ip", a);
	json_object_set_new(san, "uri", str_list(t->san.uri.items,
	    t->san.uri.n));
	json_object_set_new(san, "email", str_list(t->san.email.items,
	    t->san.email.n));
	json_object_set_new(o, "san", san);
	a = json_array();
	for (bit = 1; bit != 0; bit <<= 1)
		if ((t->key_usage & bit) && cw_ku_name(bit) != NULL)
			json_array_append_new(a, json_string(cw_ku_name(bit)));
	json_object_set_new(o, "key_usage", a);
	a = json_array();
	for (i = 0; i < t->n_eku; i++)
		json_array_append_new(a, json_string(OBJ_nid2sn(t->eku[i])));
	json_object_set_new(o, "extended_key_usage", a);
	cw_format_duration(t->validity_default, buf, sizeof(buf));
	json_object_set_new(o, "validity", json_pack("{s:s}", "default", buf));
	cw_format_duration(t->validity_max, buf, sizeof(buf));
	json_object_set_new(json_object_get(o, "validity"), "max",
	    json_string(buf));
	json_object_set_new(o, "renew_at_percent",
	    json_integer(t->renew_at_pct));
	json_object_set_new(o, "approval", json_pack("{s:i, s:o}", "required",
	    t->approvals_required, "roles", str_list(t->approval_roles,
	    t->n_approval_roles)));
	a = json_pack("{s:b}", "required", t->owner_required);
	if (t->owner_max_age > 0) {
		cw_format_duration(t->owner_max_age, buf, sizeof(buf));
		json_object_set_new(a, "max_age", json_string(buf));
	}
	json_object_set_new(o, "owner", a);
	json_object_set_new(o, "key_reuse",
	    json_string(t->key_reuse_allow ? "allow" : "deny"));
	return o;
}

static void
print_list(const char *label, char *const *items, size_t n)
{
	size_t i;

	printf("    %-10s", label);
	if (n == 0)
		printf(" none");
	for (i = 0; i < n; i++)
		printf("%s %s", i ? "," : "", items[i]);
	printf("\n");
}

static void
template_print(const cw_template *t)
{
	char a[32], b[32], ip[64];
	uint32_t bit;
	size_t i;
	bool first;

	printf("\n%s%s%s\n", t->name, t->description ? " - " : "",
	    t->description ? t->description : "");
	printf("  keys:       ");
	first = true;
	if (t->rsa.allowed) {
		printf("rsa %d-%d bits (e=%lu)", t->rsa.min_bits,
		    t->rsa.max_bits, t->rsa.exponent);
		first = false;
	}
	if (t->rsa_pss.allowed) {
		printf("%srsa-pss %d-%d bits", first ? "" : ", ",
		    t->rsa_pss.min_bits, t->rsa_pss.max_bits);
		first = false;
	}
	if (t->ec.allowed) {
		printf("%sec", first ? "" : ", ");
		for (i = 0; i < t->ec.n_curves; i++)
			printf("%s%s", i ? "/" : " ",
			    cw_curve_name(t->ec.curves[i]));
		first = false;
	}
	if (t->ed25519) {
		printf("%sed25519", first ? "" : ", ");
		first = false;
	}
	if (t->ed448)
		printf("%sed448", first ? "" : ", ");
	printf("\n  hashes:     ");
	first = true;
	for (bit = 1; bit != 0; bit <<= 1)
		if ((t->sig_hashes & bit) && cw_hash_name(bit) != NULL) {
			printf("%s%s", first ? "" : ", ", cw_hash_name(bit));
			first = false;
		}
	printf("\n  subject:    ");
	for (i = 0; i < t->n_subject; i++) {
		const cw_subject_rule *r = &t->subject[i];

		printf("%s%s (%s", i ? "; " : "", r->key, r->required ?
		    "required" : "optional");
		if (r->value)
			printf(", = \"%s\"", r->value);
		if (r->pattern)
			printf(", like \"%s\"", r->pattern);
		if (r->in_san)
			printf(", must be a SAN");
		printf(")");
	}
	printf("%sother fields %s\n", t->n_subject ? "; " : "",
	    t->other_fields_allow ? "allowed" : "denied");
	printf("  san:        %s", t->san.required ? "required" : "optional");
	if (t->san.max >= 0)
		printf(", at most %d", t->san.max);
	printf(", wildcards %s\n", t->san.wildcards ? "allowed" : "denied");
	print_list("dns:", t->san.dns.items, t->san.dns.n);
	printf("    %-10s", "ip:");
	if (t->san.n_ip == 0)
		printf(" none");
	for (i = 0; i < t->san.n_ip; i++) {
		cw_ip_format(t->san.ip[i].addr, t->san.ip[i].family == 4 ? 4 : 16,
		    ip, sizeof(ip));
		printf("%s %s/%d", i ? "," : "", ip, t->san.ip[i].prefix);
	}
	printf("\n");
	print_list("uri:", t->san.uri.items, t->san.uri.n);
	print_list("email:", t->san.email.items, t->san.email.n);
	printf("  usage:      ");
	first = true;
	for (bit = 1; bit != 0; bit <<= 1)
		if ((t->key_usage & bit) && cw_ku_name(bit) != NULL) {
			printf("%s%s", first ? "" : ", ", cw_ku_name(bit));
			first = false;
		}
	printf("; eku ");
	for (i = 0; i < t->n_eku; i++)
		printf("%s%s", i ? ", " : "", OBJ_nid2sn(t->eku[i]));
	cw_format_duration(t->validity_default, a, sizeof(a));
	cw_format_duration(t->validity_max, b, sizeof(b));
	printf("\n  validity:   %s (at most %s), renewal due at %d%%\n", a, b,
	    t->renew_at_pct);
	if (t->approvals_required == 0) {
		printf("  approval:   automatic for compliant requests\n");
	} else {
		printf("  approval:   %d distinct approver%s holding:",
		    t->approvals_required, t->approvals_required == 1 ? "" : "s");
		for (i = 0; i < t->n_approval_roles; i++)
			printf("%s %s", i ? "," : "", t->approval_roles[i]);
		printf(" (never the requester)\n");
	}
	if (t->owner_required) {
		cw_format_duration(t->owner_max_age, a, sizeof(a));
		printf("  owner:      required, attested within %s\n", a);
	} else {
		printf("  owner:      not required\n");
	}
	printf("  key reuse:  %s\n", t->key_reuse_allow ? "allowed" :
	    "denied (a key already in the inventory is refused)");
}

int
cw_cmd_policy_lint(cw_cli *cli, int argc, char **argv)
{
	static const cli_opt opts[] = {
		CLI_JSON_OPT, CLI_HELP_OPT, CLI_END_OPT,
	};
	cli_ctx x = CLI_CTX_INIT("policy", "lint");
	cw_policy *p = NULL;
	const char *path;
	json_t *arr;
	size_t i;
	cw_rc rc;

	if (cli_parse(cli, argc, argv, opts, &x) < 0 ||
	    !cli_one_arg(cli, &x, "give exactly one policy file"))
		return x.status;
	path = x.argv[0];
	if ((rc = cli_load_policy(cli, path, &p)) != CW_OK)
		return cw_rc_exit_code(rc);
	if (x.json) {
		arr = json_array();
		for (i = 0; i < p->n_templates; i++)
			json_array_append_new(arr, template_json(&p->templates[i]));
		cli_print_json(json_pack("{s:b, s:s, s:i, s:o}", "valid", 1,
		    "path", path, "version", p->version, "templates",
		    arr));
	} else {
		printf("%s: valid policy, version %d, %zu template%s\n",
		    path, p->version, p->n_templates,
		    p->n_templates == 1 ? "" : "s");
		for (i = 0; i < p->n_templates; i++)
			template_print(&p->templates[i]);
	}
	cw_policy_free(p);
	return CW_EXIT_OK;
}
