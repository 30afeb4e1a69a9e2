/* testutil.c - see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#ifndef CW_SOURCE_ROOT
#define CW_SOURCE_ROOT "."
#endif

const char *
cw_test_path(const char *rel)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", CW_SOURCE_ROOT, rel);
	return buf;
}

char *
cw_test_read(const char *rel, size_t *len)
{
	FILE *f = fopen(cw_test_path(rel), "rb");
	char *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", cw_test_path(rel));
		abort();
	}
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}
