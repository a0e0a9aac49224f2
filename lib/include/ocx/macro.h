/* ocx — small helpers shared by every component: cleanup attributes,
 * ownership transfer, checked allocation. */
#pragma once
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OCX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation failures abort: there is no useful recovery in a daemon. */
void *ocx_xmalloc(size_t n);
void *ocx_xcalloc(size_t nmemb, size_t n);
void *ocx_xrealloc(void *p, size_t n);
char *ocx_xstrdup(const char *s);
char *ocx_xstrndup(const char *s, size_t n);
/* printf into a fresh heap string; aborts on OOM. */
char *ocx_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline void ocx_freep(void *p) { free(*(void **)p); }
static inline void ocx_closep(int *fd) {
        if (*fd >= 0) close(*fd);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(ocx_freep)
#define _cleanup_close_ _cleanup_(ocx_closep)

/* Defines `static inline void name##p(type *p)` that calls func(*p) when non-NULL. */
#define OCX_DEFINE_CLEANUP_FUNC(type, func)                                                        \
        static inline void func##p(type *p) {                                                      \
                if (*p) func(*p);                                                                  \
        }

#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                __typeof__(p) _p_ = (p);                                                           \
                (p) = NULL;                                                                        \
                _p_;                                                                               \
        })
#define TAKE_FD(fd)                                                                                \
        ({                                                                                         \
                int _fd_ = (fd);                                                                   \
                (fd) = -1;                                                                         \
                _fd_;                                                                              \
        })

static inline int ocx_streq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}
static inline int ocx_startswith(const char *s, const char *prefix) {
        return s && strncmp(s, prefix, strlen(prefix)) == 0;
}
