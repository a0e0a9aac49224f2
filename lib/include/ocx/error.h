/* ocx — error objects: an errno-style code, a message and an optional JSON
 * field path, passed up to the edge (API server → Status, CLI → "error: ..."). */
#pragma once
#include "ocx/macro.h"

typedef struct ocx_error {
        int code;      /* positive errno value (EINVAL, ENOENT, ...) */
        char *message; /* lowercase, no final period */
        char *field;   /* JSON path such as "spec.host", or NULL */
} ocx_error;

/* Sets *reterr (when reterr != NULL and *reterr is NULL) and returns -code.
 * field may be NULL. A set error is never replaced by a later one. */
int ocx_error_set(ocx_error **reterr, int code, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* Prefixes the message with "prefix: " (context on the way up); returns -code. */
int ocx_error_wrap(ocx_error **reterr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
ocx_error *ocx_error_free(ocx_error *e);
static inline void ocx_error_freep(ocx_error **e) { *e = ocx_error_free(*e); }
#define _cleanup_error_ _cleanup_(ocx_error_freep)
