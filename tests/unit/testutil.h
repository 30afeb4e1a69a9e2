/* testutil.h - small helpers shared by the cmocka unit tests. */
#ifndef CW_TESTUTIL_H
#define CW_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Reads SOURCE_ROOT/rel into a malloc'd, NUL-terminated buffer; aborts on error. */
char *cw_test_read(const char *rel, size_t *len);

/* Absolute path of a file under the source tree (static buffer, one at a time). */
const char *cw_test_path(const char *rel);

#endif
