/*
 * signer.h - the signer process of `certward serve` (issue 4, key
 * isolation; docs/security.md).
 *
 * The CA's private keys (the issuing key and the audit key) live only in
 * this process.  The serve parent forks it before anything else, gives it
 * one channel per client (a SOCK_SEQPACKET socket pair, passed over the
 * parent's admin channel with the client's role), and restarts it when
 * it dies.  The signer never reads the network or the database: its only
 * input is the typed, bounded messages of signer_msg.h from its clients,
 * each re-checked against the configuration, policy and CA it loaded
 * itself (sign_check.c) before anything is signed.
 *
 * Once its keys are loaded it makes itself non-dumpable (no ptrace, no
 * /proc/PID/mem for its own user), drops every capability (it keeps its
 * user, root when the server was started as root, to read the keys again
 * on reload) and applies its seccomp allow-list (sandbox.h).  It ignores
 * SIGINT, SIGTERM and SIGHUP: it exits when the parent closes the admin
 * channel (after the workers have finished their requests) or dies.
 */
#ifndef CW_SIGNER_H
#define CW_SIGNER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"
#include "../engine/engine.h"
#include "../engine/sign.h"
#include "signer_msg.h"

#define CW_SIGNER_MAX_CHANNELS 160   /* clients at once */
#define CW_SIGNER_TIMEOUT_MS 60000   /* one request, a CRL included */
#define CW_SIGNER_START_MS 60000     /* loading the policy and keys */
#define CW_SIGNER_REPLY_MS 10000     /* a client that does not read */

typedef struct cw_signer_opts {
	const char *data_dir;
	/* the host serve's self-issued TLS certificate names (with
	 * localhost), or NULL when it uses --tls-cert */
	const char *server_host;
} cw_signer_opts;

/* The parent's handle on a running signer. */
typedef struct cw_signer_proc {
	pid_t pid;     /* 0 when not running */
	int admin;     /* the parent's end of the admin channel, or -1 */
	uint32_t next_id;
	cw_sig_rx rx;
} cw_signer_proc;

/*
 * Forks the signer and waits until it has loaded the policy and keys and
 * locked itself down (CW_SIGNER_START_MS at most).  On failure the child
 * is gone and err says why (the signer's own message when it got that
 * far).  Every descriptor but standard input, output and error and the
 * admin channel is closed in the child.  sp is overwritten.
 */
cw_rc cw_signer_start(const cw_signer_opts *o, cw_signer_proc *sp,
    cw_err *err) CW_MUST_USE;

/*
 * Opens a channel to the signer for a client of `role`: *fd (close-on-
 * exec) is the client's end, to hand to cw_signer_client_new in the
 * process that will use it.
 */
cw_rc cw_signer_channel(cw_signer_proc *sp, cw_sig_role role, int *fd,
    cw_err *err) CW_MUST_USE;

/* Makes the signer load config, policy and keys again (SIGHUP).  On
 * failure the signer keeps what it had and err carries its message. */
cw_rc cw_signer_reload(cw_signer_proc *sp, cw_err *err) CW_MUST_USE;

/*
 * Closes the admin channel, which makes the signer exit, and reaps it
 * (SIGKILL after 5 seconds).  NULL-safe on a stopped handle.  Not for a
 * signer the caller already reaped: use cw_signer_forget then.
 */
void cw_signer_stop(cw_signer_proc *sp);

/* Forgets a signer that has exited and was reaped (closes the admin
 * channel). */
void cw_signer_forget(cw_signer_proc *sp);

/* --- the client side (signer_client.c) ----------------------------------------- */

typedef struct cw_signer_client cw_signer_client;

/* Takes fd (a channel's client end); *out (cw_signer_client_free). */
cw_rc cw_signer_client_new(int fd, cw_signer_client **out, cw_err *err)
    CW_MUST_USE;

/* The cw_signer operations over this client, for cw_engine_open_remote
 * (the client must outlive the engine). */
void cw_signer_client_ops(cw_signer_client *c, cw_signer *s);

/* Closes the channel; NULL-safe. */
void cw_signer_client_free(cw_signer_client *c);

/*
 * One request and its answer on a channel: sends type/body (with
 * pass_fd >= 0 passed along), waits for the answer with the same id.  An
 * OK answer leaves its result in *data (borrowed from rx until its next
 * use); a refusal becomes err: its cw_rc (CW_ERR_NONCOMPLIANT for what the
 * template or the signer's checks refuse), "the signer refused (KIND):
 * ...", and *refusal when not NULL; a malformed request is
 * CW_ERR_INTERNAL (a bug on this side).  CW_ERR_INTERNAL when the signer
 * does not answer.
 */
cw_rc cw_signer_call(int fd, uint32_t *next_id, cw_sig_rx *rx, uint16_t type,
    const uint8_t *body, size_t len, int pass_fd, int timeout_ms,
    const uint8_t **data, size_t *data_len, cw_refusal *refusal,
    cw_err *err) CW_MUST_USE;

/* --- the process (signer.c) -------------------------------------------------------- */

/*
 * The signer's main: loads, locks down, answers READY on admin_fd, then
 * serves until admin_fd closes.  Returns the exit status.  Called in the
 * child by cw_signer_start; tests may call it in a child of their own.
 */
int cw_signer_run(const cw_signer_opts *o, int admin_fd);

#endif
