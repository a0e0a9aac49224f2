/* The enforcer: effective values from a pod, capability arithmetic, and the
 * real thing applied in forked children (ids, cap sets from
 * /proc/self/status, no_new_privs, seccomp denials, ambient caps across exec). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "ocx/json.h"
#include "scc/enforce.h"
#include "ocx/banned.h"

static cJSON *J(const char *s) {
        char *d = ocx_xstrdup(s);
        for (char *p = d; *p; p++)
                if (*p == '\'') *p = '"';
        cJSON *j = NULL;
        assert_int_equal(ocx_json_parse(d, strlen(d), &j, NULL), 0);
        free(d);
        return j;
}

#define B(c) (1ULL << (c))
static const uint64_t crio_defaults = B(0) | B(1) | B(3) | B(4) | B(5) | B(6) | B(7) | B(8) | B(10);

static void effective_values(void **state) {
        (void)state;
        cJSON *pod = J("{'metadata':{'annotations':{'container.seccomp.security.alpha.kubernetes.io/b':'localhost/x.json',"
                       "'seccomp.security.alpha.kubernetes.io/pod':'runtime/default'}},"
                       "'spec':{'securityContext':{'runAsUser':1000660000,'fsGroup':1000660000,'supplementalGroups':[5,6],"
                       "'seLinuxOptions':{'level':'s0:c26,c5'}},"
                       "'containers':[{'name':'a','securityContext':{'runAsUser':7,'runAsGroup':8,'allowPrivilegeEscalation':false,"
                       "'capabilities':{'drop':['ALL'],'add':['NET_BIND_SERVICE']},'readOnlyRootFilesystem':true,"
                       "'seccompProfile':{'type':'Unconfined'}}},{'name':'b'}],"
                       "'initContainers':[{'name':'i','securityContext':{'privileged':true}}]}}");
        scc_exec_context c;
        assert_int_equal(scc_exec_context_from_pod(pod, "a", &c, NULL), 0);
        assert_true(c.has_uid && c.uid == 7 && c.has_gid && c.gid == 8);
        assert_int_equal(c.n_groups, 3);
        assert_int_equal(c.groups[2], 1000660000);
        assert_int_equal(c.allow_privilege_escalation, 0);
        assert_true(c.read_only_root);
        assert_string_equal(c.cap_drop[0], "ALL");
        assert_string_equal(c.cap_add[0], "NET_BIND_SERVICE");
        assert_string_equal(c.seccomp, "unconfined");
        assert_string_equal(c.selinux_label, "system_u:system_r:container_t:s0:c26,c5");
        scc_exec_context_release(&c);
        assert_int_equal(scc_exec_context_from_pod(pod, "b", &c, NULL), 0);
        assert_true(c.has_uid && c.uid == 1000660000 && !c.has_gid);
        assert_int_equal(c.allow_privilege_escalation, -1);
        assert_string_equal(c.seccomp, "localhost/x.json");
        assert_int_equal(scc_exec_context_resolve_user(&c, "5", NULL), 0);
        assert_true(c.uid == 1000660000 && c.gid == 0);
        scc_exec_context_release(&c);
        assert_int_equal(scc_exec_context_from_pod(pod, "i", &c, NULL), 0);
        assert_true(c.privileged);
        assert_string_equal(c.seccomp, "runtime/default");
        scc_exec_context_release(&c);
        assert_int_equal(scc_exec_context_from_pod(pod, "nope", &c, NULL), -ENOENT);
        cJSON_Delete(pod);

        pod = J("{'spec':{'containers':[{'name':'a','securityContext':{'runAsNonRoot':true}}]}}");
        assert_int_equal(scc_exec_context_from_pod(pod, "a", &c, NULL), 0);
        assert_int_equal(scc_exec_context_resolve_user(&c, "1001:1002", NULL), 0);
        assert_true(c.uid == 1001 && c.gid == 1002);
        scc_exec_context_release(&c);
        assert_int_equal(scc_exec_context_from_pod(pod, "a", &c, NULL), 0);
        ocx_error *e = NULL;
        assert_int_equal(scc_exec_context_resolve_user(&c, NULL, &e), -EPERM);
        assert_string_equal(e->message, "container has runAsNonRoot and image will run as root");
        ocx_error_free(e);
        scc_exec_context_release(&c);
        assert_int_equal(scc_exec_context_from_pod(pod, "a", &c, NULL), 0);
        assert_int_equal(scc_exec_context_resolve_user(&c, "nobody", NULL), -EINVAL);
        scc_exec_context_release(&c);
        cJSON_Delete(pod);

        pod = J("{'spec':{'containers':[{'name':'a','securityContext':{'runAsUser':-1}}]}}");
        e = NULL;
        assert_int_equal(scc_exec_context_from_pod(pod, "a", &c, &e), -EINVAL);
        assert_string_equal(e->field, "securityContext.runAsUser");
        ocx_error_free(e);
        cJSON_Delete(pod);
}

static scc_enforcement *prep(const char *container_sc, const char *profile_root) {
        char *s = ocx_xasprintf("{'spec':{'containers':[{'name':'c','securityContext':%s}]}}", container_sc);
        cJSON *pod = J(s);
        free(s);
        scc_exec_context c;
        assert_int_equal(scc_exec_context_from_pod(pod, "c", &c, NULL), 0);
        assert_int_equal(scc_exec_context_resolve_user(&c, NULL, NULL), 0);
        scc_enforcement *e = NULL;
        ocx_error *err = NULL;
        int r = scc_enforce_prepare(&c, profile_root, &e, &err);
        if (r < 0) fprintf(stderr, "prepare: %s\n", err ? err->message : "?");
        assert_int_equal(r, 0);
        ocx_error_free(err);
        scc_exec_context_release(&c);
        cJSON_Delete(pod);
        return e;
}

static void capability_sets(void **state) {
        (void)state;
        assert_int_equal(scc_cap_from_name("NET_BIND_SERVICE"), 10);
        assert_int_equal(scc_cap_from_name("cap_sys_admin"), 21);
        assert_int_equal(scc_cap_from_name("NOPE"), -EINVAL);
        scc_enforcement *e = prep("{}", NULL);
        assert_int_equal(scc_enforcement_caps(e), crio_defaults);
        assert_false(scc_enforcement_no_new_privs(e)); /* root, APE unset */
        scc_enforcement_free(e);
        e = prep("{'runAsUser':1000660000,'capabilities':{'drop':['KILL','MKNOD','SETGID','SETUID']}}", NULL);
        assert_int_equal(scc_enforcement_caps(e), crio_defaults & ~(B(5) | B(6) | B(7)));
        assert_true(scc_enforcement_no_new_privs(e)); /* always for non-root */
        scc_enforcement_free(e);
        e = prep("{'capabilities':{'drop':['ALL'],'add':['NET_BIND_SERVICE','sys_time']},'allowPrivilegeEscalation':false}", NULL);
        assert_int_equal(scc_enforcement_caps(e), B(10) | B(25));
        assert_true(scc_enforcement_no_new_privs(e));
        scc_enforcement_free(e);
        e = prep("{'privileged':true,'runAsUser':1000}", NULL);
        assert_true((scc_enforcement_caps(e) & B(21)) && (scc_enforcement_caps(e) & B(0)));
        assert_false(scc_enforcement_no_new_privs(e));
        scc_enforcement_free(e);

        cJSON *pod = J("{'spec':{'containers':[{'name':'c','securityContext':{'capabilities':{'add':['BOGUS']}}}]}}");
        scc_exec_context c;
        assert_int_equal(scc_exec_context_from_pod(pod, "c", &c, NULL), 0);
        ocx_error *err = NULL;
        assert_int_equal(scc_enforce_prepare(&c, NULL, &e, &err), -EINVAL);
        assert_string_equal(err->message, "unknown capability 'BOGUS'");
        ocx_error_free(err);
        scc_exec_context_release(&c);
        cJSON_Delete(pod);
        pod = J("{'spec':{'containers':[{'name':'c','securityContext':{'seccompProfile':{'type':'Localhost','localhostProfile':'../x'}}}]}}");
        assert_int_equal(scc_exec_context_from_pod(pod, "c", &c, NULL), 0);
        assert_int_equal(scc_enforce_prepare(&c, "/tmp", &e, NULL), -EINVAL);
        scc_exec_context_release(&c);
        cJSON_Delete(pod);
}

/* ---- forked children ----------------------------------------------------- */

static uint64_t status_hex(const char *status, const char *key) {
        const char *p = strstr(status, key);
        if (!p) return ~0ULL;
        return strtoull(p + strlen(key), NULL, 16);
}
static long status_dec(const char *status, const char *key) {
        const char *p = strstr(status, key);
        if (!p) return -1;
        return strtol(p + strlen(key), NULL, 10);
}

#define CHECK(cond)                                                                                                    \
        do {                                                                                                           \
                if (!(cond)) {                                                                                         \
                        dprintf(2, "child check failed at line %d: %s\n", __LINE__, #cond);                            \
                        _exit(1);                                                                                      \
                }                                                                                                      \
        } while (0)

static char *read_status(void) {
        char *s = NULL;
        size_t n;
        if (ocx_read_file("/proc/self/status", 1 << 16, &s, &n) < 0) return NULL;
        return s;
}

typedef void (*child_fn)(const scc_enforcement *e, void *ud);

static void in_child(const scc_enforcement *e, child_fn fn, void *ud) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                const char *step = NULL;
                int r = scc_enforce_apply(e, &step);
                if (r < 0) {
                        dprintf(2, "apply failed at %s: %s\n", step ? step : "?", strerror(-r));
                        _exit(2);
                }
                fn(e, ud);
                _exit(0);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
}

static bool is_root(void) { return geteuid() == 0; }

static void restricted_child(const scc_enforcement *e, void *ud) {
        (void)e;
        (void)ud;
        uid_t r, ef, s;
        getresuid(&r, &ef, &s);
        CHECK(r == 1000660000 && ef == 1000660000 && s == 1000660000);
        gid_t g[8];
        int n = getgroups(8, g);
        CHECK(getgid() == 0 && n == 1 && g[0] == 1000660000);
        char *st = read_status();
        CHECK(st);
        CHECK(status_hex(st, "CapBnd:\t") == (crio_defaults & ~(B(5) | B(6) | B(7))));
        CHECK(status_hex(st, "CapEff:\t") == 0);
        CHECK(status_hex(st, "CapPrm:\t") == 0);
        CHECK(status_dec(st, "NoNewPrivs:\t") == 1);
        CHECK(status_dec(st, "Seccomp:\t") == 2);
        free(st);
        /* the runtime/default profile answers EPERM; uid 0 is out of reach */
        CHECK(unshare(CLONE_NEWNS) < 0 && errno == EPERM);
        CHECK(syscall(SYS_keyctl, 0, 0, 0, 0, 0) < 0 && errno == EPERM);
        CHECK(syscall(SYS_ptrace, 0, 0, 0, 0) < 0 && errno == EPERM);
        CHECK(setuid(0) < 0 && errno == EPERM);
        CHECK(syscall(SYS_clone, (long)(CLONE_NEWUSER | SIGCHLD), 0, 0, 0, 0) < 0 && errno == EPERM);
        /* ordinary work still goes */
        pid_t p = fork();
        if (p == 0) _exit(7);
        int ws;
        CHECK(p > 0 && waitpid(p, &ws, 0) == p && WEXITSTATUS(ws) == 7);
}

static void restricted(void **state) {
        (void)state;
        if (!is_root()) skip();
        scc_enforcement *e =
                prep("{'runAsUser':1000660000,'allowPrivilegeEscalation':false,'capabilities':{'drop':['KILL','MKNOD','SETGID','SETUID']},"
                     "'seccompProfile':{'type':'RuntimeDefault'}}",
                     NULL);
        /* groups come from the pod level: patch them in by hand */
        scc_enforcement_free(e);
        cJSON *pod = J("{'spec':{'securityContext':{'fsGroup':1000660000,'runAsUser':1000660000},'containers':[{'name':'c',"
                       "'securityContext':{'allowPrivilegeEscalation':false,'capabilities':{'drop':['KILL','MKNOD','SETGID','SETUID']},"
                       "'seccompProfile':{'type':'RuntimeDefault'}}}]}}");
        scc_exec_context c;
        assert_int_equal(scc_exec_context_from_pod(pod, "c", &c, NULL), 0);
        assert_int_equal(scc_exec_context_resolve_user(&c, NULL, NULL), 0);
        assert_int_equal(scc_enforce_prepare(&c, NULL, &e, NULL), 0);
        in_child(e, restricted_child, NULL);
        scc_enforcement_free(e);
        scc_exec_context_release(&c);
        cJSON_Delete(pod);
}

static void root_default_child(const scc_enforcement *e, void *ud) {
        (void)e;
        (void)ud;
        CHECK(getuid() == 0 && getgid() == 0);
        char *st = read_status();
        CHECK(st);
        CHECK(status_hex(st, "CapBnd:\t") == crio_defaults);
        CHECK(status_hex(st, "CapEff:\t") == crio_defaults);
        CHECK(status_dec(st, "NoNewPrivs:\t") == 0);
        /* no profile given: runtime/default (mode 2 = filter), as OpenShift's CRI-O applies */
        CHECK(status_dec(st, "Seccomp:\t") == 2);
        CHECK(unshare(CLONE_NEWUSER) < 0 && errno == EPERM);
        free(st);
}

static void root_default(void **state) {
        (void)state;
        if (!is_root()) skip();
        scc_enforcement *e = prep("{}", NULL);
        in_child(e, root_default_child, NULL);
        scc_enforcement_free(e);
}

/* exec grep on /proc/self/status: the sets a container process really gets */
static void exec_child(const scc_enforcement *e, void *ud) {
        (void)e;
        int *fds = ud;
        dup2(fds[1], 1);
        execl("/bin/grep", "grep", "-E", "^(Cap(Eff|Amb|Bnd)|NoNewPrivs|Uid):", "/proc/self/status", (char *)NULL);
        _exit(127);
}

static void ambient_across_exec(void **state) {
        (void)state;
        if (!is_root()) skip();
        scc_enforcement *e =
                prep("{'runAsUser':1000660000,'capabilities':{'drop':['ALL'],'add':['NET_BIND_SERVICE']},'allowPrivilegeEscalation':false,"
                     "'seccompProfile':{'type':'RuntimeDefault'}}",
                     NULL);
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        in_child(e, exec_child, fds);
        close(fds[1]);
        char buf[1024];
        ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
        close(fds[0]);
        assert_true(n > 0);
        buf[n] = 0;
        assert_int_equal(status_hex(buf, "CapEff:\t"), B(10));
        assert_int_equal(status_hex(buf, "CapAmb:\t"), B(10));
        assert_int_equal(status_hex(buf, "CapBnd:\t"), B(10));
        assert_int_equal(status_dec(buf, "NoNewPrivs:\t"), 1);
        assert_int_equal(status_dec(buf, "Uid:\t"), 1000660000);
        scc_enforcement_free(e);
}

static void localhost_child(const scc_enforcement *e, void *ud) {
        (void)e;
        (void)ud;
        CHECK(mkdir("/proc/nonexistent-dir", 0700) < 0 && errno == EACCES);
        CHECK(getpid() > 0);
}

static void localhost_profile(void **state) {
        (void)state;
        if (!is_root()) skip();
        char dir[] = "/tmp/ocx-seccomp-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char *path = ocx_xasprintf("%s/deny-mkdir.json", dir);
        const char *prof = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],"
                           "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},{\"names\":[\"no_such_call\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";
        assert_int_equal(ocx_write_file_atomic(path, prof, strlen(prof), 0644), 0);
        scc_enforcement *e = prep("{'seccompProfile':{'type':'Localhost','localhostProfile':'deny-mkdir.json'}}", dir);
        in_child(e, localhost_child, NULL);
        scc_enforcement_free(e);
        unlink(path);
        free(path);
        rmdir(dir);
}

static void privileged_child(const scc_enforcement *e, void *ud) {
        (void)ud;
        char *st = read_status();
        CHECK(st);
        CHECK(status_hex(st, "CapBnd:\t") == scc_enforcement_caps(e));
        CHECK(status_dec(st, "Seccomp:\t") == 0);
        CHECK(status_dec(st, "NoNewPrivs:\t") == 0);
        free(st);
        CHECK(unshare(CLONE_NEWUTS) == 0);
}

static void privileged(void **state) {
        (void)state;
        if (!is_root()) skip();
        scc_enforcement *e = prep("{'privileged':true,'seccompProfile':{'type':'RuntimeDefault'}}", NULL);
        in_child(e, privileged_child, NULL);
        scc_enforcement_free(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(effective_values),    cmocka_unit_test(capability_sets), cmocka_unit_test(restricted),
                cmocka_unit_test(root_default),        cmocka_unit_test(ambient_across_exec),
                cmocka_unit_test(localhost_profile),   cmocka_unit_test(privileged),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
