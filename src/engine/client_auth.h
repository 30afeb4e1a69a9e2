/*
 * client_auth.h - signing in to the REST API with a client certificate
 * (mutual TLS; DESIGN 7.1, issue 4 item 3).  The TLS layer only asks for
 * the certificate; everything that decides whom it authenticates is here,
 * checked against certward's own issuing CA and inventory.
 */
#ifndef CW_CLIENT_AUTH_H
#define CW_CLIENT_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "engine.h"

/*
 * Authenticates the DER certificate a TLS client presented (the peer's
 * leaf; TLS has already proved possession of its key).  CW_OK when it
 *   - is one DER certificate of at most CW_MAX_CERT_BYTES,
 *   - is signed by the issuing CA under its name (RFC 5280 6.1.3),
 *   - is in the inventory, issued by certward (not discovered), with the
 *     same bytes, status valid (neither revoked nor superseded), and now
 *     within its validity (RFC 5280 4.1.2.5),
 *   - is not a CA, has extendedKeyUsage clientAuth (RFC 5280 4.2.1.12)
 *     and, when it has keyUsage, digitalSignature (4.2.1.3),
 *   - was issued for a request whose requester is a user now, the same
 *     user (created no later than the request), and
 *   - names that requester: the subject's one commonName, an rfc822Name
 *     SAN, or the last path segment of a spiffe:// URI SAN equals the
 *     user's name exactly.
 * The last two make the mapping safe: a certificate signs in only the
 * user who asked for it and whom it names, so nobody can obtain a
 * credential for someone else (a pki-admin's workload certificates
 * included), and removing the user ends its certificates' use at once.
 * *user_out (may be NULL) is then the user with the roles it holds now,
 * serial (may be NULL) the certificate's serial (lower-case hex).
 * CW_ERR_NONCOMPLIANT, with a message naming the serial (when known) and
 * the reason, for a certificate that does not sign anyone in; other codes
 * for storage failures.
 */
cw_rc cw_client_cert_authenticate(cw_engine *e, const uint8_t *der,
    size_t len, cw_user *user_out, char serial[48], cw_err *err)
    CW_MUST_USE;

#endif
