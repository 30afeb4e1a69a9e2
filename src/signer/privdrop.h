/*
 * privdrop.h - what `certward serve`'s processes give up once set up
 * (docs/security.md): the network-facing ones switch to an unprivileged
 * user when the server was started as root; the signer keeps its user (it
 * must read the keys again on reload) but drops every capability.
 */
#ifndef CW_PRIVDROP_H
#define CW_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../common/err.h"

#define CW_PRIVDROP_DEFAULT_USER "certward"
#define CW_PRIVDROP_FALLBACK_USER "nobody"

typedef struct cw_privdrop {
	bool active;    /* started as root: the switch happens */
	uid_t uid;
	gid_t gid;
	char user[64];
} cw_privdrop;

/*
 * Decides whom the network-facing processes become.  Started as root
 * (effective uid 0): `user`, or when NULL CW_PRIVDROP_DEFAULT_USER if that
 * account exists, else CW_PRIVDROP_FALLBACK_USER; its primary group from
 * the account.  CW_ERR_USAGE for an unknown user or one whose uid or gid is
 * 0.  Not root: pd->active is false, and a given `user` other than the
 * current one is CW_ERR_USAGE (only root can switch).
 */
cw_rc cw_privdrop_plan(const char *user, cw_privdrop *pd, cw_err *err)
    CW_MUST_USE;

/*
 * In the calling process, for good: when pd->active, no supplementary
 * groups, then the group, then the user (real, effective and saved), and
 * checks that root cannot be regained; in every case
 * PR_SET_NO_NEW_PRIVS.  CW_ERR_INTERNAL when any step fails: the caller
 * must not go on (it would run with more than it should).
 */
cw_rc cw_privdrop_apply(const cw_privdrop *pd, cw_err *err) CW_MUST_USE;

/*
 * Checks, in a child process that becomes pd's user, that none of the
 * paths can be opened for reading.  *readable is the index of the first
 * one that could, or -1.  Without pd->active there is nothing to check
 * (-1).
 */
cw_rc cw_privdrop_probe(const cw_privdrop *pd, const char *const *paths,
    size_t n, int *readable, cw_err *err) CW_MUST_USE;

/*
 * Drops every capability of the calling process (bounding, ambient,
 * inheritable, permitted, effective): a root process keeps reading the
 * files root owns but can no longer override permissions, signal other
 * users' processes or change ids.  A no-op for a non-root process.
 */
cw_rc cw_caps_drop_all(cw_err *err) CW_MUST_USE;

#endif
