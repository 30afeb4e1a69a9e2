/* err.c - error records and the code tables (see err.h). */
#include "err.h"

#include <openssl/err.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int exit_code;
	int http;
	const char *desc;
} cw_err_table[] = {
#define CW_X_ROW(name, exit_code, http, desc) {#name, exit_code, http, desc},
	CW_ERROR_TABLE(CW_X_ROW)
#undef CW_X_ROW
};

#define CW_N_CODES (sizeof(cw_err_table) / sizeof(cw_err_table[0]))

void
cw_err_clear(cw_err *e)
{
	if (e == NULL)
		return;
	e->rc = CW_OK;
	e->msg[0] = '\0';
}

static void cw_err_vset(cw_err *e, cw_rc rc, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
cw_err_vset(cw_err *e, cw_rc rc, const char *fmt, va_list ap)
{
	e->rc = rc;
	if (vsnprintf(e->msg, sizeof(e->msg), fmt, ap) < 0)
		e->msg[0] = '\0';
}

cw_rc
cw_err_set(cw_err *e, cw_rc rc, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return rc;
	va_start(ap, fmt);
	cw_err_vset(e, rc, fmt, ap);
	va_end(ap);
	return rc;
}

cw_rc
cw_err_ossl(cw_err *e, cw_rc rc, const char *fmt, ...)
{
	va_list ap;
	unsigned long code;
	size_t used;
	char buf[256];

	if (e == NULL) {
		ERR_clear_error();
		return rc;
	}
	va_start(ap, fmt);
	cw_err_vset(e, rc, fmt, ap);
	va_end(ap);
	while ((code = ERR_get_error()) != 0) {
		ERR_error_string_n(code, buf, sizeof(buf));
		used = strlen(e->msg);
		if (used + 3 < sizeof(e->msg))
			snprintf(e->msg + used, sizeof(e->msg) - used, " (%s)", buf);
	}
	return rc;
}

void
cw_err_prefix(cw_err *e, const char *fmt, ...)
{
	char prefix[CW_ERR_MSG_MAX];
	char old[CW_ERR_MSG_MAX];
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	if (vsnprintf(prefix, sizeof(prefix), fmt, ap) < 0)
		prefix[0] = '\0';
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	if (snprintf(e->msg, sizeof(e->msg), "%s%s", prefix, old) < 0)
		e->msg[0] = '\0';
}

int
cw_rc_exit_code(cw_rc rc)
{
	return (size_t)rc < CW_N_CODES ? cw_err_table[rc].exit_code : 3;
}

int
cw_rc_http_status(cw_rc rc)
{
	return (size_t)rc < CW_N_CODES ? cw_err_table[rc].http : 500;
}

const char *
cw_rc_name(cw_rc rc)
{
	return (size_t)rc < CW_N_CODES ? cw_err_table[rc].name : "CW_ERR_?";
}

const char *
cw_rc_desc(cw_rc rc)
{
	return (size_t)rc < CW_N_CODES ? cw_err_table[rc].desc : "unknown error";
}
