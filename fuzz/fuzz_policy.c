/*
 * fuzz_policy.c - libFuzzer target: the policy YAML loader, which reads
 * files an operator (or an attacker with write access to a config repo)
 * controls.  Every error path must free what it built.
 */
#include <stdint.h>
#include <stdlib.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cw_policy_errors errs;
	cw_policy *p = NULL;
	cw_err err = CW_ERR_INIT;

	if (cw_policy_load_mem("fuzz.yaml", (const char *)data, size, &p, &errs,
	    &err) == CW_OK)
		cw_policy_free(p);
	return 0;
}
