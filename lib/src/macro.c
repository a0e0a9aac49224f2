#include "ocx/macro.h"
#include <stdarg.h>
#include <stdio.h>

static void oom(void) {
        static const char msg[] = "out of memory\n";
        (void)!write(2, msg, sizeof(msg) - 1);
        abort();
}

void *ocx_xmalloc(size_t n) {
        void *p = malloc(n ? n : 1);
        if (!p) oom();
        return p;
}

void *ocx_xcalloc(size_t nmemb, size_t n) {
        void *p = calloc(nmemb ? nmemb : 1, n ? n : 1);
        if (!p) oom();
        return p;
}

void *ocx_xrealloc(void *p, size_t n) {
        void *q = realloc(p, n ? n : 1);
        if (!q) oom();
        return q;
}

char *ocx_xstrdup(const char *s) {
        char *p = strdup(s ? s : "");
        if (!p) oom();
        return p;
}

char *ocx_xstrndup(const char *s, size_t n) {
        char *p = strndup(s, n);
        if (!p) oom();
        return p;
}

char *ocx_xasprintf(const char *fmt, ...) {
        va_list ap;
        char *s = NULL;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0) oom();
        return s;
}
