/* Shared by the store's test programs (each is linked alone, so everything
 * here is static inline): a temporary store per test, clocks, and the value
 * callbacks both suites use. */
#pragma once
#include <ftw.h>
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
