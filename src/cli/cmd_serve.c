/*
 * cmd_serve.c - `certward serve`: checks the options (--help and usage
 * errors are answered here, from the command table), then replaces this
 * process with certward-server (server_main.c), which runs until SIGTERM.
 * exec keeps the process id, so whoever started `certward serve` signals
 * the server itself.  Why the server is an executable of its own: serve.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cw_config.h"
#include "serve.h"

/*
 * Where certward-server is: $CERTWARD_SERVER_BIN, else next to this
 * executable (a build directory, or an installation that keeps both in one
 * directory), else the libexec directory it is installed to.  Returns
 * false when the name does not fit in buf.
 */
static bool
server_path(char *buf, size_t len)
{
	const char *env = getenv("CERTWARD_SERVER_BIN");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;
	int k;

	if (env != NULL && env[0] != '\0') {
		k = snprintf(buf, len, "%s", env);
		return k > 0 && (size_t)k < len;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			k = snprintf(buf, len, "%s/%s", self, CW_SERVER_NAME);
			if (k > 0 && (size_t)k < len && access(buf, X_OK) == 0)
				return true;
		}
	}
	k = snprintf(buf, len, "%s/%s", CW_LIBEXECDIR, CW_SERVER_NAME);
	return k > 0 && (size_t)k < len;
}

int
cw_cmd_serve(cw_cli *cli, int argc, char **argv)
{
	static char data_opt[] = "--data";
	cw_serve_opts o;
	char path[PATH_MAX];
	char **av = NULL;
	int i, status;

	/* getopt reorders argv: keep the options as given for the server */
	av = calloc((size_t)argc + 3, sizeof(*av));
	if (av == NULL) {
		fprintf(stderr, "%s: out of memory\n", cli->prog);
		return CW_EXIT_INTERNAL;
	}
	av[1] = data_opt;
	av[2] = (char *)cli->data_dir;
	for (i = 1; i < argc; i++)
		av[i + 2] = argv[i];
	status = cw_serve_args(cli, argc, argv, &o);
	if (status == CW_SERVE_HELP)
		status = cli_help(cli, "serve", "");
	if (status != CW_SERVE_RUN)
		goto out;
	if (!server_path(path, sizeof(path))) {
		fprintf(stderr, "%s: the path of %s is too long\n", cli->prog,
		    CW_SERVER_NAME);
		status = CW_EXIT_INTERNAL;
		goto out;
	}
	av[0] = path;
	fflush(NULL);
	execv(path, av);
	fprintf(stderr, "%s: cannot run the HTTP server %s: %s (it is "
	    "installed next to certward or in %s; CERTWARD_SERVER_BIN names "
	    "another)\n", cli->prog, path, strerror(errno), CW_LIBEXECDIR);
	status = CW_EXIT_INTERNAL;
out:
	free(av);
	return status;
}
