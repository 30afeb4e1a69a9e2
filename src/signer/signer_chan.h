/*
 * signer_chan.h - moving the signer's messages (signer_msg.h) over an
 * AF_UNIX SOCK_SEQPACKET socket: cutting a body into fragments, reading
 * datagrams (with at most one descriptor passed along), deadlines.
 */
#ifndef CW_SIGNER_CHAN_H
#define CW_SIGNER_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "signer_msg.h"

/* A socket pair for one channel (both ends close-on-exec). */
cw_rc cw_sig_pair(int sv[2], cw_err *err) CW_MUST_USE;

/*
 * Sends one message: the body in fragments of at most CW_SIG_FRAG_MAX
 * bytes, `pass_fd` (>= 0) passed with the first one.  Waits at most
 * timeout_ms in all for the peer to make room.  CW_ERR_IO when the peer
 * is gone or too slow.
 */
cw_rc cw_sig_send(int fd, uint16_t type, uint32_t id, const uint8_t *body,
    size_t len, int pass_fd, int timeout_ms, cw_err *err) CW_MUST_USE;

/*
 * Reads one datagram of at most CW_SIG_FRAG_MAX bytes into buf, waiting
 * at most timeout_ms (-1: no limit; 0: only what is there).  *got_fd is a
 * descriptor that came with it, or -1 (the caller closes it).
 * CW_ERR_NOT_FOUND when nothing came in time, CW_ERR_IO when the peer
 * closed the channel or a datagram was longer than a fragment may be.
 */
cw_rc cw_sig_recv_dgram(int fd, uint8_t *buf, size_t *len, int *got_fd,
    int timeout_ms, cw_err *err) CW_MUST_USE;

/*
 * Reads datagrams until rx holds a whole message, within timeout_ms in
 * all.  Descriptors that come along are closed unless got_fd is given
 * (the first one is kept there, -1 if none).
 */
cw_rc cw_sig_recv_msg(int fd, cw_sig_rx *rx, int *got_fd, int timeout_ms,
    cw_err *err) CW_MUST_USE;

#endif
