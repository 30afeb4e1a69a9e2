/*
 * sandbox.h - the seccomp filters of `certward serve`'s processes
 * (libseccomp; docs/security.md says why each is shaped as it is).
 */
#ifndef CW_SANDBOX_H
#define CW_SANDBOX_H

#include <stdbool.h>

#include "../common/err.h"

typedef enum cw_sandbox_kind {
	/*
	 * A deny-list for the processes that run libmicrohttpd, GnuTLS and
	 * SQLite: every call those need stays allowed; what an attacker
	 * would want next fails with EPERM (running programs, tracing or
	 * reading other processes, mounts and namespaces, kernel modules,
	 * BPF, keyrings, changing ids or capabilities, signalling other
	 * processes, clock and system settings).
	 */
	CW_SANDBOX_WORKER,
	/*
	 * An allow-list for the signer: memory, time, randomness, reading
	 * and writing the descriptors it has, opening files read-only (it
	 * reads the policy and keys again on reload), poll; everything else
	 * fails with EPERM.
	 */
	CW_SANDBOX_SIGNER,
} cw_sandbox_kind;

/*
 * Loads the filter into the calling process (and PR_SET_NO_NEW_PRIVS,
 * which it needs).  When the kernel has no seccomp, *applied is false
 * and CW_OK is returned: the caller logs that it runs without.  Other
 * failures: CW_ERR_INTERNAL (the caller must not go on).
 */
cw_rc cw_sandbox_apply(cw_sandbox_kind kind, bool *applied, cw_err *err)
    CW_MUST_USE;

#endif
