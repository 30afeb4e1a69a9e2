/*
 * cmd_serve.c - `certward serve`: parses the options and hands over to the
 * HTTP server (src/http/server.c), which runs until SIGTERM.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "http/http.h"

enum {
	OPT_LISTEN = 256, OPT_PUBLIC, OPT_WORKERS, OPT_TLS_CERT, OPT_TLS_KEY,
	OPT_HELP,
};

int
cw_cmd_serve(cw_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"public-listen", required_argument, NULL, OPT_PUBLIC},
		{"workers", required_argument, NULL, OPT_WORKERS},
		{"tls-cert", required_argument, NULL, OPT_TLS_CERT},
		{"tls-key", required_argument, NULL, OPT_TLS_KEY},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	cw_serve_opts o;
	int64_t n;
	int c;

	memset(&o, 0, sizeof(o));
	o.listen = "127.0.0.1:8443";
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN: o.listen = optarg; break;
		case OPT_PUBLIC: o.public_listen = optarg; break;
		case OPT_WORKERS:
			if (!cw_parse_int64(optarg, 1, CW_HTTP_MAX_WORKERS, &n))
				return cli_usage(cli, "--workers '%s': expected "
				    "1..%d", optarg, CW_HTTP_MAX_WORKERS);
			o.workers = (int)n;
			break;
		case OPT_TLS_CERT: o.tls_cert = optarg; break;
		case OPT_TLS_KEY: o.tls_key = optarg; break;
		case OPT_HELP: return cli_help(cli, "serve", "");
		default: return cli_usage(cli, "unknown or incomplete option");
		}
	}
	if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((o.tls_cert == NULL) != (o.tls_key == NULL))
		return cli_usage(cli, "--tls-cert and --tls-key go together");
	o.data_dir = cli->data_dir;
	return cw_http_serve(&o);
}
