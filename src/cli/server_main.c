/*
 * server_main.c - main() of certward-server, the HTTP server that
 * `certward serve` execs (serve.h):
 *
 *	certward-server --data DIR [serve options]
 *
 * The options are those of `certward serve`, parsed by the same code; the
 * data directory comes first and explicitly, resolved by the CLI.
 */
#include <stdio.h>
#include <string.h>

#include "serve.h"

int
main(int argc, char **argv)
{
	static char verb[] = "serve";
	cw_cli cli = {"certward serve", NULL};
	cw_serve_opts o;
	int status;

	if (argc < 3 || strcmp(argv[1], "--data") != 0) {
		fprintf(stderr, "usage: %s --data DIR [options of 'certward "
		    "serve']\nIt is started by 'certward serve'; run 'certward "
		    "serve --help' for the options.\n", CW_SERVER_NAME);
		return CW_EXIT_USAGE;
	}
	cli.data_dir = argv[2];
	/* the options follow, with argv[0] the command's name for getopt */
	argv[2] = verb;
	status = cw_serve_args(&cli, argc - 2, argv + 2, &o);
	if (status == CW_SERVE_HELP) {
		printf("Run 'certward serve --help' for the options.\n");
		return CW_EXIT_OK;
	}
	if (status != CW_SERVE_RUN)
		return status;
	return cw_http_serve(&o);
}
