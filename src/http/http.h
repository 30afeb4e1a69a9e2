/*
 * http.h - certward serve: the HTTP adapter of the engine.
 *
 * server.c binds the sockets, issues the server certificate, forks the
 * worker processes and supervises them; each worker runs libmicrohttpd
 * single-threaded over both listeners and hands every complete request to
 * the router (router.c), which matches the route table and does the checks
 * every route shares (body size, authentication, role) before the handler
 * runs.  Handlers live in routes_api.c (/api/v1, signed in) and
 * routes_public.c (health, CRL, CA, OCSP).  What OCSP signing and the
 * server certificate need from the CA comes from src/engine/server_ca.c.
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

/* Bounds on what a client may send (the rest of them are in limits.h). */
#define CW_HTTP_BODY_DEFAULT (64 * 1024) /* request body per route */
#define CW_HTTP_DISCARD_MAX (1024 * 1024) /* oversized body read to drop */
#define CW_HTTP_HEADER_MEMORY (32 * 1024) /* headers of one request */
#define CW_HTTP_CONN_LIMIT 256            /* connections per worker */
#define CW_HTTP_CONN_TIMEOUT 30           /* idle seconds per connection */
#define CW_HTTP_MAX_WORKERS 64
#define CW_HTTP_QUERY_MAX 256             /* one query argument value */
#define CW_HTTP_DRAIN_SECONDS 5           /* graceful stop: keep-alive wait */

/* Options of `certward serve` (cmd_serve.c fills them). */
typedef struct cw_serve_opts {
	const char *data_dir;
	const char *listen;        /* ADDR:PORT, HTTPS (or HTTP, see no_tls) */
	const char *public_listen; /* ADDR:PORT plain HTTP, or NULL */
	int workers;               /* 0: one per online CPU */
	const char *tls_cert;      /* PEM chain file, or NULL: self-issued */
	const char *tls_key;       /* PEM key file */
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
} cw_http_resp;

/* Worker state shared by the handlers of one worker process. */
typedef struct cw_http_ctx {
	cw_engine *engine;
	X509 *issuing;          /* issuing CA (up-ref'd) */
	EVP_PKEY *issuing_key;  /* its key, for OCSP responses (up-ref'd) */
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
void cw_api_request_get(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_request_approve(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_request_reject(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_cert_list(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_cert_get(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_cert_pem(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_cert_revoke(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_api_templates(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_healthz(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_crl(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_ca_issuing(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_ca_root(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_ocsp_get(cw_http_ctx *, cw_http_req *, cw_http_resp *);
void cw_pub_ocsp_post(cw_http_ctx *, cw_http_req *, cw_http_resp *);

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

/* --- engine access the public engine API does not offer (ca_bridge.c) ------ */

#endif
