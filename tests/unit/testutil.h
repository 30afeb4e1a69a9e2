/* testutil.h - small helpers shared by the cmocka unit tests. */
#ifndef CW_TESTUTIL_H
#define CW_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Reads SOURCE_ROOT/rel into a malloc'd, NUL-terminated buffer; aborts on error. */
char *cw_test_read(const char *rel, size_t *len);

/* Absolute path of a file under the source tree (static buffer, one at a time). */
const char *cw_test_path(const char *rel);

/* Removes path and, for a directory, everything below it (a test's data
 * directory); symbolic links are removed, never followed. */
void cw_test_rm_rf(const char *path);

/*
 * A test's CA: `certward init --admin admin` in DATA below a new temporary
 * directory made from tmpl (a mkdtemp template, filled in), opened, with
 * users[i] ("name=role", NULL-terminated) added by admin and, unless
 * service is NULL, that service (owner team-SERVICE).  Writes the data
 * directory's path to datadir.  NULL on failure, after printing why.
 */
struct cw_engine *cw_test_engine(char *tmpl, char *datadir, size_t size,
    const char *const *users, const char *service);

/* Closes *e (setting it NULL) and removes the temporary directory tmpdir:
 * a cmocka group teardown's whole work.  Returns 0. */
int cw_test_engine_done(struct cw_engine **e, const char *tmpdir);

/* Adds user `name` with one role, as admin; fails the test otherwise. */
void cw_test_add_user(struct cw_engine *e, const char *name,
    const char *role);

#endif
