/*
 * fuzz_csr.c - libFuzzer target: CSR parsing and the full policy evaluation
 * against every template of the example policy, the path every request from
 * the network takes.  Inputs that crash become files in tests/data/fuzz/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy/policy.h"
#include "policy/policy_eval.h"
#include "x509/csr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static cw_policy *policy;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	cw_policy_errors errs;
	cw_err err = CW_ERR_INIT;
	const char *path = getenv("CW_FUZZ_POLICY");

	(void)argc;
	(void)argv;
	if (path == NULL)
		path = "tests/data/policy/example.yaml";
	if (cw_policy_load_file(path, &policy, &errs, &err) != CW_OK) {
		fprintf(stderr, "fuzz_csr: %s (set CW_FUZZ_POLICY)\n", err.msg);
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cw_csr *csr = NULL;
	cw_err err = CW_ERR_INIT;
	cw_violations v;
	size_t i;

	if (cw_csr_parse(data, size, &csr, &err) != CW_OK)
		return 0;
	for (i = 0; i < policy->n_templates; i++) {
		cw_violations_init(&v);
		if (cw_policy_eval(&policy->templates[i], csr, &v, &err) != CW_OK)
			abort();
		cw_violations_cleanup(&v);
	}
	cw_csr_free(csr);
	return 0;
}
