/*
 * signer.c - the signer process (signer.h): start-up, the parent's admin
 * channel, and the loop that answers the clients' channels.
 *
 * One process, one thread, poll over every channel.  Each channel keeps
 * its own reassembly state, so a client that sends half a message holds
 * up only itself; a message is handled as soon as it is whole.  Whatever
 * a client sends that does not decode is answered with a MALFORMED
 * refusal and forgotten; a descriptor sent on a client channel is closed
 * unread.  Refusals are logged (one JSON line on standard error), what is
 * signed is not (the workers log and audit it).
 */
#include "signer.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "privdrop.h"
#include "sandbox.h"
#include "signer_chan.h"

typedef struct chan {
	int fd;
	cw_sig_role role;
	cw_sig_rx rx;
} chan;

typedef struct sstate {
	const cw_signer_opts *o;
	cw_engine *e;
	int admin;
	cw_sig_rx admin_rx;
	chan ch[CW_SIGNER_MAX_CHANNELS];
	size_t n;
} sstate;

static void
log_line(const char *event, json_t *j)
{
	char *line;

	if (j == NULL)
		return;
	json_object_set_new(j, "event", json_string(event));
	json_object_set_new(j, "pid", json_integer((json_int_t)getpid()));
	if ((line = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)) != NULL) {
		fprintf(stderr, "%s\n", line);
		free(line);
	}
	json_decref(j);
}

/* --- answers ------------------------------------------------------------------ */

static cw_rc
reply_ok(int fd, uint32_t id, const uint8_t *data, size_t len, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_sig_wbuf w;

	cw_sig_wbuf_init(&w, CW_SIG_CRL_MAX);
	CW_TRY(cw_sig_ok_encode(&w, data, len, err));
	CW_TRY(cw_sig_send(fd, CW_SIG_OK, id, w.b, w.len, -1,
	    CW_SIGNER_REPLY_MS, err));
out:
	cw_sig_wbuf_cleanup(&w);
	return rc;
}

static cw_rc
reply_error(int fd, uint32_t id, cw_refusal why, cw_rc code, const char *msg,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_sig_wbuf w;

	cw_sig_wbuf_init(&w, CW_SIG_SMALL_MAX);
	CW_TRY(cw_sig_error_encode(&w, why, code == CW_OK ? CW_ERR_INTERNAL :
	    code, msg, err));
	CW_TRY(cw_sig_send(fd, CW_SIG_ERROR, id, w.b, w.len, -1,
	    CW_SIGNER_REPLY_MS, err));
out:
	cw_sig_wbuf_cleanup(&w);
	return rc;
}

static const char *
type_name(uint16_t t)
{
	switch (t) {
	case CW_SIG_CERT: return "cert";
	case CW_SIG_CRL: return "crl";
	case CW_SIG_OCSP: return "ocsp";
	case CW_SIG_CHECKPOINT: return "checkpoint";
	default: return "other";
	}
}

/* --- requests ------------------------------------------------------------------ */

/*
 * Handles one whole message of a client channel.  Fills *der (or leaves
 * it NULL for an answer with no bytes) or returns the refusal.
 */
static cw_rc
handle(sstate *s, const chan *c, uint8_t **der, size_t *len, char *tmpl,
    cw_refusal *why, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_sign_scope scope;
	cw_sig_cert_req cr;
	cw_sig_crl_req lr;
	cw_sig_ocsp_req *orq = NULL;
	cw_checkpoint cp;
	X509_CRL *crl = NULL;
	unsigned char *p = NULL;
	int n;

	memset(&cr, 0, sizeof(cr));
	memset(&lr, 0, sizeof(lr));
	*der = NULL;
	*len = 0;
	scope.server_cert = c->role == CW_SIG_ROLE_SERVER;
	scope.server_host = s->o->server_host;
	*why = CW_REFUSE_MALFORMED;
	switch (c->rx.type) {
	case CW_SIG_CERT:
		CW_TRY(cw_sig_cert_decode(c->rx.buf, c->rx.total, &cr, err));
		snprintf(tmpl, CW_SIG_TEMPLATE_MAX + 1, "%s", cr.tmpl);
		CW_TRY(cw_engine_sign_cert_checked(s->e, &scope, cr.tmpl,
		    &cr.p, cr.spki, cr.spki_len, der, len, why, err));
		goto out;
	case CW_SIG_CRL:
		CW_TRY(cw_sig_crl_decode(c->rx.buf, c->rx.total, &lr, err));
		CW_TRY(cw_engine_sign_crl_checked(s->e, &scope, lr.rev, lr.n_rev,
		    lr.this_update, lr.next_update, lr.number, lr.number_len,
		    &crl, why, err));
		n = i2d_X509_CRL(crl, &p);
		break;
	case CW_SIG_OCSP:
		/* about 2 KB: off the stack of a small loop */
		orq = calloc(1, sizeof(*orq));
		*why = CW_REFUSE_INTERNAL;
		CW_ENSURE_MEM(orq);
		*why = CW_REFUSE_MALFORMED;
		CW_TRY(cw_sig_ocsp_decode(c->rx.buf, c->rx.total, orq, err));
		CW_TRY(cw_engine_sign_ocsp_checked(s->e, &scope, &orq->req,
		    orq->st, orq->this_update, orq->next_update, der, len, why,
		    err));
		goto out;
	case CW_SIG_CHECKPOINT:
		CW_TRY(cw_sig_checkpoint_decode(c->rx.buf, c->rx.total, &cp,
		    err));
		CW_TRY(cw_engine_sign_checkpoint_checked(s->e, &scope, &cp, why,
		    err));
		CW_ENSURE(cp.sig_len > 0, CW_ERR_INTERNAL, "empty signature");
		*der = OPENSSL_memdup(cp.sig, cp.sig_len);
		*why = CW_REFUSE_INTERNAL;
		CW_ENSURE_MEM(*der);
		*len = cp.sig_len;
		goto out;
	default:
		*why = CW_REFUSE_ROLE;
		rc = cw_err_set(err, CW_ERR_NONCOMPLIANT, "a message of type "
		    "%u is not for a client channel", c->rx.type);
		goto out;
	}
	*why = CW_REFUSE_INTERNAL;
	CW_ENSURE_OSSL(n > 0, "cannot encode the result");
	*der = p;
	*len = (size_t)n;
	p = NULL;
	*why = CW_REFUSE_NONE;
out:
	OPENSSL_free(p);
	X509_CRL_free(crl);
	free(orq);
	cw_sig_cert_req_cleanup(&cr);
	cw_sig_crl_req_cleanup(&lr);
	ERR_clear_error();
	return rc;
}

/* Answers the whole message of channel i; false when the channel must
 * go (its client does not read its answers). */
static bool
serve_one(sstate *s, chan *c)
{
	cw_err err = CW_ERR_INIT, serr = CW_ERR_INIT;
	cw_refusal why = CW_REFUSE_NONE;
	uint8_t *der = NULL;
	size_t len = 0;
	char tmpl[CW_SIG_TEMPLATE_MAX + 1] = "";
	cw_rc rc, sent;

	rc = handle(s, c, &der, &len, tmpl, &why, &err);
	if (rc == CW_OK) {
		sent = reply_ok(c->fd, c->rx.id, der, len, &serr);
	} else {
		if (why == CW_REFUSE_NONE)
			why = CW_REFUSE_INTERNAL;
		log_line("signer-refused", json_pack("{s:s, s:s, s:s?, s:s}",
		    "request", type_name(c->rx.type), "refusal",
		    cw_refusal_name(why), "template", tmpl[0] ? tmpl : NULL,
		    "detail", err.msg));
		sent = reply_error(c->fd, c->rx.id, why, rc, err.msg, &serr);
	}
	if (der != NULL)
		OPENSSL_clear_free(der, len);
	cw_sig_rx_reset(&c->rx);
	return sent == CW_OK;
}

static void
chan_close(sstate *s, size_t i)
{
	cw_sig_rx_reset(&s->ch[i].rx);
	close(s->ch[i].fd);
	s->ch[i] = s->ch[s->n - 1];
	memset(&s->ch[s->n - 1], 0, sizeof(s->ch[0]));
	s->n--;
}

/* Reads what channel i has; false when it must be closed. */
static bool
chan_read(sstate *s, size_t i)
{
	cw_err err = CW_ERR_INIT;
	uint8_t buf[CW_SIG_FRAG_MAX];
	chan *c = &s->ch[i];
	size_t len;
	int fd;
	bool done;
	cw_rc rc;

	rc = cw_sig_recv_dgram(c->fd, buf, &len, &fd, 0, &err);
	if (rc == CW_ERR_NOT_FOUND)
		return true;
	if (rc != CW_OK)
		return false;
	if (fd >= 0) {
		/* only the parent passes descriptors */
		close(fd);
		cw_sig_rx_reset(&c->rx);
		return reply_error(c->fd, 0, CW_REFUSE_ROLE, CW_ERR_INPUT,
		    "a descriptor was sent on a client channel", &err) == CW_OK;
	}
	if (cw_sig_rx_feed(&c->rx, buf, len, &done, &err) != CW_OK) {
		log_line("signer-refused", json_pack("{s:s, s:s, s:s}",
		    "request", "fragment", "refusal", "malformed", "detail",
		    err.msg));
		return reply_error(c->fd, 0, CW_REFUSE_MALFORMED, CW_ERR_INPUT,
		    err.msg, &err) == CW_OK;
	}
	return !done || serve_one(s, c);
}

/* --- the admin channel ------------------------------------------------------------ */

/* Handles one message of the parent; false when the signer must stop. */
static bool
admin_read(sstate *s)
{
	cw_err err = CW_ERR_INIT;
	uint8_t buf[CW_SIG_FRAG_MAX];
	cw_engine *ne = NULL;
	size_t len;
	uint8_t role;
	int fd;
	bool done;
	cw_rc rc;

	rc = cw_sig_recv_dgram(s->admin, buf, &len, &fd, 0, &err);
	if (rc == CW_ERR_NOT_FOUND)
		return true;
	if (rc != CW_OK)
		return false; /* the parent is gone or closed: stop */
	if (cw_sig_rx_feed(&s->admin_rx, buf, len, &done, &err) != CW_OK) {
		if (fd >= 0)
			close(fd);
		return reply_error(s->admin, 0, CW_REFUSE_MALFORMED,
		    CW_ERR_INPUT, err.msg, &err) == CW_OK;
	}
	if (!done) {
		if (fd >= 0)
			close(fd);
		return true;
	}
	switch (s->admin_rx.type) {
	case CW_SIG_ADD_CHANNEL:
		if (fd < 0 || cw_sig_u8_decode(s->admin_rx.buf,
		    s->admin_rx.total, &role, &err) != CW_OK ||
		    (role != CW_SIG_ROLE_WORKER && role != CW_SIG_ROLE_SERVER)) {
			rc = cw_err_set(&err, CW_ERR_INPUT, "ADD_CHANNEL needs a "
			    "role and a descriptor");
			break;
		}
		if (s->n == CW_SIGNER_MAX_CHANNELS) {
			rc = cw_err_set(&err, CW_ERR_INTERNAL, "the signer has "
			    "%d channels already", CW_SIGNER_MAX_CHANNELS);
			break;
		}
		s->ch[s->n].fd = fd;
		s->ch[s->n].role = (cw_sig_role)role;
		memset(&s->ch[s->n].rx, 0, sizeof(s->ch[s->n].rx));
		s->n++;
		fd = -1;
		rc = CW_OK;
		break;
	case CW_SIG_RELOAD:
		rc = cw_engine_open_keys(s->o->data_dir, &ne, &err);
		if (rc == CW_OK) {
			cw_engine_close(s->e);
			s->e = ne;
			log_line("signer-reload", json_object());
		}
		break;
	default:
		rc = cw_err_set(&err, CW_ERR_INPUT, "type %u is not an admin "
		    "message", s->admin_rx.type);
		break;
	}
	if (fd >= 0)
		close(fd);
	if (rc == CW_OK)
		rc = reply_ok(s->admin, s->admin_rx.id, NULL, 0, &err);
	else
		rc = reply_error(s->admin, s->admin_rx.id, rc == CW_ERR_INPUT ?
		    CW_REFUSE_MALFORMED : CW_REFUSE_INTERNAL, rc, err.msg, &err);
	cw_sig_rx_reset(&s->admin_rx);
	return rc == CW_OK;
}

/* --- the process ------------------------------------------------------------------- */

/* Loads and locks down; err says what failed. */
static cw_rc
setup(sstate *s, cw_err *err)
{
	cw_rc rc = CW_OK;
	bool sandboxed;

	CW_TRY(cw_engine_open_keys(s->o->data_dir, &s->e, err));
	/* no core dumps and no ptrace or /proc/PID/mem for its own user */
	CW_ENSURE(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0, CW_ERR_INTERNAL,
	    "PR_SET_DUMPABLE: %s", strerror(errno));
	CW_TRY(cw_caps_drop_all(err));
	CW_TRY(cw_sandbox_apply(CW_SANDBOX_SIGNER, &sandboxed, err));
	log_line("signer-start", json_pack("{s:i, s:b, s:s}", "uid",
	    (int)getuid(), "seccomp", sandboxed, "capabilities", "none"));
out:
	return rc;
}

int
cw_signer_run(const cw_signer_opts *o, int admin_fd)
{
	static sstate s; /* the channel table: off the stack */
	cw_err err = CW_ERR_INIT;
	struct pollfd pf[CW_SIGNER_MAX_CHANNELS + 1];
	size_t i, k, n;
	int r;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.admin = admin_fd;
	s.admin_rx.replies = false;
	if (setup(&s, &err) != CW_OK) {
		(void)reply_error(admin_fd, 0, CW_REFUSE_INTERNAL, err.rc,
		    err.msg, &err);
		cw_engine_close(s.e);
		return 3;
	}
	if (cw_sig_send(admin_fd, CW_SIG_READY, 0, NULL, 0, -1,
	    CW_SIGNER_REPLY_MS, &err) != CW_OK) {
		cw_engine_close(s.e);
		return 3;
	}
	for (;;) {
		pf[0].fd = s.admin;
		pf[0].events = POLLIN;
		pf[0].revents = 0;
		n = s.n;
		for (i = 0; i < n; i++) {
			pf[i + 1].fd = s.ch[i].fd;
			pf[i + 1].events = POLLIN;
			pf[i + 1].revents = 0;
		}
		r = poll(pf, n + 1, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (pf[0].revents != 0 && !admin_read(&s))
			break;
		/* channels in reverse: closing one moves the last into
		 * its place, which was already looked at */
		for (k = n; k > 0; k--) {
			i = k - 1;
			if (i >= s.n || pf[k].revents == 0)
				continue;
			if (!chan_read(&s, i))
				chan_close(&s, i);
		}
	}
	while (s.n > 0)
		chan_close(&s, s.n - 1);
	cw_sig_rx_reset(&s.admin_rx);
	cw_engine_close(s.e);
	return 0;
}

/* --- the parent's side ------------------------------------------------------------- */

/* Closes every descriptor but 0-2 and keep. */
static void
close_others(int keep)
{
	long max = sysconf(_SC_OPEN_MAX);
	int fd;

#ifdef SYS_close_range
	if (keep > 3 && syscall(SYS_close_range, 3u, (unsigned)keep - 1,
	    0u) != 0)
		goto slow;
	if (syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0)
		return;
slow:
#endif
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

cw_rc
cw_signer_start(const cw_signer_opts *o, cw_signer_proc *sp, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_sig_error e;
	struct sigaction sa;
	sigset_t none;
	int sv[2] = {-1, -1}, wst;
	pid_t parent = getpid(), pid;

	memset(sp, 0, sizeof(*sp));
	sp->admin = -1;
	sp->rx.replies = true;
	CW_TRY(cw_sig_pair(sv, err));
	fflush(NULL);
	pid = fork();
	CW_ENSURE(pid >= 0, CW_ERR_INTERNAL, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* never outlive the parent, whose admin channel it serves */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(3);
		close_others(sv[1]);
		/* it stops when the parent closes the admin channel: the
		 * workers' last requests may still need it after a
		 * SIGTERM to the whole process group */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		sigaction(SIGPIPE, &sa, NULL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		_exit(cw_signer_run(o, sv[1]));
	}
	close(sv[1]);
	sv[1] = -1;
	sp->pid = pid;
	sp->admin = sv[0];
	sv[0] = -1;
	if (cw_sig_recv_msg(sp->admin, &sp->rx, NULL, CW_SIGNER_START_MS,
	    err) != CW_OK) {
		rc = cw_err_set(err, CW_ERR_INTERNAL, "the signer process did "
		    "not start: %s", err != NULL ? err->msg : "");
		goto out;
	}
	if (sp->rx.type == CW_SIG_ERROR) {
		if (cw_sig_error_decode(sp->rx.buf, sp->rx.total, &e, err) ==
		    CW_OK)
			rc = cw_err_set(err, e.rc, "%s", e.msg);
		else
			rc = CW_ERR_INTERNAL;
		goto out;
	}
	CW_ENSURE(sp->rx.type == CW_SIG_READY, CW_ERR_INTERNAL, "the signer "
	    "process answered %u at start-up", sp->rx.type);
out:
	cw_sig_rx_reset(&sp->rx);
	if (rc != CW_OK && sp->pid > 0) {
		close(sp->admin);
		sp->admin = -1;
		kill(sp->pid, SIGKILL);
		while (waitpid(sp->pid, &wst, 0) < 0 && errno == EINTR)
			;
		sp->pid = 0;
	}
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return rc;
}

cw_rc
cw_signer_channel(cw_signer_proc *sp, cw_sig_role role, int *fd, cw_err *err)
{
	cw_rc rc = CW_OK;
	uint8_t r = (uint8_t)role;
	const uint8_t *d;
	size_t n;
	int sv[2] = {-1, -1};

	*fd = -1;
	CW_ENSURE(sp->admin >= 0, CW_ERR_INTERNAL, "the signer is not running");
	CW_TRY(cw_sig_pair(sv, err));
	CW_TRY(cw_signer_call(sp->admin, &sp->next_id, &sp->rx,
	    CW_SIG_ADD_CHANNEL, &r, 1, sv[1], CW_SIGNER_TIMEOUT_MS, &d, &n,
	    NULL, err));
	*fd = sv[0];
	sv[0] = -1;
out:
	cw_sig_rx_reset(&sp->rx);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return rc;
}

cw_rc
cw_signer_reload(cw_signer_proc *sp, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_err e = CW_ERR_INIT;
	const uint8_t *d;
	size_t n;

	CW_ENSURE(sp->admin >= 0, CW_ERR_INTERNAL, "the signer is not running");
	rc = cw_signer_call(sp->admin, &sp->next_id, &sp->rx, CW_SIG_RELOAD,
	    NULL, 0, -1, CW_SIGNER_TIMEOUT_MS, &d, &n, NULL, &e);
	/* the signer's own message, without "the signer refused" */
	if (rc != CW_OK)
		rc = cw_err_set(err, rc, "%s", strncmp(e.msg, "the signer "
		    "refused (internal): ", 31) == 0 ? e.msg + 31 : e.msg);
out:
	cw_sig_rx_reset(&sp->rx);
	return rc;
}

void
cw_signer_forget(cw_signer_proc *sp)
{
	if (sp->admin >= 0)
		close(sp->admin);
	sp->admin = -1;
	sp->pid = 0;
	cw_sig_rx_reset(&sp->rx);
}

void
cw_signer_stop(cw_signer_proc *sp)
{
	int wst, i;
	pid_t r;

	if (sp->admin >= 0)
		close(sp->admin);
	sp->admin = -1;
	if (sp->pid > 0) {
		for (i = 0; i < 250; i++) {
			r = waitpid(sp->pid, &wst, WNOHANG);
			if (r == sp->pid || (r < 0 && errno != EINTR))
				break;
			usleep(20000);
		}
		if (i == 250) {
			kill(sp->pid, SIGKILL);
			(void)waitpid(sp->pid, &wst, 0);
		}
	}
	sp->pid = 0;
	cw_sig_rx_reset(&sp->rx);
}
