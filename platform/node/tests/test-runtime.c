/* node/runtime.h: mount targets inside the container root. rt_start runs
 * the real container setup (monitor, new mount and pid namespaces, overlay
 * root, /proc, /dev, bind mounts) with an entrypoint that does not exist, so
 * it ends right after the mounts; what was created where is then checked on
 * the host. Needs root (namespaces, overlayfs); skipped otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "node/runtime.h"

typedef struct fixture {
        char tmp[64];      /* everything of the test */
        char host[64];     /* a host directory symlinks in a volume point at: must stay empty */
        char run_name[64]; /* /run/<run_name> on the host must not appear */
        char lower[128], rootfs[128], upper[160], state[128], log[128];
        char shared[128], other[128], file[128];
} fixture;

static void sh(const char *fmt, ...) {
        char cmd[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        int st = system(cmd);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        snprintf(f->tmp, sizeof(f->tmp), "/tmp/ocx-test-rt.XXXXXX");
        snprintf(f->host, sizeof(f->host), "/tmp/ocx-escape.XXXXXX");
        if (!f || !mkdtemp(f->tmp) || !mkdtemp(f->host)) {
                free(f);
                return -1;
        }
        snprintf(f->run_name, sizeof(f->run_name), "ocx-test-escape-%s", strrchr(f->host, '.') + 1);
        snprintf(f->lower, sizeof(f->lower), "%s/lower", f->tmp);
        snprintf(f->rootfs, sizeof(f->rootfs), "%s/rootfs", f->tmp);
        snprintf(f->upper, sizeof(f->upper), "%s/upper", f->rootfs);
        snprintf(f->state, sizeof(f->state), "%s/state", f->tmp);
        snprintf(f->log, sizeof(f->log), "%s/log", f->tmp);
        snprintf(f->shared, sizeof(f->shared), "%s/shared", f->tmp);
        snprintf(f->other, sizeof(f->other), "%s/other", f->tmp);
        snprintf(f->file, sizeof(f->file), "%s/file", f->tmp);
        /* the image: Debian's /var/run -> /run; the volume: links a container left */
        sh("mkdir -p %s/var %s/run %s/tmp %s %s && ln -s /run %s/var/run && echo data >%s", f->lower, f->lower,
           f->lower, f->shared, f->other, f->lower, f->file);
        sh("ln -s %s %s/link && ln -s ../../../../../../../../../..%s %s/rel && ln -s %s/fin %s/fin && "
           "ln -s /proc/self/root%s %s/magic",
           f->host, f->shared, f->host, f->shared, f->host, f->shared, f->host, f->shared);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' '/run/%s'", f->tmp, f->host, f->run_name);
        int st = system(cmd);
        free(f);
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* rt_start with these mounts; returns its error message (the container never execs) */
static char *start(fixture *f, const rt_mount *mounts, size_t n) {
        scc_exec_context sc = {.allow_privilege_escalation = -1};
        scc_enforcement *enf = NULL;
        assert_int_equal(scc_exec_context_resolve_user(&sc, NULL, NULL), 0);
        assert_int_equal(scc_enforce_prepare(&sc, NULL, &enf, NULL), 0);
        const char *lowers[] = {f->lower};
        char *argv[] = {"/no-such-entrypoint", NULL}, *envp[] = {NULL};
        rt_spec s = {.name = "c",
                     .state_dir = f->state,
                     .lowers = lowers,
                     .n_lowers = 1,
                     .rootfs_dir = f->rootfs,
                     .argv = argv,
                     .envp = envp,
                     .hostname = "t",
                     .log_path = f->log,
                     .mounts = mounts,
                     .n_mounts = n,
                     .enforcement = enf};
        pid_t pid = 0, monitor = 0;
        ocx_error *e = NULL;
        int r = rt_start(&s, &pid, &monitor, &e);
        if (monitor > 0) assert_int_equal(waitpid(monitor, NULL, 0), monitor);
        assert_true(r < 0);
        assert_non_null(e);
        char *msg = strdup(e->message);
        ocx_error_free(e);
        scc_enforcement_free(enf);
        scc_exec_context_release(&sc);
        return msg;
}

static int entries(const char *dir) {
        DIR *d = opendir(dir);
        if (!d) return -1;
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) n++;
        closedir(d);
        return n;
}

static bool is_type(const char *base, const char *path, mode_t type) {
        char p[512];
        struct stat st;
        snprintf(p, sizeof(p), "%s%s", base, path);
        return lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

static void skip_unless_root(void) {
        if (geteuid() != 0) {
                fprintf(stderr, "# needs root (mount and pid namespaces, overlayfs)\n");
                skip();
        }
}

/* symlinks in a volume and in the image resolve inside the root */
static void links_stay_inside(void **state) {
        skip_unless_root();
        fixture *f = *state;
        char var_run[128], in_host[4][128];
        snprintf(var_run, sizeof(var_run), "/var/run/%s/x", f->run_name);
        const rt_mount m[] = {
            {f->shared, "/shared", false},         /* the pod's emptyDir with the links in it */
            {f->other, "/shared/link/sub", false}, /* absolute link to a host directory */
            {f->file, "/shared/rel/f", true},      /* relative link climbing out, a file mount */
            {f->other, "/shared/fin", false},      /* the last element a dangling link */
            {f->other, var_run, true},             /* the image's /var/run -> /run */
        };
        _cleanup_free_ char *msg = start(f, m, OCX_ARRAY_SIZE(m));
        assert_int_equal(entries(f->host), 0); /* nothing on the host */
        char run[128];
        snprintf(run, sizeof(run), "/run/%s", f->run_name);
        assert_int_equal(access(run, F_OK), -1);
        assert_string_equal(msg, "exec '/no-such-entrypoint': No such file or directory"); /* every mount was made */
        /* the mount points were made inside the root (its upper layer) */
        snprintf(in_host[0], sizeof(in_host[0]), "%s/sub", f->host);
        snprintf(in_host[1], sizeof(in_host[1]), "%s/f", f->host);
        snprintf(in_host[2], sizeof(in_host[2]), "%s/fin", f->host);
        snprintf(in_host[3], sizeof(in_host[3]), "/run/%s/x", f->run_name);
        assert_true(is_type(f->upper, in_host[0], S_IFDIR));
        assert_true(is_type(f->upper, in_host[1], S_IFREG));
        assert_true(is_type(f->upper, in_host[2], S_IFDIR));
        assert_true(is_type(f->upper, in_host[3], S_IFDIR));
        assert_int_equal(entries(f->other), 0);
}

/* a magic link (/proc/self/root/...) is refused, with the target in the message */
static void magic_link_refused(void **state) {
        skip_unless_root();
        fixture *f = *state;
        const rt_mount m[] = {{f->shared, "/shared", false}, {f->other, "/shared/magic/sub", false}};
        _cleanup_free_ char *msg = start(f, m, OCX_ARRAY_SIZE(m));
        assert_int_equal(entries(f->host), 0);
        assert_string_equal(msg, "create mount point '/shared/magic/sub': Too many levels of symbolic links");
}

/* a file where a directory mount point must be, and ".." in a target */
static void wrong_targets(void **state) {
        skip_unless_root();
        fixture *f = *state;
        const rt_mount m[] = {{f->other, "/shared/../x", false}};
        _cleanup_free_ char *msg = start(f, m, 1);
        assert_string_equal(msg, "mount target '/shared/../x': Invalid argument");
        sh("echo x >%s/plain", f->shared);
        const rt_mount m2[] = {{f->shared, "/shared", false}, {f->other, "/shared/plain/sub", false}};
        _cleanup_free_ char *msg2 = start(f, m2, OCX_ARRAY_SIZE(m2));
        assert_string_equal(msg2, "create mount point '/shared/plain/sub': Not a directory");
        sh("rm %s/plain", f->shared);
}

int main(void) {
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(links_stay_inside, setup, teardown),
            cmocka_unit_test_setup_teardown(magic_link_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(wrong_targets, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
