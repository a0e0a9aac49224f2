/* The strategies (spec 3.8) and sort points (3.9), mirroring the upstream
 * user/, selinux/, group/, capabilities/, seccomp/, sysctl/, util/sort tests. */
#include "scc-test-util.h"
#include "scc/constraints.h"
#include "scc/strategy.h"
#include "scc/volumes.h"
#include "ocx/banned.h"

static scc_constraints *C(const char *json) {
        cJSON *j = J(json);
        scc_constraints *c = NULL;
        assert_int_equal(scc_constraints_from_json(j, &c, NULL), 0);
        cJSON_Delete(j);
        return c;
}

static char *one_err(scc_errlist *l) {
        assert_int_equal(l->n, 1);
        char *s = ocx_xstrdup(l->v[0].text);
        scc_errlist_release(l);
        return s;
}

static void run_as_user(void **state) {
        (void)state;
        scc_errlist l = SCC_ERRLIST_INIT;
        scc_uid_strategy must = {SCC_RAU_MUST_RUN_AS, 6, 0, 0}, range = {SCC_RAU_MUST_RUN_AS_RANGE, 0, 10, 20},
                         nonroot = {SCC_RAU_MUST_RUN_AS_NON_ROOT, 0, 0, 0}, any = {SCC_RAU_RUN_AS_ANY, 0, 0, 0};
        assert_int_equal(scc_uid_generate(&must).v, 6);
        assert_int_equal(scc_uid_generate(&range).v, 10);
        assert_false(scc_uid_generate(&nonroot).set);
        assert_false(scc_uid_generate(&any).set);
        scc_uid_validate(&must, "p", (scc_opt_int){true, 5}, -1, &l);
        char *s = one_err(&l);
        assert_string_equal(s, "p.runAsUser: Invalid value: 5: must be: 6");
        free(s);
        scc_uid_validate(&must, "p", (scc_opt_int){false, 0}, -1, &l);
        s = one_err(&l);
        assert_string_equal(s, "p.runAsUser: Required value");
        free(s);
        scc_uid_validate(&range, "p", (scc_opt_int){true, 10}, -1, &l);
        scc_uid_validate(&range, "p", (scc_opt_int){true, 20}, -1, &l);
        assert_int_equal(l.n, 0);
        scc_uid_validate(&range, "p", (scc_opt_int){true, 21}, -1, &l);
        s = one_err(&l);
        assert_string_equal(s, "p.runAsUser: Invalid value: 21: must be in the ranges: [10, 20]");
        free(s);
        scc_uid_validate(&nonroot, "p", (scc_opt_int){false, 0}, -1, &l);
        s = one_err(&l);
        assert_string_equal(s, "p.runAsNonRoot: Required value: must be true");
        free(s);
        scc_uid_validate(&nonroot, "p", (scc_opt_int){true, 0}, 0, &l); /* only the first error */
        s = one_err(&l);
        assert_string_equal(s, "p.runAsNonRoot: Invalid value: false: must be true");
        free(s);
        scc_uid_validate(&nonroot, "p", (scc_opt_int){true, 0}, -1, &l);
        s = one_err(&l);
        assert_string_equal(s, "p.runAsUser: Invalid value: 0: running with the root UID is forbidden");
        free(s);
        scc_uid_validate(&nonroot, "p", (scc_opt_int){false, 0}, 1, &l);
        scc_uid_validate(&any, "p", (scc_opt_int){true, 0}, 0, &l);
        assert_int_equal(l.n, 0);
}

static void selinux_must_run_as(void **state) {
        (void)state;
        scc_selinux_strategy s = {SCC_STRAT_MUST_RUN_AS, {"user", "role", "type", "s0:c26,c5"}};
        assert_true(scc_selinux_levels_equal("s0:c26,c5", "s0:c5,c26"));
        assert_false(scc_selinux_levels_equal("s0:c26,c5", "s1:c5,c26"));
        assert_false(scc_selinux_levels_equal("s0:c26,c5", "s0:c5"));
        assert_false(scc_selinux_levels_equal("s0:c26,c5", "s0"));
        scc_errlist l = SCC_ERRLIST_INIT;
        scc_selinux_opts ok = {"user", "role", "type", "s0:c5,c26"};
        scc_selinux_validate(&s, "p", &ok, &l);
        assert_int_equal(l.n, 0);
        scc_selinux_opts bad = {"u", "r", "type", "s1:c5"};
        scc_selinux_validate(&s, "p", &bad, &l);
        assert_int_equal(l.n, 3);
        assert_string_equal(l.v[0].text, "p.level: Invalid value: \"s1:c5\": must be s0:c26,c5");
        assert_string_equal(l.v[1].text, "p.role: Invalid value: \"r\": must be role");
        assert_string_equal(l.v[2].text, "p.user: Invalid value: \"u\": must be user");
        scc_errlist_release(&l);
        scc_selinux_validate(&s, "p", NULL, &l);
        char *e = one_err(&l);
        assert_string_equal(e, "p: Required value");
        free(e);
}

static void groups_must_run_as(void **state) {
        (void)state;
        scc_range r[] = {{1, 5}, {10, 10}};
        scc_group_strategy g = {SCC_STRAT_MUST_RUN_AS, r, 2};
        assert_int_equal(scc_group_generate(&g).v, 1);
        scc_errlist l = SCC_ERRLIST_INIT;
        int64_t ok[] = {1, 5, 10};
        scc_group_validate(&g, "p", ok, 3, false, &l);
        assert_int_equal(l.n, 0);
        int64_t bad[] = {6, 11};
        scc_group_validate(&g, "p", bad, 2, false, &l);
        assert_int_equal(l.n, 2);
        assert_string_equal(l.v[0].text, "p: Invalid value: []int64{6, 11}: 6 is not an allowed group");
        assert_string_equal(l.v[1].text, "p: Invalid value: []int64{6, 11}: 11 is not an allowed group");
        scc_errlist_release(&l);
        scc_group_validate(&g, "p", NULL, 0, true, &l);
        char *e = one_err(&l);
        assert_string_equal(e, "p: Invalid value: []int64(nil): unable to validate empty groups against required ranges");
        free(e);
        scc_group_validate(&g, "p", NULL, 0, false, &l);
        e = one_err(&l);
        assert_string_equal(e, "p: Invalid value: []int64{}: unable to validate empty groups against required ranges");
        free(e);
}

static void capabilities(void **state) {
        (void)state;
        scc_constraints *c = C("{'metadata':{'name':'x'},'defaultAddCapabilities':['foo'],'requiredDropCapabilities':['bar'],"
                               "'allowedCapabilities':['baz']}");
        const char *add[] = {"baz", "baz", "Baz"}, *drop[] = {"foo"};
        scc_caps in = {.set = true, .add = add, .n_add = 3, .drop = drop, .n_drop = 1}, out;
        /* dropping a default add removes it; case-sensitive, de-duplicated, sorted */
        assert_true(scc_caps_generate(c, &in, &out));
        assert_int_equal(out.n_add, 2);
        assert_string_equal(out.add[0], "Baz");
        assert_string_equal(out.add[1], "baz");
        assert_int_equal(out.n_drop, 2);
        assert_string_equal(out.drop[0], "bar");
        assert_string_equal(out.drop[1], "foo");
        free(out.add);
        free(out.drop);
        /* nothing to change → unchanged */
        const char *add2[] = {"foo"}, *drop2[] = {"bar"};
        scc_caps same = {.set = true, .add = add2, .n_add = 1, .drop = drop2, .n_drop = 1};
        assert_false(scc_caps_generate(c, &same, &out));
        scc_errlist l = SCC_ERRLIST_INIT;
        scc_caps_validate(c, "p", &same, &l);
        assert_int_equal(l.n, 0);
        const char *add3[] = {"BAZ"};
        scc_caps wrong = {.set = true, .add = add3, .n_add = 1, .drop_nil = true};
        scc_caps_validate(c, "p", &wrong, &l);
        assert_int_equal(l.n, 2);
        assert_string_equal(l.v[0].text, "p.capabilities.add: Invalid value: \"BAZ\": capability may not be added");
        assert_string_equal(l.v[1].text, "p.capabilities.drop: Invalid value: []core.Capability(nil): bar is required to be dropped but was not found");
        scc_errlist_release(&l);
        scc_caps none = {0};
        scc_caps_validate(c, "p", &none, &l);
        char *e = one_err(&l);
        assert_string_equal(e, "p.capabilities: Invalid value: \"null\": required capabilities are not set on the securityContext");
        free(e);
        scc_constraints_free(c);
}

static void seccomp(void **state) {
        (void)state;
        scc_constraints *none = C("{'metadata':{'name':'x'}}"), *any = C("{'metadata':{'name':'x'},'seccompProfiles':['*']}"),
                        *spec = C("{'metadata':{'name':'x'},'seccompProfiles':['*','foo','docker/default']}");
        assert_null(scc_seccomp_default(none));
        assert_null(scc_seccomp_default(any));
        assert_string_equal(scc_seccomp_default(spec), "foo");
        scc_errlist l = SCC_ERRLIST_INIT;
        scc_seccomp_validate(none, "p", "", &l);
        scc_seccomp_validate(any, "p", "anything", &l);
        scc_seccomp_validate(spec, "p", "runtime/default", &l); /* docker/default ↔ runtime/default */
        assert_int_equal(l.n, 0);
        scc_seccomp_validate(none, "p", "runtime/default", &l);
        char *e = one_err(&l);
        assert_string_equal(e, "p: Forbidden: seccomp may not be set");
        free(e);
        scc_constraints *foo = C("{'metadata':{'name':'x'},'seccompProfiles':['foo']}");
        scc_seccomp_validate(foo, "p", "bar", &l);
        e = one_err(&l);
        assert_string_equal(e, "p: Forbidden: bar is not an allowed seccomp profile. Valid values are [foo]");
        free(e);
        scc_constraints_free(none);
        scc_constraints_free(any);
        scc_constraints_free(spec);
        scc_constraints_free(foo);
}

static void sysctls(void **state) {
        (void)state;
        scc_constraints *c = C("{'metadata':{'name':'x'},'allowedUnsafeSysctls':['kernel.msg*','net.core.somaxconn'],"
                               "'forbiddenSysctls':['kernel.shm_rmid_forced','net.ipv4.tcp_*']}");
        scc_errlist l = SCC_ERRLIST_INIT;
        scc_sysctl_validate(c, "p", "kernel.msgmax", 0, &l);
        scc_sysctl_validate(c, "p", "net.core.somaxconn", 0, &l);
        scc_sysctl_validate(c, "p", "net.ipv4.ip_local_port_range", 0, &l);
        assert_int_equal(l.n, 0);
        scc_sysctl_validate(c, "p", "kernel.shm_rmid_forced", 0, &l); /* safe but forbidden */
        scc_sysctl_validate(c, "p", "net.ipv4.tcp_syncookies", 0, &l);
        scc_sysctl_validate(c, "p", "kernel.sem", 0, &l);
        assert_int_equal(l.n, 3);
        assert_string_equal(l.v[0].text, "p: Forbidden: sysctl \"kernel.shm_rmid_forced\" is not allowed");
        assert_string_equal(l.v[2].text, "p: Forbidden: unsafe sysctl \"kernel.sem\" is not allowed");
        scc_errlist_release(&l);
        assert_false(scc_sysctl_is_safe("net.ipv4.tcp_rmem", 0));
        assert_false(scc_sysctl_is_safe("net.ipv4.tcp_rmem", 3018));
        assert_true(scc_sysctl_is_safe("net.ipv4.ip_local_reserved_ports", 3018));
        assert_true(scc_sysctl_is_safe("net.ipv4.tcp_rmem", 5015));
        scc_constraints *all = C("{'metadata':{'name':'x'},'allowedUnsafeSysctls':['*']}");
        scc_sysctl_validate(all, "p", "vm.anything", 0, &l);
        assert_int_equal(l.n, 0);
        scc_constraints *forbid_all = C("{'metadata':{'name':'x'},'forbiddenSysctls':['*']}");
        scc_sysctl_validate(forbid_all, "p", "kernel.shm_rmid_forced", 0, &l);
        assert_int_equal(l.n, 1);
        scc_errlist_release(&l);
        scc_constraints_free(c);
        scc_constraints_free(all);
        scc_constraints_free(forbid_all);
}

static void volume_types(void **state) {
        (void)state;
        static const struct {
                const char *vol, *fstype;
        } v[] = {
                {"{'name':'a','hostPath':{'path':'/'}}", "hostPath"}, {"{'name':'a','cephfs':{}}", "cephFS"},
                {"{'name':'a','vsphereVolume':{}}", "vsphere"},       {"{'name':'a','storageos':{}}", "storageOS"},
                {"{'name':'a','emptyDir':{},'secret':{}}", "emptyDir"}, {"{'name':'a','image':{}}", "image"},
                {"{'name':'a','secret':null,'configMap':{}}", "configMap"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(v); i++) {
                cJSON *j = J(v[i].vol);
                assert_string_equal(scc_volume_fstype(j), v[i].fstype);
                cJSON_Delete(j);
        }
        cJSON *j = J("{'name':'a'}");
        assert_null(scc_volume_fstype(j));
        cJSON_Delete(j);
        j = J("{'sources':[{'serviceAccountToken':{'path':'token'}},{'configMap':{'name':'openshift-service-ca.crt',"
              "'items':[{'key':'service-ca.crt','path':'service-ca.crt'}]}}]}");
        assert_true(scc_projected_is_sa_token(j));
        cJSON_Delete(j);
        j = J("{'sources':[{'serviceAccountToken':{'path':'token','audience':'vault'}}]}");
        assert_false(scc_projected_is_sa_token(j));
        cJSON_Delete(j);
        j = J("{'sources':[{'secret':{'name':'s'}}]}");
        assert_false(scc_projected_is_sa_token(j));
        cJSON_Delete(j);
}

static void points(void **state) {
        (void)state;
        static const struct {
                const char *scc;
                int64_t caps;
        } c[] = {
                {"{}", 5000},
                {"{'defaultAddCapabilities':['A']}", 5300},
                {"{'allowedCapabilities':['A','B']}", 5020},
                {"{'allowedCapabilities':['*']}", 9000},
                {"{'allowedCapabilities':['ALL']}", 9000},
                {"{'allowedCapabilities':['all']}", 9000},
                {"{'requiredDropCapabilities':['A','B']}", 4900},
                {"{'requiredDropCapabilities':['ALL']}", 2000},
                {"{'requiredDropCapabilities':['*']}", 4950},
                {"{'defaultAddCapabilities':['A','B','C','D','E','F','G','H','I','J','K','L','M','N','O','P','Q'],"
                 "'allowedCapabilities':['*']}", 9999},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(c); i++) {
                scc_constraints *k = C(c[i].scc);
                assert_int_equal(scc_caps_points(k), c[i].caps);
                scc_constraints_free(k);
        }
        static const struct {
                const char *vols;
                int64_t p;
        } v[] = {{"{'volumes':['*']}", 200000}, {"{'volumes':['hostPath']}", 200000}, {"{'volumes':['nfs']}", 100000},
                 {"{'volumes':['secret','configMap','emptyDir','downwardAPI','projected']}", 0}, {"{'volumes':['none']}", 0},
                 {"{}", 0}};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(v); i++) {
                scc_constraints *k = C(v[i].vols);
                assert_int_equal(scc_volume_points(&k->volumes), v[i].p);
                scc_constraints_free(k);
        }
        scc_constraints *a = C("{'metadata':{'name':'a'},'runAsUser':{'type':'RunAsAny'},'seLinuxContext':{'type':'MustRunAs'}}");
        assert_int_equal(a->points, 5000 + 40000 + 10000);
        scc_constraints *b = C("{'metadata':{'name':'b'},'allowHostPorts':true}");
        assert_true(scc_constraints_compare(a, b) < 0);
        scc_constraints_free(a);
        scc_constraints_free(b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(run_as_user),     cmocka_unit_test(selinux_must_run_as), cmocka_unit_test(groups_must_run_as),
                cmocka_unit_test(capabilities),    cmocka_unit_test(seccomp),             cmocka_unit_test(sysctls),
                cmocka_unit_test(volume_types),    cmocka_unit_test(points),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
