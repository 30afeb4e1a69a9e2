/*
 * main.c - `certward <noun> <verb> [options]`: global options, then one
 * table lookup.  Every command's --help text lives in the table so that
 * `certward --help`, `certward NOUN --help` and the docs come from one place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "cli.h"
#include "cw_config.h"

static const cw_cmd commands[] = {
	{"csr", "check", cw_cmd_csr_check,
	    "check a CSR against a policy template",
	    "usage: certward csr check --policy FILE --template NAME [--json] CSR\n"
	    "\n"
	    "Reads a PKCS#10 request (PEM or DER, at most 64 KiB; - for stdin),\n"
	    "verifies its self-signature and evaluates every rule of the\n"
	    "template.  All violations are reported, each with a rule id.\n"
	    "\n"
	    "  --policy FILE     policy YAML (required)\n"
	    "  --template NAME   template to check against (required)\n"
	    "  --json            print {\"compliant\", \"template\", \"violations\"}\n"
	    "\n"
	    "exit: 0 compliant, 1 non-compliant, 2 unreadable or malformed input,\n"
	    "      unknown template or bad policy, 3 internal error\n"},
	{"csr", "new", cw_cmd_csr_new,
	    "generate a key and a compliant CSR for a template",
	    "usage: certward csr new --policy FILE --template NAME --key-out KEY\n"
	    "                        --out CSR [options]\n"
	    "\n"
	    "Generates a key pair locally, builds a CSR from the template (fixed\n"
	    "subject values are filled in), checks it with the policy gate and\n"
	    "writes it only if it is compliant.  The key file is created with\n"
	    "mode 0600 and is never overwritten without --force.\n"
	    "\n"
	    "  --policy FILE        policy YAML (required)\n"
	    "  --template NAME      template (required)\n"
	    "  --cn NAME            subject common name\n"
	    "  --dns NAME           DNS subjectAltName (repeatable)\n"
	    "  --ip ADDR            IP subjectAltName (repeatable)\n"
	    "  --uri URI            URI subjectAltName (repeatable)\n"
	    "  --email ADDR         e-mail subjectAltName (repeatable)\n"
	    "  --key-alg ALG        rsa:BITS, ec:P-256, ec:P-384, ec:P-521, ed25519,\n"
	    "                       ed448 (default: the template's fastest strong\n"
	    "                       choice: P-256, P-384, P-521, ed25519, rsa:3072)\n"
	    "  --key-out KEY        private key file to create (required)\n"
	    "  --out CSR            CSR file to write, PEM (required; - for stdout)\n"
	    "  --pass-file FILE     encrypt the key with the passphrase in FILE\n"
	    "  --pass-env VAR       encrypt the key with the passphrase in $VAR\n"
	    "  --force              replace existing KEY and CSR files\n"
	    "  --json               print a JSON summary\n"
	    "\n"
	    "exit: 0 written, 1 the CSR would not be compliant (nothing written),\n"
	    "      2 usage error or existing file, 3 internal error\n"},
	{"csr", "show", cw_cmd_csr_show,
	    "describe a CSR",
	    "usage: certward csr show [--json] CSR\n"
	    "\n"
	    "Prints the subject, subjectAltNames, key algorithm and size, SPKI\n"
	    "SHA-256 fingerprint, signature algorithm, requested extensions and\n"
	    "whether the self-signature verifies (proof of possession).\n"
	    "\n"
	    "exit: 0 shown, 2 unreadable or malformed input, 3 internal error\n"},
	{"policy", "lint", cw_cmd_policy_lint,
	    "validate a policy file and summarise its templates",
	    "usage: certward policy lint [--json] FILE\n"
	    "\n"
	    "Loads the policy, reports every error as FILE:LINE:COLUMN: message,\n"
	    "and prints a summary of each template.\n"
	    "\n"
	    "exit: 0 valid, 2 unreadable or invalid policy, 3 internal error\n"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct {
	const char *noun;
	const char *summary;
} nouns[] = {
	{"csr", "generate, check and describe certificate signing requests"},
	{"policy", "validate policy files"},
};

const cw_cmd *
cw_cli_find(const char *noun, const char *verb)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].noun, noun) == 0 &&
		    (verb == NULL || strcmp(commands[i].verb, verb) == 0))
			return &commands[i];
	return NULL;
}

static void
print_top_help(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: certward [--data DIR] <noun> <verb> [options]\n"
	    "       certward --version | --help\n"
	    "\n"
	    "certward is a certificate lifecycle system: every certificate is\n"
	    "requested through one path and checked against a written policy.\n"
	    "\n"
	    "commands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-7s %-7s %s\n", commands[i].noun, commands[i].verb,
		    commands[i].summary);
	fprintf(f,
	    "\n"
	    "global options:\n"
	    "  --data DIR   data directory (default $CERTWARD_DATA or "
	    "./certward-data)\n"
	    "\n"
	    "Run 'certward <noun> <verb> --help' for a command's options.\n"
	    "exit: 0 success, 1 policy says no, 2 usage or input error, "
	    "3 internal error\n");
}

static void
print_noun_help(FILE *f, const char *noun)
{
	size_t i;

	fprintf(f, "usage: certward %s <verb> [options]\n\nverbs:\n", noun);
	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].noun, noun) == 0)
			fprintf(f, "  %-7s %s\n", commands[i].verb,
			    commands[i].summary);
	fprintf(f, "\nRun 'certward %s <verb> --help' for a verb's options.\n",
	    noun);
}

int
cli_help(const cw_cli *cli, const char *noun, const char *verb)
{
	const cw_cmd *c = cw_cli_find(noun, verb);

	(void)cli;
	if (c != NULL)
		fputs(c->usage, stdout);
	return CW_EXIT_OK;
}

static bool
is_noun(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(nouns) / sizeof(nouns[0]); i++)
		if (strcmp(nouns[i].noun, s) == 0)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	cw_cli cli = {"certward", NULL};
	const cw_cmd *cmd;
	char prog[64];
	int i = 1, status;
	const char *env;

	/* globals before the noun */
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_top_help(stdout);
			return CW_EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("certward %s (%s)\n", CW_VERSION,
			    OpenSSL_version(OPENSSL_VERSION));
			return CW_EXIT_OK;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			cli.data_dir = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--data=", 7) == 0) {
			cli.data_dir = argv[i] + 7;
			i++;
		} else {
			fprintf(stderr, "certward: unknown option '%s'\n"
			    "Run 'certward --help' for usage.\n", argv[i]);
			return CW_EXIT_USAGE;
		}
	}
	if (cli.data_dir == NULL)
		cli.data_dir = (env = getenv("CERTWARD_DATA")) != NULL && *env ?
		    env : "./certward-data";
	if (i >= argc) {
		print_top_help(stderr);
		return CW_EXIT_USAGE;
	}
	if (!is_noun(argv[i])) {
		fprintf(stderr, "certward: unknown command '%s'\n"
		    "Run 'certward --help' for the list of commands.\n", argv[i]);
		return CW_EXIT_USAGE;
	}
	if (i + 1 >= argc || strcmp(argv[i + 1], "--help") == 0 ||
	    strcmp(argv[i + 1], "-h") == 0) {
		print_noun_help(i + 1 >= argc ? stderr : stdout, argv[i]);
		return i + 1 >= argc ? CW_EXIT_USAGE : CW_EXIT_OK;
	}
	cmd = cw_cli_find(argv[i], argv[i + 1]);
	if (cmd == NULL) {
		fprintf(stderr, "certward %s: unknown verb '%s'\n", argv[i],
		    argv[i + 1]);
		print_noun_help(stderr, argv[i]);
		return CW_EXIT_USAGE;
	}
	snprintf(prog, sizeof(prog), "certward %s %s", cmd->noun, cmd->verb);
	cli.prog = prog;
	/* the verb sees argv[0] = its own name, as getopt expects */
	status = cmd->fn(&cli, argc - i - 1, argv + i + 1);
	fflush(stdout);
	if (ferror(stdout)) {
		fprintf(stderr, "%s: cannot write the output\n", prog);
		return CW_EXIT_INTERNAL;
	}
	return status;
}
