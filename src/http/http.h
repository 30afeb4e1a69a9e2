/*
 * http.h - certward serve: the HTTP adapter of the engine.
 *
 * server.c binds the sockets, issues the server certificate, forks the
 * worker processes and supervises them; each worker runs libmicrohttpd
 * single-threaded over both listeners and hands every complete request to
 * the router (router.c), which matches the route table and does the checks
 * every route shares (body size, authentication, role) before the handler
 * runs.  Handlers live in routes_api.c (/api/v1 requests, certificates,
 * templates), routes_admin.c (/api/v1 lists, services, exceptions, audit)
 * and routes_public.c (health, CRL, CA, OCSP), routes_ui.c the dashboard's
 * files; metrics.c keeps the counters all workers share and serves
 * /metrics and the OpenAPI document.  What OCSP and the server
 * certificate need from the CA comes from src/engine/server_ca.c; every
 * signature is made by the signer process (src/signer, sign.h), never
 * with a key in a worker.
 */
#ifndef CW_HTTP_H
#define CW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../common/err.h"
#include "../engine/engine.h"
#include "../x509/ocsp_resp.h"
#include "ocsp_cache.h"

/* Bounds on what a client may send (the rest of them are in limits.h). */
#define CW_HTTP_BODY_DEFAULT (64 * 1024) /* request body per route */
#define CW_HTTP_DISCARD_MAX (1024 * 1024) /* oversized body read to drop */
#define CW_HTTP_HEADER_MEMORY (32 * 1024) /* headers of one request */
#define CW_HTTP_CONN_LIMIT 256            /* connections per worker */
#define CW_HTTP_CONN_TIMEOUT 30           /* idle seconds per connection */
#define CW_HTTP_MAX_WORKERS 64
#define CW_HTTP_QUERY_MAX 256             /* one query argument value */
#define CW_HTTP_DRAIN_SECONDS 5           /* graceful stop: keep-alive wait */
#define CW_HTTP_BATCH_MAX 64              /* submissions per group commit */
/* A worker that has queued submissions while it has other connections open
 * waits up to this long (µs) for theirs before committing the batch
 * (docs/performance.md, "The server") */
#define CW_HTTP_LINGER_US 300
#define CW_HTTP_PAGE_SIZE 100             /* list items per page by default */
#define CW_HTTP_PAGE_SIZE_MAX 1000        /* largest page_size a client gets */
#define CW_HTTP_AUTH_FAIL_LIMIT 20        /* failed sign-ins per source ... */
#define CW_HTTP_AUTH_FAIL_WINDOW 60       /* ... and window (seconds) */
#define CW_HTTP_PEER_MAX 64               /* source address text, with NUL */
/* Signed OCSP responses kept per worker (ocsp_cache.h): at most ~4.5 MiB
 * of address space each, only the pages entries touched resident.  An
 * entry is served for at most REFRESH seconds, well inside its validity
 * (routes_public.c); responses over RESPONSE bytes are not cached. */
#define CW_HTTP_OCSP_CACHE_ENTRIES 2048
#define CW_HTTP_OCSP_CACHE_RESPONSE 2048  /* bytes per response */
#define CW_HTTP_OCSP_CACHE_REFRESH 300    /* seconds after thisUpdate */

/* Options of `certward serve` (cmd_serve.c fills them). */
typedef struct cw_serve_opts {
	const char *data_dir;
	const char *listen;        /* ADDR:PORT, HTTPS (or HTTP, see no_tls) */
	const char *public_listen; /* ADDR:PORT plain HTTP, or NULL */
	int workers;               /* 0: one per online CPU */
	const char *tls_cert;      /* PEM chain file, or NULL: self-issued */
	const char *tls_key;       /* PEM key file */
	const char *user;          /* --user: who workers become (as root) */
} cw_serve_opts;

/*
 * Runs the server until SIGTERM/SIGINT: returns the process exit status
 * (0 after a clean stop).  Prints start-up failures on stderr.
 */
int cw_http_serve(const cw_serve_opts *o);

/* --- requests and responses ------------------------------------------------ */

typedef struct cw_http_route cw_http_route;

/* One request as the handlers see it (borrowed from the server). */
typedef struct cw_http_req {
	const char *method;
	const char *path;          /* unescaped, without the query */
	const uint8_t *body;
	size_t body_len;
	const char *content_type;  /* NULL when absent */
	const char *authorization; /* NULL when absent */
	/* query arguments: lookup function from the server */
	const char *(*query)(void *conn, const char *name);
	void *conn;
	const char *param;         /* the {param} path segment, or NULL */
	size_t param_len;
	bool authenticated;
	cw_user user;              /* when authenticated */
	bool public_listener;      /* arrived on --public-listen */
	char peer[CW_HTTP_PEER_MAX]; /* source IP address ("" unknown) */
	void *tag;                 /* the server's, for a deferred answer */
} cw_http_req;

typedef struct cw_http_resp {
	int status;
	const char *content_type;
	uint8_t *body; /* malloc'd, or static when body_static */
	size_t body_len;
	bool body_static;
	const char *www_authenticate; /* static string or NULL */
	const char *location;         /* set by handlers (static buffer below) */
	char location_buf[128];
	const char *cache_control;    /* static string or NULL */
	int retry_after;              /* seconds, sent when > 0 (429) */
	/* more headers: "Name", "value", ..., NULL (static; routes_ui.c) */
	const char *const *headers;
	/* no answer yet: queued for the group commit (cw_api_submit_flush) */
	bool deferred;
} cw_http_resp;

/* A submission waiting in its worker for the group commit. */
typedef struct cw_http_pending {
	cw_submit_prep *prep;
	void *tag; /* cw_http_req's */
} cw_http_pending;

/* Worker state shared by the handlers of one worker process. */
typedef struct cw_http_ctx {
	cw_engine *engine;
	X509 *issuing;          /* issuing CA (up-ref'd); never its key */
	uint8_t *issuing_der;   /* served at /ca/issuing.crt */
	size_t issuing_der_len;
	uint8_t *root_der;      /* served at /ca/root.crt (may be NULL) */
	size_t root_der_len;
	uint8_t *crl;           /* the cached CRL (DER) */
	size_t crl_len;
	int64_t crl_made;       /* when the cache was filled */
	uint64_t crl_gen;       /* revocation generation it reflects */
	volatile uint64_t *revocations; /* shared by all workers (mmap) */
	int64_t crl_next_update; /* config's crl_next_update, seconds */
	char *client_ca_pem;    /* trusted for client certificates (PEM) */
	cw_ocsp_cache *ocsp_cache; /* signed OCSP responses, or NULL: none */
	/* group commit (server.c): when set, a submission is prepared at
	 * once and answered by cw_api_submit_flush(); otherwise alone */
	bool batching;
	cw_http_pending *pending;
	size_t n_pending, cap_pending;
} cw_http_ctx;

/* Handler: fills resp; returns nothing (failures become problems). */
typedef void (*cw_http_handler)(cw_http_ctx *ctx, cw_http_req *req,
    cw_http_resp *resp);

/* Who may call a route (checked centrally, router.c). */
typedef enum cw_http_access {
	CW_HTTP_PUBLIC,    /* anyone, no token looked at */
	CW_HTTP_SIGNED_IN, /* any valid token; the engine decides the rest */
	CW_HTTP_ROLES,     /* a valid token whose user holds one of roles */
} cw_http_access;

struct cw_http_route {
	const char *method;
	const char *path;  /* literal; one "{}" segment; or a trailing "*" */
	cw_http_handler handler;
	cw_http_access access;
	const char *roles[4]; /* CW_HTTP_ROLES: NULL-terminated */
	size_t body_limit;    /* bytes; 0 for routes without a body */
	bool public_listener; /* also served on --public-listen */
};

/*
 * Finds the route for method and path.  *allowed_other is set when the
 * path exists under another method (answer 405).  NULL when none.
 */
const cw_http_route *cw_http_route_find(const char *method, const char *path,
    bool public_listener, bool *allowed_other);

/*
 * Runs the central checks of `route` (authentication, role) and then its
 * handler; on a failed check fills resp with the problem document.
 * The body was already bounded by the server (413 before this).
 */
void cw_http_dispatch(cw_http_ctx *ctx, const cw_http_route *route,
    cw_http_req *req, cw_http_resp *resp);

/* Routes of routes_api.c and routes_public.c, for the table in router.c. */
void cw_api_submit(cw_http_ctx *, cw_http_req *, cw_http_resp *);
/*
 * Commits the submissions queued by cw_api_submit() (ctx->batching), in
 * transactions of up to CW_HTTP_BATCH_MAX, and hands each its answer:
 * answer(tag, resp) takes over resp.  Empties the queue.
 */
void cw_api_submit_flush(cw_http_ctx *ctx,
    void (*answer)(void *tag, cw_http_resp *resp));
void cw_api_request_get(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_request_approve(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_request_reject(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_cert_list(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_cert_get(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_cert_pem(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_cert_revoke(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_templates(cw_http_ctx *, cw_http_req *, cw_http_resp *);
/* routes_admin.c */
void cw_api_request_list(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_cert_page(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_cert_der(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_cert_chain(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_service_list(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_service_add(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_service_verify(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_service_retire(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_exception_list(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_exception_add(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_exception_delete(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_audit_log(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_audit_verify(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_audit_checkpoint(cw_http_ctx *, cw_http_req *, cw_http_resp *);
/* metrics.c */
void cw_pub_openapi(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_metrics(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_healthz(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_crl(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_ca_issuing(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_ca_root(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_ocsp_get(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_ocsp_post(cw_http_ctx *, cw_http_req *, cw_http_resp *);

/* routes_ui.c: the dashboard's files (public; they hold no data) */
void cw_ui_index(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_ui_app_js(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_ui_app_css(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_ui_favicon(cw_http_ctx *, cw_http_req *, cw_http_resp *);

/* --- responses (router.c) --------------------------------------------------- */

/* A JSON response (steals j; a NULL j becomes a 500 problem). */
void cw_http_json(cw_http_resp *resp, int status, json_t *j);

/*
 * An RFC 9457 problem document: type "urn:certward:problem:SLUG", title,
 * status, detail (may be NULL); `extra` members (stolen, may be NULL) are
 * merged in, e.g. {"violations": [...]}.
 */
void cw_http_problem(cw_http_resp *resp, int status, const char *slug,
    const char *title, const char *detail, json_t *extra);

/* The problem for an engine error code (its HTTP status, err->msg). */
void cw_http_problem_err(cw_http_resp *resp, const cw_err *err);

/* Bytes of a given type (copied). */
void cw_http_bytes(cw_http_resp *resp, int status, const char *type,
    const uint8_t *b, size_t len);

/* Static bytes (not copied, never freed). */
void cw_http_static(cw_http_resp *resp, int status, const char *type,
    const uint8_t *b, size_t len);

/* The route table (router.c): its size, and a route's index in it. */
size_t cw_http_route_count(void);
const cw_http_route *cw_http_route_at(size_t i);
size_t cw_http_route_index(const cw_http_route *r);

/* --- metrics and sign-in failures (metrics.c) ------------------------------- */

/*
 * Creates the counters every worker shares (one anonymous MAP_SHARED
 * mapping, made before the workers are forked and inherited by them).
 * Without it (not called, or failed) the counters stay off and sign-in
 * failures are limited per worker only.
 */
cw_rc cw_metrics_setup(cw_err *err) CW_MUST_USE;

/* Unmaps the shared counters (supervisor, at exit). */
void cw_metrics_teardown(void);

/*
 * Counts one answered request: route (NULL: no route matched), the status
 * sent and the time it took; a submission answered 201 "issued" also goes
 * into the issuance latency histogram.
 */
void cw_metrics_observe(const cw_http_route *route, int status,
    int64_t usec, const cw_http_resp *resp);

/*
 * Adds what this worker's OCSP response cache counted since the last call
 * (lookups by result, evictions, responses not cached) to the shared
 * counters.  Called after each OCSP answer; NULL (no cache) is a no-op.
 */
void cw_metrics_ocsp_cache(const cw_ocsp_cache *c);

/*
 * True when `peer` has had CW_HTTP_AUTH_FAIL_LIMIT or more failed sign-ins
 * in the current CW_HTTP_AUTH_FAIL_WINDOW (its requests get 429 without
 * looking at the token).
 */
bool cw_http_auth_limited(const char *peer);

/*
 * Records one failed sign-in from `peer`: counted for the rate limit and
 * audited as auth.fail (actor "anonymous", object "auth", details the
 * source address and the cause; never the token text).  The event that
 * reaches the limit is audited as auth.limit instead, and later failures
 * within the window are not audited again (a flood cannot fill the log).
 */
void cw_http_auth_failed(cw_http_ctx *ctx, const char *peer,
    const char *cause);


/* --- client certificates (client_cert.c) ----------------------------------- */

/*
 * The DER certificate the client presented on req's TLS connection
 * (borrowed from the TLS session, valid while the request is handled;
 * req->conn must be its MHD connection), or NULL (*len 0) when it sent
 * none or the connection is not TLS.  Nothing about it is checked here:
 * cw_client_cert_authenticate (src/engine/client_auth.h) decides.
 */
const uint8_t *cw_http_client_cert(const cw_http_req *req, size_t *len);

/* --- request input (http_request.c) ---------------------------------------- */

#define CW_HTTP_SERIAL_HEX_MAX 40 /* RFC 5280 4.1.2.2: 20 octets */

/* The body as one JSON object whose members are all in `allowed` (NULL-
 * terminated); an empty body is {} when empty_ok.  NULL after filling resp
 * with a problem.  The caller owns the result. */
json_t *cw_http_body_object(const cw_http_req *req, const char *const *allowed,
    bool empty_ok, cw_http_resp *resp);
/* A string member (borrowed); false after filling resp with a problem. */
bool cw_http_member_str(json_t *j, const char *name, bool required,
    const char **out, cw_http_resp *resp);
/* A query argument (borrowed, bounded); false after a problem. */
bool cw_http_query_arg(const cw_http_req *req, const char *name,
    const char **out, cw_http_resp *resp);
/* The {serial} path parameter as lower-case hex; false after a problem. */
bool cw_http_param_serial(const cw_http_req *req,
    char serial[CW_HTTP_SERIAL_HEX_MAX + 1], cw_http_resp *resp);

#endif
