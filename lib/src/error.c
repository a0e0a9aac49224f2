#include "ocx/error.h"
#include <stdarg.h>
#include <stdio.h>

int ocx_error_set(ocx_error **reterr, int code, const char *field, const char *fmt, ...) {
        if (code < 0) code = -code;
        if (reterr && !*reterr) {
                ocx_error *e = ocx_xcalloc(1, sizeof(*e));
                va_list ap;
                va_start(ap, fmt);
                if (vasprintf(&e->message, fmt, ap) < 0) e->message = ocx_xstrdup("out of memory");
                va_end(ap);
                e->code = code;
                e->field = field ? ocx_xstrdup(field) : NULL;
                *reterr = e;
        }
        return -code;
}

int ocx_error_wrap(ocx_error **reterr, const char *fmt, ...) {
        if (!reterr || !*reterr) return -EIO;
        ocx_error *e = *reterr;
        char *prefix = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&prefix, fmt, ap) >= 0) {
                char *m = ocx_xasprintf("%s: %s", prefix, e->message);
                free(e->message);
                e->message = m;
                free(prefix);
        }
        va_end(ap);
        return -e->code;
}

ocx_error *ocx_error_free(ocx_error *e) {
        if (e) {
                free(e->message);
                free(e->field);
                free(e);
        }
        return NULL;
}
