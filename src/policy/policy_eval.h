/*
 * policy_eval.h - the policy gate: evaluates a parsed CSR against one
 * template and lists every violation (DESIGN 6, 6.1).  Pure: no I/O, no
 * clock, no globals; safe to call from any number of threads.
 */
#ifndef CW_POLICY_EVAL_H
#define CW_POLICY_EVAL_H

#include "../x509/csr.h"
#include "policy.h"
#include "verdict.h"

/*
 * Appends to `out` (initialised by the caller) one violation per broken
 * rule, including the CSR's structural findings.  The request is compliant
 * when afterwards cw_violations_any(out) is false.  Returns CW_OK unless an
 * internal failure prevented a complete evaluation (then the caller must
 * treat the request as not evaluated).
 */
cw_rc cw_policy_eval(const cw_template *t, const cw_csr *csr,
    cw_violations *out, cw_err *err) CW_MUST_USE;

/*
 * Only the rules on the names a certificate carries: subject (DESIGN 6.1
 * Subject) and subjectAltName (DNS names, URIs, e-mail, IP addresses,
 * count, required).  Reads csr->subject, n_subject, n_rdns, sans and
 * n_sans, nothing else.  For the signer process (src/signer), which
 * re-checks a certificate's names against the template before signing
 * without ever seeing the CSR.
 */
cw_rc cw_policy_eval_names(const cw_template *t, const cw_csr *csr,
    cw_violations *out, cw_err *err) CW_MUST_USE;

#endif
