/* Shared by the store's test programs (each is linked alone, so everything
 * here is static inline): a temporary store per test, clocks, and the value
 * callbacks both suites use. */
#pragma once
#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include "ocx/error.h"
#include "ocx/macro.h"
#include "store/store.h"

typedef struct fixture {
        char dir[64];
        char *path;
        store *s;
} fixture;

static inline int fixture_rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)flag;
        (void)ftw;
        remove(p);
        return 0;
}

/* A store at <tmpdir>/<rel> in a fresh /tmp/<name>.XXXXXX directory. */
static inline int fixture_setup(void **state, const char *name, const char *rel) {
        fixture *f = ocx_xcalloc(1, sizeof(*f));
        snprintf(f->dir, sizeof(f->dir), "/tmp/%s.XXXXXX", name);
        if (!mkdtemp(f->dir)) return -1;
        f->path = ocx_xasprintf("%s/%s", f->dir, rel);
        if (store_open_sqlite(f->path, &f->s, NULL) < 0) return -1;
        *state = f;
        return 0;
}

static inline int fixture_teardown(void **state) {
        fixture *f = *state;
        store_close(f->s);
        nftw(f->dir, fixture_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(f->path);
        free(f);
        return 0;
}

static inline double now_ms(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* value callbacks: a constant value (userdata), and a refusal with a field error */
static inline char *val_const(int64_t rev, const char *prev, void *userdata, ocx_error **reterr) {
        (void)rev;
        (void)prev;
        (void)reterr;
        return ocx_xstrdup(userdata);
}

static inline char *val_refuse(int64_t rev, const char *prev, void *userdata, ocx_error **reterr) {
        (void)rev;
        (void)prev;
        (void)userdata;
        ocx_error_set(reterr, EINVAL, "spec.x", "spec.x: invalid value");
        return NULL;
}

/* The crash half of the durability tests: reads what the child acknowledges
 * on fd for about 300 ms, SIGKILLs it, drains the pipe and reaps the child
 * (asserting it died of SIGKILL). Returns a NUL-terminated heap buffer (at
 * most cap bytes of data); fd is closed. */
static inline char *read_acks_then_sigkill(pid_t pid, int fd, size_t cap) {
        char *buf = ocx_xmalloc(cap + 1);
        size_t len = 0;
        double t0 = now_ms();
        bool killed = false;
        for (;;) {
                if (!killed && now_ms() - t0 >= 300) {
                        assert_int_equal(kill(pid, SIGKILL), 0);
                        killed = true;
                }
                struct pollfd pfd = {.fd = fd, .events = POLLIN};
                poll(&pfd, 1, killed ? 1000 : 10);
                if (!(pfd.revents & (POLLIN | POLLHUP))) continue;
                assert_true(len < cap);
                ssize_t r = read(fd, buf + len, cap - len);
                if (r < 0 && errno == EINTR) continue;
                assert_true(r >= 0);
                if (r == 0) break;
                len += (size_t)r;
        }
        close(fd);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        buf[len] = 0;
        return buf;
}
