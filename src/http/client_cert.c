/*
 * client_cert.c - the client certificate of a request's TLS connection,
 * for mutual-TLS sign-in (router.c; the checks are the engine's,
 * src/engine/client_auth.c).
 *
 * The HTTPS listener is given certward's issuing CA as its only trust
 * (MHD_OPTION_HTTPS_MEM_TRUST, server.c), which makes libmicrohttpd ask
 * every client for a certificate without requiring one (GnuTLS
 * GNUTLS_CERT_REQUEST).  GnuTLS then checks in the handshake that the
 * client holds the certificate's key (TLS 1.3 CertificateVerify, RFC 8446
 * 4.4.3; TLS 1.2, RFC 5246 7.4.8); it does not judge the certificate,
 * and nothing here relies on it doing so.
 */
#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "http.h"

const uint8_t *
cw_http_client_cert(const cw_http_req *req, size_t *len)
{
	const union MHD_ConnectionInfo *ci;
	const gnutls_datum_t *peers;
	gnutls_session_t s;
	unsigned int n = 0;

	*len = 0;
	/* the plain public listener has no TLS session */
	if (req->conn == NULL || req->public_listener)
		return NULL;
	ci = MHD_get_connection_info((struct MHD_Connection *)req->conn,
	    MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL)
		return NULL;
	s = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_type_get2(s, GNUTLS_CTYPE_PEERS) !=
	    GNUTLS_CRT_X509)
		return NULL;
	/* the peer's chain as sent, its own certificate first */
	peers = gnutls_certificate_get_peers(s, &n);
	if (peers == NULL || n == 0 || peers[0].data == NULL ||
	    peers[0].size == 0)
		return NULL;
	*len = peers[0].size;
	return peers[0].data;
}
