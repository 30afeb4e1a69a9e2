/*
 * serve_args.c - the options of `certward serve`, parsed the same way by
 * the CLI (to answer --help and usage errors itself) and by
 * certward-server (serve.h).
 */
#include <getopt.h>
#include <string.h>

#include "common/util.h"
#include "serve.h"

enum {
	OPT_LISTEN = 256, OPT_PUBLIC, OPT_WORKERS, OPT_TLS_CERT, OPT_TLS_KEY,
	OPT_USER, OPT_HELP,
};

int
cw_serve_args(const cw_cli *cli, int argc, char **argv, cw_serve_opts *o)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"public-listen", required_argument, NULL, OPT_PUBLIC},
		{"workers", required_argument, NULL, OPT_WORKERS},
		{"tls-cert", required_argument, NULL, OPT_TLS_CERT},
		{"tls-key", required_argument, NULL, OPT_TLS_KEY},
		{"user", required_argument, NULL, OPT_USER},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	int64_t n;
	int c;

	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:8443";
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_PUBLIC: o->public_listen = optarg; break;
		case OPT_WORKERS:
			if (!cw_parse_int64(optarg, 1, CW_HTTP_MAX_WORKERS, &n))
				return cli_usage(cli, "--workers '%s': expected "
				    "1..%d", optarg, CW_HTTP_MAX_WORKERS);
			o->workers = (int)n;
			break;
		case OPT_TLS_CERT: o->tls_cert = optarg; break;
		case OPT_TLS_KEY: o->tls_key = optarg; break;
		case OPT_USER: o->user = optarg; break;
		case OPT_HELP: return CW_SERVE_HELP;
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((o->tls_cert == NULL) != (o->tls_key == NULL))
		return cli_usage(cli, "--tls-cert and --tls-key go together");
	o->data_dir = cli->data_dir;
	return CW_SERVE_RUN;
}
