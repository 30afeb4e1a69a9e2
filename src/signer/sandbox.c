/*
 * sandbox.c - seccomp filters with libseccomp (sandbox.h).
 *
 * Why a deny-list for workers: libmicrohttpd, GnuTLS (with p11-kit, nettle
 * and gmp), SQLite and OpenSSL between them use a wide and version-
 * dependent set of system calls; an allow-list that misses one breaks a
 * request path at run time on some other machine.  The calls denied are
 * the ones a compromised worker would need to go further and that none
 * of those libraries makes while serving.  The signer's loop is small
 * and ours, so it gets an allow-list.
 *
 * Denied calls fail with EPERM rather than killing the process: the
 * effect on an attacker is the same (the call does not happen), and an
 * unforeseen use by a library fails one operation instead of a worker.
 * Other architectures' system call tables (an x86-64 process making i386
 * calls) kill the process: libseccomp's default for foreign arches.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/* A worker never needs these while serving. */
static const char *const worker_denied[] = {
	/* running other programs */
	"execve", "execveat",
	/* reading or changing other processes */
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
	"pidfd_getfd", "pidfd_open", "pidfd_send_signal",
	/* mounts, namespaces, the file system's root */
	"mount", "umount", "umount2", "pivot_root", "chroot", "unshare",
	"setns", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount",
	"fspick", "mount_setattr", "open_by_handle_at", "name_to_handle_at",
	/* the kernel itself */
	"init_module", "finit_module", "delete_module", "kexec_load",
	"kexec_file_load", "bpf", "perf_event_open", "userfaultfd",
	"iopl", "ioperm", "reboot", "swapon", "swapoff", "syslog", "acct",
	"quotactl", "lookup_dcookie", "fanotify_init", "uselib", "personality",
	"vhangup", "nfsservctl", "_sysctl", "sysfs", "ustat",
	/* keyrings */
	"keyctl", "add_key", "request_key",
	/* identities and capabilities (the switch is done by now) */
	"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
	"setgroups", "setfsuid", "setfsgid", "capset",
	/* system settings */
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	"sethostname", "setdomainname",
	/* a clone3 cannot be inspected (its flags are in memory): ENOSYS
	 * makes the C library fall back to clone, which can (below) */
	NULL,
};

/* A signer needs only these. */
static const char *const signer_allowed[] = {
	"read", "readv", "pread64", "write", "writev", "close", "fstat",
	"newfstatat", "statx", "lseek", "fcntl", "access", "faccessat",
	"faccessat2", "brk", "munmap", "mremap", "madvise", "futex",
	"getrandom", "clock_gettime", "clock_getres", "gettimeofday", "time",
	"nanosleep", "clock_nanosleep", "sched_yield", "getpid", "gettid",
	"getppid", "getuid", "geteuid", "getgid", "getegid", "uname",
	"sysinfo", "exit", "exit_group", "rt_sigreturn", "rt_sigprocmask",
	"rt_sigaction", "sigaltstack", "restart_syscall", "poll", "ppoll",
	"recvmsg", "sendmsg", "recvfrom", "sendto", "getrlimit",
	NULL,
};

static int
add(scmp_filter_ctx ctx, uint32_t action, const char *name,
    unsigned int n_args, const struct scmp_arg_cmp *args)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* a call this architecture does not have cannot be made */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add_array(ctx, action, nr, n_args, args);
}

static int
worker_rules(scmp_filter_ctx ctx)
{
	const uint32_t deny = SCMP_ACT_ERRNO(EPERM);
	const scmp_datum_t self = (scmp_datum_t)getpid();
	const scmp_datum_t ns = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
	    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;
	struct scmp_arg_cmp a[1];
	size_t i;
	int r = 0;

	for (i = 0; worker_denied[i] != NULL && r == 0; i++)
		r = add(ctx, deny, worker_denied[i], 0, NULL);
	if (r == 0)
		r = add(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
	/* new namespaces through clone: one rule per flag, because a
	 * masked comparison tests the whole mask for equality */
	for (i = 0; i < 64 && r == 0; i++) {
		if ((ns & ((scmp_datum_t)1 << i)) == 0)
			continue;
		a[0].arg = 0;
		a[0].op = SCMP_CMP_MASKED_EQ;
		a[0].datum_a = (scmp_datum_t)1 << i;
		a[0].datum_b = (scmp_datum_t)1 << i;
		r = add(ctx, deny, "clone", 1, a);
	}
	/* signals only to itself (abort() uses tgkill on itself) */
	if (r == 0) {
		a[0] = SCMP_A0(SCMP_CMP_NE, self, 0);
		r = add(ctx, deny, "kill", 1, a);
	}
	if (r == 0)
		r = add(ctx, deny, "tgkill", 1, a);
	if (r == 0)
		r = add(ctx, deny, "tkill", 0, NULL);
	return r;
}

static int
signer_rules(scmp_filter_ctx ctx)
{
	const uint32_t allow = SCMP_ACT_ALLOW;
	const scmp_datum_t self = (scmp_datum_t)getpid();
	struct scmp_arg_cmp a[1];
	size_t i;
	int r = 0;

	for (i = 0; signer_allowed[i] != NULL && r == 0; i++)
		r = add(ctx, allow, signer_allowed[i], 0, NULL);
	/* files are opened to be read, never written or created */
	a[0] = SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC |
	    O_APPEND, O_RDONLY);
	if (r == 0)
		r = add(ctx, allow, "open", 1, a);
	a[0] = SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC |
	    O_APPEND, O_RDONLY);
	if (r == 0)
		r = add(ctx, allow, "openat", 1, a);
	/* memory, never executable */
	a[0] = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	if (r == 0)
		r = add(ctx, allow, "mmap", 1, a);
	if (r == 0)
		r = add(ctx, allow, "mprotect", 1, a);
	/* abort() signals itself */
	a[0] = SCMP_A0(SCMP_CMP_EQ, self, 0);
	if (r == 0)
		r = add(ctx, allow, "tgkill", 1, a);
	if (r == 0)
		r = add(ctx, allow, "kill", 1, a);
	return r;
}

cw_rc
cw_sandbox_apply(cw_sandbox_kind kind, bool *applied, cw_err *err)
{
	scmp_filter_ctx ctx;
	int r;

	*applied = false;
	/* EINVAL: a kernel built without seccomp */
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL)
		return CW_OK;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return cw_err_set(err, CW_ERR_INTERNAL, "PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
	ctx = seccomp_init(kind == CW_SANDBOX_WORKER ? SCMP_ACT_ALLOW :
	    SCMP_ACT_ERRNO(EPERM));
	if (ctx == NULL)
		return cw_err_set(err, CW_ERR_INTERNAL, "seccomp_init failed");
	r = kind == CW_SANDBOX_WORKER ? worker_rules(ctx) : signer_rules(ctx);
	if (r != 0) {
		seccomp_release(ctx);
		return cw_err_set(err, CW_ERR_INTERNAL, "cannot build the "
		    "seccomp filter: %s", strerror(-r));
	}
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r == -EINVAL || r == -ENOSYS || r == -EOPNOTSUPP)
		return CW_OK; /* the kernel does not allow filters */
	if (r != 0)
		return cw_err_set(err, CW_ERR_INTERNAL, "cannot load the "
		    "seccomp filter: %s", strerror(-r));
	*applied = true;
	return CW_OK;
}
