/* verdict.c - see verdict.h. */
#include "verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/limits.h"

void
cw_violations_init(cw_violations *v)
{
	memset(v, 0, sizeof(*v));
}

void
cw_violations_cleanup(cw_violations *v)
{
	if (v == NULL)
		return;
	free(v->items);
	memset(v, 0, sizeof(*v));
}

static cw_violation *
slot(cw_violations *v)
{
	cw_violation *n;
	size_t ncap;

	if (v->n >= CW_MAX_VIOLATIONS) {
		v->truncated = true;
		return NULL;
	}
	if (v->n == v->cap) {
		ncap = v->cap == 0 ? 8 : v->cap * 2;
		if (ncap > CW_MAX_VIOLATIONS)
			ncap = CW_MAX_VIOLATIONS;
		n = realloc(v->items, ncap * sizeof(*n));
		if (n == NULL) {
			v->oom = true;
			return NULL;
		}
		v->items = n;
		v->cap = ncap;
	}
	return &v->items[v->n++];
}

void
cw_violations_add(cw_violations *v, const char *rule, const char *fmt, ...)
{
	cw_violation *s = slot(v);
	va_list ap;

	if (s == NULL)
		return;
	snprintf(s->rule, sizeof(s->rule), "%s", rule);
	va_start(ap, fmt);
	if (vsnprintf(s->msg, sizeof(s->msg), fmt, ap) < 0)
		s->msg[0] = '\0';
	va_end(ap);
}

void
cw_violations_extend(cw_violations *dst, const cw_violations *src)
{
	size_t i;
	cw_violation *s;

	for (i = 0; i < src->n; i++) {
		if ((s = slot(dst)) == NULL)
			return;
		*s = src->items[i];
	}
	dst->truncated |= src->truncated;
	dst->oom |= src->oom;
}

bool
cw_violations_any(const cw_violations *v)
{
	return v->n > 0 || v->truncated || v->oom;
}

bool
cw_violations_has(const cw_violations *v, const char *rule)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->items[i].rule, rule) == 0)
			return true;
	return false;
}
