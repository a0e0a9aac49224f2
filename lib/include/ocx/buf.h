/* ocx — growable byte buffer with a hard cap (strbuf-like). Always NUL
 * terminated. Appends beyond the cap fail with -E2BIG and leave the buffer
 * unchanged. */
#pragma once
#include <stdarg.h>
#include <stddef.h>

typedef struct ocx_buf {
        char *data;
        size_t len, alloc, cap; /* cap 0 = unlimited */
} ocx_buf;

#define OCX_BUF_INIT {NULL, 0, 0, 0}

void ocx_buf_init(ocx_buf *b, size_t cap);
void ocx_buf_release(ocx_buf *b);
int ocx_buf_append(ocx_buf *b, const void *data, size_t len);
int ocx_buf_puts(ocx_buf *b, const char *s);
int ocx_buf_printf(ocx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ocx_buf_vprintf(ocx_buf *b, const char *fmt, va_list ap);
/* Hands the data out (caller frees) and resets the buffer; never NULL. */
char *ocx_buf_detach(ocx_buf *b, size_t *ret_len);
void ocx_buf_reset(ocx_buf *b);
/* Reads a whole file, at most cap bytes (-E2BIG beyond). */
int ocx_read_file(const char *path, size_t cap, char **ret, size_t *ret_len);
/* Writes atomically (temp file + rename) with the given mode. */
int ocx_write_file_atomic(const char *path, const void *data, size_t len, int mode);
