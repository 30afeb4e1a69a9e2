/*
 * serve.h - `certward serve` lives in an executable of its own,
 * certward-server, so that the HTTP stack (libmicrohttpd and the GnuTLS,
 * p11-kit, nettle and gmp libraries it loads) is linked and initialised
 * only by the server and not by every short CLI command.  `certward serve`
 * checks its options (cmd_serve.c) and execs certward-server
 * (server_main.c) with the same options and data directory; both parse
 * them with cw_serve_args (serve_args.c).
 */
#ifndef CW_CLI_SERVE_H
#define CW_CLI_SERVE_H

#include "cli.h"
#include "http/http.h"

#define CW_SERVER_NAME "certward-server"

/* cw_serve_args results besides an exit status */
#define CW_SERVE_RUN (-1)  /* options valid: run the server */
#define CW_SERVE_HELP (-2) /* --help: the caller prints the help */

/*
 * Parses serve's options (argv[0] is the command's name, as getopt
 * expects) into *o, which borrows the strings of argv; o->data_dir is
 * cli->data_dir.  Returns CW_SERVE_RUN, CW_SERVE_HELP, or CW_EXIT_USAGE
 * after printing what is wrong.
 */
int cw_serve_args(const cw_cli *cli, int argc, char **argv,
    cw_serve_opts *o);

#endif
