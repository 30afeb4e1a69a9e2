/*
 * verdict.h - a list of rule violations, each a stable rule id and a message
 * naming the offending value and what the template allows.
 */
#ifndef CW_VERDICT_H
#define CW_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/err.h"

#define CW_RULE_MAX 48
#define CW_VIOLATION_MSG_MAX 512

typedef struct cw_violation {
	char rule[CW_RULE_MAX];           /* "san.dns" */
	char msg[CW_VIOLATION_MSG_MAX];
} cw_violation;

typedef struct cw_violations {
	cw_violation *items;
	size_t n;
	size_t cap;
	bool truncated; /* more than CW_MAX_VIOLATIONS were found */
	bool oom;       /* an allocation failed: the list is incomplete */
} cw_violations;

void cw_violations_init(cw_violations *v);
void cw_violations_cleanup(cw_violations *v);

/*
 * Appends a violation.  Never fails from the caller's point of view: on
 * overflow or allocation failure the list is marked truncated/oom, which
 * callers must treat as non-compliant (fail closed).
 */
void cw_violations_add(cw_violations *v, const char *rule, const char *fmt,
    ...) CW_PRINTF(3, 4);

/* Copies every entry of src onto the end of dst. */
void cw_violations_extend(cw_violations *dst, const cw_violations *src);

/* True when anything was found or the list could not be completed. */
bool cw_violations_any(const cw_violations *v);

bool cw_violations_has(const cw_violations *v, const char *rule);

#endif
