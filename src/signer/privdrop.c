/*
 * privdrop.c - switching user and dropping capabilities (privdrop.h).
 *
 * Order matters: supplementary groups and the group go first, while the
 * process may still change them; the user last.  setres[ug]id set the
 * real, effective and saved ids at once, so nothing is left to switch
 * back to, and the result is checked rather than assumed.
 */
/* setresuid, setresgid and their getters are GNU (and BSD) extensions */
#define _GNU_SOURCE
#include "privdrop.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Looks an account up; false when it does not exist. */
static bool
lookup(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return false;
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return true;
}

cw_rc
cw_privdrop_plan(const char *user, cw_privdrop *pd, cw_err *err)
{
	const char *name = user;
	uid_t uid;
	gid_t gid;

	memset(pd, 0, sizeof(*pd));
	if (geteuid() != 0) {
		if (user != NULL && (!lookup(user, &uid, &gid) ||
		    uid != geteuid()))
			return cw_err_set(err, CW_ERR_USAGE, "--user %s: only a "
			    "server started as root can switch users", user);
		return CW_OK;
	}
	if (name == NULL)
		name = lookup(CW_PRIVDROP_DEFAULT_USER, &uid, &gid) ?
		    CW_PRIVDROP_DEFAULT_USER : CW_PRIVDROP_FALLBACK_USER;
	if (strlen(name) >= sizeof(pd->user) || !lookup(name, &uid, &gid))
		return cw_err_set(err, CW_ERR_USAGE, "user '%s' does not exist; "
		    "create it (a system account without a shell, e.g. "
		    "'useradd --system %s') or name another with --user",
		    name, CW_PRIVDROP_DEFAULT_USER);
	if (uid == 0 || gid == 0)
		return cw_err_set(err, CW_ERR_USAGE, "user '%s' has uid or gid "
		    "0: the network-facing processes would keep root's rights; "
		    "name an unprivileged user with --user", name);
	pd->active = true;
	pd->uid = uid;
	pd->gid = gid;
	snprintf(pd->user, sizeof(pd->user), "%s", name);
	return CW_OK;
}

/* Empties the capability bounding set (what an exec could ever grant). */
static cw_rc
drop_bounding(cw_err *err)
{
	int cap;

	for (cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
			break; /* past the kernel's last capability */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
			return cw_err_set(err, CW_ERR_INTERNAL, "cannot drop "
			    "capability %d: %s", cap, strerror(errno));
	}
	return CW_OK;
}

cw_rc
cw_privdrop_apply(const cw_privdrop *pd, cw_err *err)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;
	cw_rc rc;

	if (pd->active) {
		/* while root still may: the switch below keeps what it
		 * needs (CAP_SETUID, CAP_SETGID) until it happens */
		if ((rc = drop_bounding(err)) != CW_OK)
			return rc;
		if (setgroups(0, NULL) != 0)
			return cw_err_set(err, CW_ERR_INTERNAL, "setgroups: %s",
			    strerror(errno));
		if (setresgid(pd->gid, pd->gid, pd->gid) != 0)
			return cw_err_set(err, CW_ERR_INTERNAL, "setresgid(%u): "
			    "%s", (unsigned)pd->gid, strerror(errno));
		if (setresuid(pd->uid, pd->uid, pd->uid) != 0)
			return cw_err_set(err, CW_ERR_INTERNAL, "setresuid(%u): "
			    "%s", (unsigned)pd->uid, strerror(errno));
		if (getresuid(&r, &e, &s) != 0 || r != pd->uid ||
		    e != pd->uid || s != pd->uid || getresgid(&rg, &eg,
		    &sg) != 0 || rg != pd->gid || eg != pd->gid ||
		    sg != pd->gid || getgroups(0, NULL) != 0)
			return cw_err_set(err, CW_ERR_INTERNAL, "the switch to "
			    "user %s did not take", pd->user);
		/* the proof: root is out of reach */
		if (setuid(0) == 0 || seteuid(0) == 0)
			return cw_err_set(err, CW_ERR_INTERNAL, "user %s could "
			    "become root again", pd->user);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return cw_err_set(err, CW_ERR_INTERNAL, "PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
	return CW_OK;
}

cw_rc
cw_privdrop_probe(const cw_privdrop *pd, const char *const *paths, size_t n,
    int *readable, cw_err *err)
{
	cw_err ignored = CW_ERR_INIT;
	pid_t pid;
	size_t i;
	int st, fd;

	*readable = -1;
	if (!pd->active || n == 0)
		return CW_OK;
	if (n > 100)
		n = 100;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return cw_err_set(err, CW_ERR_INTERNAL, "fork: %s",
		    strerror(errno));
	if (pid == 0) {
		if (cw_privdrop_apply(pd, &ignored) != CW_OK)
			_exit(255);
		for (i = 0; i < n; i++) {
			fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NOCTTY |
			    O_NONBLOCK);
			if (fd >= 0)
				_exit((int)i + 1);
		}
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return cw_err_set(err, CW_ERR_INTERNAL, "waitpid: %s",
			    strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 255)
		return cw_err_set(err, CW_ERR_INTERNAL, "could not check file "
		    "access as user %s", pd->user);
	if (WEXITSTATUS(st) > 0)
		*readable = WEXITSTATUS(st) - 1;
	return CW_OK;
}

cw_rc
cw_caps_drop_all(cw_err *err)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];

	cw_rc rc;

	if (geteuid() != 0)
		return CW_OK;
	/* the bounding set first: it bounds what an exec could give */
	if ((rc = drop_bounding(err)) != CW_OK)
		return rc;
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(&h, 0, sizeof(h));
	memset(d, 0, sizeof(d));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	h.pid = 0;
	if (syscall(SYS_capset, &h, d) != 0)
		return cw_err_set(err, CW_ERR_INTERNAL, "capset: %s",
		    strerror(errno));
	return CW_OK;
}
