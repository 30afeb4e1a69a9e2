/*
 * counts.c - the inventory figures of /metrics (issue 4 item 6): counts
 * the store computes in SQL, on the engine's clock, so that a scrape costs
 * an index scan rather than a listing of every certificate.
 */
#include "engine_int.h"

cw_rc
cw_cert_counts(cw_engine *e, bool (*fn)(const char *status,
    const char *template_name, int64_t n, void *arg), void *arg, cw_err *err)
{
	return cw_store_cert_count_each(e->store, cw_engine_now(e), fn, arg,
	    err);
}

cw_rc
cw_cert_count_expiring(cw_engine *e, int64_t within, int64_t *n, cw_err *err)
{
	return cw_store_cert_count_expiring(e->store, cw_engine_now(e), within,
	    n, err);
}

cw_rc
cw_request_counts(cw_engine *e, bool (*fn)(const char *state, int64_t n,
    void *arg), void *arg, cw_err *err)
{
	return cw_store_request_count_each(e->store, fn, arg, err);
}
