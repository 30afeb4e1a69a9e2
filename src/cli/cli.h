/*
 * cli.h - the certward command line: one table of `noun verb` commands
 * (main.c), the options and result handling every command shares
 * (cli_args.c) and the other shared helpers (cli_util.c).  Commands are
 * thin adapters: they parse options, call the library and print.
 */
#ifndef CW_CLI_H
#define CW_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "common/err.h"
#include "engine/engine.h"
#include "policy/policy.h"
#include "policy/verdict.h"
#include "x509/csr.h"

/* Process exit statuses (DESIGN 7, a contract). */
enum {
	CW_EXIT_OK = 0,
	CW_EXIT_NO = 1,
	CW_EXIT_USAGE = 2,
	CW_EXIT_INTERNAL = 3,
};

typedef struct cw_cli {
	const char *prog;     /* "certward csr check" */
	const char *data_dir; /* --data, $CERTWARD_DATA, ./certward-data */
} cw_cli;

typedef int (*cw_cmd_fn)(cw_cli *cli, int argc, char **argv);

typedef struct cw_cmd {
	const char *noun;
	const char *verb;
	cw_cmd_fn fn;
	const char *summary;
	const char *usage; /* full --help text */
} cw_cmd;

/* --- what every command does the same way (cli_args.c) ------------------- */

/*
 * A command's options, as a table read by cli_parse: each entry says where
 * the option's value goes, so that a command writes no getopt loop of its
 * own.  --json, --as and --help mean the same in every command that takes
 * them and land in the cli_ctx.  A value the command must check as it is
 * read (a number, one of a set, a repeated name) is CLI_OWN_OPT: cli_parse
 * hands it back.  Keep the entries in the order of the --help text:
 * getopt_long lists the candidates of an ambiguous abbreviation in table
 * order.
 */
typedef enum cli_opt_kind {
	CLI_KIND_FLAG, /* no value: sets the bool *dst */
	CLI_KIND_STR,  /* a value: the const char *dst points into argv */
	CLI_KIND_OWN,  /* a value: cli_parse returns code, ctx->arg the value */
	CLI_KIND_JSON, /* --json: ctx->json */
	CLI_KIND_AS,   /* --as NAME: ctx->as, the acting principal */
	CLI_KIND_HELP, /* --help: prints the usage text, exit 0 */
} cli_opt_kind;

typedef struct cli_opt {
	const char *name; /* the long option, without "--" */
	cli_opt_kind kind;
	void *dst;        /* CLI_KIND_FLAG and CLI_KIND_STR */
	int code;         /* CLI_KIND_OWN: a command's own number, above 0 */
} cli_opt;

/* The (1 ? dst : (T *)NULL) makes the compiler check the type of dst. */
#define CLI_FLAG_OPT(name, dst) \
	{ (name), CLI_KIND_FLAG, (1 ? (dst) : (bool *)NULL), 0 }
#define CLI_STR_OPT(name, dst) \
	{ (name), CLI_KIND_STR, (1 ? (dst) : (const char **)NULL), 0 }
#define CLI_OWN_OPT(name, code) { (name), CLI_KIND_OWN, NULL, (code) }
#define CLI_JSON_OPT { "json", CLI_KIND_JSON, NULL, 0 }
#define CLI_AS_OPT { "as", CLI_KIND_AS, NULL, 0 }
#define CLI_HELP_OPT { "help", CLI_KIND_HELP, NULL, 0 }
#define CLI_END_OPT { NULL, CLI_KIND_FLAG, NULL, 0 }
#define CLI_MAX_OPTS 24 /* entries of one table, the end excluded */

/* One run of a command: what its options said, its engine, its actor. */
typedef struct cli_ctx {
	const char *noun;   /* the running command, whose --help is printed */
	const char *verb;   /* NULL for a noun that is a command (init, crl) */
	bool json;          /* --json */
	const char *as;     /* --as NAME; NULL: the OS user */
	const char *arg;    /* the value of the CLI_OWN_OPT option returned */
	const char *origin; /* of the actor: human (NULL) or automation */
	int argc;           /* the positional arguments, once cli_parse */
	char **argv;        /* returned 0 */
	int status;         /* the exit status when a helper said to return;
	                     * cli_finish's on success */
	cw_engine *e;       /* cli_open's; cli_finish closes it */
	cw_actor actor;     /* cli_open's: --as or the OS user, channel cli */
	cw_err err;         /* for the engine calls */
} cli_ctx;

#define CLI_CTX_INIT(n, v) { .noun = (n), .verb = (v), .err = CW_ERR_INIT }

/*
 * Reads the options in argv (argv[0] the command's name, as getopt
 * expects) as the table opts (ending with CLI_END_OPT) says.  Returns the
 * code of a CLI_OWN_OPT option (x->arg its value); 0 once all options are
 * read, x->argc and x->argv then the positional arguments; or -1 when the
 * command must return x->status at once: --help was printed (0), or an
 * unknown or incomplete option was reported (CW_EXIT_USAGE).
 */
int cli_parse(const cw_cli *cli, int argc, char **argv, const cli_opt *opts,
    cli_ctx *x);

/* For a command without positional arguments: true when none is left;
 * false after a usage error naming the first (x->status set). */
bool cli_no_args(const cw_cli *cli, cli_ctx *x);

/* For a command that takes one positional argument: true when exactly
 * one is left; false after printing the usage error msg (x->status set). */
bool cli_one_arg(const cw_cli *cli, cli_ctx *x, const char *msg);

/* The same for an ID, a decimal number from 1 to INT64_MAX: true with the
 * number in *id. */
bool cli_one_id(const cw_cli *cli, cli_ctx *x, const char *msg, int64_t *id);

/* Opens the data directory's engine into x->e and sets x->actor; false
 * after printing why it could not (x->status set). */
bool cli_open(const cw_cli *cli, cli_ctx *x);

/* Prints an engine result as text, from its JSON: a command's rows. */
typedef void cli_text_fn(json_t *v);

/*
 * The common end of a command that called the engine, rc the result: on
 * failure prints x->err (cli_fail).  On success, when text is not NULL,
 * prints v: as JSON with --json, else through text; when text is NULL the
 * command has printed its result itself.  Then releases v (the reference
 * is stolen; NULL is allowed) and closes x->e.  Returns the exit status:
 * cli_fail's, else x->status (CW_EXIT_OK unless the command set another,
 * say when its own printing failed).
 */
int cli_finish(const cw_cli *cli, cli_ctx *x, cw_rc rc, json_t *v,
    cli_text_fn *text);

/* Command handlers (one file per noun). */
int cw_cmd_csr_new(cw_cli *cli, int argc, char **argv);
int cw_cmd_csr_check(cw_cli *cli, int argc, char **argv);
int cw_cmd_csr_show(cw_cli *cli, int argc, char **argv);
int cw_cmd_policy_lint(cw_cli *cli, int argc, char **argv);
int cw_cmd_init(cw_cli *cli, int argc, char **argv);
int cw_cmd_ca_show(cw_cli *cli, int argc, char **argv);
int cw_cmd_user_add(cw_cli *cli, int argc, char **argv);
int cw_cmd_user_list(cw_cli *cli, int argc, char **argv);
int cw_cmd_user_remove(cw_cli *cli, int argc, char **argv);
int cw_cmd_service_add(cw_cli *cli, int argc, char **argv);
int cw_cmd_service_verify(cw_cli *cli, int argc, char **argv);
int cw_cmd_service_retire(cw_cli *cli, int argc, char **argv);
int cw_cmd_service_list(cw_cli *cli, int argc, char **argv);
int cw_cmd_request_submit(cw_cli *cli, int argc, char **argv);
int cw_cmd_request_list(cw_cli *cli, int argc, char **argv);
int cw_cmd_request_show(cw_cli *cli, int argc, char **argv);
int cw_cmd_request_approve(cw_cli *cli, int argc, char **argv);
int cw_cmd_request_reject(cw_cli *cli, int argc, char **argv);
int cw_cmd_exception_add(cw_cli *cli, int argc, char **argv);
int cw_cmd_exception_list(cw_cli *cli, int argc, char **argv);
int cw_cmd_exception_revoke(cw_cli *cli, int argc, char **argv);
int cw_cmd_cert_list(cw_cli *cli, int argc, char **argv);
int cw_cmd_cert_show(cw_cli *cli, int argc, char **argv);
int cw_cmd_cert_get(cw_cli *cli, int argc, char **argv);
int cw_cmd_cert_revoke(cw_cli *cli, int argc, char **argv);
int cw_cmd_crl(cw_cli *cli, int argc, char **argv);
int cw_cmd_audit_log(cw_cli *cli, int argc, char **argv);
int cw_cmd_audit_verify(cw_cli *cli, int argc, char **argv);
int cw_cmd_audit_checkpoint(cw_cli *cli, int argc, char **argv);
int cw_cmd_audit_prove(cw_cli *cli, int argc, char **argv);
int cw_cmd_audit_check_proof(cw_cli *cli, int argc, char **argv);
int cw_cmd_serve(cw_cli *cli, int argc, char **argv);
int cw_cmd_token_create(cw_cli *cli, int argc, char **argv);
int cw_cmd_token_list(cw_cli *cli, int argc, char **argv);
int cw_cmd_token_revoke(cw_cli *cli, int argc, char **argv);

/* The command table and help lookups (main.c). */
const cw_cmd *cw_cli_find(const char *noun, const char *verb);

/* Opens the data directory's engine, printing a failure; exit status. */
int cli_open_engine(const cw_cli *cli, struct cw_engine **e);

/* The acting principal: --as NAME, else the OS user; channel cli. */
void cli_actor(struct cw_actor *a, const char *as, const char *origin);

/* Prints a summary (or JSON) of a PEM certificate; exit status. */
int cli_print_cert_summary(const char *pem, bool json);

/* Prints "certward csr check: message" on stderr; returns the exit code. */
int cli_fail(const cw_cli *cli, const cw_err *err);

/* Prints a usage error and the hint to use --help; returns CW_EXIT_USAGE. */
int cli_usage(const cw_cli *cli, const char *fmt, ...) CW_PRINTF(2, 3);

/* Prints the --help text of the running command; returns CW_EXIT_OK. */
int cli_help(const cw_cli *cli, const char *noun, const char *verb);

/*
 * Loads a policy, printing every error as FILE:LINE:COL on stderr.
 * Returns CW_OK or the failure code (already printed).
 */
cw_rc cli_load_policy(const cw_cli *cli, const char *path, cw_policy **out);

/* Finds a template or prints the known names; CW_ERR_NOT_FOUND. */
cw_rc cli_template(const cw_cli *cli, const cw_policy *p, const char *name,
    const cw_template **out);

/* Reads and parses a CSR file; prints the error itself. */
cw_rc cli_read_csr(const cw_cli *cli, const char *path, cw_csr **out);

/* JSON helpers: objects owned by the caller (json_decref). */
json_t *cli_csr_json(const cw_csr *csr);

/* Prints a JSON value on stdout followed by a newline; steals the ref. */
void cli_print_json(json_t *j);
/* Prints a JSON array one element at a time, formatted as cli_print_json
 * would print the whole array: *n counts the elements printed so far
 * (start at 0); cli_json_array_end closes the array. */
void cli_json_array_item(size_t *n, const json_t *j);
void cli_json_array_end(size_t n);

/* Human lines for violations: "  [rule] message". */
void cli_print_violations(FILE *f, const cw_violations *v);

/* Returns a readable form of OpenSSL's name of a signature NID. */
const char *cli_sig_name(const cw_csr *csr);

#endif
