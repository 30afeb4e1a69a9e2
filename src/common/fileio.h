/*
 * fileio.h - bounded reads and safe writes.  Reads refuse non-regular files
 * and anything larger than the caller's limit; writes are atomic (temporary
 * file in the same directory, fsync, rename) and private keys are created
 * with mode 0600 from the first byte.
 */
#ifndef CW_FILEIO_H
#define CW_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * Reads the whole of `path` ("-" is standard input) into a new buffer with a
 * NUL appended (not counted in *len).  CW_ERR_IO when it cannot be read,
 * CW_ERR_INPUT when it is larger than max.  The caller frees *out.
 */
cw_rc cw_read_file(const char *path, size_t max, uint8_t **out, size_t *len,
    cw_err *err) CW_MUST_USE;

/*
 * Writes data to path atomically with the given mode.  With overwrite false,
 * an existing file is CW_ERR_EXISTS and is left untouched.
 */
cw_rc cw_write_file(const char *path, const void *data, size_t len,
    unsigned mode, bool overwrite, cw_err *err) CW_MUST_USE;

#endif
