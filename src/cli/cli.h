/*
 * cli.h - the certward command line: one table of `noun verb` commands
 * (main.c) and the helpers every command shares (cli_util.c).  Commands are
 * thin adapters: they parse options, call the library and print.
 */
#ifndef CW_CLI_H
#define CW_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "common/err.h"
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

struct cw_engine;
struct cw_actor;

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
json_t *cli_violations_json(const cw_violations *v);
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
