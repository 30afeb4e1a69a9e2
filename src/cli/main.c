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
#include <openssl/rand.h>

#include "cli.h"
#include "cw_config.h"

static const cw_cmd commands[] = {
	{"audit", "check-proof", cw_cmd_audit_check_proof,
	    "verify an inclusion proof offline",
	    "usage: certward audit check-proof PROOF --key AUDIT_PUBLIC_KEY\n"
	    "\n"
	    "Checks, without the database, that a proof written by 'audit prove'\n"
	    "leads from the certificate's issuance event to a checkpoint signed by\n"
	    "the audit key (DATA/audit/audit.pub).\n"
	    "\n"
	    "exit: 0 proof holds, 1 it does not, 2 unreadable input\n"},
	{"audit", "checkpoint", cw_cmd_audit_checkpoint,
	    "sign a checkpoint of the audit log",
	    "usage: certward audit checkpoint [--out FILE] [--as NAME]\n"
	    "\n"
	    "Verifies the log, then writes a checkpoint (event count, head hash,\n"
	    "Merkle root, time) signed with the audit key; keep it outside the\n"
	    "data directory.  Needs the role auditor or pki-admin.\n"},
	{"audit", "log", cw_cmd_audit_log,
	    "show audit events",
	    "usage: certward audit log [--object OBJECT] [--since WHEN] [--json]\n"
	    "\n"
	    "  --object OBJECT   only events about OBJECT (request:12, cert:SERIAL,\n"
	    "                    service:NAME, user:NAME, exception:ID)\n"
	    "  --since WHEN      YYYY-MM-DD, an RFC 3339 UTC time, or a duration\n"
	    "                    back from now (24h)\n"},
	{"audit", "prove", cw_cmd_audit_prove,
	    "write an inclusion proof of a certificate's issuance",
	    "usage: certward audit prove SERIAL [--checkpoint FILE] [--out FILE]\n"
	    "\n"
	    "Writes a JSON proof (RFC 9162 audit path) that the issuance event of\n"
	    "SERIAL is in the log covered by the checkpoint (default: the newest\n"
	    "stored one).  Check it offline with 'audit check-proof'.\n"},
	{"audit", "verify", cw_cmd_audit_verify,
	    "verify the audit log",
	    "usage: certward audit verify [--checkpoint FILE] [--json]\n"
	    "\n"
	    "Recomputes every event's hash link and the Merkle tree; names the\n"
	    "first modified, deleted, inserted or reordered event, and any\n"
	    "truncation below the checkpoint (default: the newest stored one).\n"
	    "\n"
	    "exit: 0 intact, 1 tampered, 2 unreadable checkpoint\n"},
	{"ca", "show", cw_cmd_ca_show,
	    "show the issuing CA (or the root)",
	    "usage: certward ca show [--root] [--pem] [--json]\n"},
	{"cert", "get", cw_cmd_cert_get,
	    "write a certificate",
	    "usage: certward cert get SERIAL [--chain] [--der] [--out FILE]\n"
	    "\n"
	    "  --chain   append the issuing CA certificate (PEM only)\n"
	    "  --der     DER instead of PEM\n"
	    "  --out     write to FILE instead of standard output\n"},
	{"cert", "list", cw_cmd_cert_list,
	    "list the inventory",
	    "usage: certward cert list [--service S] [--template T] [--status STATUS]\n"
	    "                          [--expiring DURATION] [--due] [--key-alg ALG]\n"
	    "                          [--limit N] [--json]\n"
	    "\n"
	    "  --status     valid, revoked, expired or superseded\n"
	    "  --expiring   valid certificates ending within DURATION (30d)\n"
	    "  --due        valid certificates past their template's renew_at\n"
	    "  --key-alg    ec, rsa, ed25519, or exact (ec:P-256, rsa:3072)\n"},
	{"cert", "revoke", cw_cmd_cert_revoke,
	    "revoke a certificate",
	    "usage: certward cert revoke SERIAL --reason REASON [--as NAME]\n"
	    "\n"
	    "REASON (RFC 5280 5.3.1): unspecified, keyCompromise, cACompromise,\n"
	    "affiliationChanged, superseded, cessationOfOperation,\n"
	    "certificateHold, privilegeWithdrawn, aACompromise.  Needs pki-admin.\n"
	    "exit: 0 revoked, 1 already revoked or not allowed, 2 unknown serial\n"},
	{"cert", "show", cw_cmd_cert_show,
	    "show a certificate with its request and audit trail",
	    "usage: certward cert show SERIAL [--json]\n"},
	{"crl", "", cw_cmd_crl,
	    "write a fresh signed CRL of the issuing CA",
	    "usage: certward crl [--out FILE] [--der]\n"
	    "\n"
	    "Signs a CRL (v2, CRL number, AKI, reason codes) valid until\n"
	    "crl_next_update (config.yaml, default 7d).  PEM unless --der.\n"},
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
	{"exception", "add", cw_cmd_exception_add,
	    "waive one rule for one service until a date",
	    "usage: certward exception add --template T --service S --rule RULE\n"
	    "                              --until WHEN --reason TEXT [--as NAME]\n"
	    "                              [--json]\n"
	    "\n"
	    "WHEN is YYYY-MM-DD, an RFC 3339 UTC time or a duration (30d).  Rules\n"
	    "guarding against malformed or dangerous requests (pop, key.weak,\n"
	    "extension.*) cannot be waived.  Needs pki-admin.\n"},
	{"exception", "list", cw_cmd_exception_list,
	    "list exceptions in force",
	    "usage: certward exception list [--all] [--json]\n"
	    "\n"
	    "  --all   include expired and revoked exceptions\n"},
	{"exception", "revoke", cw_cmd_exception_revoke,
	    "end an exception now",
	    "usage: certward exception revoke ID [--as NAME]\n"},
	{"init", "", cw_cmd_init,
	    "create a data directory with a CA, database and audit key",
	    "usage: certward [--data DIR] init [--policy FILE] [--base-url URL]\n"
	    "                [--ca-alg ALG] [--import-ca CERT KEY]\n"
	    "                [--root-key-out FILE] [--admin NAME] [--org NAME] [--json]\n"
	    "\n"
	    "  --policy FILE        policy to put in force (default: the example)\n"
	    "  --base-url URL       base of the CRL, OCSP and CA URLs in certificates\n"
	    "  --ca-alg ALG         ec:P-256 (default), ec:P-384, rsa:3072, ed25519\n"
	    "  --import-ca CERT KEY use an existing issuing CA (CERT: PEM, followed\n"
	    "                       by its chain up to the root)\n"
	    "  --root-key-out FILE  keep the root key out of the data directory\n"
	    "  --admin NAME         first pki-admin (default: the OS user)\n"
	    "  --org NAME           O= of the CA names\n"
	    "\n"
	    "A second init refuses (exit 2) and changes nothing.\n"},
	{"policy", "lint", cw_cmd_policy_lint,
	    "validate a policy file and summarise its templates",
	    "usage: certward policy lint [--json] FILE\n"
	    "\n"
	    "Loads the policy, reports every error as FILE:LINE:COLUMN: message,\n"
	    "and prints a summary of each template.\n"
	    "\n"
	    "exit: 0 valid, 2 unreadable or invalid policy, 3 internal error\n"},
	{"request", "approve", cw_cmd_request_approve,
	    "approve a pending or held request",
	    "usage: certward request approve ID [--as NAME] [--comment TEXT] [--json]\n"
	    "\n"
	    "The approver holds one of the template's approval roles and is never\n"
	    "the requester; each person counts once.  When enough approvals are in,\n"
	    "the certificate is issued in the same step.\n"
	    "exit: 0 recorded, 1 refused, 2 unknown request\n"},
	{"request", "list", cw_cmd_request_list,
	    "list requests",
	    "usage: certward request list [--state STATE] [--service S] [--json]\n"},
	{"request", "reject", cw_cmd_request_reject,
	    "reject a pending or held request",
	    "usage: certward request reject ID --comment TEXT [--as NAME] [--json]\n"},
	{"request", "show", cw_cmd_request_show,
	    "show a request, its verdict and approvals",
	    "usage: certward request show ID [--json]\n"},
	{"request", "submit", cw_cmd_request_submit,
	    "request certificates through the policy gate",
	    "usage: certward request submit --template T --service S CSR [CSR...]\n"
	    "                               [--as NAME] [--origin human|automation]\n"
	    "                               [--renew SERIAL] [--group N] [--json]\n"
	    "\n"
	    "Each CSR is checked against the template, the service (known, not\n"
	    "retired, owner attested within owner.max_age) and the inventory\n"
	    "(key reuse).  It ends issued, pending (approvals needed), held (stale\n"
	    "owner) or rejected.  Many CSRs are committed in groups of --group\n"
	    "(default 500).  --renew SERIAL renews with a new key; the old\n"
	    "certificate becomes superseded.\n"
	    "exit: 0 all issued, pending or held, 1 any rejected, 2 bad input\n"},
	{"serve", "", cw_cmd_serve,
	    "run the REST API, OCSP responder and CRL/CA endpoints",
	    "usage: certward [--data DIR] serve [--listen ADDR:PORT]\n"
	    "                [--public-listen ADDR:PORT] [--workers N]\n"
	    "                [--tls-cert FILE --tls-key FILE] [--user NAME]\n"
	    "\n"
	    "  --listen ADDR:PORT         HTTPS: API, OCSP, CRL and CA\n"
	    "                             (default 127.0.0.1:8443)\n"
	    "  --public-listen ADDR:PORT  plain HTTP: OCSP, CRL and CA only\n"
	    "                             (default: none)\n"
	    "  --workers N                worker processes (default: one per\n"
	    "                             CPU, at most 64)\n"
	    "  --tls-cert FILE            PEM certificate chain for HTTPS\n"
	    "  --tls-key FILE             its PEM private key (default: a\n"
	    "                             certificate issued to itself at start)\n"
	    "  --user NAME                started as root, the network-facing\n"
	    "                             processes become NAME (default:\n"
	    "                             certward if it exists, else nobody);\n"
	    "                             the CA keys stay in a signer process\n"
	    "\n"
	    "Runs until SIGTERM or SIGINT, then finishes the requests in flight\n"
	    "and exits 0.  One JSON line per request on standard error.\n"},
	{"service", "add", cw_cmd_service_add,
	    "add a service with its owner",
	    "usage: certward service add NAME --owner TEAM --contact ADDRESS [--as NAME]\n"},
	{"service", "list", cw_cmd_service_list,
	    "list services and owner staleness",
	    "usage: certward service list [--json]\n"},
	{"service", "retire", cw_cmd_service_retire,
	    "offboard a service: revoke its certificates",
	    "usage: certward service retire NAME [--as NAME]\n"},
	{"service", "verify", cw_cmd_service_verify,
	    "re-attest ownership and release held requests",
	    "usage: certward service verify NAME [--as NAME]\n"
	    "\n"
	    "Run by a pki-admin or a user holding the owner team as a role.\n"},
	{"token", "create", cw_cmd_token_create,
	    "create an API token for a user (shown once)",
	    "usage: certward token create --user NAME [--expires WHEN] [--as NAME]\n"
	    "                             [--json]\n"
	    "\n"
	    "Creates an API token for the REST API that authenticates as NAME and\n"
	    "prints it alone on standard output; it is shown only this once and\n"
	    "stored only as a hash.  --json prints {\"token\", \"id\"}.\n"
	    "\n"
	    "  --user NAME      the user the token acts as (required)\n"
	    "  --expires WHEN   a duration (30d), YYYY-MM-DD or an RFC 3339 UTC\n"
	    "                   time; default 90d, at most 365d\n"
	    "\n"
	    "Needs pki-admin.\n"
	    "exit: 0 created, 1 not allowed, 2 unknown user or bad --expires\n"},
	{"token", "list", cw_cmd_token_list,
	    "list API tokens (never the tokens themselves)",
	    "usage: certward token list [--as NAME] [--json]\n"
	    "\n"
	    "Id, user, creation, expiry, last use (to the minute) and status\n"
	    "(active, expired, revoked, user-removed) of every token.  Needs\n"
	    "pki-admin.\n"},
	{"token", "revoke", cw_cmd_token_revoke,
	    "revoke an API token",
	    "usage: certward token revoke ID [--as NAME]\n"
	    "\n"
	    "The token stops working at once.  Needs pki-admin.\n"
	    "exit: 0 revoked, 1 already revoked or not allowed, 2 unknown token\n"},
	{"user", "add", cw_cmd_user_add,
	    "add (or replace the roles of) a user",
	    "usage: certward user add NAME --role ROLE [--role ROLE]... [--as NAME]\n"},
	{"user", "list", cw_cmd_user_list,
	    "list users and roles",
	    "usage: certward user list [--json]\n"},
	{"user", "remove", cw_cmd_user_remove,
	    "remove a user",
	    "usage: certward user remove NAME [--as NAME]\n"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct {
	const char *noun;
	const char *summary;
} nouns[] = {
	{"audit", "the tamper-evident audit log"},
	{"ca", "the certificate authority"},
	{"cert", "the certificate inventory"},
	{"crl", "certificate revocation lists"},
	{"csr", "generate, check and describe certificate signing requests"},
	{"exception", "time-bound waivers of one rule"},
	{"init", "create a data directory"},
	{"policy", "validate policy files"},
	{"request", "certificate requests and approvals"},
	{"serve", "run the HTTP(S) server"},
	{"service", "services and their owners"},
	{"token", "API tokens for the REST API"},
	{"user", "users and roles"},
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
		fprintf(f, "  %-9s %-11s %s\n", commands[i].noun,
		    commands[i].verb, commands[i].summary);
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
	const cw_cmd *c = cw_cli_find(noun, verb != NULL ? verb : "");

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

	/* a command lives for milliseconds: the system reclaims OpenSSL's
	 * global state at exit faster than OPENSSL_cleanup frees it piece by
	 * piece (0.3 ms, 5% of a one-certificate `request submit`) */
	(void)OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	/* OpenSSL's default random generator, CTR-DRBG, fetches AES, and
	 * on OpenSSL 3.0 the first cipher fetch builds every cipher of the
	 * provider: 3 million instructions, 15% of a one-certificate
	 * `request submit`, for the serial number's 16 bytes.  Hash_DRBG
	 * over SHA-256 (NIST SP 800-90A, 256-bit strength) uses the digest
	 * every command fetches anyway.  Before the first use of the
	 * generator; a [random] section of openssl.cnf still overrides it. */
	(void)RAND_set_DRBG_type(NULL, "HASH-DRBG", NULL, NULL, "SHA256");
	/* DESIGN 7: --data DIR works anywhere on the line; take it out
	 * before the command parses its own options */
	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--") == 0)
			break;
		if (strcmp(argv[k], "--data") == 0 && k + 1 < argc) {
			cli.data_dir = argv[k + 1];
			memmove(&argv[k], &argv[k + 2], (size_t)(argc - k - 2 + 1) *
			    sizeof(char *));
			argc -= 2;
			k--;
		} else if (strncmp(argv[k], "--data=", 7) == 0) {
			cli.data_dir = argv[k] + 7;
			memmove(&argv[k], &argv[k + 1], (size_t)(argc - k - 1 + 1) *
			    sizeof(char *));
			argc -= 1;
			k--;
		}
	}
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
	/* nouns that are whole commands (init, crl) take options directly */
	cmd = cw_cli_find(argv[i], "");
	if (cmd != NULL) {
		snprintf(prog, sizeof(prog), "certward %s", cmd->noun);
		cli.prog = prog;
		status = cmd->fn(&cli, argc - i, argv + i);
		goto done;
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
done:
	fflush(stdout);
	if (ferror(stdout)) {
		fprintf(stderr, "%s: cannot write the output\n", prog);
		return CW_EXIT_INTERNAL;
	}
	return status;
}
