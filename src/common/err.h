/*
 * err.h - the one error idiom of certward.
 *
 * Every fallible function returns a cw_rc and takes a cw_err * to fill in a
 * human message naming the offending value.  The code decides the process
 * exit status (and, later, the HTTP status); the message tells the user what
 * went wrong and where.  Codes live in one X-macro table so that adding a code
 * updates every mapping at once.
 */
#ifndef CW_ERR_H
#define CW_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define CW_MUST_USE __attribute__((warn_unused_result))
#define CW_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* X(name, exit status, HTTP status, short description) */
#define CW_ERROR_TABLE(X)                                                      \
	X(CW_OK, 0, 200, "ok")                                                 \
	X(CW_ERR_NONCOMPLIANT, 1, 422, "policy says no")                       \
	X(CW_ERR_USAGE, 2, 400, "usage error")                                 \
	X(CW_ERR_INPUT, 2, 400, "invalid input")                               \
	X(CW_ERR_CONFIG, 2, 400, "invalid configuration or policy")            \
	X(CW_ERR_NOT_FOUND, 2, 404, "not found")                               \
	X(CW_ERR_EXISTS, 2, 409, "already exists")                             \
	X(CW_ERR_IO, 2, 500, "file error")                                     \
	X(CW_ERR_NOMEM, 3, 500, "out of memory")                               \
	X(CW_ERR_CRYPTO, 3, 500, "cryptographic library error")               \
	X(CW_ERR_INTERNAL, 3, 500, "internal error")

typedef enum cw_rc {
#define CW_X_ENUM(name, exit_code, http, desc) name,
	CW_ERROR_TABLE(CW_X_ENUM)
#undef CW_X_ENUM
} cw_rc;

#define CW_ERR_MSG_MAX 1024

/* Caller-owned error record; initialise with CW_ERR_INIT or cw_err_clear(). */
typedef struct cw_err {
	cw_rc rc;
	char msg[CW_ERR_MSG_MAX];
} cw_err;

#define CW_ERR_INIT {CW_OK, {0}}

void cw_err_clear(cw_err *e);

/* Records rc and a printf-style message in e (which may be NULL); returns rc. */
cw_rc cw_err_set(cw_err *e, cw_rc rc, const char *fmt, ...) CW_PRINTF(3, 4);

/* Like cw_err_set, and appends the drained OpenSSL error queue. */
cw_rc cw_err_ossl(cw_err *e, cw_rc rc, const char *fmt, ...) CW_PRINTF(3, 4);

/* Prefixes the existing message with more context ("file.pem: ..."). */
void cw_err_prefix(cw_err *e, const char *fmt, ...) CW_PRINTF(2, 3);

int cw_rc_exit_code(cw_rc rc);
int cw_rc_http_status(cw_rc rc);
const char *cw_rc_name(cw_rc rc);
const char *cw_rc_desc(cw_rc rc);

/*
 * Check macros.  They need `cw_rc rc` and a `cw_err *err` in scope and an
 * `out:` label that releases everything; they never return past cleanup.
 */
#define CW_TRY(expr)                                                           \
	do {                                                                   \
		rc = (expr);                                                   \
		if (rc != CW_OK)                                               \
			goto out;                                              \
	} while (0)

#define CW_ENSURE(cond, code, ...)                                             \
	do {                                                                   \
		if (!(cond)) {                                                 \
			rc = cw_err_set(err, (code), __VA_ARGS__);             \
			goto out;                                              \
		}                                                              \
	} while (0)

#define CW_ENSURE_OSSL(cond, ...)                                              \
	do {                                                                   \
		if (!(cond)) {                                                 \
			rc = cw_err_ossl(err, CW_ERR_CRYPTO, __VA_ARGS__);     \
			goto out;                                              \
		}                                                              \
	} while (0)

#define CW_ENSURE_MEM(p) CW_ENSURE((p) != NULL, CW_ERR_NOMEM, "out of memory")

#endif
