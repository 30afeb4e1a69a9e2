/*
 * metrics.c - /metrics (Prometheus text format 0.0.4), the OpenAPI
 * document, and the limit on failed sign-ins.
 *
 * Workers are separate processes (server.c), so what they count lives in
 * one anonymous MAP_SHARED mapping made by the supervisor before it forks:
 * every worker adds to the same counters with atomic operations and any
 * worker's /metrics shows the whole server.  The counters start at zero
 * when the server starts (Prometheus counter resets are expected).
 * Inventory figures (certificates, requests) are not counted here: they
 * are counted by the database at scrape time (aggregate queries over its
 * indexes, never a listing), so they are right whichever process or CLI
 * changed the state.
 *
 * The sign-in failure table sits in the same mapping under a robust
 * process-shared mutex: a worker that dies holding it does not wedge the
 * others.  If the mapping cannot be made, each worker keeps its own copy
 * (heap memory inherited at fork): the limit is then per worker.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "../common/util.h"
#include "http.h"
#include "openapi_json.h"

#define MAX_ROUTES 64   /* route table entries we keep counters for */
#define PEER_SLOTS 256  /* sources tracked for failed sign-ins */

/* Status codes counted one by one; anything else is "other". */
static const int codes[] = {200, 201, 204, 400, 401, 403, 404, 405, 409,
    413, 415, 422, 429, 500, 503};
#define N_CODES (sizeof(codes) / sizeof(codes[0]))

/* Histogram bounds, seconds (upper bounds, "le"); +Inf is the count. */
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define N_BOUNDS (sizeof(bounds) / sizeof(bounds[0]))

typedef struct histo {
	uint64_t bucket[N_BOUNDS]; /* not cumulative: rendered cumulatively */
	uint64_t count;
	uint64_t sum_us;
} histo;

typedef struct route_stats {
	uint64_t by_code[N_CODES + 1]; /* last: other codes */
	histo duration;
} route_stats;

typedef struct peer_slot {
	char addr[CW_HTTP_PEER_MAX];
	int64_t window; /* start of the current window (unix seconds) */
	uint32_t failures;
} peer_slot;

/* The OCSP response caches of all workers (ocsp_cache.h), added up. */
typedef struct ocsp_counts {
	uint64_t hits;
	uint64_t misses;
	uint64_t stale;
	uint64_t expired;
	uint64_t evictions;
	uint64_t refused;
} ocsp_counts;

typedef struct shared {
	route_stats routes[MAX_ROUTES + 1]; /* last: no route matched */
	histo issuance;
	uint64_t auth_failures;
	uint64_t auth_limited;
	ocsp_counts ocsp;
	pthread_mutex_t lock; /* guards peers */
	peer_slot peers[PEER_SLOTS];
} shared;

static shared *sh;
static bool sh_mapped;
/* what this process's OCSP cache had counted when last added to sh */
static const cw_ocsp_cache *ocsp_cache_seen;
static cw_ocsp_cache_stats ocsp_seen;

/* --- set-up ---------------------------------------------------------------- */

cw_rc
cw_metrics_setup(cw_err *err)
{
	cw_rc rc = CW_OK;
	pthread_mutexattr_t ma;
	void *m;
	bool attr = false;

	CW_ENSURE(cw_http_route_count() <= MAX_ROUTES, CW_ERR_INTERNAL,
	    "the route table outgrew the metrics (%d routes)", MAX_ROUTES);
	m = mmap(NULL, sizeof(shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		/* per-worker counters are better than none */
		m = calloc(1, sizeof(shared));
		CW_ENSURE_MEM(m);
		sh = m;
		cw_err_set(err, CW_ERR_IO, "mmap: %s (counting per worker)",
		    strerror(errno));
	} else {
		sh = m;
		sh_mapped = true;
	}
	CW_ENSURE(pthread_mutexattr_init(&ma) == 0, CW_ERR_INTERNAL,
	    "mutex attributes");
	attr = true;
	CW_ENSURE(pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED) ==
	    0 && pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST) == 0 &&
	    pthread_mutex_init(&sh->lock, &ma) == 0, CW_ERR_INTERNAL,
	    "cannot make the shared mutex");
	if (!sh_mapped)
		rc = err->rc;
out:
	if (attr)
		pthread_mutexattr_destroy(&ma);
	if (rc != CW_OK && sh_mapped) {
		munmap(sh, sizeof(shared));
		sh = NULL;
		sh_mapped = false;
	}
	return rc;
}

void
cw_metrics_teardown(void)
{
	if (sh == NULL)
		return;
	if (sh_mapped)
		munmap(sh, sizeof(shared));
	else
		free(sh);
	sh = NULL;
	sh_mapped = false;
}

/* --- counting -------------------------------------------------------------- */

static void
add(uint64_t *c, uint64_t n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

static uint64_t
load(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static void
histo_observe(histo *h, int64_t usec)
{
	size_t i;

	if (usec < 0)
		usec = 0;
	for (i = 0; i < N_BOUNDS; i++)
		if ((double)usec <= bounds[i] * 1e6) {
			add(&h->bucket[i], 1);
			break;
		}
	add(&h->count, 1);
	add(&h->sum_us, (uint64_t)usec);
}

/* Did this answer issue a certificate?  Its body says so. */
static bool
issued(const cw_http_route *route, int status, const cw_http_resp *resp)
{
	json_t *j;
	const char *st;
	bool yes;

	if (!((route->handler == cw_api_submit && status == 201) ||
	    (route->handler == cw_api_request_approve && status == 200)) ||
	    resp->body == NULL || resp->body_len == 0)
		return false;
	j = json_loadb((const char *)resp->body, resp->body_len, 0, NULL);
	st = json_string_value(json_object_get(j, "state"));
	yes = st != NULL && strcmp(st, "issued") == 0;
	json_decref(j);
	return yes;
}

void
cw_metrics_observe(const cw_http_route *route, int status, int64_t usec,
    const cw_http_resp *resp)
{
	route_stats *rs;
	size_t i, k = N_CODES;

	if (sh == NULL)
		return;
	rs = &sh->routes[route != NULL ? cw_http_route_index(route) :
	    MAX_ROUTES];
	for (i = 0; i < N_CODES; i++)
		if (codes[i] == status) {
			k = i;
			break;
		}
	add(&rs->by_code[k], 1);
	histo_observe(&rs->duration, usec);
	if (status == 429)
		add(&sh->auth_limited, 1);
	if (route != NULL && issued(route, status, resp))
		histo_observe(&sh->issuance, usec);
}

/* Adds the growth of a local counter since it was last seen. */
static void
add_grown(uint64_t *c, uint64_t now, uint64_t before)
{
	/* most answers move one counter: no shared write for the others */
	if (now > before)
		add(c, now - before);
}

void
cw_metrics_ocsp_cache(const cw_ocsp_cache *c)
{
	cw_ocsp_cache_stats s;

	if (sh == NULL || c == NULL)
		return;
	/* the counters of another cache start again from zero */
	if (c != ocsp_cache_seen) {
		memset(&ocsp_seen, 0, sizeof(ocsp_seen));
		ocsp_cache_seen = c;
	}
	cw_ocsp_cache_get_stats(c, &s);
	add_grown(&sh->ocsp.hits, s.hits, ocsp_seen.hits);
	add_grown(&sh->ocsp.misses, s.misses, ocsp_seen.misses);
	add_grown(&sh->ocsp.stale, s.stale, ocsp_seen.stale);
	add_grown(&sh->ocsp.expired, s.expired, ocsp_seen.expired);
	add_grown(&sh->ocsp.evictions, s.evictions, ocsp_seen.evictions);
	add_grown(&sh->ocsp.refused, s.refused, ocsp_seen.refused);
	ocsp_seen = s;
}

/* --- failed sign-ins ------------------------------------------------------- */

static bool
lock(void)
{
	int r = pthread_mutex_lock(&sh->lock);

	/* the holder died: the table is only counters, take it as is */
	if (r == EOWNERDEAD)
		r = pthread_mutex_consistent(&sh->lock);
	return r == 0;
}

/*
 * The slot of `peer` (created, evicting the stalest, when absent).
 * Called with the lock held.
 */
static peer_slot *
peer_slot_of(const char *peer, int64_t now)
{
	peer_slot *p, *free_slot = NULL, *oldest = NULL;
	size_t i;

	for (i = 0; i < PEER_SLOTS; i++) {
		p = &sh->peers[i];
		if (p->addr[0] != '\0' && strcmp(p->addr, peer) == 0)
			return p;
		if (free_slot == NULL && (p->addr[0] == '\0' ||
		    now - p->window >= CW_HTTP_AUTH_FAIL_WINDOW))
			free_slot = p;
		if (oldest == NULL || p->window < oldest->window)
			oldest = p;
	}
	p = free_slot != NULL ? free_slot : oldest;
	snprintf(p->addr, sizeof(p->addr), "%s", peer);
	p->window = now;
	p->failures = 0;
	return p;
}

bool
cw_http_auth_limited(const char *peer)
{
	int64_t now = (int64_t)time(NULL);
	bool limited = false;
	size_t i;

	if (sh == NULL || peer[0] == '\0' || !lock())
		return false;
	for (i = 0; i < PEER_SLOTS; i++) {
		const peer_slot *p = &sh->peers[i];

		if (p->addr[0] != '\0' && strcmp(p->addr, peer) == 0) {
			limited = now - p->window < CW_HTTP_AUTH_FAIL_WINDOW &&
			    p->failures >= CW_HTTP_AUTH_FAIL_LIMIT;
			break;
		}
	}
	pthread_mutex_unlock(&sh->lock);
	return limited;
}

void
cw_http_auth_failed(cw_http_ctx *ctx, const char *peer, const char *cause)
{
	static const cw_actor anon = {"anonymous", "automation", "rest"};
	cw_err err = CW_ERR_INIT;
	int64_t now = (int64_t)time(NULL);
	uint32_t n = 0;
	peer_slot *p;
	json_t *det;

	if (sh != NULL) {
		add(&sh->auth_failures, 1);
		if (peer[0] != '\0' && lock()) {
			p = peer_slot_of(peer, now);
			if (now - p->window >= CW_HTTP_AUTH_FAIL_WINDOW) {
				p->window = now;
				p->failures = 0;
			}
			n = ++p->failures;
			pthread_mutex_unlock(&sh->lock);
		}
	}
	/* past the limit nothing new is learnt; a flood of failures must
	 * not fill the audit log */
	if (n > CW_HTTP_AUTH_FAIL_LIMIT)
		return;
	det = json_pack("{s:s, s:s, s:i, s:b}", "source", peer[0] != '\0' ?
	    peer : "unknown", "cause", cause, "failures", (int)n, "limited",
	    n >= CW_HTTP_AUTH_FAIL_LIMIT);
	/* in a transaction of its own, serialised with every other writer */
	if (det == NULL || cw_engine_audit_event(ctx->engine, &anon, "auth.fail",
	    "auth", det, &err) != CW_OK)
		fprintf(stderr, "certward serve: auth.fail not audited: %s\n",
		    det == NULL ? "out of memory" : err.msg);
	json_decref(det);
}

/* --- rendering ------------------------------------------------------------- */

typedef struct buf {
	char *p;
	size_t len, cap;
	bool oom;
} buf;

static void put(buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	size_t need, cap;
	char *np;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p != NULL ? b->p + b->len : NULL, b->p != NULL ?
	    b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (b->p != NULL && (size_t)n < b->cap - b->len) {
		b->len += (size_t)n;
		return;
	}
	need = b->len + (size_t)n + 1;
	cap = b->cap > 0 ? b->cap : 8192;
	while (cap < need)
		cap *= 2;
	if ((np = realloc(b->p, cap)) == NULL) {
		b->oom = true;
		return;
	}
	b->p = np;
	b->cap = cap;
	va_start(ap, fmt);
	(void)vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * A label value as the exposition format wants it: backslash, double
 * quote and line feed escaped.  Longer values are cut (they come from
 * the policy and the route table, both ours).
 */
static const char *
label(const char *v, char *out, size_t len)
{
	size_t i = 0;

	for (; v != NULL && *v != '\0' && i + 3 < len; v++) {
		if (*v == '\\' || *v == '"') {
			out[i++] = '\\';
			out[i++] = *v;
		} else if (*v == '\n') {
			out[i++] = '\\';
			out[i++] = 'n';
		} else {
			out[i++] = *v;
		}
	}
	out[i] = '\0';
	return out;
}

static void
put_histo(buf *b, const char *name, const char *labels, const histo *h)
{
	uint64_t cum = 0;
	size_t i;

	for (i = 0; i < N_BOUNDS; i++) {
		cum += load(&h->bucket[i]);
		put(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels,
		    labels[0] ? "," : "", bounds[i], (unsigned long long)cum);
	}
	put(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels,
	    labels[0] ? "," : "", (unsigned long long)load(&h->count));
	put(b, "%s_sum%s%s%s %.6f\n", name, labels[0] ? "{" : "", labels,
	    labels[0] ? "}" : "", (double)load(&h->sum_us) / 1e6);
	put(b, "%s_count%s%s%s %llu\n", name, labels[0] ? "{" : "", labels,
	    labels[0] ? "}" : "", (unsigned long long)load(&h->count));
}

/* Renders one certward_certificates sample (cw_cert_counts callback). */
static bool
put_cert_count(const char *status, const char *template_name, int64_t n,
    void *arg)
{
	char l1[160], l2[160];

	put(arg, "certward_certificates{status=\"%s\",template=\"%s\"} %lld\n",
	    label(status, l1, sizeof(l1)), label(template_name, l2, sizeof(l2)),
	    (long long)n);
	return true;
}

/* Renders one certward_requests sample (cw_request_counts callback). */
static bool
put_request_count(const char *state, int64_t n, void *arg)
{
	char l1[160];

	put(arg, "certward_requests{state=\"%s\"} %lld\n",
	    label(state, l1, sizeof(l1)), (long long)n);
	return true;
}

/*
 * The inventory figures, counted by the store (docs/performance.md,
 * "/metrics"): nothing here grows with the number of certificates.
 */
static cw_rc
put_inventory(cw_http_ctx *ctx, buf *b, cw_err *err)
{
	static const struct {
		const char *label;
		int64_t within;
	} soon[] = {{"7d", 7 * 86400}, {"30d", 30 * 86400}};
	cw_rc rc = CW_OK;
	int64_t n;
	size_t i;

	put(b, "# HELP certward_certificates Certificates in the inventory "
	    "by status and template.\n# TYPE certward_certificates gauge\n");
	CW_TRY(cw_cert_counts(ctx->engine, put_cert_count, b, err));

	put(b, "# HELP certward_certificates_expiring Valid certificates "
	    "expiring within the window.\n"
	    "# TYPE certward_certificates_expiring gauge\n");
	for (i = 0; i < sizeof(soon) / sizeof(soon[0]); i++) {
		CW_TRY(cw_cert_count_expiring(ctx->engine, soon[i].within, &n,
		    err));
		put(b, "certward_certificates_expiring{within=\"%s\"} %lld\n",
		    soon[i].label, (long long)n);
	}

	put(b, "# HELP certward_requests Certificate requests by state.\n"
	    "# TYPE certward_requests gauge\n");
	CW_TRY(cw_request_counts(ctx->engine, put_request_count, b, err));
out:
	return rc;
}

static void
put_ocsp(buf *b)
{
	const ocsp_counts *o = &sh->ocsp;

	/* every lookup has exactly one of these results (ocsp_cache.h) */
	put(b, "# HELP certward_ocsp_cache_lookups_total OCSP requests looked "
	    "up in the workers' response caches, by result (stale: the "
	    "status changed; expired: past the refresh age).\n"
	    "# TYPE certward_ocsp_cache_lookups_total counter\n"
	    "certward_ocsp_cache_lookups_total{result=\"hit\"} %llu\n"
	    "certward_ocsp_cache_lookups_total{result=\"miss\"} %llu\n"
	    "certward_ocsp_cache_lookups_total{result=\"stale\"} %llu\n"
	    "certward_ocsp_cache_lookups_total{result=\"expired\"} %llu\n",
	    (unsigned long long)load(&o->hits),
	    (unsigned long long)load(&o->misses),
	    (unsigned long long)load(&o->stale),
	    (unsigned long long)load(&o->expired));
	put(b, "# HELP certward_ocsp_cache_evictions_total Cached OCSP "
	    "responses pushed out by others.\n"
	    "# TYPE certward_ocsp_cache_evictions_total counter\n"
	    "certward_ocsp_cache_evictions_total %llu\n",
	    (unsigned long long)load(&o->evictions));
	put(b, "# HELP certward_ocsp_cache_refused_total Signed OCSP responses "
	    "not cached (larger than a cache entry).\n"
	    "# TYPE certward_ocsp_cache_refused_total counter\n"
	    "certward_ocsp_cache_refused_total %llu\n",
	    (unsigned long long)load(&o->refused));
}

static void
put_http(buf *b)
{
	const cw_http_route *r;
	char lbl[256], path[160];
	size_t i, k, n = cw_http_route_count();
	uint64_t v;

	put(b, "# HELP certward_http_requests_total HTTP requests answered, "
	    "by route and status code (all workers since start).\n"
	    "# TYPE certward_http_requests_total counter\n");
	for (i = 0; i <= n; i++) {
		const route_stats *rs = &sh->routes[i < n ? i : MAX_ROUTES];

		r = i < n ? cw_http_route_at(i) : NULL;
		for (k = 0; k <= N_CODES; k++) {
			if ((v = load(&rs->by_code[k])) == 0)
				continue;
			if (k < N_CODES)
				snprintf(lbl, sizeof(lbl), "%d", codes[k]);
			else
				snprintf(lbl, sizeof(lbl), "other");
			put(b, "certward_http_requests_total{method=\"%s\","
			    "route=\"%s\",code=\"%s\"} %llu\n", r ? r->method :
			    "", r ? label(r->path, path, sizeof(path)) :
			    "unmatched", lbl, (unsigned long long)v);
		}
	}
	put(b, "# HELP certward_http_request_duration_seconds Time from the "
	    "request's first byte to the queued answer.\n"
	    "# TYPE certward_http_request_duration_seconds histogram\n");
	for (i = 0; i <= n; i++) {
		const route_stats *rs = &sh->routes[i < n ? i : MAX_ROUTES];

		if (load(&rs->duration.count) == 0)
			continue;
		r = i < n ? cw_http_route_at(i) : NULL;
		snprintf(lbl, sizeof(lbl), "method=\"%s\",route=\"%s\"",
		    r ? r->method : "", r ? label(r->path, path, sizeof(path)) :
		    "unmatched");
		put_histo(b, "certward_http_request_duration_seconds", lbl,
		    &rs->duration);
	}
	put(b, "# HELP certward_issuance_duration_seconds Submissions and "
	    "approvals answered with an issued certificate: time to answer."
	    "\n# TYPE certward_issuance_duration_seconds histogram\n");
	put_histo(b, "certward_issuance_duration_seconds", "", &sh->issuance);
	put(b, "# HELP certward_auth_failures_total Requests with an invalid "
	    "token.\n# TYPE certward_auth_failures_total counter\n"
	    "certward_auth_failures_total %llu\n",
	    (unsigned long long)load(&sh->auth_failures));
	put(b, "# HELP certward_http_limited_total Requests refused with 429 "
	    "after too many failed sign-ins.\n"
	    "# TYPE certward_http_limited_total counter\n"
	    "certward_http_limited_total %llu\n",
	    (unsigned long long)load(&sh->auth_limited));
	put_ocsp(b);
}

void
cw_pub_metrics(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	cw_err err = CW_ERR_INIT;
	buf b;

	(void)req;
	memset(&b, 0, sizeof(b));
	if (put_inventory(ctx, &b, &err) != CW_OK) {
		free(b.p);
		cw_http_problem_err(resp, &err);
		return;
	}
	if (sh != NULL)
		put_http(&b);
	if (b.oom || b.p == NULL) {
		free(b.p);
		cw_http_problem(resp, 500, "internal", "Internal error",
		    "out of memory", NULL);
		return;
	}
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp->body = (uint8_t *)b.p;
	resp->body_len = b.len;
	resp->body_static = false;
}

void
cw_pub_openapi(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	(void)ctx;
	(void)req;
	cw_http_static(resp, 200, "application/json",
	    (const uint8_t *)cw_openapi, CW_OPENAPI_LEN);
	resp->cache_control = "no-cache";
}
