/*
 * server.c - `certward serve`: sockets, TLS, worker processes, the request
 * life cycle and the log line.
 *
 * OpenSSL 3.0 does not scale with threads (shared/PERFORMANCE.md), so the
 * CPU work scales by processes: the parent binds the listening sockets,
 * has the server certificate issued, then forks N workers that all accept on
 * the same sockets.  Each worker opens its own engine (its own SQLite
 * connection) and runs libmicrohttpd in external-select mode on one
 * thread, so the engine is never used by two threads and a request's
 * handler always runs to its end before a signal is looked at: SIGTERM
 * stops the accepting, lets the connections finish, then exits; nothing is
 * ever written half-way.  The parent restarts a worker that dies and
 * forwards SIGTERM/SIGINT.
 *
 * Workers are replaced one at a time, never all at once, when the parent
 * reloads on SIGHUP (after the signer has loaded config.yaml and the
 * policy anew), when it renews its self-issued certificate at two thirds
 * of its lifetime, and when the signer was restarted: the new worker is
 * started first, then the old one is stopped like on SIGTERM, so the
 * sockets never go unserved and no request in flight is cut off.
 *
 * Key isolation (docs/security.md): the parent forks the signer process
 * (src/signer) before anything else; it alone reads the CA's private
 * keys.  The parent never does: every process forked from it (workers,
 * the helper that issues the server certificate) inherits nothing of
 * them, and opens its engine with cw_engine_open_remote, signing over its
 * own channel to the signer.  Once set up, those processes become the
 * unprivileged user of --user when the server was started as root, and
 * apply the worker seccomp filter.  The parent keeps its rights, to
 * restart the signer if it dies, and reads no network or database input:
 * it binds the sockets, supervises, and hands SIGHUP to the signer.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "../common/fileio.h"
#include "../common/limits.h"
#include "../common/util.h"
#include "../signer/privdrop.h"
#include "../signer/sandbox.h"
#include "../signer/signer.h"
#include "http.h"

#define RENEW_RETRY 60               /* seconds after a failed renewal */
#define STOP_GRACE 30                /* parent: seconds before SIGKILL */
#define LOG_PATH_MAX 128
#define CERT_CHILD_MS 60000          /* issuing the server certificate */
#define CERT_PEM_MAX (256 * 1024)    /* what that helper may hand back */

typedef struct listener {
	const char *spec; /* ADDR:PORT as given */
	char host[256];
	int fd;
	bool tls;
	bool is_public;
	struct MHD_Daemon *d;
	cw_http_ctx *ctx; /* the worker's, once it runs */
} listener;

typedef struct server {
	const cw_serve_opts *o;
	listener l[2];
	size_t n_l;
	char *cert_pem;
	char *key_pem;
	const char *cert_host;  /* names in the self-issued certificate */
	int64_t renew_at;       /* self-issued: when to renew (0: never) */
	volatile uint64_t *revocations;
	cw_http_ctx ctx; /* the worker's */
	pid_t *pids;
	int n_workers;
	cw_signer_proc signer;  /* parent: the key holder */
	time_t signer_tried;    /* parent: last start attempt */
	cw_privdrop pd;         /* who the network-facing processes become */
	int chan_fd;            /* the next child's signer channel, or -1 */
	cw_signer_client *client; /* a child: its channel to the signer */
} server;

/* One request in progress (MHD's per-request pointer). */
typedef struct conn_req {
	struct timespec start;
	const cw_http_route *route;
	int early_status;   /* answered before the body: 404/405/413 */
	uint8_t *body;
	size_t len, cap, limit;
	bool too_large;
	size_t dropped;     /* bytes of an oversized body read and dropped */
	/* group commit: suspended while its submission waits in the queue
	 * (waiting), then resumed with the answer to send (answered) */
	struct MHD_Connection *conn;
	bool waiting, answered;
	cw_http_resp resp;
	char user[CW_NAME_MAX]; /* for the log line ("" not signed in) */
} conn_req;

static volatile sig_atomic_t worker_stop;
static unsigned int answers_due; /* resumed, answer not yet queued */

/* --- sockets ------------------------------------------------------------------ */

/* Splits "HOST:PORT" or "[V6]:PORT"; false when malformed. */
static bool
split_addr(const char *spec, char *host, size_t hlen, char *port,
    size_t plen)
{
	const char *colon, *h = spec, *end;
	size_t n;

	if (spec[0] == '[') {
		end = strchr(spec, ']');
		if (end == NULL || end[1] != ':')
			return false;
		h = spec + 1;
		colon = end + 1;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL)
			return false;
		end = colon;
	}
	n = (size_t)(end - h);
	if (n == 0 || n >= hlen || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= plen ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return false;
	memcpy(host, h, n);
	host[n] = '\0';
	memcpy(port, colon + 1, strlen(colon + 1) + 1);
	return true;
}

static int
bind_listener(listener *l)
{
	struct addrinfo hints, *res = NULL;
	char port[8];
	int fd = -1, one = 1, gai;

	if (!split_addr(l->spec, l->host, sizeof(l->host), port,
	    sizeof(port))) {
		fprintf(stderr, "certward serve: '%s': expected ADDR:PORT\n",
		    l->spec);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((gai = getaddrinfo(l->host, port, &hints, &res)) != 0) {
		fprintf(stderr, "certward serve: '%s': %s\n", l->spec,
		    gai_strerror(gai));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
	    listen(fd, 128) != 0 ||
	    /* several workers accept on it: a lost race must not block */
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		fprintf(stderr, "certward serve: cannot listen on %s: %s\n",
		    l->spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	l->fd = fd;
	return 0;
}

/* --- requests ---------------------------------------------------------------- */

static const char *
query_lookup(void *conn, const char *name)
{
	return MHD_lookup_connection_value((struct MHD_Connection *)conn,
	    MHD_GET_ARGUMENT_KIND, name);
}

static int64_t
us_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (int64_t)(t1.tv_sec - t0->tv_sec) * 1000000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000;
}

static int64_t
ms_since(const struct timespec *t0)
{
	return us_since(t0) / 1000;
}

/* The client's address as text, for the sign-in failure limit and audit. */
static void
peer_text(struct MHD_Connection *c, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa;
	socklen_t sl;

	buf[0] = '\0';
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	sl = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if (getnameinfo(sa, sl, buf, (socklen_t)len, NULL, 0,
	    NI_NUMERICHOST) != 0)
		buf[0] = '\0';
}

/* One JSON line per request on stderr: never a token, body or query. */
static void
log_request(const char *method, const char *url, int status,
    const conn_req *r, const char *user)
{
	char path[LOG_PATH_MAX + 4], *line;
	size_t n = strlen(url);
	json_t *j;

	/* an OCSP GET path is a whole request: keep the line short */
	if (n > LOG_PATH_MAX) {
		memcpy(path, url, LOG_PATH_MAX);
		memcpy(path + LOG_PATH_MAX, "...", 4);
	} else {
		memcpy(path, url, n + 1);
	}
	j = json_pack("{s:s, s:s, s:s, s:i, s:I, s:i}", "event", "request",
	    "method", method, "path", path, "status", status, "ms",
	    (json_int_t)ms_since(&r->start), "pid", (int)getpid());
	if (j == NULL)
		return;
	json_object_set_new(j, "user", user != NULL ? json_string(user) :
	    json_null());
	/* invalid UTF-8 in the path makes jansson refuse the string */
	if (json_object_get(j, "path") == NULL)
		json_object_set_new(j, "path", json_string("(not UTF-8)"));
	if ((line = json_dumps(j, JSON_COMPACT)) != NULL) {
		fprintf(stderr, "%s\n", line);
		free(line);
	}
	json_decref(j);
}

static enum MHD_Result
send_resp(struct MHD_Connection *c, const cw_http_resp *resp)
{
	struct MHD_Response *m;
	enum MHD_Result ret;
	const char *const *h;

	m = MHD_create_response_from_buffer(resp->body_len, resp->body,
	    MHD_RESPMEM_MUST_COPY);
	if (m == NULL)
		return MHD_NO;
	if (resp->content_type != NULL)
		MHD_add_response_header(m, "Content-Type", resp->content_type);
	if (resp->www_authenticate != NULL)
		MHD_add_response_header(m, "WWW-Authenticate",
		    resp->www_authenticate);
	if (resp->location != NULL)
		MHD_add_response_header(m, "Location", resp->location);
	if (resp->retry_after > 0) {
		char ra[16];

		snprintf(ra, sizeof(ra), "%d", resp->retry_after);
		MHD_add_response_header(m, "Retry-After", ra);
	}
	MHD_add_response_header(m, "Cache-Control",
	    resp->cache_control != NULL ? resp->cache_control : "no-store");
	MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
	/* route-specific headers (the dashboard's CSP, routes_ui.c) */
	for (h = resp->headers; h != NULL && h[0] != NULL && h[1] != NULL;
	    h += 2)
		MHD_add_response_header(m, h[0], h[1]);
	if (worker_stop)
		MHD_add_response_header(m, "Connection", "close");
	ret = MHD_queue_response(c, (unsigned int)resp->status, m);
	MHD_destroy_response(m);
	return ret;
}

static void
resp_free(cw_http_resp *resp)
{
	if (!resp->body_static)
		free(resp->body);
	resp->body = NULL;
}

static enum MHD_Result
early_answer(struct MHD_Connection *c, const char *method, const char *url,
    conn_req *r)
{
	cw_http_resp resp;
	enum MHD_Result ret;

	memset(&resp, 0, sizeof(resp));
	switch (r->early_status) {
	case 404:
		cw_http_problem(&resp, 404, "not-found", "Not found",
		    "no such resource", NULL);
		break;
	case 405:
		cw_http_problem(&resp, 405, "method-not-allowed",
		    "Method not allowed", NULL, NULL);
		break;
	default:
		cw_http_problem(&resp, 413, "too-large", "Payload too large",
		    "the request body is larger than this route accepts",
		    NULL);
		break;
	}
	ret = send_resp(c, &resp);
	log_request(method, url, resp.status, r, NULL);
	cw_metrics_observe(r->route, resp.status, us_since(&r->start), &resp);
	resp_free(&resp);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	listener *l = cls;
	conn_req *r = *con_cls;
	cw_http_req req;
	cw_http_resp resp;
	const char *cl;
	int64_t clen;
	bool other;
	enum MHD_Result ret;

	(void)version;
	if (r == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &r->start);
		*con_cls = r;
		r->route = cw_http_route_find(method, url, l->is_public,
		    &other);
		if (r->route == NULL) {
			r->early_status = other ? 405 : 404;
			return early_answer(c, method, url, r);
		}
		r->limit = r->route->body_limit;
		/* a body over the limit is read and dropped so that the
		 * client sees the 413 (a client still sending when the
		 * connection closes sees only a reset); one far over it is
		 * refused at once, without reading it */
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    "Content-Length");
		if (cl != NULL && (!cw_parse_int64(cl, 0, INT64_MAX, &clen) ||
		    (uint64_t)clen > CW_HTTP_DISCARD_MAX)) {
			r->early_status = 413;
			return early_answer(c, method, url, r);
		}
		return MHD_YES;
	}
	if (r->early_status != 0) {
		*upload_size = 0; /* already answered: drop what comes */
		return MHD_YES;
	}
	if (r->waiting)
		return MHD_YES; /* not called while suspended; to be safe */
	if (r->answered) {
		/* resumed after the group commit (worker_main) */
		r->answered = false;
		answers_due--;
		ret = send_resp(c, &r->resp);
		log_request(method, url, r->resp.status, r, r->user[0] ?
		    r->user : NULL);
		cw_metrics_observe(r->route, r->resp.status,
		    us_since(&r->start), &r->resp);
		resp_free(&r->resp);
		return ret;
	}
	if (*upload_size > 0) {
		if (r->too_large || *upload_size > r->limit - r->len) {
			/* dropped, up to CW_HTTP_DISCARD_MAX in all */
			r->too_large = true;
			r->dropped += *upload_size;
			if (r->dropped > CW_HTTP_DISCARD_MAX)
				return MHD_NO;
		} else {
			if (r->len + *upload_size > r->cap) {
				size_t cap = r->len + *upload_size;
				uint8_t *nb;

				if (cap < 4096)
					cap = 4096;
				if (cap > r->limit)
					cap = r->limit;
				if ((nb = realloc(r->body, cap)) == NULL)
					return MHD_NO;
				r->body = nb;
				r->cap = cap;
			}
			memcpy(r->body + r->len, upload, *upload_size);
			r->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->too_large) {
		r->early_status = 413;
		return early_answer(c, method, url, r);
	}
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.method = method;
	req.path = url;
	req.body = r->body != NULL ? r->body : (const uint8_t *)"";
	req.body_len = r->len;
	req.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Content-Type");
	req.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Authorization");
	req.query = query_lookup;
	req.conn = c;
	req.public_listener = l->is_public;
	req.tag = r;
	peer_text(c, req.peer, sizeof(req.peer));
	ERR_clear_error(); /* STYLE: the queue is per request */
	cw_http_dispatch(l->ctx, r->route, &req, &resp);
	if (resp.deferred) {
		/* answered after the group commit: on_batch_answer() */
		r->conn = c;
		r->waiting = true;
		snprintf(r->user, sizeof(r->user), "%s", req.authenticated ?
		    req.user.name : "");
		MHD_suspend_connection(c);
		OPENSSL_cleanse(&req.user, sizeof(req.user));
		return MHD_YES;
	}
	ret = send_resp(c, &resp);
	log_request(method, url, resp.status, r, req.authenticated ?
	    req.user.name : NULL);
	cw_metrics_observe(r->route, resp.status, us_since(&r->start), &resp);
	resp_free(&resp);
	OPENSSL_cleanse(&req.user, sizeof(req.user));
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	conn_req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r != NULL) {
		if (r->answered) {
			/* the client left before it could be answered */
			answers_due--;
			resp_free(&r->resp);
		}
		free(r->body);
		free(r);
	}
	*con_cls = NULL;
}

/* The answer to a submission from the group commit: resume its connection,
 * on_request() sends it.  Only a committed submission is answered 201. */
static void
on_batch_answer(void *tag, cw_http_resp *resp)
{
	conn_req *r = tag;

	r->resp = *resp;
	if (resp->location == resp->location_buf)
		r->resp.location = r->resp.location_buf;
	r->waiting = false;
	r->answered = true;
	answers_due++;
	MHD_resume_connection(r->conn);
}

/* libmicrohttpd's own messages, as log lines without secrets. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	fprintf(stderr, "certward serve: libmicrohttpd: %s\n", msg);
}

/* --- worker ------------------------------------------------------------------- */

static void
on_worker_signal(int sig)
{
	(void)sig;
	worker_stop = 1;
}

/*
 * A child's engine: no private key ever read, signing over the channel
 * the parent opened for it (s->chan_fd, taken here).
 */
static cw_rc
remote_engine(server *s, cw_engine **e, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_signer ops;
	int fd = s->chan_fd;

	s->chan_fd = -1;
	CW_ENSURE(fd >= 0, CW_ERR_INTERNAL, "no channel to the signer");
	CW_TRY(cw_signer_client_new(fd, &s->client, err));
	cw_signer_client_ops(s->client, &ops);
	CW_TRY(cw_engine_open_remote(s->o->data_dir, &ops, e, err));
out:
	return rc;
}

/*
 * What a network-facing child gives up once set up (its engine open,
 * its daemons started): root for --user's account, then the worker
 * seccomp filter.  CW_OK also when the kernel has no seccomp (logged).
 */
static cw_rc
lock_down(server *s, const char *who, cw_err *err)
{
	cw_rc rc = CW_OK;
	bool sandboxed;

	CW_TRY(cw_privdrop_apply(&s->pd, err));
	/* a change of credentials clears the parent-death signal */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	CW_ENSURE(getppid() != 1, CW_ERR_INTERNAL, "the supervisor is gone");
	CW_TRY(cw_sandbox_apply(CW_SANDBOX_WORKER, &sandboxed, err));
	if (!sandboxed)
		fprintf(stderr, "{\"event\":\"seccomp-unavailable\","
		    "\"process\":\"%s\",\"pid\":%d}\n", who, (int)getpid());
out:
	return rc;
}

static cw_rc
ctx_open(server *s, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_err cache_err = CW_ERR_INIT;
	cw_http_ctx *x = &s->ctx;
	X509 *root = NULL;
	unsigned char *p = NULL;
	int n;

	CW_TRY(remote_engine(s, &x->engine, err));
	CW_TRY(cw_engine_ca_get1(x->engine, &x->issuing, &root, err));
	n = i2d_X509(x->issuing, &p);
	CW_ENSURE_OSSL(n > 0, "cannot encode the issuing CA");
	x->issuing_der = p;
	x->issuing_der_len = (size_t)n;
	p = NULL;
	if (root != NULL) {
		n = i2d_X509(root, &p);
		CW_ENSURE_OSSL(n > 0, "cannot encode the root CA");
		x->root_der = p;
		x->root_der_len = (size_t)n;
		p = NULL;
	}
	x->revocations = s->revocations;
	x->crl_next_update = cw_engine_crl_next_update(x->engine);
	/* client certificates: only those of our own issuing CA */
	CW_TRY(cw_ca_pem(x->engine, false, &x->client_ca_pem, err));
	/* signed OCSP responses (routes_public.c); without the cache every
	 * answer is signed afresh, which is slower but just as right */
	if (cw_ocsp_cache_new(CW_HTTP_OCSP_CACHE_ENTRIES,
	    CW_HTTP_OCSP_CACHE_RESPONSE, CW_HTTP_OCSP_CACHE_REFRESH,
	    &x->ocsp_cache, &cache_err) != CW_OK)
		fprintf(stderr, "certward serve: worker: running without an "
		    "OCSP response cache: %s\n", cache_err.msg);
out:
	X509_free(root);
	return rc;
}

static void
ctx_close(cw_http_ctx *x)
{
	OPENSSL_free(x->issuing_der);
	OPENSSL_free(x->root_der);
	OPENSSL_free(x->crl);
	X509_free(x->issuing);
	cw_engine_close(x->engine);
	free(x->client_ca_pem);
	cw_ocsp_cache_free(x->ocsp_cache);
	free(x->pending); /* emptied by cw_api_submit_flush() */
	memset(x, 0, sizeof(*x));
}

static struct MHD_Daemon *
start_daemon(server *s, listener *l)
{
	/* suspend/resume: submissions wait for the group commit */
	unsigned int flags = MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	struct MHD_OptionItem opts[12];
	size_t n = 0;

#define OPT(o, v, p) do { opts[n].option = (o); opts[n].value = (intptr_t)(v); \
	opts[n].ptr_value = (p); n++; } while (0)
	OPT(MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL);
	OPT(MHD_OPTION_LISTEN_SOCKET, l->fd, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, CW_HTTP_CONN_LIMIT, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, CW_HTTP_CONN_TIMEOUT, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, CW_HTTP_HEADER_MEMORY, NULL);
	if (l->tls) {
		flags |= MHD_USE_TLS;
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, s->key_pem);
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert_pem);
		/* asks for a client certificate, never requires one
		 * (client_cert.c) */
		if (l->ctx != NULL && l->ctx->client_ca_pem != NULL)
			OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0,
			    l->ctx->client_ca_pem);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, l,
	    MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
}

static unsigned int
connections(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(d,
	    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return i != NULL ? i->num_connections : 0;
}

/* Microseconds on the monotonic clock. */
static int64_t
mono_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/*
 * Group commit: whether to commit what this worker has queued now, or to
 * keep waiting for the submissions of its other connections.  A client's
 * connections tend to send together (they were answered together), and
 * a batch of four costs one commit and one fdatasync instead of four: on
 * the benchmark a ~300 µs wait took average batches from 2.2 to 3.4-3.8
 * submissions and throughput up by ~20% (docs/performance.md).  No wait
 * when every open connection is already in the batch (a lone client
 * waits for nothing), when it is full, or when the worker is stopping.
 * *until is when the current wait ends (0: not waiting).
 */
static bool
commit_now(server *s, bool stopping, int64_t *until)
{
	unsigned int open = 0;
	size_t i;

	if (s->ctx.n_pending == 0)
		return false;
	/* submissions come only to the API listener: the public one's
	 * OCSP and CRL clients are nobody to wait for */
	for (i = 0; i < s->n_l; i++)
		if (!s->l[i].is_public)
			open += connections(s->l[i].d);
	if (stopping || s->ctx.n_pending >= CW_HTTP_BATCH_MAX ||
	    s->ctx.n_pending >= open)
		return true;
	if (*until == 0) {
		*until = mono_us() + CW_HTTP_LINGER_US;
		return false;
	}
	return mono_us() >= *until;
}

static int
worker_main(server *s)
{
	cw_err err = CW_ERR_INIT;
	struct sigaction sa;
	sigset_t none;
	fd_set rs, ws, es;
	struct timeval tv;
	MHD_UNSIGNED_LONG_LONG to;
	time_t drain_until = 0;
	int64_t linger_until = 0;
	MHD_socket maxfd;
	size_t i;
	int status = 0;
	bool quiesced = false;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_worker_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* a worker never outlives its supervisor */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		return 1;

	if (ctx_open(s, &err) != CW_OK) {
		fprintf(stderr, "certward serve: worker: %s\n", err.msg);
		ctx_close(&s->ctx);
		return 3;
	}
	s->ctx.batching = true;
	for (i = 0; i < s->n_l; i++) {
		s->l[i].ctx = &s->ctx;
		if ((s->l[i].d = start_daemon(s, &s->l[i])) == NULL) {
			fprintf(stderr, "certward serve: worker: cannot start "
			    "the HTTP server on %s\n", s->l[i].spec);
			status = 3;
			goto out;
		}
	}
	/* the daemons hold the key now; this copy is not needed here */
	if (s->key_pem != NULL)
		OPENSSL_cleanse(s->key_pem, strlen(s->key_pem));
	if (lock_down(s, "worker", &err) != CW_OK) {
		fprintf(stderr, "certward serve: worker: %s\n", err.msg);
		status = 3;
		goto out;
	}

	for (;;) {
		if (worker_stop && !quiesced) {
			/* stop accepting; connections finish below */
			for (i = 0; i < s->n_l; i++)
				(void)MHD_quiesce_daemon(s->l[i].d);
			quiesced = true;
			drain_until = time(NULL) + CW_HTTP_DRAIN_SECONDS;
		}
		if (quiesced) {
			unsigned int n = 0;

			for (i = 0; i < s->n_l; i++)
				n += connections(s->l[i].d);
			/* idle keep-alive connections do not hold us up
			 * beyond the drain time; no handler is running
			 * now, so stopping writes nothing half-way, and
			 * every committed submission is answered first */
			if (n == 0 || (time(NULL) >= drain_until &&
			    answers_due == 0))
				break;
		}
		FD_ZERO(&rs);
		FD_ZERO(&ws);
		FD_ZERO(&es);
		maxfd = 0;
		tv.tv_sec = 1;
		tv.tv_usec = 0;
		for (i = 0; i < s->n_l; i++) {
			if (MHD_get_fdset(s->l[i].d, &rs, &ws, &es, &maxfd) !=
			    MHD_YES) {
				status = 3;
				goto out;
			}
			if (MHD_get_timeout(s->l[i].d, &to) == MHD_YES &&
			    to < (MHD_UNSIGNED_LONG_LONG)tv.tv_sec * 1000 +
			    (MHD_UNSIGNED_LONG_LONG)tv.tv_usec / 1000) {
				tv.tv_sec = (time_t)(to / 1000);
				tv.tv_usec = (suseconds_t)((to % 1000) * 1000);
			}
		}
		/* the group commit's wait for more submissions */
		if (linger_until > 0) {
			int64_t left = linger_until - mono_us();

			if (left < 0)
				left = 0;
			if (left < (int64_t)tv.tv_sec * 1000000 + tv.tv_usec) {
				tv.tv_sec = 0;
				tv.tv_usec = (suseconds_t)left;
			}
		}
		/* a connection resumed after the group commit may wait
		 * for the next pass before MHD runs its handler again:
		 * poll until every such answer is queued */
		if (answers_due > 0) {
			tv.tv_sec = 0;
			tv.tv_usec = 0;
		}
		if (select(maxfd + 1, &rs, &ws, &es, &tv) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "certward serve: select: %s\n",
			    strerror(errno));
			status = 3;
			goto out;
		}
		for (i = 0; i < s->n_l; i++)
			(void)MHD_run_from_select(s->l[i].d, &rs, &ws, &es);
		/* group commit: what was queued, in one transaction
		 * (docs/performance.md); the answers go out next pass */
		if (commit_now(s, quiesced, &linger_until)) {
			cw_api_submit_flush(&s->ctx, on_batch_answer);
			linger_until = 0;
		}
	}
out:
	/* only after a fatal error: what was queued is still decided
	 * and recorded, though stopping closes its connection before the
	 * answer goes out (the client finds the request by listing) */
	if (s->ctx.n_pending > 0)
		cw_api_submit_flush(&s->ctx, on_batch_answer);
	for (i = 0; i < s->n_l; i++)
		if (s->l[i].d != NULL)
			MHD_stop_daemon(s->l[i].d);
	ctx_close(&s->ctx);
	cw_signer_client_free(s->client);
	s->client = NULL;
	return status;
}

/* --- supervisor ---------------------------------------------------------------- */

/* In a child of the parent: what only the parent may hold. */
static void
child_close(server *s)
{
	/* the admin channel would let the child add channels of any role */
	if (s->signer.admin >= 0)
		close(s->signer.admin);
	s->signer.admin = -1;
}

/* Starts a worker with its own channel to the signer; -1 on failure. */
static pid_t
spawn(server *s)
{
	cw_err err = CW_ERR_INIT;
	pid_t pid;
	int fd;

	if (cw_signer_channel(&s->signer, CW_SIG_ROLE_WORKER, &fd,
	    &err) != CW_OK) {
		fprintf(stderr, "certward serve: no worker started: %s\n",
		    err.msg);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		child_close(s);
		s->chan_fd = fd;
		_exit(worker_main(s));
	}
	close(fd);
	if (pid < 0)
		fprintf(stderr, "certward serve: fork: %s\n", strerror(errno));
	return pid;
}

static void
log_event(const char *event, json_t *j)
{
	char *line;

	if (j == NULL)
		return;
	json_object_set_new(j, "event", json_string(event));
	if ((line = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)) != NULL) {
		fprintf(stderr, "%s\n", line);
		free(line);
	}
	json_decref(j);
}

/* Waits for one stopped worker, killing it after STOP_GRACE seconds. */
static void
wait_worker(pid_t pid)
{
	time_t deadline = time(NULL) + STOP_GRACE;
	int wst;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &wst, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			break;
		if (time(NULL) >= deadline) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, &wst, 0);
			break;
		}
		usleep(20000);
	}
	log_event("worker-exit", json_pack("{s:i, s:s}", "pid", (int)pid,
	    "reason", "replaced"));
}

/*
 * Replaces every worker by a new one (which opens a fresh engine and
 * takes the current certificate), one at a time: the new one is started
 * before the old one is told to finish its requests and stop.
 */
static void
roll_workers(server *s, const char *why)
{
	pid_t old, pid;
	int i;

	for (i = 0; i < s->n_workers; i++) {
		old = s->pids[i];
		if ((pid = spawn(s)) < 0)
			continue; /* the old one keeps serving */
		s->pids[i] = pid;
		log_event("worker-start", json_pack("{s:i, s:s}", "pid",
		    (int)pid, "reason", why));
		if (old > 0) {
			kill(old, SIGTERM);
			wait_worker(old);
		}
	}
}

/*
 * SIGHUP: checks config.yaml and the policy by opening the data directory
 * as a worker will; only then replaces the workers.  An invalid file is
 * refused with its error and the workers keep what they have.
 */
static void
reload(server *s)
{
	cw_err err = CW_ERR_INIT;

	/* the signer loads config.yaml, the policy and the CA with the
	 * loaders a worker uses; it keeps what it had when they fail */
	if (cw_signer_reload(&s->signer, &err) != CW_OK) {
		log_event("reload-refused", json_pack("{s:s}", "error",
		    err.msg));
		return;
	}
	log_event("reload", json_pack("{s:i}", "workers", s->n_workers));
	roll_workers(s, "reload");
}

/* What the certificate helper hands the parent, then the PEM texts. */
typedef struct cert_result {
	int32_t rc;
	int64_t renew_at;
	char serial[48];
	uint32_t cert_len, key_len;
	char msg[CW_ERR_MSG_MAX];
} cert_result;

static bool
write_full(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		b += w;
		n -= (size_t)w;
	}
	return true;
}

/* Reads exactly n bytes before deadline (CLOCK_MONOTONIC seconds). */
static bool
read_full(int fd, void *p, size_t n, time_t deadline)
{
	struct pollfd pf;
	struct timespec now;
	uint8_t *b = p;
	ssize_t r;
	int left;

	while (n > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec >= deadline)
			return false;
		left = (int)(deadline - now.tv_sec) * 1000;
		pf.fd = fd;
		pf.events = POLLIN;
		pf.revents = 0;
		r = poll(&pf, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		r = read(fd, b, n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return false;
		b += r;
		n -= (size_t)r;
	}
	return true;
}

/*
 * The certificate helper: a child that issues and records the server
 * certificate the way a worker issues any certificate (an engine without
 * the key, locked down before it touches the database), then hands it
 * to the parent over `out`.  The parent itself never opens the database,
 * which the network-facing processes can write.
 */
static int
cert_child(server *s, int out)
{
	cw_err err = CW_ERR_INIT;
	cert_result r;
	cw_engine *e = NULL;
	char *cert = NULL, *key = NULL;
	sigset_t none;
	cw_rc rc;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&r, 0, sizeof(r));
	rc = remote_engine(s, &e, &err);
	if (rc == CW_OK)
		rc = lock_down(s, "certificate", &err);
	if (rc == CW_OK)
		rc = cw_engine_server_cert(e, s->cert_host, &cert, &key,
		    r.serial, &r.renew_at, &err);
	r.rc = (int32_t)rc;
	if (rc == CW_OK) {
		r.cert_len = (uint32_t)strlen(cert);
		r.key_len = (uint32_t)strlen(key);
	} else {
		snprintf(r.msg, sizeof(r.msg), "%s", err.msg);
	}
	rc = write_full(out, &r, sizeof(r)) && (r.rc != CW_OK ||
	    (write_full(out, cert, r.cert_len) && write_full(out, key,
	    r.key_len))) ? CW_OK : CW_ERR_IO;
	if (key != NULL) {
		OPENSSL_cleanse(key, strlen(key));
		free(key);
	}
	free(cert);
	cw_engine_close(e);
	cw_signer_client_free(s->client);
	s->client = NULL;
	return rc == CW_OK ? 0 : 3;
}

/* A NUL-terminated copy of n bytes read from fd. */
static cw_rc
read_text(int fd, uint32_t n, time_t deadline, char **out, cw_err *err)
{
	char *t;

	*out = NULL;
	if (n == 0 || n > CERT_PEM_MAX)
		return cw_err_set(err, CW_ERR_INTERNAL, "the certificate helper "
		    "sent %u bytes", n);
	if ((t = malloc((size_t)n + 1)) == NULL)
		return cw_err_set(err, CW_ERR_NOMEM, "out of memory");
	if (!read_full(fd, t, n, deadline)) {
		OPENSSL_cleanse(t, n);
		free(t);
		return cw_err_set(err, CW_ERR_INTERNAL, "the certificate helper "
		    "stopped half-way");
	}
	t[n] = '\0';
	*out = t;
	return CW_OK;
}

/* Issues the self-issued certificate (start-up and renewal) through the
 * certificate helper (cert_child). */
static cw_rc
issue_server_cert(server *s, char **cert_pem, char **key_pem, cw_err *err)
{
	cw_rc rc = CW_OK;
	cert_result r;
	struct timespec now;
	time_t deadline;
	char due[40];
	int pv[2] = {-1, -1}, fd = -1, wst;
	size_t i;
	pid_t pid = -1;

	*cert_pem = NULL;
	*key_pem = NULL;
	CW_TRY(cw_signer_channel(&s->signer, CW_SIG_ROLE_SERVER, &fd, err));
	CW_ENSURE(pipe(pv) == 0 && fcntl(pv[0], F_SETFD, FD_CLOEXEC) == 0 &&
	    fcntl(pv[1], F_SETFD, FD_CLOEXEC) == 0, CW_ERR_INTERNAL,
	    "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	CW_ENSURE(pid >= 0, CW_ERR_INTERNAL, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(pv[0]);
		child_close(s);
		for (i = 0; i < s->n_l; i++)
			if (s->l[i].fd >= 0)
				close(s->l[i].fd);
		s->chan_fd = fd;
		_exit(cert_child(s, pv[1]));
	}
	close(pv[1]);
	pv[1] = -1;
	close(fd);
	fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec + CERT_CHILD_MS / 1000;
	CW_ENSURE(read_full(pv[0], &r, sizeof(r), deadline), CW_ERR_INTERNAL,
	    "the certificate helper gave no answer");
	r.serial[sizeof(r.serial) - 1] = '\0';
	r.msg[sizeof(r.msg) - 1] = '\0';
	if (r.rc != CW_OK) {
		rc = cw_err_set(err, r.rc > CW_OK && r.rc <= CW_ERR_INTERNAL ?
		    (cw_rc)r.rc : CW_ERR_INTERNAL, "%s", r.msg);
		goto out;
	}
	CW_TRY(read_text(pv[0], r.cert_len, deadline, cert_pem, err));
	CW_TRY(read_text(pv[0], r.key_len, deadline, key_pem, err));
	s->renew_at = r.renew_at;
	cw_time_text(r.renew_at, due, sizeof(due));
	log_event("server-certificate", json_pack("{s:s, s:s, s:s}", "serial",
	    r.serial, "host", s->cert_host, "renew_at", due));
out:
	if (pid > 0) {
		if (rc != CW_OK)
			kill(pid, SIGKILL);
		while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
			;
	}
	if (rc != CW_OK) {
		free(*cert_pem);
		*cert_pem = NULL;
		if (*key_pem != NULL) {
			OPENSSL_cleanse(*key_pem, strlen(*key_pem));
			free(*key_pem);
			*key_pem = NULL;
		}
	}
	for (i = 0; i < 2; i++)
		if (pv[i] >= 0)
			close(pv[i]);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Starts the signer (start-up, and after it died). */
static cw_rc
start_signer(server *s, cw_err *err)
{
	cw_signer_opts so;

	so.data_dir = s->o->data_dir;
	so.server_host = s->cert_host;
	s->signer_tried = time(NULL);
	return cw_signer_start(&so, &s->signer, err);
}

/* Renews the self-issued certificate when due, then replaces workers. */
static void
renew_if_due(server *s)
{
	cw_err err = CW_ERR_INIT;
	char *cert = NULL, *key = NULL;

	if (s->renew_at <= 0 || (int64_t)time(NULL) < s->renew_at)
		return;
	if (issue_server_cert(s, &cert, &key, &err) != CW_OK) {
		log_event("renew-failed", json_pack("{s:s, s:i}", "error",
		    err.msg, "retry_in", RENEW_RETRY));
		s->renew_at = (int64_t)time(NULL) + RENEW_RETRY;
		return;
	}
	OPENSSL_cleanse(s->key_pem, strlen(s->key_pem));
	free(s->key_pem);
	free(s->cert_pem);
	s->cert_pem = cert;
	s->key_pem = key;
	roll_workers(s, "certificate-renewal");
}

static int
supervise(server *s, const sigset_t *waitset)
{
	siginfo_t si;
	struct timespec ts = {1, 0};
	time_t deadline, window = 0;
	pid_t pid;
	int i, sig, wst, alive, restarts = 0, status = 0;

	for (;;) {
		sig = sigtimedwait(waitset, &si, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP)
			reload(s);
		renew_if_due(s);
		/* reap and restart; a worker that keeps dying at once is
		 * restarted at most 5 times a second */
		while ((pid = waitpid(-1, &wst, WNOHANG)) > 0) {
			if (pid == s->signer.pid) {
				log_event("signer-exit", json_pack("{s:i, s:i, "
				    "s:i}", "pid", (int)pid, "status",
				    WIFEXITED(wst) ? WEXITSTATUS(wst) : -1,
				    "signal", WIFSIGNALED(wst) ? WTERMSIG(wst) :
				    0));
				cw_signer_forget(&s->signer);
				continue;
			}
			for (i = 0; i < s->n_workers; i++)
				if (s->pids[i] == pid)
					s->pids[i] = 0;
			log_event("worker-exit", json_pack("{s:i, s:i, s:i}",
			    "pid", (int)pid, "status", WIFEXITED(wst) ?
			    WEXITSTATUS(wst) : -1, "signal", WIFSIGNALED(wst) ?
			    WTERMSIG(wst) : 0));
		}
		/* the signer first (at most once a second): every worker
		 * then needs a channel to the new one */
		if (s->signer.pid == 0 && time(NULL) != s->signer_tried) {
			cw_err err = CW_ERR_INIT;

			if (start_signer(s, &err) != CW_OK)
				log_event("signer-failed", json_pack("{s:s}",
				    "error", err.msg));
			else
				roll_workers(s, "signer-restart");
		}
		if (time(NULL) != window) {
			window = time(NULL);
			restarts = 0;
		}
		for (i = 0; i < s->n_workers; i++) {
			if (s->pids[i] != 0 || restarts >= 5 ||
			    s->signer.pid == 0)
				continue;
			restarts++;
			if ((s->pids[i] = spawn(s)) < 0)
				s->pids[i] = 0;
			else
				log_event("worker-start", json_pack("{s:i}",
				    "pid", (int)s->pids[i]));
		}
	}
	/* forward the stop; workers finish their requests, then exit */
	for (i = 0; i < s->n_workers; i++)
		if (s->pids[i] > 0)
			kill(s->pids[i], SIGTERM);
	deadline = time(NULL) + STOP_GRACE;
	do {
		alive = 0;
		for (i = 0; i < s->n_workers; i++) {
			if (s->pids[i] <= 0)
				continue;
			pid = waitpid(s->pids[i], &wst, WNOHANG);
			if (pid == s->pids[i]) {
				s->pids[i] = 0;
				if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
					status = 1;
			} else {
				alive++;
			}
		}
		if (alive > 0) {
			if (time(NULL) >= deadline) {
				for (i = 0; i < s->n_workers; i++)
					if (s->pids[i] > 0)
						kill(s->pids[i], SIGKILL);
				status = 1;
			}
			usleep(20000);
		}
	} while (alive > 0);
	log_event("stopped", json_pack("{s:i}", "status", status));
	return status;
}

static bool
unspecified(const char *host)
{
	return strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 ||
	    strcmp(host, "*") == 0;
}

/* The TLS certificate: the given files, or one issued to ourselves. */
static int
tls_setup(server *s, const char *host)
{
	cw_err err = CW_ERR_INIT;
	uint8_t *b = NULL;
	size_t len = 0;
	int st = 0;

	if (s->o->tls_cert != NULL) {
		if (cw_read_file(s->o->tls_cert, 1024 * 1024, &b, &len,
		    &err) != CW_OK)
			goto fail;
		if ((s->cert_pem = calloc(1, len + 1)) == NULL)
			goto oom;
		memcpy(s->cert_pem, b, len);
		free(b);
		b = NULL;
		if (cw_read_file(s->o->tls_key, CW_MAX_KEY_FILE_BYTES, &b,
		    &len, &err) != CW_OK)
			goto fail;
		if ((s->key_pem = calloc(1, len + 1)) == NULL)
			goto oom;
		memcpy(s->key_pem, b, len);
		OPENSSL_cleanse(b, len);
		free(b);
		return 0; /* given files are the operator's to renew */
	}
	(void)host;
	if (issue_server_cert(s, &s->cert_pem, &s->key_pem, &err) != CW_OK)
		goto fail;
	return 0;
oom:
	cw_err_set(&err, CW_ERR_NOMEM, "out of memory");
fail:
	free(b);
	fprintf(stderr, "certward serve: %s\n", err.msg);
	st = cw_rc_exit_code(err.rc);
	return st != 0 ? st : 3;
}

/*
 * Who the network-facing processes become (--user), and the check that
 * they cannot read the CA's keys as that user.  Returns an exit status.
 */
static int
plan_isolation(server *s)
{
	cw_err err = CW_ERR_INIT;
	char paths[3][1024];
	const char *p[3];
	int bad;

	if (cw_privdrop_plan(s->o->user, &s->pd, &err) != CW_OK) {
		fprintf(stderr, "certward serve: %s\n", err.msg);
		return 2;
	}
	if (!s->pd.active) {
		log_event("isolation", json_pack("{s:n, s:i, s:s}", "user",
		    "uid", (int)getuid(), "note", "not started as root: the "
		    "workers keep this user, which can read the key files; "
		    "the keys are in the signer process only"));
		return 0;
	}
	snprintf(paths[0], sizeof(paths[0]), "%s/ca/issuing.key",
	    s->o->data_dir);
	snprintf(paths[1], sizeof(paths[1]), "%s/ca/root.key", s->o->data_dir);
	snprintf(paths[2], sizeof(paths[2]), "%s/audit/audit.key",
	    s->o->data_dir);
	p[0] = paths[0];
	p[1] = paths[1];
	p[2] = paths[2];
	if (cw_privdrop_probe(&s->pd, p, 3, &bad, &err) != CW_OK) {
		fprintf(stderr, "certward serve: %s\n", err.msg);
		return 3;
	}
	if (bad >= 0) {
		fprintf(stderr, "certward serve: %s can be read by user %s, "
		    "whom the workers become: keep the CA keys readable by "
		    "root only (chmod 600 the key, chmod 700 its directory) "
		    "or name another user with --user\n", p[bad], s->pd.user);
		return 2;
	}
	log_event("isolation", json_pack("{s:s, s:i}", "user", s->pd.user,
	    "uid", (int)s->pd.uid));
	return 0;
}

int
cw_http_serve(const cw_serve_opts *o)
{
	server s;
	sigset_t set, old;
	long ncpu;
	size_t i;
	int st = 0, k;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.chan_fd = -1;
	s.signer.admin = -1;
	if (!MHD_is_feature_supported(MHD_FEATURE_TLS) && o->listen != NULL) {
		fprintf(stderr, "certward serve: this libmicrohttpd has no TLS "
		    "support\n");
		return 3;
	}
	s.l[0].spec = o->listen;
	s.l[0].tls = true;
	s.l[0].fd = -1;
	s.n_l = 1;
	if (o->public_listen != NULL) {
		s.l[1].spec = o->public_listen;
		s.l[1].is_public = true;
		s.l[1].fd = -1;
		s.n_l = 2;
	}
	for (i = 0; i < s.n_l; i++)
		if (bind_listener(&s.l[i]) != 0) {
			st = 2;
			goto out;
		}
	if ((st = plan_isolation(&s)) != 0)
		goto out;
	if (o->tls_cert == NULL)
		s.cert_host = unspecified(s.l[0].host) ? "localhost" :
		    s.l[0].host;
	{
		cw_err serr = CW_ERR_INIT;

		/* before anything else is forked: the key holder */
		if (start_signer(&s, &serr) != CW_OK) {
			fprintf(stderr, "certward serve: %s\n", serr.msg);
			st = cw_rc_exit_code(serr.rc) != 0 ?
			    cw_rc_exit_code(serr.rc) : 3;
			goto out;
		}
	}
	if ((st = tls_setup(&s, s.l[0].host)) != 0)
		goto out;
	/* one counter all workers see: a revocation anywhere makes every
	 * cached CRL stale */
	s.revocations = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s.revocations == MAP_FAILED) {
		fprintf(stderr, "certward serve: mmap: %s\n", strerror(errno));
		s.revocations = NULL;
		st = 3;
		goto out;
	}
	/* the metrics counters, shared like the revocation counter; the
	 * server runs without them rather than not at all */
	{
		cw_err merr = CW_ERR_INIT;

		if (cw_metrics_setup(&merr) != CW_OK)
			fprintf(stderr, "certward serve: metrics: %s\n",
			    merr.msg);
	}
	s.n_workers = o->workers;
	if (s.n_workers <= 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		s.n_workers = ncpu < 1 ? 1 : ncpu > CW_HTTP_MAX_WORKERS ?
		    CW_HTTP_MAX_WORKERS : (int)ncpu;
	}
	if ((s.pids = calloc((size_t)s.n_workers, sizeof(pid_t))) == NULL) {
		st = 3;
		goto out;
	}
	/* signals are taken synchronously by the supervisor; the workers
	 * unblock them for themselves */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGPIPE, SIG_IGN);
	fflush(NULL);
	for (k = 0; k < s.n_workers; k++)
		if ((s.pids[k] = spawn(&s)) < 0)
			s.pids[k] = 0;
	log_event("listening", json_pack("{s:s, s:s?, s:i, s:b}", "listen",
	    o->listen, "public_listen", o->public_listen, "workers",
	    s.n_workers, "tls", 1));
	st = supervise(&s, &set);
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	/* the workers are gone: the signer has nobody left to serve */
	cw_signer_stop(&s.signer);
	for (i = 0; i < s.n_l; i++)
		if (s.l[i].fd >= 0)
			close(s.l[i].fd);
	if (s.key_pem != NULL) {
		OPENSSL_cleanse(s.key_pem, strlen(s.key_pem));
		free(s.key_pem);
	}
	free(s.cert_pem);
	free(s.pids);
	if (s.revocations != NULL)
		munmap((void *)s.revocations, sizeof(uint64_t));
	cw_metrics_teardown();
	return st;
}
